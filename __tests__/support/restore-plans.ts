/**
 * What the restore runbook's steps and the history index change plan in dev, by the real terraform
 * (`terraform plan`'s summary line): one list that __tests__/stacks/restore.terraform.test.ts asserts
 * against the real plans, and that __tests__/docs/restore-plans.test.ts checks docs/operations.md
 * against, so the runbook cannot state other counts than the plans have.
 */

export interface StepPlanSummary {
  /** The step as the runbook names it. */
  readonly step: string;
  /** The `restore` setting that makes it. */
  readonly setting: string;
  /** `terraform plan`'s summary line. */
  readonly summary: string;
  /** What the plan creates, changes and destroys, in words. */
  readonly what: string;
}

/** Alarms of one table in dev, with dev's default on-demand caps: 5 of the table, 4 of its index. */
export const TABLE_ALARMS_IN_DEV = 9;

export const RESTORE_PLANS = {
  step1: {
    step: "1. restore",
    setting: '`restore: { table, pointInTime }`',
    summary: "Plan: 10 to add, 2 to change, 0 to destroy.",
    what: `creates the restored table and its ${TABLE_ALARMS_IN_DEV} alarms; updates the alarm topic's policy and the dashboard`,
  },
  step2: {
    step: "2. switch the functions",
    setting: "`switchFunctions: true`",
    summary: "Plan: 0 to add, 4 to change, 0 to destroy.",
    what: "updates the two evaluators' functions (their variable) and role policies",
  },
  back: {
    step: "switch back",
    setting: "`switchFunctions: false`",
    summary: "Plan: 0 to add, 4 to change, 0 to destroy.",
    what: "the same updates, back to the original",
  },
  step3: {
    step: "3. retire the original",
    setting: '`original: "retire"`',
    summary: "Plan: 0 to add, 2 to change, 10 to destroy.",
    what: `deletes the original table and its ${TABLE_ALARMS_IN_DEV} alarms; updates the alarm topic's policy and the dashboard`,
  },
} as const satisfies Record<string, StepPlanSummary>;

/** The history index from main's ALL projection to INCLUDE, on existing tables (docs/operations.md, "What the history index costs"). */
export const INDEX_CHANGE_PLAN_SUMMARY = "Plan: 0 to add, 5 to change, 0 to destroy.";

/** The runbook's table of the steps, as docs/operations.md holds it. */
export function renderRestorePlansTable(): string {
  return [
    "| step | setting | plan in dev | what it does |",
    "|---|---|---|---|",
    ...Object.values(RESTORE_PLANS).map((p) => `| ${p.step} | ${p.setting} | \`${p.summary}\` | ${p.what} |`),
  ].join("\n");
}
