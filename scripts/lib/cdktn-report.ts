/**
 * The report of `npm run check:cdktn`: what each step changed, what passed or failed, the facts it
 * measured and how each stack's JSON differs from today's. Plain text, short when all is well, every
 * unexplained difference listed when not.
 */
import { DifferenceKind, JsonDifference, Leftover, StackComparison, comparisonsHold } from "./cdktn-migration";

/** One command the check ran (or deliberately could not run here, with the reason). */
export interface CommandOutcome {
  readonly label: string;
  readonly status: "ok" | "failed" | "not run";
  /** Seconds it took; absent when not run. */
  readonly seconds?: number;
  /** One line: "441 passed", the reason it did not run, ... */
  readonly summary?: string;
  /** What failed: test names, or the last lines of the command's output. */
  readonly failures?: readonly string[];
}

/** A claim of the migration notes, and what this run measured. */
export interface FactCheck {
  readonly claim: string;
  readonly holds: boolean;
  readonly measured: string;
}

/** One step: today's baseline, step 1 or step 2. */
export interface StepResult {
  readonly title: string;
  /** What the step changed in the copy, one line each. */
  readonly changes: readonly string[];
  readonly commands: readonly CommandOutcome[];
  /** Each stack's JSON against today's; absent for today itself or when the step stopped before. */
  readonly comparisons?: readonly StackComparison[];
  /** Set when the step stopped before its end, with why. */
  readonly stopped?: string;
  /** Extra lines shown under the step. */
  readonly notes?: readonly string[];
}

export interface CheckReport {
  /** `process.version` of the run. */
  readonly node: string;
  /** Files copied from the working tree. */
  readonly copiedFiles: number;
  readonly steps: readonly StepResult[];
  readonly facts: readonly FactCheck[];
  /** References to cdktf packages that step 2 leaves in place. */
  readonly leftovers: readonly Leftover[];
  /** Warm synth times per step (median of a few runs), for the record. */
  readonly synthSeconds: readonly { readonly step: string; readonly seconds: number }[];
  readonly workingTree: { readonly unchanged: boolean; readonly files: number; readonly detail?: string };
  /** Where the logs were kept, when they were. */
  readonly logs?: string;
}

/** A step passes when every command that ran succeeded, it did not stop early and its JSON holds. */
export function stepPassed(step: StepResult): boolean {
  return (
    step.stopped === undefined &&
    step.commands.every((c) => c.status !== "failed") &&
    (step.comparisons === undefined || comparisonsHold(step.comparisons))
  );
}

export function checkPassed(report: CheckReport): boolean {
  return report.steps.every(stepPassed) && report.facts.every((f) => f.holds) && report.workingTree.unchanged;
}

const MAX_LISTED_DIFFERENCES = 20;
const MAX_VALUE_CHARS = 100;

function value(v: unknown): string {
  if (v === undefined) return "(absent)";
  const text = JSON.stringify(v);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** `resource.aws_iam_role.x.name: "a" → "b"` */
export function describeDifference(difference: JsonDifference): string {
  const path = difference.path.length > 0 ? difference.path.join(".") : "(document)";
  return `${path}: ${value(difference.before)} → ${value(difference.after)}`;
}

function describeComparison(comparison: StackComparison): string[] {
  if (comparison.onlyIn === "today") return [`${comparison.stack}: MISSING after the step (today has it)`];
  if (comparison.onlyIn === "after") return [`${comparison.stack}: NEW after the step (today has no such stack)`];
  const counts = (Object.entries(comparison.explained) as [Exclude<DifferenceKind, "unexplained">, number][])
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  const explained = counts === "" ? "identical" : `only the expected: ${counts}`;
  if (comparison.unexplained.length === 0) return [`${comparison.stack}: ${explained}`];
  const listed = comparison.unexplained.slice(0, MAX_LISTED_DIFFERENCES).map((d) => `    ${describeDifference(d)}`);
  const more = comparison.unexplained.length - listed.length;
  return [
    `${comparison.stack}: ${comparison.unexplained.length} UNEXPECTED difference(s)${counts === "" ? "" : ` (besides ${counts})`}:`,
    ...listed,
    ...(more > 0 ? [`    … and ${more} more`] : []),
  ];
}

const STATUS_WORD: Record<CommandOutcome["status"], string> = { ok: "ok     ", failed: "FAILED ", "not run": "not run" };

function describeCommand(command: CommandOutcome): string[] {
  const seconds = command.seconds === undefined ? "" : ` (${command.seconds.toFixed(0)} s)`;
  const summary = command.summary ? `: ${command.summary}` : "";
  const lines = [`  ${STATUS_WORD[command.status]}  ${command.label}${summary}${seconds}`];
  for (const failure of command.failures ?? []) lines.push(`             ${failure}`);
  return lines;
}

function renderStep(step: StepResult): string[] {
  const verdict = stepPassed(step) ? "passed" : "FAILED";
  const lines = [`${step.title}: ${verdict}`];
  for (const change of step.changes) lines.push(`  changed  ${change}`);
  for (const command of step.commands) lines.push(...describeCommand(command));
  if (step.stopped) lines.push(`  STOPPED  ${step.stopped}`);
  if (step.comparisons) {
    lines.push("  synthesized JSON against today's:");
    for (const comparison of step.comparisons) lines.push(...describeComparison(comparison).map((l) => `    ${l}`));
  }
  for (const note of step.notes ?? []) lines.push(`  ${note}`);
  return lines;
}

/** The whole report, as printed and written with `--report`. */
export function renderReport(report: CheckReport): string {
  const passed = checkPassed(report);
  const failedParts = [
    ...report.steps.filter((s) => !stepPassed(s)).map((s) => s.title),
    ...(report.facts.some((f) => !f.holds) ? ["a fact"] : []),
    ...(report.workingTree.unchanged ? [] : ["the working tree changed"]),
  ];
  const lines = [
    `CDK Terrain check: ${passed ? "PASSED" : `FAILED (${failedParts.join("; ")})`}`,
    `node ${report.node}; ${report.copiedFiles} project files copied to a temporary folder (tracked files with their uncommitted changes, new files not ignored)`,
  ];
  for (const step of report.steps) lines.push("", ...renderStep(step));
  lines.push("", "Facts checked:");
  for (const fact of report.facts) lines.push(`  ${fact.holds ? "holds  " : "WRONG  "}  ${fact.claim}: ${fact.measured}`);
  if (report.synthSeconds.length > 0) {
    lines.push(
      "",
      `Warm synth (node scripts/synth.cjs, median of 3 runs, on a machine that may be shared): ${report.synthSeconds
        .map((s) => `${s.step} ${s.seconds.toFixed(2)} s`)
        .join(", ")}`,
    );
  }
  if (report.leftovers.length > 0) {
    lines.push("", "Still naming cdktf packages after step 2 (not needed by the checks above; finish them when moving):");
    for (const leftover of report.leftovers) lines.push(`  ${leftover.path}:${leftover.line}  ${leftover.text}`);
  }
  lines.push(
    "",
    report.workingTree.unchanged
      ? `Working tree: unchanged (git status and the content of ${report.workingTree.files} files are the same before and after)`
      : `Working tree: CHANGED during the check${report.workingTree.detail ? `: ${report.workingTree.detail}` : ""}`,
  );
  if (report.logs) lines.push(`Logs: ${report.logs}`);
  return `${lines.join("\n")}\n`;
}
