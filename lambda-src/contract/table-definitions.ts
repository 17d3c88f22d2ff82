/**
 * The single source of truth for the shape of BandUp's two DynamoDB tables: key names, attribute
 * types and the history index. The cdktf constructs, the Lambda data layer and the tests that create
 * identical tables on a DynamoDB-compatible server all read this module.
 *
 * It must stay plain TypeScript: no cdktf, no constructs, no AWS SDK import, because it ends up in
 * the Lambda bundles.
 */

/**
 * Attributes the job lifecycle keeps on a record beside the design's (lambda-src/data/job-records.ts):
 * the hash of the job's input, checked when an id is used again, and, while the job is `processing`,
 * which attempt holds it and until when; once it is finished, which attempt recorded its outcome.
 * Readers never return them; the history index projects the lease (readers tell a passed one from a
 * running job).
 */
export const LIFECYCLE_ATTRIBUTES = {
  /** String: SHA-256 (hex) of the job's input (lambda-src/shared/input-hash.ts). */
  inputHash: "input_hash",
  /** String: the attempt working on a `processing` job; removed when the outcome is recorded. */
  leaseHolder: "lease_holder",
  /** Number: Unix time in ms at which that attempt's invocation ends; removed with the holder. */
  leaseExpiresAtMs: "lease_expires_at_ms",
  /**
   * String: the attempt (its `lease_holder` then) that recorded the outcome of a finished job. An
   * attempt whose outcome write was applied but whose answer was lost reads it back and knows the
   * outcome is its own.
   */
  recordedBy: "recorded_by",
} as const;

/** DynamoDB scalar attribute types used by keys. */
export type KeyAttributeType = "S" | "N" | "B";

/** One key attribute: its name and its DynamoDB type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

/**
 * A global secondary index with a partition key and a sort key. `INCLUDE` copies the keys and
 * `nonKeyAttributes` into the index; `ALL` copies every attribute (every write of a large item is
 * then paid and stored twice).
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projection: "ALL" | "INCLUDE";
  /** With `INCLUDE`: the attributes besides the keys that the index copies (empty with `ALL`). */
  readonly nonKeyAttributes: readonly string[];
}

/** Which table of the design this is; used as a stable construct id and a lookup key. */
export type TableKind = "evaluations" | "flashcard-sets";

/** The design of one table, independent of environment. */
export interface TableDefinition {
  readonly kind: TableKind;
  /** The table name in production; other environments append `-<env>`. */
  readonly baseName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** The optional history index (`user_id-created_at-index`), when the table has it. */
  readonly historyIndex: IndexDefinition;
  /** The Lambda environment variable that carries this table's name (as the design names it). */
  readonly environmentVariable: string;
}

/** Name of the GSI that lists a user's items newest first. */
export const HISTORY_INDEX_NAME = "user_id-created_at-index";

const USER_ID: KeyAttribute = { name: "user_id", type: "S" };
const CREATED_AT: KeyAttribute = { name: "created_at", type: "N" };

/**
 * The history index of a table: `user_id`, newest `created_at` first, with the attributes a history
 * page filters on and needs to show a `processing` or `failed` record as it is: the status, the
 * lease's end (a passed lease reads as `failed`), the failure's message, and `identity` (the
 * evaluation's type, the set's document). A `completed` record's results (feedback, transcript,
 * flashcards: up to 400 KB) stay out of the index: the data layer reads them by key (docs/operations.md, "What
 * the history index costs").
 */
function historyIndex(identity: string): IndexDefinition {
  return {
    name: HISTORY_INDEX_NAME,
    partitionKey: USER_ID,
    sortKey: CREATED_AT,
    projection: "INCLUDE",
    nonKeyAttributes: [identity, "status", "error_message", LIFECYCLE_ATTRIBUTES.leaseExpiresAtMs],
  };
}

/** `bandup-evaluations`: Writing and Speaking Evaluator results. */
export const EVALUATIONS_TABLE: TableDefinition = {
  kind: "evaluations",
  baseName: "bandup-evaluations",
  partitionKey: { name: "evaluation_id", type: "S" },
  sortKey: USER_ID,
  historyIndex: historyIndex("evaluation_type"),
  environmentVariable: "DYNAMODB_EVALUATIONS",
};

/** `bandup-flashcard-sets`: Flashcard Generator results. */
export const FLASHCARD_SETS_TABLE: TableDefinition = {
  kind: "flashcard-sets",
  baseName: "bandup-flashcard-sets",
  partitionKey: { name: "set_id", type: "S" },
  sortKey: USER_ID,
  historyIndex: historyIndex("document_id"),
  environmentVariable: "DYNAMODB_FLASHCARD_SETS",
};

/** Both tables of the design, in a stable order. */
export const TABLE_DEFINITIONS: readonly TableDefinition[] = [EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE];

/**
 * The attribute definitions a table needs: exactly the attributes used by its key schema and, when
 * enabled, its index. DynamoDB rejects a definition that no key or index uses, so nothing else goes in.
 */
export function attributeDefinitions(definition: TableDefinition, withHistoryIndex: boolean): KeyAttribute[] {
  const keys = [definition.partitionKey, definition.sortKey];
  if (withHistoryIndex) {
    keys.push(definition.historyIndex.partitionKey, definition.historyIndex.sortKey);
  }
  const byName = new Map<string, KeyAttribute>();
  for (const key of keys) {
    const seen = byName.get(key.name);
    if (seen && seen.type !== key.type) {
      throw new Error(`attribute \`${key.name}\` of table ${definition.baseName} is typed both ${seen.type} and ${key.type}`);
    }
    byName.set(key.name, key);
  }
  return [...byName.values()];
}

/** Plain-object input for DynamoDB `CreateTable` (the SDK's shape, without importing the SDK). */
export interface CreateTableInputShape {
  TableName: string;
  BillingMode: "PAY_PER_REQUEST";
  AttributeDefinitions: { AttributeName: string; AttributeType: KeyAttributeType }[];
  KeySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
  GlobalSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
    Projection: { ProjectionType: "ALL" | "INCLUDE"; NonKeyAttributes?: string[] };
  }[];
}

/**
 * The `CreateTable` input that builds the same table the cdktf construct declares, for tests and
 * local servers such as dynalite.
 */
export function createTableInput(
  definition: TableDefinition,
  tableName: string,
  options: { withHistoryIndex?: boolean } = {},
): CreateTableInputShape {
  const withHistoryIndex = options.withHistoryIndex ?? true;
  const input: CreateTableInputShape = {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: attributeDefinitions(definition, withHistoryIndex).map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: [
      { AttributeName: definition.partitionKey.name, KeyType: "HASH" },
      { AttributeName: definition.sortKey.name, KeyType: "RANGE" },
    ],
  };
  if (withHistoryIndex) {
    const index = definition.historyIndex;
    input.GlobalSecondaryIndexes = [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: "HASH" },
          { AttributeName: index.sortKey.name, KeyType: "RANGE" },
        ],
        Projection:
          index.projection === "INCLUDE"
            ? { ProjectionType: "INCLUDE", NonKeyAttributes: [...index.nonKeyAttributes] }
            : { ProjectionType: "ALL" },
      },
    ];
  }
  return input;
}
