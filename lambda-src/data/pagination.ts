/**
 * Paged, newest-first listing of a user's items through the history index
 * (`user_id-created_at-index`), with an opaque continuation token.
 *
 * Token: base64url of the JSON of the position to resume after, i.e. the index key plus the table
 * key of the last item returned ({user_id, created_at, <partition key>}); exactly the
 * ExclusiveStartKey DynamoDB wants for a GSI query. It is validated on the way in (shape, types, and
 * that it belongs to the same user) so a forged or foreign token is an `InvalidInputError` naming
 * `nextToken`, never a query of someone else's history.
 *
 * Filters (evaluation type, `status = completed`) are FilterExpressions, applied by DynamoDB after
 * `Limit` items are read, so one Query can return fewer matches than asked. A page is therefore
 * filled by querying again from where the last Query stopped, until it holds `limit` items, the
 * index is exhausted, or `MAX_QUERIES_PER_PAGE` queries were made (bounding the time one call can
 * take when most items are filtered out). In that last case the page is short (possibly empty) but
 * carries a `nextToken`: a caller keeps going while `nextToken` is present, not while pages are full.
 * Likewise, when a page fills exactly on the last matching item DynamoDB still reports a position, so
 * the listing can end with one empty page without a token.
 * When a Query returns more matches than the page still needs, the page ends at the last item kept
 * and the token is built from that item, so nothing is skipped.
 *
 * The index projects only what a history page filters on and what a `processing` or `failed` record
 * shows (table-definitions.ts): a `completed` record's results are read by key (`withFullItems`:
 * GetItem, strongly consistent, a few at a time), so a page returns whole records while every write
 * of a large result is paid once, on the table, not twice.
 *
 * Decoding (`decodeHistoryItems`) never blocks a history: an item that is really malformed (a bad
 * band, an unknown status) is left out of its page with a log line naming its key, and the page
 * keeps its `nextToken`, so the listing goes on past it.
 */
import type { DocumentStore } from "./document-store";
import { InvalidInputError, MalformedItemError } from "../shared/errors";
import type { TableDefinition } from "../contract/table-definitions";
import { checkCreatedAt, checkId, fieldMessage, PARTITION_KEY_MAX_BYTES } from "../shared/validation";
import { readerView } from "./job-records";

/** One page of a listing. `nextToken` is absent once the listing is exhausted. */
export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Paging options common to the listings. */
export interface PageOptions {
  /** Items per page, 1 to `MAX_PAGE_SIZE`; default `DEFAULT_PAGE_SIZE`. */
  limit?: number;
  /** The `nextToken` of the previous page; omit for the first page. */
  nextToken?: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_QUERIES_PER_PAGE = 10;
/** Generous bound for a token (a 2 KB id and a 1 KB user id, base64url-encoded). */
const MAX_TOKEN_LENGTH = 4_500;

type Key = Record<string, string | number>;

/** The three attributes of a position in the history index, from the table definition. */
function positionAttributes(table: TableDefinition): { partition: string; user: string; sort: string } {
  return {
    partition: table.partitionKey.name,
    user: table.historyIndex.partitionKey.name,
    sort: table.historyIndex.sortKey.name,
  };
}

/** Encodes a position as an opaque token. */
export function encodeToken(key: Key): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** Decodes and validates a token for `table` and `userId`; throws `InvalidInputError` on `nextToken`. */
export function decodeToken(token: unknown, table: TableDefinition, userId: string): Key {
  const invalid = (): never => {
    throw new InvalidInputError(
      "nextToken",
      fieldMessage("nextToken", "must be a token returned by the previous page of this listing", token),
    );
  };
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return invalid();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    return invalid();
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return invalid();
  const key = parsed as Record<string, unknown>;
  const names = positionAttributes(table);
  const expected = [names.partition, names.user, names.sort].sort();
  const actual = Object.keys(key).sort();
  if (actual.length !== expected.length || actual.some((name, i) => name !== expected[i])) return invalid();
  if (key[names.user] !== userId) return invalid();
  if (checkId(key[names.partition], PARTITION_KEY_MAX_BYTES) !== undefined) return invalid();
  if (checkCreatedAt(key[names.sort]) !== undefined) return invalid();
  return key as Key;
}

/** Validates a page size. */
export function pageSize(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PAGE_SIZE) {
    throw new InvalidInputError("limit", fieldMessage("limit", `must be an integer from 1 to ${MAX_PAGE_SIZE}`, limit));
  }
  return limit as number;
}

/** A FilterExpression with its placeholders. */
export interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * Reads one page of `userId`'s items from `table`'s history index, newest first, applying `filter`.
 * Items are returned raw (decoding is the caller's).
 */
export async function queryHistoryPage(
  store: DocumentStore,
  tableName: string,
  table: TableDefinition,
  userId: string,
  options: { limit: number; nextToken?: string; filter?: QueryFilter },
): Promise<Page<Record<string, unknown>>> {
  const names = positionAttributes(table);
  let startKey: Key | undefined = options.nextToken === undefined ? undefined : decodeToken(options.nextToken, table, userId);
  const items: Record<string, unknown>[] = [];

  for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
    const needed = options.limit - items.length;
    const result = await store.query({
      TableName: tableName,
      IndexName: table.historyIndex.name,
      KeyConditionExpression: "#user = :user",
      ScanIndexForward: false, // newest first: descending created_at
      // Without a filter every item read is returned, so read exactly what the page needs; with one,
      // read a full page's worth each time so a mostly-filtered history costs few round trips.
      Limit: options.filter ? options.limit : needed,
      ExclusiveStartKey: startKey,
      FilterExpression: options.filter?.expression,
      ExpressionAttributeNames: { "#user": names.user, ...options.filter?.names },
      ExpressionAttributeValues: { ":user": userId, ...options.filter?.values },
    });
    const found = result.Items ?? [];
    if (found.length > needed) {
      // More matches than the page needs: keep `needed`, resume right after the last one kept.
      const kept = found.slice(0, needed);
      items.push(...kept);
      const last = kept[kept.length - 1];
      return {
        items,
        nextToken: encodeToken({
          [names.partition]: last[names.partition] as string,
          [names.user]: last[names.user] as string,
          [names.sort]: last[names.sort] as number,
        }),
      };
    }
    items.push(...found);
    startKey = result.LastEvaluatedKey as Key | undefined;
    if (startKey === undefined || items.length === options.limit) break;
  }
  return startKey === undefined ? { items } : { items, nextToken: encodeToken(startKey) };
}

/** Where a skipped item is reported. */
export type SkipLog = (level: "warn", message: string, fields: Record<string, unknown>) => void;

const consoleSkipLog: SkipLog = (level, message, fields) => console[level](JSON.stringify({ message, ...fields }));

/** GetItem requests in flight at once while a page's results are read by key (a page holds at most `MAX_PAGE_SIZE` items). */
export const FULL_ITEM_READS_IN_FLIGHT = 10;

/** The table key of an index entry (every projection holds it). */
function tableKeyOf(entry: Readonly<Record<string, unknown>>, table: TableDefinition): Record<string, unknown> {
  return { [table.partitionKey.name]: entry[table.partitionKey.name], [table.sortKey.name]: entry[table.sortKey.name] };
}

/**
 * The page's entries as whole items: with an `INCLUDE` index, each `completed` entry is replaced by
 * its item, read by key from the table (strongly consistent, so it is at least as new as the entry);
 * other entries hold all a reader shows. An entry whose item is gone (deleted by hand) is left out
 * with a log line naming its key. With an `ALL` index the entries are returned as they are.
 */
export async function withFullItems(
  store: DocumentStore,
  tableName: string,
  table: TableDefinition,
  entries: readonly Record<string, unknown>[],
  log: SkipLog = consoleSkipLog,
): Promise<Record<string, unknown>[]> {
  if (table.historyIndex.projection === "ALL") return [...entries];
  const items: (Record<string, unknown> | undefined)[] = [...entries];
  const pending = entries.flatMap((entry, i) => (entry.status === "completed" ? [i] : []));
  for (let start = 0; start < pending.length; start += FULL_ITEM_READS_IN_FLIGHT) {
    await Promise.all(
      pending.slice(start, start + FULL_ITEM_READS_IN_FLIGHT).map(async (i) => {
        const key = tableKeyOf(entries[i], table);
        const result = await store.get({ TableName: tableName, Key: key, ConsistentRead: true });
        if (result.Item === undefined) log("warn", "skipped an item of a history page that is no longer in the table", { key });
        items[i] = result.Item;
      }),
    );
  }
  return items.filter((item): item is Record<string, unknown> => item !== undefined);
}

/**
 * Decodes a page's raw items as readers see them at `nowMs` (job-records.ts `readerView`), leaving
 * out, with a log line naming its key, any item that does not decode (`MalformedItemError`).
 */
export function decodeHistoryItems<T>(
  items: readonly Record<string, unknown>[],
  decode: (item: unknown) => T,
  table: TableDefinition,
  nowMs: number,
  log: SkipLog = consoleSkipLog,
): T[] {
  const decoded: T[] = [];
  for (const item of items) {
    try {
      decoded.push(decode(readerView(item, nowMs)));
    } catch (error) {
      if (!(error instanceof MalformedItemError)) throw error;
      const key = { [table.partitionKey.name]: item[table.partitionKey.name], [table.sortKey.name]: item[table.sortKey.name] };
      log("warn", "skipped a malformed item of a history page", { key, error: error.message });
    }
  }
  return decoded;
}
