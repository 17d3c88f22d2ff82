/**
 * Reading an upload (audio, PDF) from the uploads bucket: one `GetObject`, size-checked before the
 * body is read, with errors worded for a job's `error_message`.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { requireSdkFile } from "./sdk-file";

/**
 * An S3 client, or a function that resolves to one on the first read (the container's:
 * `containerS3Client`, its SDK loaded then, not when the handler's module loads).
 */
export type S3ClientSource = S3Client | (() => Promise<S3Client>);

/** The container's S3 client (s3-client.ts), its module and the SDK loaded on first use. */
export function containerS3Client(): Promise<S3Client> {
  return loadS3Module().then((module) => module.getS3Client());
}

/** s3-client.ts (the SDK's S3 modules with it), loaded on first use (sdk-file.ts). */
function loadS3Module(): Promise<typeof import("./s3-client")> {
  return typeof BANDUP_SDK_FILE === "string" ? requireSdkFile<typeof import("./s3-client")>() : import("./s3-client");
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
export async function readS3Object(source: S3ClientSource, bucket: string, key: string, maxBytes: number): Promise<S3ObjectBytes> {
  const where = `s3://${bucket}/${key}`;
  const [{ GetObjectCommand }, client] = await Promise.all([loadS3Module(), typeof source === "function" ? source() : source]);
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
