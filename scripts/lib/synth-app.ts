/**
 * The synth that `npm run synth` and `cdktf synth` run (main.ts): check every validation, write the
 * stacks, remove the folders of stacks the app no longer has, and end with a short summary. Failures
 * end as scripts/lib/run-command.ts says.
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from "fs";
import { isAbsolute, join, relative } from "path";
import { checkStack, latestReportOf } from "../../guardrails/apply";
import { FindingResult, StackReport } from "../../guardrails/engine";
import { BandupApp, validateBandupApp } from "../../stacks/app";
import { stackName } from "../../stacks/environments";
import { runCommand } from "./run-command";

/** One stack as written. */
export interface WrittenStack {
  readonly name: string;
  /** Managed resources in its cdk.tf.json (data sources not counted). */
  readonly resources: number;
  /** The folder that holds its cdk.tf.json. */
  readonly directory: string;
}

/** A stack folder left over from an earlier synth, and what happened to it. */
export interface StaleStackFolder {
  readonly directory: string;
  readonly removed: boolean;
  /** Why it was kept. */
  readonly keptBecause?: string;
}

/** What a synth did. */
export interface SynthResult {
  readonly stacks: readonly WrittenStack[];
  readonly reports: readonly StackReport[];
  readonly staleFolders: readonly StaleStackFolder[];
}

/** Every stack name of this app starts with this (`bandup-<env>`). */
const STACK_NAME_PREFIX = stackName("");

/**
 * Checks every validation of the app (all stacks' errors at once; nothing more when `checkBandupApp`
 * built it), synthesizes it, and removes the folders of stacks it no longer has (`removeStaleStackFolders`).
 */
export function synthesizeApp(built: BandupApp): SynthResult {
  const { app, stacks: environmentStacks, bootstrap } = built;
  // The bootstrap is one of the app's stacks too: summarized, and its folder never taken for a stale one.
  const stacks = [...environmentStacks, bootstrap];
  validateBandupApp(built);
  app.synth();
  const stacksFolder = join(app.outdir, "stacks");
  const written = stacks.map((stack) => {
    const directory = join(stacksFolder, stack.node.id);
    const json = JSON.parse(readFileSync(join(directory, "cdk.tf.json"), "utf8"));
    const resources = Object.values((json.resource ?? {}) as Record<string, object>).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    return { name: stack.node.id, resources, directory };
  });
  return {
    stacks: written,
    // The report of the validation app.synth() just ran: the guardrails are not evaluated again.
    reports: stacks.map((stack) => latestReportOf(stack) ?? checkStack(stack)),
    staleFolders: removeStaleStackFolders(stacksFolder, written.map((s) => s.name)),
  };
}

/**
 * Removes from `stacksFolder` only what this app wrote for a stack it no longer has (an environment
 * taken out of stacks/environments.ts): a folder, not a link, named `bandup-<env>`, holding the
 * cdk.tf.json cdktf wrote for a stack of that name. A folder that also holds Terraform state
 * (`*.tfstate`) is kept and reported. Nothing else is touched.
 */
export function removeStaleStackFolders(stacksFolder: string, currentStacks: readonly string[]): StaleStackFolder[] {
  const stale: StaleStackFolder[] = [];
  for (const entry of readdirSync(stacksFolder, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith(STACK_NAME_PREFIX) || currentStacks.includes(entry.name)) continue;
    const directory = join(stacksFolder, entry.name);
    if (writtenStackName(directory) !== entry.name) continue;
    const state = readdirSync(directory).find((file) => file.endsWith(".tfstate"));
    if (state !== undefined) {
      stale.push({ directory, removed: false, keptBecause: `it holds Terraform state (${state})` });
      continue;
    }
    rmSync(directory, { recursive: true });
    stale.push({ directory, removed: true });
  }
  return stale;
}

/** The stack name in the folder's cdk.tf.json (`//.metadata.stackName`), or undefined when it has none. */
function writtenStackName(directory: string): string | undefined {
  try {
    if (!lstatSync(directory).isDirectory()) return undefined;
    const json = JSON.parse(readFileSync(join(directory, "cdk.tf.json"), "utf8"));
    const name = json?.["//"]?.metadata?.stackName;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/** A path as the user would type it: relative to the current folder when inside it. */
function shown(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd === "" || fromCwd.startsWith("..") || isAbsolute(fromCwd) ? path : fromCwd;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * The summary a synth ends with: one line per stack (name, resources, folder), one per guardrail rule
 * that warns (rule id, count, its fix), the time taken, and where the details are.
 */
export function formatSynthSummary(result: SynthResult, seconds: number, cwd = process.cwd()): string {
  const nameWidth = Math.max(...result.stacks.map((s) => s.name.length));
  const countWidth = Math.max(...result.stacks.map((s) => plural(s.resources, "resource").length));
  const lines = [`Synthesized ${plural(result.stacks.length, "stack")} in ${seconds.toFixed(2)} s:`];
  for (const stack of result.stacks) {
    lines.push(`  ${stack.name.padEnd(nameWidth)}  ${plural(stack.resources, "resource").padEnd(countWidth)}  ${shown(stack.directory, cwd)}`);
  }
  for (const folder of result.staleFolders) {
    lines.push(
      folder.removed
        ? `Removed ${shown(folder.directory, cwd)}: that stack is no longer in the app.`
        : `Kept ${shown(folder.directory, cwd)}, a stack no longer in the app: ${folder.keptBecause}.`,
    );
  }

  const warnings = result.reports.flatMap((r) => r.warnings);
  const suppressed = result.reports.reduce((sum, r) => sum + r.suppressed.length, 0);
  lines.push(`Guardrails: no errors, ${plural(warnings.length, "warning")}, ${suppressed} suppressed with a written reason.`);
  const byRule = new Map<string, FindingResult[]>();
  for (const warning of warnings) byRule.set(warning.ruleId, [...(byRule.get(warning.ruleId) ?? []), warning]);
  for (const [ruleId, findings] of byRule) {
    const fixes = [...new Set(findings.map((f) => f.fix))];
    const more = fixes.length > 1 ? ` (and ${fixes.length - 1} other fix${fixes.length > 2 ? "es" : ""})` : "";
    lines.push(`  ${ruleId}: ${plural(findings.length, "warning")}. Fix: ${fixes[0]}${more}`);
  }
  lines.push("Every finding and suppression with its reason: npm run guardrails");
  return lines.join("\n");
}

/**
 * The whole synth as a command: builds the app with `build`, synthesizes it and prints the summary;
 * an expected failure prints its message once and exits 1 (run-command.ts).
 */
export function runSynth(build: () => BandupApp): void {
  runCommand(() => {
    const result = synthesizeApp(build());
    // Since the process started: what the user waited for, the compile check of scripts/synth.cjs included.
    console.log(formatSynthSummary(result, performance.now() / 1000));
  });
}
