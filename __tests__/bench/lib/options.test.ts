import { parseBenchOptions, STEPS, UsageError } from "../../../bench/lib/options";

function usageError(args: string[]): string {
  try {
    parseBenchOptions(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`parseBenchOptions(${JSON.stringify(args)}) did not throw`);
}

describe("parseBenchOptions", () => {
  test("no argument runs every step with the full number of runs", () => {
    expect(parseBenchOptions([])).toEqual({ quick: false });
  });

  test("--quick and --only=<steps> select fewer runs and some steps, each step once", () => {
    expect(parseBenchOptions(["--quick", "--only=synth,aws-cdk,synth"])).toEqual({ quick: true, only: ["synth", "aws-cdk"] });
    expect(parseBenchOptions(["--only", "cdktf-cli"])).toEqual({ quick: false, only: ["cdktf-cli"] });
  });

  test("every step is accepted by --only", () => {
    expect(parseBenchOptions([`--only=${STEPS.join(",")}`]).only).toEqual([...STEPS]);
  });

  test("an unknown option is one line naming it and the usage", () => {
    const message = usageError(["--fast"]);
    expect(message).toMatch(/^unknown option `--fast`; usage: npm run bench -- \[--quick\] \[--only=<step>\[,<step>...\]\]; steps: floor, synth, /);
    expect(message).not.toContain("\n");
  });

  test("an unknown step names the step and lists the steps", () => {
    expect(usageError(["--only=synth,terrafrom"])).toBe(`--only: unknown step \`terrafrom\`; steps are ${STEPS.join(", ")}`);
  });

  test("a positional argument, a value on --quick and an empty --only are refused", () => {
    expect(usageError(["synth"])).toMatch(/^unexpected argument `synth`; usage: /);
    expect(usageError(["--quick=yes"])).toMatch(/^option `--quick` takes no value; usage: /);
    expect(usageError(["--only"])).toMatch(/^option `--only` needs a value; usage: /);
    expect(usageError(["--only="])).toBe(`--only needs at least one step; steps are ${STEPS.join(", ")}`);
  });
});
