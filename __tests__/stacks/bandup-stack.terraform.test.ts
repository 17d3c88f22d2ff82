/**
 * The real terraform CLI on every environment's stack, and on one added to a copy of the settings
 * (support/environment-cases.ts), offline: init against the provider mirror, validate, and plan.
 * Fails (never skips) when terraform or the mirror is missing. Besides those, `dev` with replicas
 * (customer keys in both regions), a restore, the infrequent-access class and a 21-day recovery window.
 */
import { EnvironmentSettings, MAX_TAGS_PER_RESOURCE } from "../../stacks/environments";
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { OFFLINE_ACCOUNT_ID } from "../../scripts/lib/sts-stand-in";
import { BandupStack } from "../../stacks/bandup-stack";
import { FUNCTION_DEFINITIONS } from "../../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS } from "../../lambda-src/contract/table-definitions";
import { ENVIRONMENT_CASES } from "../support/environment-cases";
import { fullSynthEnvironment, TerraformJson } from "../support/synth";

interface Checked {
  validation: Awaited<ReturnType<OfflineTerraform["validate"]>>;
  plan: TerraformPlanJson;
  json: TerraformJson;
  stack: BandupStack;
}

/** How many resources of each type the stack's constructs stand for (counted from the definitions and constructs, not from the JSON). */
function expectedResourceCounts(stack: BandupStack): Record<string, number> {
  const functions = FUNCTION_DEFINITIONS.length;
  const { topic, tableAlarms, functionAlarms, jobOutcomes } = stack.monitoring;
  const alarms = [...tableAlarms, ...Object.values(functionAlarms)].reduce((n, a) => n + a.alarms.length, 0);
  return {
    aws_dynamodb_table: TABLE_DEFINITIONS.length,
    // Per function: log group, dead-letter queue, role, role policy, function; one layer (the flashcard generator's).
    aws_cloudwatch_log_group: functions,
    aws_sqs_queue: functions,
    aws_iam_role: functions,
    aws_iam_role_policy: functions,
    aws_lambda_function: functions,
    aws_lambda_layer_version: FUNCTION_DEFINITIONS.filter((d) => (d.layerPackages ?? []).length > 0).length,
    // The alarm topic (its key is the bootstrap's), its policy, one subscription per address.
    aws_sns_topic: 1,
    aws_sns_topic_policy: 1,
    aws_sns_topic_subscription: topic.subscriptions.length,
    aws_cloudwatch_metric_alarm: alarms,
    aws_cloudwatch_log_metric_filter: Object.values(jobOutcomes).reduce((n, j) => n + j.filters.length, 0),
    aws_cloudwatch_dashboard: 1,
  };
}

/** `count` extra tags `Tag1`... `TagN`. */
function manyTags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_unused, i) => [`Tag${i + 1}`, "x"]));
}

/**
 * The planned resources by the number of tags AWS would hold on each: its `tags_all`, which the
 * provider computes from its `default_tags` and the resource's own `tags` (resources without tags left out).
 */
function tagCounts(plan: TerraformPlanJson): Map<number, string[]> {
  const counts = new Map<number, string[]>();
  for (const change of (plan.resource_changes ?? []).filter((c) => c.mode === "managed")) {
    const tagsAll = (change.change.after as Record<string, unknown> | null)?.tags_all;
    if (tagsAll === undefined || tagsAll === null) continue;
    const count = Object.keys(tagsAll as object).length;
    counts.set(count, [...(counts.get(count) ?? []), change.address]);
  }
  return counts;
}

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/2234abcd-12ab-34cd-56ef-1234567890ab";

/** One stack to plan: its label, the environment it builds, its settings, and whether it is protected. */
interface PlanCase {
  readonly label: string;
  readonly env: string;
  readonly settings: EnvironmentSettings;
  readonly protected: boolean;
}
const CASES: readonly PlanCase[] = [
  ...ENVIRONMENT_CASES.map((c) => ({ label: c.name, env: c.name, settings: c.settings, protected: c.expected.protected })),
  {
    label: "dev with replicas, a restore, another class and window, and the most extra tags the settings accept",
    env: "dev",
    settings: {
      // Every resource carries the app's 3 tags (the stack creates no key: the bootstrap does): 47 extra tags fill each.
      extraTags: manyTags(MAX_TAGS_PER_RESOURCE - 3),
      tableKmsKeyArn: KEY,
      tableClass: "STANDARD_INFREQUENT_ACCESS",
      pitrRecoveryDays: 21,
      replicaRegions: ["us-west-2"],
      replicaKmsKeyArns: { "us-west-2": WEST_KEY },
      restore: { table: "flashcard-sets", pointInTime: "latest", switchFunctions: true },
    },
    protected: false,
  },
];
const environments = CASES.map((c) => c.label);
const results = new Map<string, Checked>();

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  const cliConfig = writeCliConfig();
  // One init per stack; the stacks run side by side (terraform spends most of its time in the provider).
  await Promise.all(
    CASES.map(async ({ label, env, settings }) => {
      // A full synth: the plan reads the Lambda zips from the stack's assets folder.
      const { directory, json, stack } = fullSynthEnvironment(env, {
        settings,
        backend: { type: "local", path: "terraform.tfstate" },
        offlineProvider: {},
      });
      const terraform = new OfflineTerraform(directory, cliConfig);
      await terraform.init();
      const validation = await terraform.validate();
      const plan = await terraform.plan();
      results.set(label, { validation, plan, json, stack });
    }),
  );
}, 180_000);

describe.each(environments)("terraform on bandup-%s", (label) => {
  const { env, protected: isProtected } = CASES.find((c) => c.label === label)!;
  const tableCount = label === env ? 2 : 3;
  test("validates with no errors and no warnings", () => {
    const { validation } = results.get(label)!;
    expect(validation).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test("plans exactly the creates of every declared resource, and reads the data sources", () => {
    const { plan, json, stack } = results.get(label)!;
    const declared = Object.entries(json.resource as TerraformJson).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => `${type}.${name}`),
    );
    const counts = Object.fromEntries(Object.entries(json.resource as TerraformJson).map(([type, byName]) => [type, Object.keys(byName).length]));
    // 2 tables (3 during a restore).
    const expected = Object.fromEntries(Object.entries({ ...expectedResourceCounts(stack), aws_dynamodb_table: tableCount }).filter(([, n]) => n > 0));
    expect(counts).toEqual(expected);
    const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
    expect(changes.map((c) => [c.address, c.change.actions]).sort()).toEqual(declared.sort().map((address) => [address, ["create"]]));
  });

  test("plans the functions with their environment and code hash", () => {
    const { plan, json } = results.get(label)!;
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

  test("plans the tables with the synthesized names, keys, PITR window, class, caps, index, replicas and restore", () => {
    const { plan, json } = results.get(label)!;
    const tables = (plan.resource_changes ?? []).filter((c) => c.type === "aws_dynamodb_table");
    expect(tables).toHaveLength(tableCount);
    for (const change of tables) {
      const declared = json.resource.aws_dynamodb_table[change.name];
      const blockList = (block: unknown) => (block === undefined ? [] : [block]);
      expect(change.change.after).toMatchObject({
        name: declared.name,
        hash_key: declared.hash_key,
        range_key: declared.range_key,
        billing_mode: "PAY_PER_REQUEST",
        point_in_time_recovery: [{ enabled: true, recovery_period_in_days: declared.point_in_time_recovery.recovery_period_in_days }],
        // The provider treats STANDARD as no change from nothing (its DiffSuppressFunc): null in the
        // plan, and CreateTable without a class makes a STANDARD table.
        table_class: declared.table_class === "STANDARD" ? null : declared.table_class,
        on_demand_throughput: blockList(declared.on_demand_throughput),
        deletion_protection_enabled: isProtected,
        global_secondary_index: [
          expect.objectContaining({
            name: "user_id-created_at-index",
            projection_type: "INCLUDE",
            non_key_attributes: [...declared.global_secondary_index[0].non_key_attributes].sort(),
            on_demand_throughput: blockList(declared.global_secondary_index[0].on_demand_throughput),
          }),
        ],
        replica: (declared.replica ?? []).map((r: Record<string, unknown>) => expect.objectContaining(r)),
        stream_enabled: declared.stream_enabled ?? null,
        restore_source_name: declared.restore_source_name ?? null,
        restore_to_latest_time: declared.restore_to_latest_time ?? null,
      });
    }
    if (label !== env) {
      expect(tables.map((t) => (t.change.after as { replica: unknown[] }).replica)).toEqual(
        Array(3).fill([expect.objectContaining({ region_name: "us-west-2", kms_key_arn: WEST_KEY, point_in_time_recovery: true, propagate_tags: true })]),
      );
      expect(tables.map((t) => (t.change.after as { table_class: string }).table_class)).toEqual(Array(3).fill("STANDARD_INFREQUENT_ACCESS"));
    }
  });

  test("plans the alarm topic under the bootstrap's key (by its alias), roles bounded by the bootstrap's boundary, the topic policy and the alarms with the account's ARNs, known at plan", () => {
    const { plan, stack } = results.get(label)!;
    const changes = plan.resource_changes ?? [];
    const { suffix } = ENVIRONMENT_CASES.find((c) => c.name === env)!.expected;
    const region = stack.environment.region;
    const after = (type: string) => changes.filter((c) => c.type === type).map((c) => c.change.after as Record<string, unknown>);
    expect(after("aws_sns_topic")).toEqual([expect.objectContaining({ name: `bandup-alarms${suffix}`, kms_master_key_id: `alias/bandup-bootstrap/bandup-alarms${suffix}` })]);
    expect(after("aws_kms_key")).toEqual([]);
    expect(after("aws_iam_role").map((r) => r.permissions_boundary)).toEqual(
      Object.values(stack.functions).map(() => `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:policy/bandup-boundary-${stack.environment.name}`),
    );
    const alarmNames = after("aws_cloudwatch_metric_alarm").map((a) => a.alarm_name as string);
    expect(alarmNames).toHaveLength(expectedResourceCounts(stack).aws_cloudwatch_metric_alarm);
    expect(alarmNames.length).toBeGreaterThanOrEqual(28);
    // The topic policy's document is read at plan time: its alarm ARNs are the planned alarms'.
    const document = (plan.prior_state as { values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } }).values.root_module.resources.find(
      (r) => r.address.startsWith("data.aws_iam_policy_document.alarm-topic-policy_document"),
    );
    const statement = JSON.parse(document?.values.json as string).Statement;
    expect(statement).toHaveLength(1);
    expect([...statement[0].Condition.ArnEquals["aws:SourceArn"]].sort()).toEqual(alarmNames.map((n) => `arn:aws:cloudwatch:${region}:${OFFLINE_ACCOUNT_ID}:alarm:${n}`).sort());
  });

  test("reads the deploying account at plan time (data.aws_caller_identity, the offline STS stand-in here)", () => {
    const { plan } = results.get(label)!;
    const resources = (plan.prior_state as { values: { root_module: { resources: { address: string; values: Record<string, unknown> }[] } } })
      .values.root_module.resources;
    expect(resources.find((r) => r.address === "data.aws_caller_identity.caller-identity")?.values).toMatchObject({
      account_id: OFFLINE_ACCOUNT_ID,
      arn: `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan`,
    });
  });
});

test("the most extra tags the settings accept put AWS's 50 on every tagged resource, and no resource over it", () => {
  const { plan } = results.get(CASES.at(-1)!.label)!;
  const counts = tagCounts(plan);
  expect([...counts.keys()]).toEqual([MAX_TAGS_PER_RESOURCE]);
  expect(counts.get(MAX_TAGS_PER_RESOURCE)!.length).toBeGreaterThan(40);
});

describe("terraform on bandup-dev with alarm emails and a configured topic key", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  let checked: Checked;

  beforeAll(async () => {
    const cliConfig = writeCliConfig();
    const { directory, json, stack } = fullSynthEnvironment("dev", {
      // No key of the stack's own: 47 extra tags, the most the settings accept then, fill every resource.
      settings: { alarmEmails: ["ops@example.com", "oncall@example.org"], alarmTopicKmsKeyArn: KEY, extraTags: manyTags(MAX_TAGS_PER_RESOURCE - 3) },
      backend: { type: "local", path: "terraform.tfstate" },
      offlineProvider: {},
    });
    const terraform = new OfflineTerraform(directory, cliConfig);
    await terraform.init();
    checked = { validation: await terraform.validate(), plan: await terraform.plan(), json, stack };
  }, 180_000);

  test("validates, and plans the topic under that key, no key of its own, and one email subscription per address", () => {
    const { validation, plan, stack } = checked;
    expect(validation).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
    const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
    expect(changes.every((c) => c.change.actions.join() === "create")).toBe(true);
    expect(changes.filter((c) => c.type === "aws_kms_key" || c.type === "aws_kms_alias")).toEqual([]);
    expect(changes.filter((c) => c.type === "aws_sns_topic").map((c) => (c.change.after as Record<string, unknown>).kms_master_key_id)).toEqual([KEY]);
    const subscriptions = changes.filter((c) => c.type === "aws_sns_topic_subscription").map((c) => c.change.after as Record<string, unknown>);
    expect(subscriptions.map((s) => [s.protocol, s.endpoint]).sort()).toEqual([
      ["email", "oncall@example.org"],
      ["email", "ops@example.com"],
    ]);
    const counts: Record<string, number> = {};
    for (const c of changes) counts[c.type] = (counts[c.type] ?? 0) + 1;
    expect(counts).toEqual(Object.fromEntries(Object.entries(expectedResourceCounts(stack)).filter(([, n]) => n > 0)));
    expect([...tagCounts(plan).keys()]).toEqual([MAX_TAGS_PER_RESOURCE]);
  });
});
