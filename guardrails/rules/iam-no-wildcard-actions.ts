import { allPolicyDocuments, describeStatement, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { GuardrailRule, Finding } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-1: no `*` or `service:*` action, no Allow with NotAction. */
export const IAM_NO_WILDCARD_ACTIONS: GuardrailRule = {
  id: "BANDUP-IAM-1",
  family: "IAM",
  title: "IAM policies allow no `*` or `service:*` action",
  severity: "error",
  checkov: "CKV_AWS_49 (policy documents), CKV_AWS_63 (inline and managed policies)",
  trivy: "AVD-AWS-0057",
  fix: "List the exact actions the function calls (e.g. dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query) instead of a wildcard.",
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const document of allPolicyDocuments(stack)) {
      for (const statement of document.statements) {
        if (statement.effect !== "Allow") continue;
        const wildcards = statement.actions.filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a));
        const where = `${describeStatement(document, statement)} of ${document.source.address}`;
        if (wildcards.length > 0) {
          findings.push(findingAt(document.source, `${where} allows ${wildcards.map((a) => `\`${a}\``).join(", ")}`, { relatedPaths: [document.owner.path] }));
        }
        if (statement.notActions.length > 0) {
          findings.push(findingAt(document.source, `${where} allows every action except ${statement.notActions.map((a) => `\`${a}\``).join(", ")} (Allow with NotAction)`, { relatedPaths: [document.owner.path] }));
        }
      }
    }
    return findings;
  },
};
