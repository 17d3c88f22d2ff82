/**
 * Checks a model's JSON answer before anything from it is stored. The response schema constrains
 * the model, but the API does not guarantee it (and a proxy or a model change may not honour it):
 * every field is read through these helpers, which throw `MalformedModelAnswerError` naming the
 * field, the rule and the value, e.g.
 *   the model's answer is malformed: `overall_band` must be a band from 0.0 to 9.0 in steps of 0.5
 *   written with one decimal, like "6.5"; got "9.7"
 */
import { BAND_RULE, BANDS, bandFromNumber, isBand, type Band } from "../shared/bands";
import { describeValue } from "../shared/errors";
import type { ResponseSchema } from "./model-client";

/** An answer that does not have the shape the caller asked for. */
export class MalformedModelAnswerError extends Error {
  constructor(readonly field: string, rule: string, value: unknown) {
    super(`the model's answer is malformed: \`${field}\` ${rule}; got ${describeValue(value)}`);
    this.name = "MalformedModelAnswerError";
  }
}

/** Requires a JSON object. */
export function answerObject(value: unknown, field = "answer"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MalformedModelAnswerError(field, "must be a JSON object", value);
  }
  return value as Record<string, unknown>;
}

/**
 * A band: the string form ("6.5", as the schema asks) or a number on the scale (6.5, 7). Anything
 * else ("9.7", 10, "seven", missing) is rejected, never rounded.
 */
export function answerBand(answer: Record<string, unknown>, field: string): Band {
  const value = answer[field];
  if (isBand(value)) return value;
  if (typeof value === "number") {
    const band = bandFromNumber(value);
    if (band !== undefined) return band;
  }
  if (typeof value === "string" && /^\d(\.\d)?$/.test(value.trim())) {
    const band = bandFromNumber(Number(value.trim()));
    if (band !== undefined) return band;
  }
  throw new MalformedModelAnswerError(field, `must be ${BAND_RULE}`, value);
}

/** A non-empty string of at most `maxLength` characters (trimmed). */
export function answerText(answer: Record<string, unknown>, field: string, maxLength: number): string {
  const value = answer[field];
  if (typeof value !== "string" || value.trim() === "") {
    throw new MalformedModelAnswerError(field, "must be a non-empty string", value);
  }
  const text = value.trim();
  if (text.length > maxLength) {
    throw new MalformedModelAnswerError(field, `must be at most ${maxLength} characters`, value);
  }
  return text;
}

/** A non-negative finite number. */
export function answerNonNegativeNumber(answer: Record<string, unknown>, field: string): number {
  const value = answer[field];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new MalformedModelAnswerError(field, "must be a non-negative number", value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Schema pieces shared by the evaluators.

/** A band in the response schema: one of the 19 band strings, so the model cannot invent "9.7". */
export const BAND_SCHEMA: ResponseSchema = { type: "STRING", enum: BANDS };

const FEEDBACK_LIST: ResponseSchema = { type: "ARRAY", items: { type: "STRING" }, maxItems: 6 };

/** Feedback limits: per list and per item. */
export const FEEDBACK_MAX_ITEMS = 10;
export const FEEDBACK_MAX_ITEM_LENGTH = 1_000;

/** `{strengths, weaknesses, suggestions}`: three lists of short sentences. */
export const FEEDBACK_SCHEMA: ResponseSchema = {
  type: "OBJECT",
  properties: { strengths: FEEDBACK_LIST, weaknesses: FEEDBACK_LIST, suggestions: FEEDBACK_LIST },
  required: ["strengths", "weaknesses", "suggestions"],
  propertyOrdering: ["strengths", "weaknesses", "suggestions"],
};

/** Reads `feedback` and returns it as the JSON string the table stores (exactly the three lists). */
export function answerFeedback(answer: Record<string, unknown>, field = "feedback"): string {
  const feedback = answerObject(answer[field], field);
  const lists: Record<string, string[]> = {};
  for (const name of ["strengths", "weaknesses", "suggestions"]) {
    const value = feedback[name];
    if (!Array.isArray(value)) throw new MalformedModelAnswerError(`${field}.${name}`, "must be an array of strings", value);
    if (value.length > FEEDBACK_MAX_ITEMS) {
      throw new MalformedModelAnswerError(`${field}.${name}`, `must hold at most ${FEEDBACK_MAX_ITEMS} items`, value);
    }
    lists[name] = value.map((item: unknown, i) => {
      if (typeof item !== "string" || item.trim() === "") {
        throw new MalformedModelAnswerError(`${field}.${name}[${i}]`, "must be a non-empty string", item);
      }
      if (item.length > FEEDBACK_MAX_ITEM_LENGTH) {
        throw new MalformedModelAnswerError(`${field}.${name}[${i}]`, `must be at most ${FEEDBACK_MAX_ITEM_LENGTH} characters`, item);
      }
      return item.trim();
    });
  }
  return JSON.stringify(lists);
}
