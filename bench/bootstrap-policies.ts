/**
 * `npx tsx bench/bootstrap-policies.ts`: the size of each role's policy as Terraform renders it, from
 * the real offline plan of `bandup-bootstrap` on the project's settings (the account is the STS
 * stand-in's, 123456789012), against IAM's quota of 10,240 characters for a role's inline policies
 * (counted without whitespace), with the number of statements and distinct actions of each.
 * Needs terraform and the provider mirror, as the terraform tests do.
 */
import { Testing } from "cdktf";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { OfflineTerraform, writeCliConfig } from "../scripts/lib/terraform-offline";
import { buildBandupApp } from "../stacks/app";

/** IAM's quota on the inline policies of one role, whitespace not counted. */
const ROLE_POLICY_QUOTA = 10_240;

interface RenderedStatement {
  readonly Action: string | string[];
}

async function main(): Promise<void> {
  const { bootstrap, stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local", path: "terraform.tfstate" }, bootstrap: {}, offlineProvider: {} });
  const workingDirectory = join(Testing.fullSynth(bootstrap), "stacks", bootstrap.node.id);
  const terraform = new OfflineTerraform(workingDirectory, writeCliConfig(undefined, mkdtempSync(join(tmpdir(), "bandup-policies-"))));
  await terraform.init();
  const plan = await terraform.plan("tfplan", ["-var=github_repository=my-org/bandup-infra"]);

  console.log("| role | characters (minified) | share of 10,240 | statements | distinct actions |");
  console.log("|---|---|---|---|---|");
  for (const stack of stacks) {
    for (const role of ["deploy", "plan"] as const) {
      const address = `aws_iam_role_policy.${stack.environment.name}-${role}_role-policy`;
      const change = (plan.resource_changes ?? []).find((c) => c.address.startsWith(address));
      const policy = (change?.change.after as Record<string, unknown> | undefined)?.policy;
      if (typeof policy !== "string") throw new Error(`no rendered policy for ${address}`);
      const document = JSON.parse(policy) as { Statement: RenderedStatement[] };
      const characters = JSON.stringify(document).length;
      const actions = new Set(document.Statement.flatMap((s) => [s.Action].flat()));
      const share = ((100 * characters) / ROLE_POLICY_QUOTA).toFixed(0);
      console.log(`| bandup-${role}-${stack.environment.name} | ${characters.toLocaleString("en-US")} | ${share}% | ${document.Statement.length} | ${actions.size} |`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
