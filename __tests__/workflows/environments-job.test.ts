/**
 * The first job of pr.yml and deploy.yml, run for real: its `list` step, taken from the workflow, in
 * bash -e (GitHub's default shell) with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files and the real
 * `npm run environments`; then the matrices of the plan and deploy jobs, evaluated on that output.
 * In the project, and in a copy of it with one more environment in stacks/environments.ts: that
 * environment is planned and deployed in its stage's turn without any change to the workflows.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentList, formatEnvironmentTable } from "../../scripts/lib/environment-list";
import { STAGES } from "../../stacks/environments";
import { ADDED_ENVIRONMENT, SETTINGS_WITH_ADDED_ENVIRONMENT, unusedEnvironmentName } from "../support/environment-cases";
import { addEnvironment, copyProject } from "../support/project-copy";
import { evaluatePath, loadWorkflow, ROOT } from "../support/workflows";

const listStep = loadWorkflow("pr.yml").jobs.environments.steps!.find((s) => s.id === "list")!;
const planMatrix = loadWorkflow("pr.yml").jobs.plan.strategy!.matrix.include as string;
const deployJobs = loadWorkflow("deploy.yml").jobs;
/** The matrix of a stage's job of deploy.yml: one call of deploy-stage.yml per environment. */
const deployMatrix = (stage: string) => deployJobs[stage].strategy!.matrix.include as string;

/** Runs the step's script in `cwd`; returns its exit code, stderr, and the files it wrote. */
function runListStep(cwd: string) {
  const folder = mkdtempSync(join(tmpdir(), "bandup-environments-job-"));
  const output = join(folder, "github-output");
  const summary = join(folder, "step-summary");
  const run = spawnSync("bash", ["-e", "-c", listStep.run!], { cwd, encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary } });
  const read = (file: string): string => (existsSync(file) ? readFileSync(file, "utf8") : "");
  return { status: run.status, stderr: run.stderr, output: read(output), summary: read(summary) };
}

/** The job output `json`, read from the GITHUB_OUTPUT file as GitHub reads `name=value` lines. */
function jsonOutput(output: string): string {
  const lines = output.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith("json=")).toBe(true);
  return lines[0].slice("json=".length);
}

const names = (matrix: unknown): string[] => (matrix as { name: string }[]).map((e) => e.name);

test("in the project: the output is the command's list of the real settings, the table goes to the job summary", () => {
  const step = runListStep(ROOT);
  expect([step.status, step.stderr]).toEqual([0, ""]);
  expect(JSON.parse(jsonOutput(step.output))).toEqual(environmentList());
  expect(step.summary).toBe(`\`\`\`\n${formatEnvironmentTable(environmentList())}\n\`\`\`\n`);
});

test(`with ${ADDED_ENVIRONMENT.name} added to stacks/environments.ts: planned in pull requests, deployed with its stage, nothing else changed`, () => {
  const copy = copyProject();
  addEnvironment(copy, ADDED_ENVIRONMENT.name, ADDED_ENVIRONMENT.settings);
  const step = runListStep(copy);
  expect([step.status, step.stderr]).toEqual([0, ""]);
  const json = jsonOutput(step.output);
  const expected = environmentList(SETTINGS_WITH_ADDED_ENVIRONMENT);
  expect(JSON.parse(json)).toEqual(expected);

  const plans = evaluatePath(planMatrix, { needs: { environments: { outputs: { json } } } });
  expect(names(plans)).toEqual(Object.keys(SETTINGS_WITH_ADDED_ENVIRONMENT));
  const deploys = STAGES.map((stage) => [stage, names(evaluatePath(deployMatrix(stage), { needs: { environments: { outputs: { json } } } }))]);
  expect(deploys).toEqual(STAGES.map((stage) => [stage, expected.environments.filter((e) => e.stage === stage).map((e) => e.name)]));
  expect(deploys.find(([stage]) => stage === "staging")![1]).toContain(ADDED_ENVIRONMENT.name);
});

test("a wrong setting fails the step with the settings' message, and writes no output", () => {
  const copy = copyProject();
  const name = unusedEnvironmentName("qa");
  addEnvironment(copy, name, { stage: "testing" as never });
  const step = runListStep(copy);
  expect(step).toEqual({
    status: 1,
    stderr: `Invalid settings for environment \`${name}\`:\n  - \`stage\` must be one of \`dev\`, \`staging\`, \`prod\`; got \`testing\`\nFix: edit \`ENVIRONMENTS\` in stacks/environments.ts.\n`,
    output: "",
    summary: "",
  });
});
