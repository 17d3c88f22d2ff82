/**
 * Reading an upload (audio, PDF) from the uploads bucket: one `GetObject`, size-checked before the
 * body is read, with errors worded for a job's `error_message`.
 */
import { GetObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

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

/** An object read whole. */
export interface S3ObjectBytes {
  bytes: Uint8Array;
  /** `Content-Type` as stored, lower-cased without parameters ("audio/wav"), or undefined. */
  contentType?: string;
}

/** A read that failed for a reason worth telling the user (missing, too large, empty). */
export class S3ObjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "S3ObjectError";
  }
}

/** Reads `s3://bucket/key` whole, refusing objects larger than `maxBytes` or empty. */
export async function readS3Object(client: S3Client, bucket: string, key: string, maxBytes: number): Promise<S3ObjectBytes> {
  const where = `s3://${bucket}/${key}`;
  let result;
  try {
    result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "NoSuchKey" || name === "NotFound") throw new S3ObjectError(`${where} does not exist`);
    if (name === "NoSuchBucket") throw new S3ObjectError(`bucket ${JSON.stringify(bucket)} does not exist`);
    if (name === "AccessDenied") throw new S3ObjectError(`reading ${where} was denied (AccessDenied)`);
    throw new S3ObjectError(`reading ${where} failed: ${name}: ${(error as Error).message}`);
  }
  const body = result.Body;
  if (result.ContentLength !== undefined && result.ContentLength > maxBytes) {
    // Do not read what will be refused; release the socket.
    (body as { destroy?: () => void } | undefined)?.destroy?.();
    throw new S3ObjectError(`${where} is ${result.ContentLength} bytes; at most ${maxBytes} bytes are accepted`);
  }
  if (body === undefined) throw new S3ObjectError(`${where} has no body`);
  const bytes = await body.transformToByteArray();
  if (bytes.byteLength > maxBytes) {
    throw new S3ObjectError(`${where} is ${bytes.byteLength} bytes; at most ${maxBytes} bytes are accepted`);
  }
  if (bytes.byteLength === 0) throw new S3ObjectError(`${where} is empty`);
  const contentType = result.ContentType?.split(";")[0].trim().toLowerCase() || undefined;
  return { bytes, contentType };
}
