/**
 * The built zips, run as the Node.js runtime runs them (support/built-zip.ts): each function's happy
 * path and its boundary, against dynalite, s3rver, the SSM stand-in and the local model server, on
 * Node 22 (the functions' runtime) and Node 24 (the next one). How they behave when DynamoDB
 * misbehaves: built-zips-faults.test.ts.
 */
import { LAMBDA_RUNTIME } from "../../constructs/bandup-function";
import { inputHash } from "../../lambda-src/shared/input-hash";
import { FLASHCARD_GENERATOR, SPEAKING_EVALUATOR, WRITING_EVALUATOR } from "../../lambda-src/contract/function-definitions";
import { useBuiltZips, ZIP_API_KEY as API_KEY } from "../support/built-zip";
import { geminiAnswer } from "../support/model-server";
import { node24Binary } from "../support/node-runtimes";
import { makePdf } from "../support/pdf";
import { itemCount, rawItem } from "./handlers/helpers";
import { makeWav } from "./handlers/wav";

const { invoke, variablesOf, db, s3, ssm, model } = useBuiltZips();

const FEEDBACK = { strengths: ["Clear position."], weaknesses: ["Few examples."], suggestions: ["Add one example per paragraph."] };
const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} explains why public transport deserves more funding.`).join(" ");
const PROMPT = "Should governments fund public transport?";
const evaluation = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-456" });

test("the dev stack's functions carry the variables the handlers read", () => {
  expect(variablesOf(WRITING_EVALUATOR)).toEqual({
    DYNAMODB_EVALUATIONS: "bandup-evaluations-dev",
    MODEL_API_KEY_PARAMETER: "/bandup/dev/gemini-api-key",
    MODEL_ID: "gemini-2.5-flash",
    FUNCTION_TIMEOUT_SECONDS: "120",
  });
  expect(variablesOf(SPEAKING_EVALUATOR).UPLOADS_BUCKET).toBe("bandup-uploads-dev");
  expect(variablesOf(FLASHCARD_GENERATOR).FUNCTION_TIMEOUT_SECONDS).toBe("300");
  expect(variablesOf(FLASHCARD_GENERATOR).DYNAMODB_FLASHCARD_SETS).toBe("bandup-flashcard-sets-dev");
});

describe("writing evaluator zip", () => {
  const REQUEST_ID = "5b2a0f7e-9c1d-4e8a-b3f6-0d7c2e1a9b44";

  test("evaluates an essay: the record stored as the design says, the key read once from SSM and never printed", async () => {
    model().reply(
      geminiAnswer({ task_achievement_band: "7.0", coherence_band: "6.5", lexical_band: "7.0", grammar_band: "6.5", overall_band: "7.0", feedback: FEEDBACK }),
    );
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY }, REQUEST_ID);
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ evaluation_id: `eval-${REQUEST_ID}`, status: "completed", overall_band: "7.0" });
    const item = await evaluation(`eval-${REQUEST_ID}`);
    expect(item).toEqual({
      evaluation_id: { S: `eval-${REQUEST_ID}` },
      user_id: { S: "user-456" },
      evaluation_type: { S: "writing" },
      status: { S: "completed" },
      created_at: { N: expect.stringMatching(/^\d{10}$/) },
      task_achievement_band: { S: "7.0" },
      coherence_band: { S: "6.5" },
      lexical_band: { S: "7.0" },
      grammar_band: { S: "6.5" },
      overall_band: { S: "7.0" },
      feedback: { S: JSON.stringify(FEEDBACK) },
      model_used: { S: "gemini-2.5-flash" },
      input_hash: { S: inputHash("writing", { task: "task2", prompt: PROMPT, essay: ESSAY }) },
      recorded_by: { S: expect.stringMatching(new RegExp(`^${REQUEST_ID}/[0-9a-f-]{36}$`)) },
    });
    expect(Math.abs(Number(item!.created_at.N) - Date.now() / 1000)).toBeLessThan(600);
    expect(ssm().requests).toEqual([{ target: "AmazonSSM.GetParameter", body: { Name: "/bandup/dev/gemini-api-key", WithDecryption: true } }]);
    expect(model().problems).toEqual([]);
    expect(run.output).not.toContain(API_KEY);
  });

  test("Lambda's retry (same event, same request id) gets the stored record: no second record, no model call", async () => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY }, REQUEST_ID);
    expect(run.result).toMatchObject({ evaluation_id: `eval-${REQUEST_ID}`, status: "completed", overall_band: "7.0" });
    expect(model().requests).toHaveLength(0);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
    expect(run.output).toContain("job already finished; returning the stored record");
  });

  test("a model error that echoes the key: stored and printed as [redacted]", async () => {
    model().reply({ status: 400, json: { error: { code: 400, message: `API key not valid: ${API_KEY}`, status: "INVALID_ARGUMENT" } } });
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY, evaluation_id: "eval-zip-key" }, "req-zip-key");
    expect(run.result).toMatchObject({ status: "failed", error_message: "the model API answered HTTP 400 (INVALID_ARGUMENT): API key not valid: [redacted]" });
    expect(JSON.stringify(await evaluation("eval-zip-key"))).not.toContain(API_KEY);
    expect(run.output).toContain("[redacted]");
    expect(run.output).not.toContain(API_KEY);
  });
});

describe("speaking evaluator zip", () => {
  beforeAll(async () => {
    await s3().put("uploads/audio/user-456/part2.wav", makeWav(2.5), "audio/wav");
  });

  test("transcribes and bands the caller's own recording, read from the uploads bucket", async () => {
    model().reply(
      geminiAnswer({
        transcript: "I grew up in a small coastal town.",
        duration_seconds: 3,
        fluency_band: "6.5",
        lexical_band: "6.0",
        grammar_band: "6.5",
        pronunciation_band: "7.0",
        overall_band: "6.5",
        feedback: FEEDBACK,
      }),
    );
    const run = await invoke(SPEAKING_EVALUATOR, { user_id: "user-456", audio_key: "uploads/audio/user-456/part2.wav", evaluation_id: "eval-zip-s" }, "req-zip-s");
    expect(run.error).toBeUndefined();
    expect(await evaluation("eval-zip-s")).toMatchObject({
      evaluation_type: { S: "speaking" },
      status: { S: "completed" },
      transcript: { S: "I grew up in a small coastal town." },
      duration: { S: "2.5" },
      word_count: { N: "8" },
      overall_band: { S: "6.5" },
      model_used: { S: "gemini-2.5-flash" },
    });
    expect(s3().requests().map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual(["GET /bandup-uploads-dev/uploads/audio/user-456/part2.wav"]);
  });

  test("another user's recording is refused before any write and any S3 request", async () => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(SPEAKING_EVALUATOR, { user_id: "attacker", audio_key: "uploads/audio/user-456/part2.wav" }, "req-zip-steal");
    expect(run.error).toEqual({
      name: "InvalidEventError",
      message:
        'invalid event: `audio_key` must be in the caller\'s own folder "uploads/audio/attacker/" (the folder after "uploads/audio/" must equal `user_id` exactly); got "uploads/audio/user-456/part2.wav"',
    });
    expect(s3().requests()).toEqual([]);
    expect(model().requests).toEqual([]);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
  });
});

describe("flashcard generator zip (unpdf from its layer)", () => {
  const DOC = "uploads/documents/user-456/vocab-guide.pdf";
  beforeAll(async () => {
    await s3().put(DOC, await makePdf(["Ubiquitous means found everywhere. Meticulous means very careful."]), "application/pdf");
  });

  test("turns the caller's own PDF into a stored flashcard set", async () => {
    const cards = [{ question: "What does ubiquitous mean?", answer: "Found everywhere." }];
    model().reply(geminiAnswer({ flashcards: cards }));
    const run = await invoke(FLASHCARD_GENERATOR, { user_id: "user-456", document_id: DOC, set_id: "set-zip" }, "req-zip-f");
    expect(run.error).toBeUndefined();
    expect(await rawItem(db().client, db().flashcardSetsTable, { set_id: "set-zip", user_id: "user-456" })).toEqual({
      set_id: { S: "set-zip" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "completed" },
      created_at: { N: expect.stringMatching(/^\d{10}$/) },
      flashcards: { S: JSON.stringify(cards) },
      total_cards: { N: "1" },
      page_count: { N: "1" },
      chunk_count: { N: "1" },
      input_hash: { S: inputHash("flashcards", { document_id: DOC }) },
      recorded_by: { S: expect.stringMatching(/^req-zip-f\/[0-9a-f-]{36}$/) },
    });
    const excerpt = (model().requests[0].body.contents![0].parts[0] as { text: string }).text;
    expect(excerpt).toBe("Excerpt 1 of 1:\nUbiquitous means found everywhere. Meticulous means very careful.");
  });
});

describe("the runtimes: Node 22 (nodejs22.x, the functions' runtime) and Node 24 (nodejs24.x, the next one)", () => {
  test("the zips above ran on Node 22, with no SDK warning about the Node.js version", async () => {
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: "too short" }, "req-zip-node22");
    expect(run.node.split(".")[0]).toBe(LAMBDA_RUNTIME.replace(/^nodejs(\d+)\.x$/, "$1"));
    expect(run.error?.name).toBe("InvalidEventError");
    expect(run.output).not.toContain("NodeVersionSupportWarning");
  });

  test.each([
    [WRITING_EVALUATOR.kind, WRITING_EVALUATOR, { user_id: "user-456", task: "task3" }, 'invalid event: `task` must be "task1" or "task2" (the IELTS Writing task); got "task3"'],
    [SPEAKING_EVALUATOR.kind, SPEAKING_EVALUATOR, { user_id: "user-456", audio_key: "uploads/audio/user-456/a.txt" }, 'invalid event: `audio_key` must be the S3 key of an upload under "uploads/audio/" ending with .wav, .mp3, .aiff, .aif, .aac, .ogg, .flac, like "uploads/audio/user-456/file.wav"; got "uploads/audio/user-456/a.txt"'],
    [FLASHCARD_GENERATOR.kind, FLASHCARD_GENERATOR, { user_id: "user-456", document_id: "uploads/documents/other/x.pdf" }, 'invalid event: `document_id` must be in the caller\'s own folder "uploads/documents/user-456/" (the folder after "uploads/documents/" must equal `user_id` exactly); got "uploads/documents/other/x.pdf"'],
  ])("the %s zip loads on Node 24 and answers at its boundary", async (_kind, definition, event, message) => {
    const run = await invoke(definition, event, `req-zip-node24-${definition.kind}`, { node: node24Binary() });
    expect(run.node.split(".")[0]).toBe("24");
    expect(run.error).toEqual({ name: "InvalidEventError", message });
    expect(run.output).not.toContain("Warning");
  });

  test("on Node 24, the writing evaluator's zip evaluates an essay end to end", async () => {
    model().reply(
      geminiAnswer({ task_achievement_band: "6.0", coherence_band: "6.0", lexical_band: "6.5", grammar_band: "6.0", overall_band: "6.0", feedback: FEEDBACK }),
    );
    const run = await invoke(
      WRITING_EVALUATOR,
      { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY, evaluation_id: "eval-zip-node24" },
      "req-zip-node24",
      { node: node24Binary() },
    );
    expect(run.node.split(".")[0]).toBe("24");
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ evaluation_id: "eval-zip-node24", status: "completed", overall_band: "6.0" });
    expect(await evaluation("eval-zip-node24")).toMatchObject({ status: { S: "completed" }, lexical_band: { S: "6.5" } });
  });
});
