/**
 * The model API key never leaves a handler, and the model's answer is read with a byte cap: the
 * Writing and Speaking Evaluators on dynalite, s3rver and the local model server, with the API key
 * from the mocked SSM client of helpers.ts. Each test looks for the key in the stored record, in
 * every log line captured, and in the error the handler throws.
 */
import { createEvaluationsRepository, type EvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { MODEL_ANSWER_MAX_BYTES } from "../../../lambda-src/model/gemini-client";
import { describeText } from "../../../lambda-src/shared/errors";
import { createSpeakingEvaluatorHandler } from "../../../lambda-src/speaking-evaluator/handler";
import { createWritingEvaluatorHandler } from "../../../lambda-src/writing-evaluator/handler";
import { useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer } from "../../support/model-server";
import { useS3rver } from "../../support/s3rver";
import { API_KEY, capturingLog, contextWith, MODEL_ID, NOW, rawItem, rejectionOf, testModelClient } from "./helpers";
import { makeWav } from "./wav";

const db = useDynalite();
const s3 = useS3rver();
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
let evaluations: EvaluationsRepository;

beforeAll(async () => {
  evaluations = createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW });
  await s3().put("uploads/audio/user-456/part2.wav", makeWav(1), "audio/wav");
});

const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} says that libraries remain useful in a digital age.`).join(" ");
const writingEvent = (evaluation_id: string) => ({ user_id: "user-456", task: "task2", prompt: "Are libraries still useful?", essay: ESSAY, evaluation_id });
const FEEDBACK = { strengths: ["Clear."], weaknesses: ["Short."], suggestions: ["Add examples."] };
const ANSWER = { task_achievement_band: "7.0", coherence_band: "7.0", lexical_band: "7.0", grammar_band: "7.0", overall_band: "7.0", feedback: FEEDBACK };
const stored = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-456" });

function writingHandler(overrides: { evaluations?: EvaluationsRepository } = {}) {
  const capture = capturingLog();
  const handler = createWritingEvaluatorHandler({ evaluations: overrides.evaluations ?? evaluations, model: testModelClient(model().url), log: capture.log });
  return { handler, lines: capture.lines };
}

/** Fails when the key appears in `text`, whole or its first 8 characters (a cut that kept half of it). */
function expectNoKey(text: string): void {
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(API_KEY.slice(0, 8));
}

describe("the key echoed by the model API", () => {
  test("in an error message: stored, logged and returned as [redacted]", async () => {
    model().reply(geminiError(400, "INVALID_ARGUMENT", `API key not valid. Please pass a valid API key (you sent ${API_KEY}).`));
    const { handler, lines } = writingHandler();
    const result = await handler(writingEvent("eval-key-error"), contextWith(60_000));
    const message = "the model API answered HTTP 400 (INVALID_ARGUMENT): API key not valid. Please pass a valid API key (you sent [redacted]).";
    expect(result).toMatchObject({ status: "failed", error_message: message });
    expect((await stored("eval-key-error"))?.error_message).toEqual({ S: message });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of [JSON.stringify(result), JSON.stringify(await stored("eval-key-error")), ...lines]) expectNoKey(line);
  });

  test("spelled with JSON escapes, where the message is cut to 300 characters: no half key is left", async () => {
    const escaped = [...API_KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    // 295 characters then the key: the quote is cut at 300, in the middle of the key.
    model().reply({ status: 403, body: `{"error":{"code":403,"message":"${"x".repeat(295)}${escaped}","status":"PERMISSION_DENIED"}}` });
    const { handler, lines } = writingHandler();
    const result = await handler(writingEvent("eval-key-escaped"), contextWith(60_000));
    // Redacted first, then cut: the cut falls inside "[redacted]", never inside the key.
    expect(result).toMatchObject({ status: "failed", error_message: `the model API answered HTTP 403 (PERMISSION_DENIED): ${"x".repeat(295)}[reda…` });
    for (const line of [JSON.stringify(result), JSON.stringify(await stored("eval-key-escaped")), ...lines]) expectNoKey(line);
  });

  test("in a body that is not JSON (a proxy's page), and in a URL-encoded query: the body is described, never quoted", async () => {
    const body = `<html>Bad gateway for /v1beta/models?key=${encodeURIComponent(API_KEY)} (${API_KEY})</html>`;
    model().reply({ status: 502, body });
    const { handler, lines } = writingHandler();
    const result = await handler(writingEvent("eval-key-html"), contextWith(60_000));
    expect(result).toMatchObject({
      status: "failed",
      error_message: `the model API answered HTTP 502 with a body that is not Google's JSON error: ${describeText(body)}`,
    });
    for (const line of lines) expectNoKey(line);
  });

  test("inside a good answer: the answer is refused, the job recorded `failed`; nothing of it stored", async () => {
    model().reply(geminiAnswer({ ...ANSWER, feedback: { ...FEEDBACK, suggestions: [`Your key is ${API_KEY}.`] } }));
    const { handler, lines } = writingHandler();
    const result = await handler(writingEvent("eval-key-answer"), contextWith(60_000));
    expect(result).toMatchObject({ status: "failed", error_message: "the model's answer holds the API key (or a piece of it); it was not used" });
    expect(result).not.toHaveProperty("feedback");
    for (const line of [JSON.stringify(await stored("eval-key-answer")), ...lines]) expectNoKey(line);
  });

  test("in an error the handler throws (an outcome write that fails quoting what it was sent): redacted too", async () => {
    // The real repository, with its completion failing the way an SDK error quoting its input would.
    const failing: EvaluationsRepository = {
      ...evaluations,
      completeWritingEvaluation: async () => {
        throw Object.assign(new Error(`ValidationException: One or more parameter values were invalid: ${API_KEY}`), {
          cause: new Error(`request body mentions ${API_KEY}`),
        });
      },
    };
    model().reply(geminiAnswer(ANSWER));
    const { handler, lines } = writingHandler({ evaluations: failing });
    const error = await rejectionOf(handler(writingEvent("eval-key-thrown"), contextWith(60_000)));
    // Not worth another try (not throttling, a timeout or a lost connection): the lease released at once.
    expect(error.name).toBe("OutcomeNotRecordedError");
    expect(error.message).toMatch(
      /^evaluation \{"evaluation_id":"eval-key-thrown","user_id":"user-456"\}: the job's outcome \(completed\) could not be recorded in 1 write over \d+\.\d s \(Error: ValidationException: One or more parameter values were invalid: \[redacted\]\); its lease was released: the next delivery runs the job again$/,
    );
    expectNoKey(String(error.stack));
    expectNoKey((error.cause as Error).message);
    expectNoKey(((error.cause as Error).cause as Error).message);
    for (const line of lines) expectNoKey(line);
  });
});

describe("the model's answer is read with a byte cap", () => {
  test("an answer streaming past 1 MiB fails the job with the reason, and is not read to its end", async () => {
    // 64 MiB of JSON-looking text, sent as fast as the client reads it.
    model().reply({ stream: { chunk: `{"candidates":[${" ".repeat(64 * 1024 - 16)}`, count: 1024 } });
    const { handler, lines } = writingHandler();
    const result = await handler(writingEvent("eval-huge-answer"), contextWith(60_000));
    expect(result).toMatchObject({
      status: "failed",
      error_message: `the model API's answer is larger than ${MODEL_ANSWER_MAX_BYTES} bytes, the most a valid answer can take; it was not read further`,
    });
    expect(model().requests).toHaveLength(1); // not retried
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [stream] = model().streams;
    expect(stream.abandoned).toBe(true);
    // What the server got into the socket before the client hung up: the cap plus socket buffers.
    expect(stream.bytesWritten).toBeLessThan(16 * 1024 * 1024);
    expect(lines.some((line) => line.includes("larger than"))).toBe(true);
  });

  test("an answer whose Content-Length is over the cap is refused before its body is read", async () => {
    model().reply({ status: 200, body: "x".repeat(MODEL_ANSWER_MAX_BYTES + 1) });
    const { handler } = writingHandler();
    expect(await handler(writingEvent("eval-long-answer"), contextWith(60_000))).toMatchObject({
      status: "failed",
      error_message: `the model API's answer is larger than ${MODEL_ANSWER_MAX_BYTES} bytes, the most a valid answer can take; it was not read further`,
    });
  });

  test("the largest valid answer (the Speaking Evaluator's, in its costliest characters) fits with more than half the cap to spare", async () => {
    // Control characters take 6 bytes in the answer's JSON, 7 once that JSON is a string of the
    // envelope; the transcript needs letters too, to have words.
    const transcript = "a\u0001".repeat(15_000); // 30,000 characters, the longest transcript accepted
    const item = "\u0001".repeat(1_000); // the longest feedback item
    const list = Array.from({ length: 10 }, () => item); // the longest list
    const answer = {
      transcript,
      duration_seconds: 1,
      fluency_band: "6.0",
      lexical_band: "6.0",
      grammar_band: "6.0",
      pronunciation_band: "6.0",
      overall_band: "6.0",
      feedback: { strengths: list, weaknesses: list, suggestions: list },
    };
    const reply = geminiAnswer(answer);
    const bytes = Buffer.byteLength(JSON.stringify(reply.json));
    expect(bytes).toBeGreaterThan(330_000);
    expect(bytes).toBeLessThan(MODEL_ANSWER_MAX_BYTES / 2);
    model().reply(reply);
    const handler = createSpeakingEvaluatorHandler({
      evaluations,
      model: testModelClient(model().url),
      s3: s3().client,
      uploadsBucket: s3().bucket,
      log: () => undefined,
    });
    const result = await handler({ user_id: "user-456", audio_key: "uploads/audio/user-456/part2.wav", evaluation_id: "eval-largest" }, contextWith(60_000));
    expect(result).toMatchObject({ status: "completed", transcript, word_count: 15_000 });
  });
});
