/**
 * Each user reads only their own uploads, and ids are well-formed Unicode: the Speaking Evaluator and
 * the Flashcard Generator refuse, before any write and any S3 request, an upload key outside the
 * caller's folder. s3rver sits behind a recording proxy (support/s3rver.ts), so "no S3 request" is
 * asserted on what reached it; the victim's uploads are really there.
 */
import { createEvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { createFlashcardSetsRepository } from "../../../lambda-src/data/flashcard-sets-repository";
import { createFlashcardGeneratorHandler } from "../../../lambda-src/flashcard-generator/handler";
import { InvalidEventError } from "../../../lambda-src/shared/event";
import { createSpeakingEvaluatorHandler } from "../../../lambda-src/speaking-evaluator/handler";
import { createWritingEvaluatorHandler } from "../../../lambda-src/writing-evaluator/handler";
import { useDynalite } from "../../support/dynalite";
import { geminiAnswer, useModelServer } from "../../support/model-server";
import { makePdf } from "../../support/pdf";
import { useS3rver } from "../../support/s3rver";
import { API_KEY, contextWith, itemCount, MODEL_ID, NOW, rejectionOf, silentLog, testModelClient } from "./helpers";
import { makeWav } from "./wav";

const db = useDynalite();
const s3 = useS3rver();
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });

const handlers = () => ({
  speaking: createSpeakingEvaluatorHandler({
    evaluations: createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => NOW }),
    model: testModelClient(model().url),
    s3: s3().client,
    uploadsBucket: s3().bucket,
    log: silentLog,
  }),
  flashcards: createFlashcardGeneratorHandler({
    flashcardSets: createFlashcardSetsRepository({ client: db().documentClient, tableName: db().flashcardSetsTable, now: () => NOW }),
    model: testModelClient(model().url),
    s3: s3().client,
    uploadsBucket: s3().bucket,
    // Never reached: every event here is refused before the PDF is read.
    extractText: async () => {
      throw new Error("the PDF must not be read");
    },
    log: silentLog,
  }),
});

beforeAll(async () => {
  await s3().put("uploads/audio/victim/x.wav", makeWav(1), "audio/wav");
  await s3().put("uploads/audio/user-45/x.wav", makeWav(1), "audio/wav");
  await s3().put("uploads/documents/victim/x.pdf", await makePdf(["The victim's private notes."]), "application/pdf");
});

const AUDIO_RULE = (user: string) =>
  `must be in the caller's own folder "uploads/audio/${user}/" (the folder after "uploads/audio/" must equal \`user_id\` exactly)`;
const DOCUMENT_RULE = (user: string) =>
  `must be in the caller's own folder "uploads/documents/${user}/" (the folder after "uploads/documents/" must equal \`user_id\` exactly)`;

/** Runs `attempt` and checks it was refused before anything happened: no write, no S3 request, no model call. */
async function expectRefusedUntouched(attempt: () => Promise<unknown>, field: string, message: string): Promise<void> {
  const before = [await itemCount(db().client, db().evaluationsTable), await itemCount(db().client, db().flashcardSetsTable)];
  const error = await rejectionOf(attempt());
  expect(error).toBeInstanceOf(InvalidEventError);
  expect((error as InvalidEventError).field).toBe(field);
  expect(error.message).toBe(message);
  expect(s3().requests()).toEqual([]);
  expect(model().requests).toEqual([]);
  expect([await itemCount(db().client, db().evaluationsTable), await itemCount(db().client, db().flashcardSetsTable)]).toEqual(before);
}

describe("another user's upload", () => {
  test.each([
    ["the victim's folder", "attacker", "uploads/audio/victim/x.wav"],
    ["a folder whose name starts with the caller's id", "user-4", "uploads/audio/user-45/x.wav"],
    ["a key right under the prefix, in no one's folder", "attacker", "uploads/audio/x.wav"],
    ["the caller's id in a deeper folder", "attacker", "uploads/audio/victim/attacker/x.wav"],
    ["a folder that differs only in case", "Victim", "uploads/audio/victim/x.wav"],
  ])("Speaking Evaluator: %s is refused; no S3 request is made", async (_name, user_id, audio_key) => {
    await expectRefusedUntouched(
      () => handlers().speaking({ user_id, audio_key, evaluation_id: "eval-steal" }, contextWith(60_000)),
      "audio_key",
      `invalid event: \`audio_key\` ${AUDIO_RULE(user_id)}; got ${JSON.stringify(audio_key)}`,
    );
  });

  test.each([
    ["the victim's folder (the design's example key, another user)", "attacker", "uploads/documents/victim/x.pdf"],
    ["a key right under the prefix", "attacker", "uploads/documents/x.pdf"],
  ])("Flashcard Generator: %s is refused; no S3 request is made", async (_name, user_id, document_id) => {
    await expectRefusedUntouched(
      () => handlers().flashcards({ user_id, document_id, set_id: "set-steal" }, contextWith(60_000)),
      "document_id",
      `invalid event: \`document_id\` ${DOCUMENT_RULE(user_id)}; got ${JSON.stringify(document_id)}`,
    );
  });

  test("a user_id holding \"/\" owns no folder: its keys are refused", async () => {
    await expectRefusedUntouched(
      () => handlers().speaking({ user_id: "victim/x.wav", audio_key: "uploads/audio/victim/x.wav" }, contextWith(60_000)),
      "audio_key",
      `invalid event: \`audio_key\` ${AUDIO_RULE("victim/x.wav")}; got "uploads/audio/victim/x.wav"`,
    );
  });

  test("the existing path rules still come first: `..` is refused as before", async () => {
    await expectRefusedUntouched(
      () => handlers().flashcards({ user_id: "attacker", document_id: "uploads/documents/attacker/../victim/x.pdf" }, contextWith(60_000)),
      "document_id",
      'invalid event: `document_id` must be the S3 key of an upload under "uploads/documents/" ending with .pdf, like "uploads/documents/user-456/file.pdf", at most 1024 bytes, without empty, "." or ".." path segments; got "uploads/documents/attacker/../victim/x.pdf"',
    );
  });

  test("the owner's own key is read (one GetObject) and evaluated", async () => {
    model().reply(
      geminiAnswer({
        transcript: "My hometown is quiet.",
        duration_seconds: 1,
        fluency_band: "6.0",
        lexical_band: "6.0",
        grammar_band: "6.0",
        pronunciation_band: "6.0",
        overall_band: "6.0",
        feedback: { strengths: ["a"], weaknesses: ["b"], suggestions: ["c"] },
      }),
    );
    const result = await handlers().speaking({ user_id: "victim", audio_key: "uploads/audio/victim/x.wav", evaluation_id: "eval-own" }, contextWith(60_000));
    expect(result).toMatchObject({ status: "completed", user_id: "victim" });
    expect(s3().requests().map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([`GET /${s3().bucket}/uploads/audio/victim/x.wav`]);
  });
});

describe("lone UTF-16 surrogates in ids and keys", () => {
  const RULE = "must be well-formed Unicode (no lone UTF-16 surrogate, which would be stored as U+FFFD)";

  test("`user_id` \"victim\\uD800\" is refused by every function (on DynamoDB it would be \"victim\\uFFFD\")", async () => {
    const writing = createWritingEvaluatorHandler({
      evaluations: createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable }),
      model: testModelClient(model().url),
      log: silentLog,
    });
    const essay = "A sentence of several words that says something about the topic at hand. ".repeat(6);
    const message = `invalid event: \`user_id\` ${RULE}; got "victim\\ud800"`;
    await expectRefusedUntouched(() => writing({ user_id: "victim\uD800", task: "task2", prompt: "p", essay }), "user_id", message);
    await expectRefusedUntouched(() => handlers().speaking({ user_id: "victim\uD800", audio_key: "uploads/audio/victim\uD800/x.wav" }), "user_id", message);
    await expectRefusedUntouched(() => handlers().flashcards({ user_id: "victim\uDC00", document_id: "uploads/documents/victim/x.pdf" }), "user_id", `invalid event: \`user_id\` ${RULE}; got "victim\\udc00"`);
  });

  test("an upload key with a lone surrogate is refused", async () => {
    await expectRefusedUntouched(
      () => handlers().speaking({ user_id: "victim", audio_key: "uploads/audio/victim/\uD83Dx.wav" }),
      "audio_key",
      `invalid event: \`audio_key\` ${RULE}; got "uploads/audio/victim/\\ud83dx.wav"`,
    );
  });

  test("job ids allow ASCII only, so a surrogate is refused by their usual rule", async () => {
    await expectRefusedUntouched(
      () => handlers().flashcards({ user_id: "victim", document_id: "uploads/documents/victim/x.pdf", set_id: "set-\uD800" }),
      "set_id",
      'invalid event: `set_id` must be 1 to 128 characters: letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit, or left out to get a new id; got "set-\\ud800"',
    );
  });
});
