import { isPullRequestSubjectPattern } from "../../stacks/github-oidc-subjects";
import { readPolicy } from "../iam-policies";
import { referencesIn, StackModel } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt } from "./helpers";

const HOST = "token.actions.githubusercontent.com";

/** True when a principal identifier is GitHub's OIDC provider: its literal ARN, or a reference to a provider of that URL. */
function isGithubProvider(stack: StackModel, identifier: string): boolean {
  if (identifier.endsWith(`:oidc-provider/${HOST}`)) return true;
  return referencesIn(identifier).some((r) => {
    const target = stack.get(r.address);
    return target?.type === "aws_iam_openid_connect_provider" && typeof target.config.url === "string" && target.config.url.includes(HOST);
  });
}

/**
 * BANDUP-IAM-9: a role GitHub Actions assumes trusts one audience and exact subjects: any repository's
 * (or any branch's, any environment's, any workflow's) token must not reach it. The one wildcard
 * allowed is a pull request's number, in a `StringLike` subject of the form
 * `repo:<r>:pull_request:job_workflow_ref:<r>/.github/workflows/<file>@refs/pull/*\/merge`
 * (stacks/github-oidc-subjects.ts): every pull request's run of that one workflow.
 */
export const IAM_GITHUB_OIDC_TRUST: GuardrailRule = {
  id: "BANDUP-IAM-9",
  family: "IAM",
  title: "Roles trusting GitHub's OIDC provider require aud = sts.amazonaws.com and an exact sub (StringEquals; StringLike only on a pull request's number)",
  severity: "error",
  checkov: "CKV_AWS_358 (policy documents), CKV_AWS_393 (roles)",
  trivy: "—",
  fix: "Give the trust statement `StringEquals` on `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com` and on `token.actions.githubusercontent.com:sub` = the exact subjects (stacks/github-oidc-subjects.ts), or `StringLike` only with pull request subjects whose one `*` is the pull request's number, as GithubActionsRole does.",
  appliesTo: ["aws_iam_role"],
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const role of stack.resources("aws_iam_role")) {
      const trust = readPolicy(stack, role, role.config.assume_role_policy);
      for (const statement of trust.statements) {
        if (statement.effect !== "Allow") continue;
        if (!statement.principals.some((p) => p.type === "Federated" && p.identifiers.some((id) => isGithubProvider(stack, id)))) continue;
        const valuesOf = (test: string, claim: string) => statement.conditions.filter((c) => c.test === test && c.variable === `${HOST}:${claim}`).flatMap((c) => c.values);
        const audiences = valuesOf("StringEquals", "aud");
        const subjects = valuesOf("StringEquals", "sub");
        const pullRequestPatterns = valuesOf("StringLike", "sub");
        const problems: string[] = [];
        if (audiences.length === 0 || audiences.some((a) => a !== "sts.amazonaws.com")) problems.push(`\`${HOST}:aud\` must be StringEquals \`sts.amazonaws.com\` (got ${audiences.length === 0 ? "none" : audiences.map((a) => `\`${a}\``).join(", ")})`);
        if (subjects.length === 0 && pullRequestPatterns.length === 0) problems.push(`\`${HOST}:sub\` has no StringEquals condition`);
        const loose = subjects.filter((s) => !s.startsWith("repo:") || /[*?]/.test(s));
        if (loose.length > 0) problems.push(`\`${HOST}:sub\` must be exact subjects starting with \`repo:\` (got ${loose.map((s) => `\`${s}\``).join(", ")})`);
        // A Terraform variable in the repository is checked by the variable's own validation.
        const loosePatterns = pullRequestPatterns.filter((p) => !isPullRequestSubjectPattern(p.replace(/\$\{[^}]*\}/g, "owner/repository")));
        if (loosePatterns.length > 0) {
          problems.push(`\`StringLike\` on \`${HOST}:sub\` lets other tokens match: only a pull request's number may be a wildcard (got ${loosePatterns.map((s) => `\`${s}\``).join(", ")})`);
        }
        if (subjects.length > 0 && pullRequestPatterns.length > 0) problems.push(`\`${HOST}:sub\` has both StringEquals and StringLike conditions, which must both hold: put them in separate statements`);
        const others = statement.conditions.filter(
          (c) => c.variable.startsWith(`${HOST}:`) && !(c.test === "StringEquals" && (c.variable === `${HOST}:aud` || c.variable === `${HOST}:sub`)) && !(c.test === "StringLike" && c.variable === `${HOST}:sub`),
        );
        if (others.length > 0) problems.push(`${others.map((c) => `\`${c.test}\` on \`${c.variable}\``).join(", ")} lets other tokens match`);
        if (problems.length > 0) findings.push(findingAt(trust.source, `the trust policy of role ${role.address} admits GitHub tokens loosely: ${problems.join("; ")}`, { relatedPaths: [role.path] }));
      }
    }
    return findings;
  },
};
