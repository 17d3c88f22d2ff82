/**
 * Runs a command and measures its wall time and peak RSS. With GNU time (`/usr/bin/time -f "%e %M"`)
 * the peak RSS is that of the largest process of the tree (Linux `ru_maxrss` of the children, e.g.
 * the node child that `tsx` spawns); without it a `--require` hook in NODE_OPTIONS writes each node
 * process's `process.resourceUsage().maxRSS` at exit and the largest is taken.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { summarize, Summary } from "./stats";

export const GNU_TIME = ["/usr/bin/time", "/bin/time"].find((path) => existsSync(path) && isGnuTime(path));

function isGnuTime(path: string): boolean {
  const probe = spawnSync(path, ["-f", "%e %M", "true"], { encoding: "utf8" });
  return probe.status === 0 && /^\d+(\.\d+)? \d+\s*$/m.test(probe.stderr.trim().split("\n").pop() ?? "");
}

export interface ProcessMeasurement {
  /** Wall time in seconds. */
  readonly wallS: number;
  /** Peak resident set size in MiB (largest process of the tree). */
  readonly peakRssMiB: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Accept a non-zero exit (e.g. a test suite with failing tests); default false. */
  readonly allowFailure?: boolean;
  /** Called with the exit status when a failure is allowed. */
  readonly onStatus?: (status: number | null) => void;
}

let rssHook: string | undefined;
function rssHookFile(): string {
  if (!rssHook) {
    const dir = mkdtempSync(join(tmpdir(), "bandup-bench-rss-"));
    rssHook = join(dir, "rss-hook.cjs");
    writeFileSync(
      rssHook,
      `process.on("exit", () => { const d = process.env.BANDUP_BENCH_RSS_DIR; if (d) require("fs").writeFileSync(require("path").join(d, String(process.pid)), String(process.resourceUsage().maxRSS)); });\n`,
    );
  }
  return rssHook;
}

export function measureProcess(command: string, args: readonly string[], options: RunOptions = {}): ProcessMeasurement {
  const env = { ...process.env, ...options.env };
  const fail = (status: number | null, stdout: string, stderr: string): void => {
    if (status !== 0 && !options.allowFailure) {
      throw new Error(`${command} ${args.join(" ")} exited ${status}:\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`);
    }
    options.onStatus?.(status);
  };
  if (GNU_TIME) {
    const marker = "__BANDUP_BENCH_TIME__";
    const result = spawnSync(GNU_TIME, ["-f", `${marker} %e %M`, command, ...args], {
      cwd: options.cwd,
      env,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    });
    const lines = result.stderr.split("\n");
    const index = lines.findIndex((line) => line.startsWith(marker));
    if (index < 0) throw new Error(`no GNU time output for ${command} ${args.join(" ")}: ${result.stderr.slice(-2000)}`);
    const [, wall, rssKb] = lines[index].split(" ");
    const stderr = lines.filter((_, i) => i !== index).join("\n");
    // GNU time prints "Command exited with non-zero status N" before its own line.
    fail(result.status, result.stdout, stderr);
    return { wallS: Number(wall), peakRssMiB: Number(rssKb) / 1024, stdout: result.stdout, stderr };
  }
  const rssDir = mkdtempSync(join(tmpdir(), "bandup-bench-rss-"));
  const nodeOptions = `${env.NODE_OPTIONS ?? ""} --require ${rssHookFile()}`.trim();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...env, NODE_OPTIONS: nodeOptions, BANDUP_BENCH_RSS_DIR: rssDir },
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
  });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  fail(result.status, result.stdout, result.stderr);
  const rssKb = Math.max(0, ...readdirSync(rssDir).map((f) => Number(readFileSync(join(rssDir, f), "utf8"))));
  rmSync(rssDir, { recursive: true, force: true });
  return { wallS, peakRssMiB: rssKb / 1024, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `warmup` unmeasured runs, then `runs` measured ones. */
export function repeat(
  runs: number,
  warmup: number,
  once: () => ProcessMeasurement,
): ProcessMeasurement[] {
  for (let i = 0; i < warmup; i++) once();
  return Array.from({ length: runs }, () => once());
}

/** Wall time and peak memory of several runs of one command. */
export interface ProcessResult {
  readonly wall: Summary;
  readonly peakRssMiB: Summary;
}

export function processResult(samples: readonly ProcessMeasurement[]): ProcessResult {
  return { wall: summarize(samples.map((s) => s.wallS)), peakRssMiB: summarize(samples.map((s) => s.peakRssMiB)) };
}

/**
 * Two commands measured in turns (a, b, a, b...) after `warmup` turns of each, so that both see the
 * same load on a shared machine; returns the measured runs of each.
 */
export function alternately(
  runs: number,
  warmup: number,
  a: () => ProcessMeasurement,
  b: () => ProcessMeasurement,
): [ProcessMeasurement[], ProcessMeasurement[]] {
  const samplesA: ProcessMeasurement[] = [];
  const samplesB: ProcessMeasurement[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const [sampleA, sampleB] = [a(), b()];
    if (i < warmup) continue;
    samplesA.push(sampleA);
    samplesB.push(sampleB);
  }
  return [samplesA, samplesB];
}
