/**
 * Types shared by the guardrail engine and its rules. A rule reads the SYNTHESIZED Terraform JSON of a
 * stack (overrides and escape hatches applied), never the props of our constructs.
 */
import type { StackModel } from "./terraform-json";

/** `error` fails synth; `warning` is printed and recorded in the report. */
export type Severity = "error" | "warning";

/** The rule families, in the order the report lists them. */
export type RuleFamily = "DynamoDB" | "IAM" | "Lambda" | "S3" | "Alarms" | "Guardrails";

/** A finding: one resource (or statement) that breaks one rule. */
export interface Finding {
  /** Construct path of the resource the finding is about, e.g. `bandup-dev/evaluations/table`. */
  readonly path: string;
  /** Terraform address, e.g. `aws_dynamodb_table.evaluations_table_68D57890`. */
  readonly address: string;
  /** What is wrong, with the offending value. */
  readonly message: string;
  /** How to fix it; defaults to the rule's `fix`. */
  readonly fix?: string;
  /** Other resources the finding involves; a suppression on any of them (or on `path`) applies. */
  readonly relatedPaths?: readonly string[];
  /** Overrides the rule's severity for this finding (e.g. a runtime that is deprecated soon: warning). */
  readonly severity?: Severity;
}

/** What a rule sees: the synthesized stack and the options of the guardrails on it. */
export interface RuleContext {
  readonly stack: StackModel;
  /** True in protected environments (prod): stricter rules apply. */
  readonly protected: boolean;
  /** The options passed to `applyGuardrails`, with defaults applied. */
  readonly options: ResolvedGuardrailOptions;
  /** The time rules that depend on dates (runtime deprecation) compare against. */
  readonly now: Date;
}

/** One guardrail rule. */
export interface GuardrailRule {
  /** Stable id such as `BANDUP-DDB-1`; suppressions and reports name it. */
  readonly id: string;
  readonly family: RuleFamily;
  /** One line: what must hold. */
  readonly title: string;
  /** Severity of a finding; may depend on the environment (see `severityIn`). */
  readonly severity: Severity | { readonly protected: Severity; readonly other: Severity };
  /** The corresponding Checkov check(s), or "—" when none exists. */
  readonly checkov: string;
  /** The corresponding Trivy (AVD) check(s), or "—" when none exists. */
  readonly trivy: string;
  /** How to fix a finding, in one or two sentences. */
  readonly fix: string;
  /** Terraform types of the resources the rule inspects (to tell "pass" from "not applicable"). */
  readonly appliesTo: readonly string[];
  /** Only checked in protected environments. */
  readonly protectedOnly?: boolean;
  /** Returns the violations; an empty array means the rule passes. */
  check(context: RuleContext): Finding[];
}

/** Which tables a function may access, matched by function name or construct path. */
export interface FunctionTableAccess {
  /** Matches the function's `function_name` or its construct path. */
  readonly function: RegExp;
  /** Names of the DynamoDB tables (`name` attribute) the function may access. */
  readonly tables: readonly string[];
}

/** Options of `applyGuardrails`. */
export interface GuardrailOptions {
  /**
   * The environment is protected (prod): CMK is an error rather than a warning, tables need deletion
   * protection and `prevent_destroy`, log retention at least `protectedLogRetentionDays`.
   * @default false
   */
  readonly protected?: boolean;
  /**
   * Which tables each function may access (BANDUP-IAM-4). A function no entry matches may access
   * the tables its `DYNAMODB_*` environment variables name.
   * @default [] - derive from `DYNAMODB_*` variables only
   */
  readonly functionTableAccess?: readonly FunctionTableAccess[];
  /**
   * Environment variables whose value must be one particular table (BANDUP-LAMBDA-3), e.g.
   * `{ DYNAMODB_EVALUATIONS: "bandup-evaluations" }`.
   * @default {} - any table of the stack
   */
  readonly tableVariables?: Readonly<Record<string, string>>;
  /**
   * Minimum log retention in protected environments (BANDUP-LAMBDA-1, Checkov CKV_AWS_338).
   * @default 365
   */
  readonly protectedLogRetentionDays?: number;
  /**
   * A runtime deprecated within this many days is a warning (BANDUP-LAMBDA-2).
   * @default 180
   */
  readonly runtimeWarningDays?: number;
  /**
   * Where warnings go: cdktf annotations (shown by `cdktf synth`), the console (shown by `npm run synth`),
   * both, or nowhere.
   * @default - "annotations", plus "console" unless run by the cdktf CLI (CDKTF_OUTDIR set) or jest
   */
  readonly warnings?: "annotations" | "console" | "both" | "none";
  /**
   * The time date-dependent rules compare against; tests pin it.
   * @default - now
   */
  readonly now?: Date;
}

/** `GuardrailOptions` with every default applied. */
export interface ResolvedGuardrailOptions {
  readonly protected: boolean;
  readonly functionTableAccess: readonly FunctionTableAccess[];
  readonly tableVariables: Readonly<Record<string, string>>;
  readonly protectedLogRetentionDays: number;
  readonly runtimeWarningDays: number;
  readonly warnings: "annotations" | "console" | "both" | "none";
  readonly now?: Date;
}
