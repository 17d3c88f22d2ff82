/**
 * `npm run environments`: the command's function on the real settings and on a copy with one more
 * environment (scripts/lib/environment-list.ts), then the command as a child process: on the real
 * settings, in a copy of the project whose stacks/environments.ts has one more environment, after a
 * wrong setting and a wrong option, and how it checks (as synth does, writing nothing in the project).
 * What it refuses beyond the settings (the bootstrap's checks, the stacks' validations) is in
 * __tests__/stacks/app-check.test.ts.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { environmentList, environmentsCommand, ENVIRONMENTS_USAGE } from "../../scripts/lib/environment-list";
import { ENVIRONMENTS, EnvironmentConfigError, EnvironmentSettings, STAGES } from "../../stacks/environments";
import { DEPLOY_ROLE_VARIABLE, planRoleVariable } from "../../stacks/github-variables";
import { ADDED_ENVIRONMENT, ENVIRONMENT_CASES, SETTINGS_WITH_ADDED_ENVIRONMENT, unusedEnvironmentName } from "../support/environment-cases";
import { addEnvironment, copyProject } from "../support/project-copy";

const ROOT = join(__dirname, "../..");

/** Runs the command's function; returns its exit code and what it wrote. */
function command(argv: string[], settings?: Readonly<Record<string, EnvironmentSettings>>) {
  let stdout = "";
  let stderr = "";
  const status = environmentsCommand(argv, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) }, settings);
  return { status, stdout, stderr };
}

/** `npm run -s environments -- <args>` in `cwd`, as a child process. */
function npmRun(cwd: string, args: string[]) {
  const run = spawnSync("npm", ["run", "-s", "environments", "--", ...args], { cwd, encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("the command's function", () => {
  const list = environmentList(SETTINGS_WITH_ADDED_ENVIRONMENT);

  test(`every environment of a copy of the settings with ${ADDED_ENVIRONMENT.name} added, in order, as the README documents it`, () => {
    expect(list.schemaVersion).toBe(1);
    expect(list.environments).toEqual(
      ENVIRONMENT_CASES.map(({ name, expected }) => ({
        name,
        stack: expected.stack,
        stage: expected.stage,
        region: expected.region,
        protected: expected.protected,
        planRoleVariable: planRoleVariable(name),
        deployRoleVariable: DEPLOY_ROLE_VARIABLE,
        githubEnvironment: name,
        modelApiKeyParameter: expected.modelApiKeyParameter,
        uploadsBucket: expected.uploadsBucket,
      })),
    );
  });

  test(`the same entries per stage, in order: ${ADDED_ENVIRONMENT.name} deploys with staging, as its settings say`, () => {
    expect(Object.keys(list.stages)).toEqual([...STAGES]);
    for (const stage of STAGES) {
      expect([stage, list.stages[stage].map((e) => e.name)]).toEqual([stage, ENVIRONMENT_CASES.filter((c) => c.expected.stage === stage).map((c) => c.name)]);
    }
    expect(list.stages.staging.at(-1)).toEqual(list.environments.find((e) => e.name === ADDED_ENVIRONMENT.name));
    expect(list.stages.staging.at(-1)!.stage).toBe("staging");
  });

  test("--json: the list on one line", () => {
    const run = command(["--json"], SETTINGS_WITH_ADDED_ENVIRONMENT);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout.split("\n")).toHaveLength(2);
    expect(JSON.parse(run.stdout)).toEqual(list);
  });

  test("without --json: a table a person reads, then the deploy order; a stage without an environment says none", () => {
    const run = command([], { dev: {}, "eu-prod": { region: "eu-west-1" }, prod: { protected: true } });
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout).toBe(
      [
        "environment  stage  stack           region     protected  plan role (repository variable)  deploy role (variable of its GitHub environment)",
        "dev          dev    bandup-dev      us-east-1  no         BANDUP_PLAN_ROLE_ARN_DEV         BANDUP_DEPLOY_ROLE_ARN in dev",
        "eu-prod      prod   bandup-eu-prod  eu-west-1  no         BANDUP_PLAN_ROLE_ARN_EU_PROD     BANDUP_DEPLOY_ROLE_ARN in eu-prod",
        "prod         prod   bandup-prod     us-east-1  yes        BANDUP_PLAN_ROLE_ARN_PROD        BANDUP_DEPLOY_ROLE_ARN in prod",
        "",
        "A push to main deploys stage dev (dev), then staging (none), then prod (eu-prod, prod).",
        "",
      ].join("\n"),
    );
  });

  test("a wrong setting throws the app's settings error", () => {
    const name = unusedEnvironmentName("qa");
    expect(() => command(["--json"], { ...ENVIRONMENTS, [name]: { stage: "testing" as never } })).toThrow(
      new EnvironmentConfigError(name, ["`stage` must be one of `dev`, `staging`, `prod`; got `testing`"]),
    );
  });

  test.each([
    [["--nope"], "Unknown option '--nope'"],
    [["--json=yes"], "Option '--json' does not take an argument"],
    [["table"], "Unexpected argument 'table'"],
  ])("a wrong option %j: exit 2, what is wrong and the usage on stderr", (argv, first) => {
    const run = command(argv);
    expect([run.status, run.stdout]).toEqual([2, ""]);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith(first)).toBe(true);
    expect(lines[1]).toBe(ENVIRONMENTS_USAGE);
  });

  test("--help: the usage, exit 0", () => {
    const run = command(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout.split("\n")[0]).toBe(ENVIRONMENTS_USAGE);
  });
});

describe("as a child process (npm run environments)", () => {
  test("on the real settings: what the command's function returns, nothing on stderr", () => {
    const run = npmRun(ROOT, ["--json"]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout)).toEqual(environmentList());
  });

  test(`in a copy of the project with ${ADDED_ENVIRONMENT.name} added to stacks/environments.ts: listed with its stage`, () => {
    const copy = copyProject();
    addEnvironment(copy, ADDED_ENVIRONMENT.name, ADDED_ENVIRONMENT.settings);
    const json = npmRun(copy, ["--json"]);
    expect([json.status, json.stderr]).toEqual([0, ""]);
    expect(JSON.parse(json.stdout)).toEqual(environmentList(SETTINGS_WITH_ADDED_ENVIRONMENT));
    const table = npmRun(copy, []);
    expect(table.status).toBe(0);
    expect(table.stdout.split("\n").find((line) => line.startsWith(`${ADDED_ENVIRONMENT.name} `))!.split(/\s{2,}/)).toEqual([
      ADDED_ENVIRONMENT.name,
      "staging",
      `bandup-${ADDED_ENVIRONMENT.name}`,
      "ap-southeast-1",
      "no",
      planRoleVariable(ADDED_ENVIRONMENT.name),
      `${DEPLOY_ROLE_VARIABLE} in ${ADDED_ENVIRONMENT.name}`,
    ]);
  });

  test("a wrong setting: the settings' message once, with the file to edit, exit 1, no stack trace", () => {
    const copy = copyProject();
    const name = unusedEnvironmentName("qa");
    addEnvironment(copy, name, { stage: "testing" as never });
    const run = npmRun(copy, ["--json"]);
    expect(run).toEqual({
      status: 1,
      stdout: "",
      stderr: `Invalid settings for environment \`${name}\`:\n  - \`stage\` must be one of \`dev\`, \`staging\`, \`prod\`; got \`testing\`\nFix: edit \`ENVIRONMENTS\` in stacks/environments.ts.\n`,
    });
  });

  test("a wrong option: exit 2", () => {
    const run = npmRun(ROOT, ["--yaml"]);
    expect(run).toEqual({ status: 2, stdout: "", stderr: `Unknown option '--yaml'\n${ENVIRONMENTS_USAGE}\n` });
  });

  test("checks as synth does, in a folder of its own: no cdktf.out in the project, the provider bindings from their submodules only", () => {
    const copy = copyProject();
    const folder = mkdtempSync(join(tmpdir(), "bandup-environments-loaded-"));
    const hook = join(folder, "hook.cjs");
    const out = join(folder, "loaded.json");
    writeFileSync(hook, `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`);
    const script = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.environments as string;
    expect(script).toBe("node --import tsx scripts/environments.ts");
    const run = spawnSync(process.execPath, ["--require", hook, "--import", "tsx", "scripts/environments.ts", "--json"], { cwd: copy, encoding: "utf8" });
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(existsSync(join(copy, "cdktf.out"))).toBe(false);
    const loaded: string[] = JSON.parse(readFileSync(out, "utf8")).filter((file: string) => file !== hook);
    // The stacks were built (their check needs them) the way synth builds them: never the bindings' package root.
    expect(loaded.some((file) => file.includes("/node_modules/cdktf/"))).toBe(true);
    expect(loaded.filter((file) => /\/node_modules\/@cdktf\/provider-aws\/lib\/index\.js$/.test(file))).toEqual([]);
    expect(loaded.map((file) => relative(copy, file))).toEqual(expect.arrayContaining(["scripts/environments.ts", "stacks/environments.ts", "stacks/app.ts"]));
  });
});
