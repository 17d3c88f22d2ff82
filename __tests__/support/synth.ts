/** Builds stacks the way main.ts does and returns their synthesized Terraform JSON, parsed. */
import { Testing } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { buildBandupApp } from "../../stacks/app";
import { BandupStack, BandupStackProps } from "../../stacks/bandup-stack";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";

/** The parsed cdk.tf.json of a stack; loosely typed, tests index into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

/** How a test builds an environment's stack: ad-hoc settings (or the known ones) and stack props. */
export type EnvironmentStackOptions = { settings?: EnvironmentSettings } & Omit<BandupStackProps, "environment">;

/** The stack of a known environment (or of ad-hoc settings), built by the app builder in a fresh test app. */
function environmentStack(name: string, options: EnvironmentStackOptions): BandupStack {
  const { settings, backend, offlineProvider } = options;
  const environments = { [name]: settings ?? (Object.prototype.hasOwnProperty.call(ENVIRONMENTS, name) ? ENVIRONMENTS[name] : undefined) };
  const { stacks } = buildBandupApp({
    app: Testing.app(),
    environments: environments as Record<string, EnvironmentSettings>,
    backend: backend ?? { type: "local" },
    offlineProvider,
  });
  return stacks[0];
}

/** A stack of a known environment (or of ad-hoc settings), with its JSON. */
export function synthEnvironment(
  name: string,
  options: EnvironmentStackOptions = {},
): { stack: BandupStack; synthesized: string; json: TerraformJson } {
  const stack = environmentStack(name, options);
  const synthesized = Testing.synth(stack);
  return { stack, synthesized, json: JSON.parse(synthesized) };
}

/** The resources of one type in a synthesized stack, by their Terraform name. */
export function resourcesOfType(json: TerraformJson, type: string): Record<string, TerraformJson> {
  return json.resource?.[type] ?? {};
}

/**
 * The resource of a type whose name attribute (`name`, or `function_name` for Lambda functions)
 * equals `name`; fails the test when there is not exactly one.
 */
export function resourceNamed(json: TerraformJson, type: string, name: string): TerraformJson {
  const attribute = type === "aws_lambda_function" ? "function_name" : "name";
  const matches = Object.values(resourcesOfType(json, type)).filter((r) => r[attribute] === name);
  if (matches.length !== 1) {
    throw new Error(`expected exactly one ${type} with ${attribute} ${name}, found ${matches.length}`);
  }
  return matches[0];
}

/**
 * A full synth of a stack into a fresh folder (cdk.tf.json and its assets, such as the Lambda zips),
 * ready for the terraform CLI. Returns the stack's working directory and its JSON.
 */
export function fullSynthEnvironment(
  name: string,
  options: EnvironmentStackOptions = {},
): { stack: BandupStack; directory: string; json: TerraformJson } {
  const stack = environmentStack(name, options);
  const outdir = Testing.fullSynth(stack);
  const directory = join(outdir, "stacks", stack.node.id);
  return { stack, directory, json: JSON.parse(readFileSync(join(directory, "cdk.tf.json"), "utf8")) };
}
