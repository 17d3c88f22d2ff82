/**
 * What is deployed is what is tested: each function's zip, built as the stack builds it (its hash is
 * the synthesized `source_code_hash`), unzipped into a folder and run the way the Node.js runtime
 * runs it: `require` of the handler file in a fresh `node` process (not jest's module system), the
 * flashcard generator's layer on NODE_PATH as Lambda puts /opt/nodejs/node_modules there, the
 * exported `handler` called with a Lambda-shaped context, and the function's environment variables
 * exactly as the synthesized dev stack sets them. Only the endpoints are pointed here, with the SDK's
 * own variables: `AWS_ENDPOINT_URL_DYNAMODB` (dynalite, or the fault proxy in front of it),
 * `AWS_ENDPOINT_URL_S3` (s3rver behind a recording proxy), `AWS_ENDPOINT_URL_SSM` (the SSM stand-in)
 * and `MODEL_API_BASE_URL` (the local Gemini-compatible server).
 *
 * Like Lambda, the runner ends an invocation at the function's timeout ("Task timed out"), and it can
 * run on a shifted clock (`Date.now` plus an offset): Lambda's retries of an asynchronous invocation
 * come 1 and 3 minutes later (`invokeAsynchronously`), and no test waits minutes for them.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { bundleOptionsOf } from "../../constructs/bandup-function";
import { buildLambdaBundle } from "../../constructs/lambda-bundle";
import { buildNodeModulesLayer } from "../../constructs/node-modules-layer";
import { FLASHCARD_GENERATOR, SPEAKING_EVALUATOR, WRITING_EVALUATOR, type FunctionDefinition } from "../../lambda-src/contract/function-definitions";
import { useDynalite, type DynaliteContext } from "./dynalite";
import { useDynamoDbFaultProxy, type DynamoDbFaultProxy } from "./dynamodb-fault-proxy";
import { useModelServer, type ModelServer } from "./model-server";
import { useS3rver, type S3rverContext } from "./s3rver";
import { useSsmStandIn, type SsmStandIn } from "./ssm-stand-in";
import { resourceNamed, synthEnvironment, type TerraformJson } from "./synth";

export const ZIP_API_KEY = "AIzaSy-zip-test-key-0123456789abcdef";

/** What the child process reports once the handler settles (or the invocation times out). */
export interface Invocation {
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { name: string; message: string; retryAfterMs?: number };
  /** Lambda ended the invocation at the function's timeout. */
  timedOut?: boolean;
  /** `process.versions.node` of the process that ran the handler. */
  node: string;
  /** Everything the process wrote (the handler's log lines included). */
  output: string;
  /** Real milliseconds the invocation took. */
  ms: number;
}

/** Options of one invocation. */
export interface InvokeOptions {
  /** The node binary. @default jest's own (Node 22, the functions' runtime) */
  node?: string;
  /** Added to `Date.now()` in the function's process. @default 0 */
  clockOffsetMs?: number;
  /** The invocation's time limit. @default the synthesized function's timeout */
  timeoutMs?: number;
  /** Replaces `getRemainingTimeInMillis` (to feed it NaN, Infinity, ...): a JS expression. */
  remainingTimeExpression?: string;
}

/** One delivery of an asynchronous invocation by Lambda, and what it found. */
export interface Delivery extends Invocation {
  /** Offset from the first delivery, ms. */
  atMs: number;
}

/**
 * Lambda's retries of a failed asynchronous invocation: the same event and request id, about 1
 * minute after the first failure and 2 minutes after the second (`MaximumRetryAttempts` 2, the
 * default); an event that fails all three goes to the dead-letter queue.
 */
export const LAMBDA_ASYNC_RETRY_OFFSETS_MS = [0, 60_000, 180_000] as const;

/** Requires the handler file in a fresh node, as the runtime does, and calls `handler(event, context)`. */
const RUNNER = `
const [file, eventJson, requestId, functionName, timeoutMs, memory, offsetMs, remainingExpression] = process.argv.slice(1);
const offset = Number(offsetMs);
if (offset !== 0) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}
let reported = false;
const report = (outcome) => {
  if (reported) return;
  reported = true;
  process.stdout.write("\\n@@outcome " + JSON.stringify({ ...outcome, node: process.versions.node }), () => process.exit(0));
};
const { handler } = require(file);
const started = Date.now();
// Lambda stops the invocation at its timeout.
setTimeout(() => report({ ok: false, timedOut: true, error: { name: "Sandbox.Timedout", message: "Task timed out after " + (Number(timeoutMs) / 1000).toFixed(2) + " seconds" } }), Number(timeoutMs)).unref();
const remaining = () => Math.max(0, started + Number(timeoutMs) - Date.now());
const context = {
  awsRequestId: requestId,
  functionName,
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + functionName,
  memoryLimitInMB: memory,
  logGroupName: "/aws/lambda/" + functionName,
  logStreamName: "2024/12/08/[$LATEST]0123456789abcdef",
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: remainingExpression ? () => eval(remainingExpression) : remaining,
};
handler(JSON.parse(eventJson), context).then(
  (result) => report({ ok: true, result }),
  (error) => report({ ok: false, error: { name: error.name, message: error.message, retryAfterMs: error.retryAfterMs } }),
);
`;

/** Unzips `zip` into `dir`. */
function unzipInto(dir: string, zip: Uint8Array): void {
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
}

export interface BuiltZips {
  /** The synthesized dev stack's variables of a function. */
  variablesOf(definition: FunctionDefinition): Record<string, string>;
  /** The synthesized dev stack's function resource. */
  functionOf(definition: FunctionDefinition): TerraformJson;
  invoke(definition: FunctionDefinition, event: unknown, requestId: string, options?: InvokeOptions): Promise<Invocation>;
  /**
   * Delivers `event` as Lambda delivers an asynchronous invocation: again with the same request id
   * at each of `LAMBDA_ASYNC_RETRY_OFFSETS_MS` while it fails; `deadLettered` when the last failed.
   */
  invokeAsynchronously(
    definition: FunctionDefinition,
    event: unknown,
    requestId: string,
    options?: Omit<InvokeOptions, "clockOffsetMs">,
  ): Promise<{ deliveries: Delivery[]; deadLettered: boolean }>;
  db(): DynaliteContext;
  s3(): S3rverContext;
  ssm(): SsmStandIn;
  model(): ModelServer;
  /** The fault proxy, when `useBuiltZips({ faults: true })`. */
  dynamo(): DynamoDbFaultProxy;
}

/**
 * Registers the stand-ins (dynalite with the dev stack's tables, s3rver, the SSM stand-in, the
 * model server, and with `faults` the DynamoDB fault proxy the zips then talk to) and returns the
 * harness. Zips are built once per test file.
 */
export function useBuiltZips(options: { faults?: boolean } = {}): BuiltZips {
  const work = mkdtempSync(join(tmpdir(), "built-zips-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let functions: Record<string, TerraformJson> = {};
  const functionOf = (definition: FunctionDefinition) => functions[definition.kind];
  const variablesOf = (definition: FunctionDefinition): Record<string, string> => functionOf(definition).environment.variables;

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
  const dynamo = options.faults ? useDynamoDbFaultProxy(() => db().endpoint) : undefined;
  const s3 = useS3rver(() => variablesOf(SPEAKING_EVALUATOR).UPLOADS_BUCKET);
  const ssm = useSsmStandIn(() => ({ [variablesOf(WRITING_EVALUATOR).MODEL_API_KEY_PARAMETER]: ZIP_API_KEY }));
  const model = useModelServer({ modelId: () => variablesOf(WRITING_EVALUATOR).MODEL_ID, apiKey: ZIP_API_KEY });

  /** Folder of each function's unzipped code (and layer), built once. */
  const folders = new Map<string, string>();
  function unzippedFunction(definition: FunctionDefinition): string {
    const existing = folders.get(definition.kind);
    if (existing) return existing;
    const bundle = buildLambdaBundle(definition.entry, bundleOptionsOf(definition));
    // The zip Terraform deploys: the synthesized function names this exact hash.
    expect(functionOf(definition).source_code_hash).toBe(bundle.sourceCodeHash);
    const dir = join(work, definition.kind);
    unzipInto(join(dir, "task"), bundle.zip);
    if (definition.layerPackages) unzipInto(join(dir, "opt"), buildNodeModulesLayer(definition.layerPackages).zip);
    folders.set(definition.kind, dir);
    return dir;
  }

  function invoke(definition: FunctionDefinition, event: unknown, requestId: string, invokeOptions: InvokeOptions = {}): Promise<Invocation> {
    const dir = unzippedFunction(definition);
    const resource = functionOf(definition);
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
      AWS_ENDPOINT_URL_DYNAMODB: dynamo ? dynamo().url : db().endpoint,
      AWS_ENDPOINT_URL_S3: s3().endpoint,
      AWS_ENDPOINT_URL_SSM: ssm().url,
      MODEL_API_BASE_URL: model().url,
    };
    const args = [
      "-e",
      RUNNER,
      join(dir, "task", "index.js"),
      JSON.stringify(event),
      requestId,
      resource.function_name,
      String(invokeOptions.timeoutMs ?? resource.timeout * 1000),
      String(resource.memory_size),
      String(invokeOptions.clockOffsetMs ?? 0),
      invokeOptions.remainingTimeExpression ?? "",
    ];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // Asynchronous: dynalite, s3rver and the model server answer from this process's event loop.
      const child = spawn(invokeOptions.node ?? process.execPath, args, { cwd: join(dir, "task"), env });
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
        resolve({ ...JSON.parse(output.slice(marker + "\n@@outcome ".length)), output: output.slice(0, marker), ms: Date.now() - started });
      });
    });
  }

  async function invokeAsynchronously(
    definition: FunctionDefinition,
    event: unknown,
    requestId: string,
    invokeOptions: Omit<InvokeOptions, "clockOffsetMs"> = {},
  ): Promise<{ deliveries: Delivery[]; deadLettered: boolean }> {
    const deliveries: Delivery[] = [];
    for (const atMs of LAMBDA_ASYNC_RETRY_OFFSETS_MS) {
      const run = await invoke(definition, event, requestId, { ...invokeOptions, clockOffsetMs: atMs });
      deliveries.push({ ...run, atMs });
      if (run.ok) return { deliveries, deadLettered: false };
    }
    return { deliveries, deadLettered: true };
  }

  return {
    variablesOf,
    functionOf,
    invoke,
    invokeAsynchronously,
    db,
    s3,
    ssm,
    model,
    dynamo: () => {
      if (!dynamo) throw new Error("useBuiltZips({ faults: true }) was not asked for");
      return dynamo();
    },
  };
}
