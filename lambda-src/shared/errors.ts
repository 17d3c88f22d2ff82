/**
 * Error classes of the Lambda data layer. Handlers tell them apart with `instanceof` (or `name`):
 * a caller mistake (`InvalidInputError`, never retried), a record that broke an invariant on read
 * (`MalformedItemError`), a job transition that the table refused (`RecordNotFoundError`,
 * `StatusTransitionError`, `LeaseLostError`, `EvaluationTypeMismatchError`) and a deployment mistake
 * (`ConfigurationError`). AWS SDK errors (throttling after retries, timeouts) pass through unchanged.
 *
 * Plain TypeScript: no SDK import, so the module is cheap to bundle and to use in tests.
 */
import { createHash } from "node:crypto";

/** Base class of every error this layer throws itself. */
export class DataLayerError extends Error {
  // Spelled out: minified bundles rename classes, and handlers and logs read `name`.
  override readonly name: string = "DataLayerError";

  constructor(message: string) {
    super(message);
  }
}

/** A missing or empty environment variable; thrown at cold start. `variable` names it. */
export class ConfigurationError extends DataLayerError {
  override readonly name: string = "ConfigurationError";

  constructor(readonly variable: string, message: string) {
    super(message);
  }
}

/**
 * Input that fails validation before any request is sent: nothing was written. `field` is the
 * attribute (or option) at fault, e.g. `overall_band`, `flashcards[2].answer`, `nextToken`, `item`.
 */
export class InvalidInputError extends DataLayerError {
  override readonly name: string = "InvalidInputError";

  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** The item that a write would produce is over DynamoDB's 400 KB limit; nothing was written. */
export class ItemTooLargeError extends InvalidInputError {
  override readonly name: string = "ItemTooLargeError";

  constructor(readonly sizeBytes: number, readonly limitBytes: number, message: string) {
    super("item", message);
  }
}

/** A stored item that does not decode into the typed model (wrong type, unknown status, bad JSON, ...). */
export class MalformedItemError extends DataLayerError {
  override readonly name: string = "MalformedItemError";

  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Which table a record lives in, for error messages. */
export type RecordKind = "evaluation" | "flashcard set";

/** A transition (complete / fail) on a record that does not exist; nothing was written. */
export class RecordNotFoundError extends DataLayerError {
  override readonly name: string = "RecordNotFoundError";

  constructor(readonly kind: RecordKind, readonly key: Readonly<Record<string, string>>, message: string) {
    super(message);
  }
}

/**
 * A transition from a status other than `processing` (a second completion, a failure after a
 * completion, ...); nothing was written. `currentStatus` is the status found in the table.
 */
export class StatusTransitionError extends DataLayerError {
  override readonly name: string = "StatusTransitionError";

  constructor(
    readonly kind: RecordKind,
    readonly key: Readonly<Record<string, string>>,
    readonly currentStatus: string,
    readonly targetStatus: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An outcome (complete / fail) from an attempt that no longer holds the job: its lease passed and
 * another delivery took the job over. Nothing was written; the job is the new holder's.
 */
export class LeaseLostError extends DataLayerError {
  override readonly name: string = "LeaseLostError";

  constructor(
    readonly kind: RecordKind,
    readonly key: Readonly<Record<string, string>>,
    readonly holder: string,
    readonly currentHolder: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Completing a `speaking` evaluation with writing results, or the reverse; nothing was written. */
export class EvaluationTypeMismatchError extends DataLayerError {
  override readonly name: string = "EvaluationTypeMismatchError";

  constructor(
    readonly key: Readonly<Record<string, string>>,
    readonly expectedType: string,
    readonly actualType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Characters that do not show, or reorder what follows, in a log viewer: controls (Cc), format
 * characters (Cf: zero-width spaces and joiners, the bidirectional marks, embeddings, overrides and
 * isolates, the BOM, soft hyphen, tags), line and paragraph separators (Zl, Zp) and the other
 * default-ignorable code points (Hangul fillers, variation selectors, the combining grapheme joiner).
 */
export const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

/** `text` with every invisible character written as its `\uXXXX` escape, so a message shows it. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Renders a rejected value for an error message: JSON-ish, invisible characters escaped, and short even for a 400 KB string. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) {
    text = "undefined";
  } else if (typeof value === "bigint") {
    text = `${value}n`;
  } else if (typeof value === "function") {
    text = "a function";
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = escapeInvisible(text);
  const max = 80;
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** 12 hex digits of SHA-256 of `text`: enough to tell two texts apart in logs, too short to be a fingerprint. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12);
}

/**
 * Describes text that must not be quoted (an essay, a prompt, a transcript, a model's answer, a
 * response body): its length and a short hash, e.g. `a string of 512 characters (sha256 1f0c9a6b2e47…)`.
 */
export function describeText(text: string): string {
  return `a string of ${text.length} characters (sha256 ${shortHash(text)}…)`;
}

/**
 * Describes a value taken from user input or a model's answer without quoting its text: numbers,
 * booleans and null as they are, a short token (a band like "9.7", a word like "seven") quoted,
 * any other string by `describeText`, an array or object by its kind and size.
 */
export function describeUntrusted(value: unknown): string {
  if (value === undefined || value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    return /^-?[0-9.]{1,6}$/.test(value) || /^[A-Za-z]{1,12}$/.test(value) ? JSON.stringify(value) : describeText(value);
  }
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "object") return `an object with ${Object.keys(value).length} field${Object.keys(value).length === 1 ? "" : "s"}`;
  return `a ${typeof value}`;
}
