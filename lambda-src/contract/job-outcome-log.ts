/**
 * The log lines that count job outcomes. The handlers write them (shared/job.ts); the stack's log
 * metric filters count them (constructs/job-outcome-metrics.ts). Plain TypeScript, no cdktf, no SDK:
 * both sides import it, so a message is written once.
 */

/** The `message` of the line written once per job outcome worth counting. */
export const JOB_OUTCOME_MESSAGES = {
  /** A job recorded `failed` (whatever the cause, running out of time included). */
  failed: "job failed",
  /**
   * A job whose time ran out: its work stopped at the function's deadline (the job is then also
   * recorded `failed`), or an attempt took over a job whose previous attempt ended (killed at the
   * Lambda timeout, crashed) without recording an outcome.
   */
  timedOut: "job timed out",
} as const;

/**
 * Where a handler's `message` field is in a line of Lambda's JSON log format. The Node.js runtime
 * writes `{"timestamp", "level", "requestId", "message": <the one argument given to console.*>}`,
 * and the handlers' logger passes its fields as one object (`consoleLogger` in shared/job.ts), so
 * they land nested under `message`. A JSON string argument would stay a string there, and no JSON
 * metric filter could select a field inside it.
 */
export const MESSAGE_SELECTOR = "$.message.message";
