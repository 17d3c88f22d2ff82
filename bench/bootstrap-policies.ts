/**
 * `npx tsx bench/bootstrap-policies.ts`: the size of every policy `bandup-bootstrap` writes, as
 * Terraform renders them, from the real offline plan of the bootstrap (the account is the STS
 * stand-in's, 123456789012), against IAM's quotas (a role's inline policies 10,240 characters, a
 * managed policy 6,144, counted without whitespace), with the number of statements and distinct
 * actions of each. Two apps: the project's settings, and prod with three replicas and customer keys
 * for its tables, replicas and alarm topic. Needs terraform and the provider mirror, as the terraform
 * tests do.
 */
import { Testing } from "cdktf";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { OfflineTerraform, writeCliConfig } from "../scripts/lib/terraform-offline";
import { buildBandupApp } from "../stacks/app";
import { ENVIRONMENTS, EnvironmentSettings } from "../stacks/environments";
import { IAM_POLICY_QUOTAS } from "../stacks/policy-documents";

interface RenderedStatement {
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
}

const key = (region: string, id: number) => `arn:aws:kms:${region}:123456789012:key/${String(id).padStart(8, "0")}-12ab-34cd-56ef-1234567890ab`;
const REPLICAS = ["us-west-2", "eu-west-1", "ap-southeast-1"];
const PROD_WITH_REPLICAS: EnvironmentSettings = {
  ...ENVIRONMENTS.prod,
  tableKmsKeyArn: key("us-east-1", 1),
  replicaRegions: REPLICAS,
  replicaKmsKeyArns: Object.fromEntries(REPLICAS.map((region, i) => [region, key(region, 10 + i)])),
  alarmTopicKmsKeyArn: key("us-east-1", 2),
};

async function measure(label: string, environments: Readonly<Record<string, EnvironmentSettings>>): Promise<void> {
  const { bootstrap } = buildBandupApp({ app: Testing.app(), environments, backend: { type: "local", path: "terraform.tfstate" }, bootstrap: {}, offlineProvider: {} });
  const workingDirectory = join(Testing.fullSynth(bootstrap), "stacks", bootstrap.node.id);
  const terraform = new OfflineTerraform(workingDirectory, writeCliConfig(undefined, mkdtempSync(join(tmpdir(), "bandup-policies-"))));
  await terraform.init();
  const plan = await terraform.plan("tfplan", ["-var=github_repository=my-org/bandup-infra"]);
  const documents = (plan.resource_changes ?? [])
    .filter((c) => c.mode === "managed" && (c.type === "aws_iam_role_policy" || c.type === "aws_iam_policy"))
    .map((c) => {
      const after = c.change.after as { name: string; policy: string };
      return { type: c.type, name: after.name, document: JSON.parse(after.policy) as { Statement: RenderedStatement[] } };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));

  console.log(`\n${label}\n`);
  console.log("| policy | kind | characters (minified) | share of its quota | statements | distinct actions |");
  console.log("|---|---|---|---|---|---|");
  for (const { type, name, document } of documents) {
    const characters = JSON.stringify(document).length;
    const quota = type === "aws_iam_role_policy" ? IAM_POLICY_QUOTAS.roleInlinePolicies : IAM_POLICY_QUOTAS.managedPolicy;
    const actions = new Set(document.Statement.flatMap((s) => [s.Action ?? s.NotAction ?? []].flat()));
    const kind = type === "aws_iam_role_policy" ? "inline" : "managed";
    console.log(`| ${name} | ${kind} | ${characters.toLocaleString("en-US")} | ${((100 * characters) / quota).toFixed(0)}% of ${quota.toLocaleString("en-US")} | ${document.Statement.length} | ${actions.size} |`);
  }
}

async function main(): Promise<void> {
  await measure("The project's settings", ENVIRONMENTS);
  await measure("prod with three replicas and customer keys (tables, replicas, alarm topic)", { prod: PROD_WITH_REPLICAS });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
