/**
 * The SSM client of a Lambda container, built on first use (ssm-secret.ts loads this module on the
 * first read of the API key) and reused by every invocation.
 */
import { SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";

// The one command ssm-secret.ts sends: it loads this module with a dynamic import(), whose every
// export a bundler keeps (the package's own would keep every SSM command).
export { GetParameterCommand } from "@aws-sdk/client-ssm";

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
