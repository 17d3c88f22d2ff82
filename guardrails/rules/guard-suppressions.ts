/**
 * Rules about suppressions. They have no `check` of their own: the engine applies them while it
 * matches suppressions to findings (guardrails/engine.ts).
 */
import { GuardrailRule } from "../types";

const NONE = (): [] => [];

/** BANDUP-GUARD-1: a suppression says why, in words. */
export const GUARD_SUPPRESSION_REASON: GuardrailRule = {
  id: "BANDUP-GUARD-1",
  family: "Guardrails",
  title: "Every suppression has a written reason (at least 10 characters)",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Pass the reason as the third argument of suppressGuardrail(construct, ruleId, reason): why the rule does not apply here, and until when.",
  appliesTo: [],
  check: NONE,
};

/** BANDUP-GUARD-2: a suppression names a rule that exists. */
export const GUARD_KNOWN_RULE: GuardrailRule = {
  id: "BANDUP-GUARD-2",
  family: "Guardrails",
  title: "Every suppression names an existing rule id",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Use one of the ids `npm run guardrails` lists (e.g. BANDUP-LAMBDA-4).",
  appliesTo: [],
  check: NONE,
};

/** BANDUP-GUARD-3: a suppression still suppresses something. */
export const GUARD_SUPPRESSION_USED: GuardrailRule = {
  id: "BANDUP-GUARD-3",
  family: "Guardrails",
  title: "Every suppression matches a finding (no stale suppressions)",
  severity: "warning",
  checkov: "—",
  trivy: "—",
  fix: "Remove the suppression: the resource now passes the rule.",
  appliesTo: [],
  check: NONE,
};
