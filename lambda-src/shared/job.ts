/**
 * The lifecycle every handler follows once its event is valid (the semantics of Powertools'
 * idempotency utility, on the job records: see data/job-records.ts):
 *
 *   1. start the job with this attempt's claim: its id, a lease until the invocation ends (from the
 *      remaining time) and the hash of the job's input;
 *   2. the existing record decides, without any model call:
 *      - other input under the same id: refused (`InvalidEventError` naming the id), nothing written;
 *      - `completed` or `failed`: the stored record is returned as is (a retry never re-runs a
 *        finished job nor writes a second record);
 *      - `processing` with a lease still running: another attempt has the job; this one throws
 *        `JobInProgressError` (Lambda's retry of an asynchronous invocation, or the caller, tries
 *        again later and then gets the result), touching nothing;
 *      - `processing` with a lease that passed (its attempt crashed or timed out): taken over;
 *   3. the work runs against a deadline: the remaining time less the function's outcome reserve;
 *   4. `completed` with the results, or `failed` with the reason, written only while this attempt
 *      still holds the lease.
 *
 * Errors from the work are recorded, not thrown: the invocation succeeds and returns the `failed`
 * record, so Lambda does not retry a job whose outcome is stored. Thrown are: a refused event, a job
 * in progress elsewhere, and a failure to record the outcome (DynamoDB unreachable after retries;
 * the lease then lets the next delivery take the job over once it passes).
 */
import { randomUUID } from "node:crypto";
import type { Claim, StartResult } from "../data/job-records";
import { InvalidInputError, LeaseLostError, StatusTransitionError } from "./errors";
import type { FunctionDefinition } from "../contract/function-definitions";
import { JOB_OUTCOME_MESSAGES } from "../contract/job-outcome-log";
import { redactError } from "./redact";

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
  /** The claim for a job whose input hashes to `inputHash`. */
  claim(inputHash: string): Claim;
}

/**
 * The attempt of an invocation of `definition`'s function: its end from the context's remaining
 * time, else (tests, local runs) the function's default timeout from now.
 */
export function startAttempt(context: LambdaContext | undefined, definition: FunctionDefinition, clock: () => number = Date.now): Attempt {
  const nowMs = clock();
  const remaining = context?.getRemainingTimeInMillis?.() ?? definition.defaultTimeoutSeconds * 1000;
  const endsAtMs = nowMs + Math.max(0, Math.floor(remaining));
  const holder = `${context?.awsRequestId ?? "local"}/${randomUUID()}`;
  return {
    holder,
    nowMs,
    endsAtMs,
    deadline: new Deadline(endsAtMs - definition.outcomeReserveMs, clock),
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
  complete(results: T, holder: string): Promise<R>;
  fail(message: string, holder: string): Promise<R>;
  get(): Promise<R | undefined>;
  log: Logger;
  /** Removes secrets from a failure message before it is stored or logged. */
  redact: (text: string) => string;
}

/** The message stored in `error_message` for a work error. */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return `unexpected failure: ${String(error)}`;
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
  const started = await steps.start(attempt.claim(steps.inputHash));
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
  }

  let results: T;
  try {
    results = await steps.work();
  } catch (error) {
    const message = steps.redact(failureMessage(error));
    if (error instanceof DeadlineExceededError) log("error", JOB_OUTCOME_MESSAGES.timedOut, { job: label, error: message });
    log("error", JOB_OUTCOME_MESSAGES.failed, { job: label, error: message });
    return recordOutcome(steps, () => steps.fail(message, attempt.holder));
  }
  try {
    return await recordOutcome(steps, () => steps.complete(results, attempt.holder));
  } catch (error) {
    // Results the table refuses (over 400 KB, ...): nothing was written; record why.
    if (!(error instanceof InvalidInputError)) throw error;
    const message = steps.redact(`the results could not be stored: ${error.message}`);
    log("error", JOB_OUTCOME_MESSAGES.failed, { job: label, error: message });
    return recordOutcome(steps, () => steps.fail(message, attempt.holder));
  }
}

/**
 * Writes an outcome. If another attempt recorded one first, or took the job over and finished it,
 * returns that one; a job taken over and still running elsewhere rethrows the `LeaseLostError`.
 */
async function recordOutcome<R extends { status: string }, T>(steps: JobSteps<R, T>, write: () => Promise<R>): Promise<R> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof StatusTransitionError) && !(error instanceof LeaseLostError)) throw error;
    const current = await steps.get();
    if (current === undefined || current.status === "processing") throw error;
    steps.log("warn", "another attempt recorded the outcome; returning it", { job: steps.label, status: current.status });
    return current;
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
  const safeLog: Logger = (level, message, fields) =>
    log(level, redact(message), fields === undefined ? undefined : (JSON.parse(redact(JSON.stringify(fields))) as Record<string, unknown>));
  return async (event, context) => {
    try {
      return await handler(event, context, safeLog);
    } catch (error) {
      throw redactError(error, redact);
    }
  };
}
