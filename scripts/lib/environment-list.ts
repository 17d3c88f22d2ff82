/**
 * `npm run environments`: every environment as the workflows need it, built from the resolved
 * settings the app uses (`allEnvironments()`): pr.yml plans `environments`, deploy.yml deploys
 * `stages.dev`, then `stages.staging`, then `stages.prod`. Before it lists anything, the command runs
 * the check synth runs (`checkBandupApp`: the settings, the bootstrap's checks of the environments,
 * every stack's validations), so the workflows' first job refuses what synth would refuse; that builds
 * the stacks (cdktf) in a temporary folder. `environmentList` alone reads the settings only.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseArgs } from "util";
import { checkBandupApp } from "../../stacks/app";
import { allEnvironments, ENVIRONMENTS, EnvironmentSettings, Stage, stackName, STAGES } from "../../stacks/environments";
import { DEPLOY_ROLE_VARIABLE, planRoleVariable } from "../../stacks/github-variables";

/** One environment, as a matrix entry of the workflows. */
export interface EnvironmentEntry {
  readonly name: string;
  /** The Terraform stack, also the name of its folder in cdktf.out/stacks and of its plan file. */
  readonly stack: string;
  readonly stage: Stage;
  readonly region: string;
  readonly protected: boolean;
  /** Repository variable holding the read-only plan role ARN (pull requests). */
  readonly planRoleVariable: string;
  /** Variable of the GitHub environment holding the deploy role ARN. */
  readonly deployRoleVariable: string;
  /** The GitHub environment the deploy runs in. */
  readonly githubEnvironment: string;
  /**
   * The SSM SecureString the functions read the model API key from, which the stacks do not create
   * (a secret stays out of the state): the walk from an empty account creates it (docs/deploying.md).
   */
  readonly modelApiKeyParameter: string;
  /** The uploads bucket the functions read, created outside the stacks as well (same walk). */
  readonly uploadsBucket: string;
}

/** What `--json` prints. */
export interface EnvironmentList {
  readonly schemaVersion: 1;
  /** Every environment, in the order of `ENVIRONMENTS`. */
  readonly environments: readonly EnvironmentEntry[];
  /** The same entries per stage; every stage is present, an empty one as `[]`. */
  readonly stages: Readonly<Record<Stage, readonly EnvironmentEntry[]>>;
}

/** The environments of `settings`, resolved and validated as the app does; throws the app's settings errors. */
export function environmentList(settings: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS): EnvironmentList {
  const environments: EnvironmentEntry[] = allEnvironments(settings).map((environment) => ({
    name: environment.name,
    stack: stackName(environment.name),
    stage: environment.stage,
    region: environment.region,
    protected: environment.protected,
    planRoleVariable: planRoleVariable(environment.name),
    deployRoleVariable: DEPLOY_ROLE_VARIABLE,
    githubEnvironment: environment.name,
    modelApiKeyParameter: environment.modelApiKeyParameter,
    uploadsBucket: environment.uploadsBucket,
  }));
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, environments.filter((e) => e.stage === stage)])) as Record<Stage, EnvironmentEntry[]>;
  return { schemaVersion: 1, environments, stages };
}

/** A table a person reads, then the deploy order. */
export function formatEnvironmentTable(list: EnvironmentList): string {
  const header = ["environment", "stage", "stack", "region", "protected", "plan role (repository variable)", "deploy role (variable of its GitHub environment)"];
  const rows = list.environments.map((e) => [
    e.name,
    e.stage,
    e.stack,
    e.region,
    e.protected ? "yes" : "no",
    e.planRoleVariable,
    `${e.deployRoleVariable} in ${e.githubEnvironment}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  const order = STAGES.map((stage) => {
    const names = list.stages[stage].map((e) => e.name);
    return `${stage} (${names.length > 0 ? names.join(", ") : "none"})`;
  }).join(", then ");
  return [line(header), ...rows.map(line), "", `A push to main deploys stage ${order}.`].join("\n");
}

export const ENVIRONMENTS_USAGE = "usage: npm run environments -- [--json]";

/** Exit code of a wrong option, as `npm run plan:review` uses. */
export const USAGE_ERROR = 2;

/** Where the command writes. */
export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The command: the table, or `--json` (one line); returns the exit code (0, or 2 after a wrong option:
 * what is wrong and the usage on stderr). Anything synth would refuse throws what `checkBandupApp`
 * throws (every problem in one round), and nothing is printed.
 */
export function environmentsCommand(
  argv: readonly string[],
  output: CommandOutput,
  settings: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): number {
  let values: { json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    output.stderr(`${(error as Error).message}\n${ENVIRONMENTS_USAGE}\n`);
    return USAGE_ERROR;
  }
  if (values.help) {
    output.stdout(
      `${ENVIRONMENTS_USAGE}\nLists the environments of stacks/environments.ts with their stage, stack, region and GitHub variables; --json prints them as the workflows read them.\n`,
    );
    return 0;
  }
  // What synth checks, with the stacks built in a folder of their own (nothing is synthesized).
  const outdir = mkdtempSync(join(tmpdir(), "bandup-environments-"));
  try {
    checkBandupApp({ environments: settings, outdir });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const list = environmentList(settings);
  output.stdout(`${values.json ? JSON.stringify(list) : formatEnvironmentTable(list)}\n`);
  return 0;
}
