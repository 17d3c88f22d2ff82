/**
 * Shared pieces of the handler tests. The API key comes from a mocked SSM client (`fakeSsm`) behind
 * the real `createSsmSecretProvider` (the built-zip tests use the HTTP stand-in of
 * support/ssm-stand-in.ts instead); everything else is real: DynamoDB is dynalite, S3 is s3rver, the
 * model is the Gemini client talking HTTP to the local model server.
 */
import { GetItemCommand, ScanCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { GetParameterCommand } from "@aws-sdk/client-ssm";
import { createGeminiClient } from "../../../lambda-src/model/gemini-client";
import type { ModelClient } from "../../../lambda-src/model/model-client";
import type { Logger } from "../../../lambda-src/shared/job";
import { createSsmSecretProvider } from "../../../lambda-src/shared/ssm-secret";

export const MODEL_ID = "gemini-test";
export const API_KEY = "test-api-key";
export const KEY_PARAMETER = "/bandup/test/model-api-key";
export const NOW = 1733644800;

/** Logs nothing (the handlers log JSON lines to the console by default). */
export const silentLog: Logger = () => undefined;

/** A mocked SSM client answering GetParameter for `KEY_PARAMETER` only; `calls` records each input. */
export function fakeSsm() {
  const calls: { Name?: string; WithDecryption?: boolean }[] = [];
  return {
    calls,
    async send(command: GetParameterCommand) {
      calls.push({ Name: command.input.Name, WithDecryption: command.input.WithDecryption });
      if (command.input.Name !== KEY_PARAMETER) {
        throw Object.assign(new Error(`Parameter ${command.input.Name} not found.`), { name: "ParameterNotFound" });
      }
      return { Parameter: { Name: KEY_PARAMETER, Type: "SecureString", Value: API_KEY } };
    },
  };
}

/** The real Gemini client pointed at the local model server, key through the SSM provider. */
export function testModelClient(baseUrl: string, ssm = fakeSsm()): ModelClient {
  return createGeminiClient({
    modelId: MODEL_ID,
    baseUrl,
    apiKey: createSsmSecretProvider(ssm, KEY_PARAMETER),
    retryDelayMs: 0,
  });
}

/** The item exactly as stored (typed attribute values), by a raw GetItem. */
export async function rawItem(client: DynamoDBClient, table: string, key: Record<string, string>) {
  const result = await client.send(
    new GetItemCommand({
      TableName: table,
      Key: Object.fromEntries(Object.entries(key).map(([k, v]) => [k, { S: v }])),
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

/** Number of items in a table. */
export async function itemCount(client: DynamoDBClient, table: string): Promise<number> {
  const result = await client.send(new ScanCommand({ TableName: table, Select: "COUNT", ConsistentRead: true }));
  return result.Count ?? 0;
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** A Lambda context with `remainingMs` left (real time) and the request id `awsRequestId`. */
export const contextWith = (remainingMs: number, awsRequestId = "req-test") => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now(), awsRequestId };
};

/** Keeps every log line, as the JSON text the console logger would print, for assertions. */
export function capturingLog(): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  return { lines, log: (level, message, fields = {}) => void lines.push(JSON.stringify({ level, message, ...fields })) };
}

/**
 * A clock for leases: real time plus an offset the test moves forward, so "after the lease" needs
 * no waiting (the handlers and the repositories take it as `clock` / `clockMs`).
 */
export function testClock(): { now: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

/** A gate a test opens when it is ready (e.g. to let a held model call answer). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once `condition()` holds (checked every 10 ms); fails after 20 s naming `what`. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
