import { isUnscopable, isWriteAction } from "../action-classification";
import { allPolicyDocuments, describeStatement, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { GuardrailRule, Finding } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-3: write actions on `*` only with a Condition. */
export const IAM_NO_UNCONSTRAINED_WRITES: GuardrailRule = {
  id: "BANDUP-IAM-3",
  family: "IAM",
  title: "IAM policies allow no write access on `*` without a condition",
  severity: "error",
  checkov: "CKV_AWS_290",
  trivy: "AVD-AWS-0057",
  fix: "Scope write actions to the resources they change (the function's own table ARN), or add a Condition that constrains them.",
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const document of allPolicyDocuments(stack)) {
      for (const statement of document.statements) {
        if (statement.effect !== "Allow" || statement.hasCondition) continue;
        const everywhere = statement.resources.includes("*") || statement.notResources.length > 0;
        if (!everywhere) continue;
        const writes = statement.actions.filter((a) => isWriteAction(a) && !isUnscopable(a));
        if (writes.length === 0) continue;
        findings.push(
          findingAt(
            document.source,
            `${describeStatement(document, statement)} of ${document.source.address} allows write actions ${writes.map((a) => `\`${a}\``).join(", ")} on \`*\` without a Condition`,
            { relatedPaths: [document.owner.path] },
          ),
        );
      }
    }
    return findings;
  },
};
