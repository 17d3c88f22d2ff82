import { isUnscopable, TABLE_WIDE_MANAGED_POLICIES } from "../action-classification";
import { actionMatches, describeStatement, functionRole, rolePolicies } from "../iam-policies";
import { tableOfValue, tablesOfResource } from "../table-references";
import { block, StackModel, TfBlock } from "../terraform-json";
import { Finding, GuardrailRule, ResolvedGuardrailOptions } from "../types";
import { findingAt, functionLabel, tableLabel } from "./helpers";

/** The tables a function may access: by the explicit map, else the tables its `DYNAMODB_*` variables name. */
export function allowedTables(stack: StackModel, fn: TfBlock, options: ResolvedGuardrailOptions): { tables: TfBlock[]; basis: string } {
  const name = typeof fn.config.function_name === "string" ? fn.config.function_name : "";
  const entry = options.functionTableAccess.find((e) => e.function.test(name) || e.function.test(fn.path));
  if (entry) {
    return {
      tables: stack.resources("aws_dynamodb_table").filter((t) => entry.tables.includes(t.config.name)),
      basis: `the guardrails' functionTableAccess (${entry.function})`,
    };
  }
  const variables: Record<string, unknown> = block(fn.config.environment)?.variables ?? {};
  const tables = Object.entries(variables)
    .filter(([key]) => key.startsWith("DYNAMODB_"))
    .map(([, value]) => tableOfValue(stack, value))
    .filter((t): t is TfBlock => t !== undefined);
  return { tables, basis: "its DYNAMODB_* environment variables" };
}

function grantsDynamodb(actions: readonly string[], notActions: readonly string[]): boolean {
  if (notActions.length > 0) return !notActions.some((a) => actionMatches(a, "dynamodb:GetItem"));
  // Account-level actions (dynamodb:ListTables) reach no table's data.
  return actions.some((a) => (a === "*" || a.toLowerCase().startsWith("dynamodb:")) && !isUnscopable(a));
}

/** BANDUP-IAM-4: a function's role reaches only the function's own table(s). */
export const IAM_FUNCTION_TABLE_ACCESS: GuardrailRule = {
  id: "BANDUP-IAM-4",
  family: "IAM",
  title: "A function's role grants no access to another function's table",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Grant each function only its own table (evaluators: the evaluations table; flashcard generator: the flashcard-sets table); give each function its own role and policy.",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack, options }) => {
    const findings: Finding[] = [];
    for (const fn of stack.resources("aws_lambda_function")) {
      const role = functionRole(stack, fn);
      if (!role) continue;
      const allowed = allowedTables(stack, fn, options);
      const allowedText = allowed.tables.length > 0 ? `it may only access ${allowed.tables.map(tableLabel).join(", ")}` : "it may access no table";
      for (const document of rolePolicies(stack, role)) {
        const related = [document.owner.path, role.path, fn.path];
        if (document.managedPolicyArn !== undefined) {
          if (TABLE_WIDE_MANAGED_POLICIES.test(document.managedPolicyArn)) {
            findings.push(findingAt(document.owner, `${functionLabel(fn)} gets DynamoDB access to every table through the managed policy \`${document.managedPolicyArn}\`; ${allowedText} (per ${allowed.basis})`, { relatedPaths: related }));
          }
          continue;
        }
        for (const statement of document.statements) {
          if (statement.effect !== "Allow" || !grantsDynamodb(statement.actions, statement.notActions)) continue;
          const resources = statement.notResources.length > 0 ? ["*"] : statement.resources;
          const foreign = new Map<string, TfBlock>();
          for (const resource of resources) {
            for (const table of tablesOfResource(stack, resource).tables) {
              if (!allowed.tables.includes(table)) foreign.set(table.address, table);
            }
          }
          if (foreign.size === 0) continue;
          findings.push(
            findingAt(
              document.source,
              `${functionLabel(fn)} may access ${[...foreign.values()].map(tableLabel).join(", ")} through ${describeStatement(document, statement)} of ${document.source.address} (role ${role.address}); ${allowedText} (per ${allowed.basis})`,
              { relatedPaths: related },
            ),
          );
        }
      }
    }
    return findings;
  },
};
