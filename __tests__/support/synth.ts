/** Builds stacks the way main.ts does and returns their synthesized Terraform JSON, parsed. */
import { Testing } from "cdktf";
import { BandupStack, BandupStackProps } from "../../stacks/bandup-stack";
import { EnvironmentSettings, getEnvironment, resolveEnvironment, stackName } from "../../stacks/environments";

/** The parsed cdk.tf.json of a stack; loosely typed, tests index into it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

/** A stack of a known environment (or of ad-hoc settings), with its JSON. */
export function synthEnvironment(
  name: string,
  options: { settings?: EnvironmentSettings } & Omit<BandupStackProps, "environment"> = {},
): { stack: BandupStack; synthesized: string; json: TerraformJson } {
  const { settings, ...props } = options;
  const environment = settings ? resolveEnvironment(name, settings) : getEnvironment(name);
  const stack = new BandupStack(Testing.app(), stackName(name), { environment, ...props });
  const synthesized = Testing.synth(stack);
  return { stack, synthesized, json: JSON.parse(synthesized) };
}

/** The resources of one type in a synthesized stack, by their Terraform name. */
export function resourcesOfType(json: TerraformJson, type: string): Record<string, TerraformJson> {
  return json.resource?.[type] ?? {};
}

/** The resource of a type whose `name` attribute equals `name`; fails the test when there is not exactly one. */
export function resourceNamed(json: TerraformJson, type: string, name: string): TerraformJson {
  const matches = Object.values(resourcesOfType(json, type)).filter((r) => r.name === name);
  if (matches.length !== 1) {
    throw new Error(`expected exactly one ${type} named ${name}, found ${matches.length}`);
  }
  return matches[0];
}
