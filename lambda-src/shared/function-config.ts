/**
 * The function settings the stack puts in the environment besides the table name (variable names
 * from function-definitions.ts). Read once at cold start; a missing one is a deployment mistake and
 * fails the cold start with a `ConfigurationError` naming the variable.
 */
import type { Environment } from "./config";
import { ConfigurationError } from "./errors";
import { FUNCTION_ENVIRONMENT, type FunctionDefinition } from "../contract/function-definitions";

/**
 * Optional override of the model API's base URL (a regional proxy, a test server).
 * @default - https://generativelanguage.googleapis.com
 */
export const MODEL_API_BASE_URL_VARIABLE = "MODEL_API_BASE_URL";

/** Reads a required variable, or throws `ConfigurationError`. */
export function requireVariable(env: Environment, variable: string, purpose: string): string {
  const value = env[variable];
  if (value === undefined || value.trim() === "") {
    throw new ConfigurationError(
      variable,
      `environment variable \`${variable}\` must be set to ${purpose}; got ${value === undefined ? "nothing (it is not set)" : JSON.stringify(value)}`,
    );
  }
  return value.trim();
}

/** The model settings of every function. */
export interface ModelSettings {
  modelId: string;
  apiKeyParameter: string;
  /** Undefined: the Gemini default. */
  baseUrl?: string;
}

export function loadModelSettings(env: Environment = process.env): ModelSettings {
  const baseUrl = env[MODEL_API_BASE_URL_VARIABLE]?.trim();
  return {
    modelId: requireVariable(env, FUNCTION_ENVIRONMENT.modelId, "the model id, e.g. \"gemini-2.5-flash\""),
    apiKeyParameter: requireVariable(env, FUNCTION_ENVIRONMENT.modelApiKeyParameter, "the name of the SSM parameter holding the model API key"),
    baseUrl: baseUrl ? baseUrl : undefined,
  };
}

/** `UPLOADS_BUCKET`: the Speaking Evaluator and the Flashcard Generator. */
export function loadUploadsBucket(env: Environment = process.env): string {
  return requireVariable(env, FUNCTION_ENVIRONMENT.uploadsBucket, "the name of the uploads bucket");
}

/**
 * `FUNCTION_TIMEOUT_SECONDS`: the deployed timeout (1-900 whole seconds), or, when it is not set (a
 * local run, a deployment older than the variable), the definition's default.
 */
export function loadTimeoutSeconds(definition: FunctionDefinition, env: Environment = process.env): number {
  const variable = FUNCTION_ENVIRONMENT.timeoutSeconds;
  const value = env[variable];
  if (value === undefined || value.trim() === "") return definition.defaultTimeoutSeconds;
  const seconds = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || seconds < 1 || seconds > 900) {
    throw new ConfigurationError(variable, `environment variable \`${variable}\` must be the function's timeout in whole seconds, 1 to 900; got ${JSON.stringify(value)}`);
  }
  return seconds;
}
