/**
 * `npm run guardrails` as a child process (tsx scripts/guardrails.ts): its options, parsed with
 * `util.parseArgs`, its exit codes (0 when every stack passes, 1 on an error, a wrong option or a
 * wrong setting), and its failures: the message once on stderr, no stack trace.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENVIRONMENTS, stackName } from "../../stacks/environments";

const ROOT = join(__dirname, "../..");
const USAGE = "usage: npm run guardrails -- [--json <file>]";

function guardrails(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "scripts/guardrails.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_CONTEXT_JSON: "", ...env },
    encoding: "utf8",
  });
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
}

test("prints every rule per stack, writes the JSON report with --json, and exits 0", () => {
  const file = join(mkdtempSync(join(tmpdir(), "bandup-guardrails-cli-")), "report.json");
  const { status, stdout, stderr } = guardrails(["--json", file]);
  expect(stderr).toBe("");
  expect(status).toBe(0);
  const stacks = Object.keys(ENVIRONMENTS).map(stackName);
  expect(stdout.split("\n")[0].split(/\s{2,}/)).toEqual(["rule", "severity", "Checkov", "Trivy", ...stacks]);
  expect(stdout).toContain(`\nJSON report: ${file}`);
  expect(JSON.parse(readFileSync(file, "utf8")).stacks.map((s: { stack: string; passed: boolean }) => [s.stack, s.passed])).toEqual(
    stacks.map((name) => [name, true]),
  );
});

test.each([
  [["--nope"], /^Unknown option '--nope'/],
  [["--json"], /^Option '--json <value>' argument missing/],
  [["--json="], /^`--json` needs a file path, e.g. --json guardrails-report.json$/],
  [["report.json"], /^Unexpected argument 'report\.json'/],
])("a wrong option %j: what is wrong and the usage, once, exit 1", (args, first) => {
  const { status, stdout, stderr } = guardrails(args);
  expect(status).toBe(1);
  expect(stdout).toBe("");
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(first);
  expect(lines[1]).toBe(USAGE);
  expectNoStackTrace(stderr);
});

test("--help prints the usage and exits 0", () => {
  const { status, stdout } = guardrails(["--help"]);
  expect(status).toBe(0);
  expect(stdout.split("\n")[0]).toBe(USAGE);
});

test("a bad setting: the message once, with the fix, no stack trace, exit 1", () => {
  const { status, stdout, stderr } = guardrails([], { BANDUP_BACKEND: "s3" });
  expect(stderr).toBe(
    "Invalid state backend settings:\n" +
      "  - `BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend\n" +
      "Fix: set the variable in the environment, or the `bandupBackend` context in cdktf.json (stacks/backend.ts lists each setting).\n",
  );
  expect(stdout).toBe("");
  expect(status).toBe(1);
});
