/**
 * The review as the workflows run it, step by step in bash (support/workflow-runner.ts):
 *
 * - pr-review.yml's job, on the artifacts of a pull request's run: the comment (sticky action
 *   recorded), the commit status, the job's result; failed or missing plans turned into "plan or
 *   review failed for <stack>: <reason>" while the other plans are still reviewed; exit 2 the same;
 *   untrusted artifact content cut to plain text;
 * - pr.yml's plan job when it ends without a plan: the reason it leaves for the review;
 * - deploy-stage.yml's review step: exit 0 goes on, exit 1 and 2 stop the job with an error;
 * - the BANDUP_ALLOW_DESTROY / _LOSS / _DRIFT loop, the same text in both workflows, with entries holding `[`, `*`, `?`
 *   in a folder where they would match files, under nullglob.
 *
 * `npm` and `gh` are stand-ins (support/ci-stand-ins.ts); `npm run plan:review` runs the real review.
 * HAND-WRITTEN MINIMAL OBJECTS: the plan files are tiny, hand-made subsets of `terraform show -json`.
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentList } from "../../scripts/lib/environment-list";
import { CiStandIns, writeCiStandIns } from "../support/ci-stand-ins";
import { condition, JobRun, runJob } from "../support/workflow-runner";
import { Job, loadWorkflow, Step } from "../support/workflows";

const prReview = loadWorkflow("pr-review.yml");
const pr = loadWorkflow("pr.yml");
const deployStage = loadWorkflow("deploy-stage.yml");
const LIST = environmentList();
const STACKS = LIST.environments.map((e) => e.stack);
const REPOSITORY = "my-org/bandup-infra";
const HEAD = "3333333333333333333333333333333333333333";
const PR_RUN_URL = `https://github.com/${REPOSITORY}/actions/runs/777`;

const NO_CHANGES = JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] });
const TABLE_DELETED = JSON.stringify({
  format_version: "1.2",
  resource_changes: [{ address: "aws_dynamodb_table.t", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["delete"], before: { name: "t" }, after: null } }],
});

let work: string;
let standIns: CiStandIns;
/** `npm run -s permissions -- --json` of this project. */
let PERMISSIONS: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bandup-review-jobs-"));
  standIns = writeCiStandIns(work);
  // The bootstrap's policies as the pull request's run derived them: the real `npm run -s permissions
  // -- --json` (through the stand-in, which runs it once and keeps its output), so base and head agree.
  const permissions = spawnSync(join(standIns.bin, "npm"), ["run", "-s", "permissions", "--", "--json"], {
    encoding: "utf8",
    env: { ...process.env, ...standIns.env },
  });
  if (permissions.status !== 0) throw new Error(`npm run -s permissions -- --json failed: ${permissions.stderr}`);
  PERMISSIONS = permissions.stdout;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What the pull request's run left as artifacts. */
interface PrRun {
  /** review-input/environments.json; null: no such artifact. */
  readonly environments?: string | null;
  readonly plans?: Record<string, string>;
  readonly noPlan?: Record<string, string>;
  /** review-input/permissions-head.json; null: the run left none. Default: the project's own. */
  readonly permissionsHead?: string | null;
}

const ALL_CLEAN: Record<string, string> = Object.fromEntries(STACKS.map((s) => [`${s}.json`, NO_CHANGES]));

interface ReviewRun extends JobRun {
  readonly comments: { number: string; header: string; body: string }[];
  readonly statuses: string[];
  readonly reviewArgs: string[];
}

/** Runs pr-review.yml's job after a pull request's run that left `prRun`. */
async function reviewJob(prRun: PrRun, options: { allow?: string; prHead?: string; env?: Record<string, string> } = {}): Promise<ReviewRun> {
  const workspace = mkdtempSync(join(work, "review-"));
  const comments: ReviewRun["comments"] = [];
  writeFileSync(standIns.ghLog, "");
  writeFileSync(standIns.npmLog, "");
  const files = (folder: string, contents: Record<string, string> = {}) => {
    if (Object.keys(contents).length === 0) return;
    mkdirSync(join(workspace, folder), { recursive: true });
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(workspace, folder, name), text);
  };
  const action = (step: Step, inputs: Record<string, string>) => {
    const uses = step.uses!.split("@")[0];
    if (uses === "actions/download-artifact") {
      // The artifacts of the pull request's run, not this one's.
      expect([inputs["run-id"], inputs["github-token"]]).toEqual(["777", "ghs_stand_in"]);
      if (inputs.pattern === "review-input") {
        files("review-input", {
          ...(prRun.environments === null ? {} : { "environments.json": prRun.environments ?? JSON.stringify(LIST) }),
          ...(prRun.permissionsHead === null ? {} : { "permissions-head.json": prRun.permissionsHead ?? PERMISSIONS }),
        });
      }
      else if (inputs.pattern === "plan-*") files("plans", prRun.plans);
      else if (inputs.pattern === "no-plan-*") files("no-plan", prRun.noPlan);
      else throw new Error(`unexpected download: ${inputs.pattern}`);
      return {};
    }
    if (uses === "marocchino/sticky-pull-request-comment") {
      comments.push({ number: inputs.number, header: inputs.header, body: inputs.message || readFileSync(join(workspace, inputs.path), "utf8") });
      return {};
    }
    if (uses === "actions/checkout") {
      expect(inputs).toEqual({ "persist-credentials": "false" });
      return {};
    }
    if (uses === "actions/setup-node") return {};
    throw new Error(`an action this test does not emulate: ${step.uses}`);
  };
  const run = await runJob({
    workflow: prReview,
    job: prReview.jobs.review,
    workspace,
    contexts: {
      github: {
        token: "ghs_stand_in",
        repository: REPOSITORY,
        run_id: "888",
        server_url: "https://github.com",
        event: { workflow_run: { id: 777, html_url: PR_RUN_URL, head_sha: HEAD, event: "pull_request", conclusion: "failure", pull_requests: [{ number: 12 }] } },
      },
      vars: { BANDUP_ALLOW_DESTROY: options.allow ?? "", BANDUP_ALLOW_LOSS: "" },
    },
    env: {
      ...process.env,
      ...standIns.env,
      PATH: `${standIns.bin}:${process.env.PATH}`,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "888",
      GH_STANDIN_PR_HEAD: options.prHead ?? HEAD,
      ...options.env,
    },
    action,
  });
  const statuses = readFileSync(standIns.ghLog, "utf8")
    .split("\n")
    .filter((line) => line.includes("/statuses/"));
  const reviewCall = readFileSync(standIns.npmLog, "utf8")
    .split("\n")
    .find((line) => line.startsWith("npm run plan:review -- "));
  return { ...run, comments, statuses, reviewArgs: reviewCall ? reviewCall.slice("npm run plan:review -- ".length).split(" ") : [] };
}

const status = (state: string, description: string) =>
  `gh api --method POST repos/${REPOSITORY}/statuses/${HEAD} -f state=${state} -f context=bandup/plan-review -f description=${description} -f target_url=https://github.com/${REPOSITORY}/actions/runs/888`;
const failedStep = (run: JobRun) => run.steps.find((s) => s.outcome === "failure")?.name;

describe("pr-review.yml: when it runs", () => {
  const runsFor = (workflowRun: Record<string, unknown>) =>
    condition(prReview.jobs.review.if, { contexts: { github: { event: { workflow_run: { event: "pull_request", conclusion: "success", pull_requests: [{ number: 12 }], ...workflowRun } } } } });

  test("after every completed run of pr.yml for a pull request of this repository, failed ones included; not for a cancelled run, nor without a pull request (forks)", () => {
    expect(prReview.on).toEqual({ workflow_run: { workflows: ["pr"], types: ["completed"] } });
    expect(pr.name).toBe("pr");
    expect([runsFor({}), runsFor({ conclusion: "failure" }), runsFor({ conclusion: "cancelled" }), runsFor({ pull_requests: [] }), runsFor({ event: "push" })]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("pr-review.yml: one comment that never lies by omission, and the commit status", () => {
  test("every plan clean: the review is the comment (after the marker), the status success, the job passes", async () => {
    const run = await reviewJob({ plans: ALL_CLEAN });
    expect([run.failed, failedStep(run)]).toEqual([false, undefined]);
    expect(run.comments).toHaveLength(1);
    expect(run.comments[0]).toMatchObject({ number: "12", header: "bandup-plan-review" });
    expect(run.comments[0].body).toContain("No change loses data or access");
    expect(run.comments[0].body).not.toContain("plan or review failed");
    expect(run.statuses).toEqual([status("success", "Every plan reviewed; nothing blocking")]);
    // The whole review in the job summary.
    expect(run.summary).toContain("| `bandup-dev` |");
    // main's review, on the downloaded plans, every stack of the list.
    expect(run.reviewArgs.slice(0, 4)).toEqual(["--output", "plan-review.md", "--full-output", "plan-review-full.md"]);
    // main's bootstrap policies against the pull request's (issue 23: "deploy bandup-bootstrap first").
    expect(run.reviewArgs.slice(4, 8)).toEqual(["--permissions-base", "permissions-base.json", "--permissions-head", "review-input/permissions-head.json"]);
    expect(run.reviewArgs.slice(8).sort()).toEqual(STACKS.map((s) => `plans/${s}.json`).sort());
  }, 60_000);

  test("a run that left no permissions document: a notice for it, the plans still reviewed, the status fails", async () => {
    const run = await reviewJob({ plans: ALL_CLEAN, permissionsHead: null });
    expect(run.comments).toHaveLength(1);
    expect(run.comments[0].body).toContain(
      "- ⛔ plan or review failed for the bootstrap's permissions: the run left no permissions document (its environments job failed or did not run)",
    );
    expect(run.reviewArgs).not.toContain("--permissions-head");
    expect(run.statuses).toEqual([status("failure", "A plan or its review failed: see the comment")]);
    expect(run.failed).toBe(true);
  }, 60_000);

  test("a flagged change: the comment shows it, the status fails, the job fails after commenting", async () => {
    const run = await reviewJob({ plans: { ...ALL_CLEAN, "bandup-prod.json": TABLE_DELETED } });
    expect(run.comments[0].body).toContain("`aws_dynamodb_table.t`");
    expect(run.statuses).toEqual([status("failure", "A plan loses data or access: see the comment")]);
    expect(failedStep(run)).toBe("Fail unless every plan was reviewed and nothing blocks");
    expect(run.stdout).toContain("::error title=Plan review::A plan loses data or access: see the comment.");
  }, 60_000);

  test("an allowed change (a <stack>:<address> entry of BANDUP_ALLOW_DESTROY) passes", async () => {
    const run = await reviewJob({ plans: { ...ALL_CLEAN, "bandup-prod.json": TABLE_DELETED } }, { allow: "bandup-prod:aws_dynamodb_table.t" });
    expect([run.failed, run.statuses]).toEqual([false, [status("success", "Every plan reviewed; nothing blocking")]]);
  }, 60_000);

  test("one environment's plan failed (its role variable is not set): the notice for it, the review of the others still runs and is posted, the status fails", async () => {
    const { "bandup-staging.json": _missing, ...others } = ALL_CLEAN;
    const run = await reviewJob({ plans: others, noPlan: { "bandup-staging.txt": "the repository variable BANDUP_PLAN_ROLE_ARN_STAGING is not set\n" } });
    const body = run.comments[0].body;
    expect(body).toContain("- ⛔ plan or review failed for bandup-staging: the repository variable BANDUP_PLAN_ROLE_ARN_STAGING is not set\n");
    expect(body).toContain(`The pull request's run: ${PR_RUN_URL}`);
    // The previous comment (possibly ✅) is replaced: the notice comes first, then the others' review.
    expect(body.indexOf("plan or review failed")).toBeLessThan(body.indexOf("| `bandup-dev` |"));
    expect(run.reviewArgs.filter((a) => a.startsWith("plans/")).sort()).toEqual(["plans/bandup-dev.json", "plans/bandup-prod.json"]);
    expect(run.statuses).toEqual([status("failure", "A plan or its review failed: see the comment")]);
    expect(run.failed).toBe(true);
  }, 60_000);

  test("no plan and no reason (the job was skipped or died): a notice for each stack the pull request lists", async () => {
    const run = await reviewJob({});
    for (const stack of STACKS) expect(run.comments[0].body).toContain(`- ⛔ plan or review failed for ${stack}: its plan job left no plan (it did not run, or ended before saying why)\n`);
    expect(run.reviewArgs).toEqual([]);
    expect(run.statuses).toEqual([status("failure", "A plan or its review failed: see the comment")]);
  }, 60_000);

  test("no list of environments (the run failed before listing them): the notice says so", async () => {
    const run = await reviewJob({ environments: null });
    expect(run.comments[0].body).toContain("- ⛔ plan or review failed for every environment: the run listed no environments (its environments job failed or did not run)\n");
    expect(run.failed).toBe(true);
  }, 60_000);

  test("the review exits 2 (a plan it cannot read): a notice for each stack it was given, with its message, and no stale review", async () => {
    const run = await reviewJob({ plans: { ...ALL_CLEAN, "bandup-prod.json": "{" } });
    const body = run.comments[0].body;
    for (const stack of STACKS) expect(body).toMatch(new RegExp(`- ⛔ plan or review failed for ${stack}: plan-review: plans/bandup-prod\\.json: is not valid JSON`));
    expect(body).not.toContain("| `bandup-dev` |");
    expect(run.statuses).toEqual([status("failure", "A plan or its review failed: see the comment")]);
  }, 60_000);

  test("a broken install that exits 1 without the review is not taken for a flagged change", async () => {
    const run = await reviewJob({ plans: ALL_CLEAN }, { env: { BROKEN_EXIT: "1", BROKEN_STDERR: "sh: 1: tsx: not found" } });
    expect(run.comments[0].body).toContain("- ⛔ plan or review failed for bandup-dev: the review exited 1 without writing its comment\n");
    expect(run.statuses).toEqual([status("failure", "A plan or its review failed: see the comment")]);
  }, 60_000);

  test("what comes from the pull request's run is data: a reason is cut to one plain line, a stack name that is not plain is not used", async () => {
    const list = JSON.parse(JSON.stringify(LIST));
    list.environments.push({ ...list.environments[0], stack: "bandup-x](https://evil.example)" });
    const run = await reviewJob({
      environments: JSON.stringify(list),
      plans: { "bandup-dev.json": NO_CHANGES, "bandup-prod.json": NO_CHANGES, "x`y.json": NO_CHANGES },
      noPlan: { "bandup-staging.txt": "**bold** `code` <img src=x> [link](https://evil.example)\nsecond line" },
    });
    const body = run.comments[0].body;
    expect(body).toContain("- ⛔ plan or review failed for bandup-staging: bold code img src=x link(https://evil.example)\n");
    expect(body).toContain("- ⛔ plan or review failed for an environment: its stack name is not a plain name\n");
    expect(body).not.toContain("second line");
    expect(body).not.toContain("](https://evil.example)");
    expect(run.reviewArgs).not.toContain("plans/x`y.json");
  }, 60_000);

  test("the pull request moved on (a newer push): no comment from this run, its commit still gets its status", async () => {
    const run = await reviewJob({ plans: ALL_CLEAN }, { prHead: "4444444444444444444444444444444444444444" });
    expect(run.comments).toEqual([]);
    expect(run.stdout).toContain(`::notice::not commenting: the pull request's head is now 4444444444444444444444444444444444444444, not ${HEAD}`);
    expect(run.statuses).toEqual([status("success", "Every plan reviewed; nothing blocking")]);
  }, 60_000);

  test("the review job itself breaks: the comment is still replaced by a notice, and the status is error", async () => {
    // A runner whose `cat` fails on the review's stderr file: the review step dies half-way.
    const bin = mkdtempSync(join(work, "broken-bin-"));
    writeFileSync(join(bin, "cat"), '#!/bin/sh\nfor a in "$@"; do [ "$a" = plan-review.err ] && exit 1; done\nexec /bin/cat "$@"\n');
    chmodSync(join(bin, "cat"), 0o755);
    const run = await reviewJob({ plans: ALL_CLEAN }, { env: { PATH: `${bin}:${standIns.bin}:${process.env.PATH}` } });
    expect(failedStep(run)).toBe("Review the plans");
    expect(run.comments).toEqual([
      {
        number: "12",
        header: "bandup-plan-review",
        body: "⛔ plan or review failed for every environment: the review job broke before it wrote its comment; see https://github.com/my-org/bandup-infra/actions/runs/888",
      },
    ]);
    expect(run.statuses).toEqual([status("error", "The review job broke before it finished")]);
  }, 60_000);
});

describe("pr.yml's plan job: when it ends without a plan, it says why", () => {
  const planJob = pr.jobs.plan;
  const recordStep = planJob.steps!.find((s) => s.name === "Why there is no plan (read by pr-review.yml)")!;
  const entry = LIST.environments[1];

  /** The job's steps up to `failing`, which fails, then the record step; returns what it wrote. */
  async function recordAfter(failing: string | undefined): Promise<string> {
    const workspace = mkdtempSync(join(work, "plan-"));
    // No failing step: the job is cancelled (timed out) during its plan.
    const steps: Step[] = [{ id: "synth", run: "true" }, { id: failing ?? "plan", run: "exit 1" }, recordStep];
    await runJob({
      cancelAt: failing === undefined ? "plan" : undefined,
      workflow: pr,
      job: { ...planJob, steps } as Job,
      workspace,
      contexts: { matrix: entry as never, vars: {}, github: { workspace } },
      env: { ...process.env },
      action: () => ({}),
    });
    return readFileSync(join(workspace, "no-plan", `${entry.stack}.txt`), "utf8");
  }

  test.each([
    ["synth", "npm run synth failed"],
    ["role", `the repository variable ${entry.planRoleVariable} is not set`],
    ["aws", `the plan role in ${entry.planRoleVariable} could not be assumed`],
    ["init", "terraform init failed"],
    ["plan", "terraform plan failed"],
    [undefined, "the plan job was cancelled or timed out"],
  ])("step %s failed: %s", async (failing, reason) => {
    expect(await recordAfter(failing)).toBe(`${reason}\n`);
  });

  test("the record runs on failure or cancellation only, and travels as no-plan-<env>", () => {
    expect(recordStep.if).toBe("failure() || cancelled()");
    const upload = planJob.steps![planJob.steps!.indexOf(recordStep) + 1];
    expect(upload).toMatchObject({ if: "failure() || cancelled()", with: { name: "no-plan-${{ matrix.name }}", path: "no-plan/${{ matrix.stack }}.txt" } });
    // Every id the record knows is a step of the job.
    const ids = planJob.steps!.map((s) => s.id).filter(Boolean);
    expect(ids).toEqual(["synth", "role", "aws", "init", "plan"]);
  });

  test("an environment whose plan role variable is not set stops at its own step, with the fix, before any credentials", async () => {
    const workspace = mkdtempSync(join(work, "plan-"));
    const used: string[] = [];
    const run = await runJob({
      workflow: pr,
      job: planJob,
      workspace,
      contexts: { matrix: entry as never, vars: { BANDUP_STATE_BUCKET: "b" }, github: { workspace, run_id: "777" }, runner: { os: "Linux", arch: "X64" } },
      env: { ...process.env, ...standIns.env, PATH: `${standIns.bin}:${process.env.PATH}`, SYNTH_STANDIN_STACK: join(work, "none.json"), STACK: entry.stack },
      action: (step) => {
        used.push(step.uses!.split("@")[0]);
        return {};
      },
    });
    expect(failedStep(run)).toBe("The plan role's variable is set");
    expect(run.stdout).toContain(
      `::error title=No plan role::the repository variable ${entry.planRoleVariable} is not set: deploy bandup-bootstrap and run its gh-variable-commands (docs/deploying.md)`,
    );
    expect(used).not.toContain("aws-actions/configure-aws-credentials");
    expect(readFileSync(join(workspace, "no-plan", `${entry.stack}.txt`), "utf8")).toBe(`the repository variable ${entry.planRoleVariable} is not set\n`);
  }, 60_000);
});

describe("deploy-stage.yml's review step: apply only after exit 0; exit 1 and 2 stop the job with an error", () => {
  const planJob = deployStage.jobs.plan;
  const reviewStep = planJob.steps!.find((s) => s.run?.includes("npm run plan:review"))!;

  async function runReview(plan: string, env: Record<string, string> = {}, allow = "", decoys: string[] = [], allowLoss = "", allowDrift = "") {
    const workspace = mkdtempSync(join(work, "deploy-review-"));
    for (const decoy of decoys) writeFileSync(join(workspace, decoy), "");
    mkdirSync(join(workspace, "plans"));
    writeFileSync(join(workspace, "plans", "bandup-dev.json"), plan);
    writeFileSync(standIns.npmLog, "");
    return runJob({
      workflow: deployStage,
      job: { ...planJob, steps: [reviewStep] } as Job,
      workspace,
      contexts: { inputs: { environment: JSON.stringify(LIST.environments[0]) }, vars: { BANDUP_ALLOW_DESTROY: allow, BANDUP_ALLOW_LOSS: allowLoss, BANDUP_ALLOW_DRIFT: allowDrift }, github: { workspace } },
      env: { ...process.env, ...standIns.env, PATH: `${standIns.bin}:${process.env.PATH}`, ...env },
      action: () => ({}),
    });
  }

  test.each([
    ["exit 0", NO_CHANGES, 0, undefined],
    [
      "exit 1",
      TABLE_DELETED,
      1,
      "::error title=Destructive change::bandup-dev: the plan loses data or access (see the job summary); not applied. If intended, accept it with the entry the summary names, in BANDUP_ALLOW_DESTROY, BANDUP_ALLOW_LOSS or BANDUP_ALLOW_DRIFT.\n",
    ],
    ["exit 2", "[]", 2, "::error title=The plan review did not run::plan-review: plans/bandup-dev.json: is JSON but not an object (got an array); pass the output of `terraform show -json <planfile>`\n"],
  ])("%s", async (_label, plan, code, error) => {
    const run = await runReview(plan);
    expect(run.steps[0].exitCode).toBe(code);
    if (error === undefined) expect(run.stdout).not.toContain("::error");
    else expect(run.stdout).toContain(error);
    // The whole review is in the job summary whenever it ran: what the approver reads.
    expect(run.summary.startsWith("<!-- bandup-plan-review -->")).toBe(code !== 2);
  }, 60_000);

  test("a crash that exits 1 without the review is not taken for a flagged change; a % in the message is escaped", async () => {
    const crash = await runReview(NO_CHANGES, { BROKEN_EXIT: "1", BROKEN_STDERR: "sh: 1: tsx: not found" });
    expect(crash.steps[0].exitCode).toBe(2);
    expect(crash.stdout).toContain("::error title=The plan review did not run::plan-review exited 1 without writing plan-review.md\n");
    const percent = await runReview(NO_CHANGES, { BROKEN_EXIT: "2", BROKEN_STDERR: "plan-review: 100% wrong" });
    expect(percent.stdout).toContain("::error title=The plan review did not run::plan-review: 100%25 wrong\n");
  }, 60_000);

  describe("BANDUP_ALLOW_DESTROY: the same loop in both workflows, globbing off", () => {
    const loop = (run: string): string[] => {
      const lines = run.split("\n").map((l) => l.trim());
      const start = lines.indexOf("set -f");
      return lines.slice(start, lines.indexOf("set +f", start) + 1);
    };

    test("the loop is word for word the same in pr-review.yml and deploy-stage.yml", () => {
      const prLoop = loop(prReview.jobs.review.steps!.find((s) => s.id === "review")!.run!);
      expect(prLoop).toEqual([
        "set -f",
        "allow=()",
        'for entry in $BANDUP_ALLOW_DESTROY; do allow+=(--allow-destroy "$entry"); done',
        'for entry in $BANDUP_ALLOW_LOSS; do allow+=(--allow-loss "$entry"); done',
        'for entry in $BANDUP_ALLOW_DRIFT; do allow+=(--allow-drift "$entry"); done',
        "set +f",
      ]);
      expect(loop(reviewStep.run!)).toEqual(prLoop);
    });

    // Each entry would match a file of the workspace as a glob pattern, or (under nullglob, which the
    // PR review turns on for plans/*.json) vanish when it matched none.
    const ODD = ['bandup-dev:aws_dynamodb_table.t[0]', 'bandup-dev:module.m["a*"].aws_sqs_queue.q', "bandup-prod:aws_kms_key.k?", "bandup-staging:aws_dynamodb_table_item.i[*]"];
    const decoys = ["bandup-dev:aws_dynamodb_table.t0", "bandup-prod:aws_kms_key.k1", 'bandup-dev:module.m["ab"].aws_sqs_queue.q'];
    const LOSS = ["bandup-prod:aws_dynamodb_table.t[0]:deletion_protection_enabled", "bandup-dev:aws_sqs_queue.q?:message_retention_seconds"];
    const DRIFT = ["bandup-prod:aws_dynamodb_table.t[*]:point_in_time_recovery.enabled", "bandup-dev:aws_cloudwatch_metric_alarm.a?"];
    const passed = (args: string[], flag = "--allow-destroy") => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));

    test("deploy-stage.yml passes each entry as written", async () => {
      await runReview(NO_CHANGES, {}, ODD.join(" \n\t"), decoys, LOSS.join("\n"), DRIFT.join(" "));
      const call = readFileSync(standIns.npmLog, "utf8").split("\n").find((l) => l.startsWith("npm run plan:review"))!;
      const args = call.slice("npm run plan:review -- ".length).split(" ");
      expect([passed(args), passed(args, "--allow-loss"), passed(args, "--allow-drift")]).toEqual([ODD, LOSS, DRIFT]);
    }, 60_000);

    test("pr-review.yml passes each entry as written, in a workspace where they would glob", async () => {
      const workspace = mkdtempSync(join(work, "globs-"));
      for (const decoy of decoys) writeFileSync(join(workspace, decoy), "");
      // The review job's own step, in that workspace, with the plans in place.
      mkdirSync(join(workspace, "plans"));
      for (const [name, text] of Object.entries(ALL_CLEAN)) writeFileSync(join(workspace, "plans", name), text);
      mkdirSync(join(workspace, "review-input"));
      writeFileSync(join(workspace, "review-input", "environments.json"), JSON.stringify(LIST));
      writeFileSync(standIns.npmLog, "");
      const step = prReview.jobs.review.steps!.find((s) => s.id === "review")!;
      await runJob({
        workflow: prReview,
        job: { ...prReview.jobs.review, steps: [step] } as Job,
        workspace,
        contexts: { github: { event: { workflow_run: { pull_requests: [{ number: 1 }] } } }, vars: { BANDUP_ALLOW_DESTROY: ODD.join(" "), BANDUP_ALLOW_LOSS: LOSS.join(" "), BANDUP_ALLOW_DRIFT: DRIFT.join(" ") } },
        env: { ...process.env, ...standIns.env, PATH: `${standIns.bin}:${process.env.PATH}` },
        action: () => ({}),
      });
      const call = readFileSync(standIns.npmLog, "utf8").split("\n").find((l) => l.startsWith("npm run plan:review"))!;
      const args = call.slice("npm run plan:review -- ".length).split(" ");
      expect([passed(args), passed(args, "--allow-loss"), passed(args, "--allow-drift")]).toEqual([ODD, LOSS, DRIFT]);
    }, 60_000);
  });
});
