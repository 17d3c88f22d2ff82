/**
 * Field rules shared by the write-side validation (which throws `InvalidInputError` before any
 * request) and the decoder (which throws `MalformedItemError` on read). Each `check*` returns
 * undefined when the value is fine, else the rule it broke; `fieldMessage` turns that into the one
 * message format used everywhere: "`field` <rule>; got <value>".
 */
import { BAND_RULE, isBand, type Band } from "./bands";
import { describeValue, INVISIBLE_CHARACTERS, InvalidInputError, ItemTooLargeError } from "./errors";
import { itemSizeBytes, MAX_ITEM_SIZE_BYTES } from "./item-size";
import {
  EVALUATION_TYPES,
  JOB_STATUSES,
  type EvaluationFeedback,
  type EvaluationType,
  type Flashcard,
  type JobStatus,
} from "./models";
import type { TableDefinition } from "../contract/table-definitions";
import { isWellFormedUnicode, WELL_FORMED_RULE } from "./text";

/** DynamoDB's limits on key values: 2048 bytes for a partition key, 1024 for a sort key. */
export const PARTITION_KEY_MAX_BYTES = 2048;
export const SORT_KEY_MAX_BYTES = 1024;
/** `created_at` above this is almost surely milliseconds (Date.now()) rather than seconds. */
export const MAX_UNIX_SECONDS = 9_999_999_999;

/** The one message format of this layer. */
export function fieldMessage(field: string, rule: string, value: unknown): string {
  return `\`${field}\` ${rule}; got ${describeValue(value)}`;
}

const quoted = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(", ");

export function checkId(value: unknown, maxBytes: number): string | undefined {
  const rule = `must be a non-empty string of at most ${maxBytes} UTF-8 bytes`;
  if (typeof value !== "string" || value.length === 0) return rule;
  if (!isWellFormedUnicode(value)) return WELL_FORMED_RULE;
  return Buffer.byteLength(value, "utf8") > maxBytes ? rule : undefined;
}

export function checkBand(value: unknown): string | undefined {
  return isBand(value) ? undefined : `must be ${BAND_RULE}`;
}

export function checkEvaluationType(value: unknown): string | undefined {
  return (EVALUATION_TYPES as readonly unknown[]).includes(value) ? undefined : `must be one of ${quoted(EVALUATION_TYPES)}`;
}

export function checkStatus(value: unknown): string | undefined {
  return (JOB_STATUSES as readonly unknown[]).includes(value) ? undefined : `must be one of ${quoted(JOB_STATUSES)}`;
}

export function checkCreatedAt(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_UNIX_SECONDS
    ? undefined
    : `must be Unix time in whole seconds (an integer from 0 to ${MAX_UNIX_SECONDS})`;
}

export function checkNonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim().length > 0 ? undefined : "must be a non-empty string";
}

export function checkString(value: unknown): string | undefined {
  return typeof value === "string" ? undefined : "must be a string";
}

export function checkNonNegativeInteger(value: unknown): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : "must be a non-negative integer";
}

/** "120.5", "95", "0.25": a non-negative decimal number of seconds, as a string. */
export function checkDuration(value: unknown): string | undefined {
  return typeof value === "string" && /^(0|[1-9]\d*)(\.\d+)?$/.test(value)
    ? undefined
    : 'must be a duration in seconds written as a decimal string, like "120.5"';
}

export const FEEDBACK_RULE = 'must be a string holding a JSON object, like "{\\"strengths\\":[],\\"weaknesses\\":[]}"';

/** Parses feedback text; returns the object, or undefined when it is not JSON or not an object. */
export function parseFeedback(value: unknown): EvaluationFeedback | undefined {
  if (typeof value !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as EvaluationFeedback) : undefined;
}

/** Checks a flashcard list; returns the offending field (e.g. `flashcards[2].answer`) and rule. */
export function checkFlashcards(value: unknown, field = "flashcards"): { field: string; rule: string; value: unknown } | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    return { field, rule: "must be a non-empty array of {question, answer}", value };
  }
  for (let i = 0; i < value.length; i++) {
    const card: unknown = value[i];
    if (typeof card !== "object" || card === null || Array.isArray(card)) {
      return { field: `${field}[${i}]`, rule: "must be an object {question, answer}", value: card };
    }
    const extra = Object.keys(card).find((k) => k !== "question" && k !== "answer");
    if (extra !== undefined) {
      return { field: `${field}[${i}].${extra}`, rule: "is not a flashcard attribute (only `question` and `answer`)", value: (card as Record<string, unknown>)[extra] };
    }
    for (const part of ["question", "answer"] as const) {
      const text = (card as Record<string, unknown>)[part];
      const rule = checkNonEmptyString(text);
      if (rule) return { field: `${field}[${i}].${part}`, rule, value: text };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Throwing helpers for the write side.

/** Throws `InvalidInputError` when `problem` is set. */
export function ensure(field: string, value: unknown, problem: string | undefined): void {
  if (problem !== undefined) throw new InvalidInputError(field, fieldMessage(field, problem, value));
}

export function ensureBand(field: string, value: unknown): Band {
  ensure(field, value, checkBand(value));
  return value as Band;
}

export function ensureEvaluationType(field: string, value: unknown): EvaluationType {
  ensure(field, value, checkEvaluationType(value));
  return value as EvaluationType;
}

export function ensureStatus(field: string, value: unknown): JobStatus {
  ensure(field, value, checkStatus(value));
  return value as JobStatus;
}

export function ensureFeedback(field: string, value: unknown): string {
  ensure(field, value, parseFeedback(value) === undefined ? FEEDBACK_RULE : undefined);
  return value as string;
}

export function ensureFlashcards(value: unknown): Flashcard[] {
  const problem = checkFlashcards(value);
  if (problem) ensure(problem.field, problem.value, problem.rule);
  // Copy only the two known attributes, so the stored JSON is exactly [{question, answer}, ...].
  return (value as Flashcard[]).map((card) => ({ question: card.question, answer: card.answer }));
}

/** Requires `input` to be a plain object before its fields are read. */
export function ensureObject(field: string, value: unknown): Record<string, unknown> {
  ensure(field, value, typeof value === "object" && value !== null && !Array.isArray(value) ? undefined : "must be an object");
  return value as Record<string, unknown>;
}

/**
 * Refuses an item whose size (names + values, as DynamoDB counts) plus `allowanceBytes` is over
 * 400 KB. The allowance covers attributes already stored that an UpdateItem keeps but does not send.
 */
export function ensureItemSize(item: Readonly<Record<string, unknown>>, allowanceBytes = 0): void {
  const size = itemSizeBytes(item) + allowanceBytes;
  if (size > MAX_ITEM_SIZE_BYTES) {
    throw new ItemTooLargeError(
      size,
      MAX_ITEM_SIZE_BYTES,
      `\`item\` must be at most ${MAX_ITEM_SIZE_BYTES} bytes (DynamoDB's 400 KB item limit, attribute names included); got ${size} bytes`,
    );
  }
}

/** Rejects any property of `input` outside `allowed`: a field that does not belong is never written. */
export function ensureOnly(input: Readonly<Record<string, unknown>>, allowed: readonly string[], what: string): void {
  for (const name of Object.keys(input)) {
    if (!allowed.includes(name)) ensure(name, input[name], `does not belong to ${what}`);
  }
}

export const VISIBLE_ID_RULE =
  "must not hold control, format (invisible, bidirectional), line or paragraph separator or other default-ignorable characters";

/** An id the write side accepts: `checkId`, and nothing invisible (a key that looks like another one). */
export function checkVisibleId(value: unknown, maxBytes: number): string | undefined {
  const problem = checkId(value, maxBytes);
  if (problem !== undefined) return problem;
  INVISIBLE_CHARACTERS.lastIndex = 0;
  return INVISIBLE_CHARACTERS.test(value as string) ? VISIBLE_ID_RULE : undefined;
}

/**
 * Validates a record key of `definition`'s table and returns it as the table's key attributes. Keys
 * with invisible characters are refused here (the readers' decoder accepts what is stored).
 */
export function ensureKey(definition: TableDefinition, key: unknown): Record<string, string> {
  const input = ensureObject("key", key);
  const partitionKey = definition.partitionKey.name;
  const sortKey = definition.sortKey.name;
  ensure(partitionKey, input[partitionKey], checkVisibleId(input[partitionKey], PARTITION_KEY_MAX_BYTES));
  ensure(sortKey, input[sortKey], checkVisibleId(input[sortKey], SORT_KEY_MAX_BYTES));
  return { [partitionKey]: input[partitionKey] as string, [sortKey]: input[sortKey] as string };
}
