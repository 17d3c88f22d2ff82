/**
 * drift.yml's steps in bash (support/workflow-runner.ts), as a runner runs them: the drift job's review
 * step on the two plans the job leaves (the real review, through the `npm` stand-in), its `drift/`
 * folder carried as the artifact `drift-<env>`, then the report job's issue step against the `gh`
 * stand-in (support/ci-stand-ins.ts): one issue per environment, by its exact title, opened or edited
 * while drift is found, commented on and closed once the environment is clean, left alone when the
 * drift job left no result.
 *
 * HAND-WRITTEN MINIMAL OBJECTS: the plan files are tiny, hand-made subsets of `terraform show -json`
 * (plan-review-drift.terraform.test.ts reviews real ones).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentList } from "../../scripts/lib/environment-list";
import { CiStandIns, writeCiStandIns } from "../support/ci-stand-ins";
import { JobRun, runJob } from "../support/workflow-runner";
import { Job, loadWorkflow, Step } from "../support/workflows";

const drift = loadWorkflow("drift.yml");
const ENVIRONMENT = environmentList().environments[0];
const REPOSITORY = "my-org/bandup-infra";
const RUN_URL = `https://github.com/${REPOSITORY}/actions/runs/555`;
const TITLE = `Drift: ${ENVIRONMENT.name} (${ENVIRONMENT.stack}) changed outside Terraform`;
const ADDRESS = "aws_dynamodb_table.evaluations";
const TABLE = `bandup-evaluations-${ENVIRONMENT.name}`;

const PROTECTED = { name: TABLE, deletion_protection_enabled: true, point_in_time_recovery: [{ enabled: true, recovery_period_in_days: 35 }] };
const UNPROTECTED = { name: TABLE, deletion_protection_enabled: false, point_in_time_recovery: [{ enabled: false, recovery_period_in_days: 35 }] };
const DRIFT = [{ address: ADDRESS, type: "aws_dynamodb_table", mode: "managed", name: "evaluations", change: { actions: ["update"], before: PROTECTED, after: UNPROTECTED } }];

/** The two plans the drift job's plan step leaves: `-refresh-only`, and the normal one. */
const DRIFTED = {
  refreshOnly: JSON.stringify({ format_version: "1.2", planned_values: {}, resource_drift: DRIFT }),
  normal: JSON.stringify({
    format_version: "1.2",
    planned_values: {},
    resource_drift: DRIFT,
    resource_changes: [{ address: ADDRESS, type: "aws_dynamodb_table", mode: "managed", name: "evaluations", change: { actions: ["update"], before: UNPROTECTED, after: PROTECTED } }],
  }),
};
const CLEAN = {
  refreshOnly: JSON.stringify({ format_version: "1.2", planned_values: {} }),
  normal: JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] }),
};

let work: string;
let standIns: CiStandIns;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bandup-drift-jobs-"));
  standIns = writeCiStandIns(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const contexts = (matrix: object) => ({
  github: { token: "ghs_stand_in", repository: REPOSITORY, run_id: "555", server_url: "https://github.com" },
  matrix: matrix as never,
  vars: {},
  needs: { environments: { result: "success", outputs: { json: JSON.stringify(environmentList()) } } },
});

const runnerEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ...standIns.env,
  PATH: `${standIns.bin}:${process.env.PATH}`,
  GITHUB_REPOSITORY: REPOSITORY,
  ...extra,
});

/** The drift job from its review step on, with the plan step's two files in place; returns the run and the artifact's folder. */
async function driftJob(plans: { refreshOnly: string; normal: string }): Promise<{ run: JobRun; artifact: string | undefined }> {
  const workspace = mkdtempSync(join(work, "drift-"));
  mkdirSync(join(workspace, "plans"));
  writeFileSync(join(workspace, "plans", `${ENVIRONMENT.stack}.refresh-only.json`), plans.refreshOnly);
  writeFileSync(join(workspace, "plans", `${ENVIRONMENT.stack}.json`), plans.normal);
  const steps = drift.jobs.drift.steps!;
  const review = steps.findIndex((s) => s.name?.startsWith("Review the drift"));
  let artifact: string | undefined;
  const run = await runJob({
    workflow: drift,
    job: { ...drift.jobs.drift, steps: steps.slice(review) } as Job,
    workspace,
    contexts: contexts(ENVIRONMENT),
    env: runnerEnv(),
    action: (step: Step, inputs: Record<string, string>) => {
      expect(step.uses!.split("@")[0]).toBe("actions/upload-artifact");
      expect([inputs.name, inputs.path, inputs["if-no-files-found"]]).toEqual([`drift-${ENVIRONMENT.name}`, "drift/", "error"]);
      artifact = mkdtempSync(join(work, "artifact-"));
      cpSync(join(workspace, "drift"), artifact, { recursive: true });
      return {};
    },
  });
  return { run, artifact };
}

/** The report job, with the drift job's artifact (or none) and the open issues `gh issue list` gives. */
async function reportJob(artifact: string | undefined, openIssues: { number: number; title: string }[]) {
  const workspace = mkdtempSync(join(work, "report-"));
  writeFileSync(standIns.ghLog, "");
  rmSync(`${standIns.ghLog}.body`, { force: true });
  const run = await runJob({
    workflow: drift,
    job: drift.jobs.report,
    workspace,
    contexts: contexts(ENVIRONMENT),
    env: runnerEnv({ GH_STANDIN_ISSUES: JSON.stringify(openIssues) }),
    action: (step: Step, inputs: Record<string, string>) => {
      expect(step.uses!.split("@")[0]).toBe("actions/download-artifact");
      expect(inputs).toEqual({ name: `drift-${ENVIRONMENT.name}`, path: "drift" });
      if (artifact === undefined) return { outcome: "failure" };
      cpSync(artifact, join(workspace, "drift"), { recursive: true });
      return {};
    },
  });
  const calls = readFileSync(standIns.ghLog, "utf8").split("\n").filter(Boolean);
  const body = existsSync(`${standIns.ghLog}.body`) ? readFileSync(`${standIns.ghLog}.body`, "utf8") : undefined;
  return { run, calls, body };
}

const LIST_CALL = "gh issue list --state open --limit 1000 --json number,title";

describe("drift.yml, drift found", () => {
  let found: { run: JobRun; artifact: string | undefined };
  beforeAll(async () => {
    found = await driftJob(DRIFTED);
  });

  test("the review step: the blocking drift in the job summary, the result counted on resource_drift, the artifact", () => {
    expect(found.run.failed).toBe(false);
    expect(found.run.summary).toContain(`**deletion protection was turned off outside Terraform**`);
    expect(found.run.summary).toContain("This plan's apply sets it to `true` again.");
    expect(JSON.parse(readFileSync(join(found.artifact!, "result.json"), "utf8"))).toEqual({
      environment: ENVIRONMENT.name,
      stack: ENVIRONMENT.stack,
      drifted: 1,
      blocking: true,
    });
    expect(readFileSync(join(found.artifact!, "report.md"), "utf8")).toContain(`(table \`${TABLE}\`): **point-in-time recovery was turned off outside Terraform**`);
  });

  test("no issue open: one is opened with the stable title and the review as its body; the job fails last", async () => {
    const { run, calls, body } = await reportJob(found.artifact, [{ number: 7, title: "Something else" }]);
    expect(calls).toEqual([LIST_CALL, `gh issue create --title ${TITLE} --body-file issue-body.md`]);
    expect(body).toContain(`The drift check of **${ENVIRONMENT.name}** found 1 resources changed outside Terraform ([run](${RUN_URL}),`);
    expect(body).toContain("**deletion protection was turned off outside Terraform**");
    expect(body!.length).toBeLessThanOrEqual(65_536);
    expect(run.failed).toBe(true);
    expect(run.stdout).toContain(`::error title=Drift::${ENVIRONMENT.name}: 1 resources changed outside Terraform (the issue "${TITLE}")`);
  });

  test("the issue already open: it is edited, not opened twice (a title that only starts the same is another issue)", async () => {
    const { calls, body } = await reportJob(found.artifact, [
      { number: 40, title: `${TITLE} (old)` },
      { number: 41, title: TITLE },
    ]);
    expect(calls).toEqual([LIST_CALL, "gh issue edit 41 --body-file issue-body.md"]);
    expect(body).toContain("**point-in-time recovery was turned off outside Terraform**");
  });
});

describe("drift.yml, clean again", () => {
  let clean: { run: JobRun; artifact: string | undefined };
  beforeAll(async () => {
    clean = await driftJob(CLEAN);
  });

  test("the open issue gets a comment and is closed; the job passes", async () => {
    expect(JSON.parse(readFileSync(join(clean.artifact!, "result.json"), "utf8"))).toMatchObject({ drifted: 0, blocking: false });
    const { run, calls } = await reportJob(clean.artifact, [{ number: 41, title: TITLE }]);
    expect(calls).toEqual([
      LIST_CALL,
      `gh issue comment 41 --body Clean again: the drift check found nothing changed outside Terraform (${RUN_URL}).`,
      "gh issue close 41",
    ]);
    expect(run.failed).toBe(false);
  });

  test("no issue open: nothing is written", async () => {
    const { run, calls } = await reportJob(clean.artifact, []);
    expect(calls).toEqual([LIST_CALL]);
    expect([run.failed, run.stdout]).toEqual([false, expect.stringContaining(`${ENVIRONMENT.name}: nothing changed outside Terraform.`)]);
  });
});

test("drift.yml: a drift job that left no result fails the report and leaves the issue as it is", async () => {
  const { run, calls } = await reportJob(undefined, [{ number: 41, title: TITLE }]);
  expect(calls).toEqual([]);
  expect(run.failed).toBe(true);
  expect(run.stdout).toContain(`::error title=No drift result::${ENVIRONMENT.name}: the drift job ended without a result`);
});

test("drift.yml: drift on 3,000 resources still gives an issue body GitHub accepts (at most 65,536 characters)", async () => {
  const many = Array.from({ length: 3000 }, (_, i) => ({ ...DRIFT[0], address: `${ADDRESS}_${i}`, name: `evaluations_${i}`, change: { ...DRIFT[0].change, before: { ...PROTECTED, name: `${TABLE}-${i}` }, after: { ...UNPROTECTED, name: `${TABLE}-${i}` } } }));
  const { artifact } = await driftJob({
    refreshOnly: JSON.stringify({ format_version: "1.2", planned_values: {}, resource_drift: many }),
    normal: JSON.stringify({ format_version: "1.2", planned_values: {}, resource_drift: many, resource_changes: [] }),
  });
  const { calls, body } = await reportJob(artifact, []);
  expect(calls[1]).toBe(`gh issue create --title ${TITLE} --body-file issue-body.md`);
  expect(body!.length).toBeGreaterThan(60_000);
  expect(body!.length).toBeLessThanOrEqual(65_536);
  expect(body).toContain("found 3000 resources changed outside Terraform");
});
