/**
 * terraform against each stack: full synth with the test-only offline provider and a local state path,
 * `terraform init` once, then `validate` (after a warm-up) and `plan -out` timed. Needs terraform and
 * the offline provider mirror (scripts/lib/terraform-offline.ts); `checkTerraform` fails loudly
 * without them, before the bench spends minutes on the other steps.
 */
import { readdirSync, rmSync } from "fs";
import { join } from "path";
import { startStsStandInSync } from "../../scripts/lib/sts-stand-in";
import { findProviderMirror, offlineTerraformEnv, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { BenchContext, freshDir } from "../lib/context";
import { measureProcess, repeat } from "../lib/measure";
import { summarize, Summary } from "../lib/stats";

export interface TerraformSetup {
  readonly version: string;
  readonly mirror: string;
}

export interface TerraformStackResult {
  readonly stack: string;
  /** Wall time of the one `terraform init`, in seconds. */
  readonly init: number;
  readonly validate: Summary;
  readonly plan: Summary;
}

export interface TerraformResult extends TerraformSetup {
  readonly stacks: readonly TerraformStackResult[];
}

export function checkTerraform(): TerraformSetup {
  return { version: terraformVersion(), mirror: findProviderMirror() };
}

/** Synthesizes every stack for an offline plan into `outdir`. */
function synthForPlan(outdir: string): void {
  // Required here, not imported: the stack modules load the Lambda builders, which the bundles step
  // must load first, with the build cache off.
  const { buildBandupApp } = require("../../stacks/app") as typeof import("../../stacks/app");
  const { stackName } = require("../../stacks/environments") as typeof import("../../stacks/environments");
  rmSync(outdir, { recursive: true, force: true });
  const { app } = buildBandupApp({
    outdir,
    context: {},
    backend: (environment) => ({ type: "local", path: join(outdir, `${stackName(environment.name)}.tfstate`) }),
    offlineProvider: {},
  });
  app.synth();
}

export function measureTerraform(context: BenchContext, setup: TerraformSetup): TerraformResult {
  const outdir = join(context.work, "terraform");
  synthForPlan(outdir);
  // The stacks read the account with data.aws_caller_identity: a local STS answers it offline.
  const sts = startStsStandInSync();
  const env = offlineTerraformEnv(writeCliConfig(setup.mirror, freshDir("tfrc")), sts.endpoint);
  try {
    return { ...setup, stacks: measureStacks(context, outdir, env) };
  } finally {
    sts.stop();
  }
}

function measureStacks(context: BenchContext, outdir: string, env: NodeJS.ProcessEnv): TerraformStackResult[] {
  return readdirSync(join(outdir, "stacks"))
    .sort()
    .map((stack): TerraformStackResult => {
      const cwd = join(outdir, "stacks", stack);
      context.log(`terraform init/validate/plan ${stack}`);
      const init = measureProcess("terraform", ["init", "-input=false", "-no-color"], { cwd, env }).wallS;
      const validate = repeat(context.runs(2, 1), 1, () => measureProcess("terraform", ["validate", "-no-color"], { cwd, env }));
      const plan = repeat(context.runs(2, 1), 0, () => measureProcess("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan"], { cwd, env }));
      return { stack, init, validate: summarize(validate.map((s) => s.wallS)), plan: summarize(plan.map((s) => s.wallS)) };
    });
}
