import { DYNAMODB_QUERY } from "../action-classification";
import { actionMatches, allPolicyDocuments, describeStatement } from "../iam-policies";
import { isIndexArn, isIndexWildcard, isTableArn } from "../table-references";
import { blocks } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt, tableLabel } from "./helpers";

/** BANDUP-IAM-5: a Query grant on a table with indexes also grants `<table ARN>/index/*`. */
export const IAM_QUERY_INDEX: GuardrailRule = {
  id: "BANDUP-IAM-5",
  family: "IAM",
  title: "A Query grant on a table with indexes includes `<table ARN>/index/*`",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Add `${table.arn}/index/*` to the statement's resources (as aws-cdk-lib's grantReadData does); without it, Query on the history index is denied at run time.",
  appliesTo: ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_role"],
  check: ({ stack }) => {
    const findings: Finding[] = [];
    const indexed = stack.resources("aws_dynamodb_table").filter(
      (t) => blocks(t.config.global_secondary_index).length + blocks(t.config.local_secondary_index).length > 0,
    );
    if (indexed.length === 0) return findings;
    for (const document of allPolicyDocuments(stack)) {
      const queries = document.statements.filter(
        (s) => s.effect === "Allow" && s.actions.some((a) => actionMatches(a, DYNAMODB_QUERY)),
      );
      const granted = queries.flatMap((s) => s.resources);
      for (const table of indexed) {
        const statement = queries.find((s) => s.resources.some((r) => isTableArn(table, r)));
        if (!statement) continue;
        const indexes = [...blocks(table.config.global_secondary_index), ...blocks(table.config.local_secondary_index)]
          .map((i) => i?.name)
          .filter((n): n is string => typeof n === "string");
        const covered =
          granted.some((r) => isIndexWildcard(table, r)) || indexes.every((index) => granted.some((r) => isIndexArn(table, r, index)));
        if (covered) continue;
        findings.push(
          findingAt(
            document.source,
            `${describeStatement(document, statement)} of ${document.source.address} allows dynamodb:Query on ${tableLabel(table)} but not on its indexes (${indexes.map((i) => `\`${i}\``).join(", ")}): \`\${${table.address}.arn}/index/*\` is missing`,
            { relatedPaths: [document.owner.path] },
          ),
        );
      }
    }
    return findings;
  },
};
