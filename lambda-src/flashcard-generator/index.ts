/**
 * Entry point of the Flashcard Generator (`index.handler`). Wired at cold start from the
 * environment (`DYNAMODB_FLASHCARD_SETS`, `UPLOADS_BUCKET`, `MODEL_ID`, `MODEL_API_KEY_PARAMETER`,
 * optional `MODEL_API_BASE_URL`); no network call happens here, and PDF.js is only evaluated when
 * the first PDF is read.
 */
import { flashcardSetsRepositoryFromEnvironment } from "../data/flashcard-sets-repository";
import { modelClientFromEnvironment } from "../model/from-environment";
import { FLASHCARD_GENERATOR } from "../contract/function-definitions";
import { loadTimeoutSeconds, loadUploadsBucket } from "../shared/function-config";
import { containerS3Client } from "../shared/s3-object";
import { createFlashcardGeneratorHandler } from "./handler";

export const handler = createFlashcardGeneratorHandler({
  flashcardSets: flashcardSetsRepositoryFromEnvironment(),
  model: modelClientFromEnvironment(),
  timeoutSeconds: loadTimeoutSeconds(FLASHCARD_GENERATOR),
  s3: containerS3Client,
  uploadsBucket: loadUploadsBucket(),
});
