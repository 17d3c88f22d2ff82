/**
 * `npm run check:cdktn [-- --report <file>] [-- --keep]`: proves the way from cdktf to CDK Terrain on
 * a copy of the project, never on the project itself.
 *
 * In a temporary folder holding the working tree's files (tracked, with uncommitted changes, and new
 * files not ignored), it installs today's lock file and synthesizes every stack (the baseline), then:
 * - step 1, core only: cdktn installed under the name cdktf (with the npm override that makes that
 *   possible), constructs in cdktn's range; every test (`npm test`, terraform ones included, on the
 *   offline mirror of hashicorp/aws 5.100.0), and each stack's JSON against the baseline;
 * - step 2, the provider too: cdktn, @cdktn/provider-aws (hashicorp/aws 6.x), cdktn-cli; the import
 *   rewrite and the edits by hand (scripts/lib/cdktn-migration.ts); the type check, the unit tests
 *   (the terraform ones cannot run: the mirror holds aws 5.100.0 only), each stack's JSON, and
 *   `cdktn synth` through the CLI where Node.js is recent enough for it.
 * Then it prints the report (scripts/lib/cdktn-report.ts) and exits 1 when a step or a fact failed,
 * or the working tree changed meanwhile; 2 on a usage error. It installs from the npm registry at
 * run time (three installs and the whole suite: several minutes), so it is not part of `npm test`.
 */
import { spawnSync } from "child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { parseArgs } from "util";
import {
  applyStep2Sources,
  AWS_PROVIDER_VERSION_TODAY,
  CDKTN_AWS_PROVIDER_VERSION,
  CDKTN_CLI_NODE_RANGE,
  CDKTN_CONSTRUCTS_RANGE,
  CDKTN_PROVIDER_AWS_VERSION,
  CDKTN_VERSION,
  CHECK_OWN_TESTS_PATTERN,
  compareStacks,
  CONSTRUCTS_VERSION,
  describePackageChange,
  findLeftovers,
  isCheckOwnFile,
  PackageJson,
  RewrittenPackage,
  step1PackageJson,
  step1WithoutOverride,
  step2PackageJson,
} from "./lib/cdktn-migration";
import { CheckReport, checkPassed, CommandOutcome, FactCheck, renderReport, StepResult } from "./lib/cdktn-report";
import { copyProjectFiles, projectFiles, workingTreeFingerprint } from "./lib/project-copy";

const USAGE = "usage: npm run check:cdktn -- [--report <file>] [--keep]";
const HELP = `${USAGE}

Copies the project to a temporary folder and proves the move to CDK Terrain there (docs/cdk-terrain.md):
step 1 (core only) with every test, step 2 (the provider too) with the type check, the unit tests
and a diff of each stack's JSON against today's. Never writes into the project.

  --report <file>  also write the report to <file>
  --keep           keep the temporary folder (the copy and the logs of every command)
  --help           this text

Exit codes: 0 every step and fact holds, 1 something failed, 2 usage error.`;

const PROJECT = resolve(__dirname, "..");
const LAST_LOG_LINES = 15;

/** The environment for the copy's commands: npm's own variables for the project's script removed. */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // npm run check:cdktn exports the project's folder and package (npm_config_local_prefix,
    // npm_package_json, INIT_CWD, ...): an npm started in the copy must not see them. `npm run -s`
    // exports npm_config_loglevel=silent, which would leave the logs of the copy's npm empty (and the
    // ERESOLVE the check reads unwritten).
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$|config_call$|config_loglevel$)/i.test(key) || key === "INIT_CWD") continue;
    env[key] = value;
  }
  return { ...env, CHECKPOINT_DISABLE: "1" };
}

/** Runs commands in the copy, each with its output in its own log file. */
class Runner {
  private count = 0;
  private readonly env = childEnvironment();

  constructor(
    readonly cwd: string,
    readonly logs: string,
  ) {}

  /** Runs `command args` in the copy; `status` is the exit code (null when killed by a signal). */
  exec(label: string, command: string, args: readonly string[]): { status: number | null; seconds: number; log: string } {
    this.count += 1;
    const log = join(this.logs, `${String(this.count).padStart(2, "0")}-${label.replace(/[^\w.-]+/g, "-").slice(0, 60)}.log`);
    const fd = openSync(log, "w");
    process.stderr.write(`[check:cdktn] ${label}: ${command} ${args.join(" ")}\n`);
    const started = process.hrtime.bigint();
    try {
      const result = spawnSync(command, args, { cwd: this.cwd, env: this.env, stdio: ["ignore", fd, fd] });
      if (result.error) writeFileSync(log, `could not start ${command}: ${result.error.message}\n`, { flag: "a" });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stderr.write(`[check:cdktn]   ${result.status === 0 ? "ok" : `exit ${result.status ?? result.signal}`} in ${seconds.toFixed(0)} s\n`);
      return { status: result.error ? null : result.status, seconds, log };
    } finally {
      closeSync(fd);
    }
  }

  /** `exec`, as a report line; failures carry the last lines of the output. */
  run(label: string, command: string, args: readonly string[]): CommandOutcome {
    const { status, seconds, log } = this.exec(label, command, args);
    if (status === 0) return { label, status: "ok", seconds };
    return { label, status: "failed", seconds, summary: `exit ${status ?? "(signal)"}`, failures: lastLines(log) };
  }
}

function lastLines(file: string, count = LAST_LOG_LINES): string[] {
  const lines = readFileSync(file, "utf8").split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
  return lines.slice(-count);
}

/** jest's `--json` output, the part the report reads. */
interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string }[] }[];
}

/** Runs jest (through `command args`, which must pass `--json --outputFile=<jsonFile>`), summarized. */
function runJest(runner: Runner, label: string, command: string, args: readonly string[], jsonFile: string): CommandOutcome {
  const { status, seconds, log } = runner.exec(label, command, args);
  if (!existsSync(jsonFile)) {
    return { label, status: "failed", seconds, summary: `exit ${status}, no jest results (did the type check fail?)`, failures: lastLines(log) };
  }
  const results = JSON.parse(readFileSync(jsonFile, "utf8")) as JestResults;
  const files = results.testResults.length;
  const terraformFiles = results.testResults.filter((r) => r.name.endsWith(".terraform.test.ts")).length;
  const summary =
    `${results.numPassedTests} passed, ${results.numFailedTests} failed${results.numPendingTests ? `, ${results.numPendingTests} skipped` : ""}` +
    ` in ${files} files (${terraformFiles} of them *.terraform.test.ts)`;
  const failures = results.testResults.flatMap((file) => {
    const name = file.name.slice(file.name.indexOf("__tests__"));
    const failed = file.assertionResults.filter((a) => a.status === "failed").map((a) => `${name}: ${a.fullName}`);
    if (failed.length > 0 || file.status !== "failed") return failed;
    return [`${name}: ${file.message.split("\n").find((l) => l.trim() !== "")?.trim() ?? "failed to run"}`];
  });
  const ok = status === 0 && results.numFailedTests === 0 && failures.length === 0;
  return { label, status: ok ? "ok" : "failed", seconds, summary, failures };
}

/** Synthesizes every stack with `node scripts/synth.cjs` and reads each cdk.tf.json. */
function synthStacks(runner: Runner, label: string, command = "node", args: readonly string[] = ["scripts/synth.cjs"]) {
  const out = join(runner.cwd, "cdktf.out");
  rmSync(out, { recursive: true, force: true });
  const outcome = runner.run(label, command, args);
  const stacks = new Map<string, unknown>();
  const stacksDir = join(out, "stacks");
  if (outcome.status === "ok" && existsSync(stacksDir)) {
    for (const stack of readdirSync(stacksDir).sort()) {
      stacks.set(stack, JSON.parse(readFileSync(join(stacksDir, stack, "cdk.tf.json"), "utf8")));
    }
  }
  const withCount: CommandOutcome = outcome.status === "ok" ? { ...outcome, summary: `${stacks.size} stacks: ${[...stacks.keys()].join(", ")}` } : outcome;
  return { outcome: withCount, stacks };
}

/** Median of three warm synths (the first synth of a step compiled and bundled). */
function warmSynthSeconds(runner: Runner, step: string): number | undefined {
  const times: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const { status, seconds } = runner.exec(`${step} warm synth ${i}`, "node", ["scripts/synth.cjs"]);
    if (status !== 0) return undefined;
    times.push(seconds);
  }
  return times.sort((a, b) => a - b)[1];
}

function writePackageJson(project: string, packageJson: PackageJson): void {
  writeFileSync(join(project, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
}

function readInstalled(project: string, name: string): Record<string, unknown> | undefined {
  const file = join(project, "node_modules", name, "package.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

function packageChangesLine(rewritten: RewrittenPackage): string {
  return `package.json: ${rewritten.changes.map(describePackageChange).join("; ")}`;
}

/** `major.minor.patch` of a `>=x.y.z` range, compared with this Node.js. */
function nodeSatisfies(range: string): boolean {
  const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!minimum) return false;
  const have = process.versions.node.split(".").map(Number);
  const want = minimum.slice(1).map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

function today(runner: Runner, report: { steps: StepResult[]; synthSeconds: { step: string; seconds: number }[] }) {
  const install = runner.run("today: npm ci (package-lock.json as it is)", "npm", ["ci", "--no-audit", "--no-fund"]);
  if (install.status !== "ok") {
    report.steps.push({ title: "Today", changes: [], commands: [install], stopped: "today's lock file does not install: nothing to compare with" });
    return undefined;
  }
  const synth = synthStacks(runner, "today: synth");
  report.steps.push({ title: "Today (the baseline)", changes: [], commands: [install, synth.outcome] });
  const seconds = synth.outcome.status === "ok" ? warmSynthSeconds(runner, "today") : undefined;
  if (seconds !== undefined) report.synthSeconds.push({ step: "today", seconds });
  return synth.outcome.status === "ok" && synth.stacks.size > 0 ? synth.stacks : undefined;
}

function step1(runner: Runner, original: PackageJson, baseline: ReadonlyMap<string, unknown>, facts: FactCheck[], synthSeconds: { step: string; seconds: number }[]): StepResult {
  const project = runner.cwd;
  const title = "Step 1, core only (cdktn as cdktf, @cdktf/provider-aws kept)";

  // The claim that the override is needed: the same package.json without it must not resolve.
  writePackageJson(project, step1WithoutOverride(original));
  const dryRun = runner.exec("step 1 without the override: npm install --dry-run", "npm", ["install", "--dry-run", "--no-audit", "--no-fund"]);
  const eresolve = /\bERESOLVE\b/.test(readFileSync(dryRun.log, "utf8"));
  facts.push({
    claim: "step 1 needs `overrides.cdktf`: without it npm stops with ERESOLVE",
    holds: dryRun.status !== 0 && eresolve,
    measured: dryRun.status === 0 ? "npm resolved the tree without the override" : `npm install --dry-run exited ${dryRun.status}${eresolve ? " with ERESOLVE" : ", but not with ERESOLVE"}`,
  });

  const rewritten = step1PackageJson(original);
  writePackageJson(project, rewritten.packageJson);
  const changes = [packageChangesLine(rewritten)];
  const install = runner.run("step 1: npm install", "npm", ["install", "--no-audit", "--no-fund"]);
  if (install.status !== "ok") return { title, changes, commands: [install], stopped: "the install failed" };

  const core = readInstalled(project, "cdktf");
  const coreRange = (core?.peerDependencies as Record<string, string> | undefined)?.constructs;
  facts.push({
    claim: `cdktn ${CDKTN_VERSION} wants constructs ${CDKTN_CONSTRUCTS_RANGE} (so ${CONSTRUCTS_VERSION})`,
    holds: core?.name === "cdktn" && core?.version === CDKTN_VERSION && coreRange === CDKTN_CONSTRUCTS_RANGE,
    measured: `node_modules/cdktf is ${core?.name}@${core?.version}, peer constructs ${JSON.stringify(coreRange)}; installed constructs ${readInstalled(project, "constructs")?.version}`,
  });

  const jsonFile = join(runner.logs, "jest-step1.json");
  const tests = runJest(
    runner,
    `step 1: npm test (tsc, then every jest test, terraform ones included, offline on hashicorp/aws ${AWS_PROVIDER_VERSION_TODAY})`,
    "npm",
    ["test", "--", "--ci", "--json", `--outputFile=${jsonFile}`],
    jsonFile,
  );
  const synth = synthStacks(runner, "step 1: synth");
  const seconds = synth.outcome.status === "ok" ? warmSynthSeconds(runner, "step 1") : undefined;
  if (seconds !== undefined) synthSeconds.push({ step: "step 1", seconds });
  return {
    title,
    changes,
    commands: [install, tests, synth.outcome],
    comparisons: synth.outcome.status === "ok" ? compareStacks(baseline, synth.stacks, 1) : undefined,
  };
}

/** Applies the import rewrite and the edits by hand to the copy's files; returns the report lines and the files as edited. */
function rewriteSources(project: string, files: readonly string[]): { changes: string[]; texts: Map<string, string> } {
  const texts = new Map<string, string>();
  for (const path of files) {
    if (path === "package.json" || path === "package-lock.json" || isCheckOwnFile(path)) continue;
    const text = readFileSync(join(project, path));
    if (!text.includes(0)) texts.set(path, text.toString("utf8"));
  }
  const step2 = applyStep2Sources(texts);
  const changes = [
    `imports: ${step2.imports.lines} lines in ${step2.imports.files} files (cdktf → cdktn, @cdktf/provider-aws/lib/… → @cdktn/provider-aws/lib/…, @cdktf/hcl2json → @cdktn/hcl2json)`,
    ...step2.edits.map((applied) => `by hand: ${applied.edit.name}: ${applied.linesChanged} lines in ${[...applied.changed.keys()].join(", ")} (${applied.edit.why})`),
  ];
  for (const path of step2.changed) writeFileSync(join(project, path), step2.texts.get(path)!);
  return { changes, texts: step2.texts };
}

function step2(
  runner: Runner,
  original: PackageJson,
  files: readonly string[],
  baseline: ReadonlyMap<string, unknown>,
  facts: FactCheck[],
  synthSeconds: { step: string; seconds: number }[],
): { step: StepResult; texts?: Map<string, string> } {
  const project = runner.cwd;
  const title = `Step 2, the provider too (@cdktn/provider-aws ${CDKTN_PROVIDER_AWS_VERSION}, hashicorp/aws ${CDKTN_AWS_PROVIDER_VERSION})`;
  const rewritten = step2PackageJson(original);
  writePackageJson(project, rewritten.packageJson);
  const changes = [packageChangesLine(rewritten)];
  let texts: Map<string, string>;
  try {
    const sources = rewriteSources(project, files);
    changes.push(...sources.changes);
    texts = sources.texts;
  } catch (error) {
    return { step: { title, changes, commands: [], stopped: (error as Error).message } };
  }

  const install = runner.run("step 2: npm install", "npm", ["install", "--no-audit", "--no-fund"]);
  if (install.status !== "ok") return { step: { title, changes, commands: [install], stopped: "the install failed" }, texts };

  const bindings = readInstalled(project, "@cdktn/provider-aws");
  const bound = (bindings?.cdktf as { provider?: { version?: string } } | undefined)?.provider?.version;
  facts.push({
    claim: `@cdktn/provider-aws ${CDKTN_PROVIDER_AWS_VERSION} binds hashicorp/aws ${CDKTN_AWS_PROVIDER_VERSION}`,
    holds: bindings?.version === CDKTN_PROVIDER_AWS_VERSION && bound === CDKTN_AWS_PROVIDER_VERSION,
    measured: `installed ${bindings?.version}, its package.json says hashicorp/aws ${bound}`,
  });
  const cli = readInstalled(project, "cdktn-cli");
  const cliNode = (cli?.engines as Record<string, string> | undefined)?.node;
  facts.push({
    claim: `cdktn-cli ${CDKTN_VERSION} needs Node.js ${CDKTN_CLI_NODE_RANGE}`,
    holds: cli?.version === CDKTN_VERSION && cliNode === CDKTN_CLI_NODE_RANGE,
    measured: `installed ${cli?.version}, engines.node ${JSON.stringify(cliNode)}`,
  });

  const commands: CommandOutcome[] = [install];
  commands.push(runner.run("step 2: npm run typecheck", "npm", ["run", "typecheck"]));
  const jsonFile = join(runner.logs, "jest-step2.json");
  commands.push(
    runJest(
      runner,
      "step 2: unit tests (jest without *.terraform.test.ts, the cdktf CLI's test and the check's own tests)",
      "npx",
      // cdktf-cli.test.ts runs cdktf-cli's binary, which step 2 removes; the app under cdktn's CLI is the
      // step "cdktn synth (the CLI)" below.
      ["jest", "--ci", "--testPathIgnorePatterns", `terraform\\.test\\.ts$|/__tests__/cdktf-cli\\.test\\.ts$|${CHECK_OWN_TESTS_PATTERN}`, "--json", `--outputFile=${jsonFile}`],
      jsonFile,
    ),
  );
  commands.push({
    label: "step 2: the terraform tests",
    status: "not run",
    summary: `the offline mirror holds hashicorp/aws ${AWS_PROVIDER_VERSION_TODAY} only: terraform init/validate/plan against ${CDKTN_AWS_PROVIDER_VERSION} cannot run here`,
  });
  const synth = synthStacks(runner, "step 2: synth");
  commands.push(synth.outcome);
  const seconds = synth.outcome.status === "ok" ? warmSynthSeconds(runner, "step 2") : undefined;
  if (seconds !== undefined) synthSeconds.push({ step: "step 2", seconds });

  if (nodeSatisfies(CDKTN_CLI_NODE_RANGE)) {
    const viaCli = synthStacks(runner, "step 2: cdktn synth (the CLI, cdktf.json's app)", "npx", ["cdktn", "synth"]);
    const same = viaCli.outcome.status === "ok" && JSON.stringify([...viaCli.stacks]) === JSON.stringify([...synth.stacks]);
    commands.push(
      viaCli.outcome.status !== "ok"
        ? viaCli.outcome
        : { ...viaCli.outcome, status: same ? "ok" : "failed", summary: same ? "the same JSON as node scripts/synth.cjs" : "JSON differs from node scripts/synth.cjs" },
    );
  } else {
    commands.push({
      label: "step 2: cdktn synth (the CLI)",
      status: "not run",
      summary: `cdktn-cli needs Node.js ${CDKTN_CLI_NODE_RANGE}, this is ${process.version} (the weekly workflow runs it on 22.19+)`,
    });
  }
  return {
    step: { title, changes, commands, comparisons: synth.outcome.status === "ok" ? compareStacks(baseline, synth.stacks, 2) : undefined },
    texts,
  };
}

function main(): number {
  let options: { report?: string; keep?: boolean; help?: boolean };
  try {
    options = parseArgs({
      args: process.argv.slice(2),
      options: { report: { type: "string" }, keep: { type: "boolean" }, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(HELP);
    return 0;
  }

  try {
    return runCheck(options);
  } catch (error) {
    console.error(`check:cdktn: ${(error as Error).message}`);
    return 1;
  }
}

function runCheck(options: { report?: string; keep?: boolean }): number {
  const before = workingTreeFingerprint(PROJECT);
  const work = mkdtempSync(join(tmpdir(), "bandup-cdktn-check-"));
  const project = join(work, "project");
  const logs = join(work, "logs");
  // The copy (with its node_modules, about 1 GB) goes; the logs stay unless everything passed; --keep keeps all.
  let keep: "all" | "logs" | "nothing" = options.keep ? "all" : "logs";
  try {
    mkdirSync(logs, { recursive: true });
    const files = projectFiles(PROJECT);
    copyProjectFiles(PROJECT, project, files);
    process.stderr.write(`[check:cdktn] ${files.length} files copied to ${project}\n`);

    const runner = new Runner(project, logs);
    const original = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as PackageJson;
    const steps: StepResult[] = [];
    const facts: FactCheck[] = [];
    const synthSeconds: { step: string; seconds: number }[] = [];
    let leftovers: CheckReport["leftovers"] = [];

    const baseline = today(runner, { steps, synthSeconds });
    if (baseline) {
      steps.push(step1(runner, original, baseline, facts, synthSeconds));
      const second = step2(runner, original, files, baseline, facts, synthSeconds);
      steps.push(second.step);
      if (second.texts) leftovers = findLeftovers(second.texts);
    }

    const after = workingTreeFingerprint(PROJECT);
    const unchanged = after.status === before.status && after.contentHash === before.contentHash;
    const report: CheckReport = {
      node: process.version,
      copiedFiles: files.length,
      steps,
      facts,
      leftovers,
      synthSeconds,
      workingTree: {
        unchanged,
        files: after.files,
        detail: unchanged ? undefined : `git status before:\n${before.status || "(clean)"}\ngit status after:\n${after.status || "(clean)"}`,
      },
    };
    const passed = checkPassed(report);
    if (!options.keep) keep = passed ? "nothing" : "logs";
    const text = renderReport({ ...report, logs: keep === "all" ? work : keep === "logs" ? logs : undefined });
    process.stdout.write(text);
    if (options.report) writeFileSync(resolve(options.report), text);
    return passed ? 0 : 1;
  } finally {
    if (keep !== "all") rmSync(project, { recursive: true, force: true });
    if (keep === "nothing") rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main();
