import { Fn } from "cdktf";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { buildFixture, check, ownTableStatements, ruleIds } from "./fixtures";

const messages = (report: ReturnType<typeof check>) => [...report.errors, ...report.warnings].map((f) => [f.ruleId, f.message]);

describe("BANDUP-IAM-1 no wildcard actions", () => {
  test("Compliance: exact actions", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: `dynamodb:*`", () => {
    const report = check(buildFixture({ statements: (t) => [{ sid: "All", actions: ["dynamodb:*"], resources: [t.arn, `${t.arn}/index/*`] }] }));
    expect(messages(report)).toEqual([["BANDUP-IAM-1", "statement `All` of data.aws_iam_policy_document.document allows `dynamodb:*`"]]);
    expect(report.errors[0].path).toBe("test/document");
  });

  test("Noncompliance: `*` in an inline JSON policy (JSON.stringify)", () => {
    const fixture = buildFixture();
    const policy = new IamPolicy(fixture.stack, "admin", {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: [fixture.evaluations.arn, `${fixture.evaluations.arn}/index/*`] }] }),
    });
    new IamRolePolicyAttachment(fixture.stack, "attach", { role: fixture.role.name, policyArn: policy.arn });
    expect(messages(check(fixture))).toEqual([["BANDUP-IAM-1", "statement #1 of aws_iam_policy.admin allows `*`"]]);
  });
});

describe("BANDUP-IAM-2 no `*` resource for scopable actions", () => {
  test("Compliance: `*` only for actions without resource-level permissions", () => {
    const report = check(buildFixture({ statements: (t) => [...ownTableStatements(t), { actions: ["xray:PutTraceSegments", "dynamodb:ListTables"], resources: ["*"] }] }));
    expect(ruleIds(report)).toEqual([]);
  });

  test("Noncompliance: a scopable read on `*`", () => {
    const report = check(buildFixture({ statements: (t) => [...ownTableStatements(t), { sid: "Lambda", actions: ["lambda:GetFunction"], resources: ["*"] }] }));
    expect(messages(report)).toEqual([
      ["BANDUP-IAM-2", "statement `Lambda` of data.aws_iam_policy_document.document grants `lambda:GetFunction` on `*`; these actions can be scoped to resources"],
    ]);
  });
});

describe("BANDUP-IAM-3 no write access without constraints", () => {
  test("Compliance: a write on `*` constrained by a condition", () => {
    const report = check(
      buildFixture({
        statements: (t) => [
          ...ownTableStatements(t),
          { actions: ["s3:PutObject"], resources: ["*"], condition: [{ test: "StringEquals", variable: "aws:ResourceTag/Project", values: ["bandup"] }] },
        ],
      }),
    );
    expect(ruleIds(report)).toEqual([]);
  });

  test("Noncompliance: a write on `*` (Fn.jsonencode policy)", () => {
    const fixture = buildFixture();
    const policy = new IamPolicy(fixture.stack, "uploads", {
      policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }] }),
    });
    new IamRolePolicyAttachment(fixture.stack, "attach", { role: fixture.role.name, policyArn: policy.arn });
    expect(messages(check(fixture))).toEqual([
      ["BANDUP-IAM-3", "statement #1 of aws_iam_policy.uploads allows write actions `s3:PutObject` on `*` without a Condition"],
    ]);
  });
});

describe("BANDUP-IAM-4 a function touches only its own table", () => {
  test("Compliance: the evaluator reaches the evaluations table only", () => {
    const report = check(buildFixture({ guardrails: { functionTableAccess: [{ function: /evaluator/, tables: ["bandup-evaluations-test"] }] } }));
    expect(ruleIds(report)).toEqual([]);
  });

  test("Noncompliance: the evaluator's policy reaches the flashcard-sets table (data source)", () => {
    const report = check(
      buildFixture({
        statements: (t, other) => [...ownTableStatements(t), { sid: "Flashcards", actions: ["dynamodb:GetItem"], resources: [other.arn] }],
      }),
    );
    expect(messages(report)).toEqual([
      [
        "BANDUP-IAM-4",
        "function `bandup-writing-evaluator-test` may access table `bandup-flashcard-sets-test` through statement `Flashcards` of data.aws_iam_policy_document.document (role aws_iam_role.role); it may only access table `bandup-evaluations-test` (per its DYNAMODB_* environment variables)",
      ],
    ]);
  });

  test("Noncompliance: through an inline role policy written with Fn.jsonencode and a literal table ARN", () => {
    const fixture = buildFixture({ guardrails: { functionTableAccess: [{ function: /evaluator/, tables: ["bandup-evaluations-test"] }] } });
    fixture.role.putInlinePolicy([
      {
        name: "extra",
        policy: Fn.jsonencode({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: ["arn:aws:dynamodb:us-east-1:123456789012:table/bandup-flashcard-sets-test"] }],
        }),
      },
    ]);
    expect(messages(check(fixture))).toEqual([
      [
        "BANDUP-IAM-4",
        "function `bandup-writing-evaluator-test` may access table `bandup-flashcard-sets-test` through statement #1 of aws_iam_role.role (role aws_iam_role.role); it may only access table `bandup-evaluations-test` (per the guardrails' functionTableAccess (/evaluator/))",
      ],
    ]);
  });
});

describe("BANDUP-IAM-5 Query on a table with indexes includes /index/*", () => {
  test("Compliance: table ARN and `<table ARN>/index/*`", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: Query on the table ARN only (as in the design's policy)", () => {
    const report = check(buildFixture({ statements: (t) => [{ sid: "Design", actions: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"], resources: [t.arn] }] }));
    expect(messages(report)).toEqual([
      [
        "BANDUP-IAM-5",
        "statement `Design` of data.aws_iam_policy_document.document allows dynamodb:Query on table `bandup-evaluations-test` but not on its indexes (`user_id-created_at-index`): `${aws_dynamodb_table.evaluations.arn}/index/*` is missing",
      ],
    ]);
  });
});

describe("BANDUP-IAM-6 policies are readable at synth", () => {
  test("Noncompliance: a policy from a variable is a warning", () => {
    const fixture = buildFixture();
    new IamPolicy(fixture.stack, "opaque", { policy: "${var.policy}" });
    const report = check(fixture);
    expect(report.errors).toEqual([]);
    expect(messages(report)).toEqual([
      ["BANDUP-IAM-6", "the policy of aws_iam_policy.opaque cannot be checked: the policy is neither JSON nor an aws_iam_policy_document reference: ${var.policy}"],
    ]);
  });
});
