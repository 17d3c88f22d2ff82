/**
 * The app as `npm run synth` and `cdktf synth` run it (scripts/synth.cjs): a child process, every
 * environment, the summary it ends with, the stack folders it leaves, and its failures: the message
 * once on stderr, no stack trace, exit status 1; a bug's stack mapped to the TypeScript sources.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import { Testing } from "cdktf";
import { buildSync, BuildOptions } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { checkStack } from "../guardrails/apply";
import { buildBandupApp } from "../stacks/app";
import { BOOTSTRAP_STACK_NAME } from "../stacks/bootstrap-settings";
import { ENVIRONMENTS, stackName } from "../stacks/environments";
import { markedBlock } from "./support/docs";

const ROOT = join(__dirname, "..");
/** The environments, and the bootstrap stack that serves them (`cdktf deploy bandup-bootstrap`). */
const STACKS = [...Object.keys(ENVIRONMENTS).map(stackName), BOOTSTRAP_STACK_NAME];

function runNode(args: string[], env: NodeJS.ProcessEnv, outdir = mkdtempSync(join(tmpdir(), "bandup-synth-"))) {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "", ...env },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

function runApp(env: NodeJS.ProcessEnv = {}, outdir?: string) {
  return runNode([join(ROOT, "scripts/synth.cjs")], env, outdir);
}

/** The stack folders written under `<outdir>/stacks/` (the App creates the empty folder itself). */
function writtenStacks(outdir: string): string[] {
  const folder = join(outdir, "stacks");
  return existsSync(folder) ? readdirSync(folder) : [];
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** An expected failure: exactly `message` on stderr, once, nothing on stdout, no stack frame, no compiled path, status 1. */
function expectCleanFailure(result: SpawnSyncReturns<string>, message: string, compiledFile?: string): void {
  expect(result.stderr).toBe(`${message}\n`);
  expect(occurrences(result.stderr, message.split("\n")[0])).toBe(1);
  expect(result.stderr).not.toMatch(/^ {4}at /m);
  expect(result.stderr).not.toContain("dist/");
  if (compiledFile !== undefined) expect(result.stderr).not.toContain(compiledFile);
  expect(result.stdout).toBe("");
  expect(result.status).toBe(1);
}

describe("a synth that succeeds", () => {
  let run: ReturnType<typeof runApp>;
  beforeAll(() => {
    run = runApp();
  });

  test("synthesizes every environment into <outdir>/stacks/bandup-<env>/cdk.tf.json", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const name of STACKS) {
      const file = join(run.outdir, "stacks", name, "cdk.tf.json");
      expect(JSON.parse(readFileSync(file, "utf8"))["//"].metadata.stackName).toBe(name);
    }
    const manifest = JSON.parse(readFileSync(join(run.outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([...STACKS].sort());
    // With the local backend the bootstrap's state stays in the project folder, out of cdktf.out.
    expect(JSON.parse(readFileSync(join(run.outdir, "stacks", BOOTSTRAP_STACK_NAME, "cdk.tf.json"), "utf8")).terraform.backend).toEqual({
      local: { path: "../../../terraform.bandup-bootstrap.tfstate" },
    });
  });

  test("ends with a summary of at most 15 lines: each stack, each rule that warns with its fix, the time, where the details are", () => {
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(lines[0]).toMatch(new RegExp(`^Synthesized ${STACKS.length} stacks in \\d+\\.\\d\\d s:$`));

    const stackLines = lines.slice(1, 1 + STACKS.length).map((line) => line.trim().split(/\s{2,}/));
    expect(stackLines).toEqual(
      STACKS.map((name) => {
        const json = JSON.parse(readFileSync(join(run.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
        const resources = Object.values(json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
        return [name, `${resources} resources`, join(run.outdir, "stacks", name)];
      }),
    );

    // What the guardrails find in the same stacks, in-process: one line per rule that warns.
    const { stacks, bootstrap } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
    const reports = [...stacks, bootstrap].map((stack) => checkStack(stack));
    const warnings = reports.flatMap((r) => r.warnings);
    const suppressed = reports.reduce((n, r) => n + r.suppressed.length, 0);
    const rules = [...new Set(warnings.map((w) => w.ruleId))];
    expect(lines.slice(1 + STACKS.length)).toEqual([
      `Guardrails: no errors, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}, ${suppressed} suppressed with a written reason.`,
      ...rules.map((ruleId) => {
        const of = warnings.filter((w) => w.ruleId === ruleId);
        return `  ${ruleId}: ${of.length} warning${of.length === 1 ? "" : "s"}. Fix: ${of[0].fix}`;
      }),
      "Every finding and suppression with its reason: npm run guardrails",
    ]);
  });

  test("README.md's example of a synth is this run's output, but for the time and the output folder", () => {
    const block = markedBlock("README.md", "synth summary").split("\n");
    const time = /^Synthesized \d+ stacks in (\d+\.\d\d) s:$/m.exec(block.join("\n"))?.[1];
    expect(time).toBeDefined();
    const npm = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const summary = run.stdout
      .trimEnd()
      .split(run.outdir)
      .join("cdktf.out")
      .replace(/^(Synthesized \d+ stacks in )\d+\.\d\d( s:)$/m, `$1${time}$2`);
    expect(block.slice(1, -1)).toEqual(["```", "$ npm run synth", "", `> ${npm.name}@${npm.version} synth`, `> ${npm.scripts.synth}`, "", ...summary.split("\n"), "```"]);
  });

  test("on the default settings, every warning is one whose fix the project can act on: no BANDUP-DDB-2 (a reasoned suppression)", () => {
    expect(run.stdout).not.toContain("BANDUP-DDB-2");
    expect(run.stdout).not.toContain("BANDUP-LAMBDA-4");
  });
});

test("uses the S3 backend named by the environment variables", () => {
  const { status, outdir } = runApp({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "bandup-state" });
  expect(status).toBe(0);
  const json = JSON.parse(readFileSync(join(outdir, "stacks/bandup-staging/cdk.tf.json"), "utf8"));
  expect(json.terraform.backend.s3).toMatchObject({ bucket: "bandup-state", key: "bandup/staging/terraform.tfstate" });
  const bootstrap = JSON.parse(readFileSync(join(outdir, "stacks/bandup-bootstrap/cdk.tf.json"), "utf8"));
  expect(bootstrap.terraform.backend.s3).toMatchObject({ bucket: "bandup-state", key: "bandup/bootstrap/terraform.tfstate" });
});

test("a bad backend setting: the message once, the fix, no stack trace, status 1, no stack written", () => {
  const result = runApp({ BANDUP_BACKEND: "s3" });
  expectCleanFailure(
    result,
    "Invalid state backend settings:\n" +
      "  - `BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend\n" +
      "Fix: set the variable in the environment, or the `bandupBackend` context in cdktf.json (stacks/backend.ts lists each setting).",
  );
  expect(writtenStacks(result.outdir)).toEqual([]);
});

describe("stack folders left from an earlier synth", () => {
  /** An `<outdir>/stacks/<folder>/cdk.tf.json` as cdktf writes it for the stack `stack`. */
  function writeStackFolder(stacksFolder: string, folder: string, stack: string): string {
    const directory = join(stacksFolder, folder);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "cdk.tf.json"), JSON.stringify({ "//": { metadata: { stackName: stack } } }));
    return directory;
  }

  test("removes the folder of a bandup stack the app no longer has, and nothing else", () => {
    const outdir = mkdtempSync(join(tmpdir(), "bandup-synth-"));
    const stacksFolder = join(outdir, "stacks");
    // Names no real environment has: as if those environments had been removed from the settings.
    const gone = writeStackFolder(stacksFolder, "bandup-removed", "bandup-removed");
    mkdirSync(join(gone, ".terraform"));
    const withState = writeStackFolder(stacksFolder, "bandup-removed-with-state", "bandup-removed-with-state");
    writeFileSync(join(withState, "terraform.tfstate"), "{}");
    const otherApp = writeStackFolder(stacksFolder, "payments-dev", "payments-dev");
    const notAStack = join(stacksFolder, "bandup-notes");
    mkdirSync(notAStack);
    writeFileSync(join(notAStack, "README.md"), "kept");
    const misnamed = writeStackFolder(stacksFolder, "bandup-copy", "bandup-dev");
    const linkTarget = writeStackFolder(mkdtempSync(join(tmpdir(), "bandup-elsewhere-")), "bandup-linked", "bandup-linked");
    symlinkSync(linkTarget, join(stacksFolder, "bandup-linked"));
    writeFileSync(join(outdir, "notes.txt"), "kept");
    expect(STACKS).not.toContain("bandup-removed");

    const { status, stdout, stderr } = runApp({}, outdir);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(existsSync(gone)).toBe(false);
    for (const kept of [withState, otherApp, notAStack, misnamed, join(stacksFolder, "bandup-linked"), linkTarget, join(outdir, "notes.txt")]) {
      expect(existsSync(kept)).toBe(true);
    }
    for (const name of STACKS) expect(existsSync(join(stacksFolder, name, "cdk.tf.json"))).toBe(true);
    const lines = stdout.split("\n");
    expect(lines).toContain(`Removed ${gone}: that stack is no longer in the app.`);
    expect(lines).toContain(`Kept ${withState}, a stack no longer in the app: it holds Terraform state (terraform.tfstate).`);
  });
});

test("compiles the app once, and again only when a source's content no longer matches the manifest", () => {
  const output = join(ROOT, "dist/app/main.js");
  const manifestPath = `${output}.inputs.json`;
  expect(runApp().status).toBe(0);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining(["main.ts", "stacks/bandup-stack.ts", "constructs/bandup-table.ts"]));
  expect(Object.keys(manifest.inputs).filter((file) => file.startsWith("node_modules/"))).toEqual([]);
  const compiledAt = statSync(output).mtimeMs;

  expect(runApp().status).toBe(0);
  expect(statSync(output).mtimeMs).toBe(compiledAt);

  // As if main.ts had been edited since the last compile.
  writeFileSync(manifestPath, JSON.stringify({ inputs: { ...manifest.inputs, "main.ts": "0".repeat(40) } }));
  expect(runApp().status).toBe(0);
  expect(statSync(output).mtimeMs).toBeGreaterThan(compiledAt);
  expect(JSON.parse(readFileSync(manifestPath, "utf8"))).toEqual(manifest);
});

/**
 * Failures injected by a test-only entry (__tests__/support/synth-failures.ts) that runs the same
 * synth command as main.ts, compiled with scripts/synth.cjs's own options and run with plain node.
 */
describe("failures of the synth command", () => {
  const ENTRY = join(ROOT, "__tests__/support/synth-failures.ts");
  let folder: string;
  let compiled: string;
  beforeAll(() => {
    // Inside the project, so the compiled entry finds node_modules as dist/app/main.js does.
    mkdirSync(join(ROOT, "dist"), { recursive: true });
    folder = mkdtempSync(join(ROOT, "dist", "test-entry-"));
    compiled = join(folder, "synth-failures.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { appBuildOptions } = require("../scripts/synth.cjs") as { appBuildOptions: (root: string, outfile: string) => BuildOptions };
    buildSync({ ...appBuildOptions(ROOT, compiled), entryPoints: [ENTRY] });
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const failWith = (scenario: string) => runNode([compiled, scenario], {});

  test("a bad setting: the message once, naming stacks/environments.ts, no stack trace, status 1, nothing written", () => {
    const result = failWith("bad-setting");
    expectCleanFailure(
      result,
      "Invalid settings for environment `dev`:\n" +
        "  - `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`\n" +
        "Fix: edit `ENVIRONMENTS` in stacks/environments.ts.",
      compiled,
    );
    expect(writtenStacks(result.outdir)).toEqual([]);
  });

  test("a guardrail error: the finding once, with its fix and the construct's file, no stack trace, status 1, nothing written", () => {
    const result = failWith("guardrail-error");
    expectCleanFailure(
      result,
      "Synth stopped: 1 validation error(s) in the app\n\n" +
        "[bandup-dev] BANDUP-DDB-1 error at bandup-dev/evaluations/table (aws_dynamodb_table.evaluations_table_68D57890): " +
        "table `bandup-evaluations-dev` has point_in_time_recovery.enabled = `false`; it must be true\n" +
        "      Fix: Set `pointInTimeRecovery: { enabled: true }` on the DynamodbTable (BandupTable does) and remove any override that turns it off.\n" +
        "      Defined in: constructs/bandup-table.ts",
      compiled,
    );
    expect(writtenStacks(result.outdir)).toEqual([]);
  });

  test("a missing Lambda entry: the message once, no stack trace, status 1", () => {
    expectCleanFailure(
      failWith("missing-lambda-entry"),
      "Lambda entry `lambda-src/no-such-function/index.ts` does not exist; each function needs a module that exports `handler`",
      compiled,
    );
  });

  test("a missing layer package: the message once, no stack trace, status 1", () => {
    expectCleanFailure(
      failWith("missing-layer-package"),
      "layer package `no-such-package` is not installed in node_modules; add it to package.json dependencies",
      compiled,
    );
  });

  test("a bug keeps its stack, mapped to the TypeScript sources, and exits 1", () => {
    const { stderr, stdout, status } = failWith("bug");
    const bugLine = readFileSync(ENTRY, "utf8").split("\n").findIndex((line) => line.includes("// THE BUG")) + 1;
    const lines = stderr.trimEnd().split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "Unexpected error: this is a bug in bandup-infra, not a problem with your settings. Please report it with this trace:",
      "TypeError: Cannot read properties of undefined (reading 'tables')",
    ]);
    expect(lines[2]).toMatch(new RegExp(`^ {4}at bug \\(${ENTRY.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${bugLine}:\\d+\\)$`));
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}at runSynth \(.*\/scripts\/lib\/synth-app\.ts:\d+:\d+\)$/));
    expect(stderr).not.toContain(compiled);
    expect(stdout).toBe("");
    expect(status).toBe(1);
  });
});
