import { Testing } from "cdktf";
import { applyGuardrails, GuardrailsAlreadyAppliedError, suppressGuardrail } from "../../guardrails";
import { buildFixture, check, ruleIds, synthError } from "./fixtures";

describe("suppressions", () => {
  test("a suppression with a written reason turns an error into a recorded suppression", () => {
    const fixture = buildFixture({ fn: { reservedConcurrentExecutions: undefined } });
    suppressGuardrail(fixture.fn, "BANDUP-LAMBDA-4", "dev account concurrency quota is 10; reserving would starve the other functions");
    const report = check(fixture);
    expect(ruleIds(report)).toEqual([]);
    expect(report.suppressed.map((f) => [f.ruleId, f.path, f.suppressedBy?.reason])).toEqual([
      ["BANDUP-LAMBDA-4", "test/function", "dev account concurrency quota is 10; reserving would starve the other functions"],
    ]);
    expect(report.rules.find((r) => r.ruleId === "BANDUP-LAMBDA-4")?.status).toBe("suppressed");
    expect(synthError(fixture.stack)).toBeUndefined();
  });

  test("a suppression on a parent construct (the stack) covers its children", () => {
    const fixture = buildFixture({ fn: { reservedConcurrentExecutions: undefined } });
    suppressGuardrail(fixture.stack, "BANDUP-LAMBDA-4", "whole test stack: concurrency is managed by the account quota");
    expect(ruleIds(check(fixture))).toEqual([]);
  });

  test("BANDUP-GUARD-1: a suppression without a reason is itself an error and does not apply", () => {
    const fixture = buildFixture({ fn: { reservedConcurrentExecutions: undefined } });
    suppressGuardrail(fixture.fn, "BANDUP-LAMBDA-4", "ok");
    const report = check(fixture);
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "BANDUP-LAMBDA-4",
        "function `bandup-writing-evaluator-test` has reserved_concurrent_executions = nothing (not set); one function can use the whole account's concurrency",
      ],
      ["BANDUP-GUARD-1", 'the suppression of BANDUP-LAMBDA-4 on test/function has no written reason (got "ok"); it does not apply'],
    ]);
    expect(synthError(fixture.stack)).toContain("BANDUP-GUARD-1 error at test/function");
  });

  test("BANDUP-GUARD-2: a suppression of an unknown rule is an error", () => {
    const fixture = buildFixture();
    suppressGuardrail(fixture.fn, "CKV_AWS_115", "we use Checkov ids here, which is not how suppressions work");
    expect(check(fixture).errors.map((f) => [f.ruleId, f.message])).toEqual([
      ["BANDUP-GUARD-2", "the suppression on test/function names `CKV_AWS_115`, which is not a guardrail rule; it does not apply"],
    ]);
  });

  test("BANDUP-GUARD-3: a stale suppression is a warning", () => {
    const fixture = buildFixture();
    suppressGuardrail(fixture.fn, "BANDUP-LAMBDA-4", "kept from before reserved concurrency was set");
    const report = check(fixture);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((f) => f.ruleId)).toEqual(["BANDUP-GUARD-3"]);
  });

  test("guardrails apply once per stack", () => {
    const fixture = buildFixture();
    expect(() => applyGuardrails(fixture.stack)).toThrow(GuardrailsAlreadyAppliedError);
  });

  test("warnings become cdktf annotations", () => {
    const fixture = buildFixture({ fn: { runtime: "nodejs22.x" }, guardrails: { warnings: "annotations" } });
    Testing.synth(fixture.stack, true);
    const warnings = fixture.fn.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data as string);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^BANDUP-LAMBDA-2 warning at test\/function/);
  });
});
