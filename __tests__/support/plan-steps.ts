/**
 * A sequence of real offline plans of `bandup-dev`, each against the state the previous step leaves:
 * the way an operator deploys one settings change after another. One `terraform init`; each plan runs
 * in a copy of the initialized folder (the provider in `.terraform` is a symlink to the mirror, so a
 * copy is a few kB). A step's state is built from its planned values (plan-fixtures.ts
 * `stateFromPlan`: made-up ids and ARNs where only AWS knows them), pushed, and planned again until
 * nothing changes, as an apply would leave it.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { OfflineTerraform, TerraformPlanJson, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { stateFromPlan } from "../scripts/plan-fixtures";

/** One plan: terraform's own text output, the `terraform show -json` file and its parsed content. */
export interface StepPlan {
  /** What `terraform plan -no-color` printed (the resource actions and the `Plan:` line). */
  readonly text: string;
  /** The `terraform show -json` file, for the plan review. */
  readonly jsonFile: string;
  readonly json: TerraformPlanJson;
}

/** A state a step leaves, ready to plan the next step against. */
export interface StepState {
  readonly label: string;
  /** The state file (version 4 JSON). */
  readonly file: string;
}

let copies = 0;

export class PlanSteps {
  private constructor(
    /** The initialized folder; every plan runs in a copy of it. */
    readonly dir: string,
    private readonly cliConfig: string,
  ) {}

  /** Inits terraform once, with the providers `cdkTfJson` needs (every step uses the same providers). */
  static async init(cdkTfJson: string): Promise<PlanSteps> {
    const dir = mkdtempSync(join(tmpdir(), "plan-steps-"));
    const cliConfig = writeCliConfig();
    copyFileSync(cdkTfJson, join(dir, "cdk.tf.json"));
    await new OfflineTerraform(dir, cliConfig).init();
    return new PlanSteps(dir, cliConfig);
  }

  /** Plans `cdkTfJson` (`-refresh=false`) against `state`, or against nothing; `label` names the files. */
  async plan(label: string, cdkTfJson: string, state?: StepState): Promise<StepPlan> {
    const copy = join(this.dir, `${label}-${++copies}`);
    mkdirSync(copy);
    cpSync(join(this.dir, ".terraform"), join(copy, ".terraform"), { recursive: true, verbatimSymlinks: true });
    copyFileSync(join(this.dir, ".terraform.lock.hcl"), join(copy, ".terraform.lock.hcl"));
    copyFileSync(cdkTfJson, join(copy, "cdk.tf.json"));
    const terraform = new OfflineTerraform(copy, this.cliConfig);
    if (state !== undefined) await terraform.run(["state", "push", "-lock=false", "-force", state.file]);
    const text = await terraform.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=step.tfplan"]);
    const jsonFile = join(copy, `${label}.json`);
    writeFileSync(jsonFile, await terraform.run(["show", "-json", "step.tfplan"]));
    return { text, jsonFile, json: JSON.parse(readFileSync(jsonFile, "utf8")) };
  }

  /**
   * The state after applying `plan` (the plan of `cdkTfJson`): built from its planned values, then
   * pushed and planned again until the plan changes nothing (values derived from made-up ARNs, such
   * as policy documents, are unknown in the first round). `verify: false` skips that check, for a
   * state whose next plan is asserted change by change anyway (a state that does not converge shows
   * there as an unexpected change): one terraform plan less.
   */
  async applied(label: string, cdkTfJson: string, plan: StepPlan, options: { verify?: boolean } = {}): Promise<StepState> {
    let planned = plan.json;
    for (let round = 1; round <= 3; round++) {
      const state: StepState = { label, file: join(this.dir, `${label}.${round}.tfstate`) };
      writeFileSync(state.file, stateFromPlan(planned, round));
      if (options.verify === false) return state;
      const again = await this.plan(`${label}-converge`, cdkTfJson, state);
      const pending = (again.json.resource_changes ?? []).filter((rc) => rc.mode === "managed" && rc.change.actions.join() !== "no-op");
      if (pending.length === 0) return state;
      planned = again.json;
    }
    throw new Error(`the state of step ${label} does not converge`);
  }
}

/** `[address, actions]` of every managed resource whose plan is not a no-op, sorted by address. */
export function changedResources(plan: StepPlan): [string, string[]][] {
  return (plan.json.resource_changes ?? [])
    .filter((rc) => rc.mode === "managed" && rc.change.actions.join() !== "no-op")
    .map((rc): [string, string[]] => [rc.address, rc.change.actions])
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The `Plan: …` summary line terraform printed (or its "No changes." line). */
export function summaryLine(plan: StepPlan): string {
  const line = plan.text.split("\n").find((l) => l.startsWith("Plan: ") || l.startsWith("No changes."));
  if (line === undefined) throw new Error(`no summary line in the plan output:\n${plan.text}`);
  return line.trim();
}
