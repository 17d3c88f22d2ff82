/**
 * `npm run plan:review -- <plan.json>...`: the review of Terraform plans as a PR comment in Markdown
 * (or `--json`), and the whole review with `--full-output`. Exit codes: 0 nothing blocking, 1 a
 * blocking finding, 2 the review cannot run (one line on stderr); 3 a bug in the review itself (with
 * its stack trace), never 1, so that a crash cannot pass for a blocking finding. See `--help` and
 * scripts/lib/plan-review/.
 */
import { appendFileSync, readFileSync, writeFileSync } from "fs";
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
    appendFile: (path, text) => appendFileSync(path, text),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(`plan-review: internal error (a bug in the review, not in the plan): ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = INTERNAL_ERROR;
}
