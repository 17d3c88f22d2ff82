/**
 * The S3 client of a Lambda container, built on first use (s3-object.ts loads this module then) and
 * reused by every invocation.
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

// The one command s3-object.ts sends: it loads this module with a dynamic import(), whose every
// export a bundler keeps (the package's own would keep every S3 command).
export { GetObjectCommand } from "@aws-sdk/client-s3";

/**
 * S3 client settings: three attempts (standard retry mode); `requestTimeout` bounds the wait for
 * each chunk of the socket (an upload of tens of MB streams well within it from the same region).
 */
export const S3_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  retryMode: "standard",
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
} as const satisfies S3ClientConfig;

let containerClient: S3Client | undefined;

/** The container's S3 client (created on first use, reused across invocations). */
export function getS3Client(): S3Client {
  containerClient ??= new S3Client({ ...S3_CLIENT_DEFAULTS });
  return containerClient;
}
