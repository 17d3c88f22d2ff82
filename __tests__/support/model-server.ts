/**
 * A local HTTP server on 127.0.0.1 that answers like Gemini's `generateContent` API: the only
 * stand-in of the handler tests, because the real API cannot be reached from here. It checks the
 * request shape the Gemini client must send (method, path with the model id, `x-goog-api-key`,
 * JSON body with `contents` and `generationConfig.responseMimeType: "application/json"` and a
 * `responseSchema`), records every request, and answers what the test queued.
 *
 *   const model = useModelServer({ modelId: "gemini-test", apiKey: "test-key" });
 *   model().reply(geminiAnswer({ overall_band: "7.0", ... }));
 *   ... expect(model().problems).toEqual([]); expect(model().requests).toHaveLength(1);
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server answers to one request. */
export interface Reply {
  status?: number;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (when `json` is absent). */
  body?: string;
  /** Wait this long before answering (to exercise the client's timeout). */
  delayMs?: number;
  /** Answer only once this settles (a test holds a model call open while it sends duplicates). */
  gate?: Promise<unknown>;
  headers?: Record<string, string>;
  /**
   * Sends `chunk` `count` times instead of a body (chunked, no Content-Length), waiting for the
   * socket to drain between writes, and stops when the client goes away (see `ModelServer.streams`).
   */
  stream?: { chunk: string; count: number };
}

/** What the server managed to send of a streamed reply. */
export interface StreamRecord {
  /** Bytes the socket took before the stream ended or the client went away. */
  bytesWritten: number;
  /** The client closed the connection before the whole stream was sent. */
  abandoned: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    systemInstruction?: { parts: { text: string }[] };
    contents?: { role: string; parts: ({ text: string } | { inlineData: { mimeType: string; data: string } })[] }[];
    generationConfig?: { responseMimeType?: string; responseSchema?: Record<string, unknown>; temperature?: number };
  };
}

export interface ModelServer {
  url: string;
  requests: RecordedRequest[];
  /** Request-shape violations seen; a test asserts it stays empty. */
  problems: string[];
  /** One entry per streamed reply, filled in as it is sent. */
  streams: StreamRecord[];
  /** Answers the next requests with `reply` (a function gets each request and its index). */
  reply(reply: Reply | ((request: RecordedRequest, index: number) => Reply)): void;
  reset(): void;
}

/** A 200 answer whose first candidate's text is `JSON.stringify(answer)` (or `text` as is). */
export function geminiAnswer(answer: unknown, options: { text?: string; finishReason?: string } = {}): Reply {
  return {
    json: {
      candidates: [
        {
          content: { role: "model", parts: [{ text: options.text ?? JSON.stringify(answer) }] },
          finishReason: options.finishReason ?? "STOP",
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 50, totalTokenCount: 150 },
      modelVersion: "gemini-test",
    },
  };
}

/** An error answer in Google's envelope. */
export function geminiError(status: number, code: string, message: string): Reply {
  return { status, json: { error: { code: status, message, status: code } } };
}

function check(request: RecordedRequest, modelId: string, apiKey: string): string[] {
  const problems: string[] = [];
  const expectedPath = `/v1beta/models/${modelId}:generateContent`;
  if (request.method !== "POST") problems.push(`method ${request.method}, expected POST`);
  if (request.path !== expectedPath) problems.push(`path ${request.path}, expected ${expectedPath}`);
  if (request.headers["x-goog-api-key"] !== apiKey) problems.push(`x-goog-api-key ${JSON.stringify(request.headers["x-goog-api-key"])}`);
  if (!String(request.headers["content-type"]).startsWith("application/json")) problems.push(`content-type ${request.headers["content-type"]}`);
  const config = request.body.generationConfig;
  if (config?.responseMimeType !== "application/json") problems.push(`responseMimeType ${JSON.stringify(config?.responseMimeType)}`);
  if (typeof config?.responseSchema !== "object" || config.responseSchema === null || config.responseSchema.type !== "OBJECT") {
    problems.push(`responseSchema ${JSON.stringify(config?.responseSchema)}`);
  }
  const contents = request.body.contents;
  if (!Array.isArray(contents) || contents.length !== 1 || contents[0].role !== "user" || !(contents[0].parts?.length > 0)) {
    problems.push(`contents ${JSON.stringify(contents)?.slice(0, 200)}`);
  }
  return problems;
}

/**
 * Registers beforeAll/afterAll/beforeEach hooks for a model server; returns an accessor. The model
 * id and key it expects can be functions, read on each request (e.g. from a synthesized stack).
 */
export function useModelServer(options: { modelId: string | (() => string); apiKey: string | (() => string) }): () => ModelServer {
  const expected = (value: string | (() => string)) => (typeof value === "function" ? value() : value);
  let server: Server | undefined;
  let state: ModelServer | undefined;
  let responder: (request: RecordedRequest, index: number) => Reply = () => geminiError(500, "INTERNAL", "no reply queued by the test");
  const sockets = new Set<import("node:net").Socket>();

  beforeAll(async () => {
    const requests: RecordedRequest[] = [];
    const problems: string[] = [];
    const streams: StreamRecord[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        let body: RecordedRequest["body"] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          problems.push("body is not JSON");
        }
        const request: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
        const index = requests.push(request) - 1;
        const found = check(request, expected(options.modelId), expected(options.apiKey));
        problems.push(...found);
        const reply = found.length > 0 ? geminiError(400, "INVALID_ARGUMENT", found.join("; ")) : responder(request, index);
        const sendStream = async (stream: NonNullable<Reply["stream"]>) => {
          const record: StreamRecord = { bytesWritten: 0, abandoned: false };
          streams.push(record);
          res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
          const chunk = Buffer.from(stream.chunk);
          for (let i = 0; i < stream.count; i++) {
            if (res.destroyed) {
              record.abandoned = true;
              return;
            }
            const flushed = res.write(chunk);
            record.bytesWritten += chunk.byteLength;
            if (!flushed) {
              await new Promise<void>((resolve) => {
                res.once("drain", resolve);
                res.once("close", resolve);
              });
            }
          }
          res.end();
        };
        const send = () => {
          if (res.destroyed) return;
          if (reply.stream) {
            void sendStream(reply.stream);
            return;
          }
          const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? "");
          res.writeHead(reply.status ?? 200, { "content-type": reply.json !== undefined ? "application/json" : "text/plain", ...reply.headers });
          res.end(text);
        };
        if (reply.gate) {
          void reply.gate.then(send, send);
        } else if (reply.delayMs) {
          const timer = setTimeout(send, reply.delayMs);
          res.on("close", () => clearTimeout(timer)); // the client gave up: answer nothing
        } else {
          send();
        }
      });
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    state = {
      url: `http://127.0.0.1:${port}`,
      requests,
      problems,
      streams,
      reply(reply) {
        responder = typeof reply === "function" ? reply : () => reply;
      },
      reset() {
        requests.length = 0;
        problems.length = 0;
        streams.length = 0;
        responder = () => geminiError(500, "INTERNAL", "no reply queued by the test");
      },
    };
  });

  beforeEach(() => state?.reset());

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  return () => {
    if (!state) throw new Error("model server is not started: call it inside a test or hook");
    return state;
  };
}
