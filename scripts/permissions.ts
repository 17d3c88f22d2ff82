/**
 * `npm run permissions [-- --json]`: every policy `bandup-bootstrap` writes, per environment, derived
 * in-process from the app's stacks (no terraform, no AWS): the deploy and plan roles' policies and
 * trust, the deploy role's boundary, the functions' boundary, with the account as `<account-id>` and,
 * unless `githubRepository` is set, the repository as `<owner>/<repository>`.
 *
 * - without options: one line per role or policy, its size against IAM's quota;
 * - `--json`: the documents as Terraform renders them, in a stable order: what a pull request's review
 *   compares between its base and its head (`npm run plan:review -- --permissions-base <base.json>
 *   --permissions-head <head.json> ...`: a role that would allow more is "deploy bandup-bootstrap first").
 *
 * Exit 0; 1 after a wrong setting or option (its message once, as the synth prints it).
 */
import { Testing } from "cdktf";
import { StackModel } from "../guardrails/terraform-json";
import { buildBandupApp } from "../stacks/app";
import { literalPolicies, permissionsJson, policySizes } from "../stacks/bootstrap-policies";
import { BOOTSTRAP, BootstrapSettings, resolveBootstrapSettings } from "../stacks/bootstrap-settings";
import { EnvironmentSettings } from "../stacks/environments";
import { IAM_POLICY_QUOTAS } from "../stacks/policy-documents";
import { runCommand, UsageError } from "./lib/run-command";

const USAGE = "Usage: npm run permissions [-- --json]";

/** The command, as a function of its arguments and output; tests give other settings. */
export function permissionsCommand(
  argv: readonly string[],
  stdout: (text: string) => void,
  settings: { readonly environments?: Readonly<Record<string, EnvironmentSettings>>; readonly bootstrap?: BootstrapSettings } = {},
): void {
  const unknown = argv.filter((arg) => arg !== "--json" && arg !== "-h" && arg !== "--help");
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}; ${USAGE}`);
  if (argv.includes("-h") || argv.includes("--help")) {
    stdout(`${USAGE}\n`);
    return;
  }
  // A test app: nothing is written; the backend does not matter to the policies.
  const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, environments: settings.environments, bootstrap: settings.bootstrap });
  const bootstrap = resolveBootstrapSettings(settings.bootstrap ?? BOOTSTRAP, stacks.map((s) => s.environment));
  const policies = literalPolicies(
    stacks.map((stack) => ({ model: new StackModel(stack.node.id, stack.toTerraform()), environment: stack.environment })),
    bootstrap,
  );
  if (argv.includes("--json")) {
    stdout(`${JSON.stringify(permissionsJson(policies), null, 2)}\n`);
    return;
  }
  const rows: string[][] = [["role or policy", "document", "characters", "IAM's quota"]];
  const q = IAM_POLICY_QUOTAS;
  for (const p of policies) {
    const sizes = policySizes(p);
    rows.push(
      [p.deployRole, "inline policy", String(sizes.deployInline), String(q.roleInlinePolicies)],
      ...sizes.deployParts.map((size, i) => [p.deployParts[i].name, "managed part", String(size), String(q.managedPolicy)]),
      [p.deployRole, "trust", String(sizes.deployTrust), String(q.roleTrustPolicy)],
      [p.deployBoundary.name, "boundary of the deploy role", String(sizes.deployBoundary), String(q.managedPolicy)],
      [p.planRole, "inline policy", String(sizes.plan), String(q.roleInlinePolicies)],
      [p.planRole, "trust", String(sizes.planTrust), String(q.roleTrustPolicy)],
      [p.functionBoundary.name, "boundary of the function roles", String(sizes.functionBoundary), String(q.managedPolicy)],
    );
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  stdout(`${rows.map((r) => r.map((cell, i) => (i >= 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ")).join("\n")}\n`);
}

if (require.main === module) {
  runCommand(() => permissionsCommand(process.argv.slice(2), (text) => process.stdout.write(text)));
}
