/**
 * What is deployed is what is tested: each function's zip, built as the stack builds it (its hash is
 * the synthesized `source_code_hash`), unzipped into a folder and run the way the Node.js runtime
 * runs it: `require` of the handler file in a fresh `node` process (not jest's module system), the
 * flashcard generator's layer on NODE_PATH as Lambda puts /opt/nodejs/node_modules there, the
 * exported `handler` called with a Lambda-shaped context, and the function's environment variables
 * exactly as the synthesized dev stack sets them. Only the endpoints are pointed here, with the SDK's
 * own variables: `AWS_ENDPOINT_URL_DYNAMODB` (dynalite), `AWS_ENDPOINT_URL_S3` (s3rver behind a
 * recording proxy), `AWS_ENDPOINT_URL_SSM` (the SSM stand-in) and `MODEL_API_BASE_URL` (the local
 * Gemini-compatible server).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { bundleOptionsOf, LAMBDA_RUNTIME } from "../../constructs/bandup-function";
import { buildLambdaBundle } from "../../constructs/lambda-bundle";
import { buildNodeModulesLayer } from "../../constructs/node-modules-layer";
import { inputHash } from "../../lambda-src/shared/input-hash";
import { FLASHCARD_GENERATOR, SPEAKING_EVALUATOR, WRITING_EVALUATOR, type FunctionDefinition } from "../../lambda-src/contract/function-definitions";
import { useDynalite } from "../support/dynalite";
import { node24Binary } from "../support/node-runtimes";
import { geminiAnswer, useModelServer } from "../support/model-server";
import { makePdf } from "../support/pdf";
import { useS3rver } from "../support/s3rver";
import { useSsmStandIn } from "../support/ssm-stand-in";
import { resourceNamed, synthEnvironment, type TerraformJson } from "../support/synth";
import { itemCount, rawItem } from "./handlers/helpers";
import { makeWav } from "./handlers/wav";

const API_KEY = "AIzaSy-zip-test-key-0123456789abcdef";
const work = mkdtempSync(join(tmpdir(), "built-zips-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The dev stack's Lambda functions, by kind, as synthesized. */
let functions: Record<string, TerraformJson>;
const variablesOf = (definition: FunctionDefinition): Record<string, string> => functions[definition.kind].environment.variables;

beforeAll(() => {
  const { json } = synthEnvironment("dev");
  functions = Object.fromEntries(
    [WRITING_EVALUATOR, SPEAKING_EVALUATOR, FLASHCARD_GENERATOR].map((d) => [d.kind, resourceNamed(json, "aws_lambda_function", `${d.baseName}-dev`)]),
  );
});

const db = useDynalite({
  tableNames: () => ({
    evaluations: variablesOf(WRITING_EVALUATOR).DYNAMODB_EVALUATIONS,
    flashcardSets: variablesOf(FLASHCARD_GENERATOR).DYNAMODB_FLASHCARD_SETS,
  }),
});
const s3 = useS3rver(() => variablesOf(SPEAKING_EVALUATOR).UPLOADS_BUCKET);
const ssm = useSsmStandIn(() => ({ [variablesOf(WRITING_EVALUATOR).MODEL_API_KEY_PARAMETER]: API_KEY }));
const model = useModelServer({ modelId: () => variablesOf(WRITING_EVALUATOR).MODEL_ID, apiKey: API_KEY });

/** Unzips `zip` into `dir`. */
function unzipInto(dir: string, zip: Uint8Array): void {
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
}

/** Folder of each function's unzipped code (and layer), built once. */
const folders = new Map<string, string>();

function unzippedFunction(definition: FunctionDefinition): string {
  const existing = folders.get(definition.kind);
  if (existing) return existing;
  const bundle = buildLambdaBundle(definition.entry, bundleOptionsOf(definition));
  // The zip Terraform deploys: the synthesized function names this exact hash.
  expect(functions[definition.kind].source_code_hash).toBe(bundle.sourceCodeHash);
  const dir = join(work, definition.kind);
  unzipInto(join(dir, "task"), bundle.zip);
  if (definition.layerPackages) unzipInto(join(dir, "opt"), buildNodeModulesLayer(definition.layerPackages).zip);
  folders.set(definition.kind, dir);
  return dir;
}

/** What the child process prints after the handler settles. */
interface Invocation {
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { name: string; message: string };
  /** `process.versions.node` of the process that ran the handler. */
  node: string;
  /** Everything the process wrote (the handler's log lines included). */
  output: string;
}

/** Requires the handler file in a fresh node, as the runtime does, and calls `handler(event, context)`. */
const RUNNER = `
const [file, eventJson, requestId, functionName, timeoutMs, memory] = process.argv.slice(1);
const { handler } = require(file);
const started = Date.now();
const context = {
  awsRequestId: requestId,
  functionName,
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + functionName,
  memoryLimitInMB: memory,
  logGroupName: "/aws/lambda/" + functionName,
  logStreamName: "2024/12/08/[$LATEST]0123456789abcdef",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, started + Number(timeoutMs) - Date.now()),
};
handler(JSON.parse(eventJson), context).then(
  (result) => process.stdout.write("\\n@@outcome " + JSON.stringify({ ok: true, result, node: process.versions.node })),
  (error) => process.stdout.write("\\n@@outcome " + JSON.stringify({ ok: false, error: { name: error.name, message: error.message }, node: process.versions.node })),
);
`;

/**
 * Runs one invocation of `definition`'s zip in a fresh node: `node` is the binary (jest's own, Node 22
 * like the functions' runtime, unless a test names another).
 */
function invoke(definition: FunctionDefinition, event: unknown, requestId: string, node = process.execPath): Promise<Invocation> {
  const dir = unzippedFunction(definition);
  const resource = functions[definition.kind];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    // What Lambda sets for every function (the role's credentials: s3rver knows only this key pair).
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_SESSION_TOKEN: "lambda-role-session",
    AWS_LAMBDA_FUNCTION_NAME: resource.function_name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(resource.memory_size),
    LAMBDA_TASK_ROOT: join(dir, "task"),
    NODE_PATH: join(dir, "opt", "nodejs", "node_modules"),
    // The function's own, exactly as synthesized.
    ...variablesOf(definition),
    // Endpoints on this machine.
    AWS_ENDPOINT_URL_DYNAMODB: db().endpoint,
    AWS_ENDPOINT_URL_S3: s3().endpoint,
    AWS_ENDPOINT_URL_SSM: ssm().url,
    MODEL_API_BASE_URL: model().url,
  };
  const args = ["-e", RUNNER, join(dir, "task", "index.js"), JSON.stringify(event), requestId, resource.function_name, String(resource.timeout * 1000), String(resource.memory_size)];
  return new Promise((resolve, reject) => {
    // Asynchronous: dynalite, s3rver and the model server answer from this process's event loop.
    const child = spawn(node, args, { cwd: join(dir, "task"), env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const marker = output.lastIndexOf("\n@@outcome ");
      if (code !== 0 || marker === -1) {
        reject(new Error(`node exited ${code} without an outcome:\n${output}`));
        return;
      }
      resolve({ ...JSON.parse(output.slice(marker + "\n@@outcome ".length)), output: output.slice(0, marker) });
    });
  });
}

const FEEDBACK = { strengths: ["Clear position."], weaknesses: ["Few examples."], suggestions: ["Add one example per paragraph."] };
const ESSAY = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} explains why public transport deserves more funding.`).join(" ");
const PROMPT = "Should governments fund public transport?";
const evaluation = (evaluation_id: string) => rawItem(db().client, db().evaluationsTable, { evaluation_id, user_id: "user-456" });

test("the dev stack's functions carry the variables the handlers read", () => {
  expect(variablesOf(WRITING_EVALUATOR)).toEqual({
    DYNAMODB_EVALUATIONS: "bandup-evaluations-dev",
    MODEL_API_KEY_PARAMETER: "/bandup/dev/gemini-api-key",
    MODEL_ID: "gemini-2.5-flash",
  });
  expect(variablesOf(SPEAKING_EVALUATOR).UPLOADS_BUCKET).toBe("bandup-uploads-dev");
  expect(variablesOf(FLASHCARD_GENERATOR).DYNAMODB_FLASHCARD_SETS).toBe("bandup-flashcard-sets-dev");
});

describe("writing evaluator zip", () => {
  const REQUEST_ID = "5b2a0f7e-9c1d-4e8a-b3f6-0d7c2e1a9b44";

  test("evaluates an essay: the record stored as the design says, the key read once from SSM and never printed", async () => {
    model().reply(
      geminiAnswer({ task_achievement_band: "7.0", coherence_band: "6.5", lexical_band: "7.0", grammar_band: "6.5", overall_band: "7.0", feedback: FEEDBACK }),
    );
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY }, REQUEST_ID);
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ evaluation_id: `eval-${REQUEST_ID}`, status: "completed", overall_band: "7.0" });
    const item = await evaluation(`eval-${REQUEST_ID}`);
    expect(item).toEqual({
      evaluation_id: { S: `eval-${REQUEST_ID}` },
      user_id: { S: "user-456" },
      evaluation_type: { S: "writing" },
      status: { S: "completed" },
      created_at: { N: expect.stringMatching(/^\d{10}$/) },
      task_achievement_band: { S: "7.0" },
      coherence_band: { S: "6.5" },
      lexical_band: { S: "7.0" },
      grammar_band: { S: "6.5" },
      overall_band: { S: "7.0" },
      feedback: { S: JSON.stringify(FEEDBACK) },
      model_used: { S: "gemini-2.5-flash" },
      input_hash: { S: inputHash("writing", { task: "task2", prompt: PROMPT, essay: ESSAY }) },
    });
    expect(Math.abs(Number(item!.created_at.N) - Date.now() / 1000)).toBeLessThan(600);
    expect(ssm().requests).toEqual([{ target: "AmazonSSM.GetParameter", body: { Name: "/bandup/dev/gemini-api-key", WithDecryption: true } }]);
    expect(model().problems).toEqual([]);
    expect(run.output).not.toContain(API_KEY);
  });

  test("Lambda's retry (same event, same request id) gets the stored record: no second record, no model call", async () => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY }, REQUEST_ID);
    expect(run.result).toMatchObject({ evaluation_id: `eval-${REQUEST_ID}`, status: "completed", overall_band: "7.0" });
    expect(model().requests).toHaveLength(0);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
    expect(run.output).toContain("job already finished; returning the stored record");
  });

  test("a model error that echoes the key: stored and printed as [redacted]", async () => {
    model().reply({ status: 400, json: { error: { code: 400, message: `API key not valid: ${API_KEY}`, status: "INVALID_ARGUMENT" } } });
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY, evaluation_id: "eval-zip-key" }, "req-zip-key");
    expect(run.result).toMatchObject({ status: "failed", error_message: "the model API answered HTTP 400 (INVALID_ARGUMENT): API key not valid: [redacted]" });
    expect(JSON.stringify(await evaluation("eval-zip-key"))).not.toContain(API_KEY);
    expect(run.output).toContain("[redacted]");
    expect(run.output).not.toContain(API_KEY);
  });
});

describe("speaking evaluator zip", () => {
  beforeAll(async () => {
    await s3().put("uploads/audio/user-456/part2.wav", makeWav(2.5), "audio/wav");
  });

  test("transcribes and bands the caller's own recording, read from the uploads bucket", async () => {
    model().reply(
      geminiAnswer({
        transcript: "I grew up in a small coastal town.",
        duration_seconds: 3,
        fluency_band: "6.5",
        lexical_band: "6.0",
        grammar_band: "6.5",
        pronunciation_band: "7.0",
        overall_band: "6.5",
        feedback: FEEDBACK,
      }),
    );
    const run = await invoke(SPEAKING_EVALUATOR, { user_id: "user-456", audio_key: "uploads/audio/user-456/part2.wav", evaluation_id: "eval-zip-s" }, "req-zip-s");
    expect(run.error).toBeUndefined();
    expect(await evaluation("eval-zip-s")).toMatchObject({
      evaluation_type: { S: "speaking" },
      status: { S: "completed" },
      transcript: { S: "I grew up in a small coastal town." },
      duration: { S: "2.5" },
      word_count: { N: "8" },
      overall_band: { S: "6.5" },
      model_used: { S: "gemini-2.5-flash" },
    });
    expect(s3().requests().map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual(["GET /bandup-uploads-dev/uploads/audio/user-456/part2.wav"]);
  });

  test("another user's recording is refused before any write and any S3 request", async () => {
    const before = await itemCount(db().client, db().evaluationsTable);
    const run = await invoke(SPEAKING_EVALUATOR, { user_id: "attacker", audio_key: "uploads/audio/user-456/part2.wav" }, "req-zip-steal");
    expect(run.error).toEqual({
      name: "InvalidEventError",
      message:
        'invalid event: `audio_key` must be in the caller\'s own folder "uploads/audio/attacker/" (the folder after "uploads/audio/" must equal `user_id` exactly); got "uploads/audio/user-456/part2.wav"',
    });
    expect(s3().requests()).toEqual([]);
    expect(model().requests).toEqual([]);
    expect(await itemCount(db().client, db().evaluationsTable)).toBe(before);
  });
});

describe("flashcard generator zip (unpdf from its layer)", () => {
  const DOC = "uploads/documents/user-456/vocab-guide.pdf";
  beforeAll(async () => {
    await s3().put(DOC, await makePdf(["Ubiquitous means found everywhere. Meticulous means very careful."]), "application/pdf");
  });

  test("turns the caller's own PDF into a stored flashcard set", async () => {
    const cards = [{ question: "What does ubiquitous mean?", answer: "Found everywhere." }];
    model().reply(geminiAnswer({ flashcards: cards }));
    const run = await invoke(FLASHCARD_GENERATOR, { user_id: "user-456", document_id: DOC, set_id: "set-zip" }, "req-zip-f");
    expect(run.error).toBeUndefined();
    expect(await rawItem(db().client, db().flashcardSetsTable, { set_id: "set-zip", user_id: "user-456" })).toEqual({
      set_id: { S: "set-zip" },
      user_id: { S: "user-456" },
      document_id: { S: DOC },
      status: { S: "completed" },
      created_at: { N: expect.stringMatching(/^\d{10}$/) },
      flashcards: { S: JSON.stringify(cards) },
      total_cards: { N: "1" },
      page_count: { N: "1" },
      chunk_count: { N: "1" },
      input_hash: { S: inputHash("flashcards", { document_id: DOC }) },
    });
    const excerpt = (model().requests[0].body.contents![0].parts[0] as { text: string }).text;
    expect(excerpt).toBe("Excerpt 1 of 1:\nUbiquitous means found everywhere. Meticulous means very careful.");
  });
});

describe("the runtimes: Node 22 (nodejs22.x, the functions' runtime) and Node 24 (nodejs24.x, the next one)", () => {
  test("the zips above ran on Node 22, with no SDK warning about the Node.js version", async () => {
    const run = await invoke(WRITING_EVALUATOR, { user_id: "user-456", task: "task2", prompt: PROMPT, essay: "too short" }, "req-zip-node22");
    expect(run.node.split(".")[0]).toBe(LAMBDA_RUNTIME.replace(/^nodejs(\d+)\.x$/, "$1"));
    expect(run.error?.name).toBe("InvalidEventError");
    expect(run.output).not.toContain("NodeVersionSupportWarning");
  });

  test.each([
    [WRITING_EVALUATOR.kind, WRITING_EVALUATOR, { user_id: "user-456", task: "task3" }, 'invalid event: `task` must be "task1" or "task2" (the IELTS Writing task); got "task3"'],
    [SPEAKING_EVALUATOR.kind, SPEAKING_EVALUATOR, { user_id: "user-456", audio_key: "uploads/audio/user-456/a.txt" }, 'invalid event: `audio_key` must be the S3 key of an upload under "uploads/audio/" ending with .wav, .mp3, .aiff, .aif, .aac, .ogg, .flac, like "uploads/audio/user-456/file.wav"; got "uploads/audio/user-456/a.txt"'],
    [FLASHCARD_GENERATOR.kind, FLASHCARD_GENERATOR, { user_id: "user-456", document_id: "uploads/documents/other/x.pdf" }, 'invalid event: `document_id` must be in the caller\'s own folder "uploads/documents/user-456/" (the folder after "uploads/documents/" must equal `user_id` exactly); got "uploads/documents/other/x.pdf"'],
  ])("the %s zip loads on Node 24 and answers at its boundary", async (_kind, definition, event, message) => {
    const run = await invoke(definition, event, `req-zip-node24-${definition.kind}`, node24Binary());
    expect(run.node.split(".")[0]).toBe("24");
    expect(run.error).toEqual({ name: "InvalidEventError", message });
    expect(run.output).not.toContain("Warning");
  });

  test("on Node 24, the writing evaluator's zip evaluates an essay end to end", async () => {
    model().reply(
      geminiAnswer({ task_achievement_band: "6.0", coherence_band: "6.0", lexical_band: "6.5", grammar_band: "6.0", overall_band: "6.0", feedback: FEEDBACK }),
    );
    const run = await invoke(
      WRITING_EVALUATOR,
      { user_id: "user-456", task: "task2", prompt: PROMPT, essay: ESSAY, evaluation_id: "eval-zip-node24" },
      "req-zip-node24",
      node24Binary(),
    );
    expect(run.node.split(".")[0]).toBe("24");
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ evaluation_id: "eval-zip-node24", status: "completed", overall_band: "6.0" });
    expect(await evaluation("eval-zip-node24")).toMatchObject({ status: { S: "completed" }, lexical_band: { S: "6.5" } });
  });
});
