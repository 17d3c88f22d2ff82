/**
 * Reads and writes of the flashcard sets table (`DYNAMODB_FLASHCARD_SETS`), used by the Flashcard
 * Generator. Same lifecycle as evaluations (job-records.ts): `startFlashcardSet` writes a
 * `processing` record holding the attempt's lease (or reports the existing one), then
 * `completeFlashcardSet` or `failFlashcardSet` from the lease holder moves it on, guarded by the
 * status and the holder.
 */
import { loadFlashcardSetsTableName, type Environment } from "../shared/config";
import { decodeFlashcardSet } from "../shared/decode";
import type {
  CompletedFlashcardSet,
  FailedFlashcardSet,
  FlashcardSet,
  FlashcardSetKey,
  FlashcardSetResults,
} from "../shared/models";
import { FLASHCARD_SETS_TABLE } from "../contract/table-definitions";
import {
  checkCreatedAt,
  checkId,
  checkNonEmptyString,
  checkNonNegativeInteger,
  ensure,
  ensureFlashcards,
  ensureItemSize,
  ensureObject,
  ensureOnly,
  MAX_UNIX_SECONDS,
  SORT_KEY_MAX_BYTES,
  ensureKey,
} from "../shared/validation";
import { storedErrorMessage, unixSeconds } from "./conditional";
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
  type WriteOptions,
} from "./job-records";
import { decodeHistoryItems, pageSize, queryHistoryPage, withFullItems, type Page, type PageOptions } from "./pagination";

const PARTITION_KEY = FLASHCARD_SETS_TABLE.partitionKey.name;
const SORT_KEY = FLASHCARD_SETS_TABLE.sortKey.name;
/** S3 object keys are at most 1024 UTF-8 bytes. */
const DOCUMENT_ID_MAX_BYTES = 1024;

/** Input of `startFlashcardSet`. `created_at` defaults to now (Unix seconds). */
export interface StartFlashcardSetInput extends FlashcardSetKey {
  /** S3 key of the source PDF. */
  document_id: string;
  created_at?: number;
}

/** The flashcard sets table's operations. */
export interface FlashcardSetsRepository {
  /**
   * Starts the job for the attempt of `claim`: a new `processing` record holding its lease, or what
   * the existing record says (see `StartResult`). Never overwrites a record.
   */
  startFlashcardSet(input: StartFlashcardSetInput, claim: Claim): Promise<StartResult<FlashcardSet>>;
  /** `processing` -> `completed` for a set held by `holder`; stores the cards as JSON and `total_cards` as their count. */
  completeFlashcardSet(key: FlashcardSetKey, results: FlashcardSetResults, holder: string, options?: WriteOptions): Promise<CompletedFlashcardSet>;
  /** `processing` -> `failed` for a set held by `holder`, storing `message` in `error_message` (cut to 4000 characters). */
  failFlashcardSet(key: FlashcardSetKey, message: string, holder: string, options?: WriteOptions): Promise<FailedFlashcardSet>;
  /**
   * Ends the lease of `holder` now, while it holds the set's `processing` record (an attempt that
   * cannot record its outcome): the next delivery takes the job over at once. False when `holder`
   * does not hold it; nothing is written then.
   */
  releaseFlashcardSet(key: FlashcardSetKey, holder: string, options?: WriteOptions): Promise<boolean>;
  /** One record by key (strongly consistent), or undefined; `processing` past its lease reads as `failed`. */
  getFlashcardSet(key: FlashcardSetKey): Promise<FlashcardSet | undefined>;
  /**
   * A user's `completed` sets, newest first, one page at a time (see pagination.ts on short pages),
   * each read by key for its cards (the history index holds summaries); a malformed item is skipped
   * (and logged with its key).
   */
  listCompletedFlashcardSets(userId: string, options?: PageOptions): Promise<Page<CompletedFlashcardSet>>;
}

/** Dependencies of the repository: the client (dynalite in tests) and the table name. */
export type FlashcardSetsRepositoryOptions = RepositoryOptions;

/** Validates a key and returns it as the table's key attributes (names from table-definitions.ts). */
const keyItem = (key: unknown): Record<string, string> => ensureKey(FLASHCARD_SETS_TABLE, key);

/** Builds the flashcard sets repository on an explicit client and table (tests, or custom wiring). */
export function createFlashcardSetsRepository(options: FlashcardSetsRepositoryOptions): FlashcardSetsRepository {
  const { tableName } = options;
  const store = documentStore(options.client);
  const now = options.now ?? unixSeconds;
  const clockMs = options.clockMs ?? Date.now;
  const skipLog = options.log;

  const records = jobRecords({
    store,
    tableName,
    definition: FLASHCARD_SETS_TABLE,
    kind: "flashcard set",
    identity: ["document_id"],
    decode: decodeFlashcardSet,
  });

  return {
    async startFlashcardSet(input, claim) {
      const body = ensureObject("input", input);
      const key = keyItem(body);
      ensureOnly(body, [PARTITION_KEY, SORT_KEY, "document_id", "created_at"], "a start request");
      ensure("document_id", body.document_id, checkId(body.document_id, DOCUMENT_ID_MAX_BYTES));
      const created_at = body.created_at ?? now();
      ensure("created_at", created_at, checkCreatedAt(created_at));
      const item = { ...key, document_id: body.document_id, status: "processing", created_at };
      const checked = ensureClaim(claim);
      ensureItemSize({ ...item, ...claimAttributes(checked) });
      return records.start(key, item, checked);
    },

    async completeFlashcardSet(key, results, holder, writeOptions) {
      const k = keyItem(key);
      const input = ensureObject("results", results);
      ensureOnly(input, ["flashcards", "page_count", "chunk_count"], "flashcard set results");
      const flashcards = ensureFlashcards(input.flashcards);
      ensure("page_count", input.page_count, checkNonNegativeInteger(input.page_count));
      ensure("chunk_count", input.chunk_count, checkNonNegativeInteger(input.chunk_count));
      ensureHolder(holder);
      const attributes = {
        flashcards: JSON.stringify(flashcards),
        total_cards: flashcards.length,
        page_count: input.page_count,
        chunk_count: input.chunk_count,
      };
      // `document_id` was written at start and is not re-read: count it at its largest (1024 bytes),
      // with the `input_hash` the record keeps.
      ensureItemSize(
        { ...k, status: "completed", created_at: MAX_UNIX_SECONDS, ...attributes },
        "document_id".length + DOCUMENT_ID_MAX_BYTES + KEPT_LIFECYCLE_BYTES,
      );
      return (await records.transition(k, "completed", attributes, holder, undefined, writeOptions)) as CompletedFlashcardSet;
    },

    async failFlashcardSet(key, message, holder, writeOptions) {
      const k = keyItem(key);
      ensure("error_message", message, checkNonEmptyString(message));
      ensureHolder(holder);
      return (await records.transition(k, "failed", { error_message: storedErrorMessage(message) }, holder, undefined, writeOptions)) as FailedFlashcardSet;
    },

    async releaseFlashcardSet(key, holder, writeOptions) {
      return records.release(keyItem(key), ensureHolder(holder), clockMs(), writeOptions);
    },

    async getFlashcardSet(key) {
      const item = await records.read(keyItem(key));
      return item === undefined ? undefined : decodeFlashcardSet(readerView(item, clockMs()));
    },

    async listCompletedFlashcardSets(userId, pageOptions = {}) {
      ensure("user_id", userId, checkId(userId, SORT_KEY_MAX_BYTES));
      const options = ensureObject("options", pageOptions);
      ensureOnly(options, ["limit", "nextToken"], "page options");
      const page = await queryHistoryPage(store, tableName, FLASHCARD_SETS_TABLE, userId, {
        limit: pageSize(options.limit),
        nextToken: pageOptions.nextToken,
        filter: { expression: "#status = :completed", names: { "#status": "status" }, values: { ":completed": "completed" } },
      });
      const items = await withFullItems(store, tableName, FLASHCARD_SETS_TABLE, page.items, skipLog);
      return {
        ...page,
        items: decodeHistoryItems(items, decodeFlashcardSet, FLASHCARD_SETS_TABLE, clockMs(), skipLog) as CompletedFlashcardSet[],
      };
    },
  };
}

/**
 * The repository the Flashcard Generator uses: the container's shared client and the table named by
 * `DYNAMODB_FLASHCARD_SETS`. Call it at module scope so a missing variable fails the cold start.
 */
export function flashcardSetsRepositoryFromEnvironment(env: Environment = process.env): FlashcardSetsRepository {
  return createFlashcardSetsRepository({ client: containerDocumentClient, tableName: loadFlashcardSetsTableName(env) });
}
