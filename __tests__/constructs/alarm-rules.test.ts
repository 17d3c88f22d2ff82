/**
 * The alarm rules as data (constructs/alarm-rules.ts): their thresholds computed for a resource, and
 * the "Alarms" table of docs/operations.md, which must say exactly what the rules set.
 */
import { ALARM_RULES, AlarmRule, thresholdOf } from "../../constructs/alarm-rules";
import { readDoc } from "../support/docs";

/** Which resource each alarm is named after. */
const NAMED_AFTER: Record<keyof typeof ALARM_RULES, string> = {
  readThrottles: "`<table>-read-throttles`, `<table>-<index>-read-throttles`",
  writeThrottles: "`<table>-write-throttles`, `<table>-<index>-write-throttles`",
  systemErrors: "`<table>-system-errors`",
  readNearCap: "`<table>-read-near-cap`, `<table>-<index>-read-near-cap` (only with a read cap)",
  writeNearCap: "`<table>-write-near-cap`, `<table>-<index>-write-near-cap` (only with a write cap)",
  functionErrors: "`<function>-errors`",
  functionThrottles: "`<function>-throttles`",
  durationNearTimeout: "`<function>-duration-near-timeout`",
  deadLetters: "`<function>-dead-letters-messages-visible`",
  jobsFailed: "`<function>-jobs-failed`",
  jobsTimedOut: "`<function>-jobs-timed-out`",
};

/** The docs/operations.md row of a rule. */
function docRow(key: keyof typeof ALARM_RULES, rule: AlarmRule): string {
  const operator = rule.comparison === "GreaterThanThreshold" ? ">" : "≥";
  const threshold =
    rule.relativeTo === "on-demand cap"
      ? `${operator} ${rule.threshold * 100}% of the cap × ${rule.periodSeconds} s`
      : rule.relativeTo === "timeout"
        ? `${operator} ${rule.threshold * 100}% of the timeout`
        : `${operator} ${rule.threshold}`;
  const cells = [
    NAMED_AFTER[key],
    rule.watches,
    rule.statistic,
    threshold,
    `${rule.periodSeconds} s`,
    `${rule.datapointsToAlarm} of ${rule.evaluationPeriods}`,
    `\`${rule.treatMissingData}\``,
    rule.notifyOk ? "yes" : "no",
    rule.why,
  ];
  return `| ${cells.join(" | ")} |`;
}

test("docs/operations.md's Alarms table lists every rule with the values the code sets", () => {
  const doc = readDoc("docs/operations.md");
  const rows = (Object.keys(ALARM_RULES) as (keyof typeof ALARM_RULES)[]).map((key) => docRow(key, ALARM_RULES[key]));
  const missing = rows.filter((row) => !doc.includes(`${row}\n`));
  if (process.env.PRINT_README_ALARMS === "1") console.log(rows.join("\n"));
  expect(missing).toEqual([]);
});

describe("thresholdOf", () => {
  test("a fixed threshold is the rule's own", () => {
    expect(thresholdOf(ALARM_RULES.jobsFailed)).toBe(3);
    expect(thresholdOf(ALARM_RULES.deadLetters)).toBe(0);
  });

  test("near a cap: 80% of the units per second, times the 60 s period (the metric is a Sum over the period)", () => {
    expect(thresholdOf(ALARM_RULES.readNearCap, { capPerSecond: 100 })).toBe(4800);
    expect(thresholdOf(ALARM_RULES.writeNearCap, { capPerSecond: 25 })).toBe(1200);
  });

  test("near the timeout: 80% of it, in milliseconds (Duration's unit)", () => {
    expect(thresholdOf(ALARM_RULES.durationNearTimeout, { timeoutSeconds: 120 })).toBe(96_000);
  });

  test("a relative rule without its base fails, naming the alarm", () => {
    expect(() => thresholdOf(ALARM_RULES.readNearCap)).toThrow("the read-near-cap alarm needs the on-demand cap");
    expect(() => thresholdOf(ALARM_RULES.durationNearTimeout, {})).toThrow("the duration-near-timeout alarm needs the function's timeout");
  });
});
