/**
 * Checks a model's JSON answer before anything from it is stored. The response schema constrains
 * the model, but the API does not guarantee it (and a proxy or a model change may not honour it):
 * every field is read through these helpers, which throw `MalformedModelAnswerError` naming the
 * field, the rule and the value, e.g.
 *   the model's answer is malformed: `overall_band` must be a band from 0.0 to 9.0 in steps of 0.5
 *   written with one decimal, like "6.5"; got "9.7"
 * A value is quoted only when it is a number or a short token like that; any other text of the
 * answer (a transcript, feedback, a card) is described by its length and a short hash: the message
 * is stored as `error_message` and logged, and the answer's text is the user's (their speech, their
 * document) or the model's.
 */
import { BAND_RULE, BANDS, bandFromNumber, isBand, overallBand, type Band } from "../shared/bands";
import { describeUntrusted } from "../shared/errors";
import type { Logger } from "../shared/job";
import type { EvaluationKey } from "../shared/models";
import type { ResponseSchema } from "./model-client";

/** An answer that does not have the shape the caller asked for. */
export class MalformedModelAnswerError extends Error {
  constructor(readonly field: string, rule: string, value: unknown) {
    super(`the model's answer is malformed: \`${field}\` ${rule}; got ${describeUntrusted(value)}`);
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

/**
 * The overall band of an answer with four criteria bands (`criteria`, read with `answerBand`): the
 * IELTS rule's (`overallBand`). The model's own `overall_band` must be within half a band of it:
 * then the rule's is kept (`modelBand` says what the model wrote, for a log line), since a model
 * rounds wrongly at times while its four criteria are the assessment; further off, the answer
 * contradicts itself (9.0 overall over four 1.0 criteria) and neither number can be trusted: the
 * answer is refused.
 */
export function answerOverallBand(answer: Record<string, unknown>, criteria: readonly string[]): { band: Band; modelBand: Band } {
  const bands = criteria.map((field) => answerBand(answer, field));
  const modelBand = answerBand(answer, "overall_band");
  const band = overallBand(bands);
  if (Math.abs(Number(band) - Number(modelBand)) > 0.5) {
    throw new MalformedModelAnswerError(
      "overall_band",
      `must be the mean of the four criteria rounded to the nearest half band as IELTS rounds it (${band} from ${bands.join(", ")}), or within half a band of it`,
      answer.overall_band,
    );
  }
  return { band, modelBand };
}

/** The log line of an overall band the IELTS rule corrected (both evaluators). */
export function logOverallRecomputed(log: Logger, key: EvaluationKey, modelBand: Band, band: Band): void {
  log("warn", "the model's overall band differs from the IELTS rule; stored the rule's", { job: `evaluation ${JSON.stringify(key)}`, modelBand, band });
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
