/**
 * BandUp's guardrail settings: which function may touch which table, the variables that name them,
 * and the recorded suppressions. BandupStack calls `applyBandupGuardrails(this, environment)` at the
 * end of its constructor.
 */
import { TerraformStack } from "cdktf";
import { FUNCTION_DEFINITIONS } from "../lambda-src/shared/function-definitions";
import { TABLE_DEFINITIONS } from "../lambda-src/shared/table-definitions";
import { functionTableName, type ResolvedEnvironment } from "../stacks/environments";
import { applyGuardrails } from "./apply";
import { applyBandupSuppressions } from "./bandup-suppressions";
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
  };
}

/** Applies the guardrails and BandUp's suppressions to an environment's stack. */
export function applyBandupGuardrails(stack: TerraformStack, environment: ResolvedEnvironment): void {
  applyGuardrails(stack, bandupGuardrailOptions(environment));
  applyBandupSuppressions(stack, {
    environmentName: environment.name,
    protected: environment.protected,
    tableKmsKeyArn: environment.tableKmsKeyArn,
    unprotectedOriginalTable: environment.restore?.original === "unprotect" ? environment.restore.sourceTableName : undefined,
    functionsWithoutReservedConcurrency: Object.values(environment.functions)
      .filter((f) => f.reservedConcurrency === undefined)
      .map((f) => f.functionName),
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
