import { GuardrailRule } from "../types";
import { block, isTrue, show } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

/** BANDUP-DDB-3: in protected environments, tables cannot be deleted by AWS API nor by Terraform. */
export const DDB_DELETION_PROTECTION: GuardrailRule = {
  id: "BANDUP-DDB-3",
  family: "DynamoDB",
  title: "DynamoDB tables in protected environments have deletion protection and prevent_destroy",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Mark the environment `protected: true` (BandupTable then sets deletion_protection_enabled and lifecycle.prevent_destroy), and remove any override that clears them.",
  appliesTo: ["aws_dynamodb_table"],
  protectedOnly: true,
  check: ({ stack, protected: isProtected }) =>
    !isProtected
      ? []
      : stack.resources("aws_dynamodb_table").flatMap((table) => {
          const missing: string[] = [];
          if (!isTrue(table.config.deletion_protection_enabled)) {
            missing.push(`deletion_protection_enabled = ${show(table.config.deletion_protection_enabled)}`);
          }
          const preventDestroy = block(table.config.lifecycle)?.prevent_destroy;
          if (!isTrue(preventDestroy)) missing.push(`lifecycle.prevent_destroy = ${show(preventDestroy)}`);
          return missing.length === 0
            ? []
            : [findingAt(table, `${tableLabel(table)} is in a protected environment but has ${missing.join(" and ")}; both must be true`)];
        }),
};
