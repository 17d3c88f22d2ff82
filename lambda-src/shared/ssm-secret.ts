/**
 * The model API key, read from SSM Parameter Store (a SecureString, `GetParameter` with
 * `WithDecryption`), once per container: the first model call fetches it, every later call in the
 * container reuses it. A failed read is not cached, so the next invocation tries again.
 *
 * Nothing is fetched at import or construction time (a cold start makes no network call).
 */
import type { GetParameterCommand } from "@aws-sdk/client-ssm";
import { requireSdkFile } from "./sdk-file";

/** The container's SSM client (ssm-client.ts), its module and the SDK loaded on first use. */
export function containerSsmClient(): Promise<SsmLike> {
  return loadSsmModule().then((module) => module.getSsmClient());
}

/** ssm-client.ts (the SDK's SSM modules with it), loaded on first use (sdk-file.ts). */
function loadSsmModule(): Promise<typeof import("./ssm-client")> {
  return typeof BANDUP_SDK_FILE === "string" ? requireSdkFile<typeof import("./ssm-client")>() : import("./ssm-client");
}

/** The part of an SSM client the provider uses (a real `SSMClient`, or a test double). */
export interface SsmLike {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string } }>;
}

/**
 * Returns a function that resolves to the decrypted value of `parameterName`, reading SSM once and
 * caching the value (the promise, so concurrent first calls share one request). `source` is a client,
 * or a function that resolves to one on the first read (`containerSsmClient`).
 */
export function createSsmSecretProvider(source: SsmLike | (() => Promise<SsmLike>), parameterName: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  async function read(): Promise<string> {
    let value: string | undefined;
    try {
      const [{ GetParameterCommand }, client] = await Promise.all([loadSsmModule(), typeof source === "function" ? source() : source]);
      const result = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
      value = result.Parameter?.Value;
    } catch (error) {
      const name = (error as Error).name ?? "Error";
      throw new Error(`SSM GetParameter ${JSON.stringify(parameterName)} failed: ${name}: ${(error as Error).message}`);
    }
    if (value === undefined || value.trim() === "") {
      throw new Error(`SSM parameter ${JSON.stringify(parameterName)} is empty`);
    }
    return value.trim();
  }
  return () => {
    cached ??= read().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
