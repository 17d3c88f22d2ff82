/**
 * The app's synth as a user runs it, in two states:
 * - warm: after a warm-up run, dist/app/main.js is up to date and every Lambda bundle and the layer zip
 *   are in the build cache (node_modules/.cache/bandup-build): what each synth after the first costs;
 * - cold: dist/app deleted before each run and `BANDUP_BUILD_CACHE=off` (the cache is neither read nor
 *   written): compile of main.ts + esbuild of every bundle + the layer's deflate.
 * `node scripts/synth.cjs` is measured in both states, and `npm run synth` (which runs it) warm, in
 * turns with `node scripts/synth.cjs`, so that npm's own start shows apart. Cold runs delete the
 * project's dist/app (a build output, recompiled by the next synth).
 */
import { rmSync } from "fs";
import { matchesCompiledApp } from "../lib/compile";
import { BenchContext, freshDir } from "../lib/context";
import { alternately, measureProcess, ProcessMeasurement, processResult, ProcessResult } from "../lib/measure";
import { appSynthEnv, appSynthOnce, appSynthRuns, checkStackCount, COLD, compareStacks, StacksComparison, SYNTH_SCRIPT, WARM } from "../lib/synth-runs";
import { PROJECT_ROOT } from "../lib/variants";

export interface SynthResult {
  readonly command: string;
  readonly stacks: number;
  readonly warm: ProcessResult;
  readonly cold: ProcessResult;
  /** `npm run synth`, warm: `node scripts/synth.cjs` behind npm's own start. */
  readonly npmRunSynth: ProcessResult;
  /** Cold and warm runs wrote the same bytes (every stack's cdk.tf.json and assets). */
  readonly coldVsWarm: StacksComparison;
  /** scripts/synth.cjs's esbuild options, applied by the bench, give its dist/app output byte for byte. */
  readonly compileOptionsInStep?: { readonly matches: boolean; readonly differing: readonly string[] };
}

/** The synth step's result, and the warm synth's output folder (the caller removes it). */
export function measureSynth(context: BenchContext): { result: SynthResult; warmOutdir: string } {
  const { stackCount: stacks, runs, log } = context;
  log(`synth, cold: node ${SYNTH_SCRIPT} (${stacks} environments), dist/app deleted, BANDUP_BUILD_CACHE=off`);
  const cold = appSynthRuns(PROJECT_ROOT, COLD, runs(3, 2), runs(1, 0), stacks);
  log(`synth, warm: node ${SYNTH_SCRIPT} and npm run synth, alternately, after a warm-up (compiled output and bundle cache valid)`);
  let warmOutdir = "";
  const nodeOnce = (): ProcessMeasurement => {
    if (warmOutdir) rmSync(warmOutdir, { recursive: true, force: true });
    const run = appSynthOnce(PROJECT_ROOT, WARM, stacks);
    warmOutdir = run.outdir;
    return run.measurement;
  };
  const npmOnce = (): ProcessMeasurement => {
    const outdir = freshDir("out");
    const measurement = measureProcess("npm", ["run", "synth"], { cwd: PROJECT_ROOT, env: appSynthEnv(outdir, WARM) });
    checkStackCount(outdir, stacks, "npm run synth");
    rmSync(outdir, { recursive: true, force: true });
    return measurement;
  };
  const [warm, npmRunSynth] = alternately(runs(3, 2), 1, nodeOnce, npmOnce);
  const coldVsWarm = compareStacks(cold.outdir, warmOutdir);
  if (!coldVsWarm.identical) log(`WARNING: cold and warm synth wrote different stacks: ${coldVsWarm.differing.slice(0, 5).join(", ")}`);
  rmSync(cold.outdir, { recursive: true, force: true });
  return {
    result: {
      command: `node ${SYNTH_SCRIPT} (what \`npm run synth\` and cdktf.json's \`app\` run)`,
      stacks,
      warm: processResult(warm),
      cold: processResult(cold.samples),
      npmRunSynth: processResult(npmRunSynth),
      coldVsWarm,
      compileOptionsInStep: matchesCompiledApp(PROJECT_ROOT),
    },
    warmOutdir,
  };
}
