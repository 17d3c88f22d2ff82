/**
 * The alarms the docs name and count, against the synthesized stacks: every alarm is named
 * `<stack name>/<resource name>-<what>` as README.md, docs/operations.md and constructs/README.md say,
 * and the counts per rule and per environment (docs/operations.md's table, README.md's summary) are
 * those of the stacks of every environment of `ENVIRONMENTS`, on their settings.
 */
import { Testing } from "cdktf";
import { ALARM_RULES } from "../../constructs/alarm-rules";
import { buildBandupApp } from "../../stacks/app";
import { ENVIRONMENTS, stackName } from "../../stacks/environments";
import { expectMarkedBlock, readDoc } from "../support/docs";
import { resourcesOfType, TerraformJson } from "../support/synth";

type RuleKey = keyof typeof ALARM_RULES;
const RULE_KEYS = Object.keys(ALARM_RULES) as RuleKey[];
const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS);

/** Each environment's synthesized alarms: name and description. */
const alarmsByEnvironment = new Map<string, { name: string; description: string }[]>();

beforeAll(() => {
  const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
  for (const name of ENVIRONMENT_NAMES) {
    const stack = stacks.find((s) => s.node.id === stackName(name));
    if (!stack) throw new Error(`no stack ${stackName(name)}`);
    const json: TerraformJson = JSON.parse(Testing.synth(stack));
    alarmsByEnvironment.set(
      name,
      Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm")).map((alarm) => ({ name: alarm.alarm_name, description: alarm.alarm_description })),
    );
  }
});

/** The rule an alarm was made from: its description is `<resource name>: <the rule's why>`. */
function ruleOf(alarm: { name: string; description: string }): RuleKey {
  const rules = RULE_KEYS.filter((key) => alarm.description.endsWith(`: ${ALARM_RULES[key].why}`));
  if (rules.length !== 1) throw new Error(`alarm ${alarm.name} matches ${rules.length} rules`);
  return rules[0];
}

const count = (environment: string, rule?: RuleKey) => alarmsByEnvironment.get(environment)!.filter((alarm) => rule === undefined || ruleOf(alarm) === rule).length;

test("every alarm is `<stack name>/<resource name>-<what>`, <what> its rule's suffix", () => {
  for (const environment of ENVIRONMENT_NAMES) {
    const misnamed = alarmsByEnvironment
      .get(environment)!
      .filter((alarm) => !(alarm.name.startsWith(`${stackName(environment)}/`) && alarm.name.endsWith(`-${ALARM_RULES[ruleOf(alarm)].nameSuffix}`)));
    expect(misnamed).toEqual([]);
  }
});

test("the docs give alarm names with their stack's part, never without it", () => {
  for (const path of ["README.md", "docs/operations.md", "constructs/README.md"]) {
    const text = readDoc(path);
    // `<resource name>-<what>` right after a `/` has its stack's part (`<stack name>/`, `bandup-<env>/`).
    const without = [...text.matchAll(/(.)`?<resource name>-<what>`/g)].filter((m) => m[1] !== "/");
    expect([path, without.map((m) => m[0])]).toEqual([path, []]);
  }
  expect(readDoc("docs/operations.md")).toContain("`<stack name>/<resource name>-<what>`");
  expect(readDoc("constructs/README.md")).toContain("`<stack name>/<resource name>-<what>`");
  expect(readDoc("README.md")).toContain("`bandup-<env>/<resource name>-<what>`");
});

test("docs/operations.md's count of alarms per rule and environment is the synthesized stacks'", () => {
  const header = `| alarm | ${ENVIRONMENT_NAMES.map((name) => `\`${name}\``).join(" | ")} |`;
  const rows = RULE_KEYS.map((key) => `| \`-${ALARM_RULES[key].nameSuffix}\` | ${ENVIRONMENT_NAMES.map((name) => count(name, key)).join(" | ")} |`);
  const total = `| all | ${ENVIRONMENT_NAMES.map((name) => count(name)).join(" | ")} |`;
  const body = [header, `|---|${ENVIRONMENT_NAMES.map(() => "---:").join("|")}|`, ...rows, total].join("\n");
  expectMarkedBlock("docs/operations.md", "alarm counts", "counted in the synthesized stacks by __tests__/docs/alarm-counts.test.ts", body);
});

test("README.md's summary of the counts is the synthesized stacks'", () => {
  const summary = `on the default settings ${ENVIRONMENT_NAMES.map((name) => `\`${name}\` ${count(name)}`).join(", ")}`;
  expect(readDoc("README.md")).toContain(summary);
});
