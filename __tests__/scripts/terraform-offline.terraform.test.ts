/**
 * The self-made provider mirror with the real terraform for every step but the download: the stand-in
 * answers `terraform providers mirror` with the zip layout terraform writes (a small fake provider:
 * registry.terraform.io is out of reach here) and passes every other call to the real terraform. Then
 * the real `terraform init` installs from that mirror offline. `terraform-offline.test.ts` covers the
 * search order, concurrency and errors.
 */
import { execFileSync } from "child_process";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { findProviderMirror, offlineTerraformEnv, terraformPlatform, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { realTerraformPath, standInCalls, standInProviderBytes, writeTerraformStandIn } from "../support/terraform-stand-in";

const PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tf-mirror-real-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("the real terraform unpacks the downloaded zips into the cache, then installs from that mirror offline by linking it", () => {
  const platform = terraformPlatform();
  const bin = join(root, "bin");
  const log = writeTerraformStandIn(bin);
  // TF_CLI_CONFIG_FILE names a missing file, as on these machines: no call may warn about it.
  const env = { ...process.env, PATH: bin, STANDIN_REAL_TERRAFORM: realTerraformPath(), TF_CLI_CONFIG_FILE: join(root, "missing.terraformrc"), BANDUP_TF_MIRROR: "" };
  const progress: string[] = [];
  const mirror = findProviderMirror({ env, candidates: [], cacheDirectory: join(root, "cache"), onProgress: (message) => progress.push(message) });

  expect(mirror).toBe(join(root, "cache", `aws-5.100.0_${platform}`));
  expect(progress).toHaveLength(1);
  const calls = standInCalls(log);
  expect(calls.map((c) => c.args[0])).toEqual(["version", "providers", "init"]);
  for (const call of calls.filter((c) => c.args[0] !== "providers")) {
    expect(call.stderr).not.toContain("CLI configuration");
  }
  const provider = join(mirror, PROVIDER, platform, "terraform-provider-aws_v5.100.0_x5");
  expect(readFileSync(provider, "utf8")).toBe(standInProviderBytes(platform));
  expect(lstatSync(provider).isFile()).toBe(true);

  // The tests' own use of it: the mirror-only CLI config, offline; terraform links the unpacked provider.
  const stack = join(root, "stack");
  mkdirSync(stack);
  writeFileSync(join(stack, "main.tf"), 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "5.100.0" }\n  }\n}\n');
  const init = execFileSync("terraform", ["init", "-input=false", "-no-color"], {
    cwd: stack,
    env: offlineTerraformEnv(writeCliConfig(mirror, root)),
    encoding: "utf8",
  });
  expect(init).toContain("Installed hashicorp/aws v5.100.0 (unauthenticated)");
  const installed = join(stack, ".terraform/providers", PROVIDER, platform);
  expect(lstatSync(installed).isSymbolicLink()).toBe(true);
  expect(realpathSync(installed)).toBe(realpathSync(join(mirror, PROVIDER, platform)));
});

test("terraformVersion reads the real terraform's version", () => {
  expect(terraformVersion({ ...process.env, TF_CLI_CONFIG_FILE: join(root, "missing.terraformrc") })).toMatch(/^Terraform v1\.\d+\.\d+$/);
});
