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
 * BANDUP-IAM-9: a role GitHub Actions assumes trusts one audience and one exact subject: any
 * repository's (or any branch's, any environment's) token must not reach it.
 */
export const IAM_GITHUB_OIDC_TRUST: GuardrailRule = {
  id: "BANDUP-IAM-9",
  family: "IAM",
  title: "Roles trusting GitHub's OIDC provider require aud = sts.amazonaws.com and an exact sub (StringEquals)",
  severity: "error",
  checkov: "CKV_AWS_358 (policy documents), CKV_AWS_393 (roles)",
  trivy: "—",
  fix: "Give the trust statement `StringEquals` on `token.actions.githubusercontent.com:aud` = `sts.amazonaws.com` and on `token.actions.githubusercontent.com:sub` = the exact subject (`repo:<owner>/<repo>:environment:<env>`), as GithubActionsRole does.",
  appliesTo: ["aws_iam_role"],
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const role of stack.resources("aws_iam_role")) {
      const trust = readPolicy(stack, role, role.config.assume_role_policy);
      for (const statement of trust.statements) {
        if (statement.effect !== "Allow") continue;
        if (!statement.principals.some((p) => p.type === "Federated" && p.identifiers.some((id) => isGithubProvider(stack, id)))) continue;
        const equals = (claim: string) => statement.conditions.filter((c) => c.test === "StringEquals" && c.variable === `${HOST}:${claim}`).flatMap((c) => c.values);
        const audiences = equals("aud");
        const subjects = equals("sub");
        const problems: string[] = [];
        if (audiences.length === 0 || audiences.some((a) => a !== "sts.amazonaws.com")) problems.push(`\`${HOST}:aud\` must be StringEquals \`sts.amazonaws.com\` (got ${audiences.length === 0 ? "none" : audiences.map((a) => `\`${a}\``).join(", ")})`);
        if (subjects.length === 0) problems.push(`\`${HOST}:sub\` has no StringEquals condition`);
        const loose = subjects.filter((s) => !s.startsWith("repo:") || /[*?]/.test(s));
        if (loose.length > 0) problems.push(`\`${HOST}:sub\` must be exact subjects starting with \`repo:\` (got ${loose.map((s) => `\`${s}\``).join(", ")})`);
        const likes = statement.conditions.filter((c) => c.variable.startsWith(`${HOST}:`) && c.test !== "StringEquals");
        if (likes.length > 0) problems.push(`${likes.map((c) => `\`${c.test}\` on \`${c.variable}\``).join(", ")} lets other tokens match`);
        if (problems.length > 0) findings.push(findingAt(trust.source, `the trust policy of role ${role.address} admits GitHub tokens loosely: ${problems.join("; ")}`, { relatedPaths: [role.path] }));
      }
    }
    return findings;
  },
};
