/**
 * The restore runbook and the history index change, planned by the real terraform offline, each step
 * against the state the previous one leaves (support/plan-steps.ts): what each step creates, changes
 * and destroys, exactly, and what the plan review says about it.
 *
 *   step 1  restore.pointInTime set     creates the restored table, changes nothing else
 *   step 2  restore.switchFunctions     updates the evaluators' variables and policies in place
 *   back    switchFunctions: false      the same updates, back to the original
 *   step 3  restore.original: "retire"  deletes the original only; the review flags it as a retired original
 *   index   main's ALL index -> INCLUDE  updates both tables in place (the index is rebuilt), replaces nothing
 *
 * Each step is a few serial terraform plans (about 3 s each on a quiet machine). The summary lines
 * expected are support/restore-plans.ts's, which docs/operations.md is checked against.
 */
import { rmSync } from "fs";
import { BandupStack } from "../../stacks/bandup-stack";
import { EnvironmentSettings } from "../../stacks/environments";
import { analysePlans } from "../../scripts/lib/plan-review/analyse";
import { parsePlan } from "../../scripts/lib/plan-review/parse";
import { STACK, synthStack } from "../scripts/plan-fixtures";
import { changedResources, PlanSteps, StepPlan, summaryLine } from "../support/plan-steps";
import { INDEX_CHANGE_PLAN_SUMMARY, RESTORE_PLANS, TABLE_ALARMS_IN_DEV } from "../support/restore-plans";

const AT = "2026-11-20T08:30:00Z";
const STEP_1: EnvironmentSettings = { restore: { table: "evaluations", pointInTime: AT } };
const STEP_2: EnvironmentSettings = { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true } };
const STEP_3: EnvironmentSettings = { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "retire" } };

const EVALUATIONS = "aws_dynamodb_table.evaluations_table_68D57890";
const FLASHCARDS = "aws_dynamodb_table.flashcard-sets_table_29875C15";
const RESTORED = "aws_dynamodb_table.evaluations-restored_table_840AF2B3";
const POLICIES = [
  "aws_iam_role_policy.flashcard-generator_role-policy_179F53B0",
  "aws_iam_role_policy.speaking-evaluator_role-policy_351BD2B2",
  "aws_iam_role_policy.writing-evaluator_role-policy_BACCB124",
];
/** The evaluators' role policies and functions, sorted by address. */
const EVALUATORS = [POLICIES[1], POLICIES[2], "aws_lambda_function.speaking-evaluator_function_69FACCC8", "aws_lambda_function.writing-evaluator_function_BB9900DD"];

/** The history index and table settings as main declared them, before this change: ALL, no caps, no window, no class. */
function asOnMain(stack: BandupStack): void {
  for (const table of stack.allTables) {
    const index = table.definition.historyIndex;
    table.table.putGlobalSecondaryIndex([{ name: index.name, hashKey: index.partitionKey.name, rangeKey: index.sortKey.name, projectionType: "ALL" }]);
    table.table.resetOnDemandThroughput();
    table.table.putPointInTimeRecovery({ enabled: true });
    table.table.resetTableClass();
  }
}

let steps: PlanSteps;
const plans: Record<"step1" | "step2" | "back" | "step3" | "index", StepPlan> = {} as never;

beforeAll(async () => {
  const base = synthStack({});
  steps = await PlanSteps.init(base);
  const restoreChain = async () => {
    const initial = await steps.applied("initial", base, await steps.plan("initial", base));
    const step1 = synthStack(STEP_1);
    plans.step1 = await steps.plan("step1", step1, initial);
    // The next plans are asserted change by change: a state that did not converge would show there.
    const restored = await steps.applied("restored", step1, plans.step1, { verify: false });
    const step2 = synthStack(STEP_2);
    plans.step2 = await steps.plan("step2", step2, restored);
    const switched = await steps.applied("switched", step2, plans.step2, { verify: false });
    [plans.back, plans.step3] = await Promise.all([steps.plan("back", step1, switched), steps.plan("step3", synthStack(STEP_3), switched)]);
  };
  const indexChange = async () => {
    const onMain = synthStack({}, asOnMain);
    const mainState = await steps.applied("main", onMain, await steps.plan("main", onMain));
    plans.index = await steps.plan("index", base, mainState);
  };
  await Promise.all([restoreChain(), indexChange()]);
}, 600_000);

afterAll(() => {
  if (steps) rmSync(steps.dir, { recursive: true, force: true });
});

/** A managed resource's planned change. */
function changeOf(plan: StepPlan, address: string) {
  const change = (plan.json.resource_changes ?? []).find((rc) => rc.address === address);
  if (!change) throw new Error(`${address} is not in the plan`);
  return change;
}

/** The review of a plan, as `npm run plan:review` makes it. */
const reviewOf = (plan: StepPlan, allowDestroy: string[] = []) =>
  analysePlans([parsePlan(JSON.stringify(plan.json), plan.jsonFile, STACK)], { allowDestroy });

/**
 * The alarms of one table in a plan (every table has its alarms: 2 throttles, system errors and, with
 * dev's default caps, 2 near the cap, then the same but system errors for the index), by address.
 */
function tableAlarmAddresses(plan: StepPlan, tableConstruct: string): string[] {
  return (plan.json.resource_changes ?? []).map((rc) => rc.address).filter((address) => address.startsWith(`aws_cloudwatch_metric_alarm.${tableConstruct}-alarms_`));
}

/** The resources that follow the set of alarms: the topic policy names each alarm, the dashboard each table. */
const MONITORING_UPDATES = ["aws_cloudwatch_dashboard.dashboard_9E73CAB7", "aws_sns_topic_policy.alarm-topic-policy_0AFB47A9"];

describe("step 1: restore", () => {
  test("creates the restored table and its alarms, updates the topic policy and the dashboard in place, and changes nothing else", () => {
    const alarms = tableAlarmAddresses(plans.step1, "evaluations-restored");
    expect(alarms).toHaveLength(TABLE_ALARMS_IN_DEV);
    expect(summaryLine(plans.step1)).toBe(RESTORE_PLANS.step1.summary);
    expect(changedResources(plans.step1)).toEqual(
      [
        [RESTORED, ["create"]],
        ...alarms.map((address): [string, string[]] => [address, ["create"]]),
        ...MONITORING_UPDATES.map((address): [string, string[]] => [address, ["update"]]),
      ].sort(([a], [b]) => (a as string).localeCompare(b as string)),
    );
    expect(plans.step1.text).toContain(`# ${RESTORED} will be created`);
    const names = alarms.map((address) => (changeOf(plans.step1, address).change.after as { alarm_name: string }).alarm_name);
    expect(names.every((name) => name.startsWith("bandup-dev/bandup-evaluations-dev-restored-"))).toBe(true);
  });

  test("the new table restores the original to the time asked, with its keys, index, PITR, caps, tags and protection", () => {
    const original = changeOf(plans.step1, EVALUATIONS).change.after as Record<string, unknown>;
    const restored = changeOf(plans.step1, RESTORED).change.after as Record<string, unknown>;
    expect(restored).toMatchObject({ name: "bandup-evaluations-dev-restored", restore_source_name: "bandup-evaluations-dev", restore_date_time: AT });
    for (const attribute of ["hash_key", "range_key", "attribute", "billing_mode", "point_in_time_recovery", "on_demand_throughput", "table_class", "tags", "deletion_protection_enabled"]) {
      expect([attribute, restored[attribute]]).toEqual([attribute, original[attribute]]);
    }
    // The index as declared (its provisioned capacities are computed, unknown until the table exists).
    const declared = (table: Record<string, unknown>) =>
      (table.global_secondary_index as Record<string, unknown>[]).map(({ name, hash_key, range_key, projection_type, non_key_attributes, on_demand_throughput }) => ({
        name,
        hash_key,
        range_key,
        projection_type,
        non_key_attributes,
        on_demand_throughput,
      }));
    expect(declared(restored)).toEqual(declared(original));
  });

  test("the review blocks nothing (the topic policy's update is listed for review)", () => {
    const review = reviewOf(plans.step1);
    expect(review).toMatchObject({ exitCode: 0, totals: { create: 10, update: 2, replace: 0, delete: 0 } });
    expect(review.findings.filter((f) => f.blocking)).toEqual([]);
  });
});

describe("step 2: switch the functions", () => {
  test("updates the evaluators' variables and policies in place, creates and destroys nothing", () => {
    expect(summaryLine(plans.step2)).toBe(RESTORE_PLANS.step2.summary);
    expect(changedResources(plans.step2)).toEqual(EVALUATORS.map((address) => [address, ["update"]]));
  });

  test("the variable names the restored table, the policy its ARN and its index, and nothing of the original", () => {
    const fn = changeOf(plans.step2, EVALUATORS[3]).change;
    expect((fn.before as { environment: { variables: Record<string, string> }[] }).environment[0].variables.DYNAMODB_EVALUATIONS).toBe("bandup-evaluations-dev");
    expect((fn.after as { environment: { variables: Record<string, string> }[] }).environment[0].variables.DYNAMODB_EVALUATIONS).toBe("bandup-evaluations-dev-restored");
    const policy = JSON.parse((changeOf(plans.step2, EVALUATORS[1]).change.after as { policy: string }).policy);
    const resources = policy.Statement.flatMap((s: { Resource: string | string[] }) => [s.Resource].flat()).filter((r: string) => r.includes(":dynamodb:"));
    expect(resources.sort()).toEqual([
      "arn:aws:dynamodb:us-east-1:123456789012:table/bandup-evaluations-dev-restored",
      "arn:aws:dynamodb:us-east-1:123456789012:table/bandup-evaluations-dev-restored/index/*",
    ]);
  });

  test("switching back is the same updates the other way", () => {
    expect(summaryLine(plans.back)).toBe(RESTORE_PLANS.back.summary);
    expect(changedResources(plans.back)).toEqual(EVALUATORS.map((address) => [address, ["update"]]));
    const fn = changeOf(plans.back, EVALUATORS[3]).change;
    expect((fn.after as { environment: { variables: Record<string, string> }[] }).environment[0].variables.DYNAMODB_EVALUATIONS).toBe("bandup-evaluations-dev");
    expect(reviewOf(plans.back).exitCode).toBe(0);
  });
});

describe("step 3: retire the original", () => {
  test("deletes the original and its alarms only, updates the topic policy and the dashboard in place", () => {
    const alarms = tableAlarmAddresses(plans.step3, "evaluations");
    expect(alarms).toHaveLength(TABLE_ALARMS_IN_DEV);
    expect(summaryLine(plans.step3)).toBe(RESTORE_PLANS.step3.summary);
    expect(changedResources(plans.step3)).toEqual(
      [
        [EVALUATIONS, ["delete"]],
        ...alarms.map((address): [string, string[]] => [address, ["delete"]]),
        ...MONITORING_UPDATES.map((address): [string, string[]] => [address, ["update"]]),
      ].sort(([a], [b]) => (a as string).localeCompare(b as string)),
    );
  });

  test("the review flags it as the retired original of a restore, and --allow-destroy lets it through", () => {
    const review = reviewOf(plans.step3);
    expect(review.exitCode).toBe(1);
    expect(review.findings.filter((f) => f.blocking).map((f) => [f.kind, f.address, f.message.text])).toEqual([
      [
        "delete",
        EVALUATIONS,
        `\`${EVALUATIONS}\` (table \`bandup-evaluations-dev\`) will be **deleted**: it is the **retired original of a restore** (the table \`bandup-evaluations-dev-restored\` was restored from it and the stack keeps it); every item in \`bandup-evaluations-dev\` is lost, with its point-in-time backups, so check that \`bandup-evaluations-dev-restored\` holds what you need first.`,
      ],
    ]);
    expect(reviewOf(plans.step3, [`${STACK}:${EVALUATIONS}`]).exitCode).toBe(0);
  });
});

describe("the history index, from main's ALL to INCLUDE, on existing tables", () => {
  test("both tables are updated in place: nothing is replaced, created or destroyed", () => {
    expect(summaryLine(plans.index)).toBe(INDEX_CHANGE_PLAN_SUMMARY);
    expect(changedResources(plans.index)).toEqual([
      [EVALUATIONS, ["update"]],
      [FLASHCARDS, ["update"]],
      ...POLICIES.map((address): [string, string[]] => [address, ["update"]]),
    ]);
    for (const address of [EVALUATIONS, FLASHCARDS]) {
      expect(changeOf(plans.index, address).change.replace_paths ?? []).toEqual([]);
      expect(plans.index.text).toContain(`# ${address} will be updated in-place`);
    }
  });

  test("the policies only show as updates: their documents name a table with changes pending, so terraform reads them at apply", () => {
    for (const address of POLICIES) {
      const change = changeOf(plans.index, address).change as unknown as { after_unknown: Record<string, unknown>; before: { policy: string } };
      expect(change.after_unknown.policy).toBe(true);
      // The documents name the tables by ARN, which the update does not change.
      expect(change.before.policy).toMatch(/arn:aws:dynamodb:us-east-1:123456789012:table\/bandup-/);
    }
  });

  test("the index is rebuilt with the INCLUDE projection; the caps and the recovery window come with it", () => {
    const { before, after } = changeOf(plans.index, EVALUATIONS).change as { before: Record<string, unknown>; after: Record<string, unknown> };
    expect(before.global_secondary_index).toEqual([expect.objectContaining({ name: "user_id-created_at-index", projection_type: "ALL", non_key_attributes: [] })]);
    expect(after.global_secondary_index).toEqual([
      expect.objectContaining({
        name: "user_id-created_at-index",
        projection_type: "INCLUDE",
        non_key_attributes: ["error_message", "evaluation_type", "lease_expires_at_ms", "status"],
        on_demand_throughput: [{ max_read_request_units: 128, max_write_request_units: 400 }],
      }),
    ]);
    expect(after).toMatchObject({
      on_demand_throughput: [{ max_read_request_units: 1000, max_write_request_units: 400 }],
      point_in_time_recovery: [{ enabled: true, recovery_period_in_days: 7 }],
    });
    // The index's projection changes in place: listed for review (queries on it fail while it is rebuilt).
    // The recovery window that comes with it is 35 days (AWS's, unset on main) → 7 (dev's): that blocks.
    const review = reviewOf(plans.index);
    expect(review.findings.filter((f) => f.blocking).map((f) => [f.address, f.kind, f.attributes])).toEqual([
      [EVALUATIONS, "loss", ["point_in_time_recovery.recovery_period_in_days"]],
      [FLASHCARDS, "loss", ["point_in_time_recovery.recovery_period_in_days"]],
    ]);
    expect(review.exitCode).toBe(1);
    expect(review.findings.some((f) => !f.blocking && f.address === EVALUATIONS && f.attributes.some((a) => a.endsWith(".projection_type")))).toBe(true);
  });
});
