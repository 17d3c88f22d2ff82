/**
 * Analysis of parsed plans: the action of every resource, the attributes an update changes (masked
 * where Terraform marks them sensitive, and wherever such a value is copied; `(known after apply)`
 * where unknown), and the findings that block a merge: deleting or replacing a resource whose loss
 * loses data or access (a table, a table item, a log group, a queue, a KMS key), turning a table's
 * point-in-time recovery, server-side encryption or deletion protection off, removing a table's
 * replica, or disabling a KMS key. The deletion of a table that another table of the plan was
 * restored from (`restore_source_name`) is named as the retirement of a restore's original.
 * Pure functions, no I/O.
 */
import { Action, actionOf, PlanResourceChange, StackPlan } from "./parse";
import { Secrets } from "./secrets";
import { ABSENT, child, isAbsent, isObject, member, SENSITIVE, setMember, UNKNOWN } from "./values";

export type { Action } from "./parse";

type Change = PlanResourceChange["change"];

/** Resource types whose deletion or replacement loses data or access, and what is lost. */
export interface StatefulType {
  /** What the resource is, in a finding: "table". */
  readonly kind: string;
  /**
   * What deleting it loses, as the end of a sentence.
   * @param subject the resource's name in backticks, or "it"
   * @param before the resource's values before the change
   */
  readonly loss: (subject: string, before: Record<string, unknown>) => string;
}

export const STATEFUL_TYPES: Readonly<Record<string, StatefulType>> = {
  aws_dynamodb_table: { kind: "table", loss: (subject) => `every item in ${subject} is lost` },
  aws_dynamodb_table_item: {
    kind: "item of table",
    loss: (subject) => `the item is deleted from ${subject}, with every attribute the application wrote to it`,
  },
  aws_cloudwatch_log_group: { kind: "log group", loss: (subject) => `every log event in ${subject} is lost` },
  aws_sqs_queue: {
    kind: "queue",
    loss: (subject) => `every message in ${subject} is lost (a dead-letter queue holds the events that failed every retry)`,
  },
  aws_kms_key: {
    kind: "KMS key",
    loss: (_subject, before) => {
      const days = typeof before.deletion_window_in_days === "number" ? `${before.deletion_window_in_days} days` : "its waiting period";
      return (
        `the key is unusable at once (pending deletion) and AWS deletes it after ${days} (\`deletion_window_in_days\`): ` +
        "nothing it encrypts can be decrypted, a table that uses it becomes inaccessible and is archived after seven days, " +
        "and once the key is deleted that data is lost for good"
      );
    },
  },
};

/** The stateful type of a resource type (own entries only: a type named `constructor` is not one). */
function statefulType(type: string): StatefulType | undefined {
  return Object.hasOwn(STATEFUL_TYPES, type) ? STATEFUL_TYPES[type] : undefined;
}

/** Attributes whose change replaces a DynamoDB table with an empty one: its key schema. */
export const KEY_SCHEMA_ATTRIBUTES: readonly string[] = ["hash_key", "range_key"];

/** Attributes that name a resource in the review, first found wins (`table_name`: a table item; `key_id`: a KMS key). */
const NAME_ATTRIBUTES: readonly string[] = ["name", "function_name", "table_name", "key_id"];

export { ABSENT, SENSITIVE, UNKNOWN } from "./values";

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
  /** The resource's `name` (or `function_name`, ...), e.g. the table name `bandup-evaluations-dev`; `(sensitive)` when marked so. */
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

export type FindingKind = "delete" | "replace" | "pitr-disabled" | "sse-disabled" | "protection-disabled" | "replica-removed" | "key-disabled";

/** Something that blocks the merge unless its address is allowed with `--allow-destroy`. */
export interface Finding {
  readonly stack: string;
  readonly address: string;
  readonly type: string;
  readonly name?: string;
  readonly kind: FindingKind;
  /** The attributes at fault: the replace paths, or the attribute turned off. */
  readonly attributes: readonly string[];
  /** One sentence for the PR comment, in Markdown: the address, what happens and what is lost. */
  readonly message: string;
  /** The `--allow-destroy` entry that lets this change through: `<stack>:<address>`. */
  readonly allowDestroy: string;
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

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isAbsent(a) && isAbsent(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => deepEqual(member(a, k), member(b, k)));
  }
  return false;
}

/**
 * A text that is the same for two values exactly when `deepEqual` says they are equal (keys sorted,
 * null members left out): a list diff looks elements up in a Set of these, in linear time overall.
 */
function canonical(value: unknown): string {
  if (isAbsent(value)) return "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => !isAbsent(value[k])).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
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
      setMember(out, key, mask(v, child(sensitive, key), child(unknown, key)));
    }
    // An unknown attribute is absent from `after`; show it as unknown.
    if (isObject(unknown)) {
      for (const key of Object.keys(unknown)) if (unknown[key] === true && !Object.hasOwn(value, key)) setMember(out, key, UNKNOWN_TOKEN);
    }
    return out;
  }
  return value;
}

/**
 * Display text of a value: JSON, with sensitive parts as `(sensitive)` and unknown parts as
 * `(known after apply)`; null and absent values as `(none)` (an absent value is no secret).
 */
export function displayValue(value: unknown, sensitive?: unknown, unknown?: unknown): string {
  if (unknown === true) return UNKNOWN;
  if (isAbsent(value)) return ABSENT;
  if (sensitive === true) return SENSITIVE;
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

/**
 * The changed attributes between `before` and `after` of one change, masked. A value marked sensitive
 * on either side is masked on both, as terraform's own plan output does: a value that stops (or
 * starts) being sensitive is still the secret it was.
 */
export function changedAttributes(change: Change): AttributeChange[] {
  const out: AttributeChange[] = [];
  const walk = (path: string, b: unknown, a: unknown, bs: unknown, as: unknown, au: unknown): void => {
    if (bs === true || as === true) {
      if (au === true) out.push({ path, before: displayValue(b, true), after: UNKNOWN });
      else if (!deepEqual(b, a) || (bs === true) !== (as === true)) {
        out.push({ path, before: displayValue(b, true), after: displayValue(a, true) });
      }
      return;
    }
    if (au === true) {
      out.push({ path, before: displayValue(b, bs), after: UNKNOWN });
      return;
    }
    if ((isObject(b) || isObject(a)) && (isObject(b) || isAbsent(b)) && (isObject(a) || isAbsent(a))) {
      // Objects (or a block added/removed): compare key by key, so `tags.Team` shows alone.
      const before = isObject(b) ? b : {};
      const after = isObject(a) ? a : {};
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...(isObject(au) ? Object.keys(au) : [])])].sort();
      for (const key of keys) {
        walk(joinPath(path, key), member(before, key), member(after, key), child(bs, key), child(as, key), child(au, key));
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a) && b.length === 1 && a.length === 1) {
      // A single nested block (e.g. `point_in_time_recovery[0]`): compare inside it.
      walk(joinPath(path, 0), b[0], a[0], child(bs, 0), child(as, 0), child(au, 0));
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      // Lists and sets (the plan does not say which): the elements removed and added, so a set such
      // as `attribute` does not show as a reshuffle of its positions. Each side's element is masked
      // with its own side's marks (elements at the same index need not be the same element).
      const beforeKeys = b.map(canonical);
      const afterKeys = a.map(canonical);
      const inBefore = new Set(beforeKeys);
      const inAfter = new Set(afterKeys);
      const removed = b.map((v, i) => ({ v, i })).filter(({ i }) => !inAfter.has(beforeKeys[i]));
      const added = a.map((v, i) => ({ v, i })).filter(({ i }) => !inBefore.has(afterKeys[i]));
      if (removed.length === 0 && added.length === 0) {
        if (!deepEqual(b, a)) out.push({ path, before: "(same elements)", after: "(reordered)" });
        return;
      }
      out.push({
        path,
        before: removed.map(({ v, i }) => `- ${displayValue(v, child(bs, i))}`).join(" "),
        after: added.map(({ v, i }) => `+ ${displayValue(v, child(as, i), child(au, i))}`).join(" "),
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

function pathText(path: readonly (string | number)[]): string {
  return path.length === 0 ? "(the whole resource)" : path.reduce<string>((acc, key) => joinPath(acc, key), "");
}

/** `true` when either side marks the top-level attribute sensitive. */
function isSensitive(change: Change, attribute: string): boolean {
  return child(change.before_sensitive, attribute) === true || child(change.after_sensitive, attribute) === true;
}

function nameOf(change: Change): string | undefined {
  for (const value of [change.before, change.after]) {
    if (!isObject(value)) continue;
    const key = NAME_ATTRIBUTES.find((k) => typeof value[k] === "string");
    if (key !== undefined) return isSensitive(change, key) ? SENSITIVE : (value[key] as string);
  }
  return undefined;
}

/**
 * Whether a block list attribute (e.g. `point_in_time_recovery`) has `enabled = true`; `undefined`
 * when it is unknown until apply (the whole block, or its `enabled`).
 */
function blockEnabled(value: unknown, attribute: string, unknown?: unknown): boolean | undefined {
  const blockUnknown = child(unknown, attribute);
  if (blockUnknown === true) return undefined;
  if (!isObject(value)) return false;
  const block = value[attribute];
  if (!Array.isArray(block)) return false;
  if (block.some((_, i) => child(child(blockUnknown, i), "enabled") === true)) return undefined;
  return block.some((b) => isObject(b) && b.enabled === true);
}

/** A boolean attribute's value; `undefined` when it is unknown until apply (or not a boolean). */
function flag(value: unknown, attribute: string, unknown?: unknown): boolean | undefined {
  if (child(unknown, attribute) === true || !isObject(value)) return undefined;
  return typeof value[attribute] === "boolean" ? (value[attribute] as boolean) : undefined;
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A display value in a sentence: placeholders as plain text, values as code. */
function valueText(text: string): string {
  return text === SENSITIVE || text === UNKNOWN || text === ABSENT ? text : code(text);
}

function describeResource(type: string, name: string | undefined): string {
  const kind = statefulType(type)?.kind ?? "resource";
  if (name === undefined) return kind;
  return `${kind} ${name === SENSITIVE ? SENSITIVE : code(name)}`;
}

function lossOf(stateful: StatefulType, name: string | undefined, change: Change): string {
  const subject = name === undefined || name === SENSITIVE ? "it" : code(name);
  return stateful.loss(subject, isObject(change.before) ? change.before : {});
}

type NewFinding = Omit<Finding, "allowed" | "allowDestroy">;

function replacementFinding(
  resource: ResourceReview,
  stateful: StatefulType,
  change: Change,
  base: Pick<Finding, "stack" | "address" | "type" | "name">,
): NewFinding {
  const { address, type, name } = resource;
  const paths = resource.replacePaths;
  const byPaths = paths.length > 0 ? `, forced by ${paths.map(code).join(", ")}` : resource.actionReason ? ` (${resource.actionReason})` : "";
  const keyChanges = type === "aws_dynamodb_table" ? paths.filter((p) => KEY_SCHEMA_ATTRIBUTES.includes(p)) : [];
  let why: string;
  if (resource.actions.join(",") === "create,forget") {
    why =
      ` Terraform creates a new one and forgets the old one (\`destroy = false\`): the old ${stateful.kind} stays in AWS with` +
      " its data, no longer managed by Terraform, and the new one starts empty.";
  } else if (keyChanges.length > 0) {
    const details = keyChanges.map((p) => {
      const sensitive = isSensitive(change, p);
      const before = displayValue(isObject(change.before) ? change.before[p] : undefined, sensitive);
      const after = displayValue(isObject(change.after) ? change.after[p] : undefined, sensitive, child(change.after_unknown, p));
      return `${code(p)}: ${valueText(before)} → ${valueText(after)}`;
    });
    why =
      ` The key schema changes (${details.join(", ")}); DynamoDB cannot change a table's keys in place, so Terraform ` +
      `destroys the table and creates a new, empty one: ${lossOf(stateful, name, change)}.`;
  } else {
    why = ` Terraform destroys it and creates a new one: ${lossOf(stateful, name, change)}.`;
  }
  return { ...base, kind: "replace", attributes: paths, message: `${code(address)} (${describeResource(type, name)}) will be **replaced**${byPaths}.${why}` };
}

/**
 * The tables of a plan that another table of the same plan was restored from: the original's name
 * (`restore_source_name`) or ARN (`restore_source_table_arn`), mapped to the restored table's name
 * (`(sensitive)` when marked so: pass the changes through `Secrets.markCopies` first).
 * Restored tables keep these attributes for life, so they are in every later plan, no-op or not.
 */
export function restoreSources(resourceChanges: readonly PlanResourceChange[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (const rc of resourceChanges) {
    if (rc.mode !== "managed" || rc.type !== "aws_dynamodb_table") continue;
    const values = isObject(rc.change.after) ? rc.change.after : isObject(rc.change.before) ? rc.change.before : {};
    const restored = isSensitive(rc.change, "name") ? SENSITIVE : typeof values.name === "string" ? values.name : rc.address;
    for (const attribute of ["restore_source_name", "restore_source_table_arn"]) {
      const source = values[attribute];
      if (typeof source === "string" && source !== "") sources.set(source, restored);
    }
  }
  return sources;
}

/** The names of the regions of a table's `replica` blocks (undefined when unknown until apply). */
function replicaRegions(value: unknown, unknown?: unknown): string[] | undefined {
  if (child(unknown, "replica") === true) return undefined;
  if (!isObject(value) || !Array.isArray(value.replica)) return [];
  const regions = value.replica.map((r) => (isObject(r) ? r.region_name : undefined));
  return regions.every((r): r is string => typeof r === "string") ? regions : undefined;
}

function findingsOf(stack: string, resource: ResourceReview, change: Change, restoredFrom: ReadonlyMap<string, string>): NewFinding[] {
  const { address, type, name, action } = resource;
  const base = { stack, address, type, name };
  const what = describeResource(type, name);
  const findings: NewFinding[] = [];
  const stateful = statefulType(type);
  if (stateful && action === "delete") {
    const before = isObject(change.before) ? change.before : {};
    const restored = type === "aws_dynamodb_table" ? [before.name, before.arn].map((v) => (typeof v === "string" ? restoredFrom.get(v) : undefined)).find((v) => v !== undefined) : undefined;
    const restoredText = restored === SENSITIVE ? SENSITIVE : restored === undefined ? "" : code(restored);
    const message =
      restored === undefined
        ? `${code(address)} (${what}) will be **deleted**: ${lossOf(stateful, name, change)}.`
        : `${code(address)} (${what}) will be **deleted**: it is the **retired original of a restore** (the table ${restoredText} was restored from it and ` +
          `the stack keeps it); ${lossOf(stateful, name, change)}, with its point-in-time backups, so check that ${restoredText} holds what you need first.`;
    findings.push({ ...base, kind: "delete", attributes: [], message });
  }
  if (stateful && action === "replace") findings.push(replacementFinding(resource, stateful, change, base));
  if (action !== "update") return findings;
  const { before, after, after_unknown: unknown } = change;
  if (type === "aws_dynamodb_table") {
    if (blockEnabled(before, "point_in_time_recovery") && blockEnabled(after, "point_in_time_recovery", unknown) === false) {
      findings.push({
        ...base,
        kind: "pitr-disabled",
        attributes: ["point_in_time_recovery"],
        message: `${code(address)} (${what}) turns **point-in-time recovery off** (${code("point_in_time_recovery")}): its continuous backups are deleted and it can no longer be restored to an earlier time.`,
      });
    }
    if (blockEnabled(before, "server_side_encryption") && blockEnabled(after, "server_side_encryption", unknown) === false) {
      findings.push({
        ...base,
        kind: "sse-disabled",
        attributes: ["server_side_encryption"],
        message: `${code(address)} (${what}) turns **server-side encryption with its KMS key off** (${code("server_side_encryption")}): the table falls back to the AWS-owned key.`,
      });
    }
    const regionsAfter = replicaRegions(after, unknown);
    const removed = regionsAfter === undefined ? [] : (replicaRegions(before) ?? []).filter((r) => !regionsAfter.includes(r));
    if (removed.length > 0) {
      findings.push({
        ...base,
        kind: "replica-removed",
        attributes: ["replica"],
        message: `${code(address)} (${what}) **removes its replica in ${removed.map(code).join(", ")}** (${code("replica")}): DynamoDB deletes the replica table in that region and every item in it (the table in its own region keeps its data); \`prevent_destroy\` does not stop it, this is an update.`,
      });
    }
    if (flag(before, "deletion_protection_enabled") === true && flag(after, "deletion_protection_enabled", unknown) === false) {
      findings.push({
        ...base,
        kind: "protection-disabled",
        attributes: ["deletion_protection_enabled"],
        message: `${code(address)} (${what}) turns **deletion protection off** (${code("deletion_protection_enabled")}: \`true\` → \`false\`): from then on, a plan or anyone allowed \`dynamodb:DeleteTable\` can delete it, and every item in it.`,
      });
    }
  }
  if (type === "aws_kms_key" && flag(before, "is_enabled") === true && flag(after, "is_enabled", unknown) === false) {
    findings.push({
      ...base,
      kind: "key-disabled",
      attributes: ["is_enabled"],
      message: `${code(address)} (${what}) will be **disabled** (${code("is_enabled")}: \`true\` → \`false\`): nothing encrypted with it can be decrypted until it is enabled again, and a table that uses it becomes inaccessible at once and is archived after seven days.`,
    });
  }
  return findings;
}

function allowedBy(allow: readonly string[], stack: string, address: string): string[] {
  return allow.filter((entry) => entry === address || entry === `${stack}:${address}`);
}

function reviewOf(rc: PlanResourceChange, action: Action, importing: boolean): ResourceReview {
  let attributes: AttributeChange[] = [];
  if (action === "update") attributes = changedAttributes(rc.change);
  // A new object recomputes every computed attribute: leave out the empty ones that become unknown.
  if (action === "replace") attributes = changedAttributes(rc.change).filter((c) => !(c.after === UNKNOWN && (c.before === ABSENT || c.before === "[]")));
  return {
    address: rc.address,
    type: rc.type,
    name: nameOf(rc.change),
    action,
    actions: rc.change.actions,
    importing,
    actionReason: rc.action_reason ?? undefined,
    replacePaths: (rc.change.replace_paths ?? []).map(pathText),
    attributes,
  };
}

/** Reviews one or more parsed plans. */
export function analysePlans(plans: readonly StackPlan[], options: AnalyseOptions = {}): Review {
  const allow = options.allowDestroy ?? [];
  const used = new Set<string>();
  // Secrets of every plan: a value sensitive in one stack is masked wherever it is copied, in any stack.
  const secrets = new Secrets(plans.flatMap((plan) => plan.resourceChanges));
  const totals: Counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0 };
  const stacks = plans.map((plan): StackReview => {
    const counts: Counts = { create: 0, update: 0, replace: 0, delete: 0, import: 0 };
    const resources: ResourceReview[] = [];
    const findings: Finding[] = [];
    const marked = plan.resourceChanges.filter((planned) => planned.mode !== "data").map((planned) => secrets.markCopies(planned));
    const restoredFrom = restoreSources(marked);
    for (const rc of marked) {
      const action = actionOf(rc.change.actions);
      // parsePlan rejects every other action list: reaching this is a bug, not an input problem.
      if (action === undefined) throw new Error(`${rc.address}: unchecked action list ${JSON.stringify(rc.change.actions)}`);
      const importing = rc.change.importing !== undefined && rc.change.importing !== null;
      if (action === "no-op" && !importing) continue;
      if (action === "create" || action === "update" || action === "replace" || action === "delete") counts[action] += 1;
      if (importing) counts.import += 1;
      const resource = reviewOf(rc, action, importing);
      resources.push(resource);
      for (const finding of findingsOf(plan.stack, resource, rc.change, restoredFrom)) {
        const matches = allowedBy(allow, plan.stack, rc.address);
        matches.forEach((m) => used.add(m));
        findings.push({ ...finding, allowDestroy: `${plan.stack}:${rc.address}`, allowed: matches.length > 0 });
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
