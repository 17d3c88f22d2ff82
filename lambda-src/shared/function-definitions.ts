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
  /** Default timeout in seconds (the model call dominates it). */
  readonly defaultTimeoutSeconds: number;
}

export const WRITING_EVALUATOR: FunctionDefinition = {
  kind: "writing-evaluator",
  baseName: "bandup-writing-evaluator",
  entry: "writing-evaluator/index.ts",
  table: "evaluations",
  defaultMemoryMb: 512,
  defaultTimeoutSeconds: 120,
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
};

/** The three functions, in a stable order. */
export const FUNCTION_DEFINITIONS: readonly FunctionDefinition[] = [WRITING_EVALUATOR, SPEAKING_EVALUATOR, FLASHCARD_GENERATOR];
