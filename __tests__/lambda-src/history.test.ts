import { PutItemCommand, QueryCommand as LowLevelQueryCommand } from "@aws-sdk/client-dynamodb";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { createEvaluationsRepository, type EvaluationsRepository } from "../../lambda-src/data/evaluations-repository";
import { encodeToken } from "../../lambda-src/data/pagination";
import { InvalidInputError } from "../../lambda-src/shared/errors";
import type { Evaluation, EvaluationType } from "../../lambda-src/shared/models";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE, HISTORY_INDEX_NAME } from "../../lambda-src/contract/table-definitions";
import { useDynalite } from "../support/dynalite";
import { claim, NOW_MS } from "./claims";
import { expectRejection } from "./expect-error";

const db = useDynalite();
let repo: EvaluationsRepository;

const USER = "user-history";
// Inserted out of order on purpose; distinct created_at.
const HISTORY: [string, EvaluationType, number][] = [
  ["eval-h3", "speaking", 1733644803],
  ["eval-h1", "writing", 1733644801],
  ["eval-h5", "writing", 1733644805],
  ["eval-h2", "speaking", 1733644802],
  ["eval-h4", "writing", 1733644804],
];

beforeAll(async () => {
  repo = createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, clockMs: () => NOW_MS });
  for (const [evaluation_id, evaluation_type, created_at] of HISTORY) {
    await repo.startEvaluation({ evaluation_id, user_id: USER, evaluation_type, created_at }, claim());
  }
  // Someone else's evaluations, newer and older: must never appear.
  await repo.startEvaluation({ evaluation_id: "eval-other-1", user_id: "user-other", evaluation_type: "writing", created_at: 1733644900 }, claim());
  await repo.startEvaluation({ evaluation_id: "eval-other-2", user_id: "user-other", evaluation_type: "writing", created_at: 1733644700 }, claim());
});

/** Follows nextToken until the listing ends; returns each page's ids. */
async function allPages(options: { limit: number; evaluationType?: EvaluationType }, userId = USER): Promise<string[][]> {
  const pages: string[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await repo.listEvaluationHistory(userId, { ...options, nextToken });
    pages.push(page.items.map((e: Evaluation) => e.evaluation_id));
    nextToken = page.nextToken;
    if (pages.length > 20) throw new Error("listing does not end");
  } while (nextToken !== undefined);
  return pages;
}

describe("listEvaluationHistory", () => {
  test("pages of 2, newest first, continued until done: none lost, no duplicates", async () => {
    expect(await allPages({ limit: 2 })).toEqual([["eval-h5", "eval-h4"], ["eval-h3", "eval-h2"], ["eval-h1"]]);
  });

  test("one page large enough holds the whole history, decoded, with no token", async () => {
    const page = await repo.listEvaluationHistory(USER, { limit: 10 });
    expect(page.nextToken).toBeUndefined();
    expect(page.items.map((e) => e.created_at)).toEqual([1733644805, 1733644804, 1733644803, 1733644802, 1733644801]);
    expect(page.items[0]).toEqual({
      evaluation_id: "eval-h5",
      user_id: USER,
      evaluation_type: "writing",
      status: "processing",
      created_at: 1733644805,
    });
  });

  test("the evaluation_type filter: writing only, then speaking only, pages of 2", async () => {
    expect(await allPages({ limit: 2, evaluationType: "writing" })).toEqual([["eval-h5", "eval-h4"], ["eval-h1"]]);
    // The page filled exactly on the last speaking item, before the index was exhausted: DynamoDB
    // still returns a LastEvaluatedKey, so one more (empty) page ends the listing. Documented.
    expect(await allPages({ limit: 2, evaluationType: "speaking" })).toEqual([["eval-h3", "eval-h2"], []]);
  });

  test("a filtered page is filled across several queries rather than returned short", async () => {
    // The newest two are writing: the first Query (Limit 1) finds no speaking item, the page is still filled.
    const page = await repo.listEvaluationHistory(USER, { limit: 1, evaluationType: "speaking" });
    expect(page.items.map((e) => e.evaluation_id)).toEqual(["eval-h3"]);
    const next = await repo.listEvaluationHistory(USER, { limit: 1, evaluationType: "speaking", nextToken: page.nextToken });
    expect(next.items.map((e) => e.evaluation_id)).toEqual(["eval-h2"]);
  });

  test("a user without evaluations gets an empty page and no token", async () => {
    expect(await repo.listEvaluationHistory("user-nobody")).toEqual({ items: [] });
  });

  test("invalid paging input is refused with the field named", async () => {
    const foreign = (await repo.listEvaluationHistory("user-other", { limit: 1 })).nextToken!;
    expect(foreign).toEqual(expect.any(String));
    const cases: [() => Promise<unknown>, string][] = [
      [() => repo.listEvaluationHistory(USER, { limit: 0 }), "`limit` must be an integer from 1 to 100; got 0"],
      [() => repo.listEvaluationHistory(USER, { limit: 2.5 }), "`limit` must be an integer from 1 to 100; got 2.5"],
      [() => repo.listEvaluationHistory(USER, { evaluationType: "reading" as EvaluationType }), '`evaluationType` must be one of "writing", "speaking"; got "reading"'],
      [() => repo.listEvaluationHistory(USER, { nextToken: "not a token!" }), '`nextToken` must be a token returned by the previous page of this listing; got "not a token!"'],
      [() => repo.listEvaluationHistory(USER, { nextToken: "e30" }), '`nextToken` must be a token returned by the previous page of this listing; got "e30"'],
      // A token issued for another user's listing must not read that user's history.
      [() => repo.listEvaluationHistory(USER, { nextToken: foreign }), `\`nextToken\` must be a token returned by the previous page of this listing; got ${JSON.stringify(foreign).slice(0, 80)}… (${foreign.length + 2} characters)`],
      [() => repo.listEvaluationHistory("", {}), '`user_id` must be a non-empty string of at most 1024 UTF-8 bytes; got ""'],
    ];
    for (const [attempt, message] of cases) await expectRejection(attempt(), InvalidInputError, message);
  });

  test("a token is base64url JSON of the index position, and a well-formed one resumes there", async () => {
    const first = await repo.listEvaluationHistory(USER, { limit: 2 });
    expect(JSON.parse(Buffer.from(first.nextToken!, "base64url").toString("utf8"))).toEqual({
      evaluation_id: "eval-h4",
      user_id: USER,
      created_at: 1733644804,
    });
    const resumed = await repo.listEvaluationHistory(USER, {
      limit: 10,
      nextToken: encodeToken({ evaluation_id: "eval-h2", user_id: USER, created_at: 1733644802 }),
    });
    expect(resumed.items.map((e) => e.evaluation_id)).toEqual(["eval-h1"]);
  });
});

describe("a malformed item never blocks a history", () => {
  const user = "user-with-a-broken-item";
  let skipped: Record<string, unknown>[];
  let logged: EvaluationsRepository;

  beforeAll(async () => {
    skipped = [];
    logged = createEvaluationsRepository({
      client: db().documentClient,
      tableName: db().evaluationsTable,
      clockMs: () => NOW_MS,
      log: (level, message, fields) => void skipped.push({ level, message, ...fields }),
    });
    for (const [evaluation_id, created_at] of [["eval-m1", 1], ["eval-m2", 2], ["eval-m3", 3], ["eval-m5", 5]] as const) {
      await logged.startEvaluation({ evaluation_id, user_id: user, evaluation_type: "writing", created_at }, claim());
    }
    // In the middle of the first page: a band the scale does not have, written by hand.
    await db().client.send(
      new PutItemCommand({
        TableName: db().evaluationsTable,
        Item: {
          evaluation_id: { S: "eval-m4-broken" },
          user_id: { S: user },
          evaluation_type: { S: "writing" },
          status: { S: "completed" },
          created_at: { N: "4" },
          overall_band: { S: "9.7" },
        },
      }),
    );
  });

  beforeEach(() => {
    skipped.length = 0;
  });

  test("it is left out of its page with a log line naming its key; the page keeps its nextToken", async () => {
    // Newest first: m5, the broken item, m3 on the first page; m2, m1 after it.
    const first = await logged.listEvaluationHistory(user, { limit: 3 });
    expect(first.items.map((e) => e.evaluation_id)).toEqual(["eval-m5", "eval-m3"]);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(skipped).toEqual([
      {
        level: "warn",
        message: "skipped a malformed item of a history page",
        key: { evaluation_id: "eval-m4-broken", user_id: user },
        error:
          'malformed evaluation item (evaluation_id "eval-m4-broken", user_id "user-with-a-broken-item"): `overall_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "9.7"',
      },
    ]);
    const rest = await logged.listEvaluationHistory(user, { limit: 3, nextToken: first.nextToken });
    expect(rest.items.map((e) => e.evaluation_id)).toEqual(["eval-m2", "eval-m1"]);
  });

  test("the whole listing reaches every good item", async () => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logged.listEvaluationHistory(user, { limit: 1, nextToken });
      ids.push(...page.items.map((e) => e.evaluation_id));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(ids).toEqual(["eval-m5", "eval-m3", "eval-m2", "eval-m1"]);
    expect(skipped).toHaveLength(1);
  });
});

describe("the design's base-table query", () => {
  // The design lists a user's items with table.query(Key('user_id').eq(...), Filter status=completed)
  // on the base table, where user_id is the SORT key. DynamoDB refuses that; the GSI is the way.
  test.each([
    ["evaluations", () => db().evaluationsTable, EVALUATIONS_TABLE.partitionKey.name],
    ["flashcard sets", () => db().flashcardSetsTable, FLASHCARD_SETS_TABLE.partitionKey.name],
  ])("on %s is rejected with a ValidationException naming the missed partition key", async (_name, table, partitionKey) => {
    const attempt = db().documentClient.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: "user_id = :u",
        FilterExpression: "#s = :completed",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":u": "user-456", ":completed": "completed" },
      }),
    );
    await expect(attempt).rejects.toMatchObject({
      name: "ValidationException",
      message: `Query condition missed key schema element: ${partitionKey}`,
    });
  });

  test("the same condition through the history index works", async () => {
    const result = await db().client.send(
      new LowLevelQueryCommand({
        TableName: db().evaluationsTable,
        IndexName: HISTORY_INDEX_NAME,
        KeyConditionExpression: "user_id = :u",
        ExpressionAttributeValues: { ":u": { S: USER } },
        ScanIndexForward: false,
      }),
    );
    expect(result.Items?.map((i) => i.evaluation_id.S)).toEqual(["eval-h5", "eval-h4", "eval-h3", "eval-h2", "eval-h1"]);
  });
});
