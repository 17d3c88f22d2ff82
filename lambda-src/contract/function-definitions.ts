/**
 * The three Lambda functions of the design: names, entry points, the table each one owns, the S3
 * prefix it reads, and the environment variables the stack sets and the handlers read. Plain
 * TypeScript (no cdktf, no SDK): the infrastructure and the Lambda code both import it, so a variable
 * name is written once.
 */
import { TableKind } from "./table-definitions";

export type FunctionKind = "writing-evaluator" | "speaking-evaluator" | "flashcard-generator";

/** Environment variables the handlers read, besides the table variable of table-definitions.ts. */
export const FUNCTION_ENVIRONMENT = {
  /** Model id sent to the Gemini `generateContent` API and stored as `model_used`. */
  modelId: "MODEL_ID",
  /** Name of the SSM SecureString parameter that holds the model API key. */
  modelApiKeyParameter: "MODEL_API_KEY_PARAMETER",
  /** Bucket of the uploads (audio for the Speaking Evaluator, PDFs for the Flashcard Generator). */
  uploadsBucket: "UPLOADS_BUCKET",
  /**
   * The function's timeout in whole seconds, as deployed: the longest lease an attempt takes (Lambda
   * tells a handler its remaining time, never its timeout).
   */
  timeoutSeconds: "FUNCTION_TIMEOUT_SECONDS",
} as const;

export interface FunctionDefinition {
  readonly kind: FunctionKind;
  /** Function name in prod; other environments append `-<env>`. */
  readonly baseName: string;
  /** Entry module, relative to lambda-src/; it exports `handler`. */
  readonly entry: string;
  /** The one table the function reads and writes. */
  readonly table: TableKind;
  /** Key prefix in the uploads bucket that the function reads (`s3:GetObject`), when it reads S3. */
  readonly uploadsPrefix?: string;
  /**
   * npm packages shipped in a Lambda layer instead of the function's zip (left `external` in the
   * bundle), for dependencies too large to bundle.
   */
  readonly layerPackages?: readonly string[];
  /** Default memory in MB. */
  readonly defaultMemoryMb: number;
  /** Default timeout in seconds (the model calls dominate it); at least `minimumTimeoutSeconds(definition)`. */
  readonly defaultTimeoutSeconds: number;
  /**
   * Cap of one model call in ms, its one retry included (the Gemini client retries inside this
   * budget). The invocation's deadline may cut a call shorter, never longer.
   */
  readonly modelCallTimeoutMs: number;
  /**
   * Time kept back from the invocation's remaining time, in ms, to record the job's outcome
   * (`completed` or `failed`) after the work: the work's deadline is the remaining time less this.
   */
  readonly outcomeReserveMs: number;
  /**
   * Most model calls one job makes.
   * @default 1
   */
  readonly maxModelCalls?: number;
  /**
   * Model calls in flight at once when a job makes several.
   * @default 1
   */
  readonly modelCallConcurrency?: number;
}

/** Rounds of model calls one job may need: its calls, `modelCallConcurrency` at a time. */
export function modelCallRounds(definition: FunctionDefinition): number {
  return Math.ceil((definition.maxModelCalls ?? 1) / (definition.modelCallConcurrency ?? 1));
}

/**
 * The shortest Lambda timeout, in whole seconds, with which the handler's own deadline arithmetic
 * never cuts a model call below its cap: every round of model calls (`modelCallRounds`) can use its
 * full `modelCallTimeoutMs`, and `outcomeReserveMs` is still left to record the outcome, i.e.
 * `ceil((rounds x modelCallTimeoutMs + outcomeReserveMs) / 1000)`.
 *
 * It does not cover the steps before and between the model calls (the SSM read of the API key, the
 * start write, the S3 read, PDF parsing): they are short, and they come out of the model calls'
 * time (the deadline cuts the last call shorter), never out of the outcome's reserve. A shorter
 * timeout still works, with model calls cut shorter than their cap.
 */
export function minimumTimeoutSeconds(definition: FunctionDefinition): number {
  return Math.ceil((modelCallRounds(definition) * definition.modelCallTimeoutMs + definition.outcomeReserveMs) / 1000);
}

export const WRITING_EVALUATOR: FunctionDefinition = {
  kind: "writing-evaluator",
  baseName: "bandup-writing-evaluator",
  entry: "writing-evaluator/index.ts",
  table: "evaluations",
  defaultMemoryMb: 512,
  defaultTimeoutSeconds: 120,
  // Banding one essay: a single call, answered in seconds; 90 s covers a slow answer and its retry.
  modelCallTimeoutMs: 90_000,
  // A DynamoDB write takes milliseconds; 10 s covers the client's retries of a throttled one.
  outcomeReserveMs: 10_000,
};

export const SPEAKING_EVALUATOR: FunctionDefinition = {
  kind: "speaking-evaluator",
  baseName: "bandup-speaking-evaluator",
  entry: "speaking-evaluator/index.ts",
  table: "evaluations",
  uploadsPrefix: "uploads/audio/",
  // Audio is sent inline to the model: more memory for the base64 copy, and a longer model call.
  defaultMemoryMb: 1024,
  defaultTimeoutSeconds: 180,
  // Up to 14 MiB of audio inline: the upload and the transcription take longer than an essay.
  modelCallTimeoutMs: 150_000,
  outcomeReserveMs: 10_000,
};

export const FLASHCARD_GENERATOR: FunctionDefinition = {
  kind: "flashcard-generator",
  baseName: "bandup-flashcard-generator",
  entry: "flashcard-generator/index.ts",
  table: "flashcard-sets",
  uploadsPrefix: "uploads/documents/",
  // PDF.js (through unpdf) is ~0.5 MB zipped: in a layer, the function's zip stays small.
  layerPackages: ["unpdf"],
  // PDF parsing and one model call per chunk.
  defaultMemoryMb: 1024,
  defaultTimeoutSeconds: 300,
  // One call per chunk of the document's text, a few at a time; `maxModelCalls` bounds the chunks.
  modelCallTimeoutMs: 60_000,
  outcomeReserveMs: 10_000,
  maxModelCalls: 10,
  modelCallConcurrency: 3,
};

/** The three functions, in a stable order. */
export const FUNCTION_DEFINITIONS: readonly FunctionDefinition[] = [WRITING_EVALUATOR, SPEAKING_EVALUATOR, FLASHCARD_GENERATOR];
