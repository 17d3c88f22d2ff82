/**
 * The log lines that count job outcomes (contract/job-outcome-log.ts), written by the lifecycle every
 * handler shares (shared/job.ts), here through the Writing Evaluator: `job failed` once per job
 * recorded `failed`, `job timed out` once per job whose time ran out (the work's deadline passed, or a
 * later attempt took over a job whose attempt ended without an outcome). The stack's log metric
 * filters count exactly these messages (constructs/job-outcome-metrics.ts).
 *
 * DynamoDB is dynalite behind a recording proxy that can drop a write (a crash after the model
 * answered); the model is the local Gemini-compatible server; leases run on a test clock.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../lambda-src/data/dynamodb-client";
import { createEvaluationsRepository } from "../../../lambda-src/data/evaluations-repository";
import { WRITING_EVALUATOR } from "../../../lambda-src/contract/function-definitions";
import { consoleLogger } from "../../../lambda-src/shared/job";
import { JOB_OUTCOME_MESSAGES, MESSAGE_SELECTOR } from "../../../lambda-src/contract/job-outcome-log";
import { createWritingEvaluatorHandler, type WritingEvaluatorHandler } from "../../../lambda-src/writing-evaluator/handler";
import { FAKE_CONNECTION, useDynalite } from "../../support/dynalite";
import { geminiAnswer, geminiError, useModelServer } from "../../support/model-server";
import { useRecordingProxy } from "../../support/recording-proxy";
import { API_KEY, capturingLog, contextWith, MODEL_ID, NOW, rawItem, rejectionOf, testClock, testModelClient } from "./helpers";

const db = useDynalite();
const proxy = useRecordingProxy(() => db().endpoint);
const model = useModelServer({ modelId: MODEL_ID, apiKey: API_KEY });
const clock = testClock();
let client: DynamoDBDocumentClient;
let handler: WritingEvaluatorHandler;
let capture: ReturnType<typeof capturingLog>;

beforeAll(() => {
  client = createDocumentClient({ ...FAKE_CONNECTION, endpoint: proxy().url });
  const evaluations = createEvaluationsRepository({ client, tableName: db().evaluationsTable, now: () => NOW, clockMs: clock.now });
  capture = capturingLog();
  handler = createWritingEvaluatorHandler({ evaluations, model: testModelClient(model().url), log: capture.log, clock: clock.now });
});
beforeEach(() => capture.lines.splice(0));
afterAll(() => client.destroy());

const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} argues that cities should plant more trees along their streets.`).join(" ");
const event = (evaluation_id: string) => ({ user_id: "user-456", task: "task2", prompt: "Cities need more trees. Discuss.", essay: ESSAY, evaluation_id });
const BAND = { task_achievement_band: "7.0", coherence_band: "7.0", lexical_band: "7.0", grammar_band: "7.0", overall_band: "7.0" };
const ANSWER = { ...BAND, feedback: { strengths: ["Clear."], weaknesses: ["Short."], suggestions: ["Develop examples."] } };
const label = (evaluation_id: string) => `evaluation ${JSON.stringify({ evaluation_id, user_id: "user-456" })}`;
/** The captured lines whose message is one of the job outcome messages, parsed. */
const outcomeLines = () =>
  capture.lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => (Object.values(JOB_OUTCOME_MESSAGES) as string[]).includes(line.message as string));

test("a job the model fails: one `job failed` line (error level, the job and the stored reason), no `job timed out`", async () => {
  model().reply(geminiError(400, "INVALID_ARGUMENT", "the request is malformed"));
  const result = await handler(event("eval-log-failed"), contextWith(60_000, "req-log-failed"));
  expect(result.status).toBe("failed");
  const stored = result.status === "failed" ? result.error_message : undefined;
  expect(stored).toEqual(expect.any(String));
  expect(outcomeLines()).toEqual([{ level: "error", message: "job failed", job: label("eval-log-failed"), error: stored }]);
});

test("a job that completes writes no outcome line", async () => {
  model().reply(geminiAnswer(ANSWER));
  expect(await handler(event("eval-log-ok"), contextWith(60_000, "req-log-ok"))).toMatchObject({ status: "completed" });
  expect(outcomeLines()).toEqual([]);
});

test("the work's deadline passed before the model call: `job timed out` and `job failed`, the job recorded failed with the reason", async () => {
  // 10.5 s left, 10 s of them kept to record the outcome: 0.5 s for the work, under the 1 s a step needs.
  const remainingMs = WRITING_EVALUATOR.outcomeReserveMs + 500;
  const result = await handler(event("eval-log-deadline"), contextWith(remainingMs, "req-log-deadline"));
  const reason = "no time left to call the model before the function's timeout";
  expect(result).toMatchObject({ status: "failed", error_message: reason });
  expect(model().requests).toHaveLength(0);
  expect(outcomeLines()).toEqual([
    { level: "error", message: "job timed out", job: label("eval-log-deadline"), error: reason },
    { level: "error", message: "job failed", job: label("eval-log-deadline"), error: reason },
  ]);
  expect(await rawItem(db().client, db().evaluationsTable, { evaluation_id: "eval-log-deadline", user_id: "user-456" })).toMatchObject({
    status: { S: "failed" },
    error_message: { S: reason },
  });
});

test("an attempt ended without an outcome (its completion lost): the attempt that takes the job over logs `job timed out` naming it", async () => {
  model().reply(geminiAnswer(ANSWER));
  proxy().dropWhen((r) => r.target === "DynamoDB_20120810.UpdateItem" && r.body.includes('"completed"'));
  await rejectionOf(handler(event("eval-log-takeover"), contextWith(30_000, "req-log-crashed")));
  proxy().dropWhen(undefined);
  const crashed = await rawItem(db().client, db().evaluationsTable, { evaluation_id: "eval-log-takeover", user_id: "user-456" });
  expect(outcomeLines()).toEqual([]);

  clock.advance(30_001);
  expect(await handler(event("eval-log-takeover"), contextWith(30_000, "req-log-next"))).toMatchObject({ status: "completed" });
  expect(outcomeLines()).toEqual([
    {
      level: "warn",
      message: "job timed out",
      job: label("eval-log-takeover"),
      attempt: crashed?.lease_holder?.S,
      detail: "the attempt's lease passed without an outcome; this attempt took the job over",
    },
  ]);
});

describe("consoleLogger, the handlers' default logger", () => {
  test("passes one object to the console, so Lambda's JSON log format nests it under `message` and filters select `$.message.message`", () => {
    const spy = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      consoleLogger("error", JOB_OUTCOME_MESSAGES.failed, { job: "evaluation x", error: "the model API did not answer" });
      expect(spy.mock.calls).toEqual([[{ message: "job failed", job: "evaluation x", error: "the model API did not answer" }]]);
    } finally {
      spy.mockRestore();
    }
    expect(MESSAGE_SELECTOR).toBe("$.message.message");
  });

  test("each level goes to the console method of that level (the runtime's `level` field)", () => {
    const spies = (["info", "warn", "error"] as const).map((level) => [level, jest.spyOn(console, level).mockImplementation(() => undefined)] as const);
    try {
      for (const [level] of spies) consoleLogger(level, `a ${level} line`);
      for (const [level, spy] of spies) expect(spy.mock.calls).toEqual([[{ message: `a ${level} line` }]]);
    } finally {
      for (const [, spy] of spies) spy.mockRestore();
    }
  });
});
