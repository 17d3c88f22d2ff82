/**
 * The real stacks of every environment, built as main.ts builds them, pass the guardrails; every
 * suppression they carry is valid, used and has its reason.
 */
import { Testing } from "cdktf";
import { checkStack, guardrailOptionsOf } from "../../guardrails";
import { buildBandupApp } from "../../stacks/app";
import { BandupStack } from "../../stacks/bandup-stack";
import { allEnvironments, ENVIRONMENTS } from "../../stacks/environments";

describe.each(allEnvironments().map((e) => [e.name, e] as const))("stack bandup-%s", (name, environment) => {
  /** The stack as the app builds it (its constructor applies the guardrails). */
  function build(): BandupStack {
    const { stacks } = buildBandupApp({ app: Testing.app(), environments: { [name]: ENVIRONMENTS[name] }, backend: { type: "local" } });
    return stacks[0];
  }

  test("passes the guardrails with no unexplained suppression", () => {
    const report = checkStack(build());
    expect(report.errors).toEqual([]);
    for (const suppression of report.suppressions) {
      expect(suppression).toMatchObject({ valid: true, used: true });
      expect(suppression.reason.length).toBeGreaterThanOrEqual(40);
    }
    expect(report.warnings.filter((w) => w.ruleId.startsWith("BANDUP-GUARD"))).toEqual([]);
  });

  test("every table, function and dead-letter queue has its alarms, every alarm notifies, the topic is encrypted: the Alarms rules pass", () => {
    const statuses = checkStack(build()).rules.filter((r) => r.ruleId.startsWith("BANDUP-ALARM-")).map((r) => [r.ruleId, r.status]);
    expect(statuses).toEqual(["BANDUP-ALARM-1", "BANDUP-ALARM-2", "BANDUP-ALARM-3", "BANDUP-ALARM-4", "BANDUP-ALARM-5"].map((id) => [id, "pass"]));
  });

  test("synthesizes with validations", () => {
    expect(() => Testing.synth(build(), true)).not.toThrow();
  });

  test("guardrails are protected in protected environments only", () => {
    expect(guardrailOptionsOf(build())?.protected).toBe(environment.protected);
  });
});
