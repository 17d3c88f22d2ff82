/**
 * The port through which the three functions reach a generative model: one call, "answer this
 * request with JSON that follows this schema". The handlers depend on this interface only; the
 * Gemini client (gemini-client.ts) is the real implementation, and tests point it at a local HTTP
 * server that answers like the Gemini API.
 *
 * Plain TypeScript (no SDK), so it costs nothing in a bundle.
 */

/** A part of the user's turn: text, or binary data sent inline (base64), e.g. an audio file. */
export type ModelPart = { text: string } | { inlineData: { mimeType: string; data: string } };

/**
 * A response schema in the Gemini `Schema` format (an OpenAPI 3.0 subset): `type` is one of
 * "OBJECT", "ARRAY", "STRING", "NUMBER", "INTEGER", "BOOLEAN"; `enum` constrains a STRING.
 */
export interface ResponseSchema {
  type: "OBJECT" | "ARRAY" | "STRING" | "NUMBER" | "INTEGER" | "BOOLEAN";
  description?: string;
  enum?: readonly string[];
  properties?: Readonly<Record<string, ResponseSchema>>;
  required?: readonly string[];
  propertyOrdering?: readonly string[];
  items?: ResponseSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
}

/** One request for a JSON answer. */
export interface ModelRequest {
  /** Instructions that frame the task (Gemini `systemInstruction`). */
  system: string;
  /** The user's turn: the material to judge. */
  parts: readonly ModelPart[];
  /** The shape the answer must have; the model is constrained to it, the caller still validates. */
  responseSchema: ResponseSchema;
  /** Abort the call after this many ms (the caller derives it from the Lambda's remaining time). */
  timeoutMs: number;
  /**
   * Sampling temperature.
   * @default - the model's default
   */
  temperature?: number;
}

/** The port. `generateJson` resolves to the parsed JSON answer (unvalidated: `unknown`). */
export interface ModelClient {
  /** The model id the client calls; stored as `model_used`. */
  readonly modelId: string;
  generateJson(request: ModelRequest): Promise<unknown>;
  /**
   * Replaces the client's secrets (its API key) in a text; the handlers pass every log line, stored
   * message and thrown error through it.
   * @default - nothing to redact
   */
  redact?(text: string): string;
}

/** Why a model call failed. */
export type ModelErrorKind =
  /** The API answered a non-2xx status (`status` is set). */
  | "http"
  /** No answer before `timeoutMs`. */
  | "timeout"
  /** The request never got an HTTP answer (DNS, connection refused/reset, TLS). */
  | "network"
  /** The prompt or the answer was blocked (safety, recitation, ...). */
  | "blocked"
  /** An answer without any candidate text, or cut short (MAX_TOKENS). */
  | "empty"
  /** The candidate text is not JSON. */
  | "invalid-json"
  /** The answer is larger than the client reads (`maxAnswerBytes`). */
  | "too-large"
  /** The API key could not be read (SSM). */
  | "credentials"
  /** The answer holds the API key (any spelling, or pieces of it): refused, never stored. */
  | "secret-in-answer";

/** A failed model call; the message is fit to store as a job's `error_message` (no secrets in it). */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ModelError";
  }
}
