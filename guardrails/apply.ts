/**
 * Wires the guardrails into a stack: a construct validation that cdktf runs during `app.synth()`
 * (and `Testing.synth(stack, true)`), after the stack is complete and before its JSON is written.
 */
import { Annotations, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { sourceFileOf } from "./construct-source";
import { evaluateStack, formatFinding, resolveOptions, StackReport } from "./engine";
import { GuardrailOptions, ResolvedGuardrailOptions } from "./types";

const applied = new WeakMap<TerraformStack, ResolvedGuardrailOptions>();
const reported = new WeakMap<TerraformStack, Set<string>>();
const latestReports = new WeakMap<TerraformStack, StackReport>();

/** Thrown when guardrails are applied twice to one stack. */
export class GuardrailsAlreadyAppliedError extends Error {
  constructor(stack: TerraformStack) {
    super(`guardrails are already applied to stack \`${stack.node.id}\`; call applyGuardrails once per stack`);
    this.name = "GuardrailsAlreadyAppliedError";
  }
}

/**
 * Runs every guardrail rule on the stack at synth. Errors fail synth, all listed at once (path, rule
 * id, message, fix); warnings go to cdktf annotations and/or the console.
 */
export function applyGuardrails(stack: TerraformStack, options: GuardrailOptions = {}): void {
  if (applied.has(stack)) throw new GuardrailsAlreadyAppliedError(stack);
  const resolved = resolveOptions(options);
  applied.set(stack, resolved);
  stack.node.addValidation({
    validate: () => {
      const report = evaluateStack(stack, resolved);
      latestReports.set(stack, report);
      emitWarnings(stack, report, resolved);
      return report.errors.map((f) => `${formatFinding(f)}\n`);
    },
  });
}

/** One failed validation: the construct's path, the message, and the file that defines the construct. */
export interface ValidationFailure {
  readonly path: string;
  readonly message: string;
  readonly source?: string;
}

/** Thrown by `assertStacksValid` with the validation errors of every stack of an app. */
export class AppValidationError extends Error {
  /** Each failure as cdktf writes it: `[<construct path>] <message>`. */
  readonly errors: readonly string[];

  constructor(readonly failures: readonly ValidationFailure[]) {
    const errors = failures.map((f) => `[${f.path}] ${f.message}`);
    // The file that defines a construct once, after the construct's last message.
    const text = failures.map((f, i) => {
      const last = failures[i + 1]?.path !== f.path;
      return f.source !== undefined && last ? `${errors[i]}\n      Defined in: ${f.source}` : errors[i];
    });
    super(`Synth stopped: ${errors.length} validation error(s) in the app\n\n${text.join("\n")}`);
    this.name = "AppValidationError";
    this.errors = errors;
  }
}

/**
 * Runs every validation of the app (the guardrails of each stack, the constructs' checks of their
 * props) before anything is written, and throws one error listing them all, each prefixed with the
 * path of the construct that reported it, as cdktf does. `app.synth()` alone stops at the first stack
 * that fails. A construct's own checks name the file that defines it; guardrail findings (reported
 * by their stack) name theirs each.
 */
export function assertStacksValid(app: IConstruct): void {
  const failures = app.node.findAll().flatMap((construct): ValidationFailure[] => {
    const messages = construct.node.validate();
    const source = messages.length === 0 || TerraformStack.isStack(construct) ? undefined : sourceFileOf(construct);
    return messages.map((message) => ({ path: construct.node.path, message, ...(source !== undefined && { source }) }));
  });
  if (failures.length > 0) throw new AppValidationError(failures);
}

/** The options guardrails were applied with, or undefined when the stack has none. */
export function guardrailOptionsOf(stack: TerraformStack): ResolvedGuardrailOptions | undefined {
  return applied.get(stack);
}

/**
 * The guardrails' report of the stack's latest validation (`assertStacksValid`, `app.synth()`), or
 * undefined before any; the synth summary reads it instead of checking the stack again.
 */
export function latestReportOf(stack: TerraformStack): StackReport | undefined {
  return latestReports.get(stack);
}

/** Runs the guardrails of a stack now, without synthesizing it; for reports and tests. */
export function checkStack(stack: TerraformStack, options?: GuardrailOptions): StackReport {
  return evaluateStack(stack, options ? resolveOptions(options) : (applied.get(stack) ?? resolveOptions()));
}

function emitWarnings(stack: TerraformStack, report: StackReport, options: ResolvedGuardrailOptions): void {
  if (options.warnings === "none" || report.warnings.length === 0) return;
  let done = reported.get(stack);
  if (!done) reported.set(stack, (done = new Set()));
  let byPath: Map<string, IConstruct> | undefined;
  for (const warning of report.warnings) {
    const text = formatFinding(warning);
    if (done.has(text)) continue; // validations may run more than once
    done.add(text);
    if (options.warnings === "annotations" || options.warnings === "both") {
      byPath ??= new Map(stack.node.findAll().map((c) => [c.node.path, c]));
      Annotations.of(byPath.get(warning.path) ?? stack).addWarning(text);
    }
    if (options.warnings === "console" || options.warnings === "both") {
      console.warn(`[${stack.node.path}] WARNING ${text}`);
    }
  }
}
