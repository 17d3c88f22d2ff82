import { actionMatches, allPolicyDocuments, describeStatement, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { Finding, GuardrailRule } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-8: a role may be passed only to a named service: `iam:PassRole` with an `iam:PassedToService` condition. */
export const IAM_PASS_ROLE_CONDITION: GuardrailRule = {
  id: "BANDUP-IAM-8",
  family: "IAM",
  title: "`iam:PassRole` is allowed only with an `iam:PassedToService` condition",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: 'Add `{ test: "StringEquals", variable: "iam:PassedToService", values: ["lambda.amazonaws.com"] }` (the service the role is for) to the statement.',
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const document of allPolicyDocuments(stack)) {
      for (const statement of document.statements) {
        // `*` and `iam:*` are BANDUP-IAM-1's findings already.
        const passing = statement.actions.filter((a) => actionMatches(a, "iam:PassRole") && a !== "*" && a.toLowerCase() !== "iam:*");
        if (statement.effect !== "Allow" || passing.length === 0) continue;
        const service = statement.conditions.find((c) => c.variable.toLowerCase() === "iam:passedtoservice" && /^String(Equals|Like)$/.test(c.test));
        if (service !== undefined && service.values.length > 0 && !service.values.some((v) => v === "*")) continue;
        findings.push(
          findingAt(document.source, `${describeStatement(document, statement)} of ${document.source.address} allows iam:PassRole without an \`iam:PassedToService\` condition`, {
            relatedPaths: [document.owner.path],
          }),
        );
      }
    }
    return findings;
  },
};
