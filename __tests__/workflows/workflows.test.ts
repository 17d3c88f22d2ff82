/**
 * The GitHub workflows, parsed with `yaml`: jobs, the deploy chain, environments, concurrency,
 * least-privilege permissions, OIDC only (no long-lived keys), and that every `npm run <script>` they
 * call exists in package.json (and, once README.md exists, is documented there).
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { AWS_PROVIDER_VERSION } from "../../scripts/lib/terraform-offline";

const ROOT = join(__dirname, "../..");
const ENVIRONMENTS = ["dev", "staging", "prod"];

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  strategy?: { matrix: { include: Record<string, string>[] } };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return parse(readFileSync(join(ROOT, ".github/workflows", name), "utf8"));
}

const pr = load("pr.yml");
const deploy = load("deploy.yml");
const cdktnCheck = load("cdktn-check.yml");
const workflows: [string, Workflow][] = [
  ["pr.yml", pr],
  ["deploy.yml", deploy],
  ["cdktn-check.yml", cdktnCheck],
];

/** `npm run X`, `npm run-script X`, `npm test` → the script names. */
function npmScripts(run: string): string[] {
  const names = [...run.matchAll(/\bnpm (?:run|run-script)(?: --?[a-z-]+)* ([\w:.-]+)/g)].map((m) => m[1]);
  if (/\bnpm (?:test|t)\b/.test(run)) names.push("test");
  return names;
}

function allRuns(workflow: Workflow): string[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ""));
}

describe("pr.yml", () => {
  test("runs on pull requests: test, then a plan per environment, then one review job", () => {
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(Object.keys(pr.jobs)).toEqual(["test", "plan", "review"]);
    const runs = pr.jobs.test.steps.map((s) => s.run).filter(Boolean);
    expect(runs.slice(-3)).toEqual(["npm ci", "npm test", "npm run synth"]);
    expect(pr.jobs.plan.needs).toBe("test");
    expect(pr.jobs.review.needs).toBe("plan");
  });

  test("plans every environment with its own read-only role from OIDC and the S3 backend", () => {
    const plan = pr.jobs.plan;
    expect(plan.strategy!.matrix.include).toEqual(
      ENVIRONMENTS.map((e) => ({ environment: e, role_variable: `BANDUP_PLAN_ROLE_ARN_${e.toUpperCase()}` })),
    );
    const aws = plan.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with!["role-to-assume"]).toBe("${{ vars[matrix.role_variable] }}");
    expect(plan.env).toMatchObject({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "${{ vars.BANDUP_STATE_BUCKET }}" });
    expect(plan.env!.STACK_DIR).toBe("cdktf.out/stacks/bandup-${{ matrix.environment }}");
    const runs = plan.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run synth");
    expect(runs).toContain("terraform init -input=false");
    expect(runs).toContain("terraform plan -input=false -lock=false -out=tfplan");
    expect(runs).toContain('terraform show -json tfplan > "$GITHUB_WORKSPACE/plans/bandup-${{ matrix.environment }}.json"');
  });

  test("posts one sticky comment, then fails on a flagged destroy", () => {
    const steps = pr.jobs.review.steps;
    const review = steps.findIndex((s) => s.run?.includes("npm run plan:review"));
    const comment = steps.findIndex((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    const fail = steps.findIndex((s) => s.if === "steps.review.outputs.status != '0'");
    expect(review).toBeGreaterThan(-1);
    expect(comment).toBeGreaterThan(review);
    expect(fail).toBeGreaterThan(comment);
    expect(steps[comment].with).toEqual({ header: "bandup-plan-review", path: "plan-review.md" });
    for (const e of ENVIRONMENTS) expect(steps[review].run).toContain(`plans/bandup-${e}.json`);
    expect(steps.filter((s) => s.uses?.includes("comment"))).toHaveLength(1);
  });
});

describe("deploy.yml", () => {
  test("deploys dev, then staging, then prod on pushes to main", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(Object.keys(deploy.jobs)).toEqual(ENVIRONMENTS.map((e) => `deploy-${e}`));
    expect(deploy.jobs["deploy-dev"].needs).toBeUndefined();
    expect(deploy.jobs["deploy-staging"].needs).toBe("deploy-dev");
    expect(deploy.jobs["deploy-prod"].needs).toBe("deploy-staging");
    expect(deploy.env).toMatchObject({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "${{ vars.BANDUP_STATE_BUCKET }}" });
  });

  test.each(ENVIRONMENTS)("%s: its environment, a non-cancelling concurrency group, its OIDC deploy role", (env) => {
    const job = deploy.jobs[`deploy-${env}`];
    expect(job.environment).toBe(env);
    expect(job.concurrency).toEqual({ group: `deploy-${env}`, "cancel-in-progress": false });
    expect(job.env).toEqual({ STACK: `bandup-${env}` });
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with!["role-to-assume"]).toBe("${{ vars.BANDUP_DEPLOY_ROLE_ARN }}");
    const runs = job.steps.map((s) => s.run ?? "");
    const order = ["npm ci", "npm run synth", "terraform plan -input=false -out=tfplan", "npm run plan:review", "terraform apply -input=false tfplan"];
    const positions = order.map((cmd) => runs.findIndex((r) => r.includes(cmd)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test("the three jobs are the same but for the environment (no drift)", () => {
    const normalise = (env: string) =>
      JSON.stringify({ ...deploy.jobs[`deploy-${env}`], needs: undefined }).split(env).join("<env>");
    expect(normalise("staging")).toBe(normalise("dev"));
    expect(normalise("prod")).toBe(normalise("dev"));
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
    const steps = cdktnCheck.jobs.check.steps;
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
      const assumesRole = job.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      const comments = job.steps.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
      expect([id, job.permissions?.["id-token"]]).toEqual([id, assumesRole ? "write" : undefined]);
      expect([id, job.permissions?.["pull-requests"]]).toEqual([id, comments ? "write" : undefined]);
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        expect([id, scope, level]).toEqual([id, scope, { contents: "read", "id-token": "write", "pull-requests": "write" }[scope]]);
      }
    }
  });

  test("no long-lived AWS keys", () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        expect(Object.keys(step.with ?? {})).not.toContain("aws-access-key-id");
        expect(Object.keys(step.with ?? {})).not.toContain("aws-secret-access-key");
        expect(JSON.stringify(step)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS_/);
      }
    }
  });

  test("every npm script it runs exists in package.json (and in README.md once there is one)", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    const used = [...new Set(allRuns(workflow).flatMap(npmScripts))];
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect([name, name in scripts]).toEqual([name, true]);
    const readmePath = join(ROOT, "README.md");
    if (existsSync(readmePath)) {
      const readme = readFileSync(readmePath, "utf8");
      for (const name of used) {
        const documented = name === "test" ? /npm (?:run )?test\b/.test(readme) : readme.includes(`npm run ${name}`);
        expect([name, documented]).toEqual([name, true]);
      }
    }
  });
});
