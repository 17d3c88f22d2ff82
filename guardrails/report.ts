/**
 * The guardrails report: a text table of every rule per stack, and a JSON document for CI.
 */
import { formatFinding, severityOf, StackReport } from "./engine";
import { ALL_RULES } from "./rules";

const STATUS_TEXT = { pass: "pass", fail: "FAIL", warn: "warn", suppressed: "suppressed", "n/a": "n/a" } as const;

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - text.length));
}

/** The table of all rules (rows) by stack (columns), then findings and suppressions. */
export function formatReport(reports: readonly StackReport[]): string {
  const header = ["rule", "severity", "Checkov", "Trivy", ...reports.map((r) => r.stack)];
  const rows = ALL_RULES.map((rule) => {
    const severity = typeof rule.severity === "string" ? rule.severity : `${rule.severity.protected} (protected) / ${rule.severity.other}`;
    return [
      rule.id,
      severity,
      rule.checkov,
      rule.trivy,
      ...reports.map((r) => {
        const result = r.rules.find((x) => x.ruleId === rule.id);
        return result ? STATUS_TEXT[result.status] : "-";
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i])).join("  ").trimEnd();
  const out: string[] = [line(header), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const row of rows) out.push(line(row));
  out.push("", "Rules:");
  for (const rule of ALL_RULES) out.push(`  ${rule.id}  ${rule.title}`);

  for (const report of reports) {
    const protectedText = report.protected ? ", protected" : "";
    out.push("", `== ${report.stack}${protectedText}: ${report.errors.length} error(s), ${report.warnings.length} warning(s), ${report.suppressed.length} suppressed, ${report.durationMs.toFixed(1)} ms`);
    for (const finding of [...report.errors, ...report.warnings]) out.push(`  ${formatFinding(finding)}`);
    for (const suppression of report.suppressions) {
      const state = !suppression.valid ? "INVALID" : suppression.used ? "used" : "unused";
      out.push(`  suppressed ${suppression.ruleId} on ${suppression.path} (${state}): ${JSON.stringify(suppression.reason)}`);
    }
  }
  return out.join("\n");
}

/** The JSON report for CI: rules, then per stack the status of each rule, findings and suppressions. */
export function reportJson(reports: readonly StackReport[]): unknown {
  return {
    rules: ALL_RULES.map((rule) => ({
      id: rule.id,
      family: rule.family,
      title: rule.title,
      severity: rule.severity,
      checkov: rule.checkov,
      trivy: rule.trivy,
      fix: rule.fix,
    })),
    stacks: reports.map((report) => ({
      stack: report.stack,
      protected: report.protected,
      passed: report.errors.length === 0,
      durationMs: Number(report.durationMs.toFixed(2)),
      rules: Object.fromEntries(
        report.rules.map((result) => {
          const rule = ALL_RULES.find((r) => r.id === result.ruleId);
          return [result.ruleId, { status: result.status, severity: rule ? severityOf(rule, report.protected) : undefined }];
        }),
      ),
      errors: report.errors,
      warnings: report.warnings,
      suppressed: report.suppressed,
      suppressions: report.suppressions,
    })),
  };
}
