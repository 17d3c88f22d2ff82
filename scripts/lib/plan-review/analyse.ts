/**
 * Analysis of parsed plans: the action of every resource, the attributes an update changes (masked
 * where Terraform marks them sensitive, `(known after apply)` where unknown), and the findings that
 * block a merge: deleting or replacing a stateful resource, or turning a table's point-in-time recovery
 * or server-side encryption off. Pure functions, no I/O.
 */
import { PlanResourceChange, StackPlan } from "./parse";

/** Resource types whose deletion loses data. */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  aws_dynamodb_table: "table",
  aws_cloudwatch_log_group: "log group",
};

/** Attributes whose change replaces a DynamoDB table with an empty one: its key schema. */
export const KEY_SCHEMA_ATTRIBUTES: readonly string[] = ["hash_key", "range_key"];

/** Shown instead of a value Terraform marks sensitive. */
export const SENSITIVE = "(sensitive)";
/** Shown instead of a value that is unknown until apply. */
export const UNKNOWN = "(known after apply)";
/** Shown for an attribute that is absent or null. */
export const ABSENT = "(none)";

export type Action = "create" | "update" | "replace" | "delete" | "read" | "forget" | "no-op";

export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  import: number;
}

/** One changed attribute of an update or replacement; values are display text, already masked. */
export interface AttributeChange {
  /** Path such as `tags.Team` or `point_in_time_recovery[0].enabled`. */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface ResourceReview {
  readonly address: string;
  readonly type: string;
  /** The resource's `name` (or `function_name`), e.g. the table name `bandup-evaluations-dev`. */
  readonly name?: string;
  readonly action: Action;
  /** Terraform's own action list, e.g. `["delete","create"]`. */
  readonly actions: readonly string[];
  readonly importing: boolean;
  readonly actionReason?: string;
  /** Attribute paths that force the replacement (from `replace_paths`). */
  readonly replacePaths: readonly string[];
  /** Changed attributes (updates and replacements). */
  readonly attributes: readonly AttributeChange[];
}

export type FindingKind = "delete" | "replace" | "pitr-disabled" | "sse-disabled";

/** Something that blocks the merge unless its address is allowed with `--allow-destroy`. */
export interface Finding {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly name?: string;
  readonly kind: FindingKind;
  /** The attributes at fault: the replace paths, or the PITR/SSE attribute turned off. */
  readonly attributes: readonly string[];
  /** One sentence for the PR comment, in Markdown. */
  readonly message: string;
  /** Allowed explicitly with `--allow-destroy`: reported, but does not fail the review. */
  readonly allowed: boolean;
}

export interface StackReview {
  readonly stack: string;
  readonly file: string;
  readonly terraformVersion?: string;
  readonly counts: Counts;
  /** Every resource with an action other than no-op (imports included), in plan order. */
  readonly resources: readonly ResourceReview[];
  readonly findings: readonly Finding[];
}

export interface Review {
  readonly stacks: readonly StackReview[];
  readonly totals: Counts;
  /** Every finding of every stack. */
  readonly findings: readonly Finding[];
  /** `--allow-destroy` entries that matched no finding (probably a typo or a stale entry). */
  readonly unusedAllowDestroy: readonly string[];
  /** 0 when nothing blocks, 1 when a finding is not allowed. */
  readonly exitCode: 0 | 1;
}

export interface AnalyseOptions {
  /**
   * Addresses allowed to be deleted or replaced: `aws_dynamodb_table.x` (in every stack) or
   * `bandup-dev:aws_dynamodb_table.x` (in one stack).
   * @default []
   */
  readonly allowDestroy?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------
// Values, masking and diffs

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** The part of a `*_sensitive` / `after_unknown` marker tree that applies to a child. */
function child(marker: unknown, key: string | number): unknown {
  if (marker === true) return true;
  if (Array.isArray(marker) && typeof key === "number") return marker[key];
  if (isObject(marker) && typeof key === "string") return marker[key];
  return undefined;
}

const SENSITIVE_TOKEN = "\u0000sensitive\u0000";
const UNKNOWN_TOKEN = "\u0000unknown\u0000";

function mask(value: unknown, sensitive: unknown, unknown: unknown): unknown {
  if (unknown === true) return UNKNOWN_TOKEN;
  if (sensitive === true) return SENSITIVE_TOKEN;
  if (Array.isArray(value)) return value.map((v, i) => mask(v, child(sensitive, i), child(unknown, i)));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = value[key];
      // Leave out null and empty-list attributes: they say nothing and make long lines.
      if (v === null || (Array.isArray(v) && v.length === 0 && child(unknown, key) !== true)) continue;
      out[key] = mask(v, child(sensitive, key), child(unknown, key));
    }
    // An unknown attribute is absent from `after`; show it as unknown.
    if (isObject(unknown)) {
      for (const key of Object.keys(unknown)) if (unknown[key] === true && !(key in value)) out[key] = UNKNOWN_TOKEN;
    }
    return out;
  }
  return value;
}

/**
 * Display text of a value: JSON, with sensitive parts as `(sensitive)` and unknown parts as
 * `(known after apply)`; null and absent values as `(none)`.
 */
export function displayValue(value: unknown, sensitive?: unknown, unknown?: unknown): string {
  if (unknown === true) return UNKNOWN;
  if (sensitive === true) return SENSITIVE;
  if (value === undefined || value === null) return ABSENT;
  return JSON.stringify(mask(value, sensitive, unknown))
    .split(JSON.stringify(SENSITIVE_TOKEN))
    .join(SENSITIVE)
    .split(JSON.stringify(UNKNOWN_TOKEN))
    .join(UNKNOWN);
}

function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? part : `${path}.${part}`;
}

/** The changed attributes between `before` and `after` of one change, masked. */
export function changedAttributes(change: PlanResourceChange["change"]): AttributeChange[] {
  const out: AttributeChange[] = [];
  const walk = (path: string, b: unknown, a: unknown, bs: unknown, as: unknown, au: unknown): void => {
    if (au === true) {
      out.push({ path, before: displayValue(b, bs), after: UNKNOWN });
      return;
    }
    if (bs === true || as === true) {
      if (!deepEqual(b, a) || (bs === true) !== (as === true)) {
        out.push({ path, before: displayValue(b, bs), after: displayValue(a, as) });
      }
      return;
    }
    const nullish = (v: unknown): boolean => v === null || v === undefined;
    if ((isObject(b) || isObject(a)) && (isObject(b) || nullish(b)) && (isObject(a) || nullish(a))) {
      // Objects (or a block added/removed): compare key by key, so `tags.Team` shows alone.
      const before = isObject(b) ? b : {};
      const after = isObject(a) ? a : {};
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...(isObject(au) ? Object.keys(au) : [])])].sort();
      for (const key of keys) {
        walk(joinPath(path, key), before[key], after[key], child(bs, key), child(as, key), child(au, key));
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && b.length === 1 && a.length === 1) {
      // A single nested block (e.g. `point_in_time_recovery[0]`): compare inside it.
      b.forEach((_, i) => walk(joinPath(path, i), b[i], a[i], child(bs, i), child(as, i), child(au, i)));
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      // Lists and sets (the plan does not say which): the elements removed and added, so a set such
      // as `attribute` does not show as a reshuffle of its positions.
      const removed = b.map((v, i) => ({ v, i })).filter(({ v }) => !a.some((x) => deepEqual(x, v)));
      const added = a.map((v, i) => ({ v, i })).filter(({ v }) => !b.some((x) => deepEqual(x, v)));
      if (removed.length === 0 && added.length === 0) {
        if (!deepEqual(b, a)) out.push({ path, before: "(same elements)", after: "(reordered)" });
        return;
      }
      out.push({
        path,
        before: removed.length === 0 ? "" : removed.map(({ v, i }) => `- ${displayValue(v, child(bs, i))}`).join(" "),
        after: added.length === 0 ? "" : added.map(({ v, i }) => `+ ${displayValue(v, child(as, i), child(au, i))}`).join(" "),
      });
      return;
    }
    if (!deepEqual(b, a)) {
      out.push({ path, before: displayValue(b, bs), after: displayValue(a, as, au) });
    }
  };
  const { before, after, before_sensitive, after_sensitive, after_unknown } = change;
  walk("", before ?? {}, after ?? {}, before_sensitive, after_sensitive, after_unknown);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Actions and findings

/** The single action of a change: `["delete","create"]` and `["create","delete"]` are a replacement. */
export function actionOf(actions: readonly string[]): Action {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.length === 1 && ["create", "update", "delete", "read", "forget", "no-op"].includes(actions[0])) {
    return actions[0] as Action;
  }
  throw new Error(`unknown action list ${JSON.stringify(actions)}`);
}

function pathText(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, key) => joinPath(acc, key), "");
}

function nameOf(change: PlanResourceChange["change"]): string | undefined {
  for (const value of [change.before, change.after]) {
    if (isObject(value)) {
      for (const key of ["name", "function_name"]) if (typeof value[key] === "string") return value[key] as string;
    }
  }
  return undefined;
}

/** `true` when the block list attribute (e.g. `point_in_time_recovery`) has `enabled = true`. */
function blockEnabled(value: unknown, attribute: string): boolean {
  if (!isObject(value)) return false;
  const block = value[attribute];
  return Array.isArray(block) && block.some((b) => isObject(b) && b.enabled === true);
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function describeResource(type: string, name: string | undefined): string {
  const kind = STATEFUL_TYPES[type] ?? "resource";
  return name ? `${kind} ${code(name)}` : kind;
}

function dataLoss(type: string, name: string | undefined): string {
  const subject = name ? code(name) : "it";
  return type === "aws_cloudwatch_log_group" ? `every log event in ${subject} is lost` : `every item in ${subject} is lost`;
}

function findingsOf(stack: string, resource: ResourceReview, change: PlanResourceChange["change"]): Omit<Finding, "allowed">[] {
  const { address, type, name, action } = resource;
  const base = { stack, address, type, name };
  const findings: Omit<Finding, "allowed">[] = [];
  if (type in STATEFUL_TYPES && (action === "delete" || action === "replace")) {
    const what = describeResource(type, name);
    if (action === "delete") {
      findings.push({
        ...base,
        kind: "delete",
        attributes: [],
        message: `${code(address)} (${what}) will be **deleted**: ${dataLoss(type, name)}.`,
      });
    } else {
      const paths = resource.replacePaths;
      const keyChanges = type === "aws_dynamodb_table" ? paths.filter((p) => KEY_SCHEMA_ATTRIBUTES.includes(p)) : [];
      const byPaths = paths.length > 0 ? `, forced by ${paths.map(code).join(", ")}` : resource.actionReason ? ` (${resource.actionReason})` : "";
      let why = "";
      if (keyChanges.length > 0) {
        const details = keyChanges.map((p) => {
          const b = isObject(change.before) ? change.before[p] : undefined;
          const a = isObject(change.after) ? change.after[p] : undefined;
          return `${code(p)}: ${code(displayValue(b))} → ${code(displayValue(a))}`;
        });
        why =
          ` The key schema changes (${details.join(", ")}); DynamoDB cannot change a table's keys in place, so Terraform ` +
          `destroys the table and creates a new, empty one: ${dataLoss(type, name)}.`;
      } else {
        why = ` Terraform destroys it and creates a new one: ${dataLoss(type, name)}.`;
      }
      findings.push({
        ...base,
        kind: "replace",
        attributes: paths,
        message: `${code(address)} (${what}) will be **replaced**${byPaths}.${why}`,
      });
    }
  }
  if (type === "aws_dynamodb_table" && action === "update") {
    if (blockEnabled(change.before, "point_in_time_recovery") && !blockEnabled(change.after, "point_in_time_recovery")) {
      findings.push({
        ...base,
        kind: "pitr-disabled",
        attributes: ["point_in_time_recovery"],
        message: `${code(address)} (${describeResource(type, name)}) turns **point-in-time recovery off** (${code("point_in_time_recovery")}): its continuous backups are deleted and it can no longer be restored to an earlier time.`,
      });
    }
    if (blockEnabled(change.before, "server_side_encryption") && !blockEnabled(change.after, "server_side_encryption")) {
      findings.push({
        ...base,
        kind: "sse-disabled",
        attributes: ["server_side_encryption"],
        message: `${code(address)} (${describeResource(type, name)}) turns **server-side encryption with its KMS key off** (${code("server_side_encryption")}): the table falls back to the AWS-owned key.`,
      });
    }
  }
  return findings;
}

function allowedBy(allow: readonly string[], stack: string, address: string): string[] {
  return allow.filter((entry) => entry === address || entry === `${stack}:${address}`);
}

/** Reviews one or more parsed plans. */
export function analysePlans(plans: readonly StackPlan[], options: AnalyseOptions = {}): Review {
  const allow = options.allowDestroy ?? [];
  const used = new Set<string>();
  const totals: Counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0 };
  const stacks = plans.map((plan): StackReview => {
    const counts: Counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0 };
    const resources: ResourceReview[] = [];
    const findings: Finding[] = [];
    for (const rc of plan.resourceChanges) {
      if (rc.mode === "data") continue;
      const action = actionOf(rc.change.actions);
      const importing = rc.change.importing !== undefined && rc.change.importing !== null;
      if (action === "no-op" && !importing) continue;
      if (action === "create" || action === "update" || action === "replace" || action === "delete") counts[action] += 1;
      if (importing) counts.import += 1;
      const resource: ResourceReview = {
        address: rc.address,
        type: rc.type,
        name: nameOf(rc.change),
        action,
        actions: rc.change.actions,
        importing,
        actionReason: rc.action_reason,
        replacePaths: (rc.change.replace_paths ?? []).map(pathText),
        attributes:
          action === "update"
            ? changedAttributes(rc.change)
            : action === "replace"
              ? // A new resource recomputes every computed attribute: leave out the empty ones that become unknown.
                changedAttributes(rc.change).filter((c) => !(c.after === UNKNOWN && (c.before === ABSENT || c.before === "[]")))
              : [],
      };
      resources.push(resource);
      for (const finding of findingsOf(plan.stack, resource, rc.change)) {
        const matches = allowedBy(allow, plan.stack, rc.address);
        matches.forEach((m) => used.add(m));
        findings.push({ ...finding, allowed: matches.length > 0 });
      }
    }
    (Object.keys(totals) as (keyof Counts)[]).forEach((k) => (totals[k] += counts[k]));
    return { stack: plan.stack, file: plan.file, terraformVersion: plan.terraformVersion, counts, resources, findings };
  });
  const findings = stacks.flatMap((s) => s.findings);
  return {
    stacks,
    totals,
    findings,
    unusedAllowDestroy: allow.filter((a) => !used.has(a)),
    exitCode: findings.some((f) => !f.allowed) ? 1 : 0,
  };
}
