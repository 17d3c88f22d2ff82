/**
 * Measures how long `plan:review` takes on one resource whose list attribute of N elements changes
 * completely (every element removed and a new one added: the worst case of the list diff), for
 * several N. A hand-made plan: real plans of this stack have no such list, but a resource with a long
 * list (IP sets, policies with many statements, big tag sets) does reach the review.
 *
 *   npx tsx scripts/measure-plan-review.ts            # N = 2500, 5000, 10000, 20000
 *   npx tsx scripts/measure-plan-review.ts 20000      # one N
 *   npx tsx scripts/measure-plan-review.ts --runs=1 20000   # one run instead of the best of three
 *   npx tsx scripts/measure-plan-review.ts --wide           # the 55 MB plan below, once
 *
 * `--wide`: one resource whose map of 1,350,000 entries, three levels under 100-character keys, all
 * change (55 MB of plan JSON): the shape whose `--json` review once passed JavaScript's largest string
 * (exit 3, "Invalid string length"). Prints the time of `--json` and of the comment with `--full-output`.
 *
 * Prints one line per N: the wall time of the whole command (read, parse, analyse, render Markdown
 * and JSON), best of three runs. The review runs in this process, as `scripts/plan-review.ts` runs it.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { performance } from "perf_hooks";
import { runPlanReview } from "./lib/plan-review/cli";

function planWithList(size: number): string {
  const element = (i: number, version: string) => ({ cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24`, note: `${version}-${i}` });
  const before = Array.from({ length: size }, (_, i) => element(i, "old"));
  const after = Array.from({ length: size }, (_, i) => element(i, "new"));
  return JSON.stringify({
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: [
      {
        address: "aws_wafv2_ip_set.big",
        mode: "managed",
        type: "aws_wafv2_ip_set",
        name: "big",
        change: {
          actions: ["update"],
          before: { name: "big", entries: before },
          after: { name: "big", entries: after },
          after_unknown: {},
          before_sensitive: {},
          after_sensitive: {},
        },
      },
    ],
  });
}

/** The `--wide` plan: a map of `leaves` entries three levels under 100-character keys, every entry changed. */
function widePlan(leaves: number): string {
  const build = (value: string): unknown => {
    const bottom: Record<string, string> = {};
    for (let i = 0; i < leaves; i++) bottom[`k${i}`] = `${value}${i}`;
    let tree: unknown = bottom;
    for (let depth = 0; depth < 3; depth++) tree = { [`${"x".repeat(96)}${String(depth).padStart(4, "0")}`]: tree };
    return tree;
  };
  const change = { actions: ["update"], before: { doc: build("o") }, after: { doc: build("n") } };
  return JSON.stringify({ format_version: "1.2", resource_changes: [{ address: "aws_x.wide", mode: "managed", type: "aws_x", name: "wide", change }] });
}

function timeReview(file: string, json: boolean, extra: readonly string[] = []): number {
  const start = performance.now();
  const code = runPlanReview([...(json ? ["--json"] : []), ...extra, file], {
    readFile: (path) => readFileSync(path, "utf8"),
    writeFile: (path, text) => writeFileSync(path, text),
    appendFile: (path, text) => appendFileSync(path, text),
    stdout: () => undefined,
    stderr: (text) => process.stderr.write(text),
  });
  const elapsed = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`plan:review exited ${code}`);
  return elapsed;
}

const args = process.argv.slice(2);
if (args.includes("--wide")) {
  const dir = mkdtempSync(join(tmpdir(), "measure-plan-review-"));
  try {
    const file = join(dir, "wide.json");
    writeFileSync(file, widePlan(1_350_000));
    const megabytes = (readFileSync(file).length / 1e6).toFixed(1);
    const json = timeReview(file, true, ["--output", join(dir, "review.json")]);
    const markdown = timeReview(file, false, ["--output", join(dir, "comment.md"), "--full-output", join(dir, "full.md")]);
    console.log(`${megabytes} MB plan: --json ${json.toFixed(1)} s, comment and --full-output ${markdown.toFixed(1)} s (one run each)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
const runs = Number(args.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 3);
const given = args.filter((a) => !a.startsWith("--runs=") && a !== "--wide").map(Number);
const sizes = given.length > 0 ? given : [2500, 5000, 10000, 20000];
if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("usage: npx tsx scripts/measure-plan-review.ts [--runs=<n>] [<list size>...]");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "measure-plan-review-"));
try {
  for (const size of sizes) {
    const file = join(dir, "bandup-dev.json");
    writeFileSync(file, planWithList(size));
    const best = (json: boolean): number => Math.min(...Array.from({ length: runs }, () => timeReview(file, json)));
    const markdown = best(false);
    const json = best(true);
    console.log(`N = ${size}: Markdown ${markdown.toFixed(3)} s, --json ${json.toFixed(3)} s (best of ${runs})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
