import { allPolicyDocuments, POLICY_DOCUMENT_TYPES } from "../iam-policies";
import { GuardrailRule } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-IAM-6: every policy can be read at synth, so the other IAM rules can check it. */
export const IAM_READABLE_POLICIES: GuardrailRule = {
  id: "BANDUP-IAM-6",
  family: "IAM",
  title: "IAM policies can be read at synth (aws_iam_policy_document, JSON or Fn.jsonencode)",
  severity: "warning",
  checkov: "—",
  trivy: "—",
  fix: "Build the policy with DataAwsIamPolicyDocument, JSON.stringify or Fn.jsonencode in this stack, so guardrails can check it.",
  appliesTo: POLICY_DOCUMENT_TYPES,
  check: ({ stack }) =>
    allPolicyDocuments(stack)
      .filter((d) => d.unreadable !== undefined)
      .map((d) => findingAt(d.owner, `the policy of ${d.owner.address} cannot be checked: ${d.unreadable}`)),
};
