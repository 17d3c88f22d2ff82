/**
 * Table names come from the environment the cdktf stack sets on each function
 * (`DYNAMODB_EVALUATIONS`, `DYNAMODB_FLASHCARD_SETS`, named in table-definitions.ts). A missing one
 * is a deployment mistake: fail at cold start, naming the variable, rather than on the first write.
 */
import { ConfigurationError } from "./errors";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE, type TableDefinition } from "../contract/table-definitions";

/** The environment shape read here (process.env by default; tests pass their own). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads the table name of `definition` from its environment variable, or throws `ConfigurationError`. */
export function requireTableName(definition: TableDefinition, env: Environment = process.env): string {
  const variable = definition.environmentVariable;
  const value = env[variable];
  if (value === undefined || value.trim() === "") {
    throw new ConfigurationError(
      variable,
      `environment variable \`${variable}\` must name the ${definition.baseName} table; got ${value === undefined ? "nothing (it is not set)" : JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `DYNAMODB_EVALUATIONS`: used by the Writing and Speaking Evaluators. */
export function loadEvaluationsTableName(env: Environment = process.env): string {
  return requireTableName(EVALUATIONS_TABLE, env);
}

/** `DYNAMODB_FLASHCARD_SETS`: used by the Flashcard Generator. */
export function loadFlashcardSetsTableName(env: Environment = process.env): string {
  return requireTableName(FLASHCARD_SETS_TABLE, env);
}
