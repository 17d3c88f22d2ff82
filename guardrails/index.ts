/** BandUp's guardrails: a rule pack that runs on every stack at synth. */
export { AppValidationError, applyGuardrails, assertStacksValid, checkStack, guardrailOptionsOf, GuardrailsAlreadyAppliedError, latestReportOf, ValidationFailure } from "./apply";
export { applyBandupGuardrails, bandupGuardrailOptions } from "./bandup";
export { evaluate, evaluateStack, formatFinding, FindingResult, RuleResult, RuleStatus, StackReport } from "./engine";
export { ALL_RULES } from "./rules";
export { MIN_REASON_LENGTH, suppressGuardrail, Suppression } from "./suppressions";
export * from "./types";
