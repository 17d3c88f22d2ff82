/**
 * The restore of a table and the replicas, in the synthesized JSON of a whole stack: which tables
 * exist at each step (the originals keep their construct ids, so their Terraform addresses), what the
 * restored table copies from its original, what the functions point to, and that every step passes
 * the guardrails. The real terraform plan of each step is in restore.terraform.test.ts.
 */
import { Testing } from "cdktf";
import { checkStack } from "../../guardrails";
import { EnvironmentSettings } from "../../stacks/environments";
import { resourceNamed, resourcesOfType, synthEnvironment, TerraformJson } from "../support/synth";

const AT = "2026-11-20T08:30:00Z";

/** The addresses of the stack's tables by table name. */
function tableAddresses(json: TerraformJson): Record<string, string> {
  return Object.fromEntries(Object.entries(resourcesOfType(json, "aws_dynamodb_table")).map(([address, t]) => [t.name, `aws_dynamodb_table.${address}`]));
}

/** The statements of a function's policy document. */
function statementsOf(json: TerraformJson, functionName: string): TerraformJson[] {
  const rolePolicy = resourceNamed(json, "aws_iam_role_policy", `${functionName}-access`);
  const documentName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(rolePolicy.policy)![1];
  return json.data.aws_iam_policy_document[documentName].statement;
}

const variablesOf = (json: TerraformJson, functionName: string) => resourceNamed(json, "aws_lambda_function", functionName).environment.variables;

/** The stack of `env` with these settings, its JSON, and its guardrail report. */
function step(env: string, settings: EnvironmentSettings) {
  const { stack, json } = synthEnvironment(env, { settings });
  return { stack, json, report: checkStack(stack) };
}

describe("restoring the evaluations table of dev", () => {
  const before = step("dev", {});
  const restoring = step("dev", { restore: { table: "evaluations", pointInTime: AT } });
  const switched = step("dev", { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true } });
  const retired = step("dev", { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "retire" } });
  const original: Record<string, TerraformJson> = before.json.resource.aws_dynamodb_table;

  test("step 1 adds the restored table beside the originals, whose addresses and settings do not change", () => {
    const addresses = tableAddresses(restoring.json);
    expect(addresses).toEqual({
      ...tableAddresses(before.json),
      "bandup-evaluations-dev-restored": expect.stringMatching(/^aws_dynamodb_table\.evaluations-restored_table_[0-9A-F]{8}$/),
    });
    for (const [address, table] of Object.entries(original)) expect(restoring.json.resource.aws_dynamodb_table[address]).toEqual(table);
    expect(restoring.stack.allTables.map((t) => t.tableName)).toEqual(["bandup-evaluations-dev", "bandup-evaluations-dev-restored", "bandup-flashcard-sets-dev"]);
  });

  test("the restored table restores the original to the time asked, with its keys, index, PITR, caps, class, encryption, tags and protection", () => {
    const restored = resourceNamed(restoring.json, "aws_dynamodb_table", "bandup-evaluations-dev-restored");
    const [originalEvaluations] = Object.values(original).filter((t) => t.name === "bandup-evaluations-dev");
    const { name: _name, "//": _metadata, ...copied } = originalEvaluations;
    expect(restored).toMatchObject({ ...copied, name: "bandup-evaluations-dev-restored", restore_source_name: "bandup-evaluations-dev", restore_date_time: AT });
    expect(restored.restore_to_latest_time).toBeUndefined();
  });

  test("step 1 changes no function: variables and policies name the original", () => {
    for (const fn of ["bandup-writing-evaluator-dev", "bandup-speaking-evaluator-dev", "bandup-flashcard-generator-dev"]) {
      expect(variablesOf(restoring.json, fn)).toEqual(variablesOf(before.json, fn));
      expect(statementsOf(restoring.json, fn)).toEqual(statementsOf(before.json, fn));
    }
  });

  test("step 2 points the evaluators at the restored table (variable and policy), and nothing else", () => {
    const restoredRef = `\${${tableAddresses(switched.json)["bandup-evaluations-dev-restored"]}.arn}`;
    for (const fn of ["bandup-writing-evaluator-dev", "bandup-speaking-evaluator-dev"]) {
      expect(variablesOf(switched.json, fn)).toEqual({ ...variablesOf(before.json, fn), DYNAMODB_EVALUATIONS: "bandup-evaluations-dev-restored" });
      const tableStatements = statementsOf(switched.json, fn).filter((s) => s.sid.startsWith("Evaluations"));
      expect(tableStatements.map((s) => [s.sid, s.resources])).toEqual([
        ["EvaluationsTableData", [restoredRef]],
        ["EvaluationsIndexQuery", [`${restoredRef}/index/*`]],
      ]);
    }
    expect(statementsOf(switched.json, "bandup-flashcard-generator-dev")).toEqual(statementsOf(before.json, "bandup-flashcard-generator-dev"));
    expect(switched.json.resource.aws_dynamodb_table).toEqual(restoring.json.resource.aws_dynamodb_table);
    expect(switched.stack.tables.evaluations.tableName).toBe("bandup-evaluations-dev-restored");
    expect(switched.json.output["evaluations-table-name"].value).toBe("bandup-evaluations-dev-restored");
    expect(switched.json.output["evaluations-restored-table-name"].value).toBe("bandup-evaluations-dev-restored");
  });

  test("switching back is step 1 again", () => {
    const back = step("dev", { restore: { table: "evaluations", pointInTime: AT, switchFunctions: false } });
    expect(back.json.resource).toEqual(restoring.json.resource);
    expect(back.json.data).toEqual(restoring.json.data);
  });

  test("step 3 (retire) removes the original and its alarms only", () => {
    expect(Object.keys(tableAddresses(retired.json)).sort()).toEqual(["bandup-evaluations-dev-restored", "bandup-flashcard-sets-dev"]);
    const { ["bandup-evaluations-dev"]: _gone, ...kept } = tableAddresses(switched.json);
    expect(tableAddresses(retired.json)).toEqual(kept);
    expect(retired.json.resource.aws_lambda_function).toEqual(switched.json.resource.aws_lambda_function);
    // The original's alarms (its name, then `-`, not `-restored-`) go with it, and leave the topic's policy.
    const alarmNames = (json: TerraformJson) => Object.values<TerraformJson>(json.resource.aws_cloudwatch_metric_alarm).map((a) => a.alarm_name as string);
    const original = (name: string) => name.startsWith("bandup-dev/bandup-evaluations-dev-") && !name.startsWith("bandup-dev/bandup-evaluations-dev-restored-");
    expect(alarmNames(switched.json).filter(original)).toHaveLength(9);
    expect(alarmNames(retired.json)).toEqual(alarmNames(switched.json).filter((name) => !original(name)));
    // Every other policy document is unchanged.
    const documents = (json: TerraformJson) => {
      const entries = Object.entries<TerraformJson>(json.data.aws_iam_policy_document);
      const topicPolicy = entries.filter(([name]) => name.startsWith("alarm-topic-policy_document"));
      expect(topicPolicy).toHaveLength(1);
      return { others: entries.filter(([name]) => !name.startsWith("alarm-topic-policy_document")), alarmArns: topicPolicy[0][1].statement[0].condition[1].values as string[] };
    };
    expect(documents(retired.json).others).toEqual(documents(switched.json).others);
    expect(documents(retired.json).alarmArns).toEqual(documents(switched.json).alarmArns.filter((arn) => !original(arn.split(":alarm:")[1])));
  });

  test.each([
    ["step 1", restoring],
    ["step 2", switched],
    ["step 3", retired],
  ])("%s passes the guardrails (each function touches only the table it uses)", (_step, { report, stack }) => {
    expect(report.errors).toEqual([]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});

describe("restoring in prod (protected)", () => {
  test("the restored table is protected like the original; unprotect takes the original's protection off, recorded as a suppression", () => {
    const { json, report } = step("prod", { restore: { table: "flashcard-sets", pointInTime: "latest", switchFunctions: true, original: "unprotect" } });
    const restored = resourceNamed(json, "aws_dynamodb_table", "bandup-flashcard-sets-restored");
    expect(restored).toMatchObject({ deletion_protection_enabled: true, lifecycle: { prevent_destroy: true }, restore_to_latest_time: true, point_in_time_recovery: { enabled: true, recovery_period_in_days: 35 } });
    const unprotected = resourceNamed(json, "aws_dynamodb_table", "bandup-flashcard-sets");
    expect(unprotected.deletion_protection_enabled).toBe(false);
    expect(unprotected.lifecycle).toBeUndefined();
    expect(resourceNamed(json, "aws_dynamodb_table", "bandup-evaluations")).toMatchObject({ deletion_protection_enabled: true, lifecycle: { prevent_destroy: true } });
    expect(report.errors).toEqual([]);
    const ddb3 = report.suppressions.filter((s) => s.ruleId === "BANDUP-DDB-3");
    // On the original only: the restored table keeps its protection.
    expect(ddb3).toEqual([expect.objectContaining({ valid: true, used: true, path: "bandup-prod/flashcard-sets/table" })]);
    expect(ddb3[0].reason).toContain('the table is the original of a restore (restore.original: "unprotect" in stacks/environments.ts)');
  });

  test("without the step, taking the protection off by hand fails BANDUP-DDB-3", () => {
    const { stack } = step("prod", {});
    stack.tables.evaluations.table.deletionProtectionEnabled = false;
    expect(checkStack(stack).errors.map((f) => f.ruleId)).toEqual(["BANDUP-DDB-3"]);
  });
});

describe("replicas in a stack", () => {
  test("every table, restored ones included, has the replicas and the stream", () => {
    const { json, report } = step("dev", { replicaRegions: ["us-west-2"], restore: { table: "evaluations", pointInTime: AT } });
    const tables = Object.values(resourcesOfType(json, "aws_dynamodb_table"));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.replica).toEqual([{ region_name: "us-west-2", point_in_time_recovery: true, propagate_tags: true }]);
      expect([table.stream_enabled, table.stream_view_type]).toEqual([true, "NEW_AND_OLD_IMAGES"]);
    }
    expect(report.errors).toEqual([]);
  });

  test("with a customer key, every table, the restored one included, is encrypted with it, and each replica with its region's key", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const westKey = "arn:aws:kms:us-west-2:123456789012:key/2234abcd-12ab-34cd-56ef-1234567890ab";
    const { json, report } = step("prod", {
      protected: true,
      tableKmsKeyArn: key,
      replicaRegions: ["us-west-2"],
      replicaKmsKeyArns: { "us-west-2": westKey },
      restore: { table: "flashcard-sets", pointInTime: AT },
    });
    const tables = Object.values(resourcesOfType(json, "aws_dynamodb_table"));
    expect(tables.map((t) => t.name).sort()).toEqual(["bandup-evaluations", "bandup-flashcard-sets", "bandup-flashcard-sets-restored"]);
    for (const table of tables) {
      expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: key });
      expect(table.replica).toEqual([{ region_name: "us-west-2", kms_key_arn: westKey, point_in_time_recovery: true, propagate_tags: true }]);
    }
    expect(report.errors).toEqual([]);
  });

  test("the functions' policies name the home region's table only: they run there", () => {
    const plain = step("dev", {});
    const replicated = step("dev", { replicaRegions: ["us-west-2", "eu-west-1"] });
    for (const fn of ["bandup-writing-evaluator-dev", "bandup-speaking-evaluator-dev", "bandup-flashcard-generator-dev"]) {
      expect(statementsOf(replicated.json, fn)).toEqual(statementsOf(plain.json, fn));
    }
  });
});
