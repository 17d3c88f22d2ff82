/**
 * The app under the cdktf CLI (`cdktf synth` runs cdktf.json's `app`, `node scripts/synth.cjs`): the
 * summary on success; on a bad setting, the app's message once in the CLI's error report, without a
 * stack trace. The CLI's own lines (spinner, "Generated Terraform code", its error header) are its own.
 */
import { spawnSync } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ENVIRONMENTS, stackName } from "../stacks/environments";

const ROOT = join(__dirname, "..");

function cdktfSynth(env: NodeJS.ProcessEnv) {
  const output = mkdtempSync(join(tmpdir(), "bandup-cdktf-cli-"));
  const result = spawnSync(process.execPath, [join(ROOT, "node_modules/cdktf-cli/bundle/bin/cdktf"), "synth", "--output", output], {
    cwd: ROOT,
    // No telemetry nor version check over the network.
    env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", ...env },
    encoding: "utf8",
  });
  return { ...result, output };
}

test("cdktf synth shows the app's summary", () => {
  const { status, stdout } = cdktfSynth({});
  expect(status).toBe(0);
  expect(stdout).toMatch(new RegExp(`Synthesized ${Object.keys(ENVIRONMENTS).length} stacks in \\d+\\.\\d\\d s:`));
  for (const name of Object.keys(ENVIRONMENTS).map(stackName)) {
    expect(stdout).toMatch(new RegExp(`^ {2}${name} +\\d+ resources +\\S*stacks/${name}$`, "m"));
  }
  expect(stdout).toContain("Every finding and suppression with its reason: npm run guardrails");
  expect(stdout).not.toMatch(/^WARN /m);
}, 120_000);

test("cdktf synth with a bad setting: the app's message once in the CLI's error report, no stack trace, status 1", () => {
  const { status, stdout, stderr } = cdktfSynth({ BANDUP_BACKEND: "s3" });
  expect(status).toBe(1);
  const message = "`BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend";
  // The CLI's report quotes the app's stderr, indented; it also logs that stderr live on stdout.
  expect(stderr).toContain("cdktf encountered an error while synthesizing");
  expect(stderr.split(message).length - 1).toBe(1);
  expect(stderr).toContain("Fix: set the variable in the environment, or the `bandupBackend` context in cdktf.json");
  for (const output of [stdout, stderr]) {
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain("dist/app");
  }
}, 120_000);
