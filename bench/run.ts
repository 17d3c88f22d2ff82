/**
 * `npm run bench` (issue #7): synth, tests, terraform and Lambda cold load measured on this machine,
 * each over several runs after a warm-up, with the `node -e 0` floor as the unit. Writes
 * bench/results.md, bench/results.json and bench/synth-scaling.svg.
 *
 *   npm run bench                  # full run (a few minutes)
 *   npm run bench -- --quick       # fewer runs (about half the time)
 *   npm run bench -- --only=synth,bundles   # some steps only; results go to bench/.work/ instead
 *
 * Steps: floor, synth, root-import, tests, bundles, terraform, scaling, analysis.
 * Needs terraform and the offline provider mirror (see scripts/lib/terraform-offline.ts); fails
 * loudly without them.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { unzipSync, zipSync } from "fflate";
import { bundleOptionsOf } from "../constructs/bandup-function";
import { buildLambdaBundle, BundleOptions } from "../constructs/lambda-bundle";
import { FUNCTION_DEFINITIONS, FUNCTION_ENVIRONMENT } from "../lambda-src/shared/function-definitions";
import { TABLE_DEFINITIONS } from "../lambda-src/shared/table-definitions";
import { findProviderMirror, offlineTerraformEnv, terraformVersion, writeCliConfig } from "../scripts/lib/terraform-offline";
import { GNU_TIME, measureProcess, ProcessMeasurement, repeat } from "./lib/measure";
import { bundleComposition, PackageShare } from "./lib/bundle-composition";
import { summarizeProfile, ProfileSummary } from "./lib/profile";
import { linearFit, summarize, Summary } from "./lib/stats";
import { renderChart } from "./lib/svg";
import { generatePrecompiledVariant, generateRootImportVariant, PROJECT_ROOT } from "./lib/variants";

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
const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const JEST = join(PROJECT_ROOT, "node_modules", ".bin", "jest");
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

/** Runs an app entry with tsx into a fresh CDKTF_OUTDIR each time; checks the stacks it wrote. */
function synthRuns(
  command: string,
  commandArgs: string[],
  cwd: string,
  n: number,
  warmup: number,
  expectedStacks?: number,
): ProcessMeasurement[] {
  return repeat(n, warmup, () => {
    const outdir = freshDir("out");
    const result = measureProcess(command, commandArgs, { cwd, env: { CDKTF_OUTDIR: outdir } });
    const stacks = readdirSync(join(outdir, "stacks"));
    if (expectedStacks !== undefined && stacks.length !== expectedStacks) {
      throw new Error(`${commandArgs.join(" ")} wrote ${stacks.length} stacks, expected ${expectedStacks}`);
    }
    rmSync(outdir, { recursive: true, force: true });
    return result;
  });
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

let synth: ProcessResult | undefined;
if (enabled("synth")) {
  log(`synth of main.ts (${environmentCount} environments) with tsx`);
  synth = processResult(synthRuns(TSX, ["main.ts"], PROJECT_ROOT, runs(4, 2), 1, environmentCount));
  results.synth = { command: "tsx main.ts (as `npm run synth`)", stacks: environmentCount, ...synth };
}

let rootImport: (ProcessResult & { filesRewritten: number; importsRewritten: number }) | undefined;
if (enabled("root-import")) {
  log("root-import variant");
  const variant = generateRootImportVariant();
  rootImport = {
    ...processResult(synthRuns(TSX, ["main.ts"], variant.root, runs(2, 1), 1, environmentCount)),
    filesRewritten: variant.filesRewritten,
    importsRewritten: variant.importsRewritten,
  };
  results.rootImport = { command: "tsx main.ts, provider imported from the package root", root: variant.root, ...rootImport };
}

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
let unitTestsTwoWorkers: TestRun | undefined;
if (enabled("tests")) {
  log("unit tests (jest --testPathIgnorePatterns terraform.test.ts)");
  unitTests = jestRuns(["--testPathIgnorePatterns", "terraform.test.ts"], runs(2, 1), runs(1, 0));
  log("full suite (jest)");
  log("unit tests with --maxWorkers=2 (jest's default on 2 cores is 1 worker)");
  unitTestsTwoWorkers = jestRuns(["--testPathIgnorePatterns", "terraform.test.ts", "--maxWorkers=2"], 1, 0);
  fullTests = jestRuns([], 1, 0); // one run: the unit runs have warmed jest's transform cache
  results.tests = { unit: unitTests, unitTwoWorkers: unitTestsTwoWorkers, full: fullTests };
}

// 5: Lambda bundles (before the terraform step, whose in-process synth would fill the build caches) ---------------------------------------------------------------------------------
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
  /** The layer's zip, built at synth like the function's (constructs/node-modules-layer.ts). */
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
    const { buildNodeModulesLayer } = require("../constructs/node-modules-layer") as typeof import("../constructs/node-modules-layer");
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
  const { App } = require("cdktf") as typeof import("cdktf");
  const { BandupStack } = require("../stacks/bandup-stack") as typeof import("../stacks/bandup-stack");
  const { allEnvironments, stackName } = require("../stacks/environments") as typeof import("../stacks/environments");
  const outdir = join(WORK, "terraform");
  rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: {} });
  for (const environment of allEnvironments()) {
    new BandupStack(app, stackName(environment.name), {
      environment,
      backend: { type: "local", path: join(outdir, `${stackName(environment.name)}.tfstate`) },
      offlineProvider: {},
    });
  }
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
if (enabled("scaling")) {
  for (const stacks of SCALING_STACKS) {
    log(`scaling: ${stacks} stacks`);
    // tsx's compile cache is warm after the first point: warm up once.
    const samples = synthRuns(TSX, ["bench/synth-n.ts", String(stacks)], PROJECT_ROOT, runs(2, 1), stacks === SCALING_STACKS[0] ? 1 : 0, stacks);
    scaling.push({ stacks, ...processResult(samples) });
  }
  const time = linearFit(scaling.map((p) => [p.stacks, p.wall.median]));
  const memory = linearFit(scaling.map((p) => [p.stacks, p.peakRssMiB.median]));
  scalingFit = { timeMsPerStack: time.slope * 1000, memoryMiBPerStack: memory.slope, timeIntercept: time.intercept, memoryIntercept: memory.intercept };
  results.scaling = { points: scaling, fit: scalingFit };
  writeFileSync(
    join(OUT_DIR, "synth-scaling.svg"),
    renderChart({
      title: `Synth time and peak memory against stacks (tsx bench/synth-n.ts N, node ${process.version})`,
      xLabel: "stacks (generated environments) in one app",
      left: { label: "wall time", unit: "s", color: "#1f5fbf", fit: time, points: scaling.map((p) => ({ x: p.stacks, ...pick(p.wall) })) },
      right: { label: "peak RSS", unit: "MiB", color: "#c0392b", fit: memory, points: scaling.map((p) => ({ x: p.stacks, ...pick(p.peakRssMiB) })) },
      leftReference: { value: 3 * floorS + 0.5, label: `target for the real app: 3 x node floor + 0.5 s = ${(3 * floorS + 0.5).toFixed(2)} s` },
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
let profile: (ProfileSummary & { file: string }) | undefined;
let precompileS: number | undefined;
let cachedOutputIdentical: boolean | undefined;
if (enabled("analysis")) {
  log("analysis: phases of the synth");
  const empty = join(freshDir("empty"), "empty.ts");
  writeFileSync(empty, "export {};\n");
  const precompiled = generatePrecompiledVariant();
  const cachedBundles = generatePrecompiledVariant({ cacheBundles: true });
  const tsxCachedBundles = generatePrecompiledVariant({ cacheBundles: true, compile: false });
  precompileS = precompiled.compileS;
  const phase = (what: string, command: string, commandArgs: string[], cwd: string, synthesizes: boolean): void => {
    const samples = synthesizes
      ? synthRuns(command, commandArgs, cwd, runs(2, 1), 1, environmentCount)
      : repeat(runs(3, 2), 1, () => measureProcess(command, commandArgs, { cwd }));
    phases.push({ what, command: [command.replace(PROJECT_ROOT + "/", ""), ...commandArgs].join(" "), ...processResult(samples) });
  };
  phase("tsx startup on an empty .ts file (tsx CLI + its child node)", TSX, [empty], PROJECT_ROOT, false);
  phase("load cdktf + constructs only (plain node)", process.execPath, ["-e", "require('cdktf');require('constructs')"], PROJECT_ROOT, false);
  phase("load the app's modules, no synth (precompiled JS, plain node)", process.execPath, ["-e", "require('./stacks/bandup-stack')"], precompiled.root, false);
  phase("synth, tsx as a node --import hook (one process, no tsx CLI)", process.execPath, ["--import", "tsx", "main.ts"], PROJECT_ROOT, true);
  phase("synth, precompiled JS with plain node (prototype of fix 1)", process.execPath, ["main.js"], precompiled.root, true);
  phase("synth, tsx + bundle cache by input hash, warm (prototype of fix 2 alone)", TSX, ["main.ts"], tsxCachedBundles.root, true);
  phase("synth, precompiled JS + bundle cache by input hash, warm (prototype of fixes 1+2)", process.execPath, ["main.js"], cachedBundles.root, true);
  // The cache must not change the output: same cdk.tf.json in every stack as an uncached synth.
  const synthInto = (cwd: string): string => {
    const outdir = freshDir("out");
    measureProcess(process.execPath, ["main.js"], { cwd, env: { CDKTF_OUTDIR: outdir } });
    return outdir;
  };
  const [plain, cached] = [synthInto(precompiled.root), synthInto(cachedBundles.root)];
  cachedOutputIdentical = readdirSync(join(plain, "stacks")).every((stack) =>
    readFileSync(join(plain, "stacks", stack, "cdk.tf.json")).equals(readFileSync(join(cached, "stacks", stack, "cdk.tf.json"))),
  );
  results.analysis = { phases, precompileS, cachedOutputIdentical };

  log("analysis: cpu profile of the synth");
  const profileDir = join(WORK, "profile");
  rmSync(profileDir, { recursive: true, force: true });
  const outdir = freshDir("out");
  measureProcess(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", "main.ts"], {
    cwd: PROJECT_ROOT,
    env: { CDKTF_OUTDIR: outdir },
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
    what: `synth of all ${environmentCount} environments`,
    target: `<= 3 x floor + 0.5 s = ${limit.toFixed(2)} s`,
    measured: secs(synth.wall),
    met: synth.wall.median <= limit,
  });
}
if (synth && rootImport) {
  const ratio = rootImport.wall.median / synth.wall.median;
  targets.push({ what: "synth vs root-import variant", target: ">= 5x faster", measured: `${ratio.toFixed(1)}x faster`, met: ratio >= 5 });
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
  lines.push("# Benchmarks", "");
  lines.push(
    `Measured by \`npm run bench${quick ? " -- --quick" : ""}\` on ${String(results.date).slice(0, 10)}: ${os.cpus} x ${os.cpuModel}, node ${os.node}, ` +
      `load average ${os.loadAverageAtStart.join(" / ")} at the start (other work shares the machine: spreads are wide when it is busy). ` +
      `Median of several runs after a warm-up; spread is min-max and the interquartile range. Peak RSS: ${results.rssMethod}. ` +
      `Raw figures: [results.json](results.json). Whole run: ${totalS.toFixed(0)} s.`,
    "",
  );
  if (targets.length > 0) {
    lines.push("## Targets", "", "| what | target | measured | |", "|---|---|---|---|");
    for (const t of targets) lines.push(`| ${t.what} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**missed**"} |`);
    lines.push("");
  }
  lines.push("## Processes", "", "| what | median | spread | x floor | peak RSS (median) |", "|---|---|---|---|---|");
  const row = (what: string, r: ProcessResult): void =>
    void lines.push(`| ${what} | ${secs(r.wall)} | ${spread(r.wall)} | ${ratio(r.wall.median)} | ${r.peakRssMiB.median.toFixed(0)} MiB |`);
  if (floor) row("`node -e 0` (the floor)", floor);
  if (synth) row(`synth, all ${environmentCount} environments (\`tsx main.ts\`, as \`npm run synth\`)`, synth);
  if (rootImport) row(`synth, root-import variant (\`import { dynamodbTable } from "@cdktf/provider-aws"\`, ${rootImport.importsRewritten} imports in ${rootImport.filesRewritten} files)`, rootImport);
  if (synth && rootImport) lines.push("", `Submodule imports make the synth **${(rootImport.wall.median / synth.wall.median).toFixed(1)}x faster** and use ${(rootImport.peakRssMiB.median / synth.peakRssMiB.median).toFixed(1)}x less memory than the root import.`);
  if (unitTests || fullTests) lines.push("");
  if (unitTests) row(`unit tests (\`jest --testPathIgnorePatterns terraform.test.ts\`): ${unitTests.counts}; exit ${unitTests.exitCodes.join(", ")}`, unitTests);
  if (unitTestsTwoWorkers) row(`unit tests with \`--maxWorkers=2\` (option; jest uses cores - 1 = 1 worker here): ${unitTestsTwoWorkers.counts}`, unitTestsTwoWorkers);
  if (fullTests) row(`full suite (\`jest\`): ${fullTests.counts}; exit ${fullTests.exitCodes.join(", ")}`, fullTests);
  lines.push("");
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
      lines.push("", `Layer of ${b.kind} (${b.layerPackages!.join(", ")}): ${(b.layer!.zipBytes / 1024).toFixed(1)} KB zipped, built in ${b.layer!.buildMs.toFixed(0)} ms at synth (level-9 deflate of the packages, every synth).`);
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
    lines.push("`tsx bench/synth-n.ts N`: N generated environments with default settings, one `BandupStack` each.", "");
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
    if (cachedOutputIdentical !== undefined) {
      lines.push("", `With the bundle cache, every stack's cdk.tf.json is ${cachedOutputIdentical ? "byte-identical to" : "**different from**"} an uncached synth's. Precompiling the app's TypeScript with esbuild took ${(precompileS! * 1000).toFixed(0)} ms.`, "");
      lines.push("| what | command | median | spread | peak RSS |", "|---|---|---|---|---|");
    }
    for (const b of bundleResults.filter((x) => x.bundle)) {
      lines.push(`| esbuild bundle + zip of ${b.kind} (in process, first build) | \`buildLambdaBundle("${b.entry}", bundleOptionsOf(definition))\` | ${(b.bundle!.buildMs / 1000).toFixed(2)} s | one run | |`);
      if (b.layer) lines.push(`| layer zip of ${b.kind} (${b.layerPackages!.join(", ")}) | \`buildNodeModulesLayer(${JSON.stringify(b.layerPackages)})\` | ${(b.layer.buildMs / 1000).toFixed(2)} s | one run | |`);
    }
    lines.push("");
    if (profile) {
      lines.push(`CPU profile of one synth (\`node --cpu-prof --import tsx main.ts\`, main thread, ${profile.totalMs.toFixed(0)} ms profiled; ${profile.file}): self time by where the code lives.`, "");
      lines.push("| where | self time | scripts seen |", "|---|---|---|");
      for (const b of profile.byBucket.slice(0, 12)) lines.push(`| ${b.bucket} | ${b.selfMs.toFixed(0)} ms | ${b.scripts} |`);
      lines.push("", "Top functions by self time:", "", "| function | where | self time |", "|---|---|---|");
      for (const f of profile.topFunctions.slice(0, 10)) lines.push(`| \`${f.name}\` | ${f.where || "(native)"} | ${f.selfMs.toFixed(0)} ms |`);
      lines.push("");
    }
  }
  return lines.join("\n");
}
