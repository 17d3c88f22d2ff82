/**
 * An HTTP proxy on 127.0.0.1 in front of a local server (dynalite, s3rver): it forwards every request
 * unchanged (Host header included, so signatures still match), records what it saw, and can drop a
 * chosen request, as a crashed process or a lost connection would: the socket is destroyed and the
 * request never reaches the server.
 *
 *   const proxy = useRecordingProxy(() => db().endpoint);
 *   proxy().dropWhen((r) => r.target === "DynamoDB_20120810.UpdateItem" && r.body.includes('"completed"'));
 *   ... expect(proxy().requests.map((r) => r.target)) ...
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request seen by the proxy. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** `x-amz-target` (the DynamoDB or SSM operation), when present. */
  target?: string;
  /** The body as UTF-8 text. */
  body: string;
  /** True when the proxy dropped it. */
  dropped: boolean;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Drops every request for which `predicate` is true from now on (`undefined`: drop nothing). */
  dropWhen(predicate: ((request: ProxiedRequest) => boolean) | undefined): void;
  reset(): void;
}

/** Registers beforeAll/afterAll/beforeEach hooks for a proxy to `upstream()`; returns an accessor. */
export function useRecordingProxy(upstream: () => string): () => RecordingProxy {
  let server: Server | undefined;
  let state: RecordingProxy | undefined;
  let drop: ((request: ProxiedRequest) => boolean) | undefined;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    const target = new URL(upstream());
    const requests: ProxiedRequest[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const seen: ProxiedRequest = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          target: typeof req.headers["x-amz-target"] === "string" ? req.headers["x-amz-target"] : undefined,
          body: body.toString("utf8"),
          dropped: false,
        };
        requests.push(seen);
        if (drop?.(seen)) {
          seen.dropped = true;
          req.socket.destroy();
          return;
        }
        const forward = httpRequest(
          { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", () => res.destroy());
        forward.end(body);
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
      dropWhen(predicate) {
        drop = predicate;
      },
      reset() {
        requests.length = 0;
        drop = undefined;
      },
    };
  });

  beforeEach(() => state?.reset());

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  return () => {
    if (!state) throw new Error("the recording proxy is not started: call it inside a test or hook");
    return state;
  };
}
