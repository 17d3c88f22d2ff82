/**
 * `cdktf synth` through the cdktf CLI (devDependency `cdktf-cli`), as a user types it, into a fresh
 * `--output`, against this app's warm synth measured alternately in the same run; and the CLI's bare
 * start (`npx cdktf --version`, which also asks terraform for its version) to show where the time goes.
 * `CHECKPOINT_DISABLE=1`: no update check over the network.
 */
import { rmSync } from "fs";
import { BenchContext, freshDir } from "../lib/context";
import { alternately, measureProcess, ProcessMeasurement, processResult, ProcessResult, repeat } from "../lib/measure";
import { appSynthMeasurement, checkStackCount, WARM } from "../lib/synth-runs";
import { PROJECT_ROOT } from "../lib/variants";

export interface CdktfCliResult {
  /** `npx cdktf synth --output <fresh folder>`. */
  readonly cliSynth: ProcessResult;
  /** `npx cdktf --version`. */
  readonly cliVersion: ProcessResult;
  /** This app's warm synth, `node scripts/synth.cjs`, measured alternately with the CLI's. */
  readonly app: ProcessResult;
}

const CLI_ENV: NodeJS.ProcessEnv = { CHECKPOINT_DISABLE: "1", BANDUP_BUILD_CACHE: "on" };

export function measureCdktfCli(context: BenchContext): CdktfCliResult {
  const cliOnce = (): ProcessMeasurement => {
    const outdir = freshDir("cdktf-cli-out");
    const measurement = measureProcess("npx", ["cdktf", "synth", "--output", outdir], { cwd: PROJECT_ROOT, env: CLI_ENV });
    checkStackCount(outdir, context.stackCount, "npx cdktf synth");
    rmSync(outdir, { recursive: true, force: true });
    return measurement;
  };
  context.log("cdktf-cli: npx cdktf synth and node scripts/synth.cjs, alternately");
  const [cliSamples, appSamples] = alternately(context.runs(3, 2), 1, cliOnce, () => appSynthMeasurement(PROJECT_ROOT, WARM, context.stackCount));
  context.log("cdktf-cli: npx cdktf --version");
  const cliVersion = processResult(repeat(context.runs(3, 2), 1, () => measureProcess("npx", ["cdktf", "--version"], { cwd: PROJECT_ROOT, env: CLI_ENV })));
  return { cliSynth: processResult(cliSamples), cliVersion, app: processResult(appSamples) };
}
