/**
 * The Writing Evaluator end to end: dynalite for the table, the Gemini client over HTTP to the local
 * model server, and a mocked SSM client for the API key (the built-zip tests use an HTTP stand-in).
 */
import { createEvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { describeText } from "../../../lambda-src/shared/errors";
import { InvalidEventError, USER_ID_RULE } from "../../../lambda-src/shared/event";
import { inputHash } from "../../../lambda-src/shared/input-hash";
import {
  createWritingEvaluatorHandler,
  type WritingEvaluatorHandler,
} from "../../../lambda-src/writing-evaluator/handler";
import { useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer } from "../../support/model-server";
import { fakeSsm, itemCount, KEY_PARAMETER, MODEL_ID, NOW, API_KEY, rawItem, rejectionOf, silentLog, testModelClient } from "./helpers";

const db = useDynalite();
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
let ssm: ReturnType<typeof fakeSsm>;
let handler: WritingEvaluatorHandler;

beforeAll(() => {
  ssm = fakeSsm();
  handler = createWritingEvaluatorHandler({
    evaluations: createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW }),
    model: testModelClient(model().url, ssm),
    log: silentLog,
  });
});

const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} argues that public transport should be funded by taxes on private cars.`).join(" ");
const PROMPT = "Some people think governments should invest more in public transport. Discuss both views.";
const event = (overrides: Record<string, unknown> = {}) => ({
  user_id: "user-456",
  task: "task2",
  prompt: PROMPT,
  essay: ESSAY,
  ...overrides,
});
/** The `input_hash` a record of this essay keeps. */
const INPUT_HASH = { S: inputHash("writing", { task: "task2", prompt: PROMPT, essay: ESSAY }) };
const FEEDBACK = {
  strengths: ["Clear position throughout."],
  weaknesses: ["Repetitive linking words."],
  suggestions: ["Vary cohesive devices."],
};
const ANSWER = {
  task_achievement_band: "7.0",
  coherence_band: "6.5",
  lexical_band: 7,
  grammar_band: "6.5",
  overall_band: "7.0",
  feedback: FEEDBACK,
};
const key = (evaluation_id: string) => ({ evaluation_id, user_id: "user-456" });
const stored = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, key(evaluation_id));

test("success: sends the task to the model and stores exactly the bands, feedback and model id", async () => {
  model().reply(geminiAnswer(ANSWER));
  const result = await handler(event({ evaluation_id: "eval-w-ok" }));

  expect(await stored("eval-w-ok")).toEqual({
    evaluation_id: { S: "eval-w-ok" },
    user_id: { S: "user-456" },
    evaluation_type: { S: "writing" },
    status: { S: "completed" },
    created_at: { N: String(NOW) },
    task_achievement_band: { S: "7.0" },
    coherence_band: { S: "6.5" },
    lexical_band: { S: "7.0" },
    grammar_band: { S: "6.5" },
    overall_band: { S: "7.0" },
    feedback: { S: JSON.stringify(FEEDBACK) },
    model_used: { S: MODEL_ID },
    input_hash: INPUT_HASH,
    // The attempt that recorded the outcome (`<request id>/<uuid>`; "local" without a context).
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
  expect(result).toMatchObject({ status: "completed", evaluation_id: "eval-w-ok", overall_band: "7.0", feedback: FEEDBACK });

  expect(model().problems).toEqual([]);
  expect(model().requests).toHaveLength(1);
  const body = model().requests[0].body;
  const text = (body.contents![0].parts[0] as { text: string }).text;
  expect(text).toContain("IELTS Writing Task 2");
  expect(text).toContain(ESSAY);
  expect(text).toContain("(168 words)");
  expect(body.generationConfig?.responseSchema).toMatchObject({ type: "OBJECT", required: expect.arrayContaining(["overall_band", "feedback"]) });
  expect(ssm.calls).toEqual([{ Name: KEY_PARAMETER, WithDecryption: true }]);
});

test("the API key is read from SSM once per container, not per invocation", async () => {
  model().reply(geminiAnswer(ANSWER));
  await handler(event({ evaluation_id: "eval-w-key-1" }));
  await handler(event({ evaluation_id: "eval-w-key-2" }));
  expect(ssm.calls).toHaveLength(1);
});

test("an event without evaluation_id gets a new eval-<uuid>", async () => {
  model().reply(geminiAnswer(ANSWER));
  const result = await handler(event());
  expect(result.evaluation_id).toMatch(/^eval-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect((await stored(result.evaluation_id))?.status).toEqual({ S: "completed" });
});

test("model error: HTTP 500 (after one retry) records `failed` with the API's message", async () => {
  model().reply(geminiError(500, "INTERNAL", "An internal error has occurred."));
  const result = await handler(event({ evaluation_id: "eval-w-500" }));
  const message = "the model API answered HTTP 500 (INTERNAL): An internal error has occurred.";
  expect(result).toMatchObject({ status: "failed", error_message: message });
  expect(await stored("eval-w-500")).toEqual({
    evaluation_id: { S: "eval-w-500" },
    user_id: { S: "user-456" },
    evaluation_type: { S: "writing" },
    status: { S: "failed" },
    created_at: { N: String(NOW) },
    error_message: { S: message },
    input_hash: INPUT_HASH,
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
  expect(model().requests).toHaveLength(2);
});

test("model error: HTTP 400 is not retried", async () => {
  model().reply(geminiError(400, "INVALID_ARGUMENT", "API key not valid."));
  const result = await handler(event({ evaluation_id: "eval-w-400" }));
  expect(result).toMatchObject({ status: "failed", error_message: "the model API answered HTTP 400 (INVALID_ARGUMENT): API key not valid." });
  expect(model().requests).toHaveLength(1);
});

test.each([
  ["a band off the half-step scale", { ...ANSWER, overall_band: "9.7" }, 'the model\'s answer is malformed: `overall_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "9.7"'],
  ["a missing band", { ...ANSWER, grammar_band: undefined }, 'the model\'s answer is malformed: `grammar_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got undefined'],
  // The answer's text is described, never quoted (it is stored and logged).
  ["feedback of the wrong type", { ...ANSWER, feedback: "good essay" }, `the model's answer is malformed: \`feedback\` must be a JSON object; got ${describeText("good essay")}`],
  ["a missing feedback list", { ...ANSWER, feedback: { strengths: [], weaknesses: [] } }, "the model's answer is malformed: `feedback.suggestions` must be an array of strings; got undefined"],
])("malformed answer (%s) records `failed` and stores no band", async (_name, answer, message) => {
  const id = `eval-w-bad-${(_name as string).replace(/\W+/g, "-")}`;
  model().reply(geminiAnswer(answer));
  const result = await handler(event({ evaluation_id: id }));
  expect(result).toMatchObject({ status: "failed", error_message: message });
  const item = await stored(id);
  expect(item?.status).toEqual({ S: "failed" });
  expect(item?.error_message).toEqual({ S: message });
  expect(Object.keys(item!).sort()).toEqual(["created_at", "error_message", "evaluation_id", "evaluation_type", "input_hash", "recorded_by", "status", "user_id"]);
});

test("an answer that is not JSON, or blocked, records `failed`", async () => {
  model().reply(geminiAnswer(null, { text: "Band 7, well done" }));
  expect(await handler(event({ evaluation_id: "eval-w-text" }))).toMatchObject({
    status: "failed",
    error_message: `the model's answer is not JSON: ${describeText("Band 7, well done")}`,
  });
  model().reply({ json: { promptFeedback: { blockReason: "SAFETY" } } });
  expect(await handler(event({ evaluation_id: "eval-w-blocked" }))).toMatchObject({
    status: "failed",
    error_message: "the model API blocked the request (blockReason SAFETY)",
  });
  model().reply(geminiAnswer(null, { text: '{"overall_band": "7', finishReason: "MAX_TOKENS" }));
  expect(await handler(event({ evaluation_id: "eval-w-cut" }))).toMatchObject({
    status: "failed",
    error_message: "the model's answer was cut short (finishReason MAX_TOKENS) after 19 characters",
  });
});

test("timeout: the model call is aborted before the Lambda deadline and the job recorded `failed`", async () => {
  // The model never answers: only the client's own timeout can end the call (else the test times out).
  model().reply({ ...geminiAnswer(ANSWER), gate: new Promise(() => undefined) });
  // A clock that stands still and a context that always has 12 s left: with 10 s kept back to record
  // the outcome, the call gets exactly 2 s, whatever the machine's load.
  const stillClock = createWritingEvaluatorHandler({
    evaluations: createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW }),
    model: testModelClient(model().url, ssm),
    log: silentLog,
    clock: () => NOW * 1000,
  });
  const result = await stillClock(event({ evaluation_id: "eval-w-slow" }), { getRemainingTimeInMillis: () => 12_000, awsRequestId: "req-slow" });
  expect(result).toMatchObject({ status: "failed", error_message: "the model API did not answer within 2.0 s" });
});

describe("bad events are refused before any write, naming the field", () => {
  const long = (n: number) => "word ".repeat(n);
  test.each<[string, unknown, string, string]>([
    ["not an object", "essay", "event", 'invalid event: `event` must be a JSON object with `user_id`, `task`, `prompt`, `essay`, `evaluation_id`; got "essay"'],
    ["unknown field", event({ essey: "x" }), "essey", 'invalid event: `essey` is not a field of this event (expected only `user_id`, `task`, `prompt`, `essay`, `evaluation_id`); got "x"'],
    ["user_id missing", event({ user_id: undefined }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got undefined`],
    ["user_id with a space", event({ user_id: "user 456" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got "user 456"`],
    ["user_id with U+200B", event({ user_id: "user\u200b456" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got "user\\u200b456"`],
    ["user_id with U+202E", event({ user_id: "user\u202e654" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got "user\\u202e654"`],
    ["user_id with U+2066", event({ user_id: "\u2066user-456" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got "\\u2066user-456"`],
    ["user_id with U+3164 (Hangul filler)", event({ user_id: "user\u3164456" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got "user\\u3164456"`],
    ["task", event({ task: "task3" }), "task", 'invalid event: `task` must be "task1" or "task2" (the IELTS Writing task); got "task3"'],
    ["prompt empty", event({ prompt: "  " }), "prompt", `invalid event: \`prompt\` must be a non-empty string (the task's question); got ${describeText("  ")}`],
    ["essay missing", event({ essay: undefined }), "essay", "invalid event: `essay` must be a non-empty string (the candidate's essay); got undefined"],
    // The essay and the prompt are described by their length and a short hash, never quoted.
    ["essay too short", event({ essay: "Too short." }), "essay", `invalid event: \`essay\` must have 50 to 1000 words to be banded; it has 2; got ${describeText("Too short.")}`],
    ["essay too long", event({ essay: long(1001) }), "essay", `invalid event: \`essay\` must have 50 to 1000 words to be banded; it has 1001; got ${describeText(long(1001).trim())}`],
    ["essay over 10000 characters", event({ essay: "x".repeat(10_001) }), "essay", `invalid event: \`essay\` must be at most 10000 characters (the candidate's essay); it has 10001; got ${describeText("x".repeat(10_001))}`],
    ["an unknown field holding an essay", event({ essey: "I think cities need more parks." }), "essey", `invalid event: \`essey\` is not a field of this event (expected only \`user_id\`, \`task\`, \`prompt\`, \`essay\`, \`evaluation_id\`); got ${describeText("I think cities need more parks.")}`],
    ["evaluation_id", event({ evaluation_id: "eval 1" }), "evaluation_id", 'invalid event: `evaluation_id` must be 1 to 128 characters: letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit, or left out to get a new id; got "eval 1"'],
  ])("%s", async (_name, badEvent, field, message) => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const error = await rejectionOf(handler(badEvent));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe(message);
    expect((error as InvalidEventError).field).toBe(field);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
    expect(model().requests).toHaveLength(0);
  });
});

describe("retried invocations", () => {
  test("the same evaluation_id twice: one record, the model called once, the stored result returned", async () => {
    model().reply(geminiAnswer(ANSWER));
    const first = await handler(event({ evaluation_id: "eval-w-retry" }));
    const before = await stored("eval-w-retry");
    const count = await itemCount(db().client, db().evaluationsTable);
    const second = await handler(event({ evaluation_id: "eval-w-retry" }));
    expect(second).toEqual(first);
    expect(await stored("eval-w-retry")).toEqual(before);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(count);
    expect(model().requests).toHaveLength(1);
  });

  test("a failed job is not re-run: the retry returns the failure", async () => {
    model().reply(geminiError(400, "INVALID_ARGUMENT", "bad"));
    const first = await handler(event({ evaluation_id: "eval-w-retry-failed" }));
    model().reply(geminiAnswer(ANSWER));
    expect(await handler(event({ evaluation_id: "eval-w-retry-failed" }))).toEqual(first);
    expect(model().requests).toHaveLength(1);
  });

  test("a job left `processing` by an attempt that died is taken over once its lease passed, and completed", async () => {
    const repo = createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW });
    const died = Date.now() - 120_000;
    await repo.startEvaluation(
      { ...key("eval-w-resume"), evaluation_type: "writing" },
      { holder: "dead-attempt", nowMs: died, leaseExpiresAtMs: died + 60_000, inputHash: INPUT_HASH.S },
    );
    model().reply(geminiAnswer(ANSWER));
    expect(await handler(event({ evaluation_id: "eval-w-resume" }))).toMatchObject({ status: "completed", overall_band: "7.0" });
    expect(model().requests).toHaveLength(1);
  });

  test("an evaluation_id that names a speaking evaluation is refused, nothing changed", async () => {
    const repo = createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW });
    await repo.startEvaluation(
      { ...key("eval-w-speaking"), evaluation_type: "speaking" },
      { holder: "other-attempt", nowMs: Date.now(), leaseExpiresAtMs: Date.now() + 60_000, inputHash: inputHash("speaking", { audio_key: "x" }) },
    );
    const before = await stored("eval-w-speaking");
    const error = await rejectionOf(handler(event({ evaluation_id: "eval-w-speaking" })));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe(
      'invalid event: `evaluation_id` must not name an existing evaluation of another type (this one is speaking); leave it out to start a new writing evaluation; got "eval-w-speaking"',
    );
    expect(await stored("eval-w-speaking")).toEqual(before);
    expect(model().requests).toHaveLength(0);
  });
});
