/**
 * `npm run plan:review -- <plan.json>...`: Markdown (or `--json`) summary of Terraform plans for a PR
 * comment. Exit codes: 0 nothing flagged, 1 a flagged change, 2 a usage or input problem (one line on
 * stderr); 3 a bug in the review itself (with its stack trace), never 1, so that a crash cannot pass
 * for a flagged change. See `--help` and scripts/lib/plan-review/.
 */
import { readFileSync, writeFileSync } from "fs";
import { runPlanReview } from "./lib/plan-review/cli";

/** Exit code of an unexpected error: node's own default (1) would read as "a flagged change". */
const INTERNAL_ERROR = 3;

process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // A reader that stops early (`| head`) closes the pipe: the review's exit code still stands.
  if (error.code === "EPIPE") return;
  process.stderr.write(`plan-review: stdout cannot be written (${error.message}); use --output <file>\n`);
  process.exit(2);
});

try {
  process.exitCode = runPlanReview(process.argv.slice(2), {
    readFile: (path) => readFileSync(path, "utf8"),
    writeFile: (path, text) => writeFileSync(path, text),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(`plan-review: internal error (a bug in the review, not in the plan): ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = INTERNAL_ERROR;
}
