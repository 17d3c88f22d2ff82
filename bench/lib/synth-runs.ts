/**
 * Synthesizing commands run the way the bench measures them: each run into a fresh output folder,
 * the number of stacks written checked, and two outputs compared byte for byte.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { freshDir } from "./context";
import { measureProcess, ProcessMeasurement, repeat } from "./measure";

/** The app's launcher: what `npm run synth` and cdktf.json's `app` run. */
export const SYNTH_SCRIPT = join("scripts", "synth.cjs");

/** Throws unless `outdir/stacks` holds exactly `expected` stack folders. */
export function checkStackCount(outdir: string, expected: number, what: string): void {
  const stacks = readdirSync(join(outdir, "stacks"));
  if (stacks.length !== expected) throw new Error(`${what} wrote ${stacks.length} stacks, expected ${expected}`);
}

/** Runs a synthesizing command into a fresh CDKTF_OUTDIR each time; checks the number of stacks it wrote. */
export function synthRuns(
  command: string,
  commandArgs: readonly string[],
  cwd: string,
  runs: number,
  warmup: number,
  expectedStacks: number,
  env: NodeJS.ProcessEnv = {},
): ProcessMeasurement[] {
  return repeat(runs, warmup, () => {
    const outdir = freshDir("out");
    const result = measureProcess(command, commandArgs, { cwd, env: { ...env, CDKTF_OUTDIR: outdir } });
    checkStackCount(outdir, expectedStacks, commandArgs.join(" "));
    rmSync(outdir, { recursive: true, force: true });
    return result;
  });
}

/** The state `node scripts/synth.cjs` starts from. */
export interface SynthState {
  /** Delete `<root>/dist/app` before each run (a compile on every run). */
  readonly deleteCompiled: boolean;
  /** The build cache of Lambda bundles and the layer zip (`BANDUP_BUILD_CACHE=off` when false). */
  readonly buildCache: boolean;
}
export const WARM: SynthState = { deleteCompiled: false, buildCache: true };
export const COLD: SynthState = { deleteCompiled: true, buildCache: false };

/** The environment of one `node scripts/synth.cjs` run into `outdir`. */
export function appSynthEnv(outdir: string, state: SynthState): NodeJS.ProcessEnv {
  return { CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "", BANDUP_BUILD_CACHE: state.buildCache ? "on" : "off" };
}

/** One `node scripts/synth.cjs` in `root` from `state`, into a fresh folder that the caller removes. */
export function appSynthOnce(root: string, state: SynthState, expectedStacks: number): { measurement: ProcessMeasurement; outdir: string } {
  if (state.deleteCompiled) rmSync(join(root, "dist", "app"), { recursive: true, force: true });
  const outdir = freshDir("out");
  const measurement = measureProcess(process.execPath, [SYNTH_SCRIPT], { cwd: root, env: appSynthEnv(outdir, state) });
  checkStackCount(outdir, expectedStacks, `${SYNTH_SCRIPT} in ${root}`);
  return { measurement, outdir };
}

/** One `node scripts/synth.cjs` in `root` from `state`, measured; its output is removed. */
export function appSynthMeasurement(root: string, state: SynthState, expectedStacks: number): ProcessMeasurement {
  const { measurement, outdir } = appSynthOnce(root, state, expectedStacks);
  rmSync(outdir, { recursive: true, force: true });
  return measurement;
}

/**
 * `node scripts/synth.cjs` in `root` (the project or a variant), `runs` measured runs after `warmup`
 * ones, each into a fresh CDKTF_OUTDIR; the last run's output folder is kept for comparisons.
 */
export function appSynthRuns(root: string, state: SynthState, runs: number, warmup: number, expectedStacks: number): { samples: ProcessMeasurement[]; outdir: string } {
  let outdir = "";
  const samples = repeat(runs, warmup, () => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    const run = appSynthOnce(root, state, expectedStacks);
    outdir = run.outdir;
    return run.measurement;
  });
  return { samples, outdir };
}

/** Byte comparison of two synth outputs' stacks/ (every cdk.tf.json and asset). */
export interface StacksComparison {
  readonly identical: boolean;
  readonly cdkTfJsonCompared: number;
  readonly filesCompared: number;
  readonly differing: readonly string[];
}

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

export function compareStacks(a: string, b: string): StacksComparison {
  const [filesA, filesB] = [filesUnder(join(a, "stacks")), filesUnder(join(b, "stacks"))];
  const all = [...new Set([...filesA, ...filesB])].sort();
  const same = (file: string): boolean =>
    existsSync(join(a, "stacks", file)) && existsSync(join(b, "stacks", file)) && readFileSync(join(a, "stacks", file)).equals(readFileSync(join(b, "stacks", file)));
  const differing = all.filter((file) => !same(file));
  return { identical: differing.length === 0, cdkTfJsonCompared: all.filter((f) => f.endsWith("/cdk.tf.json")).length, filesCompared: all.length, differing };
}
