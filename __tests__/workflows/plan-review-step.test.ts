/**
 * The review steps of pr.yml and deploy-stage.yml, run for real: their `run:` script, taken from the
 * workflow, in bash -e (GitHub's default shell) with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 * `npm` is a stand-in on PATH (no npm install in a test) that runs the real review, compiled (see
 * support/plan-review-cli.ts); two cases make it fail the way a broken install would.
 *
 * HAND-WRITTEN MINIMAL OBJECTS: the plan files are tiny, hand-made subsets of `terraform show -json`.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parse } from "yaml";
import { buildPlanReviewCli } from "../support/plan-review-cli";

const ROOT = join(__dirname, "../..");

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
}
type Workflow = { jobs: Record<string, { steps: Step[] }> };

function load(name: string): Workflow {
  return parse(readFileSync(join(ROOT, ".github/workflows", name), "utf8"));
}

const prSteps = load("pr.yml").jobs.review.steps;
const prReview = prSteps.find((s) => s.id === "review")!;
const deployReview = load("deploy-stage.yml").jobs.deploy.steps.find((s) => s.run?.includes("npm run plan:review"))!;

const NO_CHANGES = JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] });
const TABLE_DELETED = JSON.stringify({
  format_version: "1.2",
  resource_changes: [{ address: "aws_dynamodb_table.t", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["delete"], before: { name: "t" }, after: null } }],
});

let cli: string;
let bin: string;
let work: string;
beforeAll(() => {
  cli = buildPlanReviewCli();
  work = mkdtempSync(join(tmpdir(), "plan-review-step-"));
  bin = join(work, "bin");
  mkdirSync(bin);
  const npm = join(bin, "npm");
  writeFileSync(
    npm,
    [
      "#!/bin/sh",
      '[ "$1 $2 $3" = "run plan:review --" ] || { echo "unexpected npm call: $*" >&2; exit 99; }',
      "shift 3",
      // A broken install or a crash: exits without the review having run.
      'if [ -n "$BROKEN_EXIT" ]; then echo "$BROKEN_STDERR" >&2; exit "$BROKEN_EXIT"; fi',
      'exec node "$PLAN_REVIEW_CLI" "$@"',
      "",
    ].join("\n"),
  );
  chmodSync(npm, 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface StepRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly output: string;
  readonly summary: string;
}

/** Runs a step's script in a fresh workspace holding `plans`; returns its exit code, stdout and files. */
function runStep(step: Step, plans: Record<string, string>, env: Record<string, string> = {}): StepRun {
  const workspace = mkdtempSync(join(work, "ws-"));
  mkdirSync(join(workspace, "plans"));
  for (const [name, text] of Object.entries(plans)) writeFileSync(join(workspace, "plans", name), text);
  const output = join(workspace, "github-output");
  const summary = join(workspace, "step-summary");
  const run = spawnSync("bash", ["-e", "-c", step.run!], {
    cwd: workspace,
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      PLAN_REVIEW_CLI: cli,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: workspace,
      BANDUP_ALLOW_DESTROY: "",
      ...env,
    },
  });
  const read = (file: string): string => (existsSync(file) ? readFileSync(file, "utf8") : "");
  return { status: run.status, stdout: run.stdout, output: read(output), summary: read(summary) };
}

const ALL_CLEAN = { "bandup-dev.json": NO_CHANGES, "bandup-staging.json": NO_CHANGES, "bandup-prod.json": NO_CHANGES };

/** JSON.parse's own message for `text` on this Node.js (Node 22 adds "(line 1 column 2)" to Node 20's). */
function jsonParseMessage(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parses`);
}

describe("pr.yml: the comment only when the review ran; otherwise the job fails with the review's message", () => {
  test("the comment and the failure steps are conditioned on the review's status", () => {
    const comment = prSteps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"))!;
    expect(comment.if).toBe("steps.review.outputs.status == '0' || steps.review.outputs.status == '1'");
    expect(prSteps.find((s) => s.name === "Fail on a destructive change that is not allowed")!.if).toBe("steps.review.outputs.status != '0'");
  });

  test("exit 0: status 0, the review in the job summary, no error", () => {
    const step = runStep(prReview, ALL_CLEAN);
    expect([step.status, step.output]).toEqual([0, "status=0\n"]);
    expect(step.summary).toContain("✅ **No stateful resource is deleted or replaced.**");
    expect(step.stdout).not.toContain("::error");
  });

  test("exit 1: the step passes with status 1 (the comment is posted, then the job fails)", () => {
    const step = runStep(prReview, { ...ALL_CLEAN, "bandup-prod.json": TABLE_DELETED });
    expect([step.status, step.output]).toEqual([0, "status=1\n"]);
    expect(step.summary).toContain("- ⛔ **bandup-prod**: `aws_dynamodb_table.t` (table `t`) will be **deleted**");
  });

  test("BANDUP_ALLOW_DESTROY reaches the review", () => {
    const step = runStep(prReview, { ...ALL_CLEAN, "bandup-prod.json": TABLE_DELETED }, { BANDUP_ALLOW_DESTROY: "bandup-prod:aws_dynamodb_table.t other" });
    expect(step.output).toBe("status=0\n");
    expect(step.summary).toContain("Note: `--allow-destroy other` matched no destructive change.");
  });

  test("exit 2: no status (so no comment), the step fails with the review's one line as the error", () => {
    const step = runStep(prReview, { ...ALL_CLEAN, "bandup-prod.json": "{" });
    expect([step.status, step.output, step.summary]).toEqual([2, "", ""]);
    expect(step.stdout).toContain(
      `::error title=The plan review did not run::plan-review: plans/bandup-prod.json: is not valid JSON (${jsonParseMessage("{")}); pass the output of \`terraform show -json <planfile>\`\n`,
    );
  });

  test("a crash that exits 1 without the review is not taken for a flagged change", () => {
    const step = runStep(prReview, ALL_CLEAN, { BROKEN_EXIT: "1", BROKEN_STDERR: "sh: 1: tsx: not found" });
    expect([step.status, step.output]).toEqual([2, ""]);
    expect(step.stdout).toContain("::error title=The plan review did not run::plan-review exited 1 without writing plan-review.md\n");
  });

  test("every plan in plans/ is reviewed, whatever its stack", () => {
    const step = runStep(prReview, { ...ALL_CLEAN, "bandup-qa.json": TABLE_DELETED });
    expect([step.status, step.output]).toEqual([0, "status=1\n"]);
    expect(step.summary).toContain("- ⛔ **bandup-qa**: `aws_dynamodb_table.t` (table `t`) will be **deleted**");
    for (const stack of ["bandup-dev", "bandup-staging", "bandup-prod", "bandup-qa"]) expect(step.summary).toContain(`| ${stack} |`);
  });

  test("no plan at all: no status (so no comment), the step fails with the review's message", () => {
    const step = runStep(prReview, {});
    expect([step.status, step.output, step.summary]).toEqual([2, "", ""]);
    expect(step.stdout).toContain("::error title=The plan review did not run::plan-review: no plan file given; run with --help for the usage\n");
  });

  test("a % in the message is escaped for the workflow command", () => {
    const step = runStep(prReview, ALL_CLEAN, { BROKEN_EXIT: "2", BROKEN_STDERR: "plan-review: 100% wrong" });
    expect(step.stdout).toContain("::error title=The plan review did not run::plan-review: 100%25 wrong\n");
  });
});

describe("deploy-stage.yml: apply only after exit 0; exit 1 and 2 stop the job with an error", () => {
  test.each([
    ["exit 0", NO_CHANGES, 0, undefined],
    ["exit 1", TABLE_DELETED, 1, "::error title=Destructive change::bandup-dev: the plan loses data or access (see the job summary); not applied. Allow it with BANDUP_ALLOW_DESTROY if intended.\n"],
    ["exit 2", "[]", 2, "::error title=The plan review did not run::plan-review: plans/bandup-dev.json: is JSON but not an object (got an array); pass the output of `terraform show -json <planfile>`\n"],
  ])("%s", (_label, plan, status, error) => {
    const step = runStep(deployReview, { "bandup-dev.json": plan }, { STACK: "bandup-dev" });
    expect(step.status).toBe(status);
    if (error === undefined) expect(step.stdout).not.toContain("::error");
    else expect(step.stdout).toContain(error);
    // The review is in the job summary whenever it ran.
    expect(step.summary.startsWith("<!-- bandup-plan-review -->")).toBe(status !== 2);
  });
});
