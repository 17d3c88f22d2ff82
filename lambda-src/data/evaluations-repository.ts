/**
 * Reads and writes of the evaluations table (`DYNAMODB_EVALUATIONS`), used by the Writing and
 * Speaking Evaluators.
 *
 * Lifecycle (job-records.ts): `startEvaluation` writes a `processing` record holding the attempt's
 * lease (or finds the job finished, in progress, or taken with other input, or takes over a lease
 * that passed), then exactly one of `completeWritingEvaluation` / `completeSpeakingEvaluation` /
 * `failEvaluation` from the lease holder moves it to `completed` or `failed`, guarded by a
 * ConditionExpression on the status and the holder. Everything is validated before a request is
 * sent; a rejected call writes nothing.
 */
import { loadEvaluationsTableName, type Environment } from "../shared/config";
import { decodeEvaluation } from "../shared/decode";
import { EvaluationTypeMismatchError } from "../shared/errors";
import {
  SPEAKING_BAND_FIELDS,
  WRITING_BAND_FIELDS,
  type CompletedSpeakingEvaluation,
  type CompletedWritingEvaluation,
  type Evaluation,
  type EvaluationKey,
  type EvaluationType,
  type FailedEvaluation,
  type SpeakingResults,
  type WritingResults,
} from "../shared/models";
import { EVALUATIONS_TABLE } from "../contract/table-definitions";
import {
  checkCreatedAt,
  checkDuration,
  checkId,
  checkNonEmptyString,
  checkNonNegativeInteger,
  checkString,
  ensure,
  ensureBand,
  ensureEvaluationType,
  ensureFeedback,
  ensureItemSize,
  ensureObject,
  ensureOnly,
  MAX_UNIX_SECONDS,
  SORT_KEY_MAX_BYTES,
  ensureKey,
} from "../shared/validation";
import { describeKey, storedErrorMessage, unixSeconds } from "./conditional";
import { containerDocumentClient, documentStore } from "./document-store";
import {
  claimAttributes,
  ensureClaim,
  ensureHolder,
  jobRecords,
  KEPT_LIFECYCLE_BYTES,
  readerView,
  type Claim,
  type RepositoryOptions,
  type StartResult,
  type TransitionGuard,
  type WriteOptions,
} from "./job-records";
import { decodeHistoryItems, pageSize, queryHistoryPage, withFullItems, type Page, type PageOptions } from "./pagination";

const PARTITION_KEY = EVALUATIONS_TABLE.partitionKey.name;
const SORT_KEY = EVALUATIONS_TABLE.sortKey.name;

/** Input of `startEvaluation`. `created_at` defaults to now (Unix seconds). */
export interface StartEvaluationInput extends EvaluationKey {
  evaluation_type: EvaluationType;
  created_at?: number;
}

/** Options of `listEvaluationHistory`. */
export interface EvaluationHistoryOptions extends PageOptions {
  /** Only this type (a FilterExpression: see pagination.ts on short pages). */
  evaluationType?: EvaluationType;
}

/** The evaluations table's operations. */
export interface EvaluationsRepository {
  /**
   * Starts the job for the attempt of `claim`: a new `processing` record holding its lease, or what
   * the existing record says (see `StartResult`). Never overwrites a record.
   */
  startEvaluation(input: StartEvaluationInput, claim: Claim): Promise<StartResult<Evaluation>>;
  /** `processing` -> `completed` for a writing evaluation held by `holder`; returns the stored record. */
  completeWritingEvaluation(key: EvaluationKey, results: WritingResults, holder: string, options?: WriteOptions): Promise<CompletedWritingEvaluation>;
  /** `processing` -> `completed` for a speaking evaluation held by `holder`; returns the stored record. */
  completeSpeakingEvaluation(key: EvaluationKey, results: SpeakingResults, holder: string, options?: WriteOptions): Promise<CompletedSpeakingEvaluation>;
  /** `processing` -> `failed` for an evaluation held by `holder`, storing `message` in `error_message` (cut to 4000 characters). */
  failEvaluation(key: EvaluationKey, message: string, holder: string, options?: WriteOptions): Promise<FailedEvaluation>;
  /**
   * Ends the lease of `holder` now, while it holds the evaluation's `processing` record (an attempt
   * that cannot record its outcome): the next delivery takes the job over at once. False when
   * `holder` does not hold it; nothing is written then.
   */
  releaseEvaluation(key: EvaluationKey, holder: string, options?: WriteOptions): Promise<boolean>;
  /** One record by key (strongly consistent), or undefined; `processing` past its lease reads as `failed`. */
  getEvaluation(key: EvaluationKey): Promise<Evaluation | undefined>;
  /**
   * A user's evaluations, newest first, one page at a time, as whole records (a `completed` one is
   * read by key: the history index holds summaries); `processing` past its lease reads as `failed`,
   * and a malformed item is skipped (and logged with its key).
   */
  listEvaluationHistory(userId: string, options?: EvaluationHistoryOptions): Promise<Page<Evaluation>>;
}

/** Dependencies of the repository: the client (dynalite in tests) and the table name. */
export type EvaluationsRepositoryOptions = RepositoryOptions;

/** Validates a key and returns it as the table's key attributes (names from table-definitions.ts). */
const keyItem = (key: unknown): Record<string, string> => ensureKey(EVALUATIONS_TABLE, key);

function requireText(field: string, value: unknown, check: (v: unknown) => string | undefined = checkNonEmptyString): string {
  ensure(field, value, check(value));
  return value as string;
}

/** Validated attributes of writing results, in the order they are stored. */
function writingAttributes(results: unknown): Record<string, unknown> {
  const input = ensureObject("results", results);
  ensureOnly(input, [...WRITING_BAND_FIELDS, "feedback", "model_used"], "writing results");
  const attributes: Record<string, unknown> = {};
  for (const field of WRITING_BAND_FIELDS) attributes[field] = ensureBand(field, input[field]);
  attributes.feedback = ensureFeedback("feedback", input.feedback);
  attributes.model_used = requireText("model_used", input.model_used);
  return attributes;
}

/** Validated attributes of speaking results. */
function speakingAttributes(results: unknown): Record<string, unknown> {
  const input = ensureObject("results", results);
  const other = ["transcript", "duration", "word_count", "feedback", "model_used"];
  ensureOnly(input, [...SPEAKING_BAND_FIELDS, ...other], "speaking results");
  const attributes: Record<string, unknown> = {};
  for (const field of SPEAKING_BAND_FIELDS) attributes[field] = ensureBand(field, input[field]);
  attributes.transcript = requireText("transcript", input.transcript, checkString);
  attributes.duration = requireText("duration", input.duration, checkDuration);
  ensure("word_count", input.word_count, checkNonNegativeInteger(input.word_count));
  attributes.word_count = input.word_count;
  attributes.feedback = ensureFeedback("feedback", input.feedback);
  attributes.model_used = requireText("model_used", input.model_used);
  return attributes;
}

/** Builds the evaluations repository on an explicit client and table (tests, or custom wiring). */
export function createEvaluationsRepository(options: EvaluationsRepositoryOptions): EvaluationsRepository {
  const { tableName } = options;
  const store = documentStore(options.client);
  const now = options.now ?? unixSeconds;
  const clockMs = options.clockMs ?? Date.now;
  const skipLog = options.log;

  const records = jobRecords({
    store,
    tableName,
    definition: EVALUATIONS_TABLE,
    kind: "evaluation",
    identity: ["evaluation_type"],
    decode: decodeEvaluation,
  });

  /** Completions must match the record's type: writing results never land on a speaking evaluation. */
  function typeGuard(key: Record<string, string>, type: EvaluationType): TransitionGuard {
    return {
      attribute: "evaluation_type",
      value: type,
      mismatch: (current) =>
        new EvaluationTypeMismatchError(
          key,
          type,
          String(current.evaluation_type),
          `evaluation ${describeKey(key)} is a ${JSON.stringify(current.evaluation_type)} evaluation; it cannot be completed with ${type} results`,
        ),
    };
  }

  /**
   * Size of the record a completion produces: key, type, status, created_at (at its largest),
   * results, and the `input_hash` it keeps.
   */
  function ensureCompletedSize(key: Record<string, string>, type: EvaluationType, attributes: Record<string, unknown>): void {
    ensureItemSize({ ...key, evaluation_type: type, status: "completed", created_at: MAX_UNIX_SECONDS, ...attributes }, KEPT_LIFECYCLE_BYTES);
  }

  return {
    async startEvaluation(input, claim) {
      const body = ensureObject("input", input);
      const key = keyItem(body);
      ensureOnly(body, [PARTITION_KEY, SORT_KEY, "evaluation_type", "created_at"], "a start request");
      const evaluation_type = ensureEvaluationType("evaluation_type", body.evaluation_type);
      const created_at = body.created_at ?? now();
      ensure("created_at", created_at, checkCreatedAt(created_at));
      const item = { ...key, evaluation_type, status: "processing", created_at };
      const checked = ensureClaim(claim);
      ensureItemSize({ ...item, ...claimAttributes(checked) });
      return records.start(key, item, checked);
    },

    async completeWritingEvaluation(key, results, holder, writeOptions) {
      const k = keyItem(key);
      const attributes = writingAttributes(results);
      ensureHolder(holder);
      ensureCompletedSize(k, "writing", attributes);
      return (await records.transition(k, "completed", attributes, holder, typeGuard(k, "writing"), writeOptions)) as CompletedWritingEvaluation;
    },

    async completeSpeakingEvaluation(key, results, holder, writeOptions) {
      const k = keyItem(key);
      const attributes = speakingAttributes(results);
      ensureHolder(holder);
      ensureCompletedSize(k, "speaking", attributes);
      return (await records.transition(k, "completed", attributes, holder, typeGuard(k, "speaking"), writeOptions)) as CompletedSpeakingEvaluation;
    },

    async failEvaluation(key, message, holder, writeOptions) {
      const k = keyItem(key);
      ensure("error_message", message, checkNonEmptyString(message));
      ensureHolder(holder);
      return (await records.transition(k, "failed", { error_message: storedErrorMessage(message) }, holder, undefined, writeOptions)) as FailedEvaluation;
    },

    async releaseEvaluation(key, holder, writeOptions) {
      return records.release(keyItem(key), ensureHolder(holder), clockMs(), writeOptions);
    },

    async getEvaluation(key) {
      const item = await records.read(keyItem(key));
      return item === undefined ? undefined : decodeEvaluation(readerView(item, clockMs()));
    },

    async listEvaluationHistory(userId, historyOptions = {}) {
      ensure("user_id", userId, checkId(userId, SORT_KEY_MAX_BYTES));
      const options = ensureObject("options", historyOptions);
      ensureOnly(options, ["limit", "nextToken", "evaluationType"], "history options");
      const limit = pageSize(options.limit);
      const type = options.evaluationType === undefined ? undefined : ensureEvaluationType("evaluationType", options.evaluationType);
      const page = await queryHistoryPage(store, tableName, EVALUATIONS_TABLE, userId, {
        limit,
        nextToken: historyOptions.nextToken,
        filter:
          type === undefined
            ? undefined
            : { expression: "#evaluation_type = :evaluation_type", names: { "#evaluation_type": "evaluation_type" }, values: { ":evaluation_type": type } },
      });
      const items = await withFullItems(store, tableName, EVALUATIONS_TABLE, page.items, skipLog);
      return { ...page, items: decodeHistoryItems(items, decodeEvaluation, EVALUATIONS_TABLE, clockMs(), skipLog) };
    },
  };
}

/**
 * The repository a handler uses: the container's shared client (its SDK loaded on the first
 * request) and the table named by
 * `DYNAMODB_EVALUATIONS`. Call it at module scope so a missing variable fails the cold start.
 */
export function evaluationsRepositoryFromEnvironment(env: Environment = process.env): EvaluationsRepository {
  return createEvaluationsRepository({ client: containerDocumentClient, tableName: loadEvaluationsTableName(env) });
}
