/**
 * Entry point of the Speaking Evaluator (`index.handler`). Wired at cold start from the environment
 * (`DYNAMODB_EVALUATIONS`, `UPLOADS_BUCKET`, `MODEL_ID`, `MODEL_API_KEY_PARAMETER`, optional
 * `MODEL_API_BASE_URL`); no network call happens here.
 */
import { evaluationsRepositoryFromEnvironment } from "../data/evaluations-repository";
import { modelClientFromEnvironment } from "../model/from-environment";
import { SPEAKING_EVALUATOR } from "../contract/function-definitions";
import { loadTimeoutSeconds, loadUploadsBucket } from "../shared/function-config";
import { containerS3Client } from "../shared/s3-object";
import { createSpeakingEvaluatorHandler } from "./handler";

export const handler = createSpeakingEvaluatorHandler({
  evaluations: evaluationsRepositoryFromEnvironment(),
  model: modelClientFromEnvironment(),
  timeoutSeconds: loadTimeoutSeconds(SPEAKING_EVALUATOR),
  s3: containerS3Client,
  uploadsBucket: loadUploadsBucket(),
});
