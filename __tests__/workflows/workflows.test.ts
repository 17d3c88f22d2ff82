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
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentList, EnvironmentList } from "../../scripts/lib/environment-list";
import { AWS_PROVIDER_VERSION } from "../../scripts/lib/terraform-offline";
import { allEnvironments, ENVIRONMENTS, stackName, STAGES } from "../../stacks/environments";
import {
  DEPLOY_ROLE_VARIABLE,
  planRoleVariable,
  STATE_BUCKET_VARIABLE,
  STATE_KEY_PREFIX_VARIABLE,
  STATE_REGION_VARIABLE,
} from "../../stacks/github-variables";
import { evaluatePath, Job, loadWorkflow, ROOT, stepsOf, Workflow, workflowFiles, WORKFLOWS_DIR } from "../support/workflows";

const pr = loadWorkflow("pr.yml");
const deploy = loadWorkflow("deploy.yml");
const deployStage = loadWorkflow("deploy-stage.yml");
const cdktnCheck = loadWorkflow("cdktn-check.yml");
const workflows: [string, Workflow][] = workflowFiles().map((file) => [file, loadWorkflow(file)]);

/** What the first job of both workflows outputs: the command's list of the real settings. */
const LIST = environmentList();
/** The environments of the settings, resolved by the app's own function. */
const RESOLVED = allEnvironments();

/** The contexts a job of pr.yml or deploy.yml sees once the environments job has run on `list`. */
const needsContext = (list: EnvironmentList) => ({ needs: { environments: { outputs: { json: JSON.stringify(list) } } } });
/** The contexts of deploy-stage.yml when deploy.yml calls it for `stage`. */
const stageInputs = (stage: string, list: EnvironmentList = LIST) => ({ inputs: { stage, environments: JSON.stringify(list) } });

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

describe("the environments job (first job of pr.yml and deploy.yml)", () => {
  test.each([
    ["pr.yml", pr],
    ["deploy.yml", deploy],
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

  test("is the same job in both workflows", () => {
    expect(deploy.jobs.environments).toEqual(pr.jobs.environments);
  });

  test("the command lists every environment of ENVIRONMENTS, in order, with the stack, stage, region and protection the app resolves", () => {
    expect(LIST.environments.map((e) => e.name)).toEqual(Object.keys(ENVIRONMENTS));
    expect(LIST.environments.map((e) => [e.name, e.stack, e.stage, e.region, e.protected])).toEqual(
      RESOLVED.map((e) => [e.name, stackName(e.name), e.stage, e.region, e.protected]),
    );
  });
});

describe("pr.yml", () => {
  test("runs on pull requests: the tests and the environments list, then a plan per environment, then one review job", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(Object.keys(pr.jobs)).toEqual(["test", "environments", "plan", "review"]);
    const runs = pr.jobs.test.steps!.map((s) => s.run).filter(Boolean);
    expect(runs.slice(-3)).toEqual(["npm ci", "npm test", "npm run synth"]);
    expect(pr.jobs.plan.needs).toEqual(["test", "environments"]);
    expect(pr.jobs.review.needs).toBe("plan");
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
    const aws = plan.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with).toEqual({
      "role-to-assume": "${{ vars[matrix.planRoleVariable] }}",
      "role-session-name": "bandup-plan-${{ matrix.name }}-${{ github.run_id }}",
      "aws-region": "${{ matrix.region }}",
    });
    for (const environment of LIST.environments) expect(environment.planRoleVariable).toBe(planRoleVariable(environment.name));
    expect(plan.env).toEqual({ ...STATE_ENV, STACK_DIR: "cdktf.out/stacks/${{ matrix.stack }}" });
    const runs = plan.steps!.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run synth");
    expect(runs).toContain("terraform init -input=false");
    expect(runs).toContain("terraform plan -input=false -lock=false -out=tfplan");
    expect(runs).toContain('terraform show -json tfplan > "$GITHUB_WORKSPACE/plans/${{ matrix.stack }}.json"');
  });

  test("each plan travels to the review as plans/<stack>.json, and the review reads every file there", () => {
    const upload = pr.jobs.plan.steps!.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with).toEqual({ name: "plan-${{ matrix.name }}", path: "plans/${{ matrix.stack }}.json", "retention-days": 7 });
    const download = pr.jobs.review.steps!.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
    expect(download.with).toEqual({ pattern: "plan-*", path: "plans", "merge-multiple": true });
    const review = pr.jobs.review.steps!.find((s) => s.id === "review")!;
    expect(review.run).toContain("shopt -s nullglob\nplans=(plans/*.json)\n");
    expect(review.run).toContain('npm run plan:review -- --output plan-review.md "${allow[@]}" "${plans[@]}" 2> plan-review.err');
  });

  test("posts one sticky comment, then fails on a flagged destroy", () => {
    const steps = pr.jobs.review.steps!;
    const review = steps.findIndex((s) => s.run?.includes("npm run plan:review"));
    const comment = steps.findIndex((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    const fail = steps.findIndex((s) => s.if === "steps.review.outputs.status != '0'");
    expect(review).toBeGreaterThan(-1);
    expect(comment).toBeGreaterThan(review);
    expect(fail).toBeGreaterThan(comment);
    expect(steps[comment].with).toEqual({ header: "bandup-plan-review", path: "plan-review.md" });
    expect(steps.filter((s) => s.uses?.includes("comment"))).toHaveLength(1);
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

  test.each([...STAGES])("stage %s: deploy-stage.yml with that stage and the command's JSON, its OIDC permission", (stage) => {
    const job = deploy.jobs[stage];
    expect(job.uses).toBe("./.github/workflows/deploy-stage.yml");
    expect(job.with).toEqual({ stage, environments: "${{ needs.environments.outputs.json }}" });
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.if).toBe(stageCondition(stage));
  });

  test.each([...STAGES])("stage %s deploys exactly the environments of that stage in the settings, in their order", (stage) => {
    const matrix = evaluatePath(deployStage.jobs.deploy.strategy!.matrix.include as string, stageInputs(stage));
    const expected = RESOLVED.filter((e) => e.stage === stage).map((e) => e.name);
    expect((matrix as { name: string }[]).map((e) => e.name)).toEqual(expected);
    expect(matrix).toEqual(LIST.environments.filter((e) => e.stage === stage));
  });

  test("every environment of the settings is deployed once, in the turn of its stage", () => {
    const deployed = STAGES.flatMap((stage) =>
      (evaluatePath(deployStage.jobs.deploy.strategy!.matrix.include as string, stageInputs(stage)) as { name: string }[]).map((e) => e.name),
    );
    expect([...deployed].sort()).toEqual(Object.keys(ENVIRONMENTS).sort());
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

describe("deploy-stage.yml", () => {
  const job = deployStage.jobs.deploy;

  test("is called with the stage and the command's JSON, and has one job", () => {
    expect(deployStage.on).toEqual({
      workflow_call: {
        inputs: {
          stage: { description: expect.any(String), type: "string", required: true },
          environments: { description: expect.any(String), type: "string", required: true },
        },
      },
    });
    expect(Object.keys(deployStage.jobs)).toEqual(["deploy"]);
    expect(deployStage.env).toEqual({ TERRAFORM_VERSION: expect.any(String), ...STATE_ENV });
  });

  test("each environment in its GitHub environment, with a non-cancelling concurrency group of its own", () => {
    expect(job.environment).toBe("${{ matrix.githubEnvironment }}");
    expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.name }}", "cancel-in-progress": false });
    expect(job.strategy!["fail-fast"]).toBe(false);
    for (const environment of LIST.environments) expect(environment.githubEnvironment).toBe(environment.name);
    const groups = LIST.environments.map((e) => `deploy-${e.name}`);
    expect(new Set(groups).size).toBe(LIST.environments.length);
  });

  test("assumes the environment's deploy role (OIDC), in its region", () => {
    expect(matrixKeys(job).every((key) => LIST.environments.every((e) => key in e))).toBe(true);
    const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with).toEqual({
      "role-to-assume": "${{ vars[matrix.deployRoleVariable] }}",
      "role-session-name": "bandup-deploy-${{ matrix.name }}-${{ github.run_id }}",
      "aws-region": "${{ matrix.region }}",
    });
    for (const environment of LIST.environments) expect(environment.deployRoleVariable).toBe(DEPLOY_ROLE_VARIABLE);
  });

  test("plans, reviews and applies that plan, in one job", () => {
    expect(job.env).toEqual({ STACK: "${{ matrix.stack }}" });
    const runs = job.steps!.map((s) => s.run ?? "");
    const order = ["npm ci", "npm run synth", "terraform plan -input=false -out=tfplan", "npm run plan:review", "terraform apply -input=false tfplan"];
    const positions = order.map((cmd) => runs.findIndex((r) => r.includes(cmd)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(runs.find((r) => r.includes("npm run plan:review"))).toContain('"plans/$STACK.json"');
    expect(runs.find((r) => r.includes("terraform show -json"))).toContain('> "$GITHUB_WORKSPACE/plans/$STACK.json"');
  });
});

test.each(workflowFiles())("%s names no stack: every environment comes from the command", (file) => {
  const text = readFileSync(join(WORKFLOWS_DIR, file), "utf8");
  for (const environment of LIST.environments) expect([file, text.includes(environment.stack)]).toEqual([file, false]);
  expect(text).not.toMatch(/BANDUP_PLAN_ROLE_ARN_[A-Z]/);
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

  test("id-token: write only where an AWS role is assumed; pull-requests: write only where a comment is posted", () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const steps = stepsOf(job);
      const assumesRole = steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const comments = steps.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
      expect([id, job.permissions?.["id-token"]]).toEqual([id, assumesRole ? "write" : undefined]);
      expect([id, job.permissions?.["pull-requests"]]).toEqual([id, comments ? "write" : undefined]);
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        expect([id, scope, level]).toEqual([id, scope, { contents: "read", "id-token": "write", "pull-requests": "write" }[scope]]);
      }
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

  test("the three workflows are there", () => {
    expect(workflowFiles()).toEqual(expect.arrayContaining(["deploy-stage.yml", "deploy.yml", "pr.yml"]));
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
