/**
 * A DynamoDB that misbehaves the way the real one can, for the handler and built-zip tests: an HTTP
 * proxy in front of dynalite (which never loses a response, never throttles) that records every
 * request and injects, on the requests a test chooses:
 *
 * - `lose-response`: the request is applied (forwarded, dynalite answers), then the client's socket
 *   is destroyed instead of answering: the write happened, the caller never learns it;
 * - `hold-response`: applied, and the answer is held until the client gives up (its request timeout
 *   closes the socket): the same, found by a timeout instead of a reset;
 * - `no-answer`: not applied, and no answer until the client gives up: a request DynamoDB never
 *   answers (a stuck connection);
 * - `throttle`: not applied; answered HTTP 400 with DynamoDB's throttling error
 *   (`ProvisionedThroughputExceededException` by default, as an on-demand table answers when a
 *   partition's throughput is exceeded);
 * - `slow-connect`: not applied; the socket is destroyed, and from then on the endpoint completes no
 *   TCP connection (every connect waits, so the SDK's `connectionTimeout` fires) until `restore()`.
 *   TCP connects to a local server complete in the kernel at once, so the endpoint is a gate: a small
 *   node process that relays raw TCP to the proxy, listening with a backlog of 1. To make connects
 *   slow, the gate closes every open connection and stops itself in the same tick (SIGSTOP: it
 *   accepts nothing more), then its accept queue is filled; the kernel then leaves new connects
 *   unanswered (SYNs dropped). `restore()` resumes the gate (SIGCONT).
 *
 *   const dynamo = useDynamoDbFaultProxy(() => db().endpoint);
 *   dynamo().inject((r) => r.operation === "UpdateItem" && r.body.includes('"completed"'), { kind: "throttle" }, 3);
 *   ... dynamo().requests.map((r) => `${r.operation}:${r.fault ?? "ok"}`) ...
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

/** What the proxy does to a matching request. */
export type Fault =
  | { readonly kind: "lose-response" }
  | { readonly kind: "hold-response" }
  | { readonly kind: "no-answer" }
  | { readonly kind: "throttle"; readonly code?: "ProvisionedThroughputExceededException" | "ThrottlingException" | "RequestLimitExceeded" }
  | { readonly kind: "slow-connect" };

/** One request seen by the proxy. */
export interface DynamoDbRequest {
  /** The operation, e.g. "PutItem" (from `x-amz-target`). */
  readonly operation: string;
  /** The body as UTF-8 text (the request's JSON). */
  readonly body: string;
  /** The fault injected, if any. */
  fault?: Fault["kind"];
  /** Whether dynalite applied it (false for a throttled or never forwarded request). */
  applied: boolean;
  /** Milliseconds from the proxy receiving it to its answer, or to the client giving up. */
  ms?: number;
}

export interface DynamoDbFaultProxy {
  /** The endpoint for clients (`AWS_ENDPOINT_URL_DYNAMODB`, or a client's `endpoint`). */
  readonly url: string;
  readonly requests: DynamoDbRequest[];
  /** Injects `fault` on the next `times` requests for which `match` holds (default: all of them). */
  inject(match: (request: DynamoDbRequest) => boolean, fault: Fault, times?: number): void;
  /** Forgets the faults not yet injected (the requests stay). */
  clearFaults(): void;
  /** Ends a `slow-connect`: connections complete again. */
  restore(): Promise<void>;
  /** Forgets the requests and the faults (and restores). Runs before each test. */
  reset(): Promise<void>;
}

interface Rule {
  readonly match: (request: DynamoDbRequest) => boolean;
  readonly fault: Fault;
  left: number;
}

/** The relay the clients connect to: raw TCP to the proxy's port, accept queue of 1. */
const GATE = `
const net = require("net");
const [port] = process.argv.slice(1);
const open = new Set();
const server = net.createServer((socket) => {
  const upstream = net.connect(Number(port), "127.0.0.1");
  open.add(socket);
  open.add(upstream);
  socket.pipe(upstream).pipe(socket);
  const end = () => { socket.destroy(); upstream.destroy(); open.delete(socket); open.delete(upstream); };
  socket.on("error", end); upstream.on("error", end); socket.on("close", end); upstream.on("close", end);
});
// "stop": close every connection (the clients see them closed) and stop at once, in the same tick,
// so that no reconnection is accepted in between.
process.on("message", (message) => {
  if (message !== "stop") return;
  for (const socket of open) socket.destroy();
  process.kill(process.pid, "SIGSTOP");
});
server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => process.stdout.write(String(server.address().port) + "\\n"));
`;

const THROTTLE_MESSAGES: Record<string, string> = {
  ProvisionedThroughputExceededException:
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  ThrottlingException: "Throughput exceeds the current capacity of your table or index.",
  RequestLimitExceeded: "Throughput exceeds the current throughput limit for your account.",
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers beforeAll/afterAll/beforeEach hooks for a fault proxy in front of `upstream()`; returns an accessor. */
export function useDynamoDbFaultProxy(upstream: () => string): () => DynamoDbFaultProxy {
  let server: Server | undefined;
  let gate: ChildProcess | undefined;
  let state: DynamoDbFaultProxy | undefined;
  const sockets = new Set<Socket>();
  /** Connections that fill the stopped gate's accept queue. */
  const fillers: Socket[] = [];
  let stopped = false;

  async function stopGate(gatePort: number): Promise<void> {
    if (stopped) return;
    gate!.send("stop");
    stopped = true;
    await sleep(50);
    // Fill the accept queue until a connect stays pending: from then on no connect completes.
    for (let i = 0; i < 8; i++) {
      const probe = connect(gatePort, "127.0.0.1");
      probe.on("error", () => undefined);
      fillers.push(probe);
      const completed = await new Promise<boolean>((resolve) => {
        probe.once("connect", () => resolve(true));
        setTimeout(() => resolve(false), 200);
      });
      if (!completed) return;
    }
    throw new Error("slow-connect: connections to the stopped gate still complete; this platform cannot simulate a slow connect this way");
  }

  async function restore(): Promise<void> {
    if (!stopped) return;
    gate!.kill("SIGCONT");
    stopped = false;
    for (const socket of fillers.splice(0)) socket.destroy();
    await sleep(20);
  }

  beforeAll(async () => {
    const target = new URL(upstream());
    const requests: DynamoDbRequest[] = [];
    const rules: Rule[] = [];
    let gatePort = 0;
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const target_ = String(req.headers["x-amz-target"] ?? "");
        const seen: DynamoDbRequest = { operation: target_.replace(/^DynamoDB_\d+\./, ""), body: body.toString("utf8"), applied: false };
        const started = Date.now();
        requests.push(seen);
        const rule = rules.find((r) => r.left > 0 && r.match(seen));
        if (rule) {
          rule.left -= 1;
          seen.fault = rule.fault.kind;
        }
        const fault = rule?.fault;
        if (fault?.kind === "throttle") {
          const code = fault.code ?? "ProvisionedThroughputExceededException";
          res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `throttled-${requests.length}` });
          res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${code}`, message: THROTTLE_MESSAGES[code] }));
          seen.ms = Date.now() - started;
          return;
        }
        if (fault?.kind === "no-answer") {
          res.on("close", () => (seen.ms = Date.now() - started));
          return;
        }
        if (fault?.kind === "slow-connect") {
          // The gate closes this request's connection with the others (never forwarded: not applied).
          void stopGate(gatePort);
          return;
        }
        const headers: IncomingHttpHeaders = { ...req.headers };
        const forward = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (chunk: Buffer) => parts.push(chunk));
          answer.on("end", () => {
            seen.applied = answer.statusCode === 200;
            if (fault?.kind === "lose-response") {
              seen.ms = Date.now() - started;
              req.socket.destroy();
              return;
            }
            if (fault?.kind === "hold-response") {
              // Answered only if the client is still there, which its request timeout prevents.
              res.on("close", () => (seen.ms = Date.now() - started));
              return;
            }
            seen.ms = Date.now() - started;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        });
        forward.on("error", () => res.destroy());
        forward.end(body);
      });
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const proxyPort = (server.address() as AddressInfo).port;
    gate = spawn(process.execPath, ["-e", GATE, String(proxyPort)], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
    gatePort = await new Promise<number>((resolve, reject) => {
      gate!.once("error", reject);
      gate!.stdout!.once("data", (data: Buffer) => resolve(Number(data.toString("utf8").trim())));
    });
    state = {
      url: `http://127.0.0.1:${gatePort}`,
      requests,
      inject(match, fault, times = Number.POSITIVE_INFINITY) {
        rules.push({ match, fault, left: times });
      },
      clearFaults() {
        rules.length = 0;
      },
      restore,
      async reset() {
        await restore();
        requests.length = 0;
        rules.length = 0;
      },
    };
  });

  beforeEach(async () => {
    await state?.reset();
  });

  afterAll(async () => {
    await restore().catch(() => undefined);
    gate?.kill("SIGKILL");
    for (const socket of sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  return () => {
    if (!state) throw new Error("the DynamoDB fault proxy is not started: call it inside a test or hook");
    return state;
  };
}
