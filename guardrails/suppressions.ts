/**
 * Per-resource suppressions with a written reason, as cdk-nag's `NagSuppressions`. A suppression is
 * recorded in the construct's metadata and applies to the construct and everything under it.
 */
import { IConstruct } from "constructs";

/** Metadata type under which suppressions are recorded on a construct. */
export const SUPPRESSION_METADATA = "bandup:guardrails:suppression";

/** A reason must say why in at least this many characters (after trimming). */
export const MIN_REASON_LENGTH = 10;

/** A recorded suppression. */
export interface Suppression {
  /** Construct path the suppression is attached to; it covers this path and everything below it. */
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

/**
 * Suppresses one guardrail rule on a construct and its children, with a reason that a reviewer can
 * judge. A missing or trivial reason (under 10 characters) is itself an error at synth (BANDUP-GUARD-1),
 * and so is an unknown rule id (BANDUP-GUARD-2).
 *
 * @example suppressGuardrail(table, "BANDUP-DDB-2", "prod has no CMK yet; AWS-owned key until KMS-12 lands")
 */
export function suppressGuardrail(construct: IConstruct, ruleId: string, reason: string): void {
  construct.node.addMetadata(SUPPRESSION_METADATA, { ruleId, reason: reason ?? "" });
}

/** Every suppression recorded in a construct tree (a stack), in tree order. */
export function suppressionsIn(root: IConstruct): Suppression[] {
  const found: Suppression[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== SUPPRESSION_METADATA) continue;
      const data = entry.data as { ruleId?: unknown; reason?: unknown };
      found.push({
        path: construct.node.path,
        ruleId: String(data.ruleId ?? ""),
        reason: typeof data.reason === "string" ? data.reason : "",
      });
    }
  }
  return found;
}

/** True when a suppression recorded at `suppressionPath` covers `path`. */
export function covers(suppressionPath: string, path: string): boolean {
  return path === suppressionPath || path.startsWith(`${suppressionPath}/`);
}

/** True when a reason is written out: at least 10 characters, not a placeholder. */
export function isWrittenReason(reason: string): boolean {
  const trimmed = reason.trim();
  return trimmed.length >= MIN_REASON_LENGTH && !/^(todo|tbd|n\/?a|none|fixme|\.+|-+)$/i.test(trimmed);
}
