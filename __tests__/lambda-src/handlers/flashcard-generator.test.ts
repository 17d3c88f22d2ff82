/**
 * The Flashcard Generator end to end: dynalite, s3rver holding a real PDF made here with pdf-lib,
 * the PDF text extractor as esbuild bundles it (see support/pdf.ts), the Gemini client over HTTP to
 * the local model server, and a mocked SSM client for the API key (the built-zip tests use an HTTP
 * stand-in).
 */
import { createFlashcardSetsRepository } from "../../../lambda-src/data/flashcard-sets-repository";
import { chunkText } from "../../../lambda-src/flashcard-generator/chunks";
import {
  createFlashcardGeneratorHandler,
  type FlashcardGeneratorDependencies,
  type FlashcardGeneratorHandler,
} from "../../../lambda-src/flashcard-generator/handler";
import { InvalidEventError, USER_ID_RULE } from "../../../lambda-src/shared/event";
import { inputHash } from "../../../lambda-src/shared/input-hash";
import { useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer, type RecordedRequest } from "../../support/model-server";
import { loadBundledPdfExtractor, makePdf } from "../../support/pdf";
import { useS3rver } from "../../support/s3rver";
import { API_KEY, fakeSsm, itemCount, MODEL_ID, NOW, rawItem, rejectionOf, silentLog, testModelClient } from "./helpers";

const db = useDynalite();
const s3 = useS3rver();
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
let deps: FlashcardGeneratorDependencies;
let handler: FlashcardGeneratorHandler;

const PAGES = [
  "Academic vocabulary. The word ubiquitous means present everywhere. A mitigating factor makes a problem less severe.",
  "Collocations. We say make a decision and do homework. Heavy traffic is a common collocation in IELTS Task 1 answers.",
  "Linking words. However introduces a contrast. Furthermore adds a point. Consequently introduces a result of what came before.",
];
const DOC = "uploads/documents/user-456/vocab-guide.pdf";
const CARDS = [
  { question: "What does ubiquitous mean?", answer: "Present everywhere." },
  { question: "Which verb collocates with decision?", answer: "Make (make a decision)." },
];

beforeAll(async () => {
  deps = {
    flashcardSets: createFlashcardSetsRepository({ client: db().documentClient, tableName: db().flashcardSetsTable, now: () => NOW }),
    model: testModelClient(model().url, fakeSsm()),
    s3: s3().client,
    uploadsBucket: s3().bucket,
    extractText: loadBundledPdfExtractor().extractPdfText,
    log: silentLog,
  };
  handler = createFlashcardGeneratorHandler(deps);
  await s3().put(DOC, await makePdf(PAGES), "application/pdf");
  await s3().put("uploads/documents/user-456/empty.pdf", await makePdf(["", ""]), "application/pdf");
  await s3().put("uploads/documents/user-456/fake.pdf", "this is not a PDF", "application/pdf");
});

const event = (overrides: Record<string, unknown> = {}) => ({ user_id: "user-456", document_id: DOC, ...overrides });
const stored = (set_id: string) => rawItem(db().client, db().flashcardSetsTable, { set_id, user_id: "user-456" });
const excerpt = (request: RecordedRequest) => (request.body.contents![0].parts[0] as { text: string }).text;

test("chunks split at sentence boundaries and never exceed the limit", () => {
  expect(chunkText(["One two. Three four.", "Five six."], 10)).toEqual(["One two.", "Three", "four.", "Five six."]);
  expect(chunkText(["One two. Three four."], 100)).toEqual(["One two. Three four."]);
  expect(chunkText(["abcdefghij"], 4)).toEqual(["abcd", "efgh", "ij"]);
});

test("success: extracts the PDF's text, asks for cards and stores them with the counts", async () => {
  model().reply(geminiAnswer({ flashcards: CARDS }));
  const result = await handler(event({ set_id: "set-ok" }));

  expect(await stored("set-ok")).toEqual({
    set_id: { S: "set-ok" },
    user_id: { S: "user-456" },
    document_id: { S: DOC },
    status: { S: "completed" },
    created_at: { N: String(NOW) },
    flashcards: { S: JSON.stringify(CARDS) },
    total_cards: { N: "2" },
    page_count: { N: "3" },
    chunk_count: { N: "1" },
    input_hash: { S: inputHash("flashcards", { document_id: DOC }) },
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
  expect(result).toMatchObject({ status: "completed", total_cards: 2, flashcards: CARDS });
  expect(model().problems).toEqual([]);
  expect(model().requests).toHaveLength(1);
  // The text came out of the real PDF.
  expect(excerpt(model().requests[0])).toBe(`Excerpt 1 of 1:\n${PAGES.join(" ")}`);
});

test("a longer document is sent in bounded chunks; repeated questions are kept once", async () => {
  const chunked = createFlashcardGeneratorHandler({ ...deps, limits: { chunkMaxCharacters: 150, concurrency: 2 } });
  model().reply((request) => {
    const n = /^Excerpt (\d+)/.exec(excerpt(request))![1];
    return geminiAnswer({ flashcards: [CARDS[0], { question: `Question from excerpt ${n}?`, answer: `Answer ${n}.` }] });
  });
  const result = await chunked(event({ set_id: "set-chunks" }));
  expect(model().requests).toHaveLength(3);
  expect(result).toMatchObject({ status: "completed", total_cards: 4, page_count: 3, chunk_count: 3 });
  if (result.status !== "completed") throw new Error("not completed");
  expect(result.flashcards.map((c) => c.question)).toEqual([
    CARDS[0].question,
    "Question from excerpt 1?",
    "Question from excerpt 2?",
    "Question from excerpt 3?",
  ]);
  for (const request of model().requests) expect(excerpt(request).length).toBeLessThanOrEqual("Excerpt 1 of 3:\n".length + 150);
});

test("a document over the chunk bound is refused with the reason, without calling the model", async () => {
  const bounded = createFlashcardGeneratorHandler({ ...deps, limits: { chunkMaxCharacters: 150, maxChunks: 2 } });
  const result = await bounded(event({ set_id: "set-too-long" }));
  expect(result).toMatchObject({
    status: "failed",
    error_message: `s3://${s3().bucket}/${DOC} has ${PAGES.join("").length} characters of text (3 chunks); at most 2 chunks of 150 characters are turned into flashcards: split the document`,
  });
  expect(model().requests).toHaveLength(0);
});

test("model error: HTTP 500 records `failed` with the API's message", async () => {
  model().reply(geminiError(500, "INTERNAL", "An internal error has occurred."));
  const result = await handler(event({ set_id: "set-500" }));
  const message = "the model API answered HTTP 500 (INTERNAL): An internal error has occurred.";
  expect(result).toMatchObject({ status: "failed", error_message: message });
  expect(await stored("set-500")).toEqual({
    set_id: { S: "set-500" },
    user_id: { S: "user-456" },
    document_id: { S: DOC },
    status: { S: "failed" },
    created_at: { N: String(NOW) },
    error_message: { S: message },
    input_hash: { S: inputHash("flashcards", { document_id: DOC }) },
    recorded_by: { S: expect.stringMatching(/^local\/[0-9a-f-]{36}$/) },
  });
});

test.each([
  ["a card without an answer", { flashcards: [{ question: "Q?" }] }, "the model's answer is malformed: `flashcards[0].answer` must be a non-empty string; got undefined"],
  ["no flashcards list", { cards: CARDS }, "the model's answer is malformed: `flashcards` must be an array of {question, answer}; got undefined"],
  ["an empty list", { flashcards: [] }, `the model wrote no flashcards for s3://bandup-uploads-test/${DOC}`],
])("malformed answer (%s) records `failed`", async (name, answer, message) => {
  const id = `set-bad-${name.replace(/\W+/g, "-")}`;
  model().reply(geminiAnswer(answer));
  expect(await handler(event({ set_id: id }))).toMatchObject({ status: "failed", error_message: message });
  expect((await stored(id))?.error_message).toEqual({ S: message });
});

test("a PDF without text, a file that is not a PDF, and a missing upload record `failed`", async () => {
  expect(await handler(event({ set_id: "set-empty", document_id: "uploads/documents/user-456/empty.pdf" }))).toMatchObject({
    status: "failed",
    error_message: `s3://bandup-uploads-test/uploads/documents/user-456/empty.pdf has 0 characters of text on 2 page(s), too little for flashcards (a scanned PDF needs OCR first)`,
  });
  expect(await handler(event({ set_id: "set-fake", document_id: "uploads/documents/user-456/fake.pdf" }))).toMatchObject({
    status: "failed",
    error_message: "s3://bandup-uploads-test/uploads/documents/user-456/fake.pdf is not a PDF (no %PDF- header)",
  });
  expect(await handler(event({ set_id: "set-missing", document_id: "uploads/documents/user-456/none.pdf" }))).toMatchObject({
    status: "failed",
    error_message: "s3://bandup-uploads-test/uploads/documents/user-456/none.pdf does not exist",
  });
  expect(model().requests).toHaveLength(0);
});

describe("bad events are refused before any write, naming the field", () => {
  const keyRule = 'must be the S3 key of an upload under "uploads/documents/" ending with .pdf, like "uploads/documents/user-456/file.pdf"';
  test.each<[string, unknown, string, string]>([
    ["not an object", [], "event", "invalid event: `event` must be a JSON object with `user_id`, `document_id`, `set_id`; got an array of 0 items"],
    ["unknown field", event({ evaluation_id: "e" }), "evaluation_id", 'invalid event: `evaluation_id` is not a field of this event (expected only `user_id`, `document_id`, `set_id`); got "e"'],
    ["user_id", event({ user_id: "" }), "user_id", `invalid event: \`user_id\` ${USER_ID_RULE}; got ""`],
    ["document_id missing", event({ document_id: undefined }), "document_id", `invalid event: \`document_id\` ${keyRule}; got undefined`],
    ["document_id outside the prefix", event({ document_id: "uploads/audio/user-456/a.pdf" }), "document_id", `invalid event: \`document_id\` ${keyRule}; got "uploads/audio/user-456/a.pdf"`],
    ["document_id not a PDF", event({ document_id: "uploads/documents/user-456/a.docx" }), "document_id", `invalid event: \`document_id\` ${keyRule}; got "uploads/documents/user-456/a.docx"`],
    ["set_id", event({ set_id: "-set" }), "set_id", 'invalid event: `set_id` must be 1 to 128 characters: letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit, or left out to get a new id; got "-set"'],
  ])("%s", async (_name, badEvent, field, message) => {
    const before = await itemCount(db().client, db().flashcardSetsTable);
    const error = await rejectionOf(handler(badEvent));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe(message);
    expect((error as InvalidEventError).field).toBe(field);
    expect(await itemCount(db().client, db().flashcardSetsTable)).toBe(before);
    expect(model().requests).toHaveLength(0);
  });
});

describe("retried invocations", () => {
  test("the same set_id twice: one record, the model called once", async () => {
    model().reply(geminiAnswer({ flashcards: CARDS }));
    const first = await handler(event({ set_id: "set-retry" }));
    const before = await stored("set-retry");
    const count = await itemCount(db().client, db().flashcardSetsTable);
    expect(await handler(event({ set_id: "set-retry" }))).toEqual(first);
    expect(await stored("set-retry")).toEqual(before);
    expect(await itemCount(db().client, db().flashcardSetsTable)).toBe(count);
    expect(model().requests).toHaveLength(1);
  });

  test("a set_id of another document is refused, nothing changed", async () => {
    const before = await stored("set-retry");
    const error = await rejectionOf(handler(event({ set_id: "set-retry", document_id: "uploads/documents/user-456/other.pdf" })));
    expect(await stored("set-retry")).toEqual(before);
    expect(model().requests).toHaveLength(0);
    expect(s3().requests()).toEqual([]);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message).toBe(
      `invalid event: \`set_id\` must not name an existing flashcard set of another document (this one is of "${DOC}"); leave it out to start a new set; got "set-retry"`,
    );
  });

  test("an event without set_id gets a new set-<uuid>", async () => {
    model().reply(geminiAnswer({ flashcards: CARDS }));
    const result = await handler(event());
    expect(result.set_id).toMatch(/^set-[0-9a-f-]{36}$/);
    expect(await itemCount(db().client, db().flashcardSetsTable)).toBeGreaterThan(0);
  });
});
