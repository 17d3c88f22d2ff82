/**
 * `npm run plan:review -- <plan.json>...`: Markdown (or `--json`) summary of Terraform plans for a PR
 * comment; exits 1 when a stateful resource would be deleted or replaced. See `--help` and
 * scripts/lib/plan-review/.
 */
import { readFileSync, writeFileSync } from "fs";
import { runPlanReview } from "./lib/plan-review/cli";

process.exitCode = runPlanReview(process.argv.slice(2), {
  readFile: (path) => readFileSync(path, "utf8"),
  writeFile: (path, text) => writeFileSync(path, text),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
