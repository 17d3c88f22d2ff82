/**
 * `npm run bench`: synth, tests, terraform, Lambda bundles and the tools a user could pick instead,
 * measured on this machine, each over several runs after a warm-up, with the `node -e 0` floor as the
 * unit. Writes bench/results.md, bench/results.json and bench/synth-scaling.svg.
 *
 *   npm run bench                           # full run (about six minutes, the test suites are most of it)
 *   npm run bench -- --quick                # fewer runs
 *   npm run bench -- --only=synth,bundles   # some steps only; results go to bench/.work/ instead
 *
 * Each step lives in bench/steps/ and returns a typed result (bench/results.ts); bench/report.ts
 * renders them. A usage error prints one line and exits 1, as does a failed measurement (with its
 * error). Needs terraform and the offline provider mirror for the terraform step (see
 * scripts/lib/terraform-offline.ts): it fails loudly without them, before any other step runs.
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { BenchContext, createContext } from "./lib/context";
import { BenchOptions, parseBenchOptions, Step, UsageError } from "./lib/options";
import { PROJECT_ROOT } from "./lib/variants";
import { renderMarkdown, renderScalingChart } from "./report";
import { BenchResults, floorSeconds, loadAverageNow, machineInfo, Measurements, RSS_METHOD, targetsOf } from "./results";
import { measureAnalysis } from "./steps/analysis";
import { measureAwsCdk } from "./steps/aws-cdk";
import { measureBundles } from "./steps/bundles";
import { measureCdktfCli } from "./steps/cdktf-cli";
import { measureFloor } from "./steps/floor";
import { measureRootImport } from "./steps/root-import";
import { measureScaling } from "./steps/scaling";
import { measureSynth, SynthResult } from "./steps/synth";
import { checkTerraform, measureTerraform } from "./steps/terraform";
import { measureTests } from "./steps/tests";

/** Steps whose figures are read against the node floor; the floor is measured when any of them runs. */
const STEPS_USING_THE_FLOOR: readonly Step[] = ["floor", "synth", "root-import", "bundles", "scaling", "analysis", "aws-cdk", "cdktf-cli"];

/** Runs the enabled steps in order; each step's result is undefined when it did not run. */
function runSteps(context: BenchContext): Omit<Measurements, "date" | "machine" | "options" | "rssMethod" | "totalS" | "loadAverageAtEnd"> {
  const { only } = context.options;
  const enabled = (step: Step): boolean => !only || only.includes(step);
  const when = <T>(step: Step, measure: () => T): T | undefined => (enabled(step) ? measure() : undefined);
  // Fail before spending minutes on the other steps.
  const terraformSetup = when("terraform", checkTerraform);

  const floor = STEPS_USING_THE_FLOOR.some(enabled) ? measureFloor(context) : undefined;
  const floorS = floorSeconds({ floor });
  let synth: SynthResult | undefined;
  let synthOutdir: string | undefined;
  if (enabled("synth")) ({ result: synth, warmOutdir: synthOutdir } = measureSynth(context));
  const rootImport = when("root-import", () => measureRootImport(context, synthOutdir));
  if (synthOutdir) rmSync(synthOutdir, { recursive: true, force: true });
  const tests = when("tests", () => measureTests(context));
  // Before terraform: the bundles step loads the Lambda builders with the build cache off, and the
  // terraform step's in-process synth would load them first.
  const bundles = when("bundles", () => measureBundles(context, floorS));
  const terraform = terraformSetup && measureTerraform(context, terraformSetup);
  const scaling = when("scaling", () => measureScaling(context));
  const analysis = when("analysis", () => measureAnalysis(context, { floor, synthWarm: synth?.warm, synthCold: synth?.cold }));
  const awsCdk = when("aws-cdk", () => measureAwsCdk(context));
  const cdktfCli = when("cdktf-cli", () => measureCdktfCli(context));
  return { floor, synth, rootImport, tests, bundles, terraform, scaling, analysis, awsCdk, cdktfCli };
}

/** Writes results.json, results.md and (with the scaling step) synth-scaling.svg into `outDir`. */
function writeOutputs(results: BenchResults, outDir: string, stackCount: number): void {
  writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, "results.md"), renderMarkdown(results));
  if (results.scaling) {
    writeFileSync(join(outDir, "synth-scaling.svg"), renderScalingChart(results.scaling, floorSeconds(results), stackCount, results.machine.node));
  }
}

function main(args: readonly string[]): number {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 1;
  }
  const context = createContext(options);
  mkdirSync(context.work, { recursive: true });
  const started = process.hrtime.bigint();
  const date = new Date().toISOString();
  const machine = machineInfo();

  const steps = runSteps(context);

  const measurements: Measurements = {
    date,
    machine,
    options: { quick: options.quick, only: options.only ?? null },
    rssMethod: RSS_METHOD,
    ...steps,
    totalS: Number(process.hrtime.bigint() - started) / 1e9,
    loadAverageAtEnd: loadAverageNow(),
  };
  const results: BenchResults = { ...measurements, targets: targetsOf(measurements) };
  // A partial run must not overwrite the committed results.
  const outDir = options.only ? context.work : join(PROJECT_ROOT, "bench");
  writeOutputs(results, outDir, context.stackCount);
  context.log(`done in ${results.totalS.toFixed(0)} s: ${join(outDir, "results.md")}`);
  for (const t of results.targets) context.log(`${t.met ? "MET   " : "MISSED"} ${t.what}: ${t.measured} (target ${t.target})`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
