/**
 * What BANDUP-LAMBDA-2's fix says about the way off `nodejs22.x`, checked with the real terraform and
 * the pinned provider (hashicorp/aws 5.100.0, offline): it accepts `nodejs22.x` and rejects
 * `nodejs24.x` at validate, so the next runtime needs hashicorp/aws 6.x. When the pin moves, this
 * test fails and the fix text must change with it.
 */
import { Testing } from "cdktf";
import { spawnSync } from "child_process";
import { join } from "path";
import { LAMBDA_RUNTIME } from "../../constructs/bandup-function";
import { LAMBDA_SUPPORTED_RUNTIME } from "../../guardrails/rules/lambda-supported-runtime";
import { AWS_PROVIDER_VERSION, offlineTerraformEnv, OfflineTerraform, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { buildBandupApp } from "../../stacks/app";
import { ENVIRONMENTS } from "../../stacks/environments";
import { readDoc } from "../support/docs";

/** `terraform validate -json` of bandup-dev with every function (and the layer) on `runtime`. */
async function validateWithRuntime(runtime: string, cliConfig: string) {
  const { stacks } = buildBandupApp({ app: Testing.app(), environments: { dev: ENVIRONMENTS.dev }, backend: { type: "local", path: "terraform.tfstate" } });
  const stack = stacks[0];
  for (const fn of Object.values(stack.functions)) {
    fn.function.runtime = runtime;
    fn.dependencyLayer?.layer.addOverride("compatible_runtimes", [runtime]);
  }
  const directory = join(Testing.fullSynth(stack), "stacks", stack.node.id);
  await new OfflineTerraform(directory, cliConfig).init();
  // Not OfflineTerraform.validate(): it rejects on the exit status 1 of an invalid configuration.
  const validate = spawnSync("terraform", ["validate", "-json", "-no-color"], { cwd: directory, env: offlineTerraformEnv(cliConfig), encoding: "utf8" });
  return JSON.parse(validate.stdout) as { valid: boolean; error_count: number; diagnostics: { severity: string; summary: string; snippet: { context: string } }[] };
}

let results: Awaited<ReturnType<typeof validateWithRuntime>>[];
beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  const cliConfig = writeCliConfig();
  results = await Promise.all([LAMBDA_RUNTIME, "nodejs24.x"].map((runtime) => validateWithRuntime(runtime, cliConfig)));
}, 180_000);

test("the functions' runtime is nodejs22.x, which the pinned provider accepts", () => {
  expect(LAMBDA_RUNTIME).toBe("nodejs22.x");
  expect(AWS_PROVIDER_VERSION).toBe("5.100.0");
  expect(results[0]).toMatchObject({ valid: true, error_count: 0 });
});

test("the pinned provider rejects nodejs24.x at validate, for the functions and the layer", () => {
  const [, nodejs24] = results;
  expect(nodejs24).toMatchObject({ valid: false });
  expect(nodejs24.error_count).toBeGreaterThan(0);
  // Terraform does not report every resource (here the function whose layer failed had none).
  const errors = nodejs24.diagnostics.map((d) => [d.snippet.context.split(".")[1], d.severity, d.summary]);
  for (const [type, severity, summary] of errors) {
    expect(severity).toBe("error");
    // The newest Node.js runtime this provider knows is nodejs22.x.
    expect(summary).toMatch(new RegExp(`^expected ${type === "aws_lambda_layer_version" ? "compatible_runtimes" : "runtime"} to be one of \\[.*"nodejs22\\.x"\\], got nodejs24\\.x$`));
  }
  expect(new Set(errors.map(([type]) => type))).toEqual(new Set(["aws_lambda_function", "aws_lambda_layer_version"]));
});

test("BANDUP-LAMBDA-2's fix names the runtime, the provider that accepts it and the way there", () => {
  expect(LAMBDA_SUPPORTED_RUNTIME.fix).toContain("nodejs24.x");
  expect(LAMBDA_SUPPORTED_RUNTIME.fix).toContain("hashicorp/aws 5.100.0");
  expect(LAMBDA_SUPPORTED_RUNTIME.fix).toContain("hashicorp/aws 6.x");
  expect(LAMBDA_SUPPORTED_RUNTIME.fix).toContain("@cdktn/provider-aws");
  expect(LAMBDA_SUPPORTED_RUNTIME.fix).toContain("(docs/cdk-terrain.md)");
  expect(readDoc("docs/cdk-terrain.md")).toMatch(/^# Moving to CDK Terrain\n/);
});
