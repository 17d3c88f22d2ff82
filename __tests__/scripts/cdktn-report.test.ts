/**
 * The report of `npm run check:cdktn` (scripts/lib/cdktn-report.ts): its verdicts and its text, for a
 * run where everything holds and for the ways a run fails.
 */
import { JsonDifference, StackComparison } from "../../scripts/lib/cdktn-migration";
import { CheckReport, checkPassed, describeDifference, renderReport, StepResult, stepPassed } from "../../scripts/lib/cdktn-report";

const identical = (stack: string): StackComparison => ({ stack, explained: { "metadata version": 1 }, unexplained: [] });

const TODAY: StepResult = {
  title: "Today (the baseline)",
  changes: [],
  commands: [
    { label: "today: npm ci", status: "ok", seconds: 52.4 },
    { label: "today: synth", status: "ok", seconds: 4.2, summary: "3 stacks: bandup-dev, bandup-prod, bandup-staging" },
  ],
};
const STEP1: StepResult = {
  title: "Step 1, core only",
  changes: ["package.json: dependencies.cdktf 0.21.0 → npm:cdktn@0.24.0"],
  commands: [
    { label: "step 1: npm install", status: "ok", seconds: 83 },
    { label: "step 1: npm test", status: "ok", seconds: 301, summary: "441 passed, 0 failed in 32 files (3 of them *.terraform.test.ts)" },
  ],
  comparisons: [identical("bandup-dev"), identical("bandup-prod")],
};
const STEP2: StepResult = {
  title: "Step 2, the provider too",
  changes: ["imports: 60 lines in 30 files"],
  commands: [
    { label: "step 2: unit tests", status: "ok", seconds: 95, summary: "400 passed" },
    { label: "step 2: the terraform tests", status: "not run", summary: "the offline mirror holds hashicorp/aws 5.100.0 only" },
  ],
  comparisons: [{ stack: "bandup-dev", explained: { "metadata version": 1, "provider pin": 1, "region attribute": 3 }, unexplained: [] }],
};

const PASSING: CheckReport = {
  node: "v22.19.0",
  copiedFiles: 168,
  steps: [TODAY, STEP1, STEP2],
  facts: [{ claim: "step 1 needs `overrides.cdktf`", holds: true, measured: "npm install --dry-run exited 1 with ERESOLVE" }],
  leftovers: [{ path: "bench/lib/variants.ts", line: 12, text: 'const PROVIDER_PACKAGE = "@cdktf/provider-aws";' }],
  synthSeconds: [
    { step: "today", seconds: 0.612 },
    { step: "step 1", seconds: 0.598 },
  ],
  workingTree: { unchanged: true, files: 168 },
};

test("a run where everything holds: PASSED, each step, each command, the JSON verdicts, the facts", () => {
  expect(checkPassed(PASSING)).toBe(true);
  expect(renderReport(PASSING)).toBe(
    [
      "CDK Terrain check: PASSED",
      "node v22.19.0; 168 project files copied to a temporary folder (tracked files with their uncommitted changes, new files not ignored)",
      "",
      "Today (the baseline): passed",
      "  ok       today: npm ci (52 s)",
      "  ok       today: synth: 3 stacks: bandup-dev, bandup-prod, bandup-staging (4 s)",
      "",
      "Step 1, core only: passed",
      "  changed  package.json: dependencies.cdktf 0.21.0 → npm:cdktn@0.24.0",
      "  ok       step 1: npm install (83 s)",
      "  ok       step 1: npm test: 441 passed, 0 failed in 32 files (3 of them *.terraform.test.ts) (301 s)",
      "  synthesized JSON against today's:",
      "    bandup-dev: only the expected: metadata version 1",
      "    bandup-prod: only the expected: metadata version 1",
      "",
      "Step 2, the provider too: passed",
      "  changed  imports: 60 lines in 30 files",
      "  ok       step 2: unit tests: 400 passed (95 s)",
      "  not run  step 2: the terraform tests: the offline mirror holds hashicorp/aws 5.100.0 only",
      "  synthesized JSON against today's:",
      "    bandup-dev: only the expected: metadata version 1, provider pin 1, region attribute 3",
      "",
      "Facts checked:",
      "  holds    step 1 needs `overrides.cdktf`: npm install --dry-run exited 1 with ERESOLVE",
      "",
      "Warm synth (node scripts/synth.cjs, median of 3 runs, on a machine that may be shared): today 0.61 s, step 1 0.60 s",
      "",
      "Still naming cdktf packages after step 2 (not needed by the checks above; finish them when moving):",
      '  bench/lib/variants.ts:12  const PROVIDER_PACKAGE = "@cdktf/provider-aws";',
      "",
      "Working tree: unchanged (git status and the content of 168 files are the same before and after)",
      "",
    ].join("\n"),
  );
});

test("a failed command fails its step and shows what failed; a command not run does not", () => {
  const failing: StepResult = {
    ...STEP1,
    commands: [
      STEP1.commands[0],
      {
        label: "step 1: npm test",
        status: "failed",
        seconds: 290,
        summary: "439 passed, 2 failed in 32 files (3 of them *.terraform.test.ts)",
        failures: ["__tests__/stacks/bandup-stack.test.ts: stack bandup-dev matches the snapshot"],
      },
    ],
  };
  expect(stepPassed(STEP2)).toBe(true);
  expect(stepPassed(failing)).toBe(false);
  const text = renderReport({ ...PASSING, steps: [TODAY, failing, STEP2] });
  expect(text.split("\n")[0]).toBe("CDK Terrain check: FAILED (Step 1, core only)");
  expect(text).toContain(
    [
      "Step 1, core only: FAILED",
      "  changed  package.json: dependencies.cdktf 0.21.0 → npm:cdktn@0.24.0",
      "  ok       step 1: npm install (83 s)",
      "  FAILED   step 1: npm test: 439 passed, 2 failed in 32 files (3 of them *.terraform.test.ts) (290 s)",
      "             __tests__/stacks/bandup-stack.test.ts: stack bandup-dev matches the snapshot",
    ].join("\n"),
  );
});

test("unexpected JSON differences fail the step and are listed with their paths, at most 20 per stack", () => {
  const differences: JsonDifference[] = Array.from({ length: 23 }, (_, i) => ({
    path: ["resource", "aws_lambda_function", `f${i}`, "runtime"],
    before: "nodejs22.x",
    after: "nodejs24.x",
  }));
  const step: StepResult = { ...STEP2, comparisons: [{ stack: "bandup-dev", explained: { "provider pin": 1 }, unexplained: differences }] };
  expect(stepPassed(step)).toBe(false);
  const lines = renderReport({ ...PASSING, steps: [step] }).split("\n");
  const at = lines.indexOf("    bandup-dev: 23 UNEXPECTED difference(s) (besides provider pin 1):");
  expect(at).toBeGreaterThan(0);
  expect(lines[at + 1]).toBe('        resource.aws_lambda_function.f0.runtime: "nodejs22.x" → "nodejs24.x"');
  expect(lines[at + 20]).toBe('        resource.aws_lambda_function.f19.runtime: "nodejs22.x" → "nodejs24.x"');
  expect(lines[at + 21]).toBe("        … and 3 more");
});

test("a missing stack, a stopped step, a wrong fact and a changed working tree each fail the check, named in the first line", () => {
  const missing: StepResult = { ...STEP1, comparisons: [{ stack: "bandup-prod", onlyIn: "today", explained: {}, unexplained: [] }] };
  const stopped: StepResult = { ...STEP2, commands: [], comparisons: undefined, stopped: 'edit "CI: the mirror it looks for" found nothing to change' };
  const report: CheckReport = {
    ...PASSING,
    steps: [TODAY, missing, stopped],
    facts: [{ claim: "step 1 needs `overrides.cdktf`", holds: false, measured: "npm resolved the tree without the override" }],
    workingTree: { unchanged: false, files: 168, detail: "git status before:\n(clean)\ngit status after:\n M package.json" },
  };
  expect(checkPassed(report)).toBe(false);
  const text = renderReport(report);
  expect(text.split("\n")[0]).toBe(
    "CDK Terrain check: FAILED (Step 1, core only; Step 2, the provider too; a fact; the working tree changed)",
  );
  expect(text).toContain("    bandup-prod: MISSING after the step (today has it)");
  expect(text).toContain('  STOPPED  edit "CI: the mirror it looks for" found nothing to change');
  expect(text).toContain("  WRONG    step 1 needs `overrides.cdktf`: npm resolved the tree without the override");
  expect(text).toContain("Working tree: CHANGED during the check: git status before:\n(clean)\ngit status after:\n M package.json");
});

test("long values are shortened, absent ones named", () => {
  expect(describeDifference({ path: ["output", "x"], before: undefined, after: "y".repeat(200) })).toBe(`output.x: (absent) → "${"y".repeat(98)}…`);
});
