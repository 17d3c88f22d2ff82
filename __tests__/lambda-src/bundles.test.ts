/**
 * The three Lambda bundles as the stack ships them (constructs/lambda-bundle.ts): each builds, holds
 * no cdktf/constructs code, and loads in a fresh `node` process with the function's environment,
 * exporting a `handler` function, without any network call at load (a preload script makes every
 * socket, DNS lookup and fetch throw and records it). Prints each bundle's zipped size and load time.
 * Node here is 20; Lambda runs nodejs22.x.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { buildLambdaBundle } from "../../constructs/lambda-bundle";
import { FUNCTION_DEFINITIONS, type FunctionDefinition } from "../../lambda-src/shared/function-definitions";

const work = mkdtempSync(join(tmpdir(), "bundles-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Makes any network use at load time fail loudly, and reports it. */
const PRELOAD = `
const net = require("node:net"), dns = require("node:dns");
const seen = (globalThis.__networkCalls = []);
const deny = (what) => function () { seen.push(what); throw new Error("network call at load: " + what); };
net.Socket.prototype.connect = deny("net.connect");
dns.lookup = deny("dns.lookup");
globalThis.fetch = deny("fetch");
`;

/** Loads index.js in `dir` in a new node process; returns what the child measured. */
const LOADER = `
const t0 = process.hrtime.bigint();
let error = null, type;
try { type = typeof require("./index.js").handler; } catch (e) { error = e.name + ": " + e.message; }
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
process.stdout.write(JSON.stringify({ ms, type, error, network: globalThis.__networkCalls }));
`;

interface LoadResult {
  ms: number;
  type?: string;
  error: string | null;
  network: string[];
}

function environmentOf(definition: FunctionDefinition): Record<string, string> {
  const env: Record<string, string> = {
    MODEL_ID: "gemini-2.5-flash",
    MODEL_API_KEY_PARAMETER: "/bandup/prod/model-api-key",
  };
  if (definition.table === "evaluations") env.DYNAMODB_EVALUATIONS = "bandup-evaluations";
  else env.DYNAMODB_FLASHCARD_SETS = "bandup-flashcard-sets";
  if (definition.uploadsPrefix) env.UPLOADS_BUCKET = "bandup-uploads";
  return env;
}

function load(dir: string, env: Record<string, string>): LoadResult {
  const result = spawnSync(process.execPath, ["--require", join(dir, "preload.js"), "-e", LOADER], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      NODE_OPTIONS: "--enable-source-maps",
      ...env,
    },
  });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as LoadResult;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

describe.each(FUNCTION_DEFINITIONS.map((d) => [d.kind, d] as const))("%s bundle", (kind, definition) => {
  let dir: string;

  test("builds without cdktf/constructs and unzips to index.js + source map", () => {
    const bundle = buildLambdaBundle(definition.entry);
    expect(bundle.inputs.filter((input) => /node_modules\/(cdktf|constructs|@cdktf)\//.test(input))).toEqual([]);
    expect(bundle.inputs).toContain(`lambda-src/${definition.entry}`);
    dir = join(work, kind);
    for (const [name, bytes] of Object.entries(unzipSync(bundle.zip))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    writeFileSync(join(dir, "preload.js"), PRELOAD);
    expect(Object.keys(bundle.files).sort()).toEqual(["index.js", "index.js.map"]);
  });

  test("loads in a fresh node process, exports handler, makes no network call", () => {
    const env = environmentOf(definition);
    const runs = [0, 1, 2, 3, 4].map(() => load(dir, env));
    for (const run of runs) {
      expect(run).toMatchObject({ error: null, type: "function", network: [] });
    }
    const bundle = buildLambdaBundle(definition.entry);
    const zipKb = bundle.zip.byteLength / 1024;
    // The shipped zip also holds the source map; the code alone, zipped the same way, for comparison.
    const codeOnlyKb = zipSync({ "index.js": [unzipSync(bundle.zip)["index.js"], { level: 9 }] }).byteLength / 1024;
    const loadMs = median(runs.map((r) => r.ms));
    console.log(
      `${kind}: zip ${zipKb.toFixed(1)} KB (index.js ${(bundle.files["index.js"] / 1024).toFixed(1)} KB, ` +
        `${codeOnlyKb.toFixed(1)} KB zipped without the source map), ` +
        `require('./index.js') median ${loadMs.toFixed(1)} ms over ${runs.length} fresh processes ` +
        `[targets: 150 KB ${zipKb <= 150 ? "met" : "MISSED"}, 100 ms ${loadMs <= 100 ? "met" : "MISSED"}]`,
    );
    // A sanity bound only; the benchmark issue owns the targets.
    expect(loadMs).toBeLessThan(1_000);
  });

  test("fails the cold start naming a missing variable", () => {
    const env = environmentOf(definition);
    delete env.MODEL_ID;
    // The class name before the colon is minified: the data layer's errors take `new.target.name`.
    expect(load(dir, env).error).toMatch(
      /^[\w$]+: environment variable `MODEL_ID` must be set to the model id, e.g. "gemini-2.5-flash"; got nothing \(it is not set\)$/,
    );
  });
});

test("node is what the tests expect (the bundles target node22)", () => {
  expect(execFileSync(process.execPath, ["--version"], { encoding: "utf8" })).toMatch(/^v(20|22|24)\./);
});
