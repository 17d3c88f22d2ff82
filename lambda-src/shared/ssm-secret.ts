/**
 * The model API key, read from SSM Parameter Store (a SecureString, `GetParameter` with
 * `WithDecryption`), once per container: the first model call fetches it, every later call in the
 * container reuses it. A failed read is not cached, so the next invocation tries again.
 *
 * Nothing is fetched at import or construction time (a cold start makes no network call).
 */
import { GetParameterCommand, SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";

/**
 * SSM client settings: a parameter read is one small call, so a short request timeout and three
 * attempts (standard retry mode: backoff with jitter on throttling/5xx), at most ~10 s in total.
 */
export const SSM_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  retryMode: "standard",
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000, throwOnRequestTimeout: true },
} as const satisfies SSMClientConfig;

let containerClient: SSMClient | undefined;

/** The container's SSM client (created on first use, reused across invocations). */
export function getSsmClient(): SSMClient {
  containerClient ??= new SSMClient({ ...SSM_CLIENT_DEFAULTS });
  return containerClient;
}

/** The part of an SSM client the provider uses (a real `SSMClient`, or a test double). */
export interface SsmLike {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string } }>;
}

/**
 * Returns a function that resolves to the decrypted value of `parameterName`, reading SSM once and
 * caching the value (the promise, so concurrent first calls share one request).
 */
export function createSsmSecretProvider(client: SsmLike, parameterName: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  async function read(): Promise<string> {
    let value: string | undefined;
    try {
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
