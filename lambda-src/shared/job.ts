/**
 * The lifecycle every handler follows once its event is valid:
 *
 *   1. start the job (idempotent: a `processing` record is written only if none exists);
 *   2. an existing `completed` or `failed` record is returned as is: a retried invocation never
 *      re-runs a finished job nor writes a second record;
 *      an existing `processing` record (a duplicate delivery, or an attempt that died before it
 *      could record its outcome) is resumed: the work runs again and the guarded transition lets
 *      only the first outcome in;
 *   3. the work runs against a deadline below the Lambda timeout;
 *   4. `completed` with the results, or `failed` with the reason (the error's message).
 *
 * Errors from the work are recorded, not thrown: the invocation succeeds and returns the `failed`
 * record, so Lambda does not retry a job whose outcome is stored. Only a failure to record the
 * outcome itself (DynamoDB unreachable after retries) is thrown: the record stays `processing` and
 * Lambda's retry resumes it.
 */
import type { StartResult } from "../data/job-records";
import { InvalidInputError, StatusTransitionError } from "./errors";

/** The Lambda context members used here (optional, so tests may call handlers without one). */
export interface LambdaContext {
  getRemainingTimeInMillis?(): number;
  awsRequestId?: string;
}

/** Structured log lines; the default writes one JSON line per entry to the console. */
export type Logger = (level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) => void;

export const consoleLogger: Logger = (level, message, fields = {}) => {
  console[level](JSON.stringify({ message, ...fields }));
};

/** Time left for the work: the Lambda's remaining time less a reserve for recording the outcome. */
export class Deadline {
  constructor(private readonly atMs: number, private readonly clock: () => number = Date.now) {}

  /**
   * From the Lambda context (`getRemainingTimeInMillis`), else `fallbackMs` from now (tests, local
   * runs); `reserveMs` is kept back for writing the outcome.
   */
  static fromContext(context: LambdaContext | undefined, fallbackMs: number, reserveMs: number, clock: () => number = Date.now): Deadline {
    const remaining = context?.getRemainingTimeInMillis?.() ?? fallbackMs;
    return new Deadline(clock() + remaining - reserveMs, clock);
  }

  /** Milliseconds left (may be negative). */
  remainingMs(): number {
    return this.atMs - this.clock();
  }

  /** A step's timeout: `maxMs`, cut to the time left. Throws when no time is left. */
  budget(maxMs: number, what: string): number {
    const left = this.remainingMs();
    if (left < 1_000) throw new Error(`no time left to ${what} before the function's timeout`);
    return Math.min(maxMs, left);
  }
}

/** The steps of one job, bound to its key. */
export interface JobSteps<R extends { status: string }, T> {
  /** How the job is named in logs, e.g. `evaluation {"evaluation_id":"eval-1","user_id":"u"}`. */
  readonly label: string;
  start(): Promise<StartResult<R>>;
  /** Called with an existing record before it is reused; throws when it belongs to another job. */
  checkExisting?(record: R): void;
  work(): Promise<T>;
  complete(results: T): Promise<R>;
  fail(message: string): Promise<R>;
  get(): Promise<R | undefined>;
  log: Logger;
}

/** The message stored in `error_message` for a work error. */
export function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return `unexpected failure: ${String(error)}`;
  const message = error.message.trim() || "(no message)";
  // Our own error classes word their messages for the user; others (SDK, runtime) get their name.
  const worded = ["Error", "ModelError", "MalformedModelAnswerError", "S3ObjectError", "JobError"];
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
  const { created, record } = await steps.start();
  if (!created) {
    steps.checkExisting?.(record);
    if (record.status !== "processing") {
      steps.log("info", "job already finished; returning the stored record", { job: steps.label, status: record.status });
      return record;
    }
    steps.log("warn", "job found in processing; resuming it", { job: steps.label });
  }

  let results: T;
  try {
    results = await steps.work();
  } catch (error) {
    const message = failureMessage(error);
    steps.log("error", "job failed", { job: steps.label, error: message });
    return recordOutcome(steps, () => steps.fail(message));
  }
  try {
    return await recordOutcome(steps, () => steps.complete(results));
  } catch (error) {
    // Results the table refuses (over 400 KB, ...): nothing was written; record why.
    if (!(error instanceof InvalidInputError)) throw error;
    const message = `the results could not be stored: ${error.message}`;
    steps.log("error", "job failed", { job: steps.label, error: message });
    return recordOutcome(steps, () => steps.fail(message));
  }
}

/** Writes an outcome; if another attempt recorded one first, returns that one. */
async function recordOutcome<R extends { status: string }, T>(steps: JobSteps<R, T>, write: () => Promise<R>): Promise<R> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof StatusTransitionError)) throw error;
    const current = await steps.get();
    if (current === undefined) throw error;
    steps.log("warn", "another attempt recorded the outcome first; returning it", { job: steps.label, status: current.status });
    return current;
  }
}
