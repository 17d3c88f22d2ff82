/**
 * The DynamoDB operations the data layer makes (GetItem, PutItem, UpdateItem, Query through the
 * document client), with the AWS SDK loaded on the first operation, not when a handler's module
 * loads: a cold start evaluates no SDK code before it has an event to work on, and an event refused
 * at the handler's boundary never loads it. Only type imports name the SDK here; the command classes
 * come from dynamodb-client.ts, loaded on first use: in a Lambda bundle from `sdk.js`, the SDK's file
 * beside `index.js` (shared/sdk-file.ts, constructs/lambda-bundle.ts).
 *
 * A repository is given either a document client (tests, custom wiring) or a function that resolves
 * to one (the container's, `containerDocumentClient`, itself loaded on first use).
 */
import type {
  DynamoDBDocumentClient,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import { requireSdkFile } from "../shared/sdk-file";

/** Per-request options (the SDK's handler options): an abort signal, a shorter request timeout. */
export interface SendOptions {
  readonly abortSignal?: AbortSignal;
  readonly requestTimeout?: number;
}

/** A document client, or a function that resolves to one when the first operation needs it. */
export type DocumentClientSource = DynamoDBDocumentClient | (() => Promise<DynamoDBDocumentClient>);

/** The operations, each one request through the document client. */
export interface DocumentStore {
  get(input: GetCommandInput, options?: SendOptions): Promise<GetCommandOutput>;
  put(input: PutCommandInput, options?: SendOptions): Promise<PutCommandOutput>;
  update(input: UpdateCommandInput, options?: SendOptions): Promise<UpdateCommandOutput>;
  query(input: QueryCommandInput, options?: SendOptions): Promise<QueryCommandOutput>;
}

/** dynamodb-client.ts (the SDK's DynamoDB modules with it), loaded on first use (shared/sdk-file.ts). */
function loadDynamoDbModule(): Promise<typeof import("./dynamodb-client")> {
  return typeof BANDUP_SDK_FILE === "string" ? requireSdkFile<typeof import("./dynamodb-client")>() : import("./dynamodb-client");
}

/** The store of `source`. */
export function documentStore(source: DocumentClientSource): DocumentStore {
  const client = async (): Promise<DynamoDBDocumentClient> => (typeof source === "function" ? source() : source);
  const sdk = loadDynamoDbModule;
  return {
    async get(input, options) {
      const [{ GetCommand }, c] = await Promise.all([sdk(), client()]);
      return c.send(new GetCommand(input), options);
    },
    async put(input, options) {
      const [{ PutCommand }, c] = await Promise.all([sdk(), client()]);
      return c.send(new PutCommand(input), options);
    },
    async update(input, options) {
      const [{ UpdateCommand }, c] = await Promise.all([sdk(), client()]);
      return c.send(new UpdateCommand(input), options);
    },
    async query(input, options) {
      const [{ QueryCommand }, c] = await Promise.all([sdk(), client()]);
      return c.send(new QueryCommand(input), options);
    },
  };
}

/** The container's document client (dynamodb-client.ts), its module and the SDK loaded on first use. */
export function containerDocumentClient(): Promise<DynamoDBDocumentClient> {
  return loadDynamoDbModule().then((module) => module.getDocumentClient());
}
