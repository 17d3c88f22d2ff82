/** What one run of the bench measured (written to results.json), and the targets it is held to. */
import { cpus, loadavg } from "os";
import { GNU_TIME, ProcessResult } from "./lib/measure";
import { Step } from "./lib/options";
import { AnalysisResult } from "./steps/analysis";
import { AwsCdkResult } from "./steps/aws-cdk";
import { BundleResult } from "./steps/bundles";
import { CdktfCliResult } from "./steps/cdktf-cli";
import { RootImportResult } from "./steps/root-import";
import { ScalingResult } from "./steps/scaling";
import { SynthResult } from "./steps/synth";
import { TerraformResult } from "./steps/terraform";
import { TestsResult } from "./steps/tests";

export interface MachineInfo {
  readonly node: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly platform: string;
  readonly loadAverageAtStart: readonly number[];
}

/** Every step's result; a step that did not run (`--only`) has none. */
export interface Measurements {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly options: { readonly quick: boolean; readonly only: readonly Step[] | null };
  readonly rssMethod: string;
  readonly floor?: ProcessResult;
  readonly synth?: SynthResult;
  readonly rootImport?: RootImportResult;
  readonly tests?: TestsResult;
  readonly bundles?: readonly BundleResult[];
  readonly terraform?: TerraformResult;
  readonly scaling?: ScalingResult;
  readonly analysis?: AnalysisResult;
  readonly awsCdk?: AwsCdkResult;
  readonly cdktfCli?: CdktfCliResult;
  /** Wall time of the whole bench, in seconds. */
  readonly totalS: number;
  readonly loadAverageAtEnd: readonly number[];
}

export interface Target {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResults extends Measurements {
  readonly targets: readonly Target[];
}

/** The node floor in seconds, or a stand-in when the floor was not measured. */
export function floorSeconds(results: Pick<Measurements, "floor">): number {
  return results.floor?.wall.median ?? 0.1;
}

const rounded = (values: readonly number[]): number[] => values.map((v) => Math.round(v * 100) / 100);

export function machineInfo(): MachineInfo {
  return { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", platform: process.platform, loadAverageAtStart: rounded(loadavg()) };
}

export function loadAverageNow(): number[] {
  return rounded(loadavg());
}

export const RSS_METHOD = GNU_TIME
  ? `${GNU_TIME} -f "%e %M" (peak RSS of the largest process of the tree)`
  : "process.resourceUsage().maxRSS via --require hook (largest node process)";

const secs = (seconds: number): string => `${seconds.toFixed(2)} s`;

/** The synth of every environment, warm, within 3 node starts and half a second. */
export function synthTargetSeconds(floorS: number): number {
  return 3 * floorS + 0.5;
}

export function targetsOf(m: Measurements): Target[] {
  const targets: Target[] = [];
  if (m.synth) {
    const limit = synthTargetSeconds(floorSeconds(m));
    targets.push({
      what: `synth of all ${m.synth.stacks} environments, warm (\`node scripts/synth.cjs\`)`,
      target: `<= 3 x floor + 0.5 s = ${secs(limit)}`,
      measured: `${secs(m.synth.warm.wall.median)} (cold ${secs(m.synth.cold.wall.median)})`,
      met: m.synth.warm.wall.median <= limit,
    });
  }
  if (m.synth && m.rootImport) {
    const ratio = m.rootImport.warm.wall.median / m.synth.warm.wall.median;
    const coldRatio = m.rootImport.cold.wall.median / m.synth.cold.wall.median;
    targets.push({ what: "synth vs root-import variant, warm vs warm", target: ">= 5x faster", measured: `${ratio.toFixed(1)}x faster (cold vs cold ${coldRatio.toFixed(1)}x)`, met: ratio >= 5 });
  }
  if (m.tests) {
    const { unit, full } = m.tests;
    targets.push({ what: "unit tests (jest, no tsc)", target: "< 15 s", measured: secs(unit.wall.median), met: unit.wall.median < 15 });
    targets.push({ what: "full suite (jest, no tsc)", target: "< 120 s", measured: secs(full.wall.median), met: full.wall.median < 120 });
  }
  for (const b of m.bundles ?? []) {
    if (!b.present) continue;
    targets.push({ what: `${b.kind} zip`, target: "< 150 KB", measured: `${(b.bundle.zipBytes / 1024).toFixed(1)} KB`, met: b.bundle.zipBytes < 150 * 1024 });
    targets.push({ what: `${b.kind} cold load (wall - floor)`, target: "< 100 ms", measured: `${b.bundle.coldLoadMs.toFixed(0)} ms`, met: b.bundle.coldLoadMs < 100 });
  }
  return targets;
}
