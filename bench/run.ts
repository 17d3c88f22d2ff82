/**
 * `npm run bench` (issue #7): synth, tests, terraform and Lambda cold load measured on this machine,
 * each over several runs after a warm-up, with the `node -e 0` floor as the unit. Writes
 * bench/results.md, bench/results.json and bench/synth-scaling.svg.
 *
 *   npm run bench                  # full run (about four minutes, the test suites are most of it)
 *   npm run bench -- --quick       # fewer runs
 *   npm run bench -- --only=synth,bundles   # some steps only; results go to bench/.work/ instead
 *
 * Steps: floor, synth, root-import, tests, bundles, terraform, scaling, analysis.
 *
 * The synth is measured as `npm run synth` runs it, `node scripts/synth.cjs`, in two states:
 * - warm: after a warm-up run, dist/app/main.js is up to date and every Lambda bundle and the layer zip
 *   are in the build cache (node_modules/.cache/bandup-build): what each synth after the first costs;
 * - cold: dist/app deleted before each run and `BANDUP_BUILD_CACHE=off` (the cache is neither read nor
 *   written): compile of main.ts + esbuild of every bundle + the layer's deflate.
 * Cold runs delete the project's dist/app (a build output, recompiled by the next synth).
 *
 * Needs terraform and the offline provider mirror (see scripts/lib/terraform-offline.ts); fails
 * loudly without them.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, relative } from "path";
import { unzipSync, zipSync } from "fflate";
import type { BundleOptions } from "../constructs/lambda-bundle";
import { FUNCTION_DEFINITIONS, FUNCTION_ENVIRONMENT } from "../lambda-src/shared/function-definitions";
import { TABLE_DEFINITIONS } from "../lambda-src/shared/table-definitions";
import { findProviderMirror, offlineTerraformEnv, terraformVersion, writeCliConfig } from "../scripts/lib/terraform-offline";
import { appBuildOptions, appModulesEntry, compileApp, matchesCompiledApp } from "./lib/compile";
import { GNU_TIME, measureProcess, ProcessMeasurement, repeat } from "./lib/measure";
import { bundleComposition, PackageShare } from "./lib/bundle-composition";
import { summarizeProfile, ProfileSummary } from "./lib/profile";
import { linearFit, summarize, Summary } from "./lib/stats";
import { renderChart } from "./lib/svg";
import { generateRootImportVariant, PROJECT_ROOT } from "./lib/variants";

const STEPS = ["floor", "synth", "root-import", "tests", "terraform", "bundles", "scaling", "analysis"] as const;
type Step = (typeof STEPS)[number];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = onlyArg ? (onlyArg.slice("--only=".length).split(",") as Step[]) : undefined;
for (const step of only ?? []) {
  if (!STEPS.includes(step)) throw new Error(`--only: unknown step \`${step}\`; steps are ${STEPS.join(", ")}`);
}
const unknown = args.filter((a) => a !== "--quick" && !a.startsWith("--only="));
if (unknown.length > 0) throw new Error(`unknown arguments ${unknown.join(" ")}; use --quick and/or --only=<steps>`);
const runs = (full: number, fast: number): number => (quick ? fast : full);
const enabled = (step: Step): boolean => !only || only.includes(step);

const WORK = join(PROJECT_ROOT, "bench", ".work");
const OUT_DIR = only ? WORK : join(PROJECT_ROOT, "bench");
const JEST = join(PROJECT_ROOT, "node_modules", ".bin", "jest");
const SYNTH_SCRIPT = join("scripts", "synth.cjs");
const SCALING_STACKS = [1, 3, 10, 30];
mkdirSync(WORK, { recursive: true });

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const secs = (s: Summary): string => `${s.median.toFixed(2)} s`;
function spread(s: Summary, digits = 2, unit = "s"): string {
  return `${s.min.toFixed(digits)}-${s.max.toFixed(digits)} ${unit} (IQR ${s.q1.toFixed(digits)}-${s.q3.toFixed(digits)}, n=${s.runs})`;
}
function freshDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bandup-bench-${prefix}-`));
}

interface ProcessResult {
  readonly wall: Summary;
  readonly peakRssMiB: Summary;
}
function processResult(samples: readonly ProcessMeasurement[]): ProcessResult {
  return { wall: summarize(samples.map((s) => s.wallS)), peakRssMiB: summarize(samples.map((s) => s.peakRssMiB)) };
}

/** Runs a synthesizing command into a fresh CDKTF_OUTDIR each time; checks the number of stacks it wrote. */
function synthRuns(
  command: string,
  commandArgs: string[],
  cwd: string,
  n: number,
  warmup: number,
  expectedStacks: number,
  env: NodeJS.ProcessEnv = {},
): ProcessMeasurement[] {
  return repeat(n, warmup, () => {
    const outdir = freshDir("out");
    const result = measureProcess(command, commandArgs, { cwd, env: { ...env, CDKTF_OUTDIR: outdir } });
    const stacks = readdirSync(join(outdir, "stacks"));
    if (stacks.length !== expectedStacks) {
      throw new Error(`${commandArgs.join(" ")} wrote ${stacks.length} stacks, expected ${expectedStacks}`);
    }
    rmSync(outdir, { recursive: true, force: true });
    return result;
  });
}

/** The state `node scripts/synth.cjs` starts from. */
interface SynthState {
  /** Delete `<root>/dist/app` before each run (a compile on every run). */
  readonly deleteCompiled: boolean;
  /** The build cache of Lambda bundles and the layer zip (`BANDUP_BUILD_CACHE=off` when false). */
  readonly buildCache: boolean;
}
const WARM: SynthState = { deleteCompiled: false, buildCache: true };
const COLD: SynthState = { deleteCompiled: true, buildCache: false };

/**
 * `node scripts/synth.cjs` in `root` (the project or a variant), `n` measured runs after `warmup` ones,
 * each into a fresh CDKTF_OUTDIR; the last run's output folder is kept for comparisons.
 */
function appSynthRuns(root: string, state: SynthState, n: number, warmup: number, expectedStacks: number): { samples: ProcessMeasurement[]; outdir: string } {
  let outdir = "";
  const samples = repeat(n, warmup, () => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    if (state.deleteCompiled) rmSync(join(root, "dist", "app"), { recursive: true, force: true });
    outdir = freshDir("out");
    const result = measureProcess(process.execPath, [SYNTH_SCRIPT], {
      cwd: root,
      env: { CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "", BANDUP_BUILD_CACHE: state.buildCache ? "on" : "off" },
    });
    const stacks = readdirSync(join(outdir, "stacks"));
    if (stacks.length !== expectedStacks) throw new Error(`${SYNTH_SCRIPT} in ${root} wrote ${stacks.length} stacks, expected ${expectedStacks}`);
    return result;
  });
  return { samples, outdir };
}

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** Byte comparison of two synth outputs' stacks/ (every cdk.tf.json and asset). */
interface StacksComparison {
  readonly identical: boolean;
  readonly cdkTfJsonCompared: number;
  readonly filesCompared: number;
  readonly differing: readonly string[];
}
function compareStacks(a: string, b: string): StacksComparison {
  const [filesA, filesB] = [filesUnder(join(a, "stacks")), filesUnder(join(b, "stacks"))];
  const all = [...new Set([...filesA, ...filesB])].sort();
  const differing = all.filter(
    (file) => !existsSync(join(a, "stacks", file)) || !existsSync(join(b, "stacks", file)) || !readFileSync(join(a, "stacks", file)).equals(readFileSync(join(b, "stacks", file))),
  );
  return { identical: differing.length === 0, cdkTfJsonCompared: all.filter((f) => f.endsWith("/cdk.tf.json")).length, filesCompared: all.length, differing };
}

// ---------------------------------------------------------------------------------------------------
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: require("os").cpus().length,
    cpuModel: require("os").cpus()[0]?.model,
    platform: process.platform,
    loadAverageAtStart: require("os").loadavg().map((l: number) => Math.round(l * 100) / 100),
  },
  options: { quick, only: only ?? null },
  rssMethod: GNU_TIME ? `${GNU_TIME} -f "%e %M" (peak RSS of the largest process of the tree)` : "process.resourceUsage().maxRSS via --require hook (largest node process)",
};
const started = process.hrtime.bigint();

let terraform: { version: string; mirror: string } | undefined;
if (enabled("terraform")) {
  // Fail before spending minutes on the other steps.
  terraform = { version: terraformVersion(), mirror: findProviderMirror() };
}

// 1-3: floor, synth, root-import --------------------------------------------------------------------
let floor: ProcessResult | undefined;
if (enabled("floor") || enabled("synth") || enabled("bundles") || enabled("analysis")) {
  log("node -e 0 floor");
  floor = processResult(repeat(runs(10, 5), 2, () => measureProcess(process.execPath, ["-e", "0"])));
  results.floor = floor;
}
const floorS = floor?.wall.median ?? 0.1;

const environmentCount = (() => {
  const { allEnvironments } = require("../stacks/environments") as typeof import("../stacks/environments");
  return allEnvironments().length;
})();

interface SynthResult {
  readonly warm: ProcessResult;
  readonly cold: ProcessResult;
  /** Cold and warm runs wrote the same bytes (every stack's cdk.tf.json and assets). */
  readonly coldVsWarm: StacksComparison;
  /** The bench's copy of scripts/synth.cjs's esbuild options gives its dist/app output byte for byte. */
  readonly compileOptionsInStep?: { matches: boolean; differing: string[] };
}
let synth: SynthResult | undefined;
/** The warm synth's output, kept until the root-import variant is compared with it. */
let synthOutdir: string | undefined;
if (enabled("synth")) {
  log(`synth, cold: node ${SYNTH_SCRIPT} (${environmentCount} environments), dist/app deleted, BANDUP_BUILD_CACHE=off`);
  const cold = appSynthRuns(PROJECT_ROOT, COLD, runs(3, 2), runs(1, 0), environmentCount);
  log(`synth, warm: node ${SYNTH_SCRIPT} after a warm-up (compiled output and bundle cache valid)`);
  const warm = appSynthRuns(PROJECT_ROOT, WARM, runs(3, 2), 1, environmentCount);
  const coldVsWarm = compareStacks(cold.outdir, warm.outdir);
  if (!coldVsWarm.identical) log(`WARNING: cold and warm synth wrote different stacks: ${coldVsWarm.differing.slice(0, 5).join(", ")}`);
  rmSync(cold.outdir, { recursive: true, force: true });
  synthOutdir = warm.outdir;
  synth = { warm: processResult(warm.samples), cold: processResult(cold.samples), coldVsWarm, compileOptionsInStep: matchesCompiledApp(PROJECT_ROOT) };
  results.synth = { command: `node ${SYNTH_SCRIPT} (as \`npm run synth\` and cdktf.json's app)`, stacks: environmentCount, ...synth };
}

interface RootImportResult {
  readonly warm: ProcessResult;
  readonly cold: ProcessResult;
  readonly filesRewritten: number;
  readonly importsRewritten: number;
  readonly root: string;
  /** The variant wrote the same stacks as the project's warm synth. */
  readonly sameStacksAsApp?: StacksComparison;
}
let rootImport: RootImportResult | undefined;
if (enabled("root-import")) {
  const variant = generateRootImportVariant();
  const projectCompiled = join(PROJECT_ROOT, "dist", "app", "main.js");
  const projectCompiledAt = existsSync(projectCompiled) ? statSync(projectCompiled).mtimeMs : undefined;
  log(`root-import variant, cold (${variant.root})`);
  const cold = appSynthRuns(variant.root, COLD, runs(2, 1), 0, environmentCount);
  rmSync(cold.outdir, { recursive: true, force: true });
  log("root-import variant, warm");
  const warm = appSynthRuns(variant.root, WARM, runs(2, 1), 1, environmentCount);
  // The variant compiles into its own dist/app, from its own (rewritten) sources.
  const manifest = join(variant.root, "dist", "app", "main.js.inputs.json");
  if (!existsSync(manifest) || !Object.keys(JSON.parse(readFileSync(manifest, "utf8")).inputs).includes("main.ts")) {
    throw new Error(`root-import variant: no compiled output in ${join(variant.root, "dist", "app")}`);
  }
  const projectCompiledNow = existsSync(projectCompiled) ? statSync(projectCompiled).mtimeMs : undefined;
  if (projectCompiledNow !== projectCompiledAt) throw new Error("root-import variant: the project's dist/app/main.js changed while the variant ran");
  const sameStacksAsApp = synthOutdir ? compareStacks(synthOutdir, warm.outdir) : undefined;
  rmSync(warm.outdir, { recursive: true, force: true });
  rootImport = {
    warm: processResult(warm.samples),
    cold: processResult(cold.samples),
    filesRewritten: variant.filesRewritten,
    importsRewritten: variant.importsRewritten,
    root: variant.root,
    sameStacksAsApp,
  };
  results.rootImport = { command: `node ${SYNTH_SCRIPT} in a copy of the app whose provider imports come from the package root`, ...rootImport };
}
if (synthOutdir) rmSync(synthOutdir, { recursive: true, force: true });

// 4: tests ------------------------------------------------------------------------------------------
interface TestRun extends ProcessResult {
  readonly exitCodes: (number | null)[];
  readonly counts: string;
}
function jestRuns(jestArgs: string[], n: number, warmup: number): TestRun {
  const exitCodes: (number | null)[] = [];
  let counts = "";
  const samples = repeat(n, warmup, () => {
    const result = measureProcess(JEST, jestArgs, { cwd: PROJECT_ROOT, allowFailure: true, onStatus: (s) => exitCodes.push(s) });
    counts = /^Tests:\s+(.*)$/m.exec(result.stderr)?.[1]?.trim() ?? "no summary";
    return result;
  });
  return { ...processResult(samples), exitCodes: exitCodes.slice(warmup), counts };
}
let unitTests: TestRun | undefined;
let fullTests: TestRun | undefined;
if (enabled("tests")) {
  // jest.config.js sets maxWorkers: 2; jest's transform cache is on disk, warm after any earlier run.
  log("unit tests (jest --testPathIgnorePatterns terraform.test.ts)");
  unitTests = jestRuns(["--testPathIgnorePatterns", "terraform.test.ts"], runs(2, 1), 0);
  log("full suite (jest)");
  fullTests = jestRuns([], 1, 0);
  results.tests = { workers: "jest.config.js maxWorkers (2)", unit: unitTests, full: fullTests };
}

// 5: Lambda bundles ---------------------------------------------------------------------------------
/**
 * The builders loaded with `BANDUP_BUILD_CACHE=off` (each module reads it once, when it loads), so that
 * every build below is a real esbuild + deflate, never a cache hit. Only this process's copy is
 * affected: the variable is restored at once, and child processes get their own.
 */
function loadBuildersWithoutCache() {
  const modules = ["../constructs/build-cache", "../constructs/lambda-bundle", "../constructs/node-modules-layer", "../constructs/bandup-function"];
  for (const module of modules) {
    if (require.cache[require.resolve(module)]) throw new Error(`bench: ${module} was loaded before the bundles step, with the build cache on`);
  }
  const previous = process.env.BANDUP_BUILD_CACHE;
  process.env.BANDUP_BUILD_CACHE = "off";
  try {
    return {
      buildLambdaBundle: (require("../constructs/lambda-bundle") as typeof import("../constructs/lambda-bundle")).buildLambdaBundle,
      buildNodeModulesLayer: (require("../constructs/node-modules-layer") as typeof import("../constructs/node-modules-layer")).buildNodeModulesLayer,
      bundleOptionsOf: (require("../constructs/bandup-function") as typeof import("../constructs/bandup-function")).bundleOptionsOf,
    };
  } finally {
    if (previous === undefined) delete process.env.BANDUP_BUILD_CACHE;
    else process.env.BANDUP_BUILD_CACHE = previous;
  }
}

interface BundleVariantResult {
  readonly zipBytes: number;
  /** The zip of index.js alone (without index.js.map). */
  readonly zipWithoutMapBytes: number;
  readonly indexJsBytes: number;
  readonly mapBytes: number;
  readonly buildMs: number;
  /** Wall time of `node -e "require('./index.js')"`. */
  readonly loadWall: Summary;
  /** The same minus the node floor: the cold load. */
  readonly coldLoadMs: number;
  /** Time of the require() itself, measured inside the process. */
  readonly requireMs: Summary;
  readonly peakRssMiB: Summary;
}
interface BundleResult {
  readonly kind: string;
  readonly entry: string;
  readonly present: boolean;
  readonly bundle?: BundleVariantResult;
  readonly reference?: BundleVariantResult;
  /** The same handler with the AWS SDK left to the Lambda runtime (`external: ["@aws-sdk/*"]`); loaded here from node_modules. */
  readonly sdkExternal?: BundleVariantResult;
  /** Packages the deployed bundle leaves to the function's layer. */
  readonly layerPackages?: readonly string[];
  /** The layer's zip, built at synth like the function's (constructs/node-modules-layer.ts), cache off. */
  readonly layer?: { readonly zipBytes: number; readonly buildMs: number };
  /** Bytes of the minified index.js per package (or lambda-src folder), largest first. */
  readonly composition?: readonly PackageShare[];
}
const bundleResults: BundleResult[] = [];
if (enabled("bundles")) {
  const handlerEnv: NodeJS.ProcessEnv = {
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    [FUNCTION_ENVIRONMENT.modelId]: "gemini-2.5-flash",
    [FUNCTION_ENVIRONMENT.modelApiKeyParameter]: "/bandup/bench/gemini-api-key",
    [FUNCTION_ENVIRONMENT.uploadsBucket]: "bandup-uploads-bench",
    ...Object.fromEntries(TABLE_DEFINITIONS.map((t) => [t.environmentVariable, `${t.baseName}-bench`])),
  };
  const { buildLambdaBundle, buildNodeModulesLayer, bundleOptionsOf } = loadBuildersWithoutCache();
  const loadScript =
    "const t=process.hrtime.bigint();const m=require('./index.js');" +
    "if(typeof m.handler!=='function')throw new Error('no handler export');" +
    "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const measureVariant = (entry: string, options: BundleOptions, dir: string): BundleVariantResult => {
    const start = process.hrtime.bigint();
    const built = buildLambdaBundle(entry, options);
    const buildMs = Number(process.hrtime.bigint() - start) / 1e6;
    mkdirSync(dir, { recursive: true });
    const files = unzipSync(built.zip);
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const samples = repeat(runs(9, 3), 1, () => measureProcess(process.execPath, ["-e", loadScript], { cwd: dir, env: handlerEnv }));
    const loadWall = summarize(samples.map((s) => s.wallS));
    const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
    return {
      zipBytes: built.zip.byteLength,
      zipWithoutMapBytes: zipSync({ "index.js": [files["index.js"], { mtime: ZIP_MTIME, level: 9 }] }).byteLength,
      indexJsBytes: files["index.js"]?.byteLength ?? 0,
      mapBytes: (built as { sourceMap?: Uint8Array }).sourceMap?.byteLength ?? files["index.js.map"]?.byteLength ?? 0,
      buildMs,
      loadWall,
      coldLoadMs: (loadWall.median - floorS) * 1000,
      requireMs: summarize(samples.map((s) => Number(s.stdout))),
      peakRssMiB: summarize(samples.map((s) => s.peakRssMiB)),
    };
  };
  const measureLayer = (packages: readonly string[]): { zipBytes: number; buildMs: number } => {
    const start = process.hrtime.bigint();
    const layer = buildNodeModulesLayer(packages);
    return { zipBytes: layer.zip.byteLength, buildMs: Number(process.hrtime.bigint() - start) / 1e6 };
  };
  for (const definition of FUNCTION_DEFINITIONS) {
    const present = existsSync(join(PROJECT_ROOT, "lambda-src", definition.entry));
    if (!present) {
      log(`bundle ${definition.kind}: lambda-src/${definition.entry} not there yet, skipped`);
      bundleResults.push({ kind: definition.kind, entry: definition.entry, present });
      continue;
    }
    log(`bundle ${definition.kind}`);
    const dir = join(WORK, "bundles", definition.kind);
    // As the stack builds it: packages of the function's layer stay out of the zip.
    const deployed = bundleOptionsOf(definition);
    rmSync(dir, { recursive: true, force: true });
    bundleResults.push({
      kind: definition.kind,
      entry: definition.entry,
      present,
      layerPackages: deployed.external ?? [],
      bundle: measureVariant(definition.entry, deployed, join(dir, "minified")),
      reference: measureVariant(definition.entry, { minify: false, environmentCredentialsOnly: false }, join(dir, "unminified")),
      sdkExternal: measureVariant(definition.entry, { ...deployed, external: [...(deployed.external ?? []), "@aws-sdk/*"] }, join(dir, "sdk-external")),
      composition: bundleComposition(PROJECT_ROOT, definition.entry, deployed),
      layer: (deployed.external ?? []).length > 0 ? measureLayer(deployed.external ?? []) : undefined,
    });
  }
  results.bundles = bundleResults;
}

// 6: terraform validate / plan per stack --------------------------------------------------------------
interface TerraformResult {
  readonly stack: string;
  readonly init: number;
  readonly validate: Summary;
  readonly plan: Summary;
}
const terraformResults: TerraformResult[] = [];
if (enabled("terraform") && terraform) {
  const { buildBandupApp } = require("../stacks/app") as typeof import("../stacks/app");
  const { stackName } = require("../stacks/environments") as typeof import("../stacks/environments");
  const outdir = join(WORK, "terraform");
  rmSync(outdir, { recursive: true, force: true });
  const { app } = buildBandupApp({
    outdir,
    context: {},
    backend: (environment) => ({ type: "local", path: join(outdir, `${stackName(environment.name)}.tfstate`) }),
    offlineProvider: {},
  });
  app.synth();
  const env = offlineTerraformEnv(writeCliConfig(terraform.mirror, freshDir("tfrc")));
  for (const stack of readdirSync(join(outdir, "stacks")).sort()) {
    const cwd = join(outdir, "stacks", stack);
    log(`terraform init/validate/plan ${stack}`);
    const init = measureProcess("terraform", ["init", "-input=false", "-no-color"], { cwd, env }).wallS;
    const validate = repeat(runs(2, 1), 1, () => measureProcess("terraform", ["validate", "-no-color"], { cwd, env }));
    const plan = repeat(runs(2, 1), 0, () =>
      measureProcess("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"], { cwd, env }),
    );
    terraformResults.push({
      stack,
      init,
      validate: summarize(validate.map((s) => s.wallS)),
      plan: summarize(plan.map((s) => s.wallS)),
    });
  }
  results.terraform = { ...terraform, stacks: terraformResults };
}

// 7: scaling ----------------------------------------------------------------------------------------
interface ScalingPoint extends ProcessResult {
  readonly stacks: number;
}
const scaling: ScalingPoint[] = [];
let scalingFit: { timeMsPerStack: number; memoryMiBPerStack: number; timeIntercept: number; memoryIntercept: number } | undefined;
/** bench/synth-n.ts compiled as scripts/synth.cjs compiles main.ts. */
const SYNTH_N = join(WORK, "synth-n", "synth-n.js");
if (enabled("scaling")) {
  const compileS = compileApp(PROJECT_ROOT, { file: "bench/synth-n.ts" }, SYNTH_N);
  log(`scaling: bench/synth-n.ts compiled in ${(compileS * 1000).toFixed(0)} ms`);
  for (const stacks of SCALING_STACKS) {
    log(`scaling: ${stacks} stacks`);
    // Warm-up before the first point: every stack shares the same bundles, so the cache is then warm.
    const samples = synthRuns(
      process.execPath,
      [relative(PROJECT_ROOT, SYNTH_N), String(stacks)],
      PROJECT_ROOT,
      runs(3, 2),
      stacks === SCALING_STACKS[0] ? 1 : 0,
      stacks,
      { BANDUP_BUILD_CACHE: "on" },
    );
    scaling.push({ stacks, ...processResult(samples) });
  }
  const time = linearFit(scaling.map((p) => [p.stacks, p.wall.median]));
  const memory = linearFit(scaling.map((p) => [p.stacks, p.peakRssMiB.median]));
  scalingFit = { timeMsPerStack: time.slope * 1000, memoryMiBPerStack: memory.slope, timeIntercept: time.intercept, memoryIntercept: memory.intercept };
  results.scaling = { command: "node bench/.work/synth-n/synth-n.js N (bundle cache warm)", compileS, points: scaling, fit: scalingFit };
  writeFileSync(
    join(OUT_DIR, "synth-scaling.svg"),
    renderChart({
      title: `Synth time and peak memory against stacks (bench/synth-n.ts compiled, plain node ${process.version}, warm)`,
      xLabel: "stacks (generated environments) in one app",
      left: { label: "wall time", unit: "s", color: "#1f5fbf", fit: time, points: scaling.map((p) => ({ x: p.stacks, ...pick(p.wall) })) },
      right: { label: "peak RSS", unit: "MiB", color: "#c0392b", fit: memory, points: scaling.map((p) => ({ x: p.stacks, ...pick(p.peakRssMiB) })) },
      leftReference: { value: 3 * floorS + 0.5, label: `target for the real app (${environmentCount} stacks): 3 x node floor + 0.5 s = ${(3 * floorS + 0.5).toFixed(2)} s` },
    }),
  );
}
function pick(s: Summary): { median: number; min: number; max: number } {
  return { median: s.median, min: s.min, max: s.max };
}

// 8: analysis: where synth time goes ------------------------------------------------------------------
interface Phase {
  readonly what: string;
  readonly command: string;
  readonly wall: Summary;
  readonly peakRssMiB: Summary;
}
const phases: Phase[] = [];
/** Differences of medians between phases: what each part of the synth adds. */
const costs: { what: string; seconds: number; from: string }[] = [];
let profile: (ProfileSummary & { file: string }) | undefined;
let compileOptionsMatch: { matches: boolean; differing: string[] } | undefined;
if (enabled("analysis")) {
  log("analysis: phases of the synth");
  const display = (command: string, commandArgs: readonly string[]): string =>
    [command === process.execPath ? "node" : command, ...commandArgs.map((a) => a.replace(PROJECT_ROOT + "/", "").replace(WORK.replace(PROJECT_ROOT + "/", ""), "bench/.work"))].join(" ");
  const add = (what: string, command: string, result: ProcessResult): ProcessResult => {
    phases.push({ what, command, ...result });
    return result;
  };
  const processPhase = (what: string, commandArgs: string[], env: NodeJS.ProcessEnv = {}, shown = display(process.execPath, commandArgs)): ProcessResult =>
    add(what, shown, processResult(repeat(runs(3, 2), 1, () => measureProcess(process.execPath, commandArgs, { cwd: PROJECT_ROOT, env }))));
  const synthPhase = (what: string, state: SynthState, shown: string): ProcessResult => {
    const { samples, outdir } = appSynthRuns(PROJECT_ROOT, state, runs(3, 2), 1, environmentCount);
    rmSync(outdir, { recursive: true, force: true });
    return add(what, shown, processResult(samples));
  };

  const nodeFloor = floor ? add("`node -e 0` (the floor)", "node -e 0", floor) : processPhase("`node -e 0` (the floor)", ["-e", "0"]);
  const libraries = processPhase("load cdktf + constructs (plain node)", ["-e", "require('cdktf');require('constructs')"]);
  const appModules = join(WORK, "app-modules", "app-modules.js");
  compileApp(PROJECT_ROOT, appModulesEntry(PROJECT_ROOT), appModules);
  const modules = processPhase("load the compiled app's modules, no synth (main.ts's imports, compiled as scripts/synth.cjs compiles; plain node)", [appModules]);
  const compileOptions = { ...appBuildOptions(PROJECT_ROOT, { file: "main.ts" }, join(PROJECT_ROOT, "dist", "app", "main.js")), write: false };
  const compileOnly = processPhase(
    "compile only: esbuild of main.ts with scripts/synth.cjs's options, nothing written (node + esbuild start included)",
    ["-e", "require('esbuild').buildSync(JSON.parse(process.env.BANDUP_BENCH_ESBUILD))"],
    { BANDUP_BENCH_ESBUILD: JSON.stringify(compileOptions) },
    "node -e \"require('esbuild').buildSync(<scripts/synth.cjs's options>)\"",
  );
  const shown = `node ${SYNTH_SCRIPT}`;
  const warm = synth ? add("synth, warm (compiled output and bundle cache valid)", shown, synth.warm) : synthPhase("synth, warm (compiled output and bundle cache valid)", WARM, shown);
  const recompile = synthPhase("synth after a source edit: dist/app deleted, bundle cache warm (compile + warm synth)", { deleteCompiled: true, buildCache: true }, `rm -r dist/app; ${shown}`);
  const uncachedBundles = synthPhase(
    "synth, compiled output valid, `BANDUP_BUILD_CACHE=off` (esbuild of every bundle + layer deflate, no compile)",
    { deleteCompiled: false, buildCache: false },
    `BANDUP_BUILD_CACHE=off ${shown}`,
  );
  const direct = add(
    "the compiled app run directly (not how synth runs: isolates what scripts/synth.cjs adds)",
    "node dist/app/main.js",
    processResult(synthRuns(process.execPath, [join("dist", "app", "main.js")], PROJECT_ROOT, runs(3, 2), 1, environmentCount, { BANDUP_BUILD_CACHE: "on", CDKTF_CONTEXT_JSON: "" })),
  );
  const cold = synth ? add("synth, cold (dist/app deleted, `BANDUP_BUILD_CACHE=off`)", `rm -r dist/app; BANDUP_BUILD_CACHE=off ${shown}`, synth.cold) : synthPhase("synth, cold (dist/app deleted, `BANDUP_BUILD_CACHE=off`)", COLD, `rm -r dist/app; BANDUP_BUILD_CACHE=off ${shown}`);
  const diff = (what: string, a: ProcessResult, b: ProcessResult, from: string): void => void costs.push({ what, seconds: a.wall.median - b.wall.median, from });
  diff("loading cdktf + constructs", libraries, nodeFloor, "libraries - floor");
  diff("loading the app's modules (provider submodules, project code)", modules, libraries, "app modules - libraries");
  diff("constructing the stacks, guardrails, synth, writing the stacks, cache reads", direct, modules, "direct - app modules");
  diff("scripts/synth.cjs's check of the compiled output (hash of every input)", warm, direct, "warm - direct");
  diff("compiling main.ts when a source changed", recompile, warm, "after a source edit - warm");
  diff("building every bundle and the layer zip (cache off)", uncachedBundles, warm, "cache off - warm");
  diff("cold over warm (compile + every bundle + layer)", cold, warm, "cold - warm");
  diff("esbuild's start and the compile of main.ts, in a process of its own", compileOnly, nodeFloor, "compile only - floor");
  // The bench's copy of scripts/synth.cjs's options must still give its output.
  compileOptionsMatch = matchesCompiledApp(PROJECT_ROOT);
  results.analysis = { phases, costs, compileOptionsMatch };

  log("analysis: cpu profile of a warm synth");
  const profileDir = join(WORK, "profile");
  rmSync(profileDir, { recursive: true, force: true });
  // Warm: the last phase that wrote dist/app recompiled it, and the cache-off phase wrote nothing.
  const outdir = freshDir("out");
  measureProcess(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, SYNTH_SCRIPT], {
    cwd: PROJECT_ROOT,
    env: { CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "", BANDUP_BUILD_CACHE: "on" },
  });
  rmSync(outdir, { recursive: true, force: true });
  const largest = readdirSync(profileDir)
    .map((f) => join(profileDir, f))
    .sort((a, b) => readFileSync(b).byteLength - readFileSync(a).byteLength)[0];
  profile = { file: largest.replace(PROJECT_ROOT + "/", ""), ...summarizeProfile(largest, PROJECT_ROOT) };
  results.profile = profile;
}

// ---------------------------------------------------------------------------------------------------
const totalS = Number(process.hrtime.bigint() - started) / 1e9;
results.totalS = totalS;
results.loadAverageAtEnd = require("os").loadavg().map((l: number) => Math.round(l * 100) / 100);

interface Target {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}
const targets: Target[] = [];
if (synth) {
  const limit = 3 * floorS + 0.5;
  targets.push({
    what: `synth of all ${environmentCount} environments, warm (\`node ${SYNTH_SCRIPT}\`)`,
    target: `<= 3 x floor + 0.5 s = ${limit.toFixed(2)} s`,
    measured: `${secs(synth.warm.wall)} (cold ${secs(synth.cold.wall)})`,
    met: synth.warm.wall.median <= limit,
  });
}
if (synth && rootImport) {
  const ratio = rootImport.warm.wall.median / synth.warm.wall.median;
  const coldRatio = rootImport.cold.wall.median / synth.cold.wall.median;
  targets.push({
    what: "synth vs root-import variant, warm vs warm",
    target: ">= 5x faster",
    measured: `${ratio.toFixed(1)}x faster (cold vs cold ${coldRatio.toFixed(1)}x)`,
    met: ratio >= 5,
  });
}
if (unitTests) targets.push({ what: "unit tests (jest, no tsc)", target: "< 15 s", measured: secs(unitTests.wall), met: unitTests.wall.median < 15 });
if (fullTests) targets.push({ what: "full suite (jest, no tsc)", target: "< 120 s", measured: secs(fullTests.wall), met: fullTests.wall.median < 120 });
for (const b of bundleResults) {
  if (!b.bundle) continue;
  targets.push({ what: `${b.kind} zip`, target: "< 150 KB", measured: `${(b.bundle.zipBytes / 1024).toFixed(1)} KB`, met: b.bundle.zipBytes < 150 * 1024 });
  targets.push({ what: `${b.kind} cold load (wall - floor)`, target: "< 100 ms", measured: `${b.bundle.coldLoadMs.toFixed(0)} ms`, met: b.bundle.coldLoadMs < 100 });
}
results.targets = targets;

writeFileSync(join(OUT_DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
writeFileSync(join(OUT_DIR, "results.md"), renderMarkdown());
log(`done in ${totalS.toFixed(0)} s: ${join(OUT_DIR, "results.md")}`);
for (const t of targets) log(`${t.met ? "MET   " : "MISSED"} ${t.what}: ${t.measured} (target ${t.target})`);

function renderMarkdown(): string {
  const lines: string[] = [];
  const os = results.machine as { node: string; cpus: number; cpuModel: string; loadAverageAtStart: number[] };
  const ratio = (s: number): string => `${(s / floorS).toFixed(1)}x`;
  const comparison = (c: StacksComparison): string =>
    c.identical
      ? `byte-identical (${c.cdkTfJsonCompared} cdk.tf.json, ${c.filesCompared} files with the assets)`
      : `**different** in ${c.differing.length} of ${c.filesCompared} files (${c.differing.slice(0, 4).join(", ")})`;
  lines.push("# Benchmarks", "");
  lines.push(
    `Measured by \`npm run bench${quick ? " -- --quick" : ""}\` on ${String(results.date).slice(0, 10)}: ${os.cpus} x ${os.cpuModel}, node ${os.node}, ` +
      `load average ${os.loadAverageAtStart.join(" / ")} at the start and ${(results.loadAverageAtEnd as number[]).join(" / ")} at the end (other work shares the machine: spreads are wide when it is busy). ` +
      `Median of several runs after a warm-up; spread is min-max and the interquartile range. Peak RSS: ${results.rssMethod}. ` +
      `Raw figures: [results.json](results.json). Whole run: ${totalS.toFixed(0)} s.`,
    "",
  );
  if (targets.length > 0) {
    lines.push("## Targets", "", "| what | target | measured | |", "|---|---|---|---|");
    for (const t of targets) lines.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**missed**"} |`);
    lines.push("");
  }
  lines.push("## Processes", "");
  if (synth || rootImport) {
    lines.push(
      `The synth is \`node ${SYNTH_SCRIPT}\`, what \`npm run synth\` and cdktf.json's \`app\` run, into a fresh \`CDKTF_OUTDIR\`. ` +
        "**Warm**: after a warm-up run, dist/app/main.js is up to date and the Lambda bundles and layer zip are in the build cache (node_modules/.cache/bandup-build): what every synth after the first costs. " +
        "**Cold**: dist/app deleted before each run and `BANDUP_BUILD_CACHE=off`: compile of main.ts, esbuild of every bundle, deflate of the layer. " +
        "The root-import variant is a copy of the app (in the system's temporary folder, node_modules symlinked, so it shares the bundle cache) whose provider imports come from the package root, run the same way with its own scripts/synth.cjs and dist/app.",
      "",
    );
  }
  lines.push("| what | median | spread | x floor | peak RSS (median) |", "|---|---|---|---|---|");
  const row = (what: string, r: ProcessResult): void =>
    void lines.push(`| ${what} | ${secs(r.wall)} | ${spread(r.wall)} | ${ratio(r.wall.median)} | ${r.peakRssMiB.median.toFixed(0)} MiB |`);
  if (floor) row("`node -e 0` (the floor)", floor);
  if (synth) {
    row(`synth, all ${environmentCount} environments, **warm**`, synth.warm);
    row(`synth, all ${environmentCount} environments, cold`, synth.cold);
  }
  if (rootImport) {
    const what = `root-import variant (\`import { dynamodbTable } from\` the package root \`@cdktf/provider-aws\`, ${rootImport.importsRewritten} imports in ${rootImport.filesRewritten} files)`;
    row(`synth, ${what}, **warm**`, rootImport.warm);
    row(`synth, ${what}, cold`, rootImport.cold);
  }
  lines.push("");
  if (synth) lines.push(`Cold and warm synths write stacks that are ${comparison(synth.coldVsWarm)}.`);
  if (rootImport?.sameStacksAsApp) lines.push(`The root-import variant writes stacks that are ${comparison(rootImport.sameStacksAsApp)} to the app's.`);
  if (synth && rootImport) {
    lines.push(
      `Submodule imports make the synth **${(rootImport.warm.wall.median / synth.warm.wall.median).toFixed(1)}x faster** warm ` +
        `(${(rootImport.cold.wall.median / synth.cold.wall.median).toFixed(1)}x cold) and use ${(rootImport.warm.peakRssMiB.median / synth.warm.peakRssMiB.median).toFixed(1)}x less memory than the root import.`,
    );
  }
  if (synth || rootImport) lines.push("");
  if (unitTests || fullTests) {
    lines.push("Tests: jest with jest.config.js's `maxWorkers: 2`, no `tsc` (`npm test` runs `tsc --noEmit` first).", "");
    lines.push("| what | median | spread | x floor | peak RSS (median) |", "|---|---|---|---|---|");
  }
  if (unitTests) row(`unit tests (\`jest --testPathIgnorePatterns terraform.test.ts\`): ${unitTests.counts}; exit ${unitTests.exitCodes.join(", ")}`, unitTests);
  if (fullTests) row(`full suite (\`jest\`): ${fullTests.counts}; exit ${fullTests.exitCodes.join(", ")}`, fullTests);
  if (unitTests || fullTests) lines.push("");
  if (terraformResults.length > 0) {
    lines.push(`## Terraform (${terraform!.version}, offline mirror ${terraform!.mirror})`, "");
    lines.push("Each stack full-synthesized with `offlineProvider: {}` and a local state path; `terraform init` once, then `validate` (after a warm-up) and `plan -out` timed.", "");
    lines.push("| stack | init | validate median | validate spread | plan median | plan spread |", "|---|---|---|---|---|---|");
    for (const t of terraformResults) {
      lines.push(`| ${t.stack} | ${t.init.toFixed(2)} s | ${secs(t.validate)} | ${spread(t.validate)} | ${secs(t.plan)} | ${spread(t.plan)} |`);
    }
    lines.push("");
  }
  if (bundleResults.length > 0) {
    lines.push("## Lambda bundles", "");
    lines.push(
      "Built in the bench's process with the builders loaded under `BANDUP_BUILD_CACHE=off`: every build time is a real esbuild + deflate, never a cache hit. " +
        `Cold load: \`node -e "require('./index.js')"\` in the unzipped bundle with the handler's environment variables, wall time minus the node floor (${(floorS * 1000).toFixed(0)} ms); "require" is the require() timed inside the process. ` +
        "Deployed: `buildLambdaBundle(entry, bundleOptionsOf(definition))` as the stack builds it (layer packages external, environment credentials only). " +
        "Reference: the same handler with everything bundled unminified, `{ minify: false, environmentCredentialsOnly: false }` (the whole default SDK chain). " +
        "Layer packages load from the project's node_modules here (the bundle folder is under it), as from /opt/nodejs/node_modules on Lambda. Local node is " +
        `${process.version}; Lambda runs nodejs22.x. The "SDK external" option leaves \`@aws-sdk/*\` to the runtime; here it loads from the project's node_modules (the bundle folder is under it), so its cold load is indicative only.`,
      "",
    );
    lines.push("| function | variant | zip | zip without .map | index.js | .map | build | cold load | require | load spread (wall) | peak RSS |", "|---|---|---|---|---|---|---|---|---|---|---|");
    for (const b of bundleResults) {
      if (!b.present) {
        lines.push(`| ${b.kind} | not built: \`lambda-src/${b.entry}\` does not exist yet | | | | | | | | | |`);
        continue;
      }
      const variants = [
        ["minified (deployed)", b.bundle!],
        ["reference, unminified", b.reference!],
        ["option: AWS SDK external (runtime's SDK)", b.sdkExternal!],
      ] as const;
      for (const [variant, v] of variants) {
        lines.push(
          `| ${b.kind} | ${variant} | ${(v.zipBytes / 1024).toFixed(1)} KB | ${(v.zipWithoutMapBytes / 1024).toFixed(1)} KB | ${(v.indexJsBytes / 1024).toFixed(0)} KB | ${(v.mapBytes / 1024).toFixed(0)} KB | ${v.buildMs.toFixed(0)} ms | ${v.coldLoadMs.toFixed(0)} ms | ${v.requireMs.median.toFixed(0)} ms | ${spread(v.loadWall, 3)} | ${v.peakRssMiB.median.toFixed(0)} MiB |`,
        );
      }
    }
    for (const b of bundleResults.filter((x) => x.layer)) {
      lines.push("", `Layer of ${b.kind} (${b.layerPackages!.join(", ")}): ${(b.layer!.zipBytes / 1024).toFixed(1)} KB zipped, built in ${b.layer!.buildMs.toFixed(0)} ms with the cache off (level-9 deflate of the packages; a synth does it only on a cache miss).`);
    }
    lines.push("", "What the minified index.js holds (bytes per package or lambda-src folder, top 6):", "");
    for (const b of bundleResults.filter((x) => x.composition)) {
      const total = b.composition!.reduce((sum, p) => sum + p.bytes, 0);
      const top = b.composition!.slice(0, 6).map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KB (${((100 * p.bytes) / total).toFixed(0)}%)`);
      lines.push(`- **${b.kind}** (${(total / 1024).toFixed(0)} KB): ${top.join(", ")}`);
    }
    lines.push("");
  }
  if (scaling.length > 0 && scalingFit) {
    lines.push("## Synth against the number of stacks", "");
    lines.push(`![synth time and memory against stacks](synth-scaling.svg)`, "");
    lines.push(
      "`bench/synth-n.ts N`: N generated environments with default settings, one `BandupStack` each, guardrails checked, as main.ts wires them. " +
        "It runs as the app runs: compiled by esbuild with scripts/synth.cjs's options into bench/.work/synth-n/synth-n.js, then plain `node`, bundle cache warm.",
      "",
    );
    lines.push("| stacks | wall median | spread | peak RSS median |", "|---|---|---|---|");
    for (const p of scaling) lines.push(`| ${p.stacks} | ${secs(p.wall)} | ${spread(p.wall)} | ${p.peakRssMiB.median.toFixed(0)} MiB |`);
    lines.push(
      "",
      `Least-squares slope: **${scalingFit.timeMsPerStack.toFixed(0)} ms and ${scalingFit.memoryMiBPerStack.toFixed(1)} MiB per stack**, ` +
        `on a fixed cost of ${scalingFit.timeIntercept.toFixed(2)} s and ${scalingFit.memoryIntercept.toFixed(0)} MiB.`,
      "",
    );
  }
  if (phases.length > 0) {
    lines.push("## Where the synth time goes", "");
    lines.push("| what | command | median | spread | peak RSS |", "|---|---|---|---|---|");
    for (const p of phases) lines.push(`| ${p.what} | \`${p.command}\` | ${secs(p.wall)} | ${spread(p.wall)} | ${p.peakRssMiB.median.toFixed(0)} MiB |`);
    lines.push("", "What each part adds (differences of the medians above; noisy at this resolution):", "", "| part | time | from |", "|---|---|---|");
    for (const c of costs) lines.push(`| ${c.what} | ${(c.seconds * 1000).toFixed(0)} ms | ${c.from} |`);
    lines.push("");
    if (compileOptionsMatch) {
      lines.push(
        compileOptionsMatch.matches
          ? "The bench's copy of scripts/synth.cjs's esbuild options (bench/lib/compile.ts) gives its dist/app output byte for byte."
          : `**The bench's copy of scripts/synth.cjs's esbuild options (bench/lib/compile.ts) no longer gives its output** (${compileOptionsMatch.differing.join(", ")} differ): update it.`,
        "",
      );
    }
    const built = bundleResults.filter((x) => x.bundle);
    if (built.length > 0) {
      lines.push("In-process builds with the cache off (from the bundles step, one run each):", "", "| what | command | time |", "|---|---|---|");
      for (const b of built) {
        lines.push(`| esbuild bundle + zip of ${b.kind} | \`buildLambdaBundle("${b.entry}", bundleOptionsOf(definition))\` | ${(b.bundle!.buildMs / 1000).toFixed(2)} s |`);
        if (b.layer) lines.push(`| layer zip of ${b.kind} (${b.layerPackages!.join(", ")}) | \`buildNodeModulesLayer(${JSON.stringify(b.layerPackages)})\` | ${(b.layer.buildMs / 1000).toFixed(2)} s |`);
      }
      lines.push("");
    }
    if (profile) {
      lines.push(`CPU profile of one warm synth (\`node --cpu-prof ${SYNTH_SCRIPT}\`, main thread, ${profile.totalMs.toFixed(0)} ms profiled; ${profile.file}): self time by where the code lives ("project code" is dist/app/main.js and scripts/synth.cjs).`, "");
      lines.push("| where | self time | scripts seen |", "|---|---|---|");
      for (const b of profile.byBucket.slice(0, 12)) lines.push(`| ${b.bucket} | ${b.selfMs.toFixed(0)} ms | ${b.scripts} |`);
      lines.push("", "Top functions by self time:", "", "| function | where | self time |", "|---|---|---|");
      for (const f of profile.topFunctions.slice(0, 10)) lines.push(`| \`${f.name}\` | ${f.where || "(native)"} | ${f.selfMs.toFixed(0)} ms |`);
      lines.push("");
    }
  }
  return lines.join("\n");
}
