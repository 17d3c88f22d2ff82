/**
 * The GitHub workflows, parsed with `yaml`: their jobs, the matrices they compute from
 * `npm run environments -- --json`, the order of the stages, GitHub environments, concurrency,
 * least-privilege permissions, OIDC only (no long-lived keys), the GitHub variables they read, that
 * every `npm run <script>` they call exists in package.json and is documented in README.md, and
 * GitHub's workflow schema (`@action-validator/cli`).
 *
 * The environments expected are those of `ENVIRONMENTS`, through the command's own function
 * (`environmentList()`): the matrices are evaluated against its output, never against a copy of the list.
 */
import { spawnSync } from "child_process";
import { Testing } from "cdktf";
import { buildBandupApp } from "../../stacks/app";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentList, EnvironmentList } from "../../scripts/lib/environment-list";
import { AWS_PROVIDER_VERSION } from "../../scripts/lib/terraform-offline";
import { allEnvironments, ENVIRONMENTS, stackName, STAGES } from "../../stacks/environments";
import { meetsMinimumTerraformVersion } from "../../stacks/terraform-version";
import {
  DEPLOY_ROLE_VARIABLE,
  planRoleVariable,
  STATE_BUCKET_VARIABLE,
  STATE_KEY_PREFIX_VARIABLE,
  STATE_REGION_VARIABLE,
} from "../../stacks/github-variables";
import { DEPLOY_WORKFLOW, deployPlanSubject, deploySubject, DRIFT_WORKFLOW, driftSubject, PR_WORKFLOW, pullRequestPlanSubject } from "../support/oidc-subjects";
import { evaluate, interpolate } from "../support/workflow-runner";
import { evaluatePath, Job, loadWorkflow, ROOT, Step, stepsOf, Workflow, workflowFiles, WORKFLOWS_DIR } from "../support/workflows";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const deployStage = loadWorkflow("deploy-stage.yml");
const prReview = loadWorkflow("pr-review.yml");
const cdktnCheck = loadWorkflow("cdktn-check.yml");
const drift = loadWorkflow("drift.yml");
const workflows: [string, Workflow][] = workflowFiles().map((file) => [file, loadWorkflow(file)]);

/** What the first job of both workflows outputs: the command's list of the real settings. */
const LIST = environmentList();
/** The environments of the settings, resolved by the app's own function. */
const RESOLVED = allEnvironments();

/** The contexts a job of pr.yml or deploy.yml sees once the environments job has run on `list`. */
const needsContext = (list: EnvironmentList) => ({ needs: { environments: { outputs: { json: JSON.stringify(list) } } } });

/** The `matrix.<key>` a job reads anywhere. */
function matrixKeys(job: Job): string[] {
  return [...new Set([...JSON.stringify(job).matchAll(/\bmatrix\.(\w+)/g)].map((m) => m[1]))].sort();
}

/** `npm run X`, `npm run-script X`, `npm test` → the script names. */
function npmScripts(run: string): string[] {
  const names = [...run.matchAll(/\bnpm (?:run|run-script)(?: --?[a-z-]+)* ([\w:.-]+)/g)].map((m) => m[1]);
  if (/\bnpm (?:test|t)\b/.test(run)) names.push("test");
  return names;
}

function allRuns(workflow: Workflow): string[] {
  return Object.values(workflow.jobs).flatMap((job) => (job.steps ?? []).map((s) => s.run ?? ""));
}

const STATE_ENV = {
  BANDUP_BACKEND: "s3",
  [STATE_BUCKET_VARIABLE]: `\${{ vars.${STATE_BUCKET_VARIABLE} }}`,
  [STATE_REGION_VARIABLE]: `\${{ vars.${STATE_REGION_VARIABLE} }}`,
  [STATE_KEY_PREFIX_VARIABLE]: `\${{ vars.${STATE_KEY_PREFIX_VARIABLE} }}`,
};

/** A matrix job's credentials: the environment's read-only plan role, in its region, for longer than the job (30 min). */
function expectPlanRoleCredentials(job: Job, sessionPrefix: string): void {
  const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
  expect(aws.with).toEqual({
    "role-to-assume": "${{ vars[matrix.planRoleVariable] }}",
    "role-session-name": `${sessionPrefix}-\${{ matrix.name }}-\${{ github.run_id }}`,
    "aws-region": "${{ matrix.region }}",
    "role-duration-seconds": 3600,
  });
}

describe("the environments job (first job of pr.yml, deploy.yml and drift.yml)", () => {
  test.each([
    ["pr.yml", pr],
    ["deploy.yml", deploy],
    ["drift.yml", drift],
  ])("%s: runs `npm run environments -- --json` and hands its JSON on as the output `json`, with no extra permission", (_file, workflow) => {
    const job = workflow.jobs.environments;
    expect(job.outputs).toEqual({ json: "${{ steps.list.outputs.json }}" });
    expect(job.permissions).toBeUndefined();
    expect(job.needs).toBeUndefined();
    const runs = job.steps!.map((s) => s.run).filter(Boolean);
    expect(runs[0]).toBe("npm ci");
    const list = job.steps!.find((s) => s.id === "list")!;
    expect(list.run).toContain('json=$(npm run -s environments -- --json)\necho "json=$json" >> "$GITHUB_OUTPUT"\n');
  });

  test("is the same job in both workflows up to the list; pr.yml's also hands the list to the review as the artifact review-input", () => {
    const upTo = (job: Job) => job.steps!.slice(0, job.steps!.findIndex((s) => s.id === "list") + 1);
    const { steps: prSteps, ...prJob } = pr.jobs.environments;
    const { steps: deploySteps, ...deployJob } = deploy.jobs.environments;
    expect(prJob).toEqual(deployJob);
    expect(upTo(pr.jobs.environments)).toEqual(upTo(deploy.jobs.environments));
    expect(deploySteps).toEqual(upTo(deploy.jobs.environments));
    expect(drift.jobs.environments).toEqual(deploy.jobs.environments);
    const extra = prSteps!.slice(upTo(pr.jobs.environments).length);
    expect(extra.map((s) => s.uses?.split("@")[0] ?? s.run)).toEqual([
      'mkdir -p review-input\necho "$JSON" > review-input/environments.json\nnpm run -s permissions -- --json > review-input/permissions-head.json\n',
      "actions/upload-artifact",
    ]);
    expect(extra[0].env).toEqual({ JSON: "${{ steps.list.outputs.json }}" });
    expect(extra[1].with).toEqual({ name: "review-input", path: "review-input/", "retention-days": 7 });
  });

  test("the command lists every environment of ENVIRONMENTS, in order, with the stack, stage, region and protection the app resolves", () => {
    expect(LIST.environments.map((e) => e.name)).toEqual(Object.keys(ENVIRONMENTS));
    expect(LIST.environments.map((e) => [e.name, e.stack, e.stage, e.region, e.protected])).toEqual(
      RESOLVED.map((e) => [e.name, stackName(e.name), e.stage, e.region, e.protected]),
    );
  });
});

describe("pr.yml: runs the pull request's code, holds no write token", () => {
  test("on pull requests: the tests and the environments list, then a plan per environment; no review job (pr-review.yml reviews)", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(Object.keys(pr.jobs)).toEqual(["test", "environments", "plan"]);
    const runs = pr.jobs.test.steps!.map((s) => s.run).filter(Boolean);
    expect(runs.slice(-3)).toEqual(["npm ci", "npm test", "npm run synth"]);
    expect(pr.jobs.plan.needs).toEqual(["test", "environments"]);
    for (const [id, job] of Object.entries(pr.jobs)) {
      const scopes = Object.entries(job.permissions ?? {}).filter(([, level]) => level === "write");
      expect([id, scopes]).toEqual([id, id === "plan" ? [["id-token", "write"]] : []]);
    }
    expect(JSON.stringify(pr)).not.toMatch(/sticky-pull-request-comment|statuses|pull-requests/);
  });

  test("the plan matrix is every environment the command lists, in order", () => {
    const plan = pr.jobs.plan;
    expect(plan.strategy!["fail-fast"]).toBe(false);
    const matrix = evaluatePath(plan.strategy!.matrix.include as string, needsContext(LIST));
    expect(matrix).toEqual(LIST.environments);
    expect((matrix as { name: string }[]).map((e) => e.name)).toEqual(RESOLVED.map((e) => e.name));
  });

  test("plans only for branches of this repository, and not at all without an environment (an empty matrix fails the run)", () => {
    const condition = pr.jobs.plan.if!;
    expect(condition).toBe(
      "github.event.pull_request.head.repo.full_name == github.repository && fromJSON(needs.environments.outputs.json).environments[0] != null",
    );
    const first = "fromJSON(needs.environments.outputs.json).environments[0]";
    expect(evaluatePath(first, needsContext(LIST))).toEqual(LIST.environments[0]);
    expect(evaluatePath(first, needsContext(environmentList({})))).toBeNull();
  });

  test("plans each environment with its own read-only role from OIDC, in its region, with the S3 backend", () => {
    const plan = pr.jobs.plan;
    expect(matrixKeys(plan).every((key) => LIST.environments.every((e) => key in e))).toBe(true);
    expectPlanRoleCredentials(plan, "bandup-plan");
    for (const environment of LIST.environments) expect(environment.planRoleVariable).toBe(planRoleVariable(environment.name));
    expect(plan.env).toEqual({ ...STATE_ENV, STACK: "${{ matrix.stack }}", STACK_DIR: "cdktf.out/stacks/${{ matrix.stack }}" });
    const runs = plan.steps!.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run synth");
    expect(runs).toContain('terraform -chdir="$STACK_DIR" init -input=false -lockfile=readonly');
    expect(runs).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -out=tfplan');
    expect(runs).toContain('terraform -chdir="$STACK_DIR" show -json tfplan > "plans/$STACK.json"');
  });

  test("each plan travels to the review as plans/<stack>.json in the artifact plan-<env>", () => {
    const upload = pr.jobs.plan.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact@") && !s.if)!;
    expect(upload.with).toEqual({ name: "plan-${{ matrix.name }}", path: "plans/${{ matrix.stack }}.json", "retention-days": 7 });
  });
});

describe("pr-review.yml: main's code, the PR's run as data", () => {
  const job = prReview.jobs.review;
  const steps = job.steps!;

  test("one job: checks out main (no ref: the default branch), installs main's dependencies, reads the PR run's artifacts by its run id", () => {
    expect(Object.keys(prReview.jobs)).toEqual(["review"]);
    const checkout = steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toEqual({ "persist-credentials": false });
    const downloads = steps.filter((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(downloads.map((s) => s.with!.pattern)).toEqual(["review-input", "plan-*", "no-plan-*"]);
    for (const download of downloads) {
      expect(download.with).toMatchObject({ "run-id": "${{ github.event.workflow_run.id }}", "github-token": "${{ github.token }}", "merge-multiple": true });
    }
    // Nothing from the pull request runs: no ref, no repository, no path outside the artifacts.
    expect(JSON.stringify(job)).not.toMatch(/head_branch }}|head_sha }}\s*$|ref:|repository:/m);
  });

  test("its permissions: read, the PR run's artifacts, the comment and the commit status; no token left to npm", () => {
    expect(job.permissions).toEqual({ contents: "read", actions: "read", "pull-requests": "write", statuses: "write" });
    for (const step of steps) {
      if (step.run?.includes("gh api")) expect(step.env?.GH_TOKEN).toBe("${{ github.token }}");
      else expect(JSON.stringify(step.env ?? {})).not.toContain("token");
    }
    expect(job.env).toEqual({
      PR_NUMBER: "${{ github.event.workflow_run.pull_requests[0].number }}",
      PR_RUN_ID: "${{ github.event.workflow_run.id }}",
      PR_RUN_URL: "${{ github.event.workflow_run.html_url }}",
      HEAD_SHA: "${{ github.event.workflow_run.head_sha }}",
    });
  });

  test("the comment comes after the review, only while the run's commit is the PR's head; the status always; the job fails last", () => {
    const at = (predicate: (s: Step) => boolean) => steps.findIndex(predicate);
    const review = at((s) => s.id === "review");
    const current = at((s) => s.id === "current");
    const comments = steps.flatMap((s, i) => (s.uses?.startsWith("marocchino/sticky-pull-request-comment@") ? [i] : []));
    const status = at((s) => s.run?.includes("/statuses/") === true);
    const fail = at((s) => s.if === "steps.review.outputs.state != 'success'");
    expect([review < current, current < comments[0], comments[1] < status, status < fail, fail === steps.length - 1]).toEqual([true, true, true, true, true]);
    expect(steps[comments[0]].if).toBe("steps.current.outputs.post == 'true'");
    expect(steps[comments[0]].with).toEqual({ number: "${{ env.PR_NUMBER }}", header: "bandup-plan-review", path: "comment.md" });
    expect(steps[comments[1]].if).toBe("failure() && steps.review.outputs.state == ''");
    expect(steps[status].if).toBe("always()");
  });
});

/** The `if` of a stage job: no earlier job failed or was cancelled, and the stage has an environment. */
const stageCondition = (stage: string): string =>
  `\${{ !cancelled() && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled') && contains(fromJSON(needs.environments.outputs.json).environments.*.stage, '${stage}') }}`;
const STAGES_OF_THE_LIST = "fromJSON(needs.environments.outputs.json).environments.*.stage";

describe("deploy.yml", () => {
  test("on pushes to main: the environments list, then one job per stage, each after every earlier stage", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(Object.keys(deploy.jobs)).toEqual(["environments", ...STAGES]);
    STAGES.forEach((stage, i) => expect([stage, deploy.jobs[stage].needs]).toEqual([stage, ["environments", ...STAGES.slice(0, i)]]));
  });

  test.each([...STAGES])("stage %s: deploy-stage.yml once per environment of the stage, with its entry of the command's JSON, its OIDC permission, one deploy of an environment at a time", (stage) => {
    const job = deploy.jobs[stage];
    expect(job.uses).toBe("./.github/workflows/deploy-stage.yml");
    expect(job.with).toEqual({ environment: "${{ toJSON(matrix) }}" });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.if).toBe(stageCondition(stage));
    expect(job.strategy!["fail-fast"]).toBe(false);
    expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.name }}", "cancel-in-progress": false });
    for (const environment of LIST.environments) expect(environment.githubEnvironment).toBe(environment.name);
  });

  test.each([...STAGES])("stage %s deploys exactly the environments of that stage in the settings, in their order", (stage) => {
    const matrix = evaluatePath(deploy.jobs[stage].strategy!.matrix.include as string, needsContext(LIST));
    const expected = RESOLVED.filter((e) => e.stage === stage).map((e) => e.name);
    expect((matrix as { name: string }[]).map((e) => e.name)).toEqual(expected);
    expect(matrix).toEqual(LIST.environments.filter((e) => e.stage === stage));
  });

  test("every environment of the settings is deployed once, in the turn of its stage, each with its own concurrency group", () => {
    const deployed = STAGES.flatMap((stage) => (evaluatePath(deploy.jobs[stage].strategy!.matrix.include as string, needsContext(LIST)) as { name: string }[]).map((e) => e.name));
    expect([...deployed].sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
    expect(new Set(deployed.map((name) => `deploy-${name}`)).size).toBe(deployed.length);
  });

  test("a stage without an environment is skipped (an empty matrix fails a run); one with any runs", () => {
    const stagesOf = (list: EnvironmentList) => evaluatePath(STAGES_OF_THE_LIST, needsContext(list)) as string[];
    const devAndProdOnly = environmentList({ dev: {}, prod: {} });
    expect(devAndProdOnly.stages.staging).toEqual([]);
    expect(STAGES.map((stage) => [stage, stagesOf(devAndProdOnly).includes(stage)])).toEqual([
      ["dev", true],
      ["staging", false],
      ["prod", true],
    ]);
    expect(STAGES.map((stage) => [stage, stagesOf(LIST).includes(stage)])).toEqual(STAGES.map((stage) => [stage, RESOLVED.some((e) => e.stage === stage)]));
  });

  test("a skipped stage does not hold back the next; a failed or cancelled one does (each stage needs every earlier one)", () => {
    for (const stage of STAGES) {
      const condition = deploy.jobs[stage].if!;
      // A status function of its own: without one, GitHub adds success(), which a skipped need fails.
      expect(condition.startsWith("${{ !cancelled() && !contains(needs.*.result, 'failure') && !contains(needs.*.result, 'cancelled') && ")).toBe(true);
      expect(condition).not.toContain("success()");
    }
  });
});

describe("deploy-stage.yml: plan, review, approval, apply of that plan", () => {
  const plan = deployStage.jobs.plan;
  const apply = deployStage.jobs.apply;
  const runs = (job: Job) => job.steps!.map((s) => s.run ?? "");

  test("is called with one environment's entry; a plan job, then an apply job that needs it", () => {
    expect(deployStage.on).toEqual({ workflow_call: { inputs: { environment: { description: expect.any(String), type: "string", required: true } } } });
    expect(Object.keys(deployStage.jobs)).toEqual(["plan", "apply"]);
    expect(apply.needs).toBe("plan");
    expect(deployStage.env).toEqual({
      TERRAFORM_VERSION: expect.any(String),
      AWS_PROVIDER_VERSION,
      TF_PLUGIN_CACHE_DIR: "${{ github.workspace }}/.terraform-plugin-cache",
      ...STATE_ENV,
      STACK: "${{ fromJSON(inputs.environment).stack }}",
      STACK_DIR: "cdktf.out/stacks/${{ fromJSON(inputs.environment).stack }}",
    });
    for (const environment of LIST.environments) {
      expect(evaluatePath("fromJSON(inputs.environment).stack", { inputs: { environment: JSON.stringify(environment) } })).toBe(environment.stack);
    }
  });

  test("the plan job: no GitHub environment (nobody approves a plan), the plan role, a saved plan with -detailed-exitcode, the review, the artifact", () => {
    expect(plan.environment).toBeUndefined();
    expect(plan.outputs).toEqual({ changes: "${{ steps.plan.outputs.changes }}" });
    const aws = plan.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with).toEqual({
      "role-to-assume": "${{ vars[fromJSON(inputs.environment).planRoleVariable] }}",
      "role-session-name": "bandup-plan-${{ fromJSON(inputs.environment).name }}-${{ github.run_id }}",
      "aws-region": "${{ fromJSON(inputs.environment).region }}",
      "role-duration-seconds": 3600,
    });
    const order = ["Refuse a commit that is no longer main's head", "npm ci", "npm run synth", "configure-aws-credentials", "terraform init", "terraform plan", "npm run plan:review", "tar -C cdktf.out/stacks"];
    const names = plan.steps!.map((s) => `${s.name ?? ""} ${s.uses ?? ""} ${s.run ?? ""}`);
    const positions = order.map((text) => names.findIndex((n) => n.includes(text)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(runs(plan).join("\n")).toContain('terraform -chdir="$STACK_DIR" plan -input=false -lock=false -detailed-exitcode -out=tfplan');
  });

  test("the apply job: in the environment's GitHub environment, only with changes, the deploy role, no checkout, no npm, no synth: the artifact's tfplan", () => {
    expect(apply.environment).toBe("${{ fromJSON(inputs.environment).githubEnvironment }}");
    expect(apply.if).toBe("needs.plan.outputs.changes == 'true'");
    const aws = apply.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with).toEqual({
      "role-to-assume": "${{ vars[fromJSON(inputs.environment).deployRoleVariable] }}",
      "role-session-name": "bandup-deploy-${{ fromJSON(inputs.environment).name }}-${{ github.run_id }}",
      "aws-region": "${{ fromJSON(inputs.environment).region }}",
      "role-duration-seconds": 7200,
    });
    for (const environment of LIST.environments) expect(environment.deployRoleVariable).toBe(DEPLOY_ROLE_VARIABLE);
    expect(apply.steps!.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(runs(apply).join("\n")).not.toMatch(/\bnpm\b|synth/);
    expect(runs(apply).filter((r) => r.includes("terraform") && r.includes("apply"))).toEqual(['terraform -chdir="$STACK_DIR" apply -input=false tfplan']);
    const download = apply.steps!.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
    const upload = plan.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(download.with!.name).toBe(upload.with!.name);
    // The head check is the last step before the apply, and the same text as the plan job's.
    const names = apply.steps!.map((s) => s.name);
    expect(names.indexOf("Refuse a commit that is no longer main's head")).toBe(names.indexOf("terraform apply (the plan of the plan job, nothing else)") - 1);
    expect(apply.steps!.find((s) => s.name === "Refuse a commit that is no longer main's head")).toEqual(plan.steps!.find((s) => s.name === "Refuse a commit that is no longer main's head"));
  });

  test("a failed apply keeps errored.tfstate", () => {
    const keep = apply.steps!.at(-1)!;
    expect(keep).toMatchObject({
      if: "failure()",
      with: { path: "${{ env.STACK_DIR }}/errored.tfstate", "if-no-files-found": "ignore", name: "errored-tfstate-${{ fromJSON(inputs.environment).name }}-${{ github.run_attempt }}" },
    });
    expect(keep.uses!.startsWith("actions/upload-artifact@")).toBe(true);
  });
});

/** Every job that runs steps, with the workflow that holds it and the workflow whose trigger runs it. */
const allJobs: { file: string; id: string; job: Job; workflow: Workflow }[] = workflowFiles().flatMap((file) => {
  const workflow = loadWorkflow(file);
  return Object.entries(workflow.jobs)
    .filter(([, job]) => job.steps)
    .map(([id, job]) => ({ file, id, job, workflow }));
});

describe("every job", () => {
  test.each(allJobs.map((j) => [`${j.file} ${j.id}`, j] as const))("%s: has timeout-minutes, and a role session longer than it", (_label, { job }) => {
    expect(typeof job["timeout-minutes"]).toBe("number");
    expect(job["timeout-minutes"]).toBeLessThanOrEqual(120);
    for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
      expect(Number(step.with!["role-duration-seconds"])).toBeGreaterThan(job["timeout-minutes"]! * 60);
    }
  });

  test("every role session a job asks for is one its role grants: the bootstrap's max_session_duration (IAM's default 3600 when unset)", () => {
    const { bootstrap } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
    const roles: Record<string, { name: string; max_session_duration?: number }> = JSON.parse(Testing.synth(bootstrap)).resource.aws_iam_role;
    const longest = (prefix: string) =>
      Math.min(...Object.values(roles).filter((r) => r.name.startsWith(prefix)).map((r) => r.max_session_duration ?? 3600));
    const granted = { deploy: longest("bandup-deploy-"), plan: longest("bandup-plan-") };
    expect(granted.deploy).toBeGreaterThanOrEqual(7200);
    let checked = 0;
    for (const { job } of allJobs) {
      for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
        const kind = /deploy_?role/i.test(String(step.with!["role-to-assume"])) ? "deploy" : "plan";
        expect([String(step.with!["role-to-assume"]), Number(step.with!["role-duration-seconds"]) <= granted[kind]]).toEqual([String(step.with!["role-to-assume"]), true]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  test.each(allJobs.map((j) => [`${j.file} ${j.id}`, j] as const))("%s: checkout leaves no token in .git/config", (_label, { job }) => {
    for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith("actions/checkout@"))) expect(step.with).toEqual({ "persist-credentials": false });
  });

  test.each(allJobs.map((j) => [`${j.file} ${j.id}`, j] as const))("%s: AWS credentials only after npm ci and synth", (_label, { job }) => {
    const steps = job.steps ?? [];
    const credentials = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    if (credentials < 0) return;
    steps.forEach((step, i) => {
      if (step.run && /^npm (ci|run synth)$/m.test(step.run)) expect([step.run, i < credentials]).toEqual([step.run, true]);
    });
  });

  test("the jobs that run terraform use the provider cache keyed by the pinned provider's version, and the lock file of .github", () => {
    const terraformJobs = allJobs.filter(({ job }) => (job.steps ?? []).some((s) => s.run?.includes("terraform -chdir")));
    expect(terraformJobs.map((j) => `${j.file} ${j.id}`).sort()).toEqual(["deploy-stage.yml apply", "deploy-stage.yml plan", "drift.yml drift", "pr.yml plan"]);
    for (const { job, workflow } of terraformJobs) {
      const cache = job.steps!.find((s) => s.uses?.startsWith("actions/cache@"))!;
      expect(cache.with).toEqual({
        path: "${{ env.TF_PLUGIN_CACHE_DIR }}",
        key: "terraform-plugins-${{ runner.os }}-${{ runner.arch }}-aws-${{ env.AWS_PROVIDER_VERSION }}",
      });
      expect(workflow.env!.TF_PLUGIN_CACHE_DIR).toBe("${{ github.workspace }}/.terraform-plugin-cache");
      const inits = job.steps!.flatMap((s) => (s.run ?? "").split("\n")).filter((line) => /terraform -chdir=\S+ init\b/.test(line));
      expect(inits).toEqual(['terraform -chdir="$STACK_DIR" init -input=false -lockfile=readonly']);
    }
    const lock = readFileSync(join(ROOT, ".github/terraform-providers.lock.hcl"), "utf8");
    expect(lock).toContain(`provider "registry.terraform.io/hashicorp/aws" {\n  version     = "${AWS_PROVIDER_VERSION}"\n  constraints = "${AWS_PROVIDER_VERSION}"\n`);
  });
});

describe.each(workflows)("%s: versions", (file, workflow) => {
  test("the terraform it installs meets the stacks' required_version; the provider version is the pinned one", () => {
    if (workflow.env?.TERRAFORM_VERSION !== undefined) expect(meetsMinimumTerraformVersion(workflow.env.TERRAFORM_VERSION)).toBe(true);
    if (workflow.env?.AWS_PROVIDER_VERSION !== undefined) expect(workflow.env.AWS_PROVIDER_VERSION).toBe(AWS_PROVIDER_VERSION);
  });

  test("every action is pinned to a full commit SHA, with its version in a comment", () => {
    const lines = readFileSync(join(WORKFLOWS_DIR, file), "utf8").split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const uses = line.replace(/^\s*(- )?uses:\s*/, "");
      if (uses.startsWith("./")) continue;
      expect([file, uses]).toEqual([file, expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)]);
    }
  });
});

test("one action, one SHA and version in every workflow", () => {
  const pins = new Map<string, Set<string>>();
  for (const file of workflowFiles()) {
    for (const [, action, pin] of readFileSync(join(WORKFLOWS_DIR, file), "utf8").matchAll(/uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40} # v[\d.]+)/g)) {
      pins.set(action, new Set([...(pins.get(action) ?? []), pin]));
    }
  }
  expect([...pins].filter(([, set]) => set.size > 1)).toEqual([]);
});

describe("OIDC: each job that assumes a role uses the variable of a role that trusts that job's subject", () => {
  const REPOSITORY = "my-org/bandup-infra";
  /** What each role trusts (COMMON interface 1; the bootstrap builds the trust from the same builders). */
  const trusted = (role: string): { exact: string[]; like: string[] } => {
    const [, kind, environment] = /^bandup-(deploy|plan)-(.+)$/.exec(role)!;
    return kind === "deploy"
      ? { exact: [deploySubject(REPOSITORY, environment)], like: [] }
      : { exact: [deployPlanSubject(REPOSITORY), driftSubject(REPOSITORY)], like: [pullRequestPlanSubject(REPOSITORY)] };
  };
  const likeMatches = (pattern: string, value: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^]*")}$`).test(value);
  const trusts = (role: string, subject: string) => trusted(role).exact.includes(subject) || trusted(role).like.some((p) => likeMatches(p, subject));

  /** The variables as GitHub would resolve them in a job: repository ones everywhere, a GitHub environment's only in a job that names it. */
  const varsFor = (githubEnvironment: string | undefined) => ({
    ...Object.fromEntries(LIST.environments.map((e) => [e.planRoleVariable, `bandup-plan-${e.name}`])),
    ...(githubEnvironment !== undefined && { [DEPLOY_ROLE_VARIABLE]: `bandup-deploy-${githubEnvironment}` }),
  });

  /** Each (job, environment entry) that assumes a role: the subject GitHub gives the job, the role its variable names. */
  function assumptions(trigger: "pull_request" | "push" | "schedule", job: Job, definedIn: string, entryContext: (e: (typeof LIST.environments)[number]) => Record<string, unknown>) {
    const ref = trigger === "pull_request" ? "refs/pull/12/merge" : "refs/heads/main";
    const aws = (job.steps ?? []).filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    return LIST.environments.flatMap((entry) =>
      aws.map((step) => {
        const contexts = entryContext(entry);
        const environment = job.environment === undefined ? undefined : String(evaluate(job.environment.replace(/^\$\{\{|\}\}$/g, ""), { contexts: contexts as never }));
        const context = environment !== undefined ? `environment:${environment}` : trigger === "pull_request" ? "pull_request" : `ref:${ref}`;
        const subject = `repo:${REPOSITORY}:${context}:job_workflow_ref:${REPOSITORY}/.github/workflows/${definedIn}@${ref}`;
        const role = interpolate(String(step.with!["role-to-assume"]), { contexts: { ...contexts, vars: varsFor(environment) } as never });
        return { job: `${definedIn} ${job.name} ${entry.name}`, subject, role };
      }),
    );
  }

  const prPlans = assumptions("pull_request", pr.jobs.plan, PR_WORKFLOW, (entry) => ({ matrix: entry }));
  const deployJobs = ["plan", "apply"].flatMap((id) =>
    assumptions("push", deployStage.jobs[id], DEPLOY_WORKFLOW, (entry) => ({ inputs: { environment: JSON.stringify(entry) } })),
  );
  // schedule and workflow_dispatch run the default branch: ref refs/heads/main, no GitHub environment.
  const driftJobs = assumptions("schedule", drift.jobs.drift, DRIFT_WORKFLOW, (entry) => ({ matrix: entry }));

  test("the workflows that assume roles are the files the subjects name, and deploy.yml calls deploy-stage.yml", () => {
    const assuming = allJobs.filter(({ job }) => (job.steps ?? []).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))).map((j) => `${j.file} ${j.id}`);
    expect(assuming.sort()).toEqual([`${DEPLOY_WORKFLOW} apply`, `${DEPLOY_WORKFLOW} plan`, `${DRIFT_WORKFLOW} drift`, `${PR_WORKFLOW} plan`]);
    for (const stage of STAGES) expect(deploy.jobs[stage].uses).toBe(`./.github/workflows/${DEPLOY_WORKFLOW}`);
    expect(Object.keys(deploy.on)).toEqual(["push"]);
  });

  test("every assumption is trusted: PR plans and deploy plans with the plan role, applies in their GitHub environment with the deploy role", () => {
    const all = [...prPlans, ...deployJobs, ...driftJobs];
    expect(all.filter((a) => !trusts(a.role, a.subject))).toEqual([]);
    expect(all.map((a) => [a.job, a.role])).toEqual([
      ...LIST.environments.map((e) => [`${PR_WORKFLOW} plan \${{ matrix.name }} ${e.name}`, `bandup-plan-${e.name}`]),
      ...LIST.environments.map((e) => [`${DEPLOY_WORKFLOW} plan ${e.name}`, `bandup-plan-${e.name}`]),
      ...LIST.environments.map((e) => [`${DEPLOY_WORKFLOW} apply ${e.name}`, `bandup-deploy-${e.name}`]),
      ...LIST.environments.map((e) => [`${DRIFT_WORKFLOW} drift \${{ matrix.name }} ${e.name}`, `bandup-plan-${e.name}`]),
    ]);
  });

  test("the check can fail: an apply without its GitHub environment, or a plan job in an environment, is not trusted", () => {
    const { environment: _dropped, ...applyWithoutEnvironment } = deployStage.jobs.apply;
    const noEnvironment = assumptions("push", { ...applyWithoutEnvironment, name: "apply" }, DEPLOY_WORKFLOW, (entry) => ({ inputs: { environment: JSON.stringify(entry) } }));
    // Without the environment, the deploy variable is not even there; with a repository-level one, the subject would be ref:…
    expect(noEnvironment.every((a) => a.role === "" || !trusts(a.role, a.subject))).toBe(true);
    const planInEnvironment = assumptions("push", { ...deployStage.jobs.plan, environment: deployStage.jobs.apply.environment }, DEPLOY_WORKFLOW, (entry) => ({
      inputs: { environment: JSON.stringify(entry) },
    }));
    expect(planInEnvironment.filter((a) => trusts(a.role, a.subject))).toEqual([]);
    const fromAnotherFile = assumptions("pull_request", pr.jobs.plan, "pr-review.yml", (entry) => ({ matrix: entry }));
    expect(fromAnotherFile.filter((a) => trusts(a.role, a.subject))).toEqual([]);
  });
});

describe("CODEOWNERS", () => {
  const lines = readFileSync(join(ROOT, ".github/CODEOWNERS"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"));
  const owned = new Map(lines.map((line) => line.split(/\s+/)).map(([path, ...owners]) => [path, owners]));

  test("owns .github/, stacks/, guardrails/ and the plan review, each with an owner", () => {
    for (const path of ["/.github/", "/stacks/", "/guardrails/", "/scripts/plan-review.ts", "/scripts/lib/plan-review/"]) {
      expect([path, owned.get(path)]).toEqual([path, [expect.stringMatching(/^@[\w-]+(\/[\w-]+)?$/)]]);
    }
  });

  test("every path it names exists", () => {
    for (const path of owned.keys()) expect([path, existsSync(join(ROOT, path))]).toEqual([path, true]);
  });
});

test.each(workflowFiles())("%s names no stack: every environment comes from the command", (file) => {
  const text = readFileSync(join(WORKFLOWS_DIR, file), "utf8");
  for (const environment of LIST.environments) expect([file, text.includes(environment.stack)]).toEqual([file, false]);
  expect(text).not.toMatch(/BANDUP_PLAN_ROLE_ARN_[A-Z]/);
});

describe("drift.yml: a scheduled, read-only check per environment", () => {
  test("daily and by hand, on main's code only (no pull_request, no push); one run at a time", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const [{ cron }] = (drift.on as { schedule: { cron: string }[] }).schedule;
    // minute hour day-of-month month day-of-week: every day.
    expect(cron.split(" ").slice(2)).toEqual(["*", "*", "*"]);
    expect((drift as unknown as { concurrency: unknown }).concurrency).toEqual({ group: "drift", "cancel-in-progress": false });
    expect(Object.keys(drift.jobs)).toEqual(["environments", "drift", "report"]);
  });

  test("the drift and report matrices are every environment the command lists, in order; no environment, no job", () => {
    for (const id of ["drift", "report"]) {
      const job = drift.jobs[id];
      expect(job.strategy!["fail-fast"]).toBe(false);
      expect(evaluatePath(job.strategy!.matrix.include as string, needsContext(LIST))).toEqual(LIST.environments);
      expect(matrixKeys(job).every((key) => LIST.environments.every((e) => key in e))).toBe(true);
    }
    expect(drift.jobs.drift.if).toBe("fromJSON(needs.environments.outputs.json).environments[0] != null");
    // The report runs after failed drift jobs too: a failure must not pass for a clean environment.
    expect(drift.jobs.report.if).toBe("always() && needs.environments.result == 'success' && fromJSON(needs.environments.outputs.json).environments[0] != null");
    expect(drift.jobs.report.needs).toEqual(["environments", "drift"]);
  });

  test("each environment with its own read-only plan role, in its region, with the S3 backend; both plans -lock=false and -detailed-exitcode", () => {
    const job = drift.jobs.drift;
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expectPlanRoleCredentials(job, "bandup-drift");
    expect(job.env).toEqual({ ...STATE_ENV, STACK: "${{ matrix.stack }}", STACK_DIR: "cdktf.out/stacks/${{ matrix.stack }}" });
    const plans = job.steps!.flatMap((s) => (s.run ?? "").split("\n")).filter((line) => /terraform -chdir=\S+ plan /.test(line));
    expect(plans).toEqual([
      'terraform -chdir="$STACK_DIR" plan -input=false -lock=false -refresh-only -detailed-exitcode -out=refresh-only.tfplan || status=$?',
      'terraform -chdir="$STACK_DIR" plan -input=false -lock=false -detailed-exitcode -out=tfplan || status=$?',
    ]);
    // Nothing that writes: terraform only inits, plans and shows; no deploy role anywhere.
    const commands = Object.values(drift.jobs).flatMap((j) => (j.steps ?? []).flatMap((s) => (s.run ?? "").split("\n")));
    const subcommands = commands.flatMap((line) => [...line.matchAll(/\bterraform(?: -chdir=\S+)? ([a-z-]+)/g)].map((m) => m[1]));
    expect([...new Set(subcommands)].sort()).toEqual(["init", "plan", "show"]);
    expect(JSON.stringify(drift)).not.toMatch(/DEPLOY_ROLE|deployRoleVariable|aws-access-key/);
  });

  test("the report job: issues: write and nothing else, no checkout, no AWS, no npm", () => {
    const job = drift.jobs.report;
    expect(job.permissions).toEqual({ issues: "write" });
    const uses = job.steps!.filter((s) => s.uses).map((s) => s.uses!.split("@")[0]);
    expect(uses).toEqual(["actions/download-artifact"]);
    expect(job.steps!.map((s) => s.run ?? "").join("\n")).not.toMatch(/\bnpm\b|\baws\b|terraform/);
  });
});

describe("cdktn-check.yml", () => {
  test("runs weekly and by hand", () => {
    expect(Object.keys(cdktnCheck.on)).toEqual(["schedule", "workflow_dispatch"]);
    const schedule = cdktnCheck.on.schedule as { cron: string }[];
    expect(schedule).toHaveLength(1);
    // minute hour day-of-month month day-of-week: one fixed day of the week.
    expect(schedule[0].cron).toMatch(/^\d{1,2} \d{1,2} \* \* [0-6]$/);
  });

  test("one job: Node.js 22.19 or newer (cdktn-cli's minimum), terraform, the mirror of the pinned provider, then the check", () => {
    expect(Object.keys(cdktnCheck.jobs)).toEqual(["check"]);
    const steps = stepsOf(cdktnCheck.jobs.check);
    const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
    expect(node.with!["node-version"]).toBe(">=22.19.0 <23");
    expect(steps.some((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))).toBe(true);
    expect(cdktnCheck.env!.AWS_PROVIDER_VERSION).toBe(AWS_PROVIDER_VERSION);
    expect(steps.some((s) => s.run?.includes('echo "BANDUP_TF_MIRROR=$mirror" >> "$GITHUB_ENV"'))).toBe(true);
    const runs = steps.map((s) => s.run ?? "");
    const install = runs.indexOf("npm ci");
    const check = runs.findIndex((r) => r.startsWith("npm run check:cdktn -- --report "));
    expect(install).toBeGreaterThan(-1);
    expect(check).toBeGreaterThan(install);
    const summary = steps.find((s) => s.run?.includes("$GITHUB_STEP_SUMMARY"))!;
    expect(summary.if).toBe("always()");
  });
});

describe.each(workflows)("%s: least privilege", (_name, workflow) => {
  test("top level: contents read only", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  test("id-token: write only where an AWS role is assumed; pull-requests: write only where a comment is posted; statuses: write only where a status is set; actions: read only where another run's artifacts are read; issues: write only where an issue is written", () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const steps = stepsOf(job);
      const assumesRole = steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const comments = steps.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
      const setsStatus = steps.some((s) => s.run?.includes("/statuses/"));
      const readsAnotherRun = steps.some((s) => s.uses?.startsWith("actions/download-artifact@") && s.with?.["run-id"] !== undefined);
      const writesIssues = steps.some((s) => /\bgh issue (create|edit|comment|close)\b/.test(s.run ?? ""));
      expect([id, job.permissions?.["id-token"]]).toEqual([id, assumesRole ? "write" : undefined]);
      expect([id, job.permissions?.["pull-requests"]]).toEqual([id, comments ? "write" : undefined]);
      expect([id, job.permissions?.statuses]).toEqual([id, setsStatus ? "write" : undefined]);
      expect([id, job.permissions?.actions]).toEqual([id, readsAnotherRun ? "read" : undefined]);
      expect([id, job.permissions?.issues]).toEqual([id, writesIssues ? "write" : undefined]);
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        expect([id, scope, level]).toEqual([id, scope, { contents: "read", "id-token": "write", "pull-requests": "write", statuses: "write", actions: "read", issues: "write" }[scope]]);
      }
    }
  });

  test("no job holds a write token and runs npm ci of a pull request's code", () => {
    const runsPrCode = "pull_request" in workflow.on || "pull_request_target" in workflow.on;
    expect("pull_request_target" in workflow.on).toBe(false);
    if (!runsPrCode) return;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const writes = Object.entries(job.permissions ?? {}).filter(([scope, level]) => level === "write" && scope !== "id-token");
      expect([id, writes]).toEqual([id, []]);
    }
  });

  test("no long-lived AWS keys", () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps ?? []) {
        expect(Object.keys(step.with ?? {})).not.toContain("aws-access-key-id");
        expect(Object.keys(step.with ?? {})).not.toContain("aws-secret-access-key");
        expect(JSON.stringify(step)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS_/);
      }
    }
  });

  test("every npm script it runs exists in package.json and is documented in README.md", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    const used = [...new Set(allRuns(workflow).flatMap(npmScripts))];
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const name of used) {
      expect([name, name in scripts]).toEqual([name, true]);
      const documented = name === "test" ? /npm (?:run )?test\b/.test(readme) : readme.includes(`npm run ${name}`);
      expect([name, documented]).toEqual([name, true]);
    }
  });
});

describe("GitHub's workflow schema (@action-validator/cli)", () => {
  const cli = join(ROOT, "node_modules/@action-validator/cli/cli.mjs");

  function validate(file: string) {
    if (!existsSync(cli)) throw new Error(`@action-validator/cli is not installed (${cli}): run npm ci`);
    const run = spawnSync(process.execPath, [cli, file], { encoding: "utf8" });
    if (run.error) throw run.error;
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  test("the workflows are there", () => {
    expect(workflowFiles()).toEqual(expect.arrayContaining(["deploy-stage.yml", "deploy.yml", "drift.yml", "pr-review.yml", "pr.yml"]));
  });

  test.each(workflowFiles())("%s is valid", (file) => {
    expect(validate(join(WORKFLOWS_DIR, file))).toEqual({ status: 0, stdout: "", stderr: "" });
  });

  test("a workflow with a misspelt key is not (the check can fail)", () => {
    const broken = join(mkdtempSync(join(tmpdir(), "bandup-workflow-")), "deploy.yml");
    writeFileSync(broken, readFileSync(join(WORKFLOWS_DIR, "deploy.yml"), "utf8").replace("    needs: [environments, dev]\n", "    need: [environments, dev]\n"));
    const run = validate(broken);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Additional property 'need' is not allowed");
  });
});
