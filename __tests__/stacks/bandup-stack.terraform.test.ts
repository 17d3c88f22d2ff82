/**
 * The real terraform CLI on every environment's stack, and on one added to a copy of the settings
 * (support/environment-cases.ts), offline: init against the provider mirror, validate, and plan.
 * Fails (never skips) when terraform or the mirror is missing.
 */
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { OFFLINE_ACCOUNT_ID } from "../../scripts/lib/sts-stand-in";
import { ENVIRONMENT_CASES } from "../support/environment-cases";
import { fullSynthEnvironment, TerraformJson } from "../support/synth";

interface Checked {
  validation: Awaited<ReturnType<OfflineTerraform["validate"]>>;
  plan: TerraformPlanJson;
  json: TerraformJson;
}

const environments = ENVIRONMENT_CASES.map((c) => c.name);
const results = new Map<string, Checked>();

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  const cliConfig = writeCliConfig();
  // One init per stack; the stacks run side by side (terraform spends most of its time in the provider).
  await Promise.all(
    ENVIRONMENT_CASES.map(async ({ name: env, settings }) => {
      // A full synth: the plan reads the Lambda zips from the stack's assets folder.
      const { directory, json } = fullSynthEnvironment(env, {
        settings,
        backend: { type: "local", path: "terraform.tfstate" },
        offlineProvider: {},
      });
      const terraform = new OfflineTerraform(directory, cliConfig);
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

  test("plans exactly the creates of every declared resource, and reads the data sources", () => {
    const { plan, json } = results.get(env)!;
    const declared = Object.entries(json.resource as TerraformJson).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => `${type}.${name}`),
    );
    // 2 tables; per function: log group, dead-letter queue, role, role policy, function; 1 layer.
    expect(declared).toHaveLength(2 + 3 * 5 + 1);
    const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
    expect(changes.map((c) => [c.address, c.change.actions]).sort()).toEqual(declared.sort().map((address) => [address, ["create"]]));
  });

  test("plans the functions with their environment and code hash", () => {
    const { plan, json } = results.get(env)!;
    const functions = (plan.resource_changes ?? []).filter((c) => c.type === "aws_lambda_function");
    expect(functions).toHaveLength(3);
    for (const change of functions) {
      const declared = json.resource.aws_lambda_function[change.name];
      expect(change.change.after).toMatchObject({
        function_name: declared.function_name,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        source_code_hash: declared.source_code_hash,
        environment: [{ variables: declared.environment.variables }],
      });
    }
  });

  test("plans the tables with the synthesized names, keys and PITR", () => {
    const { plan, json } = results.get(env)!;
    for (const change of (plan.resource_changes ?? []).filter((c) => c.type === "aws_dynamodb_table")) {
      const declared = json.resource.aws_dynamodb_table[change.name];
      expect(change.change.after).toMatchObject({
        name: declared.name,
        hash_key: declared.hash_key,
        range_key: declared.range_key,
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: [{ enabled: true }],
        deletion_protection_enabled: ENVIRONMENT_CASES.find((c) => c.name === env)!.expected.protected,
      });
    }
  });

  test("reads the deploying account at plan time (data.aws_caller_identity, the offline STS stand-in here)", () => {
    const { plan } = results.get(env)!;
    const resources = (plan.prior_state as { values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } })
      .values.root_module.resources;
    expect(resources.find((r) => r.address === "data.aws_caller_identity.caller-identity")?.values).toMatchObject({
      account_id: OFFLINE_ACCOUNT_ID,
      arn: `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan`,
    });
  });
});
