/**
 * An in-process s3rver (an S3-compatible server on the file system) on 127.0.0.1 and a random port,
 * with the uploads bucket created, for the handler tests. Clients reach it through a recording proxy
 * (recording-proxy.ts), so a test can assert which requests were made, or that none was:
 *
 *   const s3 = useS3rver();
 *   await s3().put("uploads/audio/user-1/a.wav", bytes, "audio/wav");
 *   createSpeakingEvaluatorHandler({ s3: s3().client, uploadsBucket: s3().bucket, ... })
 *   expect(s3().requests()).toEqual([]);
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { S3_CLIENT_DEFAULTS } from "../../lambda-src/shared/s3-client";
import { useRecordingProxy, type ProxiedRequest } from "./recording-proxy";

// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver: new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> } = require("s3rver");

export interface S3rverContext {
  /** The endpoint clients use: the recording proxy in front of s3rver. */
  endpoint: string;
  bucket: string;
  /** A client with the handlers' own settings, pointed at s3rver (path-style) through the proxy. */
  client: S3Client;
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Requests that reached s3rver since the current test began (setup in `beforeAll` is not in it). */
  requests(): ProxiedRequest[];
}

/** `bucket`: its name, or a function that gives it in beforeAll (e.g. from a synthesized stack). */
export function useS3rver(bucketName: string | (() => string) = "bandup-uploads-test"): () => S3rverContext {
  let server: InstanceType<typeof S3rver> | undefined;
  let directory: string | undefined;
  let serverEndpoint: string | undefined;
  let context: S3rverContext | undefined;

  let bucket = "";

  beforeAll(async () => {
    bucket = typeof bucketName === "function" ? bucketName() : bucketName;
    directory = mkdtempSync(join(tmpdir(), "s3rver-"));
    server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
    const { port } = await server.run();
    serverEndpoint = `http://127.0.0.1:${port}`;
  });

  const proxy = useRecordingProxy(() => serverEndpoint!);

  beforeAll(() => {
    const endpoint = proxy().url;
    const client = new S3Client({
      ...S3_CLIENT_DEFAULTS,
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      // s3rver predates S3's default CRC32 checksums (aws-chunked uploads): only when required.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    context = {
      endpoint,
      bucket,
      client,
      async put(key, body, contentType) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
      },
      requests: () => proxy().requests,
    };
  });

  afterAll(async () => {
    context?.client.destroy();
    await server?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  return () => {
    if (!context) throw new Error("s3rver is not started: call it inside a test or hook");
    return context;
  };
}
