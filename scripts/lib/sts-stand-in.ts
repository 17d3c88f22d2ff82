/**
 * Starts the offline STS stand-in (scripts/lib/sts-stand-in-server.cjs) in a child process: the stacks read
 * the deploying account with `data.aws_caller_identity`, so an offline `terraform plan` needs an STS
 * that answers GetCallerIdentity. A child process (not a server in this one) keeps answering while a
 * caller blocks on a synchronous terraform run.
 */
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/** The account id the stand-in reports, and so the one offline plans put in ARNs. */
export const OFFLINE_ACCOUNT_ID = "123456789012";

/** A running stand-in. */
export interface StsStandIn {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_STS`. */
  readonly endpoint: string;
  /** Stops it (it also stops by itself when this process exits). */
  stop(): void;
}

/** Starts a stand-in; resolves once it listens. */
export function startStsStandIn(account: string = OFFLINE_ACCOUNT_ID): Promise<StsStandIn> {
  const child = spawn(process.execPath, [join(__dirname, "sts-stand-in-server.cjs"), account], { stdio: ["pipe", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    let errors = "";
    child.stderr.on("data", (chunk) => (errors += chunk));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the offline STS stand-in exited (${code}) before listening: ${errors.trim()}`)));
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const line = output.split("\n")[0];
      if (!output.includes("\n")) return;
      const { port } = JSON.parse(line) as { port: number };
      child.removeAllListeners("exit");
      // Neither the child nor its pipes keep this process alive; its stdin closing ends it.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
      resolve({ endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() });
    });
  });
}

/**
 * Starts a stand-in and waits for it synchronously (for callers that run terraform with spawnSync,
 * such as the bench); throws when it does not listen within `timeoutMs`.
 */
export function startStsStandInSync(account: string = OFFLINE_ACCOUNT_ID, timeoutMs = 10_000): StsStandIn {
  const dir = mkdtempSync(join(tmpdir(), "bandup-sts-"));
  const portFile = join(dir, "port.json");
  const child = spawn(process.execPath, [join(__dirname, "sts-stand-in-server.cjs"), account, "--port-file", portFile], {
    stdio: ["pipe", "ignore", "inherit"],
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const started = Date.now(); !existsSync(portFile) || !readFileSync(portFile, "utf8").endsWith("\n"); ) {
    if (Date.now() - started > timeoutMs) {
      child.kill();
      throw new Error(`the offline STS stand-in did not listen within ${timeoutMs} ms`);
    }
    Atomics.wait(pause, 0, 0, 20);
  }
  const { port } = JSON.parse(readFileSync(portFile, "utf8")) as { port: number };
  rmSync(dir, { recursive: true, force: true });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

let shared: Promise<StsStandIn> | undefined;

/** One stand-in per process, started on first use, shared by every offline terraform run. */
export function sharedStsStandIn(): Promise<StsStandIn> {
  shared ??= startStsStandIn();
  return shared;
}
