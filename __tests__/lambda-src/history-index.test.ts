/**
 * The history index projects summaries (INCLUDE), not whole items: what the index holds, and how a
 * history page still returns whole records by reading each `completed` one by key. Real dynalite
 * (it implements INCLUDE projections), behind a recording proxy that counts the requests.
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentStore } from "../../lambda-src/data/document-store";
import { createDocumentClient } from "../../lambda-src/data/dynamodb-client";
import { createEvaluationsRepository, type EvaluationsRepository } from "../../lambda-src/data/evaluations-repository";
import { createFlashcardSetsRepository, type FlashcardSetsRepository } from "../../lambda-src/data/flashcard-sets-repository";
import { FULL_ITEM_READS_IN_FLIGHT, withFullItems } from "../../lambda-src/data/pagination";
import type { Flashcard, SpeakingResults, WritingResults } from "../../lambda-src/shared/models";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE, HISTORY_INDEX_NAME } from "../../lambda-src/contract/table-definitions";
import { FAKE_CONNECTION, useDynalite } from "../support/dynalite";
import { useRecordingProxy } from "../support/recording-proxy";
import { claim, NOW_MS } from "./claims";

const db = useDynalite();
const proxy = useRecordingProxy(() => db().endpoint);
let client: DynamoDBDocumentClient;
let evaluations: EvaluationsRepository;
let flashcards: FlashcardSetsRepository;
const skipped: Record<string, unknown>[] = [];
const log = (level: "warn", message: string, fields: Record<string, unknown>) => void skipped.push({ level, message, ...fields });

const USER = "user-index";
const FEEDBACK = '{"strengths":["clear position"],"weaknesses":["repetitive linking words"]}';
const WRITING: WritingResults = {
  overall_band: "7.0",
  task_achievement_band: "7.0",
  coherence_band: "6.5",
  lexical_band: "7.0",
  grammar_band: "6.5",
  feedback: FEEDBACK,
  model_used: "gemini-writing_task2",
};
const SPEAKING: SpeakingResults = {
  overall_band: "6.5",
  fluency_band: "6.5",
  lexical_band: "6.0",
  grammar_band: "6.5",
  pronunciation_band: "7.0",
  transcript: "Well, I'd like to talk about my hometown. ".repeat(200).trim(),
  duration: "120.5",
  word_count: 1800,
  feedback: FEEDBACK,
  model_used: "gemini-2.5-flash-audio",
};
const CARDS: Flashcard[] = Array.from({ length: 15 }, (_, i) => ({ question: `What does word ${i} mean?`, answer: `It means thing ${i}.` }));

/** DynamoDB operations the proxy saw since the last reset, e.g. "Query", "GetItem". */
const operations = () => proxy().requests.map((r) => r.target?.replace("DynamoDB_20120810.", ""));

beforeAll(async () => {
  client = createDocumentClient({ ...FAKE_CONNECTION, endpoint: proxy().url });
  evaluations = createEvaluationsRepository({ client, tableName: db().evaluationsTable, clockMs: () => NOW_MS, log });
  flashcards = createFlashcardSetsRepository({ client, tableName: db().flashcardSetsTable, clockMs: () => NOW_MS, log });
  // Newest first: a processing speaking job, a failed writing job, a completed speaking one, a completed writing one.
  const start = (evaluation_id: string, evaluation_type: "writing" | "speaking", created_at: number) =>
    evaluations.startEvaluation({ evaluation_id, user_id: USER, evaluation_type, created_at }, claim());
  await start("eval-i1", "writing", 1733644801);
  await evaluations.completeWritingEvaluation({ evaluation_id: "eval-i1", user_id: USER }, WRITING, "attempt-1");
  await start("eval-i2", "speaking", 1733644802);
  await evaluations.completeSpeakingEvaluation({ evaluation_id: "eval-i2", user_id: USER }, SPEAKING, "attempt-1");
  await start("eval-i3", "writing", 1733644803);
  await evaluations.failEvaluation({ evaluation_id: "eval-i3", user_id: USER }, "the model API answered 503", "attempt-1");
  await start("eval-i4", "speaking", 1733644804);
  for (let i = 1; i <= 25; i++) {
    const set_id = `set-i${String(i).padStart(2, "0")}`;
    await flashcards.startFlashcardSet({ set_id, user_id: USER, document_id: `uploads/documents/${USER}/doc-${i}.pdf`, created_at: 1733644800 + i }, claim());
    await flashcards.completeFlashcardSet({ set_id, user_id: USER }, { flashcards: CARDS, page_count: 8, chunk_count: 24 }, "attempt-1");
  }
});
afterAll(() => client.destroy());

beforeEach(() => {
  proxy().reset();
  skipped.length = 0;
});

describe("what the history index holds", () => {
  test("the keys and the summary attributes of each item: no feedback, transcript, bands or lease holder", async () => {
    const result = await db().client.send(
      new QueryCommand({
        TableName: db().evaluationsTable,
        IndexName: HISTORY_INDEX_NAME,
        KeyConditionExpression: "user_id = :u",
        ExpressionAttributeValues: { ":u": { S: USER } },
        ScanIndexForward: false,
      }),
    );
    const attributes = (result.Items ?? []).map((item) => Object.keys(item).sort());
    expect(attributes).toEqual([
      // processing: its lease's end is projected (a passed lease reads as failed); the holder is not.
      ["created_at", "evaluation_id", "evaluation_type", "lease_expires_at_ms", "status", "user_id"],
      ["created_at", "error_message", "evaluation_id", "evaluation_type", "status", "user_id"],
      ["created_at", "evaluation_id", "evaluation_type", "status", "user_id"],
      ["created_at", "evaluation_id", "evaluation_type", "status", "user_id"],
    ]);
  });

  test("the projection is the one the stacks declare", () => {
    expect(EVALUATIONS_TABLE.historyIndex).toMatchObject({ projection: "INCLUDE", nonKeyAttributes: ["evaluation_type", "status", "error_message", "lease_expires_at_ms"] });
    expect(FLASHCARD_SETS_TABLE.historyIndex).toMatchObject({ projection: "INCLUDE", nonKeyAttributes: ["document_id", "status", "error_message", "lease_expires_at_ms"] });
  });
});

describe("a history page returns whole records", () => {
  test("each completed record is read by key (GetItem); processing and failed ones come from the index alone", async () => {
    const page = await evaluations.listEvaluationHistory(USER, { limit: 10 });
    expect(page.items).toEqual([
      { evaluation_id: "eval-i4", user_id: USER, evaluation_type: "speaking", status: "processing", created_at: 1733644804 },
      { evaluation_id: "eval-i3", user_id: USER, evaluation_type: "writing", status: "failed", created_at: 1733644803, error_message: "the model API answered 503" },
      { evaluation_id: "eval-i2", user_id: USER, evaluation_type: "speaking", status: "completed", created_at: 1733644802, ...SPEAKING, feedback: JSON.parse(FEEDBACK) },
      { evaluation_id: "eval-i1", user_id: USER, evaluation_type: "writing", status: "completed", created_at: 1733644801, ...WRITING, feedback: JSON.parse(FEEDBACK) },
    ]);
    expect(operations()).toEqual(["Query", "GetItem", "GetItem"]);
    const reads = proxy().requests.filter((r) => r.target === "DynamoDB_20120810.GetItem").map((r) => JSON.parse(r.body));
    expect(reads).toEqual([
      { TableName: db().evaluationsTable, Key: { evaluation_id: { S: "eval-i2" }, user_id: { S: USER } }, ConsistentRead: true },
      { TableName: db().evaluationsTable, Key: { evaluation_id: { S: "eval-i1" }, user_id: { S: USER } }, ConsistentRead: true },
    ].map((r) => expect.objectContaining(r)));
  });

  test("the type filter runs on the index (evaluation_type is projected) and only the matches are read by key", async () => {
    const page = await evaluations.listEvaluationHistory(USER, { limit: 10, evaluationType: "writing" });
    expect(page.items.map((e) => [e.evaluation_id, e.status])).toEqual([["eval-i3", "failed"], ["eval-i1", "completed"]]);
    expect(operations().filter((o) => o === "GetItem")).toHaveLength(1);
  });

  test(`a page of 25 completed flashcard sets reads 25 items by key, ${FULL_ITEM_READS_IN_FLIGHT} at a time at most, newest first`, async () => {
    // A client that counts the requests in flight, around the real one.
    let inFlight = 0;
    let most = 0;
    const counting = {
      send: async (command: Parameters<DynamoDBDocumentClient["send"]>[0]) => {
        most = Math.max(most, ++inFlight);
        try {
          return await client.send(command);
        } finally {
          inFlight--;
        }
      },
    } as unknown as DynamoDBDocumentClient;
    const counted = createFlashcardSetsRepository({ client: counting, tableName: db().flashcardSetsTable, clockMs: () => NOW_MS, log });
    const page = await counted.listCompletedFlashcardSets(USER, { limit: 25 });
    expect(page.items.map((s) => s.set_id)).toEqual(Array.from({ length: 25 }, (_, i) => `set-i${String(25 - i).padStart(2, "0")}`));
    expect(page.items[0]).toMatchObject({ status: "completed", flashcards: CARDS, total_cards: 15, page_count: 8, chunk_count: 24 });
    expect(operations()).toEqual(["Query", ...Array(25).fill("GetItem")]);
    expect(most).toBe(FULL_ITEM_READS_IN_FLIGHT);
  });

  test("an index entry whose item is no longer in the table is left out with a log line naming its key", async () => {
    const entries = [
      { evaluation_id: "eval-i1", user_id: USER, evaluation_type: "writing", status: "completed", created_at: 1733644801 },
      { evaluation_id: "eval-gone", user_id: USER, evaluation_type: "writing", status: "completed", created_at: 1733644800 },
    ];
    const items = await withFullItems(documentStore(client), db().evaluationsTable, EVALUATIONS_TABLE, entries, log);
    expect(items.map((i) => i.evaluation_id)).toEqual(["eval-i1"]);
    expect(items[0]).toMatchObject({ feedback: FEEDBACK, model_used: WRITING.model_used });
    expect(skipped).toEqual([
      { level: "warn", message: "skipped an item of a history page that is no longer in the table", key: { evaluation_id: "eval-gone", user_id: USER } },
    ]);
  });

  test("with an ALL index the entries are whole already: nothing is read by key", async () => {
    const allIndex = { ...EVALUATIONS_TABLE, historyIndex: { ...EVALUATIONS_TABLE.historyIndex, projection: "ALL" as const, nonKeyAttributes: [] } };
    const entries = [{ evaluation_id: "eval-i1", user_id: USER, status: "completed", created_at: 1733644801 }];
    expect(await withFullItems(documentStore(client), db().evaluationsTable, allIndex, entries, log)).toEqual(entries);
    expect(operations()).toEqual([]);
  });
});
