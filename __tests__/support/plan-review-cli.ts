/**
 * The plan:review command as a child process, as CI runs it: scripts/plan-review.ts compiled once by
 * esbuild into one CommonJS file (what tsx does at every start, about a second on these machines),
 * then run with plain node, so a table of cases costs a fraction of a second each.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const ROOT = join(__dirname, "..", "..");

/** Compiles scripts/plan-review.ts into a temporary folder; returns the file to run with node. */
export function buildPlanReviewCli(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const result = buildSync({
    entryPoints: [join(ROOT, "scripts", "plan-review.ts")],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    write: false,
    logLevel: "silent",
  });
  const file = join(mkdtempSync(join(tmpdir(), "plan-review-cli-")), "plan-review.js");
  writeFileSync(file, result.outputFiles[0].contents);
  return file;
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled command with `args` in `cwd`. */
export function runPlanReviewCli(cli: string, args: readonly string[], cwd: string): CliRun {
  const { status, stdout, stderr } = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  return { status, stdout, stderr };
}
