/**
 * The job lifecycle both tables share, with the semantics of Powertools for AWS Lambda's idempotency
 * utility built on the job records themselves (no third table):
 *
 * - the record's key is the idempotency key (the job id and the user), and `input_hash` is the
 *   payload validation hash: a key used again with other input is reported, never reused;
 * - `start` writes a `processing` record holding a lease (`lease_holder`, `lease_expires_at_ms`:
 *   the attempt's id and the end of its invocation, from the remaining time, like Powertools'
 *   in-progress expiry). A finished record (`completed` or `failed`) is returned as is; a
 *   `processing` record whose lease is still running belongs to another attempt (in progress); one
 *   whose lease passed is taken over by a conditional write (the attempt died or timed out);
 * - `transition` records the outcome only while the caller still holds the lease, and never on a
 *   finished record: `completed` is never overwritten, and an attempt that lost its lease is refused;
 *   the finished record keeps who recorded it (`recorded_by`);
 * - a write whose answer was lost (the SDK retries it, and the retry meets the record the first one
 *   wrote: ConditionalCheckFailed) is recognised by the attempt's id in the record: a start or
 *   takeover finds its own claim (`lease_holder`), an outcome its own `recorded_by`, and goes on;
 * - `release` ends the lease of an attempt that cannot record its outcome (only while it holds it),
 *   so the next delivery takes the job over at once instead of after the invocation's end;
 * - readers see a `processing` record whose lease passed as `failed` ("timed out"), so no reader ever
 *   sees `processing` after its lease.
 *
 * Every write is a conditional PutItem (create only) or an UpdateItem that sets only what changes,
 * so attributes this code does not know (a `ttl`, one added by hand) are kept.
 */
import type { DocumentClientSource, DocumentStore } from "./document-store";
import { DataLayerError, LeaseLostError, RecordNotFoundError, StatusTransitionError, type RecordKind } from "../shared/errors";
import { INPUT_HASH_PATTERN } from "../shared/input-hash";
import { LIFECYCLE_ATTRIBUTES } from "../contract/table-definitions";
import type { TableDefinition } from "../contract/table-definitions";
import { checkNonEmptyString, checkNonNegativeInteger, ensure, ensureObject, ensureOnly } from "../shared/validation";
import { describeKey, isConditionalCheckFailed } from "./conditional";

const { inputHash: INPUT_HASH, leaseHolder: LEASE_HOLDER, leaseExpiresAtMs: LEASE_EXPIRES, recordedBy: RECORDED_BY } = LIFECYCLE_ATTRIBUTES;

/**
 * Per-request options of a write (the SDK's handler options): an abort signal that ends it, retries
 * included, at a deadline, and a request timeout shorter than the client's for that write.
 */
export interface WriteOptions {
  readonly abortSignal?: AbortSignal;
  readonly requestTimeout?: number;
  /** Called when the write turns out to have been applied by an earlier try whose answer was lost. */
  readonly onOwnWriteFound?: () => void;
}

/**
 * Lease of a `processing` record written before leases existed: 900 s after `created_at`, the
 * longest a Lambda invocation can run, so its attempt is surely over by then.
 */
export const LEGACY_LEASE_MS = 900_000;

/** What an attempt claims when it starts a job. */
export interface Claim {
  /** This attempt's id, unique per attempt (an invocation's request id is not: Lambda reuses it on retries). */
  readonly holder: string;
  /** The attempt's clock, Unix ms. */
  readonly nowMs: number;
  /** When the attempt's invocation ends, Unix ms (now + the remaining time): the lease's end. */
  readonly leaseExpiresAtMs: number;
  /** SHA-256 (hex) of the job's input. */
  readonly inputHash: string;
}

/** Longest `lease_holder` accepted, in characters. */
const MAX_HOLDER_LENGTH = 256;

/** Requires a lease holder: a non-empty string of at most 256 characters. */
export function ensureHolder(holder: unknown): string {
  const ok = typeof holder === "string" && checkNonEmptyString(holder) === undefined && holder.length <= MAX_HOLDER_LENGTH;
  ensure("holder", holder, ok ? undefined : `must be the attempt's id, a non-empty string of at most ${MAX_HOLDER_LENGTH} characters`);
  return holder as string;
}

/** Validates a claim before anything is sent. */
export function ensureClaim(claim: unknown): Claim {
  const input = ensureObject("claim", claim);
  ensureOnly(input, ["holder", "nowMs", "leaseExpiresAtMs", "inputHash"], "a claim");
  ensureHolder(input.holder);
  ensure("nowMs", input.nowMs, checkNonNegativeInteger(input.nowMs));
  ensure("leaseExpiresAtMs", input.leaseExpiresAtMs, checkNonNegativeInteger(input.leaseExpiresAtMs));
  const hash = input.inputHash;
  ensure("inputHash", hash, typeof hash === "string" && INPUT_HASH_PATTERN.test(hash) ? undefined : "must be a SHA-256 in hex (64 characters of 0-9, a-f)");
  return input as unknown as Claim;
}

/** The lifecycle attributes a start writes for `claim`. */
export function claimAttributes(claim: Claim): Record<string, string | number> {
  return { [INPUT_HASH]: claim.inputHash, [LEASE_HOLDER]: claim.holder, [LEASE_EXPIRES]: claim.leaseExpiresAtMs };
}

/**
 * Bytes of the lifecycle attributes a finished record keeps, for item-size checks: `input_hash` (64
 * hex digits) and `recorded_by` (a holder: at most `MAX_HOLDER_LENGTH` characters, 4 UTF-8 bytes each).
 */
export const KEPT_LIFECYCLE_BYTES = INPUT_HASH.length + 64 + RECORDED_BY.length + MAX_HOLDER_LENGTH * 4;

/**
 * Result of a start:
 * - `started`: this attempt holds the lease and does the work (a new record, or one taken over from
 *   an attempt whose lease passed: `tookOverFrom` names it). `ownWriteFound` says which of this
 *   attempt's writes was applied though its answer was lost (the record holds this attempt's claim);
 * - `finished`: the job is `completed` or `failed`; `record` is the stored outcome, left untouched;
 * - `in-progress`: another attempt holds a lease that has not passed; nothing was written;
 * - `other-input`: the key exists with other input (another `input_hash`, type or document); nothing
 *   was written. `stored` is the item as stored, so the caller can say what differs.
 */
export type StartResult<T> =
  | { state: "started"; record: T; tookOverFrom?: string; ownWriteFound?: "start" | "takeover" }
  | { state: "finished"; record: T }
  | { state: "in-progress"; record: T; leaseExpiresAtMs: number }
  | { state: "other-input"; record: T; stored: Readonly<Record<string, unknown>> };

/** Dependencies of a repository: the client (dynalite in tests) and the table name. */
export interface RepositoryOptions {
  /** A document client, or a function that resolves to one on first use (document-store.ts). */
  client: DocumentClientSource;
  tableName: string;
  /** Clock for the default `created_at` (Unix seconds). */
  now?: () => number;
  /**
   * Clock of the readers, Unix ms: a `processing` record whose lease ended before it reads as `failed`.
   * @default Date.now
   */
  clockMs?: () => number;
  /**
   * Where a history page reports an item it skipped (malformed).
   * @default - one JSON line on the console
   */
  log?: (level: "warn", message: string, fields: Record<string, unknown>) => void;
}

/** An extra condition of a transition, e.g. the record's `evaluation_type`, and the error when it fails. */
export interface TransitionGuard {
  readonly attribute: string;
  readonly value: string;
  /** The error for a `processing` record whose attribute has another value. */
  readonly mismatch: (current: Readonly<Record<string, unknown>>) => Error;
}

export interface JobRecordsOptions<T> {
  readonly store: DocumentStore;
  readonly tableName: string;
  readonly definition: TableDefinition;
  /** What a record is called in messages and errors. */
  readonly kind: RecordKind;
  /**
   * Attributes of the start item that say which job a record is, besides the key (the evaluation
   * type, the document): a start whose values differ is `other-input`, also on records without
   * `input_hash`.
   */
  readonly identity: readonly string[];
  /** Turns a stored item into the typed record (throws for a malformed one). */
  readonly decode: (item: unknown) => T;
}

/** When the lease of a stored `processing` item ends, Unix ms (see `LEGACY_LEASE_MS` for old items). */
export function leaseEndOf(item: Readonly<Record<string, unknown>>): number {
  const expires = item[LEASE_EXPIRES];
  if (typeof expires === "number") return expires;
  return typeof item.created_at === "number" ? item.created_at * 1000 + LEGACY_LEASE_MS : 0;
}

/** The `error_message` readers see on a `processing` record whose lease passed. */
export function timedOutMessage(leaseEndMs: number): string {
  return (
    `timed out: the attempt working on this job stopped without recording a result (its time ran out at ` +
    `${new Date(leaseEndMs).toISOString()}); invoke the function again with the same id to run it again`
  );
}

/**
 * What a reader shows of a stored item at `nowMs`: the item itself, or, for a `processing` item
 * whose lease passed, the same item as `failed` with a "timed out" `error_message`.
 */
export function readerView(item: Readonly<Record<string, unknown>>, nowMs: number): Record<string, unknown> {
  if (item.status !== "processing") return { ...item };
  const leaseEnd = leaseEndOf(item);
  if (leaseEnd > nowMs) return { ...item };
  return { ...item, status: "failed", error_message: timedOutMessage(leaseEnd) };
}

/** Attempts at a start before giving up: a put, then at most one takeover race, then a last read. */
const START_ROUNDS = 3;

/** The lifecycle operations on one table. Keys and items are validated by the caller. */
export function jobRecords<T>(options: JobRecordsOptions<T>) {
  const { store, tableName, kind, decode, identity } = options;
  const partitionKey = options.definition.partitionKey.name;

  async function read(key: Record<string, string>, options: WriteOptions = {}): Promise<Record<string, unknown> | undefined> {
    // Strongly consistent: callers read their own writes (a start that lost a race, a diagnosis).
    const { onOwnWriteFound: _ignored, ...sendOptions } = options;
    const result = await store.get({ TableName: tableName, Key: key, ConsistentRead: true }, sendOptions);
    return result.Item;
  }

  /** Writes the new record; false when a record with that key exists. */
  async function create(item: Record<string, unknown>): Promise<boolean> {
    try {
      await store.put({
        TableName: tableName,
        Item: item,
        // Never overwrite a record, whatever its status.
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": partitionKey },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  function sameInput(stored: Readonly<Record<string, unknown>>, item: Readonly<Record<string, unknown>>, claim: Claim): boolean {
    if (identity.some((name) => stored[name] !== item[name])) return false;
    return stored[INPUT_HASH] === undefined || stored[INPUT_HASH] === claim.inputHash;
  }

  /**
   * Takes over a `processing` record whose lease passed: sets this attempt's lease (and the input
   * hash, on a record written before hashes), only if the record is still `processing` with a
   * passed lease and the same input. Returns the record, or undefined when another write won.
   */
  async function takeOver(key: Record<string, string>, item: Record<string, unknown>, claim: Claim): Promise<T | undefined> {
    const names: Record<string, string> = {
      "#status": "status",
      "#holder": LEASE_HOLDER,
      "#expires": LEASE_EXPIRES,
      "#hash": INPUT_HASH,
      "#created_at": "created_at",
    };
    const values: Record<string, unknown> = {
      ":processing": "processing",
      ":holder": claim.holder,
      ":expires": claim.leaseExpiresAtMs,
      ":hash": claim.inputHash,
      ":now": claim.nowMs,
      ":legacy_created_before": Math.floor((claim.nowMs - LEGACY_LEASE_MS) / 1000),
    };
    const conditions = [
      "#status = :processing",
      "(attribute_not_exists(#hash) OR #hash = :hash)",
      "(#expires <= :now OR (attribute_not_exists(#expires) AND #created_at <= :legacy_created_before))",
    ];
    identity.forEach((name, i) => {
      names[`#identity${i}`] = name;
      values[`:identity${i}`] = item[name];
      conditions.push(`#identity${i} = :identity${i}`);
    });
    try {
      const result = await store.update(
        {
          TableName: tableName,
          Key: key,
          UpdateExpression: "SET #holder = :holder, #expires = :expires, #hash = :hash",
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        },
      );
      return decode(result.Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Starts the job of `item` (its `processing` record without lifecycle attributes) for the attempt
   * of `claim`; see `StartResult`.
   */
  async function start(key: Record<string, string>, item: Record<string, unknown>, claim: Claim): Promise<StartResult<T>> {
    const claimed = { ...item, ...claimAttributes(claim) };
    /** The holder this attempt tried to take the job over from, and whether it did. */
    let takeover: { from: string; tried: boolean } | undefined;
    for (let round = 1; round <= START_ROUNDS; round++) {
      if (await create(claimed)) return { state: "started", record: decode(claimed) };
      const stored = await read(key);
      // Gone since the put (only a TTL or a hand deletes records): try the put again.
      if (stored === undefined) continue;
      const record = decode(stored);
      if (!sameInput(stored, item, claim)) return { state: "other-input", record, stored };
      if (stored.status === "processing" && stored[LEASE_HOLDER] === claim.holder) {
        // This attempt's own claim: its put (or takeover) was applied, its answer lost, and the
        // SDK's retry of it refused by the record it had written.
        return takeover?.tried
          ? { state: "started", record, tookOverFrom: takeover.from, ownWriteFound: "takeover" }
          : { state: "started", record, ownWriteFound: "start" };
      }
      if (stored.status !== "processing") return { state: "finished", record };
      const leaseEnd = leaseEndOf(stored);
      if (leaseEnd > claim.nowMs) return { state: "in-progress", record, leaseExpiresAtMs: leaseEnd };
      takeover = { from: String(stored[LEASE_HOLDER] ?? "an attempt without a lease"), tried: true };
      const taken = await takeOver(key, item, claim);
      if (taken !== undefined) return { state: "started", record: taken, tookOverFrom: takeover.from };
      // Another delivery took it over or finished it first, or this attempt's takeover was applied
      // and its answer lost: look again.
    }
    throw new DataLayerError(`${kind} ${describeKey(key)} changed under every one of ${START_ROUNDS} attempts to start it`);
  }

  /**
   * Moves a `processing` record held by `holder` to `target`, setting `attributes` and removing the
   * lease (and, with a guard, only if the guarded attribute has its value). On a refused condition,
   * reads the record to say why.
   */
  async function transition(
    key: Record<string, string>,
    target: "completed" | "failed",
    attributes: Record<string, unknown>,
    holder: string,
    guard?: TransitionGuard,
    options: WriteOptions = {},
  ): Promise<T> {
    const { onOwnWriteFound, ...sendOptions } = options;
    const names: Record<string, string> = { "#status": "status", "#holder": LEASE_HOLDER, "#expires": LEASE_EXPIRES, "#recorded_by": RECORDED_BY };
    const values: Record<string, unknown> = { ":processing": "processing", ":target": target, ":holder": holder };
    const sets = ["#status = :target", "#recorded_by = :holder"];
    for (const [name, value] of Object.entries(attributes)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    // `#status = :processing` is false on a missing item too, so UpdateItem never creates a record.
    let condition = "#status = :processing AND #holder = :holder";
    if (guard) {
      names["#guarded"] = guard.attribute;
      values[":guarded"] = guard.value;
      condition += " AND #guarded = :guarded";
    }
    try {
      const result = await store.update(
        {
          TableName: tableName,
          Key: key,
          UpdateExpression: `SET ${sets.join(", ")} REMOVE #holder, #expires`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        },
        sendOptions,
      );
      return decode(result.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const verb = target === "completed" ? "completed" : "marked failed";
    const current = await read(key, sendOptions);
    if (current === undefined) {
      throw new RecordNotFoundError(kind, key, `${kind} ${describeKey(key)} does not exist; it cannot be ${verb}`);
    }
    if (current.status === target && current[RECORDED_BY] === holder && Object.entries(attributes).every(([name, value]) => current[name] === value)) {
      // This attempt's own outcome, exactly as this write sets it: the write was applied, its answer
      // lost, and the SDK's retry of it refused by the record it had written.
      onOwnWriteFound?.();
      return decode(current);
    }
    if (current.status !== "processing") {
      throw new StatusTransitionError(
        kind,
        key,
        String(current.status),
        target,
        `${kind} ${describeKey(key)} is ${JSON.stringify(current.status)}, not "processing"; it cannot be ${verb}`,
      );
    }
    if (guard && current[guard.attribute] !== guard.value) throw guard.mismatch(current);
    if (current[LEASE_HOLDER] !== holder) {
      const currentHolder = typeof current[LEASE_HOLDER] === "string" ? (current[LEASE_HOLDER] as string) : undefined;
      throw new LeaseLostError(
        kind,
        key,
        holder,
        currentHolder,
        `${kind} ${describeKey(key)} is held by ${currentHolder === undefined ? "no attempt" : `attempt ${JSON.stringify(currentHolder)}`}, not by ${JSON.stringify(holder)} (its lease passed and another delivery took the job over); it cannot be ${verb} by this attempt`,
      );
    }
    // `processing` and held by `holder` now, but the write was refused: it changed in between.
    throw new DataLayerError(`${kind} ${describeKey(key)} changed while it was being ${verb}; nothing was written`);
  }

  /**
   * Ends the lease of `holder` now (`lease_expires_at_ms` = `nowMs`), only while the record is
   * `processing` and held by `holder`: the next delivery takes the job over at once. Returns false
   * when the record is not (or no longer) held by `holder`: nothing was written.
   */
  async function release(key: Record<string, string>, holder: string, nowMs: number, options: WriteOptions = {}): Promise<boolean> {
    const { onOwnWriteFound: _ignored, ...sendOptions } = options;
    try {
      await store.update(
        {
          TableName: tableName,
          Key: key,
          UpdateExpression: "SET #expires = :now",
          ConditionExpression: "#status = :processing AND #holder = :holder",
          ExpressionAttributeNames: { "#status": "status", "#holder": LEASE_HOLDER, "#expires": LEASE_EXPIRES },
          ExpressionAttributeValues: { ":processing": "processing", ":holder": holder, ":now": nowMs },
        },
        sendOptions,
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  return { read, start, transition, release };
}
