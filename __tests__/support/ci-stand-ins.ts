/**
 * Stand-ins on PATH for what a workflow step calls and a test cannot run as such:
 *
 * - `gh`: GitHub's API, out of reach here (and nothing local speaks it). It answers the calls the
 *   workflows make, from environment variables the test sets (`GH_STANDIN_MAIN_HEAD`: main's head;
 *   `GH_STANDIN_PR_HEAD`: the pull request's head; `GH_STANDIN_ISSUES`: the JSON `gh issue list`
 *   prints), records every call in `GH_STANDIN_LOG` (and the body file of an issue it creates or
 *   edits in `$GH_STANDIN_LOG.body`), refuses a call without `GH_TOKEN` (an issue call without
 *   `GH_REPO`), and fails on any other call, so a workflow that calls more fails its test until the
 *   stand-in knows that call.
 * - `npm`: `npm ci` does nothing (the project's node_modules are installed), `npm run synth` writes
 *   the stack of `SYNTH_STANDIN_STACK` (a cdk.tf.json) with one asset into cdktf.out/stacks/$STACK,
 *   and `npm run plan:review -- ...` runs the REAL review, compiled (support/plan-review-cli.ts),
 *   through `reviewShim` below. `BROKEN_EXIT`/`BROKEN_STDERR` make `npm run plan:review` fail the way a
 *   broken install would. Every call is recorded in `NPM_STANDIN_LOG`.
 */
import { chmodSync, mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { buildPlanReviewCli } from "./plan-review-cli";

const GH = `#!/bin/sh
printf '%s\\n' "gh $*" >> "\${GH_STANDIN_LOG:-/dev/null}"
[ -n "$GH_TOKEN" ] || { echo "gh: no GH_TOKEN in the environment" >&2; exit 4; }
case "$*" in
  "api repos/$GITHUB_REPOSITORY/git/ref/heads/main --jq .object.sha") echo "$GH_STANDIN_MAIN_HEAD" ;;
  "api repos/$GITHUB_REPOSITORY/pulls/"*" --jq .head.sha") echo "$GH_STANDIN_PR_HEAD" ;;
  "api --method POST repos/$GITHUB_REPOSITORY/statuses/"*) echo '{}' ;;
  "issue "*)
    [ -n "$GH_REPO" ] || { echo "gh: no GH_REPO for an issue call" >&2; exit 5; }
    case "$*" in
      "issue list --state open --limit 1000 --json number,title") printf '%s\n' "\${GH_STANDIN_ISSUES:-[]}" ;;
      "issue create --title "*" --body-file "*|"issue edit "*" --body-file "*)
        cat "\${*##* }" > "$GH_STANDIN_LOG.body"
        case "$1 $2" in "issue create") echo "https://github.com/$GH_REPO/issues/99" ;; esac ;;
      "issue comment "*" --body "*|"issue close "*) ;;
      *) echo "gh stand-in: an issue call it does not know: gh $*" >&2; exit 99 ;;
    esac ;;
  *) echo "gh stand-in: a call it does not know: gh $*" >&2; exit 99 ;;
esac
`;

const NPM = `#!/bin/sh
printf '%s\\n' "npm $*" >> "\${NPM_STANDIN_LOG:-/dev/null}"
case "$*" in
  ci) exit 0 ;;
  "run synth")
    mkdir -p "cdktf.out/stacks/$STACK/assets"
    cp "$SYNTH_STANDIN_STACK" "cdktf.out/stacks/$STACK/cdk.tf.json"
    echo "an asset synth wrote" > "cdktf.out/stacks/$STACK/assets/asset.txt"
    exit 0 ;;
  "run -s permissions -- --json")
    # The real command, once per stand-in folder (it builds the app: seconds), then its saved output.
    if [ ! -s "$PERMISSIONS_STANDIN_CACHE" ]; then
      (cd "$PROJECT_ROOT" && "$PROJECT_ROOT/node_modules/.bin/tsx" scripts/permissions.ts --json) > "$PERMISSIONS_STANDIN_CACHE" || exit $?
    fi
    cat "$PERMISSIONS_STANDIN_CACHE" ;;
  "run plan:review -- "*)
    shift 3
    if [ -n "$BROKEN_EXIT" ]; then echo "$BROKEN_STDERR" >&2; exit "$BROKEN_EXIT"; fi
    exec node "$PLAN_REVIEW_SHIM" "$@" ;;
  *) echo "npm stand-in: a call it does not know: npm $*" >&2; exit 99 ;;
esac
`;

/**
 * Runs the compiled review with the arguments the workflows give it. TEMPORARY, until the review's
 * CLI has the agreed flags (issue 25: `--full-output`; issue 23: `--permissions-base/--permissions-head`):
 * when `--help` does not list a flag, the shim does what the flag is agreed to do with what the CLI has
 * (`--full-output <file>`: the same text as `--output`, uncut; the permissions files: dropped), and
 * passes everything else through unchanged. Once the flags exist it passes every argument through.
 */
const SHIM = `"use strict";
const { spawnSync } = require("child_process");
const { copyFileSync, existsSync } = require("fs");
const cli = process.env.PLAN_REVIEW_CLI;
const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" }).stdout;
const args = process.argv.slice(2);
let full;
const pass = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--full-output" && !help.includes("--full-output")) { full = args[++i]; continue; }
  if ((args[i] === "--permissions-base" || args[i] === "--permissions-head") && !help.includes(args[i])) { i++; continue; }
  pass.push(args[i]);
}
let output = pass.indexOf("--output") >= 0 ? pass[pass.indexOf("--output") + 1] : undefined;
if (full !== undefined && output === undefined) { pass.unshift("--output", full); output = full; }
const run = spawnSync(process.execPath, [cli, ...pass], { stdio: "inherit" });
if (full !== undefined && full !== output && existsSync(output)) copyFileSync(output, full);
process.exit(run.status === null ? 3 : run.status);
`;

export interface CiStandIns {
  /** Put first on PATH. */
  readonly bin: string;
  /** The environment the stand-ins read (merge it into the runner's). */
  readonly env: Record<string, string>;
  readonly ghLog: string;
  readonly npmLog: string;
}

/** Writes the stand-ins into `folder`/bin; compiles the review once. */
export function writeCiStandIns(folder: string): CiStandIns {
  const bin = join(folder, "bin");
  mkdirSync(bin, { recursive: true });
  const write = (name: string, text: string, mode = 0o755) => {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), mode);
  };
  write("gh", GH);
  write("npm", NPM);
  const shim = join(folder, "plan-review-shim.cjs");
  writeFileSync(shim, SHIM);
  const ghLog = join(folder, "gh.log");
  const npmLog = join(folder, "npm.log");
  writeFileSync(ghLog, "");
  writeFileSync(npmLog, "");
  return {
    bin,
    ghLog,
    npmLog,
    env: {
      PLAN_REVIEW_CLI: buildPlanReviewCli(),
      PLAN_REVIEW_SHIM: shim,
      GH_STANDIN_LOG: ghLog,
      NPM_STANDIN_LOG: npmLog,
      PROJECT_ROOT: join(__dirname, "..", ".."),
      PERMISSIONS_STANDIN_CACHE: join(folder, "permissions.json"),
    },
  };
}
