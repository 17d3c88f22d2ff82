/**
 * The built zips (support/built-zip.ts) when the world misbehaves, delivered as Lambda delivers an
 * asynchronous invocation: again with the same event and request id about 1 and 3 minutes after a
 * failure (the clock of the function's process is shifted; nobody waits minutes), then the
 * dead-letter queue. DynamoDB is dynalite behind the fault proxy (support/dynamodb-fault-proxy.ts):
 * answers lost after the write was applied, answers held past the client's timeout, throttled
 * writes, connections that do not complete. Also here: user text and the API key kept out of logs
 * and records, the lease's bounds, the IELTS overall band, invisible characters in ids.
 */
import { createHash } from "node:crypto";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { FLASHCARD_GENERATOR, SPEAKING_EVALUATOR, WRITING_EVALUATOR, type FunctionDefinition } from "../../lambda-src/contract/function-definitions";
import { inputHash } from "../../lambda-src/shared/input-hash";
import { useBuiltZips, ZIP_API_KEY as API_KEY, type Invocation } from "../support/built-zip";
import { geminiAnswer, geminiError, type Reply } from "../support/model-server";
import { makePdf } from "../support/pdf";
import { gate, itemCount, rawItem, until } from "./handlers/helpers";
import { makeWav } from "./handlers/wav";

const { invoke, invokeAsynchronously, db, s3, model, dynamo } = useBuiltZips({ faults: true });

const FEEDBACK = { strengths: ["Clear position."], weaknesses: ["Few examples."], suggestions: ["Add one example per paragraph."] };
const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} explains why public transport deserves more funding.`).join(" ");
const PROMPT = "Should governments fund public transport?";
const USER = "user-456";
const writing = (overrides: Record<string, unknown> = {}) => ({ user_id: USER, task: "task2", prompt: PROMPT, essay: ESSAY, ...overrides });
const bands = (criteria: [string, string, string, string], overall: string) => ({
  task_achievement_band: criteria[0],
  coherence_band: criteria[1],
  lexical_band: criteria[2],
  grammar_band: criteria[3],
  overall_band: overall,
  feedback: FEEDBACK,
});
const answer = (band: string) => bands([band, band, band, band], band);
const evaluation = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: USER });
const flashcardSet = (set_id: string) => rawItem(db().client, db().flashcardSetsTable, { set_id, user_id: USER });
/** `PutItem:lose-response`, `UpdateItem:ok`, ... in the order the proxy saw them. */
const trace = () => dynamo().requests.map((r) => `${r.operation}:${r.fault ?? "ok"}`);
const isCompletion = (body: string) => body.includes('{":target":{"S":"completed"}') || /":target":\{"S":"completed"\}/.test(body);
const isFailure = (body: string) => /":target":\{"S":"failed"\}/.test(body);

const DOC = "uploads/documents/user-456/faults.pdf";
const CARDS = [{ question: "What does ubiquitous mean?", answer: "Found everywhere." }];
beforeAll(async () => {
  await s3().put(DOC, await makePdf(["Ubiquitous means found everywhere. Meticulous means very careful."]), "application/pdf");
  await s3().put("uploads/audio/user-456/answer.wav", makeWav(2), "audio/wav");
});

/** How a delivery ended: "ok", "timed out", or the error's name. */
const outcomeOf = (run: Invocation) => (run.ok ? "ok" : run.timedOut ? "timed out" : run.error?.name);

describe("an attempt recognises its own claim after a retried start or takeover write", () => {
  test("the start PutItem is applied but its answer is lost (socket closed): the same attempt goes on; one delivery, one model call", async () => {
    dynamo().inject((r) => r.operation === "PutItem", { kind: "lose-response" }, 1);
    model().reply(geminiAnswer(answer("7.0")));
    const requestId = "0e4a7c1d-1111-4a5b-8c9d-000000000001";
    const { deliveries, deadLettered } = await invokeAsynchronously(WRITING_EVALUATOR, writing(), requestId);
    expect(deliveries.map(outcomeOf)).toEqual(["ok"]);
    expect(deadLettered).toBe(false);
    expect(deliveries[0].result).toMatchObject({ status: "completed", overall_band: "7.0" });
    expect(model().requests).toHaveLength(1);
    // The SDK retried the put; the retry was refused by the record the first one wrote.
    expect(trace().slice(0, 3)).toEqual(["PutItem:lose-response", "PutItem:ok", "GetItem:ok"]);
    expect(deliveries[0].output).toContain("the start write was applied but its answer was lost; the record holds this attempt's claim: going on");
    expect(deliveries[0].output).not.toContain("another attempt");
    expect(await evaluation(`eval-${requestId}`)).toMatchObject({ status: { S: "completed" } });
  });

  test("flashcards: the start PutItem's answer is held past the client's 5 s request timeout: one delivery, one model call, not the dead-letter queue", async () => {
    dynamo().inject((r) => r.operation === "PutItem", { kind: "hold-response" }, 1);
    model().reply(geminiAnswer({ flashcards: CARDS }));
    const { deliveries, deadLettered } = await invokeAsynchronously(FLASHCARD_GENERATOR, { user_id: USER, document_id: DOC, set_id: "set-held-start" }, "req-held-start");
    expect(deliveries.map(outcomeOf)).toEqual(["ok"]);
    expect(deadLettered).toBe(false);
    expect(dynamo().requests[0]).toMatchObject({ operation: "PutItem", fault: "hold-response", applied: true });
    expect(dynamo().requests[0].ms).toBeGreaterThanOrEqual(4_900);
    expect(model().requests).toHaveLength(1);
    expect(await flashcardSet("set-held-start")).toMatchObject({ status: { S: "completed" }, total_cards: { N: "1" } });
  });

  test("the takeover UpdateItem is applied but its answer is lost: the attempt that took the job over goes on", async () => {
    // A record left by an attempt that crashed: `processing`, its lease passed a second ago.
    const event = writing({ evaluation_id: "eval-takeover-lost" });
    await db().client.send(
      new PutItemCommand({
        TableName: db().evaluationsTable,
        Item: {
          evaluation_id: { S: "eval-takeover-lost" },
          user_id: { S: USER },
          evaluation_type: { S: "writing" },
          status: { S: "processing" },
          created_at: { N: String(Math.floor(Date.now() / 1000) - 200) },
          input_hash: { S: inputHash("writing", { task: "task2", prompt: PROMPT, essay: ESSAY }) },
          lease_holder: { S: "req-crashed/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed" },
          lease_expires_at_ms: { N: String(Date.now() - 1_000) },
        },
      }),
    );
    dynamo().inject((r) => r.operation === "UpdateItem", { kind: "lose-response" }, 1);
    model().reply(geminiAnswer(answer("6.5")));
    const { deliveries } = await invokeAsynchronously(WRITING_EVALUATOR, event, "req-takeover-lost");
    expect(deliveries.map(outcomeOf)).toEqual(["ok"]);
    expect(model().requests).toHaveLength(1);
    // The takeover, its answer lost; the SDK's retry of it refused; the next round finds the claim its own.
    expect(trace().slice(0, 6)).toEqual(["PutItem:ok", "GetItem:ok", "UpdateItem:lose-response", "UpdateItem:ok", "PutItem:ok", "GetItem:ok"]);
    expect(deliveries[0].output).toContain("the takeover write was applied but its answer was lost; the record holds this attempt's claim: going on");
    expect(await evaluation("eval-takeover-lost")).toMatchObject({ status: { S: "completed" }, overall_band: { S: "6.5" } });
  });
});

describe("an outcome write that fails: retried within the reserve, then the lease released, so Lambda's next retry runs the job", () => {
  /** The first delivery with `faultFor` on its outcome writes, the next ones (at +60 s, +180 s) without. */
  async function deliverWithFaultyFirst(definition: FunctionDefinition, event: unknown, requestId: string, faulty: () => void, timeoutMs?: number) {
    faulty();
    const first = await invoke(definition, event, requestId, { timeoutMs });
    dynamo().clearFaults();
    const runs: Invocation[] = [first];
    for (const offset of [60_000, 180_000]) {
      if (runs[runs.length - 1].ok) break;
      runs.push(await invoke(definition, event, requestId, { clockOffsetMs: offset, timeoutMs }));
    }
    return runs;
  }

  test("writing: the completion throttled on every attempt of the first delivery: it retries past the SDK's three attempts within its reserve, releases its lease and throws; the retry at +60 s runs the job", async () => {
    model().reply(geminiAnswer(answer("7.5")));
    const runs = await deliverWithFaultyFirst(WRITING_EVALUATOR, writing({ evaluation_id: "eval-throttled-outcome" }), "req-throttled-outcome", () =>
      dynamo().inject((r) => r.operation === "UpdateItem" && isCompletion(r.body), { kind: "throttle" }),
    );
    expect(runs.map(outcomeOf)).toEqual(["OutcomeNotRecordedError", "ok"]);
    const [first, second] = runs;
    expect(first.error!.message).toMatch(
      /^evaluation \{"evaluation_id":"eval-throttled-outcome","user_id":"user-456"\}: the job's outcome \(completed\) could not be recorded in \d+ writes over \d+\.\d s \(ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded\. Consider increasing your provisioning level with the UpdateTable API\.\); its lease was released: the next delivery runs the job again$/,
    );
    const throttled = dynamo().requests.filter((r) => r.fault === "throttle").length;
    expect(throttled).toBeGreaterThan(3);
    expect(first.ms).toBeLessThan(WRITING_EVALUATOR.outcomeReserveMs + 3_000);
    expect(first.output).toContain("the job's outcome could not be recorded; lease released");
    expect(second.result).toMatchObject({ status: "completed", overall_band: "7.5" });
    expect(second.output).toContain("job timed out");
    expect(model().requests).toHaveLength(2);
    expect(await evaluation("eval-throttled-outcome")).toMatchObject({ status: { S: "completed" } });
  });

  test("writing: the `failed` write throttled the same way: released; the retry at +60 s records the failure", async () => {
    model().reply(geminiError(400, "INVALID_ARGUMENT", "Request contains an invalid argument."));
    const runs = await deliverWithFaultyFirst(WRITING_EVALUATOR, writing({ evaluation_id: "eval-throttled-failure" }), "req-throttled-failure", () =>
      dynamo().inject((r) => r.operation === "UpdateItem" && isFailure(r.body), { kind: "throttle", code: "ThrottlingException" }),
    );
    expect(runs.map(outcomeOf)).toEqual(["OutcomeNotRecordedError", "ok"]);
    expect(runs[1].result).toMatchObject({ status: "failed", error_message: "the model API answered HTTP 400 (INVALID_ARGUMENT): Request contains an invalid argument." });
    expect(await evaluation("eval-throttled-failure")).toMatchObject({ status: { S: "failed" } });
  });

  test("writing: when the work used its whole deadline and DynamoDB answers none of the completion's tries, the attempt still ends before Lambda's timeout, released", async () => {
    // 14 s left: the model may take until 4 s (the deadline: the end less the 10 s reserve); it takes
    // 2.5 s, so the outcome has about 11 s, less than the client's three tries of 5 s. Under load the
    // model call may pass the deadline: the `failed` write then meets the same fault.
    model().reply({ ...geminiAnswer(answer("6.0")), delayMs: 2_500 });
    const runs = await deliverWithFaultyFirst(
      WRITING_EVALUATOR,
      writing({ evaluation_id: "eval-unanswered-outcome" }),
      "req-unanswered-outcome",
      () => dynamo().inject((r) => r.operation === "UpdateItem" && (isCompletion(r.body) || isFailure(r.body)), { kind: "no-answer" }),
      14_000,
    );
    expect(runs.map(outcomeOf)).toEqual(["OutcomeNotRecordedError", "ok"]);
    expect(runs[0].error!.message).toContain("its lease was released");
    expect(runs[0].ms).toBeLessThan(14_000);
    expect(runs[1].result).toMatchObject({ status: "completed", overall_band: "6.0" });
  }, 90_000);

  test("flashcards (300 s): the completion's answer is lost: the attempt recognises its own completion; one delivery", async () => {
    dynamo().inject((r) => r.operation === "UpdateItem" && isCompletion(r.body), { kind: "lose-response" }, 1);
    model().reply(geminiAnswer({ flashcards: CARDS }));
    const { deliveries } = await invokeAsynchronously(FLASHCARD_GENERATOR, { user_id: USER, document_id: DOC, set_id: "set-lost-outcome" }, "req-lost-outcome");
    expect(deliveries.map(outcomeOf)).toEqual(["ok"]);
    expect(deliveries[0].result).toMatchObject({ status: "completed", total_cards: 1 });
    expect(deliveries[0].output).toContain("the outcome write was applied but its answer was lost; the record holds this attempt's outcome");
    expect(deliveries[0].output).not.toContain("another attempt");
    expect(model().requests).toHaveLength(1);
  });

  test("flashcards (300 s): DynamoDB completes no connection for 8 s from the completion on: the attempt keeps trying (its release cannot connect either) and records its outcome; one delivery, not the dead-letter queue", async () => {
    dynamo().inject((r) => r.operation === "UpdateItem" && isCompletion(r.body), { kind: "slow-connect" }, 1);
    model().reply(geminiAnswer({ flashcards: CARDS }));
    const started = Date.now();
    const restored = until(() => dynamo().requests.some((r) => r.fault === "slow-connect"), "the slow connect").then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      await dynamo().restore();
    });
    const { deliveries, deadLettered } = await invokeAsynchronously(FLASHCARD_GENERATOR, { user_id: USER, document_id: DOC, set_id: "set-slow-connect" }, "req-slow-connect");
    await restored;
    expect(deliveries.map(outcomeOf)).toEqual(["ok"]);
    expect(deadLettered).toBe(false);
    expect(Date.now() - started).toBeGreaterThan(8_000);
    expect(model().requests).toHaveLength(1);
    expect(await flashcardSet("set-slow-connect")).toMatchObject({ status: { S: "completed" } });
  }, 90_000);
});

describe("no user text in logs, errors or error_message", () => {
  const shortHash = (text: string) => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12);

  test("a refused essay is described by its length and hash, never quoted", async () => {
    const essay = "My phone number is +44 20 7946 0958 and I live at 221B Baker Street.";
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(WRITING_EVALUATOR, writing({ essay }), "req-refused-essay");
    expect(run.error).toEqual({
      name: "InvalidEventError",
      message: `invalid event: \`essay\` must have 50 to 1000 words to be banded; it has 15; got a string of ${essay.length} characters (sha256 ${shortHash(essay)}…)`,
    });
    expect(run.output).not.toContain("7946");
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
  });

  test("a truncated speaking answer: the transcript is in neither the log nor error_message", async () => {
    const transcript = "Well, you can reach me on +44 20 7946 0958 any evening, I grew up in a small coastal town where";
    const text = `{"transcript": "${transcript}`;
    model().reply(geminiAnswer(undefined, { text, finishReason: "STOP" }));
    const run = await invoke(SPEAKING_EVALUATOR, { user_id: USER, audio_key: "uploads/audio/user-456/answer.wav", evaluation_id: "eval-truncated" }, "req-truncated");
    expect(run.result).toMatchObject({ status: "failed", error_message: `the model's answer is not JSON: a string of ${text.length} characters (sha256 ${shortHash(text)}…)` });
    expect(run.output).toContain("job failed");
    expect(run.output).not.toContain("7946");
    expect(JSON.stringify(await evaluation("eval-truncated"))).not.toContain("7946");
  });
});

describe("the API key, in any spelling, never stored, logged or returned", () => {
  const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
  const halves = [API_KEY.slice(0, 18), API_KEY.slice(18)];
  /** Spellings a reader could turn back into the key. */
  const spellings = [
    API_KEY,
    API_KEY.toLowerCase(),
    API_KEY.toUpperCase(),
    base64(API_KEY).slice(0, 40),
    base64(`x${API_KEY}`).slice(4, 40),
    encodeURIComponent(API_KEY),
    `\\u0041${API_KEY.slice(1)}`,
    ...halves,
  ];
  const cases: [string, Reply][] = [
    [
      "escaped as \\u0041IzaSy… inside a non-string error.message",
      { status: 400, body: `{"error":{"code":400,"message":{"detail":"key \\u0041${API_KEY.slice(1)} is not valid"},"status":"INVALID_ARGUMENT"}}` },
    ],
    ["lower-cased in an HTML error page", { status: 502, body: `<html><body><h1>502 Bad Gateway</h1><p>upstream refused key=${API_KEY.toLowerCase()}</p></body></html>` }],
    [
      "base64-encoded in the model's feedback",
      geminiAnswer({ ...answer("7.0"), feedback: { ...FEEDBACK, strengths: [`Your token is ${base64(`token:${API_KEY}`)} today.`] } }),
    ],
    [
      "split over two feedback strings",
      geminiAnswer({ ...answer("7.0"), feedback: { ...FEEDBACK, strengths: [`Part one: ${halves[0]}`], weaknesses: [`${halves[1]} is part two.`] } }),
    ],
  ];

  test.each(cases)("%s", async (name, reply) => {
    model().reply(reply);
    const id = `eval-key-${name.replace(/\W+/g, "-").slice(0, 40)}`;
    const run = await invoke(WRITING_EVALUATOR, writing({ evaluation_id: id }), `req-${id}`);
    const stored = JSON.stringify(await evaluation(id));
    for (const text of [stored, run.output, JSON.stringify(run.result ?? run.error)]) {
      for (const spelling of spellings) expect(text.toLowerCase()).not.toContain(spelling.toLowerCase());
    }
    expect(run.ok).toBe(true);
  });
});

describe("the lease's bounds, the IELTS overall band, invisible characters in ids", () => {
  test.each([
    ["NaN", "NaN"],
    ["Infinity", "Infinity"],
    ["a value past the year 33000", "1e15"],
  ])("getRemainingTimeInMillis() returning %s: the lease ends within the function's timeout, and the job runs", async (_name, expression) => {
    const id = `eval-remaining-${expression.replace(/\W/g, "")}`;
    const held = gate();
    model().reply({ ...geminiAnswer(answer("6.5")), gate: held.promise });
    const before = Date.now();
    const running = invoke(WRITING_EVALUATOR, writing({ evaluation_id: id }), `req-${id}`, { remainingTimeExpression: expression });
    await until(() => model().requests.length === 1, "the model call");
    const record = await evaluation(id);
    held.open();
    const run = await running;
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ status: "completed" });
    const lease = Number(record!.lease_expires_at_ms.N);
    expect(lease).toBeGreaterThan(before);
    expect(lease).toBeLessThanOrEqual(Date.now() + WRITING_EVALUATOR.defaultTimeoutSeconds * 1000);
  });

  test("an overall band off the IELTS rule by more than half a band fails the job; within half a band it is recomputed", async () => {
    model().reply(geminiAnswer(bands(["1.0", "1.0", "1.0", "1.0"], "9.0")));
    const off = await invoke(WRITING_EVALUATOR, writing({ evaluation_id: "eval-band-off" }), "req-band-off");
    expect(off.result).toMatchObject({
      status: "failed",
      error_message:
        "the model's answer is malformed: `overall_band` must be the mean of the four criteria rounded to the nearest half band as IELTS rounds it (1.0 from 1.0, 1.0, 1.0, 1.0), or within half a band of it; got \"9.0\"",
    });
    model().reply(geminiAnswer(bands(["7.0", "6.5", "7.0", "6.5"], "6.5")));
    const slip = await invoke(WRITING_EVALUATOR, writing({ evaluation_id: "eval-band-slip" }), "req-band-slip");
    // Mean 6.75: IELTS rounds .75 up to the next whole band.
    expect(slip.result).toMatchObject({ status: "completed", overall_band: "7.0" });
    expect(slip.output).toContain("the model's overall band differs from the IELTS rule; stored the rule's");
  });

  test.each([
    ["U+200B (zero width space)", "user\u200b-456"],
    ["U+202E (right-to-left override)", "user-\u202e654"],
  ])("a user_id with %s is refused, written escaped in the message; nothing written", async (_name, userId) => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(WRITING_EVALUATOR, { ...writing(), user_id: userId }, "req-invisible");
    expect(run.error?.name).toBe("InvalidEventError");
    expect(run.error?.message).toContain("must be the user's id: 1 to 256 characters without spaces, control, format (invisible, bidirectional) or other default-ignorable characters");
    expect(run.error?.message).toContain(JSON.stringify(userId).replace(/[\u200b\u202e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
  });
});
