/**
 * The Speaking Evaluator end to end: dynalite, s3rver holding a WAV made here, the Gemini client over
 * HTTP to the local model server, and a mocked SSM client for the API key (the built-zip tests use an
 * HTTP stand-in).
 */
import { createEvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { formatSeconds, wavDurationSeconds } from "../../../lambda-src/shared/audio";
import { describeText } from "../../../lambda-src/shared/errors";
import { InvalidEventError, USER_ID_RULE } from "../../../lambda-src/shared/event";
import { inputHash } from "../../../lambda-src/shared/input-hash";
import {
  createSpeakingEvaluatorHandler,
  type SpeakingEvaluatorHandler,
} from "../../../lambda-src/speaking-evaluator/handler";
import { useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer } from "../../support/model-server";
import { useS3rver } from "../../support/s3rver";
import { API_KEY, fakeSsm, itemCount, MODEL_ID, NOW, rawItem, rejectionOf, silentLog, testModelClient } from "./helpers";
import { makeWav } from "./wav";

const db = useDynalite();
const s3 = useS3rver();
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
let handler: SpeakingEvaluatorHandler;

const WAV = makeWav(2.5);
const WAV_KEY = "uploads/audio/user-456/part2.wav";
const MP3_KEY = "uploads/audio/user-456/part1.mp3";

beforeAll(async () => {
  handler = createSpeakingEvaluatorHandler({
    evaluations: createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW }),
    model: testModelClient(model().url, fakeSsm()),
    s3: s3().client,
    uploadsBucket: s3().bucket,
    log: silentLog,
  });
  await s3().put(WAV_KEY, WAV, "audio/wav");
  // Stored without a useful Content-Type: the type comes from the extension.
  await s3().put(MP3_KEY, new Uint8Array([0xff, 0xfb, 0x90, 0x44, 0, 0, 0, 0]), "application/octet-stream");
});

const TRANSCRIPT = "Well, I think my hometown is a great place to live, because it's well-known for its parks.";
const FEEDBACK = { strengths: ["Natural pace."], weaknesses: ["Limited range of tenses."], suggestions: ["Practise conditionals."] };
const ANSWER = {
  transcript: TRANSCRIPT,
  duration_seconds: 3,
  fluency_band: "6.5",
  lexical_band: "6.0",
  grammar_band: "6.5",
  pronunciation_band: "7.0",
  overall_band: "6.5",
  feedback: FEEDBACK,
};
const event = (overrides: Record<string, unknown> = {}) => ({ user_id: "user-456", audio_key: WAV_KEY, ...overrides });
const stored = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-456" });

test("the WAV header gives the duration", () => {
  expect(wavDurationSeconds(WAV)).toBe(2.5);
  expect(wavDurationSeconds(new Uint8Array([1, 2, 3]))).toBeUndefined();
  expect(formatSeconds(120.46)).toBe("120.5");
});

test("success: sends the audio inline and stores transcript, duration (WAV header), word count, bands, feedback", async () => {
  model().reply(geminiAnswer(ANSWER));
  const result = await handler(event({ evaluation_id: "eval-s-ok" }));

  expect(await stored("eval-s-ok")).toEqual({
    evaluation_id: { S: "eval-s-ok" },
    user_id: { S: "user-456" },
    evaluation_type: { S: "speaking" },
    status: { S: "completed" },
    created_at: { N: String(NOW) },
    fluency_band: { S: "6.5" },
    lexical_band: { S: "6.0" },
    grammar_band: { S: "6.5" },
    pronunciation_band: { S: "7.0" },
    overall_band: { S: "6.5" },
    transcript: { S: TRANSCRIPT },
    // From the header (2.5 s), not the model's 3.
    duration: { S: "2.5" },
    // Counted here: "it's" and "well-known" are one word each.
    word_count: { N: "17" },
    feedback: { S: JSON.stringify(FEEDBACK) },
    model_used: { S: MODEL_ID },
    input_hash: { S: inputHash("speaking", { audio_key: WAV_KEY }) },
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
  expect(result).toMatchObject({ status: "completed", word_count: 17, duration: "2.5" });

  expect(model().problems).toEqual([]);
  const parts = model().requests[0].body.contents![0].parts;
  expect(parts[1]).toEqual({ inlineData: { mimeType: "audio/wav", data: Buffer.from(WAV).toString("base64") } });
});

test("a non-WAV upload: MIME type from the extension, duration from the model", async () => {
  model().reply(geminiAnswer({ ...ANSWER, duration_seconds: 95.25 }));
  const result = await handler(event({ evaluation_id: "eval-s-mp3", audio_key: MP3_KEY }));
  expect(result).toMatchObject({ status: "completed", duration: "95.3" });
  expect((model().requests[0].body.contents![0].parts[1] as { inlineData: { mimeType: string } }).inlineData.mimeType).toBe("audio/mp3");
});

test("model error: HTTP 500 records `failed` with the API's message", async () => {
  model().reply(geminiError(500, "INTERNAL", "An internal error has occurred."));
  const result = await handler(event({ evaluation_id: "eval-s-500" }));
  const message = "the model API answered HTTP 500 (INTERNAL): An internal error has occurred.";
  expect(result).toMatchObject({ status: "failed", error_message: message });
  expect(await stored("eval-s-500")).toEqual({
    evaluation_id: { S: "eval-s-500" },
    user_id: { S: "user-456" },
    evaluation_type: { S: "speaking" },
    status: { S: "failed" },
    created_at: { N: String(NOW) },
    error_message: { S: message },
    input_hash: { S: inputHash("speaking", { audio_key: WAV_KEY }) },
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
});

test.each([
  ["band 9.7", { ...ANSWER, pronunciation_band: "9.7" }, 'the model\'s answer is malformed: `pronunciation_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "9.7"'],
  ["missing transcript", { ...ANSWER, transcript: undefined }, "the model's answer is malformed: `transcript` must be a non-empty string; got undefined"],
  ["duration as text", { ...ANSWER, duration_seconds: "two minutes" }, `the model's answer is malformed: \`duration_seconds\` must be a non-negative number; got ${describeText("two minutes")}`],
  ["a transcript without words", { ...ANSWER, transcript: "..." }, 'the model\'s answer is malformed: `transcript` must contain words (no speech was recognised); got "..."'],
])("malformed answer (%s) records `failed`", async (name, answer, message) => {
  const id = `eval-s-bad-${name.replace(/\W+/g, "-")}`;
  model().reply(geminiAnswer(answer));
  expect(await handler(event({ evaluation_id: id }))).toMatchObject({ status: "failed", error_message: message });
  expect((await stored(id))?.error_message).toEqual({ S: message });
});

test("a missing upload records `failed` without calling the model", async () => {
  const result = await handler(event({ evaluation_id: "eval-s-missing", audio_key: "uploads/audio/user-456/none.wav" }));
  expect(result).toMatchObject({ status: "failed", error_message: `s3://${s3().bucket}/uploads/audio/user-456/none.wav does not exist` });
  expect(model().requests).toHaveLength(0);
});

describe("bad events are refused before any write, naming the field", () => {
  const keyRule =
    'must be the S3 key of an upload under "uploads/audio/" ending with .wav, .mp3, .aiff, .aif, .aac, .ogg, .flac, like "uploads/audio/user-456/file.wav"';
  test.each<[string, unknown, string, string]>([
    ["not an object", null, "event", "invalid event: `event` must be a JSON object with `user_id`, `audio_key`, `evaluation_id`; got null"],
    ["unknown field", event({ audio: "x" }), "audio", 'invalid event: `audio` is not a field of this event (expected only `user_id`, `audio_key`, `evaluation_id`); got "x"'],
    ["user_id", event({ user_id: 456 }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got 456`],
    ["audio_key missing", event({ audio_key: undefined }), "audio_key", `invalid event: \`audio_key\` ${keyRule}; got undefined`],
    ["audio_key outside the prefix", event({ audio_key: "uploads/documents/user-456/a.wav" }), "audio_key", `invalid event: \`audio_key\` ${keyRule}; got "uploads/documents/user-456/a.wav"`],
    ["audio_key with ..", event({ audio_key: "uploads/audio/../documents/a.wav" }), "audio_key", `invalid event: \`audio_key\` ${keyRule}, at most 1024 bytes, without empty, "." or ".." path segments; got "uploads/audio/../documents/a.wav"`],
    ["audio_key of another format", event({ audio_key: "uploads/audio/user-456/a.txt" }), "audio_key", `invalid event: \`audio_key\` ${keyRule}; got "uploads/audio/user-456/a.txt"`],
    ["evaluation_id", event({ evaluation_id: "" }), "evaluation_id", 'invalid event: `evaluation_id` must be 1 to 128 characters: letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit, or left out to get a new id; got ""'],
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

test("retried invocation: the same evaluation_id twice gives one record and one model call", async () => {
  model().reply(geminiAnswer(ANSWER));
  const first = await handler(event({ evaluation_id: "eval-s-retry" }));
  const before = await stored("eval-s-retry");
  const count = await itemCount(db().client, db().evaluationsTable);
  expect(await handler(event({ evaluation_id: "eval-s-retry" }))).toEqual(first);
  expect(await stored("eval-s-retry")).toEqual(before);
  expect(await itemCount(db().client, db().evaluationsTable)).toBe(count);
  expect(model().requests).toHaveLength(1);
});

test("the same evaluation_id with another recording is refused naming the id: nothing overwritten, no S3 read, no model call", async () => {
  model().reply(geminiAnswer(ANSWER));
  await handler(event({ evaluation_id: "eval-s-reuse" }));
  const before = await stored("eval-s-reuse");
  const reads = s3().requests().length;
  const error = await rejectionOf(handler(event({ evaluation_id: "eval-s-reuse", audio_key: MP3_KEY })));
  expect(error).toBeInstanceOf(InvalidEventError);
  expect(error.message).toBe(
    'invalid event: `evaluation_id` must not name an existing evaluation of another recording (an id names one job and its input); use a new evaluation_id, or leave it out, to evaluate this recording; got "eval-s-reuse"',
  );
  expect(await stored("eval-s-reuse")).toEqual(before);
  expect(s3().requests()).toHaveLength(reads);
  expect(model().requests).toHaveLength(1);
});
