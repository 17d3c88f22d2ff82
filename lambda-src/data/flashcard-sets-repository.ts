/**
 * Reads and writes of the flashcard sets table (`DYNAMODB_FLASHCARD_SETS`), used by the Flashcard
 * Generator. Same lifecycle as evaluations: `startFlashcardSet` writes a `processing` record (only if
 * none exists), then `completeFlashcardSet` or `failFlashcardSet` moves it on, guarded by the status.
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
import { FLASHCARD_SETS_TABLE } from "../shared/table-definitions";
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
import { getDocumentClient } from "./dynamodb-client";
import { jobRecords, type RepositoryOptions, type StartResult } from "./job-records";
import { pageSize, queryHistoryPage, type Page, type PageOptions } from "./pagination";

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
  /** Writes a `processing` record unless one exists with that key (idempotent; see `StartResult`). */
  startFlashcardSet(input: StartFlashcardSetInput): Promise<StartResult<FlashcardSet>>;
  /** `processing` -> `completed`; stores the cards as JSON and `total_cards` as their count. */
  completeFlashcardSet(key: FlashcardSetKey, results: FlashcardSetResults): Promise<CompletedFlashcardSet>;
  /** `processing` -> `failed`, storing `message` in `error_message` (cut to 4000 characters). */
  failFlashcardSet(key: FlashcardSetKey, message: string): Promise<FailedFlashcardSet>;
  /** One record by key (strongly consistent), or undefined. */
  getFlashcardSet(key: FlashcardSetKey): Promise<FlashcardSet | undefined>;
  /** A user's `completed` sets, newest first, one page at a time (see pagination.ts on short pages). */
  listCompletedFlashcardSets(userId: string, options?: PageOptions): Promise<Page<CompletedFlashcardSet>>;
}

/** Dependencies of the repository: the client (dynalite in tests) and the table name. */
export type FlashcardSetsRepositoryOptions = RepositoryOptions;

/** Validates a key and returns it as the table's key attributes (names from table-definitions.ts). */
const keyItem = (key: unknown): Record<string, string> => ensureKey(FLASHCARD_SETS_TABLE, key);

/** Builds the flashcard sets repository on an explicit client and table (tests, or custom wiring). */
export function createFlashcardSetsRepository(options: FlashcardSetsRepositoryOptions): FlashcardSetsRepository {
  const { client, tableName } = options;
  const now = options.now ?? unixSeconds;

  const records = jobRecords({ client, tableName, definition: FLASHCARD_SETS_TABLE, kind: "flashcard set", decode: decodeFlashcardSet });

  return {
    async startFlashcardSet(input) {
      const body = ensureObject("input", input);
      const key = keyItem(body);
      ensureOnly(body, [PARTITION_KEY, SORT_KEY, "document_id", "created_at"], "a start request");
      ensure("document_id", body.document_id, checkId(body.document_id, DOCUMENT_ID_MAX_BYTES));
      const created_at = body.created_at ?? now();
      ensure("created_at", created_at, checkCreatedAt(created_at));
      const item = { ...key, document_id: body.document_id, status: "processing", created_at };
      ensureItemSize(item);
      return records.start(key, item);
    },

    async completeFlashcardSet(key, results) {
      const k = keyItem(key);
      const input = ensureObject("results", results);
      ensureOnly(input, ["flashcards", "page_count", "chunk_count"], "flashcard set results");
      const flashcards = ensureFlashcards(input.flashcards);
      ensure("page_count", input.page_count, checkNonNegativeInteger(input.page_count));
      ensure("chunk_count", input.chunk_count, checkNonNegativeInteger(input.chunk_count));
      const attributes = {
        flashcards: JSON.stringify(flashcards),
        total_cards: flashcards.length,
        page_count: input.page_count,
        chunk_count: input.chunk_count,
      };
      // `document_id` was written at start and is not re-read: count it at its largest (1024 bytes).
      ensureItemSize(
        { ...k, status: "completed", created_at: MAX_UNIX_SECONDS, ...attributes },
        "document_id".length + DOCUMENT_ID_MAX_BYTES,
      );
      return (await records.transition(k, "completed", attributes)) as CompletedFlashcardSet;
    },

    async failFlashcardSet(key, message) {
      const k = keyItem(key);
      ensure("error_message", message, checkNonEmptyString(message));
      return (await records.transition(k, "failed", { error_message: storedErrorMessage(message) })) as FailedFlashcardSet;
    },

    async getFlashcardSet(key) {
      const item = await records.read(keyItem(key));
      return item === undefined ? undefined : decodeFlashcardSet(item);
    },

    async listCompletedFlashcardSets(userId, pageOptions = {}) {
      ensure("user_id", userId, checkId(userId, SORT_KEY_MAX_BYTES));
      const options = ensureObject("options", pageOptions);
      ensureOnly(options, ["limit", "nextToken"], "page options");
      const page = await queryHistoryPage(client, tableName, FLASHCARD_SETS_TABLE, userId, {
        limit: pageSize(options.limit),
        nextToken: pageOptions.nextToken,
        filter: { expression: "#status = :completed", names: { "#status": "status" }, values: { ":completed": "completed" } },
      });
      return { ...page, items: page.items.map((item) => decodeFlashcardSet(item) as CompletedFlashcardSet) };
    },
  };
}

/**
 * The repository the Flashcard Generator uses: the container's shared client and the table named by
 * `DYNAMODB_FLASHCARD_SETS`. Call it at module scope so a missing variable fails the cold start.
 */
export function flashcardSetsRepositoryFromEnvironment(env: Environment = process.env): FlashcardSetsRepository {
  return createFlashcardSetsRepository({ client: getDocumentClient(), tableName: loadFlashcardSetsTableName(env) });
}
