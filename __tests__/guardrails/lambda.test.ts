import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { buildFixture, check, DLQ_ARN, ruleIds } from "./fixtures";

const messages = (report: ReturnType<typeof check>) => [...report.errors, ...report.warnings].map((f) => [f.ruleId, f.severity, f.message]);

describe("BANDUP-LAMBDA-1 log group with retention", () => {
  test("Compliance: /aws/lambda/<name> kept 365 days", () => {
    expect(ruleIds(check(buildFixture({ protected: true })))).toEqual([]);
  });

  test("Noncompliance: no log group", () => {
    expect(messages(check(buildFixture({ logGroup: null })))).toEqual([
      [
        "BANDUP-LAMBDA-1",
        "error",
        "function `bandup-writing-evaluator-test` has no aws_cloudwatch_log_group named `/aws/lambda/bandup-writing-evaluator-test` in the stack; Lambda would create one that keeps logs forever",
      ],
    ]);
  });

  test("Noncompliance: no retention", () => {
    expect(messages(check(buildFixture({ logGroup: { retentionInDays: undefined } })))).toEqual([
      [
        "BANDUP-LAMBDA-1",
        "error",
        "log group `/aws/lambda/bandup-writing-evaluator-test` of function `bandup-writing-evaluator-test` has retention_in_days = nothing (logs kept forever); set it",
      ],
    ]);
  });

  test("Noncompliance: 30 days in a protected environment (CKV_AWS_338 asks a year)", () => {
    expect(messages(check(buildFixture({ protected: true, logGroup: { retentionInDays: 30 } })))).toEqual([
      [
        "BANDUP-LAMBDA-1",
        "error",
        "log group `/aws/lambda/bandup-writing-evaluator-test` of function `bandup-writing-evaluator-test` keeps logs 30 days; protected environments keep them at least 365 days",
      ],
    ]);
  });

  test("Compliance: 30 days elsewhere; log group named by a reference to the function", () => {
    const fixture = buildFixture({ logGroup: null });
    new (require("@cdktf/provider-aws/lib/cloudwatch-log-group").CloudwatchLogGroup)(fixture.stack, "logs", {
      name: `/aws/lambda/${fixture.fn.functionName}`,
      retentionInDays: 30,
    });
    expect(ruleIds(check(fixture))).toEqual([]);
  });
});

describe("BANDUP-LAMBDA-2 supported runtime", () => {
  test("Compliance: nodejs24.x", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: nodejs16.x is deprecated", () => {
    expect(messages(check(buildFixture({ fn: { runtime: "nodejs16.x" } })))).toEqual([
      ["BANDUP-LAMBDA-2", "error", "function `bandup-writing-evaluator-test` uses runtime `nodejs16.x`, deprecated by AWS on 2024-06-12"],
    ]);
  });

  test("Noncompliance: nodejs20.x was deprecated on 2026-04-30", () => {
    expect(ruleIds(check(buildFixture({ fn: { runtime: "nodejs20.x" } })))).toEqual(["BANDUP-LAMBDA-2"]);
  });

  test("a runtime deprecated within 180 days is a warning", () => {
    expect(messages(check(buildFixture({ fn: { runtime: "nodejs22.x" } })))).toEqual([
      ["BANDUP-LAMBDA-2", "warning", "function `bandup-writing-evaluator-test` uses runtime `nodejs22.x`, which AWS deprecates on 2027-04-30 (in 156 days)"],
    ]);
  });
});

describe("BANDUP-LAMBDA-3 DYNAMODB_* variables name tables of the stack", () => {
  test("Compliance: a reference to the table's name, or its literal name", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
    expect(ruleIds(check(buildFixture({ fn: { environment: { variables: { DYNAMODB_EVALUATIONS: "bandup-evaluations-test" } } } })))).toEqual([]);
  });

  test("Noncompliance: the name of another environment's table", () => {
    const fixture = buildFixture({
      fn: { environment: { variables: { DYNAMODB_EVALUATIONS: "bandup-evaluations" } } },
      guardrails: { functionTableAccess: [{ function: /evaluator/, tables: ["bandup-evaluations-test"] }] },
    });
    expect(messages(check(fixture))).toEqual([
      [
        "BANDUP-LAMBDA-3",
        "error",
        "function `bandup-writing-evaluator-test` has DYNAMODB_EVALUATIONS = `bandup-evaluations`, which is not the name of a DynamoDB table in stack test",
      ],
    ]);
  });

  test("Noncompliance: the variable names the wrong table of the stack", () => {
    const fixture = buildFixture({ guardrails: { tableVariables: { DYNAMODB_EVALUATIONS: "bandup-evaluations-test" } } });
    fixture.fn.addOverride("environment.variables.DYNAMODB_EVALUATIONS", fixture.flashcards.name);
    const report = check(fixture);
    expect(report.errors.filter((f) => f.ruleId === "BANDUP-LAMBDA-3").map((f) => f.message)).toEqual([
      "function `bandup-writing-evaluator-test` has DYNAMODB_EVALUATIONS pointing at table `bandup-flashcard-sets-test`; it must name `bandup-evaluations-test`",
    ]);
  });
});

describe("BANDUP-LAMBDA-4 reserved concurrency", () => {
  test("Compliance: reserved concurrency set", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: not set", () => {
    expect(messages(check(buildFixture({ fn: { reservedConcurrentExecutions: undefined } })))).toEqual([
      [
        "BANDUP-LAMBDA-4",
        "error",
        "function `bandup-writing-evaluator-test` has reserved_concurrent_executions = nothing (not set); one function can use the whole account's concurrency",
      ],
    ]);
  });
});

describe("BANDUP-LAMBDA-5 dead-letter target or on-failure destination", () => {
  test("Compliance: an event invoke config with an on-failure destination", () => {
    const fixture = buildFixture({ fn: { deadLetterConfig: undefined } });
    new LambdaFunctionEventInvokeConfig(fixture.stack, "invoke", {
      functionName: fixture.fn.functionName,
      destinationConfig: { onFailure: { destination: DLQ_ARN } },
    });
    expect(ruleIds(check(fixture))).toEqual([]);
  });

  test("Noncompliance: neither", () => {
    expect(messages(check(buildFixture({ fn: { deadLetterConfig: undefined } })))).toEqual([
      [
        "BANDUP-LAMBDA-5",
        "error",
        "function `bandup-writing-evaluator-test` has no dead_letter_config and no event invoke config with an on_failure destination; failed asynchronous events are dropped",
      ],
    ]);
  });
});
