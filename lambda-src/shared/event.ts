/**
 * Validation of the events the three handlers receive. A bad event is refused at the handler's
 * boundary, before anything is written, with an `InvalidEventError` that names the field, the rule
 * (what a good value looks like) and the value received, e.g.
 *   invalid event: `task` must be "task1" or "task2" (the IELTS Writing task); got "task3"
 * The value is quoted only for ids, keys and choices; user text (an essay, a prompt, a field that
 * does not belong to the event, an event that is not an object) is described by its length and a
 * short hash: the message ends in the runtime's "Invoke Error" log line, kept for the log group's
 * retention.
 */
import { createHash, randomUUID } from "node:crypto";
import { describeUntrusted, describeValue, escapeInvisible, InvalidInputError } from "./errors";
import { isWellFormedUnicode, WELL_FORMED_RULE } from "./text";

/** A refused event; nothing was written. `field` is the event property at fault. */
export class InvalidEventError extends InvalidInputError {
  // Spelled out: a minified bundle renames classes, and Lambda reports `name` as the errorType.
  override readonly name: string = "InvalidEventError";

  /** `value` is quoted (`describeValue`), or with `untrusted` described without its text (`describeUntrusted`). */
  constructor(field: string, rule: string, value: unknown, untrusted = false) {
    super(field, `invalid event: \`${field}\` ${rule}; got ${untrusted ? describeUntrusted(value) : describeValue(value)}`);
  }
}

/** Requires a plain object with no property outside `allowed` (a typo such as `essey` is refused). */
export function eventObject(event: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new InvalidEventError("event", `must be a JSON object with ${allowed.map((f) => `\`${f}\``).join(", ")}`, event, true);
  }
  const body = event as Record<string, unknown>;
  for (const name of Object.keys(body)) {
    if (!allowed.includes(name)) {
      throw new InvalidEventError(
        escapeInvisibleName(name),
        `is not a field of this event (expected only ${allowed.map((f) => `\`${f}\``).join(", ")})`,
        body[name],
        true,
      );
    }
  }
  return body;
}

/** Job ids (`evaluation_id`, `set_id`): letters, digits, `.`, `_`, `:`, `-`; 1 to 128 characters. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const JOB_ID_RULE = "must be 1 to 128 characters: letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit";

/**
 * `user_id`: 1 to 256 characters (a Cognito sub, an email, ...) without white space (\s: Zs and the
 * other spaces), controls (Cc), format characters (Cf: U+200B zero width space, U+200C/D joiners,
 * U+200E/F and U+061C marks, U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+FEFF,
 * U+00AD, tags), line and paragraph separators (Zl, Zp) or other default-ignorable code points
 * (U+3164 and the other Hangul fillers, variation selectors, U+034F): an id that looks like another
 * one in a log, or shows its text reversed, is refused.
 */
const USER_ID = /^[^\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]{1,256}$/u;
export const USER_ID_RULE =
  "must be the user's id: 1 to 256 characters without spaces, control, format (invisible, bidirectional) or other default-ignorable characters";

export function eventUserId(body: Record<string, unknown>): string {
  const value = body.user_id;
  if (typeof value === "string" && !isWellFormedUnicode(value)) throw new InvalidEventError("user_id", WELL_FORMED_RULE, value);
  if (typeof value !== "string" || !USER_ID.test(value)) throw new InvalidEventError("user_id", USER_ID_RULE, value);
  return value;
}

/**
 * The job id of an event: the given one, else one derived from the invocation's request id
 * (`<prefix>-<awsRequestId>`), which Lambda keeps when it retries a failed asynchronous invocation,
 * so a retry reaches the same record. Without a request id (a local call), a new `<prefix>-<uuid>`.
 */
export function eventJobId(body: Record<string, unknown>, field: string, prefix: string, requestId?: string): string {
  const value = body[field];
  if (value === undefined) {
    if (requestId === undefined || requestId === "") return `${prefix}-${randomUUID()}`;
    const derived = `${prefix}-${requestId}`;
    // Lambda's request ids are UUIDs; anything else is hashed into a valid id rather than refused.
    return JOB_ID.test(derived) ? derived : `${prefix}-${createHash("sha256").update(requestId).digest("hex").slice(0, 32)}`;
  }
  if (typeof value !== "string" || !JOB_ID.test(value)) {
    throw new InvalidEventError(field, `${JOB_ID_RULE}, or left out to get a new id`, value);
  }
  return value;
}

/** A required non-empty string of at most `maxLength` characters; returned trimmed. */
export function eventText(body: Record<string, unknown>, field: string, what: string, maxLength: number): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidEventError(field, `must be a non-empty string (${what})`, value, true);
  }
  if (value.length > maxLength) {
    throw new InvalidEventError(field, `must be at most ${maxLength} characters (${what}); it has ${value.length}`, value, true);
  }
  return value.trim();
}

/**
 * An S3 key in the caller's own folder `<prefix><user_id>/` (the prefix is the only one the
 * function's IAM policy may read; the folder keeps one user from reading another's uploads), at most
 * 1024 bytes, well-formed Unicode, without empty or `.`/`..` segments and ending with one of
 * `extensions` (lower-case, with the dot). `userId` is the event's already validated `user_id`.
 */
export function eventUploadKey(
  body: Record<string, unknown>,
  field: string,
  prefix: string,
  extensions: readonly string[],
  userId: string,
): string {
  const value = body[field];
  const rule = `must be the S3 key of an upload under "${prefix}" ending with ${extensions.join(", ")}, like "${prefix}user-456/file${extensions[0]}"`;
  if (typeof value !== "string" || !value.startsWith(prefix) || value.length === prefix.length) {
    throw new InvalidEventError(field, rule, value);
  }
  if (!isWellFormedUnicode(value)) throw new InvalidEventError(field, WELL_FORMED_RULE, value);
  const segments = value.slice(prefix.length).split("/");
  const badSegment = segments.some((s) => s === "" || s === "." || s === "..");
  // eslint-disable-next-line no-control-regex
  if (badSegment || /[\u0000-\u001f\u007f]/.test(value) || Buffer.byteLength(value, "utf8") > 1024) {
    throw new InvalidEventError(field, `${rule}, at most 1024 bytes, without empty, "." or ".." path segments`, value);
  }
  const lower = value.toLowerCase();
  if (!extensions.some((ext) => lower.endsWith(ext))) throw new InvalidEventError(field, rule, value);
  // Compared as a whole segment: "user-4" does not own "user-45/", and a `user_id` holding "/"
  // cannot be one folder, so it owns no upload.
  if (segments.length < 2 || segments[0] !== userId) {
    throw new InvalidEventError(
      field,
      `must be in the caller's own folder "${prefix}${userId}/" (the folder after "${prefix}" must equal \`user_id\` exactly)`,
      value,
    );
  }
  return value;
}

/** A field name from the event, as a message shows it (invisible characters escaped, at most 64 characters). */
function escapeInvisibleName(name: string): string {
  return escapeInvisible(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}
