/**
 * One job per event, under the deliveries Lambda really makes, with the Writing Evaluator (the three
 * handlers share the lifecycle of shared/job.ts): redeliveries with the same request id, duplicates
 * side by side, a crash after the start, a lease that passes, an id reused with other input.
 *
 * DynamoDB is dynalite behind a recording proxy (support/recording-proxy.ts) that can drop a chosen
 * write; the model is the local Gemini-compatible server; leases run on a test clock moved forward,
 * so "after the lease" needs no waiting.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../lambda-src/data/dynamodb-client";
import { createEvaluationsRepository, type EvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { InvalidEventError } from "../../../lambda-src/shared/event";
import { JobInProgressError } from "../../../lambda-src/shared/job";
import { createWritingEvaluatorHandler, type WritingEvaluatorHandler } from "../../../lambda-src/writing-evaluator/handler";
import { FAKE_CONNECTION, useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer } from "../../support/model-server";
import { useRecordingProxy } from "../../support/recording-proxy";
import { API_KEY, contextWith, gate, itemCount, MODEL_ID, NOW, rawItem, rejectionOf, silentLog, testClock, testModelClient, until } from "./helpers";

const db = useDynalite();
const proxy = useRecordingProxy(() => db().endpoint);
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
const clock = testClock();
let client: DynamoDBDocumentClient;
let evaluations: EvaluationsRepository;
let handler: WritingEvaluatorHandler;

beforeAll(() => {
  client = createDocumentClient({ ...FAKE_CONNECTION, endpoint: proxy().url });
  evaluations = createEvaluationsRepository({ client, tableName: db().evaluationsTable, now: () => NOW, clockMs: clock.now });
  handler = createWritingEvaluatorHandler({ evaluations, model: testModelClient(model().url), log: silentLog, clock: clock.now });
});
afterAll(() => client.destroy());

const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} argues that cities should plant more trees along their streets.`).join(" ");
const event = (overrides: Record<string, unknown> = {}) => ({
  user_id: "user-456",
  task: "task2",
  prompt: "Some people think cities need more trees. Discuss.",
  essay: ESSAY,
  ...overrides,
});
const FEEDBACK = { strengths: ["Clear."], weaknesses: ["Short."], suggestions: ["Develop examples."] };
const answer = (overall: string) => ({
  task_achievement_band: overall,
  coherence_band: overall,
  lexical_band: overall,
  grammar_band: overall,
  overall_band: overall,
  feedback: FEEDBACK,
});
const stored = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-456" });
const count = () => itemCount(db().client, db().evaluationsTable);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** DynamoDB operations the proxy saw, e.g. "PutItem". */
const operations = () => proxy().requests.map((r) => r.target?.replace("DynamoDB_20120810.", ""));

describe("redelivery with the same request id", () => {
  const REQUEST_ID = "8f14e45f-ceea-467e-a8e1-2f1a3c9b2d11";

  test("an event without evaluation_id reaches the same record: one record, one model call, the stored result", async () => {
    model().reply(geminiAnswer(answer("7.0")));
    const before = await count();
    const first = await handler(event(), contextWith(60_000, REQUEST_ID));
    expect(first).toMatchObject({ evaluation_id: `eval-${REQUEST_ID}`, status: "completed", overall_band: "7.0" });
    const item = await stored(`eval-${REQUEST_ID}`);
    // Lambda retries a failed asynchronous invocation with the same event and the same request id.
    const again = await handler(event(), contextWith(60_000, REQUEST_ID));
    expect(again).toEqual(first);
    expect(await stored(`eval-${REQUEST_ID}`)).toEqual(item);
    expect(await count()).toBe(before + 1);
    expect(model().requests).toHaveLength(1);
  });

  test("a new invocation (another request id) of the same essay is a new evaluation: callers that retry themselves pass evaluation_id", async () => {
    model().reply(geminiAnswer(answer("6.5")));
    const before = await count();
    const first = await handler(event(), contextWith(60_000, "0b6e1f3a-6d55-4c55-9f0e-7b1d7c0e5a01"));
    const second = await handler(event(), contextWith(60_000, "0b6e1f3a-6d55-4c55-9f0e-7b1d7c0e5a02"));
    expect(second.evaluation_id).not.toBe(first.evaluation_id);
    expect(await count()).toBe(before + 2);
    expect(model().requests).toHaveLength(2);
  });
});

describe("duplicates side by side", () => {
  test("10 concurrent copies with a slow model: exactly 1 model call; 9 JobInProgressError that wrote nothing", async () => {
    // The model answers only once the nine duplicates are done: as slow as it takes.
    const slow = gate();
    model().reply({ ...geminiAnswer(answer("7.5")), gate: slow.promise });
    let settled = 0;
    const copies = Array.from({ length: 10 }, (_, i) =>
      handler(event({ evaluation_id: "eval-ten" }), contextWith(60_000, `req-ten-${i}`))
        .catch((error: Error) => error)
        .finally(() => void settled++),
    );
    await until(() => settled === 9, "the nine duplicates");
    slow.open();
    const results = await Promise.all(copies);
    const done = results.filter((r) => !(r instanceof Error));
    const refused = results.filter((r): r is Error => r instanceof Error).map((reason) => ({ reason }));
    expect(done).toHaveLength(1);
    expect(refused).toHaveLength(9);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(JobInProgressError);
      expect(reason.message).toMatch(
        /^evaluation \{"evaluation_id":"eval-ten","user_id":"user-456"\} is being processed by another attempt until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z; this delivery did nothing: retry after that time to get the job's result$/,
      );
      expect((reason as JobInProgressError).retryAfterMs).toBeGreaterThan(50_000);
    }
    expect(model().requests).toHaveLength(1);
    // Each copy tried its conditional create once; only the one that got the job updated the record.
    expect(operations().filter((op) => op === "PutItem")).toHaveLength(10);
    expect(operations().filter((op) => op === "UpdateItem")).toHaveLength(1);
    expect(await stored("eval-ten")).toMatchObject({ status: { S: "completed" }, overall_band: { S: "7.5" } });
  });

  test("four copies delivered 50 ms apart make one model call; a later copy gets the stored result", async () => {
    const slow = gate();
    model().reply({ ...geminiAnswer(answer("6.0")), gate: slow.promise });
    let settled = 0;
    const copies: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      copies.push(
        handler(event({ evaluation_id: "eval-four" }), contextWith(60_000, `req-four-${i}`))
          .catch((error: Error) => error)
          .finally(() => void settled++),
      );
      await sleep(50);
    }
    await until(() => settled === 3, "the three duplicates");
    slow.open();
    const outcomes = await Promise.all(copies);
    expect(outcomes.filter((o) => o instanceof JobInProgressError)).toHaveLength(3);
    expect(model().requests).toHaveLength(1);
    const later = await handler(event({ evaluation_id: "eval-four" }), contextWith(60_000, "req-four-late"));
    expect(later).toMatchObject({ status: "completed", overall_band: "6.0" });
    expect(model().requests).toHaveLength(1);
  });

  test("a fast failure racing a good answer: the duplicate never calls the model, the good answer is stored and kept", async () => {
    // The first request answers well but slowly; any other would fail at once.
    const slow = gate();
    model().reply((_request, index) =>
      index === 0 ? { ...geminiAnswer(answer("8.0")), gate: slow.promise } : geminiError(400, "INVALID_ARGUMENT", "fast failure"),
    );
    const good = handler(event({ evaluation_id: "eval-race" }), contextWith(60_000, "req-race-1"));
    await until(() => model().requests.length === 1, "the first copy's model call");
    const fast = await rejectionOf(handler(event({ evaluation_id: "eval-race" }), contextWith(60_000, "req-race-2")));
    expect(fast).toBeInstanceOf(JobInProgressError);
    slow.open();
    expect(await good).toMatchObject({ status: "completed", overall_band: "8.0" });
    const item = await stored("eval-race");
    expect(await handler(event({ evaluation_id: "eval-race" }), contextWith(60_000, "req-race-3"))).toMatchObject({ status: "completed", overall_band: "8.0" });
    expect(await stored("eval-race")).toEqual(item);
    expect(model().requests).toHaveLength(1);
  });
});

describe("crashes and leases", () => {
  test("a crash after the start (the process dies as the model answers): a redelivery during the lease does nothing, one after it takes over", async () => {
    const before = await count();
    model().reply(geminiAnswer(answer("7.0")));
    // The attempt's process dies once the model has answered: its completion (and anything after it)
    // never happens. Its handler is left pending, as a killed process leaves its invocation.
    const dead = createWritingEvaluatorHandler({
      evaluations: { ...evaluations, completeWritingEvaluation: () => new Promise<never>(() => undefined) },
      model: testModelClient(model().url),
      log: silentLog,
      clock: clock.now,
    });
    void dead(event({ evaluation_id: "eval-crash" }), contextWith(30_000, "req-crash"));
    await until(() => model().requests.length === 1, "the crashed attempt's model call");
    expect(await stored("eval-crash")).toMatchObject({ status: { S: "processing" }, lease_holder: { S: expect.stringMatching(/^req-crash\//) } });

    // Lambda's retry, 1 minute later on a real clock, here while the lease still runs: nothing done.
    const early = await rejectionOf(handler(event({ evaluation_id: "eval-crash" }), contextWith(30_000, "req-crash")));
    expect(early).toBeInstanceOf(JobInProgressError);
    expect(model().requests).toHaveLength(1);

    clock.advance(30_001);
    const taken = await handler(event({ evaluation_id: "eval-crash" }), contextWith(30_000, "req-crash"));
    expect(taken).toMatchObject({ status: "completed", overall_band: "7.0" });
    expect(model().requests).toHaveLength(2);
    const item = await stored("eval-crash");
    expect(item).not.toHaveProperty("lease_holder");
    expect(await count()).toBe(before + 1);
  });

  test("a completion that never reaches DynamoDB (every try dropped): the attempt releases its lease before it throws; the next delivery takes over at once", async () => {
    model().reply(geminiAnswer(answer("6.5")));
    proxy().dropWhen((r) => r.target === "DynamoDB_20120810.UpdateItem" && r.body.includes('"completed"'));
    const failed = await rejectionOf(handler(event({ evaluation_id: "eval-dropped" }), contextWith(30_000, "req-dropped")));
    expect(failed.name).toBe("OutcomeNotRecordedError");
    expect(failed.message).toContain("its lease was released: the next delivery runs the job again");
    // More than the client's three attempts: the outcome is tried again within its reserve.
    expect(proxy().requests.filter((r) => r.dropped).length).toBeGreaterThan(3);
    proxy().dropWhen(undefined);
    const item = await stored("eval-dropped");
    expect(item).toMatchObject({ status: { S: "processing" } });
    expect(Number(item!.lease_expires_at_ms.N)).toBeLessThanOrEqual(clock.now());
    // No clock moved: the released lease lets the redelivery take the job over.
    const again = await handler(event({ evaluation_id: "eval-dropped" }), contextWith(30_000, "req-dropped"));
    expect(again).toMatchObject({ status: "completed", overall_band: "6.5" });
    expect(model().requests).toHaveLength(2);
  });

  test("an attempt whose lease passed while it waited loses the job: its late good answer is refused, the new holder's result stays", async () => {
    const held = gate();
    model().reply((_request, index) => (index === 0 ? { ...geminiAnswer(answer("9.0")), gate: held.promise } : geminiAnswer(answer("5.0"))));
    const first = handler(event({ evaluation_id: "eval-lost" }), contextWith(15_000, "req-lost-1"));
    await until(() => model().requests.length === 1, "the first attempt's model call");
    clock.advance(15_001);
    const second = await handler(event({ evaluation_id: "eval-lost" }), contextWith(60_000, "req-lost-2"));
    expect(second).toMatchObject({ status: "completed", overall_band: "5.0" });
    held.open();
    // The first attempt's completion is refused; it answers with the job's stored outcome.
    expect(await first).toEqual(second);
    expect(await stored("eval-lost")).toMatchObject({ overall_band: { S: "5.0" } });
    expect(model().requests).toHaveLength(2);
  });
});

describe("an explicit id reused with other input", () => {
  test.each([
    ["another essay", { essay: `${ESSAY} One more sentence about shade and cooler streets in summer.` }],
    ["another task", { task: "task1" }],
    ["another prompt", { prompt: "Do trees improve city life?" }],
  ])("with %s: refused naming the id; nothing overwritten; no model call", async (_name, change) => {
    model().reply(geminiAnswer(answer("7.0")));
    const id = `eval-reuse-${_name.replace(/\W+/g, "-")}`;
    await handler(event({ evaluation_id: id }), contextWith(60_000, "req-reuse-1"));
    const item = await stored(id);
    const error = await rejectionOf(handler(event({ evaluation_id: id, ...change }), contextWith(60_000, "req-reuse-2")));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).field).toBe("evaluation_id");
    expect(error.message).toBe(
      `invalid event: \`evaluation_id\` must not name an existing evaluation of another task, prompt or essay (an id names one job and its input); use a new evaluation_id, or leave it out, to evaluate this essay; got "${id}"`,
    );
    expect(await stored(id)).toEqual(item);
    expect(model().requests).toHaveLength(1);
  });

  test("the same essay with surrounding spaces is the same input: the stored result", async () => {
    model().reply(geminiAnswer(answer("7.0")));
    const first = await handler(event({ evaluation_id: "eval-trimmed" }), contextWith(60_000, "req-trim-1"));
    expect(await handler(event({ evaluation_id: "eval-trimmed", essay: `  ${ESSAY}\n` }), contextWith(60_000, "req-trim-2"))).toEqual(first);
    expect(model().requests).toHaveLength(1);
  });
});
