/**
 * The job lifecycle of data/job-records.ts through the evaluations repository, on dynalite: leases,
 * takeover, the holder's guard on outcomes, what readers see past a lease, and attributes the code
 * does not know.
 */
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createEvaluationsRepository, type EvaluationsRepository } from "../../lambda-src/data/evaluations-repository";
import { LEGACY_LEASE_MS } from "../../lambda-src/data/job-records";
import { InvalidInputError, LeaseLostError, StatusTransitionError } from "../../lambda-src/shared/errors";
import type { WritingResults } from "../../lambda-src/shared/models";
import { useDynalite } from "../support/dynalite";
import { rawItem } from "./handlers/helpers";
import { claim, hashOf, NOW_MS } from "./claims";
import { expectRejection } from "./expect-error";

const db = useDynalite();
let clock = NOW_MS;
let repo: EvaluationsRepository;

beforeAll(() => {
  repo = createEvaluationsRepository({ client: db().documentClient, tableName: db().evaluationsTable, now: () => 1733644800, clockMs: () => clock });
});
beforeEach(() => {
  clock = NOW_MS;
});

const WRITING: WritingResults = {
  overall_band: "7.0",
  task_achievement_band: "7.0",
  coherence_band: "6.5",
  lexical_band: "7.0",
  grammar_band: "6.5",
  feedback: '{"strengths":["clear"],"weaknesses":[]}',
  model_used: "gemini-2.5-flash",
};
const stored = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-1" });
const start = (evaluation_id: string, overrides: Parameters<typeof claim>[0] = {}) =>
  repo.startEvaluation({ evaluation_id, user_id: "user-1", evaluation_type: "writing" }, claim(overrides));

describe("leases", () => {
  test("once the lease passed, the next start takes the job over: its lease, the same record, created_at kept", async () => {
    await start("eval-takeover");
    const later = NOW_MS + 60_001;
    const result = await start("eval-takeover", { holder: "attempt-2", nowMs: later });
    expect(result).toEqual({
      state: "started",
      tookOverFrom: "attempt-1",
      record: { evaluation_id: "eval-takeover", user_id: "user-1", evaluation_type: "writing", status: "processing", created_at: 1733644800 },
    });
    expect(await stored("eval-takeover")).toMatchObject({
      lease_holder: { S: "attempt-2" },
      lease_expires_at_ms: { N: String(later + 60_000) },
      created_at: { N: "1733644800" },
    });
  });

  test("one ms before the lease's end the job is still the first attempt's; at its end it is free", async () => {
    await start("eval-edge");
    expect((await start("eval-edge", { holder: "attempt-2", nowMs: NOW_MS + 59_999 })).state).toBe("in-progress");
    expect((await start("eval-edge", { holder: "attempt-2", nowMs: NOW_MS + 60_000 })).state).toBe("started");
  });

  test("10 deliveries after the lease passed race for it: exactly one takes it over", async () => {
    await start("eval-takeover-race");
    const later = NOW_MS + 70_000;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => start("eval-takeover-race", { holder: `late-${i}`, nowMs: later })));
    expect(results.filter((r) => r.state === "started")).toHaveLength(1);
    expect(results.filter((r) => r.state === "in-progress")).toHaveLength(9);
    const winner = results.findIndex((r) => r.state === "started");
    expect((await stored("eval-takeover-race"))?.lease_holder).toEqual({ S: `late-${winner}` });
  });

  test("an attempt that lost its lease cannot complete or fail the job; the new holder can", async () => {
    await start("eval-lost");
    await start("eval-lost", { holder: "attempt-2", nowMs: NOW_MS + 61_000 });
    const before = await stored("eval-lost");
    const lost = await expectRejection(
      repo.completeWritingEvaluation({ evaluation_id: "eval-lost", user_id: "user-1" }, WRITING, "attempt-1"),
      LeaseLostError,
      'evaluation {"evaluation_id":"eval-lost","user_id":"user-1"} is held by attempt "attempt-2", not by "attempt-1" (its lease passed and another delivery took the job over); it cannot be completed by this attempt',
    );
    expect(lost).toMatchObject({ holder: "attempt-1", currentHolder: "attempt-2" });
    await expect(repo.failEvaluation({ evaluation_id: "eval-lost", user_id: "user-1" }, "late", "attempt-1")).rejects.toBeInstanceOf(LeaseLostError);
    expect(await stored("eval-lost")).toEqual(before);
    await repo.completeWritingEvaluation({ evaluation_id: "eval-lost", user_id: "user-1" }, WRITING, "attempt-2");
    expect((await stored("eval-lost"))?.status).toEqual({ S: "completed" });
  });

  test("`completed` is never overwritten: not by a failure, not by another completion, not by a start", async () => {
    await start("eval-kept");
    await repo.completeWritingEvaluation({ evaluation_id: "eval-kept", user_id: "user-1" }, WRITING, "attempt-1");
    const done = await stored("eval-kept");
    expect(done).not.toHaveProperty("lease_holder");
    expect(done).not.toHaveProperty("lease_expires_at_ms");
    await expect(repo.failEvaluation({ evaluation_id: "eval-kept", user_id: "user-1" }, "duplicate's failure", "attempt-1")).rejects.toBeInstanceOf(
      StatusTransitionError,
    );
    await expect(
      repo.completeWritingEvaluation({ evaluation_id: "eval-kept", user_id: "user-1" }, { ...WRITING, overall_band: "9.0" }, "attempt-2"),
    ).rejects.toBeInstanceOf(StatusTransitionError);
    expect((await start("eval-kept", { holder: "attempt-3", nowMs: NOW_MS + 3_600_000 })).state).toBe("finished");
    expect(await stored("eval-kept")).toEqual(done);
  });

  test("a processing record written before leases (no lease attributes) is in progress for 900 s after created_at, then taken over", async () => {
    const createdAt = Math.floor(NOW_MS / 1000) - 100;
    await db().client.send(
      new PutItemCommand({
        TableName: db().evaluationsTable,
        Item: {
          evaluation_id: { S: "eval-legacy" },
          user_id: { S: "user-1" },
          evaluation_type: { S: "writing" },
          status: { S: "processing" },
          created_at: { N: String(createdAt) },
        },
      }),
    );
    const inProgress = await start("eval-legacy");
    expect(inProgress).toMatchObject({ state: "in-progress", leaseExpiresAtMs: createdAt * 1000 + LEGACY_LEASE_MS });
    expect(await stored("eval-legacy")).not.toHaveProperty("lease_holder");
    const taken = await start("eval-legacy", { nowMs: createdAt * 1000 + LEGACY_LEASE_MS + 1_000 });
    expect(taken).toMatchObject({ state: "started", tookOverFrom: "an attempt without a lease" });
    expect(await stored("eval-legacy")).toMatchObject({ input_hash: { S: hashOf("default") }, lease_holder: { S: "attempt-1" } });
  });
});

describe("readers past a lease", () => {
  test("get: `processing` while the lease runs, `failed` (timed out) once it passed; nothing is written", async () => {
    await start("eval-read");
    const key = { evaluation_id: "eval-read", user_id: "user-1" };
    expect((await repo.getEvaluation(key))?.status).toBe("processing");
    const before = await stored("eval-read");
    clock = NOW_MS + 60_000;
    expect(await repo.getEvaluation(key)).toEqual({
      ...key,
      evaluation_type: "writing",
      status: "failed",
      created_at: 1733644800,
      error_message:
        "timed out: the attempt working on this job stopped without recording a result (its time ran out at 2024-12-08T08:01:00.000Z); invoke the function again with the same id to run it again",
    });
    expect(await stored("eval-read")).toEqual(before);
  });

  test("history: a record past its lease is listed as `failed`, one still running as `processing`", async () => {
    await repo.startEvaluation({ evaluation_id: "eval-h-old", user_id: "user-leases", evaluation_type: "writing", created_at: 10 }, claim());
    await repo.startEvaluation(
      { evaluation_id: "eval-h-new", user_id: "user-leases", evaluation_type: "writing", created_at: 20 },
      claim({ leaseExpiresAtMs: NOW_MS + 600_000 }),
    );
    clock = NOW_MS + 120_000;
    const page = await repo.listEvaluationHistory("user-leases");
    expect(page.items.map((e) => [e.evaluation_id, e.status])).toEqual([
      ["eval-h-new", "processing"],
      ["eval-h-old", "failed"],
    ]);
  });
});

describe("attributes the code does not know", () => {
  test("readers ignore them; the lifecycle's writes keep them", async () => {
    await db().client.send(
      new PutItemCommand({
        TableName: db().evaluationsTable,
        Item: {
          evaluation_id: { S: "eval-ttl" },
          user_id: { S: "user-1" },
          evaluation_type: { S: "writing" },
          status: { S: "processing" },
          created_at: { N: "1733644800" },
          input_hash: { S: hashOf("default") },
          lease_holder: { S: "attempt-1" },
          lease_expires_at_ms: { N: String(NOW_MS + 60_000) },
          ttl: { N: "1765180800" },
          added_by_hand: { M: { note: { S: "adopted table" } } },
        },
      }),
    );
    const key = { evaluation_id: "eval-ttl", user_id: "user-1" };
    expect(await repo.getEvaluation(key)).toEqual({ ...key, evaluation_type: "writing", status: "processing", created_at: 1733644800 });
    const done = await repo.completeWritingEvaluation(key, WRITING, "attempt-1");
    expect(done).not.toHaveProperty("ttl");
    expect(await stored("eval-ttl")).toMatchObject({ ttl: { N: "1765180800" }, added_by_hand: { M: { note: { S: "adopted table" } } }, status: { S: "completed" } });
    expect((await repo.listEvaluationHistory("user-1", { limit: 100 })).items.map((e) => e.evaluation_id)).toContain("eval-ttl");
  });
});

describe("claims and keys are validated before anything is sent", () => {
  test.each<[string, Record<string, unknown>, string]>([
    ["no holder", { holder: "" }, '`holder` must be the attempt\'s id, a non-empty string of at most 256 characters; got ""'],
    ["a lease end that is not a number", { leaseExpiresAtMs: "soon" }, '`leaseExpiresAtMs` must be a non-negative integer; got "soon"'],
    ["a hash that is not a SHA-256", { inputHash: "abc" }, '`inputHash` must be a SHA-256 in hex (64 characters of 0-9, a-f); got "abc"'],
  ])("a claim with %s", async (_name, change, message) => {
    await expectRejection(
      repo.startEvaluation({ evaluation_id: "eval-bad-claim", user_id: "user-1", evaluation_type: "writing" }, { ...claim(), ...change } as never),
      InvalidInputError,
      message,
    );
    expect(await stored("eval-bad-claim")).toBeUndefined();
  });

  test("ids with a lone surrogate are refused (DynamoDB would store U+FFFD and merge them with another id)", async () => {
    await expectRejection(
      repo.startEvaluation({ evaluation_id: "eval-surrogate", user_id: "victim\uD800", evaluation_type: "writing" }, claim()),
      InvalidInputError,
      '`user_id` must be well-formed Unicode (no lone UTF-16 surrogate, which would be stored as U+FFFD); got "victim\\ud800"',
    );
    await expectRejection(
      repo.getEvaluation({ evaluation_id: "eval-\uDC00", user_id: "user-1" }),
      InvalidInputError,
      '`evaluation_id` must be well-formed Unicode (no lone UTF-16 surrogate, which would be stored as U+FFFD); got "eval-\\udc00"',
    );
    await expect(repo.listEvaluationHistory("victim\uD800")).rejects.toBeInstanceOf(InvalidInputError);
  });
});
