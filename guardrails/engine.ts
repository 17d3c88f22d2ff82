/**
 * Runs the rules over a stack's synthesized JSON, applies suppressions, and reports per rule.
 */
import { TerraformStack } from "cdktf";
import { ALL_RULES, RESOURCE_RULES } from "./rules";
import { GUARD_KNOWN_RULE, GUARD_SUPPRESSION_REASON, GUARD_SUPPRESSION_USED } from "./rules/guard-suppressions";
import { constructAt, sourceFileOf } from "./construct-source";
import { covers, isWrittenReason, Suppression, suppressionsIn } from "./suppressions";
import { Json, StackModel } from "./terraform-json";
import { Finding, GuardrailOptions, GuardrailRule, ResolvedGuardrailOptions, Severity } from "./types";

/** A finding with its rule, severity, fix and (when suppressed) the suppression. */
export interface FindingResult extends Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly fix: string;
  readonly suppressedBy?: Suppression;
  /** The project file that defines the resource's construct (`constructs/bandup-table.ts`), when known. */
  readonly source?: string;
}

/** Outcome of one rule on one stack. */
export type RuleStatus = "pass" | "fail" | "warn" | "suppressed" | "n/a";

export interface RuleResult {
  readonly ruleId: string;
  readonly status: RuleStatus;
  /** Unsuppressed findings. */
  readonly findings: readonly FindingResult[];
  /** Findings a suppression covers. */
  readonly suppressed: readonly FindingResult[];
}

/** Everything guardrails found in one stack. */
export interface StackReport {
  readonly stack: string;
  readonly protected: boolean;
  readonly rules: readonly RuleResult[];
  /** Unsuppressed findings of severity error: synth fails on any. */
  readonly errors: readonly FindingResult[];
  readonly warnings: readonly FindingResult[];
  readonly suppressed: readonly FindingResult[];
  /** Every suppression in the stack, with whether it matched a finding. */
  readonly suppressions: readonly (Suppression & { readonly used: boolean; readonly valid: boolean })[];
  /** Time the evaluation took, in milliseconds (rules only, not the synthesis of the JSON). */
  readonly durationMs: number;
}

/** Applies the defaults to guardrail options. */
export function resolveOptions(options: GuardrailOptions = {}): ResolvedGuardrailOptions {
  const underCli = process.env.CDKTF_OUTDIR !== undefined;
  const underJest = process.env.JEST_WORKER_ID !== undefined;
  return {
    protected: options.protected ?? false,
    functionTableAccess: options.functionTableAccess ?? [],
    tableVariables: options.tableVariables ?? {},
    protectedLogRetentionDays: options.protectedLogRetentionDays ?? 365,
    runtimeWarningDays: options.runtimeWarningDays ?? 180,
    warnings: options.warnings ?? (underCli || underJest ? "annotations" : "both"),
    now: options.now,
  };
}

/** The severity of a rule in an environment. */
export function severityOf(rule: GuardrailRule, isProtected: boolean): Severity {
  return typeof rule.severity === "string" ? rule.severity : isProtected ? rule.severity.protected : rule.severity.other;
}

const KNOWN_IDS = new Set(ALL_RULES.map((r) => r.id));

/**
 * Evaluates every rule on a synthesized stack JSON with the given suppressions. `sourceOf` names the
 * file that defines the construct at a path, for the findings' `source`.
 */
export function evaluate(
  stackName: string,
  json: Json,
  suppressions: readonly Suppression[],
  options: ResolvedGuardrailOptions,
  sourceOf: (path: string) => string | undefined = () => undefined,
): StackReport {
  const started = performance.now();
  const stack = new StackModel(stackName, json);
  const context = { stack, protected: options.protected, options, now: options.now ?? new Date() };
  const valid = suppressions.map((s) => KNOWN_IDS.has(s.ruleId) && isWrittenReason(s.reason));
  const used = suppressions.map(() => false);

  const results: RuleResult[] = [];
  const all: FindingResult[] = [];
  for (const rule of RESOURCE_RULES) {
    const severity = severityOf(rule, options.protected);
    const seen = new Set<string>();
    const findings: FindingResult[] = [];
    const suppressed: FindingResult[] = [];
    for (const finding of rule.check(context)) {
      const key = `${finding.path}\u0000${finding.message}`;
      if (seen.has(key)) continue; // the same document reached through two policies
      seen.add(key);
      const paths = [finding.path, ...(finding.relatedPaths ?? [])];
      const index = suppressions.findIndex((s, i) => valid[i] && s.ruleId === rule.id && paths.some((p) => covers(s.path, p)));
      const source = sourceOf(finding.path);
      const result: FindingResult = {
        ...finding,
        ruleId: rule.id,
        severity: finding.severity ?? severity,
        fix: finding.fix ?? rule.fix,
        ...(index >= 0 && { suppressedBy: suppressions[index] }),
        ...(source !== undefined && { source }),
      };
      if (index >= 0) {
        used[index] = true;
        suppressed.push(result);
      } else {
        findings.push(result);
      }
    }
    const applicable = (!rule.protectedOnly || options.protected) && rule.appliesTo.some((type) => stack.resources(type).length > 0);
    const status: RuleStatus = findings.some((f) => f.severity === "error")
      ? "fail"
      : findings.length > 0
        ? "warn"
        : suppressed.length > 0
          ? "suppressed"
          : applicable
            ? "pass"
            : "n/a";
    results.push({ ruleId: rule.id, status, findings, suppressed });
    all.push(...findings, ...suppressed);
  }

  // The rules about suppressions.
  const guard = (rule: GuardrailRule, broken: (s: Suppression, i: number) => string | undefined) => {
    const findings: FindingResult[] = [];
    suppressions.forEach((s, i) => {
      const message = broken(s, i);
      if (message !== undefined) {
        findings.push({ path: s.path, address: s.path, message, ruleId: rule.id, severity: severityOf(rule, options.protected), fix: rule.fix });
      }
    });
    const status: RuleStatus = findings.length === 0 ? (suppressions.length > 0 ? "pass" : "n/a") : findings[0].severity === "error" ? "fail" : "warn";
    results.push({ ruleId: rule.id, status, findings, suppressed: [] });
    all.push(...findings);
  };
  guard(GUARD_SUPPRESSION_REASON, (s) =>
    isWrittenReason(s.reason) ? undefined : `the suppression of ${s.ruleId} on ${s.path} has no written reason (got ${JSON.stringify(s.reason)}); it does not apply`,
  );
  guard(GUARD_KNOWN_RULE, (s) => (KNOWN_IDS.has(s.ruleId) ? undefined : `the suppression on ${s.path} names \`${s.ruleId}\`, which is not a guardrail rule; it does not apply`));
  guard(GUARD_SUPPRESSION_USED, (s, i) =>
    valid[i] && !used[i] ? `the suppression of ${s.ruleId} on ${s.path} matches no finding (reason: "${s.reason}")` : undefined,
  );

  return {
    stack: stackName,
    protected: options.protected,
    rules: results,
    errors: all.filter((f) => !f.suppressedBy && f.severity === "error"),
    warnings: all.filter((f) => !f.suppressedBy && f.severity === "warning"),
    suppressed: all.filter((f) => f.suppressedBy),
    suppressions: suppressions.map((s, i) => ({ ...s, used: used[i], valid: valid[i] })),
    durationMs: performance.now() - started,
  };
}

/**
 * Evaluates a cdktf stack: its synthesized JSON (`toTerraform()`, overrides applied) and its
 * suppressions; each finding names the file that defines its construct (guardrails/construct-source.ts).
 */
export function evaluateStack(stack: TerraformStack, options: ResolvedGuardrailOptions): StackReport {
  const sourceOf = (path: string) => {
    const construct = constructAt(stack, path);
    return construct === undefined ? undefined : sourceFileOf(construct);
  };
  return evaluate(stack.node.id, stack.toTerraform(), suppressionsIn(stack), options, sourceOf);
}

/** One finding as text: rule, severity, path, address, message, fix and the file that defines it. */
export function formatFinding(finding: FindingResult): string {
  const where = finding.address === finding.path ? finding.path : `${finding.path} (${finding.address})`;
  const source = finding.source === undefined ? "" : `\n      Defined in: ${finding.source}`;
  return `${finding.ruleId} ${finding.severity} at ${where}: ${finding.message}\n      Fix: ${finding.fix}${source}`;
}
