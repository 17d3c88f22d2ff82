import { allPolicyDocuments, describeStatement, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { Finding, GuardrailRule } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-7: IAM's own actions are granted by their exact names: `iam:Put*` or `iam:*Role*` grant more than anyone reads. */
export const IAM_EXACT_IAM_ACTIONS: GuardrailRule = {
  id: "BANDUP-IAM-7",
  family: "IAM",
  title: "IAM policies grant `iam:` actions by exact name, with no wildcard",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "List the iam: actions one by one (for a Terraform deploy role, from stacks/terraform-actions.ts).",
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const document of allPolicyDocuments(stack)) {
      for (const statement of document.statements) {
        if (statement.effect !== "Allow") continue;
        // `iam:*` is BANDUP-IAM-1's finding already.
        const wildcards = statement.actions.filter((a) => /^iam:/i.test(a) && /[*?]/.test(a) && a.toLowerCase() !== "iam:*");
        if (wildcards.length > 0) {
          findings.push(
            findingAt(document.source, `${describeStatement(document, statement)} of ${document.source.address} allows ${wildcards.map((a) => `\`${a}\``).join(", ")}`, {
              relatedPaths: [document.owner.path],
            }),
          );
        }
      }
    }
    return findings;
  },
};
