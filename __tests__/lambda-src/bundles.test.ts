/**
 * The three Lambda bundles as the stack ships them (constructs/lambda-bundle.ts, with the options of
 * constructs/bandup-function.ts): each builds, holds no cdktf, cdktn or constructs code, and loads in a fresh
 * `node` process with the function's environment (and its layer on NODE_PATH, as Lambda sets it),
 * exporting a `handler` function, without any network call at load (a preload script makes every
 * socket, DNS lookup and fetch throw and records it), and stays within the zip budget. Load times
 * are the bench's (`npm run bench`). Node here is 22, as Lambda's nodejs22.x. The AWS SDK is in
 * `sdk.js` beside `index.js`, required on the first request (constructs/lambda-bundle.ts): loading
 * the handler evaluates none of it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { bundleOptionsOf } from "../../constructs/bandup-function";
import { buildLambdaBundle, INFRASTRUCTURE_PACKAGE_INPUT, SDK_FILE } from "../../constructs/lambda-bundle";
import { buildNodeModulesLayer } from "../../constructs/node-modules-layer";
import { FUNCTION_DEFINITIONS, type FunctionDefinition } from "../../lambda-src/contract/function-definitions";

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

/** Loads index.js in `dir` in a new node process; returns what the child saw. */
const LOADER = `
let error = null, type;
try { type = typeof require("./index.js").handler; } catch (e) { error = e.name + ": " + e.message; }
const modules = Object.keys(require.cache).map((file) => require("path").basename(file));
process.stdout.write(JSON.stringify({ type, error, network: globalThis.__networkCalls, modules }));
`;

interface LoadResult {
  type?: string;
  error: string | null;
  network: string[];
  /** File names of the modules loaded (require.cache). */
  modules: string[];
}

function environmentOf(definition: FunctionDefinition): Record<string, string> {
  const env: Record<string, string> = {
    NODE_PATH: definition.layerPackages ? join(work, definition.kind, "opt", "nodejs", "node_modules") : "",
    MODEL_ID: "gemini-2.5-flash",
    MODEL_API_KEY_PARAMETER: "/bandup/prod/model-api-key",
  };
  if (definition.table === "evaluations") env.DYNAMODB_EVALUATIONS = "bandup-evaluations";
  else env.DYNAMODB_FLASHCARD_SETS = "bandup-flashcard-sets";
  if (definition.uploadsPrefix) env.UPLOADS_BUCKET = "bandup-uploads";
  return env;
}

function unzipInto(dir: string, zip: Uint8Array): void {
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
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
      ...env,
    },
  });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as LoadResult;
}


describe.each(FUNCTION_DEFINITIONS.map((d) => [d.kind, d] as const))("%s bundle", (kind, definition) => {
  let dir: string;

  const build = () => buildLambdaBundle(definition.entry, bundleOptionsOf(definition));

  test("builds without cdktf/cdktn/constructs and unzips to index.js and sdk.js (the source map stays beside the zip)", () => {
    const bundle = build();
    expect(bundle.inputs.filter((input) => INFRASTRUCTURE_PACKAGE_INPUT.test(input))).toEqual([]);
    expect(bundle.inputs).toContain(`lambda-src/${definition.entry}`);
    // Lambda hands credentials in the environment: the SDK's default chain is not bundled.
    expect(bundle.inputs.filter((input) => input.includes("credential-provider-node"))).toEqual([]);
    expect(bundle.inputs).toContain("lambda-src/shared/lambda-credentials.ts");
    expect(JSON.parse(Buffer.from(bundle.sourceMap).toString("utf8")).sources).toContain(`lambda-src/${definition.entry}`);
    dir = join(work, kind);
    unzipInto(dir, bundle.zip);
    writeFileSync(join(dir, "preload.js"), PRELOAD);
    expect(Object.keys(unzipSync(bundle.zip))).toEqual(["index.js", SDK_FILE]);
    expect(Object.keys(bundle.files)).toEqual(["index.js", SDK_FILE]);
    // index.js holds the handler's own code; the SDK (and the client modules) are in sdk.js.
    const index = Buffer.from(unzipSync(bundle.zip)["index.js"]).toString("utf8");
    expect(index).not.toMatch(/DynamoDB_20120810|AmazonSSM|smithy/);
    expect(index).toContain(`"./${SDK_FILE}"`);
    if (definition.layerPackages) {
      // Lambda puts /opt/nodejs/node_modules on NODE_PATH; here the layer is unzipped beside the code.
      unzipInto(join(dir, "opt"), buildNodeModulesLayer(definition.layerPackages).zip);
      for (const name of definition.layerPackages) {
        expect(bundle.inputs.some((input) => input.includes(`node_modules/${name}/`))).toBe(false);
      }
    }
  });

  test("loads in a fresh node process, exports handler, makes no network call, loads no SDK (sdk.js waits for the first request)", () => {
    // Load time is measured by `npm run bench` (a timed assertion here would only measure the machine).
    const loaded = load(dir, environmentOf(definition));
    expect(loaded).toMatchObject({ error: null, type: "function", network: [] });
    expect(loaded.modules).toContain("index.js");
    expect(loaded.modules).not.toContain(SDK_FILE);
  });

  test("stays within the 150 KB zip budget (deterministic: the same sources give the same bytes)", () => {
    expect(build().zip.byteLength).toBeLessThanOrEqual(150 * 1024);
  });

  test("fails the cold start naming a missing variable", () => {
    const env = environmentOf(definition);
    delete env.MODEL_ID;
    expect(load(dir, env).error).toMatch(
      /^ConfigurationError: environment variable `MODEL_ID` must be set to the model id, e.g. "gemini-2.5-flash"; got nothing \(it is not set\)$/,
    );
  });
});

test("node is what the tests expect (the bundles target node22)", () => {
  expect(execFileSync(process.execPath, ["--version"], { encoding: "utf8" })).toMatch(/^v(20|22|24)\./);
});

test("the flashcard generator's layer resolves unpdf on NODE_PATH, as on Lambda, and extracts a real PDF's text", async () => {
  const { makePdf } = await import("../support/pdf");
  const layerDir = join(work, "layer-only");
  unzipInto(layerDir, buildNodeModulesLayer(["unpdf"]).zip);
  const pdfPath = join(work, "two-pages.pdf");
  writeFileSync(pdfPath, await makePdf(["Ubiquitous means found everywhere.", "Meticulous means very careful."]));
  const script = `
    const { extractText, getDocumentProxy } = require("unpdf");
    (async () => {
      const pdf = await getDocumentProxy(new Uint8Array(require("fs").readFileSync(${JSON.stringify(pdfPath)})));
      const { totalPages, text } = await extractText(pdf, { mergePages: false });
      process.stdout.write(JSON.stringify({ totalPages, text, resolved: require.resolve("unpdf") }));
    })();`;
  const result = spawnSync(process.execPath, ["-e", script], {
    cwd: work,
    encoding: "utf8",
    env: { PATH: process.env.PATH, NODE_PATH: join(layerDir, "nodejs", "node_modules") },
  });
  expect(result.stderr).toBe("");
  const output = JSON.parse(result.stdout);
  expect(output.resolved).toBe(join(layerDir, "nodejs/node_modules/unpdf/dist/index.cjs"));
  expect(output.totalPages).toBe(2);
  expect(output.text.map((t: string) => t.trim())).toEqual(["Ubiquitous means found everywhere.", "Meticulous means very careful."]);
});
