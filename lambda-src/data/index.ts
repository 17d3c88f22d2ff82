/**
 * The data layer of the three functions, in one import:
 *
 *   import { evaluationsRepositoryFromEnvironment } from "../data";
 *   const evaluations = evaluationsRepositoryFromEnvironment(); // module scope: fails the cold start
 *                                                               // if DYNAMODB_EVALUATIONS is unset
 */
export * from "./evaluations-repository";
export * from "./flashcard-sets-repository";
export type { Claim, StartResult } from "./job-records";
export { createDocumentClient, getDocumentClient, CLIENT_DEFAULTS } from "./dynamodb-client";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_QUERIES_PER_PAGE, type Page, type PageOptions } from "./pagination";
export * from "../shared/errors";
export * from "../shared/models";
export { BANDS, bandFromNumber, isBand, type Band } from "../shared/bands";
export { decodeEvaluation, decodeFlashcardSet } from "../shared/decode";
export { loadEvaluationsTableName, loadFlashcardSetsTableName } from "../shared/config";
