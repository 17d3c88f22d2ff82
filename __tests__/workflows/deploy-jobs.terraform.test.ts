/**
 * deploy-stage.yml's two jobs run for real, step by step (support/workflow-runner.ts): the plan job in
 * one workspace, its artifact carried to a second workspace as upload-artifact and download-artifact
 * would, the apply job there. Real bash, real terraform (offline, the provider from the mirror and
 * checked against .github/terraform-providers.lock.hcl, through the plugin cache folder the workflow
 * names), the real plan review. What cannot run here is a stand-in: `npm run synth` writes a small
 * stack (support/ci-stand-ins.ts) whose state is a local file in a folder both workspaces share,
 * standing for the S3 bucket; GitHub's API is the `gh` stand-in; actions do what the test says
 * (checkout copies the repository's .github folder, the artifact actions copy files, the credentials
 * action records the role and the session length it was asked for).
 *
 * The stack is one `terraform_data` (no cloud call) and declares hashicorp/aws as the real stacks do,
 * so init installs and verifies the provider and plan, show and apply start it. Fails (never skips)
 * when terraform or the mirror is missing.
 */
import { execFileSync } from "child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, join } from "path";
import { environmentList } from "../../scripts/lib/environment-list";
import { AWS_PROVIDER_VERSION, offlineTerraformEnv, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { REQUIRED_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import { CiStandIns, writeCiStandIns } from "../support/ci-stand-ins";
import { condition, JobRun, runJob } from "../support/workflow-runner";
import { loadWorkflow, ROOT, Step } from "../support/workflows";

const workflow = loadWorkflow("deploy-stage.yml");
const ENVIRONMENT = environmentList().environments[0];
const REPOSITORY = "my-org/bandup-infra";
const PUSHED = "1111111111111111111111111111111111111111";
const NEWER = "2222222222222222222222222222222222222222";
const PLAN_ROLE = `arn:aws:iam::123456789012:role/bandup-plan-${ENVIRONMENT.name}`;
const DEPLOY_ROLE = `arn:aws:iam::123456789012:role/bandup-deploy-${ENVIRONMENT.name}`;

let work: string;
let standIns: CiStandIns;
let stateFile: string;
let cliConfig: string;
const artifacts = new Map<string, string>();
const assumed: { role: string; duration: string; session: string }[] = [];
const uploads: { name: string; path: string; ifNoFilesFound?: string }[] = [];

beforeAll(() => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  work = mkdtempSync(join(tmpdir(), "bandup-deploy-jobs-"));
  standIns = writeCiStandIns(work);
  mkdirSync(join(work, "state"));
  stateFile = join(work, "state", "terraform.tfstate");
  mkdirSync(join(work, "artifacts"));
  cliConfig = writeCliConfig();
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The stack `npm run synth` writes: the real stacks' terraform block, one terraform_data holding `marker`. */
function stack(marker: string): string {
  const file = join(work, `stack-${marker}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terraform: {
        required_version: REQUIRED_TERRAFORM_VERSION,
        required_providers: { aws: { source: "aws", version: AWS_PROVIDER_VERSION } },
        backend: { local: { path: stateFile } },
      },
      resource: { terraform_data: { marker: { input: marker } } },
    }),
  );
  return file;
}

/** What the test's actions do. */
async function action(step: Step, inputs: Record<string, string>, workspace: string) {
  const uses = step.uses!.split("@")[0];
  switch (uses) {
    case "actions/checkout":
      cpSync(join(ROOT, ".github"), join(workspace, ".github"), { recursive: true });
      return {};
    case "actions/setup-node":
    case "hashicorp/setup-terraform":
    case "actions/cache":
      return {};
    case "aws-actions/configure-aws-credentials":
      assumed.push({ role: inputs["role-to-assume"], duration: inputs["role-duration-seconds"], session: inputs["role-session-name"] });
      return { env: { AWS_ACCESS_KEY_ID: "AKIAOFFLINETESTONLY00", AWS_SECRET_ACCESS_KEY: "offline", AWS_REGION: inputs["aws-region"] } };
    case "actions/upload-artifact": {
      uploads.push({ name: inputs.name, path: inputs.path, ifNoFilesFound: inputs["if-no-files-found"] });
      const from = join(workspace, inputs.path);
      if (!existsSync(from)) return { outcome: inputs["if-no-files-found"] === "error" ? ("failure" as const) : ("success" as const) };
      const to = join(work, "artifacts", inputs.name);
      mkdirSync(to, { recursive: true });
      copyFileSync(from, join(to, basename(from)));
      artifacts.set(inputs.name, to);
      return {};
    }
    case "actions/download-artifact": {
      const from = artifacts.get(inputs.name);
      if (!from) return { outcome: "failure" as const };
      cpSync(from, workspace, { recursive: true });
      return {};
    }
    default:
      throw new Error(`an action this test does not emulate: ${step.uses}`);
  }
}

/** Runs a job of deploy-stage.yml, as deploy.yml calls it for the first environment, in a fresh workspace. */
async function run(jobId: "plan" | "apply", options: { marker: string; mainHead?: string; workspace?: string }): Promise<JobRun & { workspace: string }> {
  const workspace = options.workspace ?? mkdtempSync(join(work, `${jobId}-`));
  const job = workflow.jobs[jobId];
  const result = await runJob({
    workflow,
    job,
    workspace,
    contexts: {
      inputs: { environment: JSON.stringify(ENVIRONMENT) },
      vars: { [ENVIRONMENT.planRoleVariable]: PLAN_ROLE, BANDUP_DEPLOY_ROLE_ARN: DEPLOY_ROLE, BANDUP_STATE_BUCKET: "bandup-terraform-state-123456789012", BANDUP_ALLOW_DESTROY: "", BANDUP_ALLOW_LOSS: "" },
      github: { token: "ghs_stand_in", sha: PUSHED, ref: "refs/heads/main", repository: REPOSITORY, run_id: "4242", run_attempt: "1", workspace },
      runner: { os: "Linux", arch: "X64", temp: join(workspace, "..") },
    },
    env: {
      ...offlineTerraformEnv(cliConfig),
      ...standIns.env,
      PATH: `${standIns.bin}:${process.env.PATH}`,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_SHA: PUSHED,
      GITHUB_REF: "refs/heads/main",
      GH_STANDIN_MAIN_HEAD: options.mainHead ?? PUSHED,
      SYNTH_STANDIN_STACK: stack(options.marker),
    },
    action: (step, inputs) => action(step, inputs, workspace),
  });
  return { ...result, workspace };
}

/** The marker the state holds (terraform_data keeps its `input` as a typed value). */
const markerInState = (): unknown => JSON.parse(readFileSync(stateFile, "utf8")).resources[0].instances[0].attributes.input.value;
const outcomes = (run: JobRun) => run.steps.map((s) => [s.name, s.outcome]);
const applyRuns = (plan: JobRun) => condition(workflow.jobs.apply.if, { contexts: { needs: { plan: { outputs: plan.outputs, result: plan.failed ? "failure" : "success" } } } });

describe("deploy-stage.yml, run step by step: plan job, artifact, gated apply of that artifact", () => {
  let firstPlan: JobRun & { workspace: string };
  let secondPlan: JobRun & { workspace: string };

  test("a push with changes: the plan job plans with the plan role, reviews into its summary and uploads the stack folder, lock file and tfplan, without .terraform", async () => {
    artifacts.clear();
    firstPlan = await run("plan", { marker: "v1" });
    expect([firstPlan.failed, firstPlan.stderr.match(/^Error.*$/m)?.[0]]).toEqual([false, undefined]);
    expect(firstPlan.outputs).toEqual({ changes: "true" });
    expect(assumed.at(-1)).toEqual({ role: PLAN_ROLE, duration: "3600", session: `bandup-plan-${ENVIRONMENT.name}-4242` });
    expect(firstPlan.summary).toContain("<!-- bandup-plan-review -->");
    expect(firstPlan.summary).toMatch(/\| `bandup-\w+` \| 1 \| 0 \| 0 \| 0 \| 0 \|/);
    const tar = join(artifacts.get(`plan-${ENVIRONMENT.name}`)!, "plan.tar");
    const listed = execFileSync("tar", ["-tf", tar], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
    const s = ENVIRONMENT.stack;
    expect(listed).toEqual([`${s}/`, `${s}/.terraform.lock.hcl`, `${s}/assets/`, `${s}/assets/asset.txt`, `${s}/cdk.tf.json`, `${s}/tfplan`].sort());
    // No state yet: the plan job (-lock=false) wrote nothing.
    expect(existsSync(stateFile)).toBe(false);
  }, 300_000);

  test("the apply job runs on that plan's outputs, with the deploy role for longer than its timeout, and applies exactly the artifact", async () => {
    expect(applyRuns(firstPlan)).toBe(true);
    expect(workflow.jobs.apply.environment).toBe("${{ fromJSON(inputs.environment).githubEnvironment }}");
    writeFileSync(standIns.npmLog, "");
    const apply = await run("apply", { marker: "not synthesized: the apply never synthesizes" });
    expect([apply.failed, apply.stderr.match(/^Error.*$/m)?.[0]]).toEqual([false, undefined]);
    expect(assumed.at(-1)).toEqual({ role: DEPLOY_ROLE, duration: "7200", session: `bandup-deploy-${ENVIRONMENT.name}-4242` });
    expect(Number(assumed.at(-1)!.duration)).toBeGreaterThan(workflow.jobs.apply["timeout-minutes"]! * 60);
    expect(markerInState()).toBe("v1");
    // No npm, no synth, no checkout: the artifact is all it applies.
    expect(readFileSync(standIns.npmLog, "utf8")).toBe("");
    expect(existsSync(join(apply.workspace, ".github"))).toBe(false);
    // The errored-state upload stays out of a successful apply.
    expect(outcomes(apply).find(([name]) => String(name).startsWith("Keep errored.tfstate"))).toEqual([expect.any(String), "skipped"]);
  }, 300_000);

  test("a push without changes: changes=false, nothing uploaded, and the apply job (its approval included) is skipped", async () => {
    artifacts.clear();
    secondPlan = await run("plan", { marker: "v1" });
    expect(secondPlan.failed).toBe(false);
    expect(secondPlan.outputs).toEqual({ changes: "false" });
    expect(artifacts.size).toBe(0);
    expect(applyRuns(secondPlan)).toBe(false);
  }, 300_000);

  test("a commit that is no longer main's head: the plan job stops first, before synth and credentials", async () => {
    const before = assumed.length;
    writeFileSync(standIns.npmLog, "");
    const stale = await run("plan", { marker: "v2", mainHead: NEWER });
    expect(stale.failed).toBe(true);
    expect(stale.steps.find((s) => s.outcome === "failure")!.name).toBe("Refuse a commit that is no longer main's head");
    expect(stale.stdout).toContain(`::error title=Not main's head::this run deploys ${PUSHED}, but main is now at ${NEWER}`);
    expect(readFileSync(standIns.npmLog, "utf8")).toBe("");
    expect(assumed.length).toBe(before);
  }, 300_000);

  describe("an apply of a plan that is no longer the one to apply", () => {
    let planOfV2: JobRun & { workspace: string };
    beforeAll(async () => {
      artifacts.clear();
      planOfV2 = await run("plan", { marker: "v2" });
      expect(planOfV2.outputs).toEqual({ changes: "true" });
    }, 300_000);

    test("main moved on while the apply waited (or an old run is re-run): refused before terraform apply, the state untouched", async () => {
      const apply = await run("apply", { marker: "-", mainHead: NEWER });
      expect(apply.failed).toBe(true);
      expect(apply.steps.find((s) => s.outcome === "failure")!.name).toBe("Refuse a commit that is no longer main's head");
      expect(outcomes(apply).find(([name]) => String(name).startsWith("terraform apply"))![1]).toBe("skipped");
      expect(apply.stdout).toContain(`::error title=Not main's head::this run deploys ${PUSHED}, but main is now at ${NEWER}`);
      expect(markerInState()).toBe("v1");
    }, 300_000);

    test("the state changed after the plan: terraform itself refuses the saved plan (Saved plan is stale), and errored.tfstate would be kept", async () => {
      // Another apply happened in between: the state's serial moved on.
      const state = JSON.parse(readFileSync(stateFile, "utf8"));
      writeFileSync(stateFile, JSON.stringify({ ...state, serial: state.serial + 1 }));
      uploads.length = 0;
      const apply = await run("apply", { marker: "-" });
      expect(apply.failed).toBe(true);
      expect(apply.steps.find((s) => s.outcome === "failure")!.name).toBe("terraform apply (the plan of the plan job, nothing else)");
      expect(apply.stderr.replace(/\s+/g, " ")).toContain("Saved plan is stale");
      expect(markerInState()).toBe("v1");
      expect(uploads).toEqual([{ name: `errored-tfstate-${ENVIRONMENT.name}-1`, path: `cdktf.out/stacks/${ENVIRONMENT.stack}/errored.tfstate`, ifNoFilesFound: "ignore" }]);
    }, 300_000);
  });
});
