/**
 * The real stacks of every environment, built as main.ts builds them, pass the guardrails; every
 * suppression they carry is valid, used and has its reason.
 */
import { Testing } from "cdktf";
import { applyBandupGuardrails, checkStack, guardrailOptionsOf } from "../../guardrails";
import { BandupStack } from "../../stacks/bandup-stack";
import { allEnvironments, stackName } from "../../stacks/environments";

describe.each(allEnvironments().map((e) => [e.name, e] as const))("stack bandup-%s", (_name, environment) => {
  function build(): BandupStack {
    const stack = new BandupStack(Testing.app(), stackName(environment.name), { environment });
    if (!guardrailOptionsOf(stack)) applyBandupGuardrails(stack, environment); // until the wiring line is in the stack
    return stack;
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

  test("synthesizes with validations", () => {
    expect(() => Testing.synth(build(), true)).not.toThrow();
  });

  test("guardrails are protected in protected environments only", () => {
    expect(guardrailOptionsOf(build())?.protected).toBe(environment.protected);
  });
});
