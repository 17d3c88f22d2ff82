/**
 * BandUp's guardrail settings: which function may touch which table, the variables that name them,
 * and the recorded suppressions (bandup-suppressions.ts). BandupStack calls
 * `applyBandupGuardrails(this, environment)` at the end of its constructor.
 */
import { TerraformStack } from "cdktf";
import { FUNCTION_DEFINITIONS } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS } from "../lambda-src/contract/table-definitions";
import { functionTableName, type ResolvedEnvironment } from "../stacks/environments";
import { applyGuardrails } from "./apply";
import { applyBandupSuppressions, SuppressibleResources } from "./bandup-suppressions";
import { GuardrailOptions } from "./types";

/** The guardrail options of an environment's stack. */
export function bandupGuardrailOptions(environment: ResolvedEnvironment): GuardrailOptions {
  return {
    protected: environment.protected,
    // Each function may only touch its own table: the evaluators the evaluations table, the
    // flashcard generator the flashcard-sets table (function-definitions.ts); during a restore,
    // the one of the two (original or restored) that the functions were switched to.
    functionTableAccess: FUNCTION_DEFINITIONS.map((definition) => ({
      function: new RegExp(`^${escapeRegExp(environment.functions[definition.kind].functionName)}$`),
      tables: [functionTableName(environment, definition.table)],
    })),
    tableVariables: Object.fromEntries(TABLE_DEFINITIONS.map((d) => [d.environmentVariable, functionTableName(environment, d.kind)])),
    // The synth's summary reports warnings, one line per rule (scripts/lib/synth-app.ts), and
    // `npm run guardrails` every one of them: not one line each on every synth.
    warnings: "none",
  };
}

/**
 * Applies the guardrails to an environment's stack, and BandUp's suppressions (bandup-suppressions.ts)
 * to its DynamoDB tables and Lambda functions.
 */
export function applyBandupGuardrails(stack: TerraformStack & SuppressibleResources, environment: ResolvedEnvironment): void {
  applyGuardrails(stack, bandupGuardrailOptions(environment));
  applyBandupSuppressions(environment, stack);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
