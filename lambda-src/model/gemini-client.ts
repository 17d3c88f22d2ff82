/**
 * The real `ModelClient`: Gemini's `generateContent` REST API over HTTPS, with Node's global fetch
 * (no SDK: nothing to bundle, nothing done at import time).
 *
 *   POST {baseUrl}/v1beta/models/{model}:generateContent
 *   x-goog-api-key: <key>
 *   { systemInstruction, contents: [{ role: "user", parts }],
 *     generationConfig: { responseMimeType: "application/json", responseSchema } }
 *
 * The answer is `candidates[0].content.parts[*].text` (the text parts joined), parsed as JSON.
 * Failures become a `ModelError` whose message names what happened (HTTP status and the API's own
 * message, timeout, block reason, empty, non-JSON or oversized answer).
 *
 * The key never leaves in a message or an answer: every text taken from the API (an error's message
 * that quotes the key, a network error naming the URL) goes through the client's redactor, which
 * knows the key once it has been read (shared/redact.ts: decoded strings only, any letter case,
 * escaped, percent-encoded or base64 spellings); an answer that holds the key, in any of those
 * spellings or split over several strings, is refused. No raw body is ever quoted: an error body
 * that is not Google's JSON error, or an answer that is not JSON, is described by its length and a
 * short hash (it may hold the key in a spelling not known here, or the user's text).
 *
 * The answer is read as a stream and given up past `maxAnswerBytes` (`MODEL_ANSWER_MAX_BYTES`):
 * memory stays bounded whatever the API sends.
 *
 * Retries are deliberate: one retry (after `retryDelayMs`) for 429, 500, 502, 503, 504 and network
 * errors, and only while the retry still fits in the caller's `timeoutMs` budget. A timeout is not
 * retried: it already spent the budget.
 */
import { describeText } from "../shared/errors";
import { createRedactor, stringsOf } from "../shared/redact";
import { ModelError, type ModelClient, type ModelRequest } from "./model-client";

/** Gemini's public endpoint; `MODEL_API_BASE_URL` (or the `baseUrl` option) overrides it. */
export const DEFAULT_GEMINI_BASE_URL = "https://generativelanguage.googleapis.com";

/** Statuses worth one more try: rate limiting and transient server errors. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Finish reasons that mean the answer was withheld. */
const BLOCKING_FINISH_REASONS: ReadonlySet<string> = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "LANGUAGE",
]);
/** Longest piece of an error's message quoted. */
const MAX_QUOTED_MESSAGE = 300;

/**
 * Most bytes of an answer read: 1 MiB. The largest valid answer is the Speaking Evaluator's, a
 * 30,000-character transcript and feedback of 3 lists of at most 10 items of 1,000 characters:
 * 60,000 UTF-16 units of text. In the HTTP body that text is JSON inside a JSON string, where one
 * unit takes at most 7 bytes (a control character: `\\u0001`), so at most about 420,000 bytes
 * plus the bands and the envelope: 1 MiB holds it with more than twice that to spare, and bounds
 * what a runaway or hostile answer can make the function hold.
 */
export const MODEL_ANSWER_MAX_BYTES = 1024 * 1024;

/** Options of `createGeminiClient`. */
export interface GeminiClientOptions {
  /** Model id, e.g. "gemini-2.5-flash"; also the client's `modelId`. */
  modelId: string;
  /**
   * Returns the API key; called before every request (cache it: see ssm-secret.ts). A rejection
   * becomes a `ModelError` of kind "credentials".
   */
  apiKey: () => Promise<string>;
  /**
   * Base URL of the API (scheme + host, optionally a path prefix), without a trailing slash.
   * @default DEFAULT_GEMINI_BASE_URL
   */
  baseUrl?: string;
  /**
   * Total attempts for retryable failures (429/5xx/network).
   * @default 2
   */
  maxAttempts?: number;
  /**
   * Wait before a retry, in ms (doubled per retry; a `Retry-After` in seconds wins when shorter than the budget).
   * @default 1000
   */
  retryDelayMs?: number;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * Most bytes of an answer (or error body) read; past it the call fails with kind "too-large".
   * @default MODEL_ANSWER_MAX_BYTES
   */
  maxAnswerBytes?: number;
}

/** The parts of a `generateContent` answer this client reads. */
interface GenerateContentResponse {
  candidates?: {
    content?: { parts?: { text?: unknown; thought?: unknown }[] };
    finishReason?: unknown;
  }[];
  promptFeedback?: { blockReason?: unknown };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function quote(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_QUOTED_MESSAGE ? `${flat.slice(0, MAX_QUOTED_MESSAGE)}…` : flat;
}

/**
 * "HTTP 429 (RESOURCE_EXHAUSTED): Quota exceeded ..." from Google's error envelope: its `status`
 * (an upper-case code) and its `message` when it is a string, redacted (the decoded string) before
 * it is cut to length (a cut must not keep half a key). Anything else, a body that is not that
 * envelope (a proxy's HTML page, a `message` that is not a string), is described, never quoted.
 */
function describeHttpError(status: number, body: string, redact: (text: string) => string): string {
  const head = `the model API answered HTTP ${status}`;
  let parsed: { error?: { message?: unknown; status?: unknown } } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Not JSON.
  }
  const error = typeof parsed === "object" && parsed !== null ? parsed.error : undefined;
  if (typeof error !== "object" || error === null) return `${head} with a body that is not Google's JSON error: ${describeText(body)}`;
  const code = typeof error.status === "string" && /^[A-Z_]{1,64}$/.test(error.status) ? ` (${error.status})` : "";
  if (typeof error.message !== "string") return `${head}${code}; its error has no text message (body: ${describeText(body)})`;
  const message = quote(redact(error.message));
  return message ? `${head}${code}: ${message}` : `${head}${code}`;
}

/** Reads the body as text, giving up (and cancelling the stream) past `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new ModelError("too-large", `the model API's answer is larger than ${maxBytes} bytes, the most a valid answer can take; it was not read further`);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (response.headers.get("content-encoding") === null && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads the JSON answer out of a 200 response, or throws the reason there is none (the answer's text is never quoted). */
export function answerFromResponse(response: GenerateContentResponse): unknown {
  const blockReason = response.promptFeedback?.blockReason;
  if (typeof blockReason === "string" && blockReason !== "BLOCK_REASON_UNSPECIFIED") {
    throw new ModelError("blocked", `the model API blocked the request (blockReason ${blockReason})`);
  }
  const candidate = response.candidates?.[0];
  if (candidate === undefined) {
    throw new ModelError("empty", "the model API answered without any candidate");
  }
  const finishReason = typeof candidate.finishReason === "string" ? candidate.finishReason : undefined;
  if (finishReason !== undefined && BLOCKING_FINISH_REASONS.has(finishReason)) {
    throw new ModelError("blocked", `the model's answer was withheld (finishReason ${finishReason})`);
  }
  const text = (candidate.content?.parts ?? [])
    .filter((part) => part.thought !== true && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("");
  if (finishReason === "MAX_TOKENS") {
    throw new ModelError("empty", `the model's answer was cut short (finishReason MAX_TOKENS) after ${text.length} characters`);
  }
  if (text.trim() === "") {
    throw new ModelError("empty", `the model's answer has no text${finishReason ? ` (finishReason ${finishReason})` : ""}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelError("invalid-json", `the model's answer is not JSON: ${describeText(text)}`);
  }
}

/** Builds the Gemini client. Nothing happens on the network until `generateJson` is called. */
export function createGeminiClient(options: GeminiClientOptions): ModelClient {
  const modelId = options.modelId;
  if (typeof modelId !== "string" || modelId.trim() === "") {
    throw new TypeError("createGeminiClient: `modelId` must be a non-empty string");
  }
  const baseUrl = (options.baseUrl ?? DEFAULT_GEMINI_BASE_URL).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(baseUrl)) {
    throw new TypeError(`createGeminiClient: \`baseUrl\` must be an http(s) URL; got ${JSON.stringify(options.baseUrl)}`);
  }
  const url = `${baseUrl}/v1beta/models/${encodeURIComponent(modelId)}:generateContent`;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 2);
  const retryDelayMs = Math.max(0, options.retryDelayMs ?? 1_000);
  const maxAnswerBytes = options.maxAnswerBytes ?? MODEL_ANSWER_MAX_BYTES;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const redact = createRedactor();

  async function readKey(): Promise<string> {
    let key: string;
    try {
      key = await options.apiKey();
    } catch (error) {
      throw new ModelError("credentials", `the model API key could not be read: ${(error as Error).message ?? String(error)}`);
    }
    redact.add(key);
    return key;
  }

  /** One HTTP exchange bounded by `timeoutMs`; returns the parsed answer or throws a ModelError. */
  async function attempt(body: string, key: string, timeoutMs: number): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      let response: Response;
      try {
        response = await doFetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-goog-api-key": key },
          body,
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) throw timeoutError(timeoutMs);
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new ModelError("network", `the model API could not be reached: ${redact(cause?.code ?? cause?.message ?? (error as Error).message)}`);
      }
      let text: string;
      try {
        text = await readCapped(response, maxAnswerBytes);
      } catch (error) {
        if (error instanceof ModelError) throw error;
        if (controller.signal.aborted) throw timeoutError(timeoutMs);
        throw new ModelError("network", `the model API's answer was interrupted: ${redact((error as Error).message)}`);
      }
      if (!response.ok) {
        const error = new ModelError("http", describeHttpError(response.status, text, redact), response.status);
        (error as ModelError & { retryAfterMs?: number }).retryAfterMs = retryAfterMs(response.headers.get("retry-after"));
        throw error;
      }
      let parsed: GenerateContentResponse;
      try {
        parsed = JSON.parse(text) as GenerateContentResponse;
      } catch {
        throw new ModelError("invalid-json", `the model API answered HTTP ${response.status} with a body that is not JSON: ${describeText(text)}`);
      }
      const answer = answerFromResponse(parsed);
      if (stringsOf(answer).some((text) => redact.finds(text)) || redact.finds(stringsOf(answer).join(""))) {
        throw new ModelError("secret-in-answer", "the model's answer holds the API key (or a piece of it); it was not used");
      }
      return answer;
    } finally {
      clearTimeout(timer);
    }
  }

  async function generate(request: ModelRequest): Promise<unknown> {
    const started = Date.now();
    const budgetMs = request.timeoutMs;
    if (!(budgetMs > 0)) throw timeoutError(0);
    const key = await readKey();
    const body = JSON.stringify({
      systemInstruction: { parts: [{ text: request.system }] },
      contents: [{ role: "user", parts: request.parts }],
      generationConfig: {
        responseMimeType: "application/json",
        responseSchema: request.responseSchema,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      },
    });
    for (let attemptNumber = 1; ; attemptNumber++) {
      const left = budgetMs - (Date.now() - started);
      if (left <= 0) throw timeoutError(budgetMs);
      try {
        return await attempt(body, key, left);
      } catch (error) {
        const retryable =
          error instanceof ModelError &&
          (error.kind === "network" || (error.kind === "http" && RETRYABLE_STATUSES.has(error.status ?? 0)));
        if (!retryable || attemptNumber >= maxAttempts) throw error;
        const advised = (error as ModelError & { retryAfterMs?: number }).retryAfterMs;
        const wait = advised ?? retryDelayMs * 2 ** (attemptNumber - 1);
        // Retry only if the wait leaves a useful share of the budget for the next attempt.
        if (Date.now() - started + wait >= budgetMs / 2 + budgetMs / 4) throw error;
        await sleep(wait);
      }
    }
  }

  return {
    modelId,
    redact,
    async generateJson(request: ModelRequest): Promise<unknown> {
      try {
        return await generate(request);
      } catch (error) {
        if (error instanceof Error) error.message = redact(error.message);
        throw error;
      }
    },
  };
}

function timeoutError(timeoutMs: number): ModelError {
  return new ModelError("timeout", `the model API did not answer within ${(timeoutMs / 1000).toFixed(1)} s`);
}

/** A `Retry-After` header in seconds, as ms (HTTP dates are ignored: Google sends seconds). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}
