/**
 * Analysis of parsed plans: the action of every resource, the attributes an update changes (masked
 * where Terraform marks them sensitive, and wherever such a value is copied; `(known after apply)`
 * where unknown), and the findings, decided by the classification table (classification.ts, read
 * through classify.ts):
 *
 * - blocking (exit 1): deleting or replacing a resource whose loss loses data or access, and an update
 *   that moves an attribute the way that loses (protection off, TTL on, a window or retention shorter,
 *   an encryption key changed, an index or replica removed...); each names the `--allow-destroy` or
 *   `--allow-loss` entry that accepts it;
 * - needs review (reported, exit 0): the other changes of classified resources that the table does not
 *   call safe, attributes it does not classify at all (deny by default), and values unknown until
 *   apply where a loss rule applies.
 *
 * Changes made outside Terraform (`resource_drift`, in every plan; all a `-refresh-only` plan holds) go
 * through the same table: a loss ("point-in-time recovery was turned off outside Terraform") and a
 * classified resource deleted outside Terraform are blocking (accepted with `--allow-drift`), each with
 * what the next apply does about it; the other classified changes need review.
 *
 * The deletion of a table that another table of the plan was restored from (`restore_source_name`) is
 * named as the retirement of a restore's original. Every text taken from a plan is redacted with the
 * plans' secrets before it is printed. Pure functions, no I/O.
 */
import { classificationOf, ResourceClassification } from "./classification";
import { AttributeVerdict, classifyChange, DIRECTION_WORDS } from "./classify";
import { code, fixed, join, Markdown, md } from "./markdown";
import { Action, actionOf, PlanResourceChange, StackPlan } from "./parse";
import { Secrets } from "./secrets";
import { ABSENT, child, isAbsent, isObject, member, SENSITIVE, setMember, UNKNOWN } from "./values";

export type { Action } from "./parse";
export { ABSENT, SENSITIVE, UNKNOWN } from "./values";

type Change = PlanResourceChange["change"];

/** Attributes whose change replaces a DynamoDB table with an empty one: its key schema. */
export const KEY_SCHEMA_ATTRIBUTES: readonly string[] = ["hash_key", "range_key"];

/** Attributes that name a resource in the review, first found wins (`table_name`: a table item; `key_id`: a KMS key). */
const NAME_ATTRIBUTES: readonly string[] = ["name", "function_name", "table_name", "alarm_name", "key_id", "bucket"];

/** Longest value shown inside a finding's sentence; longer ones end with `…` (the attribute tables show more). */
export const FINDING_VALUE_LENGTH = 120;
/** Longest address shown in a finding (and in an entry that accepts it). */
export const FINDING_ADDRESS_LENGTH = 300;

export interface Counts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  import: number;
}

/** One changed attribute of an update or replacement; values are display text, already masked. */
export interface AttributeChange {
  /** Path such as `tags.Team` or `point_in_time_recovery[0].enabled` (secrets in keys redacted). */
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface ResourceReview {
  /** The address, secrets redacted. */
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
  /** Changed attributes (updates and replacements), at most `MAX_ATTRIBUTES`. */
  readonly attributes: readonly AttributeChange[];
  /** Changed attributes past `MAX_ATTRIBUTES`, not listed. */
  readonly omittedAttributes: number;
}

/**
 * What a finding is about: a resource deleted or replaced, an attribute that loses data or access, or
 * the attributes of a resource that need a reviewer's eye.
 */
export type FindingKind = "delete" | "replace" | "loss" | "review" | "drift";

/** The flag and entry that accept a blocking finding. */
export interface Acceptance {
  readonly flag: "--allow-destroy" | "--allow-loss" | "--allow-drift";
  /**
   * `<stack>:<address>` (`--allow-destroy`; `--allow-drift` of a resource deleted outside Terraform)
   * or `<stack>:<address>:<attribute>` (`--allow-loss`; `--allow-drift` of an attribute).
   */
  readonly entry: string;
}

export interface Finding {
  readonly stack: string;
  /** The address, secrets redacted. */
  readonly address: string;
  readonly type: string;
  readonly name?: string;
  readonly kind: FindingKind;
  /** Blocks the merge (exit 1) unless accepted; otherwise it needs review and does not block. */
  readonly blocking: boolean;
  /** The attributes at fault: the replace paths, the attribute that loses, or those to review. */
  readonly attributes: readonly string[];
  /** One sentence for the PR comment: the address, what happens and what is lost. */
  readonly message: Markdown;
  /** The entry that accepts it (blocking findings only). */
  readonly accept?: Acceptance;
  /** Accepted by its entry: reported, but does not fail the review. */
  readonly allowed: boolean;
}

export interface StackReview {
  readonly stack: string;
  readonly file: string;
  readonly terraformVersion?: string;
  readonly counts: Counts;
  /** Every resource with an action other than no-op (imports included), in plan order. */
  readonly resources: readonly ResourceReview[];
  /**
   * What changed outside Terraform (`resource_drift`): `update` (an attribute changed, listed in
   * `attributes`) or `delete` (the object is gone), in plan order.
   */
  readonly drift: readonly ResourceReview[];
  /** The plan is `terraform plan -refresh-only`: it says what changed outside Terraform, not what an apply does. */
  readonly refreshOnly: boolean;
  readonly findings: readonly Finding[];
}

export interface Review {
  readonly stacks: readonly StackReview[];
  readonly totals: Counts;
  /** Every finding of every stack. */
  readonly findings: readonly Finding[];
  /** Accepting entries that matched no finding (probably a typo or a stale entry). */
  readonly unusedAllows: readonly Acceptance[];
  /** 0 when nothing blocks, 1 when a blocking finding is not accepted. */
  readonly exitCode: 0 | 1;
}

export interface AnalyseOptions {
  /**
   * Resources allowed to be deleted or replaced: `<stack>:<address>` (the CLI refuses entries without
   * their stack).
   * @default []
   */
  readonly allowDestroy?: readonly string[];
  /**
   * Losses accepted: `<stack>:<address>:<attribute>`, the attribute as the classification table names
   * it (`deletion_protection_enabled`, `point_in_time_recovery.recovery_period_in_days`, `replica`).
   * @default []
   */
  readonly allowLoss?: readonly string[];
  /**
   * Changes made outside Terraform accepted (`resource_drift`): `<stack>:<address>:<attribute>` for an
   * attribute, `<stack>:<address>` for a resource deleted outside Terraform.
   * @default []
   */
  readonly allowDrift?: readonly string[];
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

function joinPathText(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? part : `${path}.${part}`;
}

/** Changed attributes listed per resource at most; the others are counted (a 1,000,000-key map stays printable). */
export const MAX_ATTRIBUTES = 1000;

export interface ChangedAttributeOptions {
  /**
   * Stop listing after this many (the others are counted in `omitted`).
   * @default Infinity
   */
  readonly limit?: number;
  /**
   * Map keys and attribute names as printed in a path (the review redacts secrets in them).
   * @default the key itself
   */
  readonly key?: (key: string) => string;
}

/**
 * The changed attributes between `before` and `after` of one change, masked. A value marked sensitive
 * on either side is masked on both, as terraform's own plan output does: a value that stops (or
 * starts) being sensitive is still the secret it was.
 */
export function changedAttributes(change: Change): AttributeChange[] {
  return listChangedAttributes(change).attributes;
}

/** `changedAttributes`, with a limit and printed keys: the attributes listed and how many are not. */
export function listChangedAttributes(change: Change, options: ChangedAttributeOptions = {}): { attributes: AttributeChange[]; omitted: number } {
  const limit = options.limit ?? Infinity;
  const printed = options.key ?? ((key: string) => key);
  const attributes: AttributeChange[] = [];
  let omitted = 0;
  // Past the limit an entry is only counted: its display text (a JSON of the value) is not made.
  const out = {
    push(entry: () => AttributeChange): void {
      if (attributes.length < limit) attributes.push(entry());
      else omitted += 1;
    },
  };
  const joinPath = (path: string, key: string | number): string => joinPathText(path, typeof key === "number" ? key : printed(key));
  const walk = (path: string, b: unknown, a: unknown, bs: unknown, as: unknown, au: unknown): void => {
    if (bs === true || as === true) {
      if (au === true) out.push(() => ({ path, before: displayValue(b, true), after: UNKNOWN }));
      else if (!deepEqual(b, a) || (bs === true) !== (as === true)) {
        out.push(() => ({ path, before: displayValue(b, true), after: displayValue(a, true) }));
      }
      return;
    }
    if (au === true) {
      out.push(() => ({ path, before: displayValue(b, bs), after: UNKNOWN }));
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
        if (!deepEqual(b, a)) out.push(() => ({ path, before: "(same elements)", after: "(reordered)" }));
        return;
      }
      out.push(() => ({
        path,
        before: removed.map(({ v, i }) => `- ${displayValue(v, child(bs, i))}`).join(" "),
        after: added.map(({ v, i }) => `+ ${displayValue(v, child(as, i), child(au, i))}`).join(" "),
      }));
      return;
    }
    if (!deepEqual(b, a)) {
      out.push(() => ({ path, before: displayValue(b, bs), after: displayValue(a, as, au) }));
    }
  };
  const { before, after, before_sensitive, after_sensitive, after_unknown } = change;
  walk("", before ?? {}, after ?? {}, before_sensitive, after_sensitive, after_unknown);
  return { attributes, omitted };
}

// ---------------------------------------------------------------------------------------------------
// Actions and findings

function pathText(path: readonly (string | number)[], secrets: Secrets): string {
  return path.length === 0 ? "(the whole resource)" : path.reduce<string>((acc, key) => joinPathText(acc, typeof key === "number" ? key : secrets.redact(key)), "");
}

/** `true` when either side marks the top-level attribute sensitive. */
function isSensitive(change: Change, attribute: string): boolean {
  return child(change.before_sensitive, attribute) === true || child(change.after_sensitive, attribute) === true;
}

function nameOf(change: Change, secrets: Secrets): string | undefined {
  for (const value of [change.before, change.after]) {
    if (!isObject(value)) continue;
    const key = NAME_ATTRIBUTES.find((k) => typeof value[k] === "string");
    if (key !== undefined) return isSensitive(change, key) ? SENSITIVE : secrets.redact(value[key] as string);
  }
  return undefined;
}

/** A display value in a sentence: placeholders as plain text, values as (shortened) code. */
function valueText(text: string): Markdown {
  return text === SENSITIVE || text === UNKNOWN || text === ABSENT ? fixed(text) : code(text, FINDING_VALUE_LENGTH);
}

/** A value before or after a loss: `null` for absent, as terraform's plan writes it. */
function lossValue(value: unknown, marks: unknown): Markdown {
  if (isAbsent(value)) return md`${"null"}`;
  return valueText(displayValue(value, marks));
}

/** A name as the subject of a sentence: its code, or "it" (none, or sensitive). */
function subjectOf(name: string | undefined): Markdown {
  return name === undefined || name === SENSITIVE ? fixed("it") : code(name, FINDING_VALUE_LENGTH);
}

function describeResource(classification: ResourceClassification | undefined, name: string | undefined): Markdown {
  const kind = fixed(classification?.kind ?? "resource");
  if (name === undefined) return kind;
  return md`${kind} ${name === SENSITIVE ? fixed(SENSITIVE) : code(name, FINDING_VALUE_LENGTH)}`;
}

/** Fills a table text's `{subject}` and `{deletion_window_in_days}`: the only places values go into it. */
function fill(template: string, subject: Markdown, before: Record<string, unknown>): Markdown {
  const window = typeof before.deletion_window_in_days === "number" ? `${before.deletion_window_in_days} days` : "its waiting period";
  const parts = template.split(/(\{subject\}|\{deletion_window_in_days\})/);
  return join(
    parts.map((part) => (part === "{subject}" ? subject : part === "{deletion_window_in_days}" ? fixed(window) : fixed(part))),
    "",
  );
}

type NewFinding = Omit<Finding, "allowed" | "accept"> & { readonly acceptPath?: string };

function replacementMessage(
  resource: ResourceReview,
  classification: ResourceClassification,
  change: Change,
  address: Markdown,
): Markdown {
  const { type, name } = resource;
  const paths = resource.replacePaths;
  const what = describeResource(classification, name);
  const byPaths = paths.length > 0 ? md`, forced by ${join(paths.map((p) => code(p)), ", ")}` : resource.actionReason ? md` (${resource.actionReason})` : md``;
  const keyChanges = type === "aws_dynamodb_table" ? paths.filter((p) => KEY_SCHEMA_ATTRIBUTES.includes(p)) : [];
  const before = isObject(change.before) ? change.before : {};
  const why = fill(classification.replace.why, subjectOf(name), before);
  let sentence: Markdown;
  if (resource.actions.join(",") === "create,forget") {
    sentence = md` Terraform creates a new one and forgets the old one (${"destroy = false"}): the old ${fixed(classification.kind)} stays in AWS with its data, no longer managed by Terraform, and the new one starts empty.`;
  } else if (keyChanges.length > 0) {
    const details = keyChanges.map((p) => {
      const sensitive = isSensitive(change, p);
      const was = displayValue(member(before, p), sensitive);
      const is = displayValue(isObject(change.after) ? member(change.after, p) : undefined, sensitive, child(change.after_unknown, p));
      return md`${p}: ${valueText(was)} → ${valueText(is)}`;
    });
    sentence = md` The key schema changes (${join(details, ", ")}); DynamoDB cannot change a table's keys in place, so ${why}.`;
  } else {
    sentence = md` ${why}.`;
  }
  return md`${address} (${what}) will be **replaced**${byPaths}.${sentence}`;
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

/** The finding of a loss: the attribute, its move, what is lost, in one sentence. */
function lossMessage(verdict: AttributeVerdict, what: Markdown, address: Markdown, secrets: Secrets): Markdown {
  const rule = verdict.rule!;
  const label = fixed(rule.label ?? verdict.path);
  const at = secrets.redact(verdict.at);
  if (verdict.event === "removed") {
    const element = verdict.element === undefined ? md`` : md` ${secrets.redact(verdict.element)}`;
    return md`${address} (${what}): **${label}${element} is removed** (${verdict.path}): ${fixed(rule.why)}.`;
  }
  const move = fixed(rule.loses ? DIRECTION_WORDS[rule.loses.kind] : "changes");
  const shown = verdict.shown === undefined || verdict.shown.attribute === verdict.path.split(".").pop()
    ? md``
    : md`; ${verdict.shown.attribute} = ${lossValue(verdict.shown.value, verdict.shown.marks)}`;
  const values = md`${at}: ${lossValue(verdict.before, verdict.beforeMarks)} → ${lossValue(verdict.after, verdict.afterMarks)}${shown}`;
  return md`${address} (${what}): **${label} ${move}** (${values}): ${fixed(rule.why)}.`;
}

/** The finding of the attributes of one resource that need review. */
function reviewMessage(verdicts: readonly AttributeVerdict[], what: Markdown, address: Markdown, secrets: Secrets): Markdown {
  const items = verdicts.map((v) => {
    const event = v.event === undefined ? md`` : md` (${fixed(v.event)} ${secrets.redact(v.element ?? "")})`;
    return md`${secrets.redact(v.at)}${event}: ${fixed(v.reason)}`;
  });
  return md`${address} (${what}) **needs review**: ${join(items, "; ")}.`;
}

function findingsOf(
  stack: string,
  resource: ResourceReview,
  change: Change,
  restoredFrom: ReadonlyMap<string, string>,
  secrets: Secrets,
): NewFinding[] {
  const { address, type, name, action } = resource;
  const classification = classificationOf(type);
  if (classification === undefined) return [];
  const base = { stack, address, type, name };
  const shown = code(address, FINDING_ADDRESS_LENGTH);
  const what = describeResource(classification, name);
  const before = isObject(change.before) ? change.before : {};
  if (action === "delete") {
    const rule = classification.delete;
    const restored = type === "aws_dynamodb_table" ? [before.name, before.arn].map((v) => (typeof v === "string" ? restoredFrom.get(v) : undefined)).find((v) => v !== undefined) : undefined;
    const loss = fill(rule.why, subjectOf(name), before);
    let message: Markdown;
    if (restored === undefined) {
      message = md`${shown} (${what}) will be **deleted**: ${loss}.`;
    } else {
      const restoredText = restored === SENSITIVE ? fixed(SENSITIVE) : code(secrets.redact(restored), FINDING_VALUE_LENGTH);
      message = md`${shown} (${what}) will be **deleted**: it is the **retired original of a restore** (the table ${restoredText} was restored from it and the stack keeps it); ${loss}, with its point-in-time backups, so check that ${restoredText} holds what you need first.`;
    }
    if (rule.class === "safe") return [];
    return [{ ...base, kind: "delete", blocking: rule.class === "loss", attributes: [], message }];
  }
  if (action === "replace") {
    const rule = classification.replace;
    if (rule.class === "safe") return [];
    return [{ ...base, kind: "replace", blocking: rule.class === "loss", attributes: resource.replacePaths, message: replacementMessage(resource, classification, change, shown) }];
  }
  if (action !== "update") return [];
  const verdicts = classifyChange(type, change);
  const findings: NewFinding[] = [];
  for (const verdict of verdicts.filter((v) => v.class === "loss")) {
    findings.push({
      ...base,
      kind: "loss",
      blocking: true,
      attributes: [verdict.path],
      message: lossMessage(verdict, what, shown, secrets),
      acceptPath: verdict.path,
    });
  }
  const toReview = verdicts.filter((v) => v.class === "review");
  if (toReview.length > 0) {
    findings.push({ ...base, kind: "review", blocking: false, attributes: toReview.map((v) => secrets.redact(v.at)), message: reviewMessage(toReview, what, shown, secrets) });
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------
// Drift: changes made outside Terraform (`resource_drift`)

/** "is turned off" → "was turned off": what happened outside Terraform, in the past. */
function happened(rule: AttributeVerdict["rule"]): string {
  return rule?.loses ? DIRECTION_WORDS[rule.loses.kind].replace(/^is /, "was ") : "was changed";
}

/**
 * What the next apply does to a change made outside Terraform: this plan's own change of the same
 * resource when the plan has one (a normal plan lists every resource, no-op included), else (a
 * `-refresh-only` plan) what an apply of the configuration would do, from the value Terraform last
 * applied.
 */
function driftApplyText(verdict: AttributeVerdict | undefined, planned: PlanResourceChange | undefined, classification: ResourceClassification, refreshOnly: boolean): Markdown {
  const plannedAction = planned === undefined ? undefined : actionOf(planned.change.actions);
  if (verdict === undefined) {
    // The resource was deleted outside Terraform.
    const empty = classification.delete.class === "loss" ? fixed(", empty: what it held is not brought back") : md``;
    if (plannedAction === "create" || plannedAction === "replace") return md`This plan's apply creates it again${empty}.`;
    if (plannedAction === undefined && refreshOnly) {
      return md`An apply of the configuration would create it again${empty}; remove it from the code to adopt its deletion.`;
    }
    return md`This plan does not create it again.`;
  }
  const back = lossValue(verdict.before, verdict.beforeMarks);
  if (plannedAction === undefined) {
    return refreshOnly
      ? md`An apply of the configuration would set it back to ${back} (the value Terraform last applied), unless the code adopts the change.`
      : md`This plan does not touch the resource.`;
  }
  if (plannedAction === "delete") return md`This plan deletes the resource.`;
  if (plannedAction === "replace") return md`This plan replaces the resource.`;
  if (plannedAction === "update") {
    const undo = classifyChange(planned!.type, planned!.change).find((v) => v.at === verdict.at);
    if (undo !== undefined) return md`This plan's apply sets it to ${lossValue(undo.after, undo.afterMarks)} again.`;
  }
  return md`This plan's apply leaves it as it is now: the configuration no longer sets it back.`;
}

/** The findings of one `resource_drift` entry: blocking for every loss, and for a classified resource deleted outside Terraform. */
function driftFindingsOf(
  stack: string,
  resource: ResourceReview,
  change: Change,
  planned: PlanResourceChange | undefined,
  refreshOnly: boolean,
  secrets: Secrets,
): NewFinding[] {
  const { address, type, name, action } = resource;
  const classification = classificationOf(type);
  if (classification === undefined) return [];
  const base = { stack, address, type, name, kind: "drift" as const };
  const shown = code(address, FINDING_ADDRESS_LENGTH);
  const what = describeResource(classification, name);
  if (action === "delete") {
    const loss = fill(classification.delete.why, subjectOf(name), isObject(change.before) ? change.before : {});
    const apply = driftApplyText(undefined, planned, classification, refreshOnly);
    // Any classified resource gone, an alarm or a subscription too: something that guarded data or access is missing.
    return [{ ...base, blocking: true, attributes: [], message: md`${shown} (${what}) **was deleted outside Terraform**: ${loss}. ${apply}` }];
  }
  const verdicts = classifyChange(type, change);
  const findings: NewFinding[] = [];
  for (const verdict of verdicts.filter((v) => v.class === "loss")) {
    const rule = verdict.rule!;
    const label = fixed(rule.label ?? verdict.path);
    const values = md`${secrets.redact(verdict.at)}: ${lossValue(verdict.before, verdict.beforeMarks)} → ${lossValue(verdict.after, verdict.afterMarks)}`;
    const element = verdict.event === "removed" ? md` ${secrets.redact(verdict.element ?? "")}` : md``;
    const move = fixed(verdict.event === "removed" ? "was removed" : happened(rule));
    const apply = driftApplyText(verdict, planned, classification, refreshOnly);
    findings.push({
      ...base,
      blocking: true,
      attributes: [verdict.path],
      message: md`${shown} (${what}): **${label}${element} ${move} outside Terraform** (${values}): ${fixed(rule.why)}. ${apply}`,
      acceptPath: verdict.path,
    });
  }
  const toReview = verdicts.filter((v) => v.class === "review");
  if (toReview.length > 0) {
    const items = toReview.map((v) => md`${secrets.redact(v.at)}: ${fixed(v.reason)}`);
    findings.push({ ...base, blocking: false, attributes: toReview.map((v) => secrets.redact(v.at)), message: md`${shown} (${what}) **was changed outside Terraform** and needs review: ${join(items, "; ")}.` });
  }
  return findings;
}

function reviewOf(rc: PlanResourceChange, action: Action, importing: boolean, secrets: Secrets): ResourceReview {
  let listed: { attributes: AttributeChange[]; omitted: number } = { attributes: [], omitted: 0 };
  const options = { limit: MAX_ATTRIBUTES, key: (key: string) => secrets.redact(key) };
  if (action === "update") listed = listChangedAttributes(rc.change, options);
  if (action === "replace") {
    // A new object recomputes every computed attribute: leave out the empty ones that become unknown.
    const all = listChangedAttributes(rc.change, { ...options, limit: Infinity });
    const shown = all.attributes.filter((c) => !(c.after === UNKNOWN && (c.before === ABSENT || c.before === "[]")));
    listed = { attributes: shown.slice(0, MAX_ATTRIBUTES), omitted: Math.max(0, shown.length - MAX_ATTRIBUTES) };
  }
  return {
    address: secrets.redactAddress(rc.address),
    type: rc.type,
    name: nameOf(rc.change, secrets),
    action,
    actions: rc.change.actions,
    importing,
    actionReason: rc.action_reason === undefined || rc.action_reason === null ? undefined : secrets.redact(rc.action_reason),
    replacePaths: (rc.change.replace_paths ?? []).map((path) => pathText(path, secrets)),
    attributes: listed.attributes,
    omittedAttributes: listed.omitted,
  };
}

/** Reviews one or more parsed plans. */
export function analysePlans(plans: readonly StackPlan[], options: AnalyseOptions = {}): Review {
  const allowDestroy = options.allowDestroy ?? [];
  const allowLoss = options.allowLoss ?? [];
  const allowDrift = options.allowDrift ?? [];
  const used = new Set<string>();
  const allowLists: Readonly<Record<Acceptance["flag"], readonly string[]>> = {
    "--allow-destroy": allowDestroy,
    "--allow-loss": allowLoss,
    "--allow-drift": allowDrift,
  };
  /**
   * A finding as reported: a blocking one with the entry that accepts it (`<stack>:<address>`, plus
   * `:<attribute>` when it names one), accepted when its flag's list holds that entry. Entries match
   * the real address; the printed entry is redacted like every printed address.
   */
  const settle = ({ acceptPath, ...finding }: NewFinding, flag: Acceptance["flag"], realAddress: string, shownAddress: string): Finding => {
    if (!finding.blocking) return { ...finding, allowed: false };
    const suffix = acceptPath === undefined ? "" : `:${acceptPath}`;
    const real = `${finding.stack}:${realAddress}${suffix}`;
    const allowed = allowLists[flag].includes(real);
    if (allowed) used.add(`${flag} ${real}`);
    return { ...finding, accept: { flag, entry: `${finding.stack}:${shownAddress}${suffix}` }, allowed };
  };
  // Secrets of every plan: a value sensitive in one stack is masked wherever it is copied, in any stack.
  const secrets = new Secrets(plans.flatMap((plan) => [...plan.resourceChanges, ...plan.resourceDrift]));
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
      const resource = reviewOf(rc, action, importing, secrets);
      resources.push(resource);
      for (const finding of findingsOf(plan.stack, resource, rc.change, restoredFrom, secrets)) {
        findings.push(settle(finding, finding.acceptPath === undefined ? "--allow-destroy" : "--allow-loss", rc.address, resource.address));
      }
    }
    const drift: ResourceReview[] = [];
    const plannedByAddress = new Map(marked.map((rc) => [rc.address, rc]));
    for (const rc of plan.resourceDrift.filter((d) => d.mode !== "data").map((d) => secrets.markCopies(d))) {
      const action = actionOf(rc.change.actions);
      if (action === undefined) throw new Error(`${rc.address}: unchecked action list ${JSON.stringify(rc.change.actions)}`);
      if (action === "no-op") continue;
      const resource = reviewOf(rc, action, false, secrets);
      drift.push(resource);
      for (const finding of driftFindingsOf(plan.stack, resource, rc.change, plannedByAddress.get(rc.address), plan.refreshOnly, secrets)) {
        findings.push(settle(finding, "--allow-drift", rc.address, resource.address));
      }
    }
    (Object.keys(totals) as (keyof Counts)[]).forEach((k) => (totals[k] += counts[k]));
    return { stack: plan.stack, file: plan.file, terraformVersion: plan.terraformVersion, counts, resources, drift, refreshOnly: plan.refreshOnly, findings };
  });
  const findings = stacks.flatMap((s) => s.findings);
  const unusedAllows: Acceptance[] = (Object.keys(allowLists) as Acceptance["flag"][]).flatMap((flag) =>
    allowLists[flag].filter((e) => !used.has(`${flag} ${e}`)).map((entry): Acceptance => ({ flag, entry: secrets.redactAddress(entry) })),
  );
  return {
    stacks,
    totals,
    findings,
    unusedAllows,
    exitCode: findings.some((f) => f.blocking && !f.allowed) ? 1 : 0,
  };
}
