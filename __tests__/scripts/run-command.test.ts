/**
 * How a command ends (scripts/lib/run-command.ts): which failures are expected (their message alone,
 * with the file to edit) and how a bug's stack is mapped to the sources. The child-process tests
 * (main.test.ts, guardrails-cli.test.ts) run the same code end to end.
 */
import { buildSync } from "esbuild";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { BuildInputError } from "../../constructs/build-input-error";
import { AppValidationError } from "../../guardrails/apply";
import { bugReport, expectedFailureMessage, sourceMappedStack, UsageError } from "../../scripts/lib/run-command";
import { BackendConfigError } from "../../stacks/backend";
import { allEnvironments, EnvironmentsConfigError } from "../../stacks/environments";

test("several invalid environments: every problem, then where to fix them, once", () => {
  let error: unknown;
  try {
    allEnvironments({ alpha: { region: "nowhere" }, beta: { logRetentionDays: 31 } });
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(EnvironmentsConfigError);
  const message = expectedFailureMessage(error)!;
  expect(message.startsWith("Invalid settings for environment `alpha`:\n  - `region` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows")).toBe(true);
  expect(message).toContain("Invalid settings for environment `beta`:\n  - `logRetentionDays` must be one of");
  expect(message.endsWith("\nFix: edit `ENVIRONMENTS` in stacks/environments.ts.")).toBe(true);
  expect(message.split("Fix:")).toHaveLength(2);
});

test("a backend error, a guardrail error, a missing build input, a wrong option: their message alone", () => {
  expect(expectedFailureMessage(new BackendConfigError(["`BANDUP_BACKEND` must be one of `local`, `s3`, `hcp`; got `ftp`"]))).toBe(
    "Invalid state backend settings:\n  - `BANDUP_BACKEND` must be one of `local`, `s3`, `hcp`; got `ftp`\n" +
      "Fix: set the variable in the environment, or the `bandupBackend` context in cdktf.json (stacks/backend.ts lists each setting).",
  );
  expect(expectedFailureMessage(new AppValidationError([{ path: "bandup-dev", message: "BANDUP-DDB-1 error at x\n" }]))).toBe(
    "Synth stopped: 1 validation error(s) in the app\n\n[bandup-dev] BANDUP-DDB-1 error at x",
  );
  expect(expectedFailureMessage(new BuildInputError("Lambda entry `lambda-src/x.ts` does not exist"))).toBe("Lambda entry `lambda-src/x.ts` does not exist");
  expect(expectedFailureMessage(new UsageError("Unknown option '--x'"))).toBe("Unknown option '--x'");
});

test("anything else is a bug", () => {
  expect(expectedFailureMessage(new Error("undefined is not a function"))).toBeUndefined();
  expect(expectedFailureMessage("a thrown string")).toBeUndefined();
  expect(bugReport("a thrown string")).toBe(
    "Unexpected error: this is a bug in bandup-infra, not a problem with your settings. Please report it with this trace:\na thrown string",
  );
});

test("a bug's frames in compiled code with a source map beside it are mapped to the source; others are left as they are", () => {
  const folder = mkdtempSync(join(tmpdir(), "bandup-run-command-"));
  const source = join(folder, "broken.ts");
  writeFileSync(source, 'export function broken(): never {\n  // the line below throws\n  throw new Error("boom");\n}\n');
  const compiled = join(folder, "out", "broken.js");
  buildSync({ entryPoints: [source], outfile: compiled, bundle: true, platform: "node", format: "cjs", sourcemap: "linked", logLevel: "silent" });
  let error: Error | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(compiled).broken();
  } catch (thrown) {
    error = thrown as Error;
  }
  const stack = sourceMappedStack(error!).split("\n");
  expect(stack[0]).toBe("Error: boom");
  expect(stack[1]).toMatch(new RegExp(`^ {4}at (?:Object\\.)?broken \\(${source.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3:\\d+\\)$`));
  // This test file has no source map beside it: its frame is unchanged.
  expect(stack.slice(2).some((line) => line.includes("run-command.test.ts"))).toBe(true);
});
