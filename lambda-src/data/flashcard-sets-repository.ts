/**
 * Reads and writes of the flashcard sets table (`DYNAMODB_FLASHCARD_SETS`), used by the Flashcard
 * Generator. Same lifecycle as evaluations: `startFlashcardSet` writes a `processing` record (only if
 * none exists), then `completeFlashcardSet` or `failFlashcardSet` moves it on, guarded by the status.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { loadFlashcardSetsTableName, type Environment } from "../shared/config";
import { decodeFlashcardSet } from "../shared/decode";
import { DataLayerError, RecordNotFoundError, StatusTransitionError } from "../shared/errors";
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
import { describeKey, isConditionalCheckFailed, storedErrorMessage, unixSeconds } from "./conditional";
import { getDocumentClient } from "./dynamodb-client";
import type { StartResult } from "./evaluations-repository";
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
export interface FlashcardSetsRepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Clock for the default `created_at` (Unix seconds). */
  now?: () => number;
}

/** Validates a key and returns it as the table's key attributes (names from table-definitions.ts). */
const keyItem = (key: unknown): Record<string, string> => ensureKey(FLASHCARD_SETS_TABLE, key);

/** Builds the flashcard sets repository on an explicit client and table (tests, or custom wiring). */
export function createFlashcardSetsRepository(options: FlashcardSetsRepositoryOptions): FlashcardSetsRepository {
  const { client, tableName } = options;
  const now = options.now ?? unixSeconds;

  async function readRaw(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  async function transition(
    key: Record<string, string>,
    target: "completed" | "failed",
    attributes: Record<string, unknown>,
  ): Promise<FlashcardSet> {
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, unknown> = { ":processing": "processing", ":target": target };
    const sets = ["#status = :target"];
    for (const [name, value] of Object.entries(attributes)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    try {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(", ")}`,
          // False on a missing item too, so UpdateItem never creates a record.
          ConditionExpression: "#status = :processing",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return decodeFlashcardSet(result.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const verb = target === "completed" ? "completed" : "marked failed";
    const current = await readRaw(key);
    if (current !== undefined && current.status !== "processing") {
      throw new StatusTransitionError(
        "flashcard set",
        key,
        String(current.status),
        target,
        `flashcard set ${describeKey(key)} is ${JSON.stringify(current.status)}, not "processing"; it cannot be ${verb}`,
      );
    }
    throw new RecordNotFoundError("flashcard set", key, `flashcard set ${describeKey(key)} does not exist; it cannot be ${verb}`);
  }

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
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": PARTITION_KEY },
          }),
        );
        return { created: true, record: decodeFlashcardSet(item) };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const existing = await readRaw(key);
      if (existing === undefined) {
        throw new DataLayerError(`flashcard set ${describeKey(key)} existed when started but is gone now`);
      }
      return { created: false, record: decodeFlashcardSet(existing) };
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
      return (await transition(k, "completed", attributes)) as CompletedFlashcardSet;
    },

    async failFlashcardSet(key, message) {
      const k = keyItem(key);
      ensure("error_message", message, checkNonEmptyString(message));
      return (await transition(k, "failed", { error_message: storedErrorMessage(message) })) as FailedFlashcardSet;
    },

    async getFlashcardSet(key) {
      const item = await readRaw(keyItem(key));
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
