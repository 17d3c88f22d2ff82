/**
 * The real terraform CLI on every environment's stack, offline: init against the provider mirror,
 * validate, and plan. Fails (never skips) when terraform or the mirror is missing.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENVIRONMENTS } from "../../stacks/environments";
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { synthEnvironment } from "../support/synth";

interface Checked {
  validation: Awaited<ReturnType<OfflineTerraform["validate"]>>;
  plan: TerraformPlanJson;
  json: ReturnType<typeof synthEnvironment>["json"];
}

const environments = Object.keys(ENVIRONMENTS);
const results = new Map<string, Checked>();

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  const cliConfig = writeCliConfig();
  // One init per stack; the stacks run side by side (terraform spends most of its time in the provider).
  await Promise.all(
    environments.map(async (env) => {
      const { synthesized, json } = synthEnvironment(env, {
        backend: { type: "local", path: "terraform.tfstate" },
        offlineProvider: {},
      });
      const dir = mkdtempSync(join(tmpdir(), `bandup-${env}-`));
      writeFileSync(join(dir, "cdk.tf.json"), synthesized);
      const terraform = new OfflineTerraform(dir, cliConfig);
      await terraform.init();
      const validation = await terraform.validate();
      const plan = await terraform.plan();
      results.set(env, { validation, plan, json });
    }),
  );
}, 180_000);

describe.each(environments)("terraform on bandup-%s", (env) => {
  test("validates with no errors and no warnings", () => {
    const { validation } = results.get(env)!;
    expect(validation).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test("plans exactly the creates of the two tables, nothing else", () => {
    const { plan, json } = results.get(env)!;
    const expected = Object.keys(json.resource.aws_dynamodb_table).map((name) => `aws_dynamodb_table.${name}`);
    const changes = (plan.resource_changes ?? []).map((c) => [c.address, c.change.actions]);
    expect(changes.sort()).toEqual(expected.sort().map((address) => [address, ["create"]]));
  });

  test("plans the tables with the synthesized names, keys and PITR", () => {
    const { plan, json } = results.get(env)!;
    for (const change of plan.resource_changes ?? []) {
      const declared = json.resource.aws_dynamodb_table[change.name];
      expect(change.change.after).toMatchObject({
        name: declared.name,
        hash_key: declared.hash_key,
        range_key: declared.range_key,
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: [{ enabled: true }],
        deletion_protection_enabled: env === "prod",
      });
    }
  });
});
