/**
 * The job lifecycle both tables share: an idempotent start, a guarded `processing` -> `completed` /
 * `failed` transition, and a strongly consistent read. The repositories add their own validation and
 * record shapes on top.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DataLayerError, RecordNotFoundError, StatusTransitionError, type RecordKind } from "../shared/errors";
import type { TableDefinition } from "../shared/table-definitions";
import { describeKey, isConditionalCheckFailed } from "./conditional";

/**
 * Result of a start. `created: true`: this call wrote the `processing` record. `created: false`: a
 * record with that key already existed (a retried invocation, a duplicate message) and was left
 * untouched; `record` is that existing record, whatever its status or type, so the caller can skip
 * work already done.
 */
export interface StartResult<T> {
  created: boolean;
  record: T;
}

/** Dependencies of a repository: the client (dynalite in tests) and the table name. */
export interface RepositoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Clock for the default `created_at` (Unix seconds). */
  now?: () => number;
}

/** An extra condition of a transition, e.g. the record's `evaluation_type`, and the error when it fails. */
export interface TransitionGuard {
  readonly attribute: string;
  readonly value: string;
  /** The error for a `processing` record whose attribute has another value. */
  readonly mismatch: (current: Readonly<Record<string, unknown>>) => Error;
}

export interface JobRecordsOptions<T> {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly definition: TableDefinition;
  /** What a record is called in messages and errors. */
  readonly kind: RecordKind;
  /** Turns a stored item into the typed record (throws for a malformed one). */
  readonly decode: (item: unknown) => T;
}

/** The lifecycle operations on one table. Keys and items are validated by the caller. */
export function jobRecords<T>(options: JobRecordsOptions<T>) {
  const { client, tableName, kind, decode } = options;

  async function read(key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    // Strongly consistent: callers read their own writes (a start that lost a race, a diagnosis).
    const result = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return result.Item;
  }

  /** Writes `item` (a `processing` record) unless a record with its key exists; then returns that one. */
  async function start(key: Record<string, string>, item: Record<string, unknown>): Promise<StartResult<T>> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          // A retried invocation must never overwrite a record, whatever its status.
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": options.definition.partitionKey.name },
        }),
      );
      return { created: true, record: decode(item) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await read(key);
    if (existing === undefined) {
      // Only possible if something deletes records; this layer never does.
      throw new DataLayerError(`${kind} ${describeKey(key)} existed when started but is gone now`);
    }
    return { created: false, record: decode(existing) };
  }

  /**
   * Moves a `processing` record to `target`, setting `attributes` (and, with a guard, only if the
   * guarded attribute has its value). On a refused condition, reads the record to say why.
   */
  async function transition(
    key: Record<string, string>,
    target: "completed" | "failed",
    attributes: Record<string, unknown>,
    guard?: TransitionGuard,
  ): Promise<T> {
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, unknown> = { ":processing": "processing", ":target": target };
    const sets = ["#status = :target"];
    for (const [name, value] of Object.entries(attributes)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    // `#status = :processing` is false on a missing item too, so UpdateItem never creates a record.
    let condition = "#status = :processing";
    if (guard) {
      names["#guarded"] = guard.attribute;
      values[":guarded"] = guard.value;
      condition += " AND #guarded = :guarded";
    }
    try {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return decode(result.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const verb = target === "completed" ? "completed" : "marked failed";
    const current = await read(key);
    if (current !== undefined && current.status !== "processing") {
      throw new StatusTransitionError(
        kind,
        key,
        String(current.status),
        target,
        `${kind} ${describeKey(key)} is ${JSON.stringify(current.status)}, not "processing"; it cannot be ${verb}`,
      );
    }
    if (current !== undefined && guard && current[guard.attribute] !== guard.value) {
      throw guard.mismatch(current);
    }
    // Absent now, or `processing` now but created after the refused write (records only move forward).
    throw new RecordNotFoundError(kind, key, `${kind} ${describeKey(key)} does not exist; it cannot be ${verb}`);
  }

  return { read, start, transition };
}
