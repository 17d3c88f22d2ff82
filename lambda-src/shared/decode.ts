/**
 * Turns stored items back into the typed models, checking every attribute: a record that a bug or a
 * hand edit broke surfaces as a `MalformedItemError` naming the attribute, instead of as `undefined`
 * somewhere in a handler. An attribute of the table's records that does not belong to this record's
 * type and status (e.g. a `fluency_band` on a writing evaluation, a band on a `processing` record)
 * is rejected too: the write side never produces it.
 *
 * Attributes the code does not know at all (a `ttl`, an attribute added by hand to an adopted table)
 * are ignored: left out of the decoded record, and kept in the table (writers only SET what they
 * change). The lifecycle attributes (`input_hash`, the lease, `recorded_by`) are checked and left out.
 */
import type { Band } from "./bands";
import { MalformedItemError } from "./errors";
import { LIFECYCLE_ATTRIBUTES } from "../contract/table-definitions";
import {
  SPEAKING_BAND_FIELDS,
  WRITING_BAND_FIELDS,
  type CompletedSpeakingEvaluation,
  type CompletedWritingEvaluation,
  type Evaluation,
  type EvaluationFeedback,
  type EvaluationType,
  type Flashcard,
  type FlashcardSet,
  type JobStatus,
} from "./models";
import {
  checkBand,
  checkCreatedAt,
  checkDuration,
  checkEvaluationType,
  checkFlashcards,
  checkId,
  checkNonEmptyString,
  checkNonNegativeInteger,
  checkStatus,
  checkString,
  FEEDBACK_RULE,
  fieldMessage,
  parseFeedback,
  PARTITION_KEY_MAX_BYTES,
  SORT_KEY_MAX_BYTES,
} from "./validation";

type Check = (value: unknown) => string | undefined;

/** Reads one item's attributes, failing with the item's identity and the attribute's name. */
class ItemReader {
  constructor(
    private readonly item: Record<string, unknown>,
    private readonly label: string,
  ) {}

  fail(field: string, rule: string, value: unknown): never {
    throw new MalformedItemError(field, `malformed ${this.label}: ${fieldMessage(field, rule, value)}`);
  }

  read(field: string, check: Check): unknown {
    const value = this.item[field];
    const problem = check(value);
    if (problem !== undefined) this.fail(field, problem, value);
    return value;
  }

  string(field: string, check: Check = checkNonEmptyString): string {
    return this.read(field, check) as string;
  }

  number(field: string, check: Check): number {
    return this.read(field, check) as number;
  }

  band(field: string): Band {
    return this.read(field, checkBand) as Band;
  }

  feedback(field: string): EvaluationFeedback {
    const value = this.item[field];
    const parsed = parseFeedback(value);
    if (parsed === undefined) this.fail(field, FEEDBACK_RULE, value);
    return parsed;
  }

  /**
   * Rejects any attribute of `known` (the table's attributes) outside `allowed`; checks the
   * lifecycle attributes; ignores the rest.
   */
  only(allowed: readonly string[], known: ReadonlySet<string>, what: string): void {
    for (const name of Object.keys(this.item)) {
      if (known.has(name) && !allowed.includes(name)) this.fail(name, `does not belong to ${what}`, this.item[name]);
    }
    this.read(LIFECYCLE_ATTRIBUTES.inputHash, optional(checkNonEmptyString));
    this.read(LIFECYCLE_ATTRIBUTES.leaseHolder, optional(checkNonEmptyString));
    this.read(LIFECYCLE_ATTRIBUTES.leaseExpiresAtMs, optional(checkNonNegativeInteger));
    this.read(LIFECYCLE_ATTRIBUTES.recordedBy, optional(checkNonEmptyString));
  }
}

const optional = (check: Check): Check => (value) => (value === undefined ? undefined : check(value));

function asObject(item: unknown, kind: string): Record<string, unknown> {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new MalformedItemError("item", `malformed ${kind} item: \`item\` must be an object; got ${JSON.stringify(item) ?? String(item)}`);
  }
  return item as Record<string, unknown>;
}

const identity = (item: Record<string, unknown>, fields: readonly string[]): string =>
  fields.map((f) => `${f} ${JSON.stringify(item[f]) ?? "undefined"}`).join(", ");

const EVALUATION_COMMON = ["evaluation_id", "user_id", "evaluation_type", "status", "created_at"] as const;
const WRITING_COMPLETED = [...EVALUATION_COMMON, ...WRITING_BAND_FIELDS, "feedback", "model_used"];
const SPEAKING_COMPLETED = [
  ...EVALUATION_COMMON,
  ...SPEAKING_BAND_FIELDS,
  "transcript",
  "duration",
  "word_count",
  "feedback",
  "model_used",
];
/** Every attribute an evaluation record of any type and status can have (lifecycle ones aside). */
const EVALUATION_KNOWN: ReadonlySet<string> = new Set([...WRITING_COMPLETED, ...SPEAKING_COMPLETED, "error_message"]);

/** Decodes an evaluations-table item (as the document client returns it) into an `Evaluation`. */
export function decodeEvaluation(raw: unknown): Evaluation {
  const item = asObject(raw, "evaluation");
  const r = new ItemReader(item, `evaluation item (${identity(item, ["evaluation_id", "user_id"])})`);
  const common = {
    evaluation_id: r.string("evaluation_id", (v) => checkId(v, PARTITION_KEY_MAX_BYTES)),
    user_id: r.string("user_id", (v) => checkId(v, SORT_KEY_MAX_BYTES)),
    created_at: r.number("created_at", checkCreatedAt),
  };
  const evaluation_type = r.read("evaluation_type", checkEvaluationType) as EvaluationType;
  const status = r.read("status", checkStatus) as JobStatus;

  if (status === "processing") {
    r.only(EVALUATION_COMMON, EVALUATION_KNOWN, "a processing evaluation");
    return { ...common, evaluation_type, status };
  }
  if (status === "failed") {
    r.only([...EVALUATION_COMMON, "error_message"], EVALUATION_KNOWN, "a failed evaluation");
    return { ...common, evaluation_type, status, error_message: r.string("error_message") };
  }
  if (evaluation_type === "writing") {
    r.only(WRITING_COMPLETED, EVALUATION_KNOWN, "a completed writing evaluation");
    const writing: CompletedWritingEvaluation = {
      ...common,
      evaluation_type,
      status,
      overall_band: r.band("overall_band"),
      task_achievement_band: r.band("task_achievement_band"),
      coherence_band: r.band("coherence_band"),
      lexical_band: r.band("lexical_band"),
      grammar_band: r.band("grammar_band"),
      feedback: r.feedback("feedback"),
      model_used: r.string("model_used"),
    };
    return writing;
  }
  r.only(SPEAKING_COMPLETED, EVALUATION_KNOWN, "a completed speaking evaluation");
  const speaking: CompletedSpeakingEvaluation = {
    ...common,
    evaluation_type,
    status,
    overall_band: r.band("overall_band"),
    fluency_band: r.band("fluency_band"),
    lexical_band: r.band("lexical_band"),
    grammar_band: r.band("grammar_band"),
    pronunciation_band: r.band("pronunciation_band"),
    transcript: r.string("transcript", checkString),
    duration: r.string("duration", checkDuration),
    word_count: r.number("word_count", checkNonNegativeInteger),
    feedback: r.feedback("feedback"),
    model_used: r.string("model_used"),
  };
  return speaking;
}

const FLASHCARD_COMMON = ["set_id", "user_id", "document_id", "status", "created_at"] as const;
const FLASHCARD_COMPLETED = [...FLASHCARD_COMMON, "flashcards", "total_cards", "page_count", "chunk_count"];
/** Every attribute a flashcard set record can have (lifecycle ones aside). */
const FLASHCARD_KNOWN: ReadonlySet<string> = new Set([...FLASHCARD_COMPLETED, "error_message"]);

/** Decodes a flashcard-sets-table item into a `FlashcardSet` (`flashcards` parsed and checked). */
export function decodeFlashcardSet(raw: unknown): FlashcardSet {
  const item = asObject(raw, "flashcard set");
  const r = new ItemReader(item, `flashcard set item (${identity(item, ["set_id", "user_id"])})`);
  const common = {
    set_id: r.string("set_id", (v) => checkId(v, PARTITION_KEY_MAX_BYTES)),
    user_id: r.string("user_id", (v) => checkId(v, SORT_KEY_MAX_BYTES)),
    document_id: r.string("document_id", (v) => checkId(v, SORT_KEY_MAX_BYTES)),
    created_at: r.number("created_at", checkCreatedAt),
  };
  const status = r.read("status", checkStatus) as JobStatus;

  if (status === "processing") {
    r.only(FLASHCARD_COMMON, FLASHCARD_KNOWN, "a processing flashcard set");
    return { ...common, status };
  }
  if (status === "failed") {
    r.only([...FLASHCARD_COMMON, "error_message"], FLASHCARD_KNOWN, "a failed flashcard set");
    return { ...common, status, error_message: r.string("error_message") };
  }
  r.only(FLASHCARD_COMPLETED, FLASHCARD_KNOWN, "a completed flashcard set");
  const text = item.flashcards;
  let cards: unknown;
  try {
    cards = typeof text === "string" ? JSON.parse(text) : undefined;
  } catch {
    cards = undefined;
  }
  if (cards === undefined) r.fail("flashcards", "must be a string holding a JSON array of {question, answer}", text);
  const problem = checkFlashcards(cards);
  if (problem) r.fail(problem.field, problem.rule, problem.value);
  const flashcards = cards as Flashcard[];
  const total_cards = r.number("total_cards", checkNonNegativeInteger);
  if (total_cards !== flashcards.length) {
    r.fail("total_cards", `must equal the number of stored flashcards (${flashcards.length})`, total_cards);
  }
  return {
    ...common,
    status,
    flashcards,
    total_cards,
    page_count: r.number("page_count", checkNonNegativeInteger),
    chunk_count: r.number("chunk_count", checkNonNegativeInteger),
  };
}
