import { isUnscopable, isWriteAction } from "../action-classification";
import { allPolicyDocuments, describeStatement, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { GuardrailRule, Finding } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-2: actions that can be scoped to resources are not granted on `*`. */
export const IAM_NO_WILDCARD_RESOURCES: GuardrailRule = {
  id: "BANDUP-IAM-2",
  family: "IAM",
  title: "IAM policies grant no `*` resource for actions that can be scoped",
  severity: "error",
  checkov: "CKV_AWS_355",
  trivy: "AVD-AWS-0057",
  fix: "Name the resources (e.g. the table ARN and `<table ARN>/index/*`); if the action really has no resource-level permission, add it to UNSCOPABLE_ACTIONS in guardrails/iam-actions.ts.",
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const document of allPolicyDocuments(stack)) {
      for (const statement of document.statements) {
        if (statement.effect !== "Allow") continue;
        const everywhere = statement.resources.includes("*") || statement.notResources.length > 0;
        if (!everywhere) continue;
        // Writes on `*` are BANDUP-IAM-3's; here the reads and other scopable actions.
        const scopable = statement.actions.filter((a) => !isUnscopable(a) && !isWriteAction(a));
        if (scopable.length === 0) continue;
        const resource = statement.notResources.length > 0 ? "every resource but NotResource" : "`*`";
        findings.push(
          findingAt(
            document.source,
            `${describeStatement(document, statement)} of ${document.source.address} grants ${scopable.map((a) => `\`${a}\``).join(", ")} on ${resource}; these actions can be scoped to resources`,
            { relatedPaths: [document.owner.path] },
          ),
        );
      }
    }
    return findings;
  },
};
