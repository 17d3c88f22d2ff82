import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createFlashcardSetsRepository, type FlashcardSetsRepository } from "../../lambda-src/data/flashcard-sets-repository";
import { MAX_QUERIES_PER_PAGE } from "../../lambda-src/data/pagination";
import {
  InvalidInputError,
  ItemTooLargeError,
  RecordNotFoundError,
  StatusTransitionError,
} from "../../lambda-src/shared/errors";
import type { Flashcard, FlashcardSetResults, JobStatus } from "../../lambda-src/shared/models";
import { useDynalite } from "../support/dynalite";
import { claim, hashOf, NOW_MS } from "./claims";
import { expectRejection } from "./expect-error";

const db = useDynalite();
let repo: FlashcardSetsRepository;

beforeAll(() => {
  repo = createFlashcardSetsRepository({ client: db().documentClient, tableName: db().flashcardSetsTable, now: () => 1733644800, clockMs: () => NOW_MS });
});

async function rawItem(set_id: string, user_id: string) {
  const result = await db().client.send(
    new GetItemCommand({
      TableName: db().flashcardSetsTable,
      Key: { set_id: { S: set_id }, user_id: { S: user_id } },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

const DOC = "uploads/documents/user-456/vocab-guide.pdf";
const CARDS: Flashcard[] = [
  { question: "What is a collocation?", answer: "Words that often go together, e.g. 'make a decision'." },
  { question: "Synonym of 'important'?", answer: "Significant" },
];
const RESULTS: FlashcardSetResults = { flashcards: CARDS, page_count: 8, chunk_count: 24 };

/** Starts a set and moves it to `status`. */
async function seed(set_id: string, user_id: string, created_at: number, status: JobStatus): Promise<void> {
  await repo.startFlashcardSet({ set_id, user_id, document_id: DOC, created_at }, claim());
  if (status === "completed") await repo.completeFlashcardSet({ set_id, user_id }, RESULTS, "attempt-1");
  if (status === "failed") await repo.failFlashcardSet({ set_id, user_id }, "PDF has no text layer", "attempt-1");
}

const HASH = { input_hash: { S: hashOf("default") } };

async function allPages(userId: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await repo.listCompletedFlashcardSets(userId, { limit, nextToken });
    pages.push(page.items.map((s) => s.set_id));
    nextToken = page.nextToken;
    if (pages.length > 50) throw new Error("listing does not end");
  } while (nextToken !== undefined);
  return pages;
}

describe("start, complete, fail", () => {
  test("start writes the processing record with the lease; a second start, in progress or of another document, leaves it unchanged", async () => {
    const input = { set_id: "flashcard-set-123", user_id: "user-456", document_id: DOC };
    const first = await repo.startFlashcardSet(input, claim());
    expect(first).toEqual({ state: "started", record: { ...input, status: "processing", created_at: 1733644800 } });
    const stored = {
      set_id: { S: "flashcard-set-123" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "processing" },
      created_at: { N: "1733644800" },
      ...HASH,
      lease_holder: { S: "attempt-1" },
      lease_expires_at_ms: { N: String(NOW_MS + 60_000) },
    };
    expect(await rawItem("flashcard-set-123", "user-456")).toEqual(stored);
    const again = await repo.startFlashcardSet({ ...input, created_at: 5 }, claim({ holder: "attempt-2" }));
    expect(again).toEqual({ state: "in-progress", record: first.record, leaseExpiresAtMs: NOW_MS + 60_000 });
    const other = await repo.startFlashcardSet({ ...input, document_id: "uploads/other.pdf", created_at: 5 }, claim({ holder: "attempt-2" }));
    expect(other.state).toBe("other-input");
    expect(other.record).toEqual(first.record);
    expect(await rawItem("flashcard-set-123", "user-456")).toEqual(stored);
  });

  test("completing stores the design's item: flashcards as a JSON string, total_cards counted", async () => {
    const key = { set_id: "flashcard-set-123", user_id: "user-456" };
    const done = await repo.completeFlashcardSet(key, RESULTS, "attempt-1");
    expect(done).toEqual({
      ...key,
      document_id: DOC,
      status: "completed",
      flashcards: CARDS,
      total_cards: 2,
      page_count: 8,
      chunk_count: 24,
      created_at: 1733644800,
    });
    expect(await rawItem(key.set_id, key.user_id)).toEqual({
      set_id: { S: "flashcard-set-123" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "completed" },
      flashcards: { S: JSON.stringify(CARDS) },
      total_cards: { N: "2" },
      page_count: { N: "8" },
      chunk_count: { N: "24" },
      created_at: { N: "1733644800" },
      ...HASH,
      recorded_by: { S: "attempt-1" },
    });
    expect(await repo.getFlashcardSet(key)).toEqual(done);
  });

  test("a second completion, a failure after completion and a completion of a missing set are refused", async () => {
    const key = { set_id: "flashcard-set-123", user_id: "user-456" };
    const before = await rawItem(key.set_id, key.user_id);
    await expectRejection(
      repo.completeFlashcardSet(key, { ...RESULTS, page_count: 99 }, "attempt-1"),
      StatusTransitionError,
      'flashcard set {"set_id":"flashcard-set-123","user_id":"user-456"} is "completed", not "processing"; it cannot be completed',
    );
    await expectRejection(
      repo.failFlashcardSet(key, "late failure", "attempt-1"),
      StatusTransitionError,
      'flashcard set {"set_id":"flashcard-set-123","user_id":"user-456"} is "completed", not "processing"; it cannot be marked failed',
    );
    expect(await rawItem(key.set_id, key.user_id)).toEqual(before);

    await expectRejection(
      repo.completeFlashcardSet({ set_id: "set-nope", user_id: "user-456" }, RESULTS, "attempt-1"),
      RecordNotFoundError,
      'flashcard set {"set_id":"set-nope","user_id":"user-456"} does not exist; it cannot be completed',
    );
    expect(await rawItem("set-nope", "user-456")).toBeUndefined();
  });

  test("failing stores error_message", async () => {
    await seed("set-failed", "user-456", 10, "failed");
    expect(await rawItem("set-failed", "user-456")).toEqual({
      set_id: { S: "set-failed" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "failed" },
      error_message: { S: "PDF has no text layer" },
      created_at: { N: "10" },
      ...HASH,
      recorded_by: { S: "attempt-1" },
    });
  });

  test("10 concurrent starts: exactly one starts; the others are in progress (same document) or other input", async () => {
    // Even attempts carry the same document, odd ones each another.
    const documents = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? DOC : `${DOC}#${i}`));
    const results = await Promise.all(
      documents.map((document_id, i) =>
        repo.startFlashcardSet(
          { set_id: "set-race", user_id: "user-race", document_id, created_at: 2000 + i },
          claim({ holder: `attempt-${i}`, inputHash: hashOf(document_id) }),
        ),
      ),
    );
    expect(results.filter((r) => r.state === "started")).toHaveLength(1);
    const winner = results.find((r) => r.state === "started")!.record;
    results.forEach((r, i) => {
      expect(r.record).toEqual(winner);
      if (r.state !== "started") expect(r.state).toBe(documents[i] === winner.document_id ? "in-progress" : "other-input");
    });
    const winnerIndex = results.findIndex((r) => r.state === "started");
    expect(await rawItem("set-race", "user-race")).toEqual({
      set_id: { S: "set-race" },
      user_id: { S: "user-race" },
      document_id: { S: winner.document_id },
      status: { S: "processing" },
      created_at: { N: String(winner.created_at) },
      input_hash: { S: hashOf(winner.document_id) },
      lease_holder: { S: `attempt-${winnerIndex}` },
      lease_expires_at_ms: { N: String(NOW_MS + 60_000) },
    });
  });
});

describe("validation before any write", () => {
  const KEY = { set_id: "set-validate", user_id: "user-456" };
  beforeAll(() => seed(KEY.set_id, KEY.user_id, 20, "processing"));

  const cases: [string, Record<string, unknown>, string][] = [
    ["no cards", { flashcards: [] }, "`flashcards` must be a non-empty array of {question, answer}; got []"],
    ["a card without an answer", { flashcards: [CARDS[0], { question: "Q?" }] }, "`flashcards[1].answer` must be a non-empty string; got undefined"],
    ["a card with an extra attribute", { flashcards: [{ ...CARDS[0], hint: "x" }] }, '`flashcards[0].hint` is not a flashcard attribute (only `question` and `answer`); got "x"'],
    ["a negative page_count", { page_count: -1 }, "`page_count` must be a non-negative integer; got -1"],
    ["a fractional chunk_count", { chunk_count: 2.5 }, "`chunk_count` must be a non-negative integer; got 2.5"],
    ["total_cards from the caller", { total_cards: 3 }, "`total_cards` does not belong to flashcard set results; got 3"],
  ];
  test.each(cases)("complete: %s", async (_name, change, message) => {
    await expectRejection(repo.completeFlashcardSet(KEY, { ...RESULTS, ...change } as FlashcardSetResults, "attempt-1"), InvalidInputError, message);
    expect((await rawItem(KEY.set_id, KEY.user_id))?.status).toEqual({ S: "processing" });
  });

  test("start: a document_id longer than an S3 key is refused and nothing is written", async () => {
    const document_id = "d".repeat(1025);
    await expectRejection(
      repo.startFlashcardSet({ set_id: "set-long-doc", user_id: "user-456", document_id }, claim()),
      InvalidInputError,
      `\`document_id\` must be a non-empty string of at most 1024 UTF-8 bytes; got "${"d".repeat(79)}… (1027 characters)`,
    );
    expect(await rawItem("set-long-doc", "user-456")).toBeUndefined();
  });

  test("~400 KB of cards is refused before the write; the set stays processing without cards", async () => {
    const flashcards = Array.from({ length: 400 }, (_, i) => ({ question: `Q${i}?`, answer: "a".repeat(1000) }));
    // Counted by hand: name bytes + value bytes. created_at at its largest (9999999999: 5 + 1 bytes),
    // total_cards 400 and page_count 8 and chunk_count 24 (2 bytes each), document_id (kept from the
    // start, not re-read) at its largest, 1024 bytes, and the input_hash the record keeps (64 hex)
    const expected =
      "set_id".length + "set-validate".length +
      "user_id".length + "user-456".length +
      "status".length + "completed".length +
      "created_at".length + 6 +
      "flashcards".length + JSON.stringify(flashcards).length +
      "total_cards".length + 2 + "page_count".length + 2 + "chunk_count".length + 2 +
      "document_id".length + 1024 +
      "input_hash".length + 64 +
      // and who recorded it: a holder of at most 256 characters, 4 UTF-8 bytes each at most.
      "recorded_by".length + 256 * 4;
    await expectRejection(
      repo.completeFlashcardSet(KEY, { ...RESULTS, flashcards }, "attempt-1"),
      ItemTooLargeError,
      `\`item\` must be at most 409600 bytes (DynamoDB's 400 KB item limit, attribute names included); got ${expected} bytes`,
    );
    expect(await rawItem(KEY.set_id, KEY.user_id)).toEqual({
      set_id: { S: "set-validate" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "processing" },
      created_at: { N: "20" },
      ...HASH,
      lease_holder: { S: "attempt-1" },
      lease_expires_at_ms: { N: String(NOW_MS + 60_000) },
    });
  });
});

describe("listCompletedFlashcardSets", () => {
  const USER = "user-sets";
  beforeAll(async () => {
    // Newest first: s9 failed, s8 completed, s7 processing, s6 completed, s5 completed, s4 failed,
    // s3 completed, s2 processing, s1 completed.
    const statuses: JobStatus[] = ["completed", "processing", "completed", "failed", "completed", "completed", "processing", "completed", "failed"];
    for (let i = 0; i < statuses.length; i++) await seed(`s${i + 1}`, USER, 1733640000 + i, statuses[i]);
    await seed("other-user-set", "user-else", 1733649999, "completed");
  });

  test("only completed sets, newest first, pages of 2 until done: none lost, no duplicates", async () => {
    expect(await allPages(USER, 2)).toEqual([["s8", "s6"], ["s5", "s3"], ["s1"]]);
  });

  test("pages of 1 and of 3 list the same sets", async () => {
    expect((await allPages(USER, 1)).flat()).toEqual(["s8", "s6", "s5", "s3", "s1"]);
    expect((await allPages(USER, 3)).flat()).toEqual(["s8", "s6", "s5", "s3", "s1"]);
  });

  test("items are decoded completed sets", async () => {
    const page = await repo.listCompletedFlashcardSets(USER, { limit: 1 });
    expect(page.items).toEqual([
      {
        set_id: "s8",
        user_id: USER,
        document_id: DOC,
        status: "completed",
        flashcards: CARDS,
        total_cards: 2,
        page_count: 8,
        chunk_count: 24,
        created_at: 1733640007,
      },
    ]);
  });

  test("when most sets are not completed, a page stops after MAX_QUERIES_PER_PAGE queries, short but with a token", async () => {
    const user = "user-mostly-failed";
    const failures = MAX_QUERIES_PER_PAGE + 2;
    await seed("old-done", user, 100, "completed");
    for (let i = 0; i < failures; i++) await seed(`fail-${i}`, user, 200 + i, "failed");
    const first = await repo.listCompletedFlashcardSets(user, { limit: 1 });
    expect(first.items).toEqual([]);
    expect(first.nextToken).toEqual(expect.any(String));
    // Page 2 reads the last two failures and "old-done"; having read "old-done" with Limit 1, DynamoDB
    // still reports a position, so an empty third page ends the listing (documented in pagination.ts).
    expect(await allPages(user, 1)).toEqual([[], ["old-done"], []]);
  });

  test("a query that finds more than the page needs ends the page at the last set kept, losing none", async () => {
    const user = "user-cut";
    // Newest first: failed, c1, c2, c3. Page of 2: the first Query (Limit 2) keeps c1, the second
    // reads c2 and c3 but the page needs only one more, so it ends at c2 and resumes from there.
    await seed("c3", user, 300, "completed");
    await seed("c2", user, 301, "completed");
    await seed("c1", user, 302, "completed");
    await seed("f0", user, 303, "failed");
    const first = await repo.listCompletedFlashcardSets(user, { limit: 2 });
    expect(first.items.map((s) => s.set_id)).toEqual(["c1", "c2"]);
    expect(JSON.parse(Buffer.from(first.nextToken!, "base64url").toString("utf8"))).toEqual({ set_id: "c2", user_id: user, created_at: 301 });
    expect(await allPages(user, 2)).toEqual([["c1", "c2"], ["c3"]]);
  });

  test("a token from another user's listing is refused", async () => {
    const token = (await repo.listCompletedFlashcardSets("user-else", { limit: 1 })).nextToken;
    expect(token).toEqual(expect.any(String));
    await expect(repo.listCompletedFlashcardSets(USER, { nextToken: token })).rejects.toBeInstanceOf(InvalidInputError);
  });

  test("a completed set whose cards are not JSON is skipped with a log line naming its key; the page keeps its nextToken", async () => {
    const user = "user-broken-set";
    const skipped: Record<string, unknown>[] = [];
    const logged = createFlashcardSetsRepository({
      client: db().documentClient,
      tableName: db().flashcardSetsTable,
      clockMs: () => NOW_MS,
      log: (level, message, fields) => void skipped.push({ level, message, ...fields }),
    });
    await seed("good-old", user, 1, "completed");
    await seed("good-new", user, 3, "completed");
    await db().client.send(
      new PutItemCommand({
        TableName: db().flashcardSetsTable,
        Item: {
          set_id: { S: "broken" },
          user_id: { S: user },
          document_id: { S: DOC },
          status: { S: "completed" },
          created_at: { N: "2" },
          flashcards: { S: "[{" },
          total_cards: { N: "1" },
          page_count: { N: "1" },
          chunk_count: { N: "1" },
        },
      }),
    );
    const first = await logged.listCompletedFlashcardSets(user, { limit: 2 });
    expect(first.items.map((set) => set.set_id)).toEqual(["good-new"]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(skipped).toEqual([
      {
        level: "warn",
        message: "skipped a malformed item of a history page",
        key: { set_id: "broken", user_id: user },
        error: `malformed flashcard set item (set_id "broken", user_id "${user}"): \`flashcards\` must be a string holding a JSON array of {question, answer}; got "[{"`,
      },
    ]);
    expect((await logged.listCompletedFlashcardSets(user, { limit: 2, nextToken: first.nextToken })).items.map((set) => set.set_id)).toEqual(["good-old"]);
  });
});
