import { GuardrailRule } from "../types";
import { findingAt, tableLabel } from "./helpers";

/** Tags every table must carry, from its own `tags` or the provider's `default_tags`. */
export const REQUIRED_TAGS = ["Project", "Environment"] as const;

/** BANDUP-DDB-6: tables carry the `Project` and `Environment` tags. */
export const DDB_TAGS: GuardrailRule = {
  id: "BANDUP-DDB-6",
  family: "DynamoDB",
  title: "DynamoDB tables are tagged Project and Environment (resource tags or provider default_tags)",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Set `Project` and `Environment` in the table's tags or in the AWS provider's defaultTags (BandupStack sets both from the environment).",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const tags = { ...stack.providerDefaultTags(table), ...(table.config.tags ?? {}) } as Record<string, unknown>;
      const missing = REQUIRED_TAGS.filter((tag) => typeof tags[tag] !== "string" || (tags[tag] as string).trim() === "");
      return missing.length === 0
        ? []
        : [findingAt(table, `${tableLabel(table)} has no ${missing.map((t) => `\`${t}\``).join(" or ")} tag (neither in tags nor in the provider's default_tags)`)];
    }),
};
