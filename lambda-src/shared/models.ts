/**
 * Typed models of the two tables' items, exactly as the design stores them, plus the inputs the three
 * functions pass when they complete a job.
 *
 * Stored vs decoded: `feedback` and `flashcards` are stored as JSON-encoded strings (the design's
 * choice: one String attribute, opaque to DynamoDB); the decoded models hold them parsed.
 *
 * Failures store their reason in `error_message` (a String), an attribute the design leaves open.
 */
import type { Band } from "./bands";

export const EVALUATION_TYPES = ["writing", "speaking"] as const;
/** Which evaluator wrote the record. */
export type EvaluationType = (typeof EVALUATION_TYPES)[number];

export const JOB_STATUSES = ["processing", "completed", "failed"] as const;
/** Lifecycle of a job: `processing` -> `completed` | `failed`, never back. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Parsed evaluation feedback: a JSON object, e.g. `{"strengths": [...], "weaknesses": [...]}`. */
export type EvaluationFeedback = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Evaluations (`DYNAMODB_EVALUATIONS`)

/** Primary key of an evaluation: partition key `evaluation_id`, sort key `user_id`. */
export interface EvaluationKey {
  evaluation_id: string;
  user_id: string;
}

interface EvaluationCommon extends EvaluationKey {
  /** Unix time in seconds (a Number); the history index's sort key. */
  created_at: number;
}

/** Band scores of a writing evaluation. */
export interface WritingBands {
  overall_band: Band;
  task_achievement_band: Band;
  coherence_band: Band;
  lexical_band: Band;
  grammar_band: Band;
}

/** Band scores of a speaking evaluation. */
export interface SpeakingBands {
  overall_band: Band;
  fluency_band: Band;
  lexical_band: Band;
  grammar_band: Band;
  pronunciation_band: Band;
}

/** What the Writing Evaluator passes to complete a job. */
export interface WritingResults extends WritingBands {
  /** JSON-encoded object (stored as is), e.g. `{"strengths":[...],"weaknesses":[...]}`. */
  feedback: string;
  model_used: string;
}

/** What the Speaking Evaluator passes to complete a job. */
export interface SpeakingResults extends SpeakingBands {
  transcript: string;
  /** Seconds as a decimal string, e.g. "120.5" (the design stores a String). */
  duration: string;
  word_count: number;
  /** JSON-encoded object (stored as is). */
  feedback: string;
  model_used: string;
}

/** A job that has started and has no result yet. */
export interface ProcessingEvaluation extends EvaluationCommon {
  evaluation_type: EvaluationType;
  status: "processing";
}

/** A job that failed; `error_message` says why. */
export interface FailedEvaluation extends EvaluationCommon {
  evaluation_type: EvaluationType;
  status: "failed";
  error_message: string;
}

/** A completed writing evaluation; `feedback` parsed. */
export interface CompletedWritingEvaluation extends EvaluationCommon, WritingBands {
  evaluation_type: "writing";
  status: "completed";
  feedback: EvaluationFeedback;
  model_used: string;
}

/** A completed speaking evaluation; `feedback` parsed. */
export interface CompletedSpeakingEvaluation extends EvaluationCommon, SpeakingBands {
  evaluation_type: "speaking";
  status: "completed";
  transcript: string;
  duration: string;
  word_count: number;
  feedback: EvaluationFeedback;
  model_used: string;
}

/** Any record of the evaluations table, decoded. Narrow on `status`, then on `evaluation_type`. */
export type Evaluation =
  | ProcessingEvaluation
  | FailedEvaluation
  | CompletedWritingEvaluation
  | CompletedSpeakingEvaluation;

/** Band attributes per evaluation type; only these are ever written for that type. */
export const WRITING_BAND_FIELDS = [
  "overall_band",
  "task_achievement_band",
  "coherence_band",
  "lexical_band",
  "grammar_band",
] as const satisfies readonly (keyof WritingBands)[];

export const SPEAKING_BAND_FIELDS = [
  "overall_band",
  "fluency_band",
  "lexical_band",
  "grammar_band",
  "pronunciation_band",
] as const satisfies readonly (keyof SpeakingBands)[];

// ---------------------------------------------------------------------------------------------
// Flashcard sets (`DYNAMODB_FLASHCARD_SETS`)

/** Primary key of a flashcard set: partition key `set_id`, sort key `user_id`. */
export interface FlashcardSetKey {
  set_id: string;
  user_id: string;
}

/** One card. */
export interface Flashcard {
  question: string;
  answer: string;
}

interface FlashcardSetCommon extends FlashcardSetKey {
  /** S3 key of the source PDF, e.g. "uploads/documents/user-456/vocab-guide.pdf". */
  document_id: string;
  /** Unix time in seconds (a Number). */
  created_at: number;
}

/** What the Flashcard Generator passes to complete a job; `total_cards` is derived from `flashcards`. */
export interface FlashcardSetResults {
  flashcards: Flashcard[];
  page_count: number;
  chunk_count: number;
}

export interface ProcessingFlashcardSet extends FlashcardSetCommon {
  status: "processing";
}

export interface FailedFlashcardSet extends FlashcardSetCommon {
  status: "failed";
  error_message: string;
}

/** A completed set; `flashcards` parsed. */
export interface CompletedFlashcardSet extends FlashcardSetCommon {
  status: "completed";
  flashcards: Flashcard[];
  total_cards: number;
  page_count: number;
  chunk_count: number;
}

/** Any record of the flashcard sets table, decoded. */
export type FlashcardSet = ProcessingFlashcardSet | FailedFlashcardSet | CompletedFlashcardSet;
