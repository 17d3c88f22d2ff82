/** The file that defines a construct, named by guardrail findings and validation errors. */
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AppValidationError, assertStacksValid, checkStack, formatFinding } from "../../guardrails";
import { constructAt, sourceFileOf } from "../../guardrails/construct-source";
import { buildBandupApp } from "../../stacks/app";
import { ENVIRONMENTS } from "../../stacks/environments";

function devStack() {
  return buildBandupApp({ app: Testing.app(), environments: { dev: ENVIRONMENTS.dev }, backend: { type: "local" } }).stacks[0];
}

describe("sourceFileOf", () => {
  test("names the file of the nearest construct that has one: the table, the function, the stack", () => {
    const stack = devStack();
    expect(sourceFileOf(stack.tables.evaluations.table)).toBe("constructs/bandup-table.ts");
    expect(sourceFileOf(stack.functions["writing-evaluator"].function)).toBe("constructs/bandup-function.ts");
    expect(sourceFileOf(stack.functions["flashcard-generator"].dependencyLayer!.layer)).toBe("constructs/node-modules-layer.ts");
    expect(sourceFileOf(stack.provider)).toBe("stacks/bandup-stack.ts");
  });

  test("names no file for constructs of classes the project does not define, nor for the App", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "plain");
    expect(sourceFileOf(new Construct(stack, "child"))).toBeUndefined();
    expect(sourceFileOf(app)).toBeUndefined();
  });
});

test("constructAt finds a construct by the path findings carry, and nothing for an unknown path", () => {
  const stack = devStack();
  expect(constructAt(stack, "bandup-dev/evaluations/table")).toBe(stack.tables.evaluations.table);
  expect(constructAt(stack, "bandup-dev")).toBe(stack);
  expect(constructAt(stack, "bandup-dev/nothing/here")).toBeUndefined();
  expect(constructAt(stack, "bandup-prod/evaluations")).toBeUndefined();
});

test("a guardrail finding names the file that defines its resource", () => {
  const stack = devStack();
  stack.tables.evaluations.table.addOverride("point_in_time_recovery.enabled", false);
  const [finding] = checkStack(stack).errors;
  expect(finding).toMatchObject({ ruleId: "BANDUP-DDB-1", path: "bandup-dev/evaluations/table", source: "constructs/bandup-table.ts" });
  expect(formatFinding(finding).split("\n").slice(1)).toEqual([
    "      Fix: Set `pointInTimeRecovery: { enabled: true }` on the DynamodbTable (BandupTable does) and remove any override that turns it off.",
    "      Defined in: constructs/bandup-table.ts",
  ]);
});

test("a construct's own validation errors name its file once, after its last message", () => {
  const stack = devStack();
  stack.tables.evaluations.node.addValidation({ validate: () => ["first problem", "second problem"] });
  let error: AppValidationError | undefined;
  try {
    assertStacksValid(stack);
  } catch (thrown) {
    error = thrown as AppValidationError;
  }
  expect(error?.errors).toEqual(["[bandup-dev/evaluations] first problem", "[bandup-dev/evaluations] second problem"]);
  expect(error?.message).toBe(
    "Synth stopped: 2 validation error(s) in the app\n\n" +
      "[bandup-dev/evaluations] first problem\n[bandup-dev/evaluations] second problem\n      Defined in: constructs/bandup-table.ts",
  );
});
