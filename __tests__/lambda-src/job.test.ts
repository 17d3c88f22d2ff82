/**
 * The pieces of shared/job.ts the handler and built-zip tests reach only through a whole job: the
 * lease an attempt takes from the remaining time it is told, the outcome write's time budget, and
 * which DynamoDB errors are worth another try.
 */
import { FLASHCARD_GENERATOR, WRITING_EVALUATOR } from "../../lambda-src/contract/function-definitions";
import { InvalidInputError, StatusTransitionError } from "../../lambda-src/shared/errors";
import { isTransientError, OUTCOME_WRITE, startAttempt } from "../../lambda-src/shared/job";

const NOW = 1_733_644_800_000;
const clock = () => NOW;
const told = (remaining: unknown) => ({ getRemainingTimeInMillis: () => remaining as number, awsRequestId: "req-1" });

describe("the lease from getRemainingTimeInMillis(), within the function's timeout", () => {
  test("a remaining time within the timeout is the lease", () => {
    const attempt = startAttempt(told(42_000.7), WRITING_EVALUATOR, clock);
    expect(attempt.endsAtMs).toBe(NOW + 42_000);
    expect(attempt.claim("a".repeat(64)).leaseExpiresAtMs).toBe(NOW + 42_000);
    expect(attempt.deadline.remainingMs()).toBe(42_000 - WRITING_EVALUATOR.outcomeReserveMs);
    expect(attempt.remainingTimeNote).toBeUndefined();
    expect(attempt.holder).toMatch(/^req-1\/[0-9a-f-]{36}$/);
  });

  test.each([
    ["NaN", Number.NaN, "getRemainingTimeInMillis() returned NaN, not a finite number: the function's timeout (120 s) is used"],
    ["Infinity", Number.POSITIVE_INFINITY, "getRemainingTimeInMillis() returned Infinity, not a finite number: the function's timeout (120 s) is used"],
    ["-Infinity", Number.NEGATIVE_INFINITY, "getRemainingTimeInMillis() returned -Infinity, not a finite number: the function's timeout (120 s) is used"],
    ["a string", "120000", "getRemainingTimeInMillis() returned string, not a finite number: the function's timeout (120 s) is used"],
    ["a value past the year 33000", 1e15, "getRemainingTimeInMillis() returned 1000000000000000 ms, more than the function's timeout (120 s): the timeout is used"],
  ])("%s: the timeout, and a note that says why", (_name, remaining, note) => {
    const attempt = startAttempt(told(remaining), WRITING_EVALUATOR, clock);
    expect(attempt.endsAtMs).toBe(NOW + 120_000);
    expect(attempt.remainingTimeNote).toBe(note);
  });

  test("the deployed timeout (FUNCTION_TIMEOUT_SECONDS) bounds it, not the definition's default", () => {
    expect(startAttempt(told(500_000), FLASHCARD_GENERATOR, clock, 600).endsAtMs).toBe(NOW + 500_000);
    expect(startAttempt(told(700_000), FLASHCARD_GENERATOR, clock, 600).endsAtMs).toBe(NOW + 600_000);
    expect(startAttempt(told(Number.NaN), FLASHCARD_GENERATOR, clock, 600).endsAtMs).toBe(NOW + 600_000);
  });

  test("a negative remaining time is no time at all", () => {
    expect(startAttempt(told(-5), WRITING_EVALUATOR, clock).endsAtMs).toBe(NOW);
  });
});

describe("the outcome write's time", () => {
  test.each([WRITING_EVALUATOR, FLASHCARD_GENERATOR])("$kind: the reserve holds two whole tries of the write (1 s connect + 2 s request each), the release and the margin", (definition) => {
    const connectMs = 1_000;
    const tryMs = connectMs + OUTCOME_WRITE.requestTimeoutMs;
    expect(OUTCOME_WRITE.releaseMs).toBeGreaterThanOrEqual(tryMs);
    expect(definition.outcomeReserveMs).toBeGreaterThanOrEqual(2 * tryMs + OUTCOME_WRITE.releaseMs + OUTCOME_WRITE.marginMs);
  });
});

describe("which errors are worth another try", () => {
  const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

  test.each([
    ["throttled (on-demand partition limit)", sdkError("ProvisionedThroughputExceededException", 400)],
    ["throttled (ThrottlingException)", sdkError("ThrottlingException", 400)],
    ["the account's request limit", sdkError("RequestLimitExceeded", 400)],
    ["a 500", sdkError("InternalServerError", 500)],
    ["a 503 of an unknown name", sdkError("SomethingWentWrong", 503)],
    ["the SDK's request timeout", sdkError("TimeoutError")],
    ["an abort at the window's end", sdkError("AbortError")],
    ["a reset connection", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })],
    ["a socket hang up", new Error("socket hang up")],
    ["an error the SDK marks retryable", sdkError("Odd", 400, { $retryable: {} })],
  ])("%s: yes", (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  test.each([
    ["a validation error", sdkError("ValidationException", 400)],
    ["access denied", sdkError("AccessDeniedException", 400)],
    ["a missing table", sdkError("ResourceNotFoundException", 400)],
    ["a refused transition (this layer's)", new StatusTransitionError("evaluation", { evaluation_id: "e", user_id: "u" }, "completed", "failed", "x")],
    ["results the table refuses (this layer's)", new InvalidInputError("item", "too large")],
    ["a programming error", new TypeError("x is not a function")],
    ["something that is not an Error", "a string"],
  ])("%s: no", (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });
});
