/**
 * Where the synth time goes: the synth taken apart into processes that each do a little more (node,
 * the libraries, the app's modules, the compile, the synth warm, after an edit, without the build
 * cache, cold), the differences of their medians, and a CPU profile of one warm synth.
 */
import { readdirSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { appBuildOptions, appModulesEntry, compileApp, matchesCompiledApp } from "../lib/compile";
import { BenchContext, freshDir } from "../lib/context";
import { measureProcess, processResult, ProcessResult, repeat } from "../lib/measure";
import { ProfileSummary, summarizeProfile } from "../lib/profile";
import { Summary } from "../lib/stats";
import { appSynthEnv, appSynthRuns, COLD, SYNTH_SCRIPT, SynthState, synthRuns, WARM } from "../lib/synth-runs";
import { PROJECT_ROOT } from "../lib/variants";

export interface Phase {
  readonly what: string;
  /** The command as shown in the results. */
  readonly command: string;
  readonly wall: Summary;
  readonly peakRssMiB: Summary;
}

/** A difference of two phases' medians: what one part of the synth adds. */
export interface Cost {
  readonly what: string;
  readonly seconds: number;
  readonly from: string;
}

export interface AnalysisResult {
  readonly phases: readonly Phase[];
  readonly costs: readonly Cost[];
  /** scripts/synth.cjs's esbuild options, applied by the bench, still give its dist/app output. */
  readonly compileOptionsMatch?: { readonly matches: boolean; readonly differing: readonly string[] };
  readonly profile: ProfileSummary & { readonly file: string };
}

/** Measurements other steps already took, reused instead of measured again. */
export interface AnalysisInputs {
  readonly floor?: ProcessResult;
  readonly synthWarm?: ProcessResult;
  readonly synthCold?: ProcessResult;
}

export function measureAnalysis(context: BenchContext, inputs: AnalysisInputs): AnalysisResult {
  context.log("analysis: phases of the synth");
  const { phases, costs } = measurePhases(context, inputs);
  // The bench's use of scripts/synth.cjs's options must still give its output.
  const compileOptionsMatch = matchesCompiledApp(PROJECT_ROOT);
  context.log("analysis: cpu profile of a warm synth");
  return { phases, costs, compileOptionsMatch, profile: profileWarmSynth(context) };
}

function measurePhases(context: BenchContext, inputs: AnalysisInputs): { phases: Phase[]; costs: Cost[] } {
  const { runs, work, stackCount } = context;
  const phases: Phase[] = [];
  const add = (what: string, command: string, result: ProcessResult): ProcessResult => {
    phases.push({ what, command, ...result });
    return result;
  };
  const display = (commandArgs: readonly string[]): string =>
    ["node", ...commandArgs.map((a) => a.replace(PROJECT_ROOT + "/", "").replace(work.replace(PROJECT_ROOT + "/", ""), "bench/.work"))].join(" ");
  const processPhase = (what: string, commandArgs: string[], env: NodeJS.ProcessEnv = {}, shown = display(commandArgs)): ProcessResult =>
    add(what, shown, processResult(repeat(runs(3, 2), 1, () => measureProcess(process.execPath, commandArgs, { cwd: PROJECT_ROOT, env }))));
  const synthPhase = (what: string, state: SynthState, shown: string, measured?: ProcessResult): ProcessResult => {
    if (measured) return add(what, shown, measured);
    const { samples, outdir } = appSynthRuns(PROJECT_ROOT, state, runs(3, 2), 1, stackCount);
    rmSync(outdir, { recursive: true, force: true });
    return add(what, shown, processResult(samples));
  };

  const floorWhat = "`node -e 0` (the floor)";
  const nodeFloor = inputs.floor ? add(floorWhat, "node -e 0", inputs.floor) : processPhase(floorWhat, ["-e", "0"]);
  const libraries = processPhase("load cdktf + constructs (plain node)", ["-e", "require('cdktf');require('constructs')"]);
  const appModules = join(work, "app-modules", "app-modules.js");
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
  const warm = synthPhase("synth, warm (compiled output and bundle cache valid)", WARM, shown, inputs.synthWarm);
  const recompile = synthPhase("synth after a source edit: dist/app deleted, bundle cache warm (compile + warm synth)", { deleteCompiled: true, buildCache: true }, `rm -r dist/app; ${shown}`);
  const uncachedBundles = synthPhase(
    "synth, compiled output valid, `BANDUP_BUILD_CACHE=off` (esbuild of every bundle + layer deflate, no compile)",
    { deleteCompiled: false, buildCache: false },
    `BANDUP_BUILD_CACHE=off ${shown}`,
  );
  const direct = add(
    "the compiled app run directly (not how synth runs: isolates what scripts/synth.cjs adds)",
    "node dist/app/main.js",
    processResult(synthRuns(process.execPath, [join("dist", "app", "main.js")], PROJECT_ROOT, runs(3, 2), 1, stackCount, { BANDUP_BUILD_CACHE: "on", CDKTF_CONTEXT_JSON: "" })),
  );
  const cold = synthPhase("synth, cold (dist/app deleted, `BANDUP_BUILD_CACHE=off`)", COLD, `rm -r dist/app; BANDUP_BUILD_CACHE=off ${shown}`, inputs.synthCold);

  const cost = (what: string, a: ProcessResult, b: ProcessResult, from: string): Cost => ({ what, seconds: a.wall.median - b.wall.median, from });
  const costs = [
    cost("loading cdktf + constructs", libraries, nodeFloor, "libraries - floor"),
    cost("loading the app's modules (provider submodules, project code)", modules, libraries, "app modules - libraries"),
    cost("constructing the stacks, guardrails, synth, writing the stacks, cache reads", direct, modules, "direct - app modules"),
    cost("scripts/synth.cjs's check of the compiled output (hash of every input)", warm, direct, "warm - direct"),
    cost("compiling main.ts when a source changed", recompile, warm, "after a source edit - warm"),
    cost("building every bundle and the layer zip (cache off)", uncachedBundles, warm, "cache off - warm"),
    cost("cold over warm (compile + every bundle + layer)", cold, warm, "cold - warm"),
    cost("esbuild's start and the compile of main.ts, in a process of its own", compileOnly, nodeFloor, "compile only - floor"),
  ];
  return { phases, costs };
}

/** `node --cpu-prof scripts/synth.cjs`, warm, summarized by where the code lives. */
function profileWarmSynth(context: BenchContext): ProfileSummary & { file: string } {
  const profileDir = join(context.work, "profile");
  rmSync(profileDir, { recursive: true, force: true });
  // Warm: the last phase that wrote dist/app recompiled it, and the cache-off phase wrote nothing.
  const outdir = freshDir("out");
  measureProcess(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, SYNTH_SCRIPT], { cwd: PROJECT_ROOT, env: appSynthEnv(outdir, WARM) });
  rmSync(outdir, { recursive: true, force: true });
  const largest = readdirSync(profileDir)
    .map((f) => join(profileDir, f))
    .sort((a, b) => readFileSync(b).byteLength - readFileSync(a).byteLength)[0];
  return { file: largest.replace(PROJECT_ROOT + "/", ""), ...summarizeProfile(largest, PROJECT_ROOT) };
}
