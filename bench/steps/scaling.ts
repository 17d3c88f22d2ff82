/**
 * Synth time and memory against the number of stacks: bench/synth-n.ts builds N generated
 * environments through the app builder; it runs as the app runs, compiled by esbuild with
 * scripts/synth.cjs's options, then plain node, bundle cache warm.
 */
import { join, relative } from "path";
import { compileApp } from "../lib/compile";
import { BenchContext } from "../lib/context";
import { processResult, ProcessResult } from "../lib/measure";
import { linearFit } from "../lib/stats";
import { synthRuns } from "../lib/synth-runs";
import { PROJECT_ROOT } from "../lib/variants";

/** The numbers of stacks measured. */
const SCALING_STACKS = [1, 3, 10, 30];

export interface ScalingPoint extends ProcessResult {
  readonly stacks: number;
}

export interface ScalingFit {
  readonly timeMsPerStack: number;
  readonly memoryMiBPerStack: number;
  /** Seconds. */
  readonly timeIntercept: number;
  /** MiB. */
  readonly memoryIntercept: number;
}

export interface ScalingResult {
  readonly command: string;
  /** Time to compile bench/synth-n.ts, in seconds. */
  readonly compileS: number;
  readonly points: readonly ScalingPoint[];
  readonly fit: ScalingFit;
}

export function measureScaling(context: BenchContext): ScalingResult {
  /** bench/synth-n.ts compiled as scripts/synth.cjs compiles main.ts. */
  const synthN = join(context.work, "synth-n", "synth-n.js");
  const compileS = compileApp(PROJECT_ROOT, { file: "bench/synth-n.ts" }, synthN);
  context.log(`scaling: bench/synth-n.ts compiled in ${(compileS * 1000).toFixed(0)} ms`);
  const points = SCALING_STACKS.map((stacks): ScalingPoint => {
    context.log(`scaling: ${stacks} stacks`);
    // Warm-up before the first point: every stack shares the same bundles, so the cache is then warm.
    const warmup = stacks === SCALING_STACKS[0] ? 1 : 0;
    const samples = synthRuns(process.execPath, [relative(PROJECT_ROOT, synthN), String(stacks)], PROJECT_ROOT, context.runs(3, 2), warmup, stacks, { BANDUP_BUILD_CACHE: "on" });
    return { stacks, ...processResult(samples) };
  });
  const time = linearFit(points.map((p) => [p.stacks, p.wall.median]));
  const memory = linearFit(points.map((p) => [p.stacks, p.peakRssMiB.median]));
  return {
    command: "node bench/.work/synth-n/synth-n.js N (bundle cache warm)",
    compileS,
    points,
    fit: { timeMsPerStack: time.slope * 1000, memoryMiBPerStack: memory.slope, timeIntercept: time.intercept, memoryIntercept: memory.intercept },
  };
}
