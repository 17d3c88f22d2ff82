/**
 * Entry point of the Writing Evaluator (`index.handler`). Wired at cold start from the environment
 * (`DYNAMODB_EVALUATIONS`, `MODEL_ID`, `MODEL_API_KEY_PARAMETER`, optional `MODEL_API_BASE_URL`):
 * a missing variable fails the cold start naming it. No network call happens here: the API key is
 * read from SSM on the first model call and kept for the container's life.
 */
import { evaluationsRepositoryFromEnvironment } from "../data/evaluations-repository";
import { modelClientFromEnvironment } from "../model/from-environment";
import { WRITING_EVALUATOR } from "../contract/function-definitions";
import { loadTimeoutSeconds } from "../shared/function-config";
import { createWritingEvaluatorHandler } from "./handler";

export const handler = createWritingEvaluatorHandler({
  evaluations: evaluationsRepositoryFromEnvironment(),
  model: modelClientFromEnvironment(),
  timeoutSeconds: loadTimeoutSeconds(WRITING_EVALUATOR),
});
