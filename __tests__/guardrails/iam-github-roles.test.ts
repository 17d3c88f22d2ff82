/**
 * The IAM rules for roles that deploy (exact iam: actions, PassRole only towards a named service) and
 * for roles GitHub Actions assumes (exact audience and subject), on a GithubActionsRole compliant as
 * built, each test breaking one thing.
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { GithubActionsRole } from "../../constructs/github-actions-role";
import { GithubOidcProvider } from "../../constructs/github-oidc-provider";
import { GrantStatement } from "../../constructs/iam-grants";
import { applyGuardrails, checkStack, StackReport } from "../../guardrails";
import { TrustedSubjects } from "../../stacks/github-oidc-subjects";
import { NOW, ruleIds } from "./fixtures";

const PASS_ROLE: GrantStatement = {
  sid: "PassFunctionRoles",
  actions: ["iam:PassRole"],
  resources: ["arn:aws:iam::123456789012:role/bandup-writing-evaluator-dev"],
  conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["lambda.amazonaws.com"] }],
};

interface Built {
  readonly stack: TerraformStack;
  readonly provider: GithubOidcProvider;
}

const DEPLOY_SUBJECT = "repo:my-org/bandup-infra:environment:dev:job_workflow_ref:my-org/bandup-infra/.github/workflows/deploy-stage.yml@refs/heads/main";
const PR_SUBJECT = "repo:my-org/bandup-infra:pull_request:job_workflow_ref:my-org/bandup-infra/.github/workflows/pr.yml@refs/pull/*/merge";

function roleStack(statements: GrantStatement[] = [PASS_ROLE], subjects: TrustedSubjects = { exact: [DEPLOY_SUBJECT], patterns: [] }): Built {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const provider = new GithubOidcProvider(stack, "github");
  new GithubActionsRole(stack, "deploy", { roleName: "bandup-deploy-dev", description: "deploys dev", oidcProviderArn: provider.arn, subjects, statements });
  applyGuardrails(stack, { protected: true, now: NOW, warnings: "none" });
  return { stack, provider };
}

const check = (built: Built): StackReport => checkStack(built.stack);
const messages = (report: StackReport) => [...report.errors, ...report.warnings].map((f) => [f.ruleId, f.message]);

test("Compliance: a GithubActionsRole with an exact subject and a PassRole towards Lambda", () => {
  const report = check(roleStack());
  expect(ruleIds(report)).toEqual([]);
  expect(report.rules.filter((r) => ["BANDUP-IAM-7", "BANDUP-IAM-8", "BANDUP-IAM-9"].includes(r.ruleId)).map((r) => r.status)).toEqual(["pass", "pass", "pass"]);
});

test("Compliance: exact subjects and a pull request subject whose only wildcard is the pull request's number (two statements)", () => {
  const report = check(roleStack([PASS_ROLE], { exact: [DEPLOY_SUBJECT], patterns: [PR_SUBJECT] }));
  expect(ruleIds(report)).toEqual([]);
});

describe("BANDUP-IAM-1 catches iam:* in a deploy role", () => {
  test("Noncompliance: `iam:*`", () => {
    const report = check(roleStack([{ sid: "All", actions: ["iam:*"], resources: ["arn:aws:iam::123456789012:role/x"] }]));
    // One finding: BANDUP-IAM-7 and BANDUP-IAM-8 leave `iam:*` to BANDUP-IAM-1.
    expect(messages(report)).toEqual([["BANDUP-IAM-1", "statement `All` of data.aws_iam_policy_document.deploy_policy_C16DC4E1 allows `iam:*`"]]);
  });
});

describe("BANDUP-IAM-7 exact iam: actions", () => {
  test("Noncompliance: `iam:Put*`", () => {
    const report = check(roleStack([{ sid: "Policies", actions: ["iam:Put*", "iam:GetRole"], resources: ["arn:aws:iam::123456789012:role/x"] }]));
    expect(messages(report)).toEqual([["BANDUP-IAM-7", "statement `Policies` of data.aws_iam_policy_document.deploy_policy_C16DC4E1 allows `iam:Put*`"]]);
  });
});

describe("BANDUP-IAM-8 PassRole only with iam:PassedToService", () => {
  test("Noncompliance: PassRole without a condition", () => {
    const report = check(roleStack([{ ...PASS_ROLE, conditions: undefined }]));
    expect(messages(report)).toEqual([
      ["BANDUP-IAM-8", "statement `PassFunctionRoles` of data.aws_iam_policy_document.deploy_policy_C16DC4E1 allows iam:PassRole without an `iam:PassedToService` condition"],
    ]);
  });

  test("Noncompliance: PassRole to any service (`*`)", () => {
    const report = check(roleStack([{ ...PASS_ROLE, conditions: [{ test: "StringLike", variable: "iam:PassedToService", values: ["*"] }] }]));
    expect(ruleIds(report)).toEqual(["BANDUP-IAM-8"]);
  });

  test("Noncompliance: `iam:Pass*` without a condition (both wildcard and unconditioned)", () => {
    const report = check(roleStack([{ ...PASS_ROLE, actions: ["iam:Pass*"], conditions: undefined }]));
    expect(ruleIds(report)).toEqual(["BANDUP-IAM-7", "BANDUP-IAM-8"]);
  });

  test("Noncompliance: a condition on something else", () => {
    const report = check(roleStack([{ ...PASS_ROLE, conditions: [{ test: "StringEquals", variable: "aws:RequestedRegion", values: ["us-east-1"] }] }]));
    expect(ruleIds(report)).toEqual(["BANDUP-IAM-8"]);
  });
});

describe("BANDUP-IAM-9 exact GitHub OIDC trust", () => {
  function trustRole(condition: Record<string, Record<string, string | string[]>>, federated?: string): Built {
    const built = roleStack();
    new IamRole(built.stack, "loose", {
      name: "loose",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: federated ?? built.provider.arn }, Condition: condition }],
      }),
    });
    return built;
  }

  test("Compliance: a JSON trust policy with exact claims, the provider by literal ARN", () => {
    const report = check(
      trustRole(
        { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": "repo:my-org/bandup-infra:pull_request" } },
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      ),
    );
    expect(ruleIds(report)).toEqual([]);
  });

  test("Noncompliance: a StringLike wildcard on the subject (any branch of any repository of the owner)", () => {
    const report = check(
      trustRole({
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:my-org/*" },
      }),
    );
    expect(messages(report)).toEqual([
      [
        "BANDUP-IAM-9",
        "the trust policy of role aws_iam_role.loose admits GitHub tokens loosely: `StringLike` on `token.actions.githubusercontent.com:sub` lets other tokens match: only a pull request's number may be a wildcard (got `repo:my-org/*`)",
      ],
    ]);
  });

  test("Noncompliance: no audience", () => {
    const report = check(trustRole({ StringEquals: { "token.actions.githubusercontent.com:sub": "repo:my-org/bandup-infra:pull_request" } }));
    expect(messages(report)).toEqual([
      ["BANDUP-IAM-9", "the trust policy of role aws_iam_role.loose admits GitHub tokens loosely: `token.actions.githubusercontent.com:aud` must be StringEquals `sts.amazonaws.com` (got none)"],
    ]);
  });

  test("Noncompliance: a StringLike pull request subject with a wildcard elsewhere than the pull request's number (any workflow file)", () => {
    const loose = "repo:my-org/bandup-infra:pull_request:job_workflow_ref:my-org/bandup-infra/.github/workflows/*@refs/pull/*/merge";
    const report = check(
      trustRole({ StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": loose } }),
    );
    expect(messages(report)).toEqual([
      [
        "BANDUP-IAM-9",
        `the trust policy of role aws_iam_role.loose admits GitHub tokens loosely: \`StringLike\` on \`token.actions.githubusercontent.com:sub\` lets other tokens match: only a pull request's number may be a wildcard (got \`${loose}\`)`,
      ],
    ]);
  });

  test("Noncompliance: StringEquals and StringLike on the subject in one statement (both must hold: no token matches as meant)", () => {
    const report = check(
      trustRole({
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com", "token.actions.githubusercontent.com:sub": DEPLOY_SUBJECT },
        StringLike: { "token.actions.githubusercontent.com:sub": PR_SUBJECT },
      }),
    );
    expect(messages(report)).toEqual([
      [
        "BANDUP-IAM-9",
        "the trust policy of role aws_iam_role.loose admits GitHub tokens loosely: `token.actions.githubusercontent.com:sub` has both StringEquals and StringLike conditions, which must both hold: put them in separate statements",
      ],
    ]);
  });

  test("Noncompliance: GithubActionsRole refuses a wildcard subject at synth, and the rule names it", () => {
    const built = roleStack([PASS_ROLE], { exact: ["repo:my-org/*"], patterns: [] });
    expect(messages(check(built))).toEqual([
      [
        "BANDUP-IAM-9",
        "the trust policy of role aws_iam_role.deploy_role_528EF620 admits GitHub tokens loosely: `token.actions.githubusercontent.com:sub` must be exact subjects starting with `repo:` (got `repo:my-org/*`)",
      ],
    ]);
    expect(() => Testing.synth(built.stack, true)).toThrow("`subjects.exact[0]` must be an exact `sub` claim starting with `repo:`, with no wildcard; got `repo:my-org/*`");
  });
});
