import { tableOfValue } from "../table-references";
import { block, show } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt, functionLabel, tableLabel } from "./helpers";

/** BANDUP-LAMBDA-3: `DYNAMODB_*` environment variables name tables of the same stack. */
export const LAMBDA_TABLE_VARIABLES: GuardrailRule = {
  id: "BANDUP-LAMBDA-3",
  family: "Lambda",
  title: "DYNAMODB_* environment variables name tables of the same stack",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Set the variable to the table's name from the stack (`table.tableName` of the BandupTable), not a literal of another environment.",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack, options }) => {
    const findings: Finding[] = [];
    for (const fn of stack.resources("aws_lambda_function")) {
      const variables: Record<string, unknown> = block(fn.config.environment)?.variables ?? {};
      for (const [key, value] of Object.entries(variables)) {
        if (!key.startsWith("DYNAMODB_")) continue;
        const table = tableOfValue(stack, value);
        if (!table) {
          findings.push(findingAt(fn, `${functionLabel(fn)} has ${key} = ${show(value)}, which is not the name of a DynamoDB table in stack ${stack.stackName}`));
          continue;
        }
        const expected = options.tableVariables[key];
        if (expected !== undefined && table.config.name !== expected) {
          findings.push(findingAt(fn, `${functionLabel(fn)} has ${key} pointing at ${tableLabel(table)}; it must name \`${expected}\``));
        }
      }
    }
    return findings;
  },
};
