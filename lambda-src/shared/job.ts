/**
 * The lifecycle every handler follows once its event is valid (the semantics of Powertools'
 * idempotency utility, on the job records: see data/job-records.ts):
 *
 *   1. start the job with this attempt's claim: its id, a lease until the invocation ends (from the
 *      remaining time, at most the function's timeout) and the hash of the job's input;
 *   2. the existing record decides, without any model call:
 *      - other input under the same id: refused (`InvalidEventError` naming the id), nothing written;
 *      - `completed` or `failed`: the stored record is returned as is (a retry never re-runs a
 *        finished job nor writes a second record);
 *      - `processing` with a lease still running: another attempt has the job; this one throws
 *        `JobInProgressError` (Lambda's retry of an asynchronous invocation, or the caller, tries
 *        again later and then gets the result), touching nothing;
 *      - `processing` with this attempt's own claim: its start (or takeover) write was applied and
 *        its answer lost; it goes on;
 *      - `processing` with a lease that passed (its attempt crashed or timed out): taken over;
 *   3. the work runs against a deadline: the remaining time less the function's outcome reserve;
 *   4. `completed` with the results, or `failed` with the reason, written only while this attempt
 *      still holds the lease (`recordOutcome`): tried again for the reserve, each try with a short
 *      request timeout; an outcome found already recorded by this attempt (an answer lost) is its
 *      own. If it cannot be written, the lease is released before the error is thrown, so that
 *      Lambda's next retry (a minute later) takes the job over instead of meeting the lease.
 *
 * Errors from the work are recorded, not thrown: the invocation succeeds and returns the `failed`
 * record, so Lambda does not retry a job whose outcome is stored. Thrown are: a refused event, a job
 * in progress elsewhere, and a failure to record the outcome (`OutcomeNotRecordedError`).
 */
import { randomUUID } from "node:crypto";
import type { Claim, StartResult, WriteOptions } from "../data/job-records";
import { DataLayerError, InvalidInputError, LeaseLostError, StatusTransitionError } from "./errors";
import type { FunctionDefinition } from "../contract/function-definitions";
import { JOB_OUTCOME_MESSAGES } from "../contract/job-outcome-log";
import { redactError, redactStrings } from "./redact";

/** The Lambda context members used here (optional, so tests may call handlers without one). */
export interface LambdaContext {
  getRemainingTimeInMillis?(): number;
  awsRequestId?: string;
}

/** Structured log lines; the default writes one JSON line per entry to the console. */
export type Logger = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

/**
 * One console call per entry, with `{ message, ...fields }` as its only argument: the functions use
 * Lambda's JSON log format, where the runtime nests that object under its own `message` key, so the
 * fields stay JSON that metric filters and Logs Insights can select (`$.message.message`). A string
 * argument (`JSON.stringify` of the fields) would be written as one escaped string instead.
 */
export const consoleLogger: Logger = (level, message, fields = {}) => {
  console[level]({ message, ...fields });
};

/** Time left for the work: the end of the invocation less a reserve for recording the outcome. */
export class Deadline {
  constructor(private readonly atMs: number, private readonly clock: () => number = Date.now) {}

  /** Milliseconds left (may be negative). */
  remainingMs(): number {
    return this.atMs - this.clock();
  }

  /** A step's timeout: `maxMs`, cut to the time left. Throws `DeadlineExceededError` when no time is left. */
  budget(maxMs: number, what: string): number {
    const left = this.remainingMs();
    if (left < 1_000) throw new DeadlineExceededError(`no time left to ${what} before the function's timeout`);
    return Math.min(maxMs, left);
  }
}

/** The work's deadline passed before a step could start: the job timed out (and is recorded `failed`). */
export class DeadlineExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeadlineExceededError";
  }
}

/** One invocation's attempt at a job: who it is, until when it runs, and its work's deadline. */
export interface Attempt {
  /** This attempt's id: the request id and a random part (Lambda reuses the request id on retries). */
  readonly holder: string;
  readonly nowMs: number;
  /** End of the invocation, Unix ms: the lease's end. */
  readonly endsAtMs: number;
  /** The work's deadline: the end less the function's `outcomeReserveMs`. */
  readonly deadline: Deadline;
  /** The function's `outcomeReserveMs`: the time the outcome gets when the work used its deadline. */
  readonly outcomeReserveMs: number;
  /** The clock of the lease and the deadline, Unix ms. */
  readonly clock: () => number;
  /** Why the context's remaining time was not used as is (not a finite number, above the timeout). */
  readonly remainingTimeNote?: string;
  /** The claim for a job whose input hashes to `inputHash`. */
  claim(inputHash: string): Claim;
}

/**
 * The attempt of an invocation of `definition`'s function. Its end is now plus the context's
 * remaining time, at most the function's timeout (`timeoutSeconds`: the deployed one, from the
 * environment; else the definition's default): a runtime that answered NaN, Infinity or a huge
 * value would otherwise make a lease that never ends, or none. Not a finite number, or no context
 * (tests, local runs): the timeout.
 */
export function startAttempt(
  context: LambdaContext | undefined,
  definition: FunctionDefinition,
  clock: () => number = Date.now,
  timeoutSeconds: number = definition.defaultTimeoutSeconds,
): Attempt {
  const nowMs = clock();
  const timeoutMs = timeoutSeconds * 1000;
  const reported: unknown = context?.getRemainingTimeInMillis?.();
  let remaining = timeoutMs;
  let remainingTimeNote: string | undefined;
  if (reported !== undefined) {
    if (typeof reported !== "number" || !Number.isFinite(reported)) {
      remainingTimeNote = `getRemainingTimeInMillis() returned ${typeof reported === "number" ? String(reported) : typeof reported}, not a finite number: the function's timeout (${timeoutSeconds} s) is used`;
    } else if (reported > timeoutMs) {
      remainingTimeNote = `getRemainingTimeInMillis() returned ${reported} ms, more than the function's timeout (${timeoutSeconds} s): the timeout is used`;
    } else {
      remaining = Math.max(0, Math.floor(reported));
    }
  }
  const endsAtMs = nowMs + remaining;
  const holder = `${context?.awsRequestId ?? "local"}/${randomUUID()}`;
  return {
    holder,
    nowMs,
    endsAtMs,
    deadline: new Deadline(endsAtMs - definition.outcomeReserveMs, clock),
    outcomeReserveMs: definition.outcomeReserveMs,
    clock,
    remainingTimeNote,
    claim: (inputHash) => ({ holder, nowMs, leaseExpiresAtMs: endsAtMs, inputHash }),
  };
}

/**
 * A duplicate delivery of a job that another attempt is working on (its lease has not passed).
 * Nothing was done: no model call, no write. Retrying after `leaseExpiresAtMs` gets the job's
 * outcome, or takes the job over if that attempt died. Powertools calls it
 * `IdempotencyAlreadyInProgressError`.
 */
export class JobInProgressError extends Error {
  override readonly name: string = "JobInProgressError";
  /** How long until the other attempt's lease ends, in ms. */
  readonly retryAfterMs: number;

  constructor(readonly job: string, readonly leaseExpiresAtMs: number, nowMs: number) {
    super(
      `${job} is being processed by another attempt until ${new Date(leaseExpiresAtMs).toISOString()}; ` +
        `this delivery did nothing: retry after that time to get the job's result`,
    );
    this.retryAfterMs = Math.max(0, leaseExpiresAtMs - nowMs);
  }
}

/** The steps of one job, bound to its key. */
export interface JobSteps<R extends { status: string }, T> {
  /** How the job is named in logs and errors, e.g. `evaluation {"evaluation_id":"eval-1","user_id":"u"}`. */
  readonly label: string;
  readonly attempt: Attempt;
  /** SHA-256 of the job's input (shared/input-hash.ts). */
  readonly inputHash: string;
  start(claim: Claim): Promise<StartResult<R>>;
  /** The error for an existing record of the same id with other input (it names the id). */
  otherInput(record: R): Error;
  work(): Promise<T>;
  complete(results: T, holder: string, options: WriteOptions): Promise<R>;
  fail(message: string, holder: string, options: WriteOptions): Promise<R>;
  /** Ends `holder`'s lease now if it still holds the job; false when it does not. */
  release(holder: string, options: WriteOptions): Promise<boolean>;
  get(): Promise<R | undefined>;
  log: Logger;
  /** Removes secrets from a failure message before it is stored or logged. */
  redact: (text: string) => string;
}

/** The message stored in `error_message` for a work error. */
export function failureMessage(error: unknown): string {
  // Something thrown that is not an Error: its type only (its text could be anything, user text too).
  if (!(error instanceof Error)) return `unexpected failure: a thrown ${error === null ? "null" : typeof error}`;
  const message = error.message.trim() || "(no message)";
  // Our own error classes word their messages for the user; others (SDK, runtime) get their name.
  const worded = ["Error", "ModelError", "MalformedModelAnswerError", "S3ObjectError", "JobError", "DeadlineExceededError"];
  return worded.includes(error.name) || error instanceof InvalidInputError ? message : `${error.name}: ${message}`;
}

/** A failure the work raises on purpose with a message for the user (e.g. "the PDF has no text"). */
export class JobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobError";
  }
}

/** Runs the lifecycle described above; resolves to the job's final record. */
export async function runJob<R extends { status: string }, T>(steps: JobSteps<R, T>): Promise<R> {
  const { attempt, label, log } = steps;
  if (attempt.remainingTimeNote) log("warn", "the invocation's remaining time is not usable as given", { job: label, detail: attempt.remainingTimeNote });
  let started: StartResult<R>;
  try {
    started = await steps.start(attempt.claim(steps.inputHash));
  } catch (error) {
    await releaseAfterFailedStart(steps, error);
    throw error;
  }
  switch (started.state) {
    case "other-input":
      throw steps.otherInput(started.record);
    case "finished":
      log("info", "job already finished; returning the stored record", { job: label, status: started.record.status });
      return started.record;
    case "in-progress":
      log("info", "job in progress in another attempt; this delivery does nothing", {
        job: label,
        leaseExpiresAt: new Date(started.leaseExpiresAtMs).toISOString(),
      });
      throw new JobInProgressError(label, started.leaseExpiresAtMs, attempt.nowMs);
    case "started":
      if (started.tookOverFrom !== undefined) {
        // The previous attempt's invocation ended (Lambda's timeout, a crash) without an outcome.
        log("warn", JOB_OUTCOME_MESSAGES.timedOut, {
          job: label,
          attempt: started.tookOverFrom,
          detail: "the attempt's lease passed without an outcome; this attempt took the job over",
        });
      }
      if (started.ownWriteFound !== undefined) {
        log("info", `the ${started.ownWriteFound} write was applied but its answer was lost; the record holds this attempt's claim: going on`, {
          job: label,
        });
      }
  }

  let results: T;
  try {
    results = await steps.work();
  } catch (error) {
    const message = steps.redact(failureMessage(error));
    if (error instanceof DeadlineExceededError) log("error", JOB_OUTCOME_MESSAGES.timedOut, { job: label, error: message });
    log("error", JOB_OUTCOME_MESSAGES.failed, { job: label, error: message });
    return recordOutcome(steps, "failed", (options) => steps.fail(message, attempt.holder, options));
  }
  try {
    return await recordOutcome(steps, "completed", (options) => steps.complete(results, attempt.holder, options));
  } catch (error) {
    // Results the table refuses (over 400 KB, ...): nothing was written; record why.
    if (!(error instanceof InvalidInputError)) throw error;
    const message = steps.redact(`the results could not be stored: ${error.message}`);
    log("error", JOB_OUTCOME_MESSAGES.failed, { job: label, error: message });
    return recordOutcome(steps, "failed", (options) => steps.fail(message, attempt.holder, options));
  }
}

/**
 * How an outcome is written (see `recordOutcome`). The client's own settings (3 attempts of 1 s
 * connect + 5 s request, about 20 s at worst) would not fit the functions' 10 s `outcomeReserveMs`;
 * an outcome write is given shorter tries, ended by an abort signal at the reserve's end.
 */
export const OUTCOME_WRITE = {
  /** Request timeout of each HTTP attempt of an outcome write (the client's is 5 s); connect stays 1 s. */
  requestTimeoutMs: 2_000,
  /** Kept at the end of the reserve for the release: one try of 1 s connect and 2 s request. */
  releaseMs: 3_000,
  /** Kept before the invocation's end, for the handler to return before Lambda stops it. */
  marginMs: 500,
  /** First wait between two writes; doubled after each, at most `maxWaitMs`, with jitter. */
  firstWaitMs: 100,
  maxWaitMs: 1_000,
} as const;

/** An outcome (`completed` or `failed`) this attempt could not write; see `recordOutcome`. */
export class OutcomeNotRecordedError extends Error {
  override readonly name: string = "OutcomeNotRecordedError";

  constructor(
    readonly job: string,
    readonly outcome: "completed" | "failed",
    readonly writes: number,
    readonly seconds: number,
    /** Whether this attempt's lease was released (else it ends with the invocation). */
    readonly released: boolean,
    readonly leaseEndsAtMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `${job}: the job's outcome (${outcome}) could not be recorded in ${writes} write${writes === 1 ? "" : "s"} over ${seconds.toFixed(1)} s (${describeError(cause)}); ` +
        (released
          ? "its lease was released: the next delivery runs the job again"
          : `its lease could not be released either: it ends with this invocation, at ${new Date(leaseEndsAtMs).toISOString()}, and a delivery after that runs the job again`),
    );
  }
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `a thrown ${error === null ? "null" : typeof error}`;

/**
 * SDK error names of a throttled request, a server-side hiccup or a timeout: worth another try
 * (ProvisionedThroughputExceededException, ThrottlingException, TooManyRequestsException,
 * RequestLimitExceeded, InternalServerError, ServiceUnavailable, TransactionConflictException,
 * RequestTimeout(Exception), TimeoutError, AbortError).
 */
const TRANSIENT_ERROR_NAME = /Throughput|Throttl|TooManyRequests|RequestLimit|InternalServer|ServiceUnavailable|TransactionConflict|Timeout|^AbortError$/;
/** Socket errors: the request may not have reached DynamoDB, or its answer did not come back. */
const NETWORK_ERROR_CODE = /^E(CONNRESET|CONNREFUSED|CONNABORTED|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|NOTFOUND|AI_AGAIN)$/;

/**
 * Whether another try of a DynamoDB request may succeed: throttling, a 5xx, a timeout, a lost
 * connection. Not: this layer's own refusals (a condition that failed, input the table refuses) and
 * the other 4xx (access denied, a missing table, a validation error).
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof DataLayerError || !(error instanceof Error)) return false;
  const details = error as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: unknown };
  if (details.$retryable || TRANSIENT_ERROR_NAME.test(error.name)) return true;
  const status = details.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return (typeof details.code === "string" && NETWORK_ERROR_CODE.test(details.code)) || /socket hang up/i.test(error.message);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Writes an outcome, within the time the attempt has for it:
 *
 * 1. the write, tried again on a transient error (throttling, a timeout, a lost connection) until
 *    the end of the reserve less the release's share: `min(start + outcomeReserveMs, end of the
 *    invocation) - releaseMs - marginMs`; each try with a 2 s request timeout and an abort signal at
 *    that point, waits of 100 ms doubled (at most 1 s) between tries. A write that was applied but
 *    whose answer was lost is recognised by the record's `recorded_by` (data/job-records.ts);
 * 2. if it still fails, the lease is released (conditional on this attempt holding it), then
 *    `OutcomeNotRecordedError` is thrown: Lambda retries the invocation a minute later and that
 *    delivery takes the job over at once, instead of meeting a lease that runs to this invocation's end;
 * 3. if the release cannot be written either (DynamoDB unreachable), the write and the release are
 *    tried in turn until the invocation's end (less the margin): the lease then ends about when the
 *    attempt gives up, before Lambda's next delivery.
 *
 * If another attempt recorded an outcome first, or took the job over and finished it, returns that
 * one; a job taken over and still running elsewhere rethrows the `LeaseLostError`.
 */
async function recordOutcome<R extends { status: string }, T>(
  steps: JobSteps<R, T>,
  outcome: "completed" | "failed",
  write: (options: WriteOptions) => Promise<R>,
): Promise<R> {
  const { attempt, label, log } = steps;
  const { clock } = attempt;
  const started = clock();
  const windowEnd = Math.min(started + attempt.outcomeReserveMs, attempt.endsAtMs) - OUTCOME_WRITE.releaseMs - OUTCOME_WRITE.marginMs;
  const lastEnd = attempt.endsAtMs - OUTCOME_WRITE.marginMs;
  const ownWrite = () =>
    log("info", "the outcome write was applied but its answer was lost; the record holds this attempt's outcome", { job: label, status: outcome });
  /** Per-request options of a try that must end by `until` (Unix ms). */
  const optionsUntil = (until: number): WriteOptions => {
    const left = Math.max(1, until - clock());
    return { abortSignal: AbortSignal.timeout(left), requestTimeout: Math.min(OUTCOME_WRITE.requestTimeoutMs, left), onOwnWriteFound: ownWrite };
  };
  let writes = 0;
  let lastError: unknown;

  /** One write; undefined when it failed transiently (`lastError` holds why). */
  const tryWrite = async (until: number): Promise<R | undefined> => {
    writes += 1;
    const options = optionsUntil(until);
    try {
      return await write(options);
    } catch (error) {
      if (error instanceof StatusTransitionError || error instanceof LeaseLostError) return outcomeOfAnother(steps, error);
      if (error instanceof InvalidInputError || !isTransientError(error)) throw error;
      // Our own abort at the window's end says less than the error before it (the throttling, ...).
      if (!(options.abortSignal?.aborted && lastError !== undefined)) lastError = error;
      return undefined;
    }
  };
  /** Waits before the next try; false when the wait would pass `until`. */
  const pause = async (until: number): Promise<boolean> => {
    const base = Math.min(OUTCOME_WRITE.maxWaitMs, OUTCOME_WRITE.firstWaitMs * 2 ** Math.max(0, writes - 1));
    const wait = base / 2 + Math.random() * (base / 2);
    if (clock() + wait >= until) return false;
    await sleep(wait);
    return true;
  };

  try {
    // 1. The write, tried again until the reserve's end less the release's share. The first try
    // gets one request timeout at least, even when the clock says the time is up (a clock moved by
    // hand, a skewed one): an outcome is never given up untried.
    for (let first = true; ; first = false) {
      const written = await tryWrite(first ? Math.max(windowEnd, clock() + OUTCOME_WRITE.requestTimeoutMs) : windowEnd);
      if (written !== undefined) return written;
      if (!(await pause(windowEnd))) break;
    }
  } catch (error) {
    // Not worth another try (access denied, a validation error): release, then rethrow it.
    if (error instanceof InvalidInputError) throw error;
    lastError = error;
  }

  // 2. Release the lease; 3. while DynamoDB cannot be reached, try the write and the release in turn.
  for (let first = true; ; first = false) {
    let released: boolean | undefined;
    const releaseEnd = Math.min(clock() + OUTCOME_WRITE.releaseMs, lastEnd);
    try {
      released = await steps.release(attempt.holder, optionsUntil(first ? Math.max(releaseEnd, clock() + OUTCOME_WRITE.requestTimeoutMs) : releaseEnd));
    } catch (error) {
      if (!isTransientError(error)) throw new OutcomeNotRecordedError(label, outcome, writes, (clock() - started) / 1000, false, attempt.endsAtMs, lastError);
    }
    if (released === true) {
      const failure = new OutcomeNotRecordedError(label, outcome, writes, (clock() - started) / 1000, true, attempt.endsAtMs, lastError);
      log("error", "the job's outcome could not be recorded; lease released", { job: label, status: outcome, error: failure.message });
      throw failure;
    }
    if (released === false) {
      // Not held by this attempt any more: its outcome recorded after all, or the job taken over.
      const current = await steps.get();
      if (current !== undefined && current.status !== "processing") {
        log("warn", "the job's outcome is recorded; returning it", { job: label, status: current.status });
        return current;
      }
      throw lastError;
    }
    if (clock() + OUTCOME_WRITE.releaseMs >= lastEnd || !(await pause(lastEnd - OUTCOME_WRITE.releaseMs))) break;
    const written = await tryWrite(lastEnd - OUTCOME_WRITE.releaseMs).catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (written !== undefined) return written;
  }
  const failure = new OutcomeNotRecordedError(label, outcome, writes, (clock() - started) / 1000, false, attempt.endsAtMs, lastError);
  log("error", "the job's outcome could not be recorded; the lease could not be released: it ends with this invocation", {
    job: label,
    status: outcome,
    error: failure.message,
  });
  throw failure;
}

/** After a refused outcome write: the outcome another attempt recorded, or the refusal. */
async function outcomeOfAnother<R extends { status: string }, T>(steps: JobSteps<R, T>, error: Error): Promise<R> {
  const current = await steps.get();
  if (current === undefined || current.status === "processing") throw error;
  steps.log("warn", "another attempt recorded the outcome; returning it", { job: steps.label, status: current.status });
  return current;
}

/**
 * A start whose write failed after the client's retries may still have been applied (its answers
 * lost): release the lease this attempt may hold, so that the next delivery does not meet it.
 */
async function releaseAfterFailedStart<R extends { status: string }, T>(steps: JobSteps<R, T>, error: unknown): Promise<void> {
  if (!isTransientError(error)) return;
  const { attempt, label, log } = steps;
  const until = Math.min(attempt.clock() + OUTCOME_WRITE.releaseMs, attempt.endsAtMs - OUTCOME_WRITE.marginMs);
  try {
    const options = { abortSignal: AbortSignal.timeout(Math.max(1, until - attempt.clock())), requestTimeout: OUTCOME_WRITE.requestTimeoutMs };
    if (await steps.release(attempt.holder, options)) {
      log("warn", "the start could not be confirmed; released the lease this attempt held", { job: label, error: describeError(error) });
    }
  } catch {
    // DynamoDB unreachable: nothing more to do; a lease written, if any, ends with the invocation.
  }
}

/**
 * Wraps a handler so that no secret leaves it: every log line and every thrown error passes through
 * `redact` (the model client's, which knows the API key once it has read it).
 */
export function withRedaction<E, R>(
  redact: (text: string) => string,
  log: Logger,
  handler: (event: E, context: LambdaContext | undefined, log: Logger) => Promise<R>,
): (event: E, context?: LambdaContext) => Promise<R> {
  // Over each string of the fields (decoded text), never over a JSON text of them.
  const safeLog: Logger = (level, message, fields) =>
    log(level, redact(message), fields === undefined ? undefined : (redactStrings(fields, redact) as Record<string, unknown>));
  return async (event, context) => {
    try {
      return await handler(event, context, safeLog);
    } catch (error) {
      throw redactError(error, redact);
    }
  };
}
