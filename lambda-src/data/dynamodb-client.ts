/**
 * The DynamoDB document client of a Lambda container: built once per container (module scope) and
 * reused by every invocation, so TCP/TLS connections and credentials are kept warm.
 *
 * Retries and timeouts are explicit rather than SDK defaults:
 * - `maxAttempts: 3` (standard retry mode: exponential backoff with jitter, throttling and 5xx
 *   retried). Each function does a handful of single-item calls per invocation; three attempts ride
 *   out a throttle or a dropped connection, more would only push a stuck call toward the Lambda
 *   timeout, where the whole invocation (and the job's `failed` record) is lost.
 * - `connectionTimeout: 1000` ms: connecting to the regional endpoint takes milliseconds; a second
 *   means a bad connection, better retried on a new one.
 * - `requestTimeout: 5000` ms with `throwOnRequestTimeout: true`: single-item reads/writes and
 *   one-page queries return in tens of ms; without the flag the SDK only logs a warning and waits.
 *   Worst case 3 x (1 s + 5 s) + backoff is about 20 s, well below the functions' timeouts, so a
 *   handler always gets the error back in time to record the job as failed.
 *
 * The options object form of `requestHandler` makes the SDK build its NodeHttpHandler itself, so
 * this module needs no import beyond the two DynamoDB packages (bundle-friendly). The handlers load
 * it on their first DynamoDB request (document-store.ts), not at cold start.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, type TranslateConfig } from "@aws-sdk/lib-dynamodb";

// The commands document-store.ts sends, re-exported here: it loads this module with a dynamic
// import(), whose every export a bundler keeps; naming the four keeps the SDK's other commands out.
export { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

/** The deliberate defaults described above; tests override endpoint, region and credentials. */
export const CLIENT_DEFAULTS = {
  maxAttempts: 3,
  retryMode: "standard",
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
} as const satisfies DynamoDBClientConfig;

/**
 * Document client marshalling: no `removeUndefinedValues` (an undefined attribute is a bug and
 * should throw, not vanish); numbers come back as JS numbers (all ours are small integers).
 */
export const TRANSLATE_CONFIG: TranslateConfig = {
  marshallOptions: { convertEmptyValues: false, removeUndefinedValues: false, convertClassInstanceToMap: false },
  unmarshallOptions: { wrapNumbers: false },
};

/** Builds a new document client with the defaults above, overridden by `overrides` (endpoint, credentials, ...). */
export function createDocumentClient(overrides: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...CLIENT_DEFAULTS, ...overrides }), TRANSLATE_CONFIG);
}

let containerClient: DynamoDBDocumentClient | undefined;

/** The container's shared client (created on first use, then reused across invocations). */
export function getDocumentClient(): DynamoDBDocumentClient {
  containerClient ??= createDocumentClient();
  return containerClient;
}
