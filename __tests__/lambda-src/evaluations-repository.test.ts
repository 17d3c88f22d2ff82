import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { createEvaluationsRepository, type EvaluationsRepository } from "../../lambda-src/data/evaluations-repository";
import {
  EvaluationTypeMismatchError,
  InvalidInputError,
  ItemTooLargeError,
  RecordNotFoundError,
  StatusTransitionError,
} from "../../lambda-src/shared/errors";
import type { SpeakingResults, WritingResults } from "../../lambda-src/shared/models";
import { useDynalite } from "../support/dynalite";
import { claim, hashOf, NOW_MS } from "./claims";
import { expectRejection } from "./expect-error";

const db = useDynalite();
let repo: EvaluationsRepository;

beforeAll(() => {
  repo = createEvaluationsRepository({
    client: db().documentClient,
    tableName: db().evaluationsTable,
    now: () => 1733644800,
    clockMs: () => NOW_MS,
  });
});

/** The lifecycle attributes of a record started by `claim()` (removed when it finishes, but the hash). */
const LEASED = {
  input_hash: { S: hashOf("default") },
  lease_holder: { S: "attempt-1" },
  lease_expires_at_ms: { N: String(NOW_MS + 60_000) },
};
const HASH = { input_hash: { S: hashOf("default") } };

/** The item exactly as DynamoDB stores it (typed attribute values), read with the low-level client. */
async function rawItem(evaluation_id: string, user_id: string) {
  const result = await db().client.send(
    new GetItemCommand({
      TableName: db().evaluationsTable,
      Key: { evaluation_id: { S: evaluation_id }, user_id: { S: user_id } },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

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
  transcript: "Well, I think my hometown is a great place to live.",
  duration: "120.5",
  word_count: 185,
  feedback: FEEDBACK,
  model_used: "gemini-2.5-flash-audio",
};

describe("startEvaluation", () => {
  test("writes a processing record with the start attributes and the attempt's lease", async () => {
    const result = await repo.startEvaluation({ evaluation_id: "eval-start", user_id: "user-456", evaluation_type: "writing" }, claim());
    expect(result).toEqual({
      state: "started",
      record: { evaluation_id: "eval-start", user_id: "user-456", evaluation_type: "writing", status: "processing", created_at: 1733644800 },
    });
    expect(await rawItem("eval-start", "user-456")).toEqual({
      evaluation_id: { S: "eval-start" },
      user_id: { S: "user-456" },
      evaluation_type: { S: "writing" },
      status: { S: "processing" },
      created_at: { N: "1733644800" },
      ...LEASED,
    });
  });

  test("a second start of the same job while the lease runs is `in-progress` and changes nothing", async () => {
    await repo.startEvaluation({ evaluation_id: "eval-twice", user_id: "user-456", evaluation_type: "speaking", created_at: 100 }, claim());
    const before = await rawItem("eval-twice", "user-456");
    const second = await repo.startEvaluation(
      { evaluation_id: "eval-twice", user_id: "user-456", evaluation_type: "speaking", created_at: 200 },
      claim({ holder: "attempt-2", nowMs: NOW_MS + 1_000 }),
    );
    expect(second).toEqual({
      state: "in-progress",
      leaseExpiresAtMs: NOW_MS + 60_000,
      record: { evaluation_id: "eval-twice", user_id: "user-456", evaluation_type: "speaking", status: "processing", created_at: 100 },
    });
    expect(await rawItem("eval-twice", "user-456")).toEqual(before);
  });

  test("a start with another type or another input hash is `other-input` and changes nothing", async () => {
    const key = { evaluation_id: "eval-other", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "speaking" }, claim());
    const before = await rawItem(key.evaluation_id, key.user_id);
    const later = NOW_MS + 120_000; // past the lease: even then, never taken over with other input
    for (const [type, hash] of [["writing", hashOf("default")], ["speaking", hashOf("another essay")]] as const) {
      const result = await repo.startEvaluation({ ...key, evaluation_type: type }, claim({ holder: "attempt-2", nowMs: later, inputHash: hash }));
      expect(result.state).toBe("other-input");
    }
    expect(await rawItem(key.evaluation_id, key.user_id)).toEqual(before);
  });

  test("a retried start after completion returns the completed record, not a reset", async () => {
    const key = { evaluation_id: "eval-retry-after-done", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "writing" }, claim());
    await repo.completeWritingEvaluation(key, WRITING, "attempt-1");
    const again = await repo.startEvaluation({ ...key, evaluation_type: "writing" }, claim({ holder: "attempt-2" }));
    expect(again.state).toBe("finished");
    expect(again.record.status).toBe("completed");
    expect((await rawItem(key.evaluation_id, key.user_id))?.status).toEqual({ S: "completed" });
  });

  test("10 concurrent starts of one job: exactly one starts, the others find it in progress, one record", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        repo.startEvaluation(
          { evaluation_id: "eval-race", user_id: "user-race", evaluation_type: "writing", created_at: 1000 + i },
          claim({ holder: `attempt-${i}` }),
        ),
      ),
    );
    expect(results.filter((r) => r.state === "started")).toHaveLength(1);
    expect(results.filter((r) => r.state === "in-progress")).toHaveLength(9);
    const winner = results.find((r) => r.state === "started")!.record;
    for (const r of results) expect(r.record).toEqual(winner);
    const stored = await db().client.send(
      new QueryCommand({
        TableName: db().evaluationsTable,
        KeyConditionExpression: "evaluation_id = :id",
        ExpressionAttributeValues: { ":id": { S: "eval-race" } },
        ConsistentRead: true,
      }),
    );
    expect(stored.Count).toBe(1);
    expect(stored.Items![0].created_at).toEqual({ N: String(winner.created_at) });
  });
});

describe("completion and failure", () => {
  test("completing a writing evaluation stores exactly the design's writing item", async () => {
    const key = { evaluation_id: "eval-abc123", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "writing" }, claim());
    const done = await repo.completeWritingEvaluation(key, WRITING, "attempt-1");
    expect(done).toEqual({
      ...key,
      evaluation_type: "writing",
      status: "completed",
      created_at: 1733644800,
      ...WRITING,
      feedback: { strengths: ["clear position"], weaknesses: ["repetitive linking words"] },
    });
    expect(await rawItem(key.evaluation_id, key.user_id)).toEqual({
      evaluation_id: { S: "eval-abc123" },
      user_id: { S: "user-456" },
      evaluation_type: { S: "writing" },
      status: { S: "completed" },
      overall_band: { S: "7.0" },
      task_achievement_band: { S: "7.0" },
      coherence_band: { S: "6.5" },
      lexical_band: { S: "7.0" },
      grammar_band: { S: "6.5" },
      feedback: { S: FEEDBACK },
      model_used: { S: "gemini-writing_task2" },
      created_at: { N: "1733644800" },
      // The lease is gone with the job's end; the input's hash stays, to refuse the id with other input.
      ...HASH,
      recorded_by: { S: "attempt-1" },
    });
    expect(await repo.getEvaluation(key)).toEqual(done);
  });

  test("completing a speaking evaluation stores duration as a String, word_count as a Number, no writing bands", async () => {
    const key = { evaluation_id: "eval-speak", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "speaking" }, claim());
    const done = await repo.completeSpeakingEvaluation(key, SPEAKING, "attempt-1");
    expect(done.evaluation_type).toBe("speaking");
    expect(await rawItem(key.evaluation_id, key.user_id)).toEqual({
      evaluation_id: { S: "eval-speak" },
      user_id: { S: "user-456" },
      evaluation_type: { S: "speaking" },
      status: { S: "completed" },
      overall_band: { S: "6.5" },
      fluency_band: { S: "6.5" },
      lexical_band: { S: "6.0" },
      grammar_band: { S: "6.5" },
      pronunciation_band: { S: "7.0" },
      transcript: { S: SPEAKING.transcript },
      duration: { S: "120.5" },
      word_count: { N: "185" },
      feedback: { S: FEEDBACK },
      model_used: { S: "gemini-2.5-flash-audio" },
      created_at: { N: "1733644800" },
      ...HASH,
      recorded_by: { S: "attempt-1" },
    });
  });

  test("a second completion is a StatusTransitionError and keeps the first result", async () => {
    const key = { evaluation_id: "eval-double", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "writing" }, claim());
    await repo.completeWritingEvaluation(key, WRITING, "attempt-1");
    const before = await rawItem(key.evaluation_id, key.user_id);
    await expectRejection(
      repo.completeWritingEvaluation(key, { ...WRITING, overall_band: "9.0" }, "attempt-1"),
      StatusTransitionError,
      'evaluation {"evaluation_id":"eval-double","user_id":"user-456"} is "completed", not "processing"; it cannot be completed',
    );
    expect(await rawItem(key.evaluation_id, key.user_id)).toEqual(before);
  });

  test("completing a record that does not exist is a RecordNotFoundError and creates nothing", async () => {
    const key = { evaluation_id: "eval-missing", user_id: "user-456" };
    await expectRejection(
      repo.completeWritingEvaluation(key, WRITING, "attempt-1"),
      RecordNotFoundError,
      'evaluation {"evaluation_id":"eval-missing","user_id":"user-456"} does not exist; it cannot be completed',
    );
    await expectRejection(
      repo.failEvaluation(key, "boom", "attempt-1"),
      RecordNotFoundError,
      'evaluation {"evaluation_id":"eval-missing","user_id":"user-456"} does not exist; it cannot be marked failed',
    );
    expect(await rawItem(key.evaluation_id, key.user_id)).toBeUndefined();
    expect(await repo.getEvaluation(key)).toBeUndefined();
  });

  test("failing stores error_message; fail after complete and complete after fail are refused", async () => {
    const failed = { evaluation_id: "eval-fail", user_id: "user-456" };
    await repo.startEvaluation({ ...failed, evaluation_type: "speaking" }, claim());
    expect(await repo.failEvaluation(failed, "  Gemini returned no JSON  ", "attempt-1")).toEqual({
      ...failed,
      evaluation_type: "speaking",
      status: "failed",
      created_at: 1733644800,
      error_message: "Gemini returned no JSON",
    });
    expect(await rawItem(failed.evaluation_id, failed.user_id)).toEqual({
      evaluation_id: { S: "eval-fail" },
      user_id: { S: "user-456" },
      evaluation_type: { S: "speaking" },
      status: { S: "failed" },
      error_message: { S: "Gemini returned no JSON" },
      created_at: { N: "1733644800" },
      ...HASH,
      recorded_by: { S: "attempt-1" },
    });
    await expectRejection(
      repo.completeSpeakingEvaluation(failed, SPEAKING, "attempt-1"),
      StatusTransitionError,
      'evaluation {"evaluation_id":"eval-fail","user_id":"user-456"} is "failed", not "processing"; it cannot be completed',
    );

    const done = { evaluation_id: "eval-done-then-fail", user_id: "user-456" };
    await repo.startEvaluation({ ...done, evaluation_type: "writing" }, claim());
    await repo.completeWritingEvaluation(done, WRITING, "attempt-1");
    const before = await rawItem(done.evaluation_id, done.user_id);
    const late = await expectRejection(
      repo.failEvaluation(done, "timeout", "attempt-1"),
      StatusTransitionError,
      'evaluation {"evaluation_id":"eval-done-then-fail","user_id":"user-456"} is "completed", not "processing"; it cannot be marked failed',
    );
    expect(late).toMatchObject({ currentStatus: "completed", targetStatus: "failed" });
    expect(await rawItem(done.evaluation_id, done.user_id)).toEqual(before);
  });

  test("a very long failure message is cut to 4000 characters so the failure is still recorded", async () => {
    const key = { evaluation_id: "eval-long-error", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "writing" }, claim());
    const stored = await repo.failEvaluation(key, "x".repeat(10_000), "attempt-1");
    expect(stored.error_message).toBe(`${"x".repeat(3999)}…`);
  });

  test("writing results on a speaking evaluation are refused with EvaluationTypeMismatchError", async () => {
    const key = { evaluation_id: "eval-type-mix", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "speaking" }, claim());
    await expectRejection(
      repo.completeWritingEvaluation(key, WRITING, "attempt-1"),
      EvaluationTypeMismatchError,
      'evaluation {"evaluation_id":"eval-type-mix","user_id":"user-456"} is a "speaking" evaluation; it cannot be completed with writing results',
    );
    expect((await rawItem(key.evaluation_id, key.user_id))?.status).toEqual({ S: "processing" });
  });
});

describe("validation before any write", () => {
  const KEY = { evaluation_id: "eval-validate", user_id: "user-456" };

  beforeAll(async () => {
    await repo.startEvaluation({ ...KEY, evaluation_type: "writing" }, claim());
  });

  const startCases: [string, unknown, string][] = [
    ["missing evaluation_id", { user_id: "u", evaluation_type: "writing" }, "`evaluation_id` must be a non-empty string of at most 2048 UTF-8 bytes; got undefined"],
    ["empty user_id", { evaluation_id: "eval-v1", user_id: "", evaluation_type: "writing" }, '`user_id` must be a non-empty string of at most 1024 UTF-8 bytes; got ""'],
    ["unknown type", { evaluation_id: "eval-v2", user_id: "u", evaluation_type: "reading" }, '`evaluation_type` must be one of "writing", "speaking"; got "reading"'],
    ["milliseconds created_at", { evaluation_id: "eval-v3", user_id: "u", evaluation_type: "writing", created_at: 1733644800000 }, "`created_at` must be Unix time in whole seconds (an integer from 0 to 9999999999); got 1733644800000"],
    ["status supplied by caller", { evaluation_id: "eval-v4", user_id: "u", evaluation_type: "writing", status: "completed" }, '`status` does not belong to a start request; got "completed"'],
  ];
  test.each(startCases)("start: %s", async (_name, input, message) => {
    await expectRejection(repo.startEvaluation(input as never, claim()), InvalidInputError, message);
    const { evaluation_id, user_id } = input as { evaluation_id?: string; user_id?: string };
    if (evaluation_id && user_id) expect(await rawItem(evaluation_id, user_id)).toBeUndefined();
  });

  const writingCases: [string, Record<string, unknown>, string][] = [
    ["band above the scale", { overall_band: "9.5" }, '`overall_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "9.5"'],
    ["band off the half steps", { coherence_band: "6.3" }, '`coherence_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "6.3"'],
    ["band without a decimal", { grammar_band: "7" }, '`grammar_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "7"'],
    ["band as a number", { lexical_band: 7 }, '`lexical_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got 7'],
    ["missing band", { task_achievement_band: undefined }, '`task_achievement_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got undefined'],
    ["non-JSON feedback", { feedback: "Great essay!" }, '`feedback` must be a string holding a JSON object, like "{\\"strengths\\":[],\\"weaknesses\\":[]}"; got "Great essay!"'],
    ["feedback that is a JSON array", { feedback: "[1,2]" }, '`feedback` must be a string holding a JSON object, like "{\\"strengths\\":[],\\"weaknesses\\":[]}"; got "[1,2]"'],
    ["empty model_used", { model_used: " " }, '`model_used` must be a non-empty string; got " "'],
    ["a speaking field", { fluency_band: "6.0" }, '`fluency_band` does not belong to writing results; got "6.0"'],
  ];
  test.each(writingCases)("complete writing: %s", async (_name, change, message) => {
    const before = await rawItem(KEY.evaluation_id, KEY.user_id);
    await expectRejection(repo.completeWritingEvaluation(KEY, { ...WRITING, ...change } as WritingResults, "attempt-1"), InvalidInputError, message);
    expect(await rawItem(KEY.evaluation_id, KEY.user_id)).toEqual(before);
    expect(before?.status).toEqual({ S: "processing" });
  });

  const speakingCases: [string, Record<string, unknown>, string][] = [
    ["duration with units", { duration: "2 minutes" }, '`duration` must be a duration in seconds written as a decimal string, like "120.5"; got "2 minutes"'],
    ["duration as a number", { duration: 120.5 }, '`duration` must be a duration in seconds written as a decimal string, like "120.5"; got 120.5'],
    ["negative word_count", { word_count: -1 }, "`word_count` must be a non-negative integer; got -1"],
    ["a writing field", { coherence_band: "6.0" }, '`coherence_band` does not belong to speaking results; got "6.0"'],
    ["pronunciation band below the scale", { pronunciation_band: "-0.5" }, '`pronunciation_band` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "-0.5"'],
  ];
  test.each(speakingCases)("complete speaking: %s", async (_name, change, message) => {
    await expectRejection(repo.completeSpeakingEvaluation(KEY, { ...SPEAKING, ...change } as SpeakingResults, "attempt-1"), InvalidInputError, message);
    expect((await rawItem(KEY.evaluation_id, KEY.user_id))?.status).toEqual({ S: "processing" });
  });

  test("fail: an empty message", async () => {
    await expectRejection(repo.failEvaluation(KEY, "", "attempt-1"), InvalidInputError, '`error_message` must be a non-empty string; got ""');
  });

  test("get: a missing key field", async () => {
    await expectRejection(
      repo.getEvaluation({ evaluation_id: "eval-x" } as never),
      InvalidInputError,
      "`user_id` must be a non-empty string of at most 1024 UTF-8 bytes; got undefined",
    );
  });

  test("an item over 400 KB is refused before the write; the record keeps no transcript", async () => {
    const key = { evaluation_id: "eval-huge", user_id: "user-456" };
    await repo.startEvaluation({ ...key, evaluation_type: "speaking" }, claim());
    const transcript = "a".repeat(400 * 1024);
    // Expected size, counted by hand: each attribute's name bytes + value bytes (ASCII strings: one
    // byte per character; Numbers: 1 byte per two significant digits + 1).
    const strings: Record<string, string> = {
      ...key,
      evaluation_type: "speaking",
      status: "completed",
      overall_band: "6.5",
      fluency_band: "6.5",
      lexical_band: "6.0",
      grammar_band: "6.5",
      pronunciation_band: "7.0",
      transcript,
      duration: "120.5",
      feedback: FEEDBACK,
      model_used: "gemini-2.5-flash-audio",
    };
    let expected = 0;
    for (const [name, value] of Object.entries(strings)) expected += name.length + value.length;
    expected += "created_at".length + 6; // 9999999999: 10 significant digits -> 5 + 1 (its largest value)
    expected += "word_count".length + 3; // 185: 3 digits -> 2 + 1
    expected += "input_hash".length + 64; // kept by the completed record: a SHA-256 in hex
    expected += "recorded_by".length + 256 * 4; // and who recorded it: a holder, 256 characters at most, 4 UTF-8 bytes each
    await expectRejection(
      repo.completeSpeakingEvaluation(key, { ...SPEAKING, transcript }, "attempt-1"),
      ItemTooLargeError,
      `\`item\` must be at most 409600 bytes (DynamoDB's 400 KB item limit, attribute names included); got ${expected} bytes`,
    );
    expect(await rawItem(key.evaluation_id, key.user_id)).toEqual({
      evaluation_id: { S: "eval-huge" },
      user_id: { S: "user-456" },
      evaluation_type: { S: "speaking" },
      status: { S: "processing" },
      created_at: { N: "1733644800" },
      ...LEASED,
    });
  });
});
