import { GuardrailRule } from "../types";
import { blocks } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

/** BANDUP-DDB-5: attribute definitions are exactly the key attributes of the table and its indexes. */
export const DDB_KEY_SCHEMA: GuardrailRule = {
  id: "BANDUP-DDB-5",
  family: "DynamoDB",
  title: "DynamoDB attribute definitions match the key attributes of the table and its indexes",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Define each attribute used by hash_key, range_key or an index key exactly once, and no other attribute (attributeDefinitions() in lambda-src/contract/table-definitions.ts does this).",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const config = table.config;
      const defined = blocks(config.attribute).map((a) => a?.name).filter((n): n is string => typeof n === "string");
      const used = new Map<string, string>(); // attribute → where it is used
      const use = (name: unknown, where: string) => {
        if (typeof name === "string" && name !== "" && !used.has(name)) used.set(name, where);
      };
      use(config.hash_key, "hash_key");
      use(config.range_key, "range_key");
      for (const index of blocks(config.global_secondary_index)) {
        use(index?.hash_key, `hash_key of index \`${index?.name}\``);
        use(index?.range_key, `range_key of index \`${index?.name}\``);
      }
      for (const index of blocks(config.local_secondary_index)) use(index?.range_key, `range_key of index \`${index?.name}\``);

      const problems: string[] = [];
      for (const [name, where] of used) {
        if (!defined.includes(name)) problems.push(`\`${name}\` (${where}) has no attribute definition`);
      }
      for (const name of defined) {
        if (!used.has(name)) problems.push(`attribute \`${name}\` is defined but no key or index uses it (DynamoDB rejects it)`);
      }
      const duplicates = defined.filter((name, i) => defined.indexOf(name) !== i);
      for (const name of new Set(duplicates)) problems.push(`attribute \`${name}\` is defined more than once`);
      return problems.length === 0 ? [] : [findingAt(table, `${tableLabel(table)}: ${problems.join("; ")}`)];
    }),
};
