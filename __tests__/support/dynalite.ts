/**
 * An in-process dynalite (a DynamoDB-compatible server on LevelDB/in-memory) for the lambda-src
 * tests: started in beforeAll, the two tables created from table-definitions.ts (so tests exercise
 * the exact key schema and history index the stacks declare), closed in afterAll.
 *
 *   const db = useDynalite();            // at the top of a test file
 *   test("...", () => db().evaluationsTable ...);
 */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../lambda-src/data/dynamodb-client";
import { createTableInput, EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE } from "../../lambda-src/contract/table-definitions";

// dynalite ships no types: a factory returning an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server = require("dynalite");

/** What a test file gets once beforeAll has run. */
export interface DynaliteContext {
  endpoint: string;
  /** Low-level client (raw GetItem, Query) pointed at dynalite. */
  client: DynamoDBClient;
  /** Document client built by the data layer's own factory, pointed at dynalite. */
  documentClient: DynamoDBDocumentClient;
  evaluationsTable: string;
  flashcardSetsTable: string;
}

/** Region and fake credentials every client of a local server uses. */
export const FAKE_CONNECTION = {
  region: "us-east-1",
  credentials: { accessKeyId: "dynalite", secretAccessKey: "dynalite" },
} as const;

let fileCounter = 0;

/** Options of `useDynalite`. */
export interface DynaliteOptions {
  /**
   * The tables' names, read in beforeAll (e.g. from a synthesized stack's environment variables).
   * @default - `<base name>-test-<pid>-<n>`
   */
  tableNames?: () => { evaluations: string; flashcardSets: string };
}

/** Registers beforeAll/afterAll for a dynalite server with both tables; returns an accessor. */
export function useDynalite(options: DynaliteOptions = {}): () => DynaliteContext {
  let server: Server | undefined;
  let context: DynaliteContext | undefined;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new DynamoDBClient({ ...FAKE_CONNECTION, endpoint });
    const documentClient = createDocumentClient({ ...FAKE_CONNECTION, endpoint });
    const suffix = `${process.pid}-${++fileCounter}`;
    const names = options.tableNames?.();
    const evaluationsTable = names?.evaluations ?? `${EVALUATIONS_TABLE.baseName}-test-${suffix}`;
    const flashcardSetsTable = names?.flashcardSets ?? `${FLASHCARD_SETS_TABLE.baseName}-test-${suffix}`;
    for (const input of [
      createTableInput(EVALUATIONS_TABLE, evaluationsTable),
      createTableInput(FLASHCARD_SETS_TABLE, flashcardSetsTable),
    ]) {
      await client.send(new CreateTableCommand(input as CreateTableCommandInput));
    }
    context = { endpoint, client, documentClient, evaluationsTable, flashcardSetsTable };
  });

  afterAll(async () => {
    context?.client.destroy();
    context?.documentClient.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  return () => {
    if (!context) throw new Error("dynalite is not started: call db() inside a test or hook");
    return context;
  };
}
