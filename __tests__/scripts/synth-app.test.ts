/** The synth summary's text (scripts/lib/synth-app.ts), from a made-up result: each line exact. */
import { FindingResult, StackReport } from "../../guardrails/engine";
import { formatSynthSummary, SynthResult } from "../../scripts/lib/synth-app";

function warning(ruleId: string, fix: string): FindingResult {
  return { ruleId, fix, severity: "warning", path: "bandup-dev/x", address: "aws_x.x", message: "m" };
}

function report(stack: string, warnings: FindingResult[], suppressed = 0): StackReport {
  const suppressedFindings = Array.from({ length: suppressed }, () => warning("BANDUP-LAMBDA-4", "f"));
  return { stack, protected: false, rules: [], errors: [], warnings, suppressed: suppressedFindings, suppressions: [], durationMs: 1 };
}

test("one line per stack, per stale folder, per rule that warns (its count and fix), the time and the details command", () => {
  const result: SynthResult = {
    stacks: [
      { name: "bandup-dev", resources: 18, directory: "/project/cdktf.out/stacks/bandup-dev" },
      { name: "bandup-prod", resources: 1, directory: "/elsewhere/stacks/bandup-prod" },
    ],
    reports: [
      report("bandup-dev", [warning("BANDUP-LAMBDA-2", "Move on."), warning("BANDUP-GUARD-3", "Remove it.")], 3),
      report("bandup-prod", [warning("BANDUP-LAMBDA-2", "Move on."), warning("BANDUP-LAMBDA-2", "Other fix."), warning("BANDUP-LAMBDA-2", "Third fix.")], 2),
    ],
    staleFolders: [
      { directory: "/project/cdktf.out/stacks/bandup-qa", removed: true },
      { directory: "/project/cdktf.out/stacks/bandup-uat", removed: false, keptBecause: "it holds Terraform state (terraform.tfstate)" },
    ],
  };
  expect(formatSynthSummary(result, 0.456, "/project").split("\n")).toEqual([
    "Synthesized 2 stacks in 0.46 s:",
    "  bandup-dev   18 resources  cdktf.out/stacks/bandup-dev",
    "  bandup-prod  1 resource    /elsewhere/stacks/bandup-prod",
    "Removed cdktf.out/stacks/bandup-qa: that stack is no longer in the app.",
    "Kept cdktf.out/stacks/bandup-uat, a stack no longer in the app: it holds Terraform state (terraform.tfstate).",
    "Guardrails: no errors, 5 warnings, 5 suppressed with a written reason.",
    "  BANDUP-LAMBDA-2: 4 warnings. Fix: Move on. (and 2 other fixes)",
    "  BANDUP-GUARD-3: 1 warning. Fix: Remove it.",
    "Every finding and suppression with its reason: npm run guardrails",
  ]);
});

test("without warnings, only the counts", () => {
  const result: SynthResult = {
    stacks: [{ name: "bandup-dev", resources: 2, directory: "/p/cdktf.out/stacks/bandup-dev" }],
    reports: [report("bandup-dev", [])],
    staleFolders: [],
  };
  expect(formatSynthSummary(result, 1, "/p").split("\n")).toEqual([
    "Synthesized 1 stack in 1.00 s:",
    "  bandup-dev  2 resources  cdktf.out/stacks/bandup-dev",
    "Guardrails: no errors, 0 warnings, 0 suppressed with a written reason.",
    "Every finding and suppression with its reason: npm run guardrails",
  ]);
});
