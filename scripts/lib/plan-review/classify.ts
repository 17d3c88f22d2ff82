/**
 * The classifier: pure functions over the classification table (classification.ts). The plan review
 * calls `classifyChange` on each update of a classified resource; the drift review can call the same
 * functions on `resource_drift` entries (their `before` is the state, their `after` what AWS holds).
 *
 * - `classifyAttribute(type, path, before, after, context)`: one attribute's verdict.
 * - `classifyChange(type, change)`: every changed attribute of a resource, walked by the table's paths:
 *   blocks of one element are compared element to element, blocks of several elements are matched by
 *   their key (an index by `name`, a replica by `region_name`), and an element removed or added is
 *   classified by its block's rule.
 *
 * Deny by default: an attribute that the table does not classify is a `review` verdict, never `safe`.
 */
import { AttributeClass, AttributeRule, BlockRule, classificationOf, Condition, Direction, isBlockRule, ResourceRule } from "./classification";
import { child, isAbsent, isObject, member } from "./values";

export interface Verdict {
  readonly class: AttributeClass;
  /** Why, in a sentence's end: what is lost, why it needs review, or why it is safe. */
  readonly reason: string;
  /** The rule that decided; undefined when the attribute is not in the table. */
  readonly rule?: AttributeRule;
  /** The value after the change is unknown until apply. */
  readonly unknown?: boolean;
}

/** What a rule's condition and `shows` read: the attribute's block element and the whole resource. */
export interface AttributeContext {
  /** The block element (or the resource, for a top-level attribute) that holds the attribute. */
  readonly element?: { readonly before?: unknown; readonly after?: unknown };
  /** The resource's values before and after the change. */
  readonly resource?: { readonly before?: unknown; readonly after?: unknown };
  /** The value after the change is unknown until apply (`after` is then meaningless). */
  readonly afterUnknown?: boolean;
}

export const NOT_CLASSIFIED =
  "not in the classification table (scripts/lib/plan-review/classification.ts): an attribute no one has classified is not taken for safe";

/** The table's entry for a path: its own, or that of the nearest block above it classified as a subtree. */
export function ruleFor(type: string, path: string): AttributeRule | BlockRule | undefined {
  const attributes = classificationOf(type)?.attributes;
  if (attributes === undefined) return undefined;
  if (Object.hasOwn(attributes, path)) return attributes[path];
  for (let at = path.lastIndexOf("."); at > 0; at = path.lastIndexOf(".", at - 1)) {
    const above = path.slice(0, at);
    if (Object.hasOwn(attributes, above)) {
      const rule = attributes[above];
      return !isBlockRule(rule) && rule.subtree ? rule : undefined;
    }
  }
  return undefined;
}

/** Whether the table has entries below a path (a block whose attributes are classified one by one). */
function hasRulesBelow(type: string, path: string): boolean {
  const attributes = classificationOf(type)?.attributes ?? {};
  return Object.keys(attributes).some((key) => key.startsWith(`${path}.`));
}

/** The effective number of a `lowered` rule: null/absent is `unset`, unlimited values are Infinity. */
function effective(value: unknown, direction: Extract<Direction, { kind: "lowered" }>): number | undefined {
  if (isAbsent(value)) return direction.unset === "unlimited" ? Infinity : direction.unset;
  if (typeof value !== "number") return undefined;
  return direction.unlimited?.includes(value) ? Infinity : value;
}

/** Whether a change moves the way that loses; undefined when it cannot be told (not a number...). */
export function moves(direction: Direction, before: unknown, after: unknown): boolean | undefined {
  switch (direction.kind) {
    case "turned-off":
      return before === true && after !== true;
    case "turned-on":
      return before !== true && after === true;
    case "lowered": {
      const was = effective(before, direction);
      const is = effective(after, direction);
      return was === undefined || is === undefined ? undefined : is < was;
    }
    case "changed":
      // "" is no value either: an empty TTL attribute name or key ARN names nothing.
      return !isAbsent(before) && before !== "" && !sameValue(before, after);
    case "left":
      return typeof before === "string" && direction.values.includes(before) && after !== before;
  }
}

function holds(condition: Condition, context: AttributeContext): boolean {
  switch (condition.kind) {
    case "sibling-is": {
      const after = context.element?.after;
      return isObject(after) && member(after, condition.attribute) === condition.value;
    }
    case "resource-has":
      return [context.resource?.before, context.resource?.after].some((values) => {
        const blocks = isObject(values) ? member(values, condition.attribute) : undefined;
        return Array.isArray(blocks) && blocks.length > 0;
      });
  }
}

/** The verdict of one rule on one change of its attribute. */
export function verdictOf(rule: AttributeRule, before: unknown, after: unknown, context: AttributeContext = {}): Verdict {
  const unknown = context.afterUnknown === true;
  if (rule.class !== "loss" || rule.loses === undefined) return { class: rule.class, reason: rule.why, rule, unknown };
  const otherwise = (reason: string): Verdict => ({ class: rule.otherwise ?? "safe", reason, rule, unknown });
  if (rule.onlyIf !== undefined && !holds(rule.onlyIf, context)) {
    return otherwise(rule.otherwise === "review" ? `${rule.label}: ${OTHERWISE_REVIEW}` : `${rule.label}: this change does not lose what the rule guards`);
  }
  if (unknown) {
    return { class: "review", reason: `unknown until apply, so the review cannot tell whether ${rule.label} ${DIRECTION_WORDS[rule.loses.kind]}: ${rule.why}`, rule, unknown };
  }
  const moved = moves(rule.loses, before, after);
  if (moved === undefined) return { class: "review", reason: `a value the rule cannot compare: ${rule.why}`, rule };
  if (moved) return { class: "loss", reason: rule.why, rule };
  return otherwise(rule.otherwise === "review" ? `${rule.label}: ${OTHERWISE_REVIEW}` : `${rule.label}: this change moves the safe way`);
}

const OTHERWISE_REVIEW = "a change the loss rule does not cover, so a reviewer looks";

/** How a finding says a loss rule's move ("turned off"), by direction. */
export const DIRECTION_WORDS: Readonly<Record<Direction["kind"], string>> = {
  "turned-off": "is turned off",
  "turned-on": "is turned on",
  lowered: "is shortened",
  changed: "is changed",
  left: "is changed",
};

/**
 * The verdict on one attribute of a resource type, from the table: a pure function of the type, the
 * attribute's path (blocks by name, no indexes: `point_in_time_recovery.recovery_period_in_days`) and
 * its values before and after the change. Not in the table: `review` (deny by default).
 */
export function classifyAttribute(type: string, path: string, before: unknown, after: unknown, context: AttributeContext = {}): Verdict {
  const rule = ruleFor(type, path);
  if (rule === undefined || isBlockRule(rule)) return { class: "review", reason: NOT_CLASSIFIED, unknown: context.afterUnknown === true };
  return verdictOf(rule, before, after, context);
}

/** What deleting or replacing a resource of a type does; undefined for a type not in the table. */
export function classifyResource(type: string, action: "delete" | "replace"): ResourceRule | undefined {
  return classificationOf(type)?.[action];
}

/** One classified change of an attribute (or of a block's element) of a resource. */
export interface AttributeVerdict extends Verdict {
  /** The table's path: `point_in_time_recovery.enabled`, `replica`; what `--allow-loss` names. */
  readonly path: string;
  /** Where, with elements: `point_in_time_recovery[0].enabled`, `replica["us-west-2"]`. */
  readonly at: string;
  readonly before: unknown;
  readonly after: unknown;
  /** Sensitivity marks of `before` / `after` at that place (`true`: sensitive). */
  readonly beforeMarks: unknown;
  readonly afterMarks: unknown;
  /** For a block's element: it is removed or added (its key in `element`). */
  readonly event?: "removed" | "added";
  readonly element?: string;
  /** The value of the rule's `shows` sibling after the change (else before), with its marks. */
  readonly shown?: { readonly attribute: string; readonly value: unknown; readonly marks: unknown };
}

/** The part of a plan change the classifier reads. */
export interface ClassifiedChange {
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isAbsent(a) && isAbsent(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(member(a, k), member(b, k)));
  }
  return false;
}

/** Whether a marker tree (`after_unknown`) marks anything. */
function marksAny(marks: unknown): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(marksAny);
  if (isObject(marks)) return Object.values(marks).some(marksAny);
  return false;
}

function at(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** The elements of a block value: a list of blocks, one object (a single block), or none. */
function elementsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return [value];
  return [];
}

interface Side {
  readonly value: unknown;
  readonly marks: unknown;
}

interface Walk {
  readonly type: string;
  readonly resource: { readonly before?: unknown; readonly after?: unknown };
  readonly out: AttributeVerdict[];
}

/**
 * Every changed attribute of a resource's update, classified. Unchanged attributes are left out; so
 * are none that changed: each changed leaf (or block element removed or added) gets a verdict.
 */
export function classifyChange(type: string, change: ClassifiedChange): AttributeVerdict[] {
  const walk: Walk = { type, resource: { before: change.before, after: change.after }, out: [] };
  walkObject(
    walk,
    "",
    "",
    { value: isObject(change.before) ? change.before : {}, marks: change.before_sensitive },
    { value: isObject(change.after) ? change.after : {}, marks: change.after_sensitive },
    change.after_unknown,
  );
  return walk.out;
}

function walkObject(walk: Walk, path: string, where: string, before: Side, after: Side, unknown: unknown): void {
  const b = isObject(before.value) ? before.value : {};
  const a = isObject(after.value) ? after.value : {};
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  if (isObject(unknown)) for (const key of Object.keys(unknown)) if (marksAny(unknown[key])) keys.add(key);
  for (const key of [...keys].sort()) {
    walkValue(
      walk,
      path === "" ? key : `${path}.${key}`,
      at(where, key),
      { value: member(b, key), marks: child(before.marks, key) },
      { value: member(a, key), marks: child(after.marks, key) },
      child(unknown, key),
      { before, after },
    );
  }
}

/** The block element (or resource) that holds an attribute, with its marks. */
interface ElementSides {
  readonly before: Side;
  readonly after: Side;
}

function walkValue(walk: Walk, path: string, where: string, before: Side, after: Side, unknown: unknown, element: ElementSides): void {
  const afterUnknown = unknown === true;
  if (!marksAny(unknown) && sameValue(before.value, after.value)) return;
  const rule = ruleFor(walk.type, path);
  const push = (verdict: Verdict, extra: Partial<AttributeVerdict> = {}): void => {
    walk.out.push({
      ...verdict,
      path,
      at: where,
      before: before.value,
      after: afterUnknown ? undefined : after.value,
      beforeMarks: before.marks,
      afterMarks: after.marks,
      ...extra,
    });
  };
  if (rule !== undefined && isBlockRule(rule)) {
    walkBlock(walk, path, where, before, after, unknown, rule, push);
  } else if (rule !== undefined) {
    const verdict = verdictOf(rule, before.value, after.value, {
      element: { before: element.before.value, after: element.after.value },
      resource: walk.resource,
      afterUnknown,
    });
    const shown = rule.shows === undefined ? undefined : shownValue(rule.shows, element);
    push(verdict, shown === undefined ? {} : { shown });
  } else if (hasRulesBelow(walk.type, path) && !afterUnknown) {
    // A block of one element (or a single block): compare element to element, by position.
    const b = elementsOf(before.value);
    const a = elementsOf(after.value);
    const single = !Array.isArray(before.value) && !Array.isArray(after.value);
    for (let i = 0; i < Math.max(a.length, b.length, Array.isArray(unknown) ? unknown.length : 0); i++) {
      walkObject(
        walk,
        path,
        single ? where : at(where, i),
        { value: b[i], marks: single ? before.marks : child(before.marks, i) },
        { value: a[i], marks: single ? after.marks : child(after.marks, i) },
        single ? unknown : child(unknown, i),
      );
    }
  } else if (hasRulesBelow(walk.type, path)) {
    push({ class: "review", reason: "a block unknown until apply: the review cannot tell what changes inside it", unknown: true });
  } else {
    push({ class: "review", reason: NOT_CLASSIFIED, unknown: afterUnknown });
  }
}

/** The value of a rule's `shows` sibling: after the change, else before. */
function shownValue(attribute: string, element: { readonly before?: Side; readonly after?: Side } | undefined): AttributeVerdict["shown"] {
  for (const side of [element?.after, element?.before]) {
    if (side === undefined || !isObject(side.value)) continue;
    const value = member(side.value, attribute);
    if (!isAbsent(value)) return { attribute, value, marks: child(side.marks, attribute) };
  }
  return undefined;
}

function walkBlock(
  walk: Walk,
  path: string,
  where: string,
  before: Side,
  after: Side,
  unknown: unknown,
  rule: BlockRule,
  push: (verdict: Verdict, extra?: Partial<AttributeVerdict>) => void,
): void {
  if (unknown === true) {
    const cls: AttributeClass = rule.removed.class === "safe" && rule.added.class === "safe" ? "safe" : "review";
    push({ class: cls, reason: "unknown until apply: the review cannot tell which elements are removed or added", unknown: true });
    return;
  }
  const b = elementsOf(before.value);
  const a = elementsOf(after.value);
  const keyOf = (element: unknown, index: number): string | undefined => {
    if (rule.key === undefined) return String(index);
    const key = isObject(element) ? member(element, rule.key) : undefined;
    return typeof key === "string" ? key : undefined;
  };
  const afterByKey = new Map<string, number>();
  let unmatched = false;
  a.forEach((element, i) => {
    if (rule.key !== undefined && child(child(unknown, i), rule.key) === true) unmatched = true;
    const key = keyOf(element, i);
    if (key !== undefined) afterByKey.set(key, i);
  });
  if (unmatched) {
    push({ class: "review", reason: "an element's key is unknown until apply: the review cannot tell which elements are removed", unknown: true });
    return;
  }
  const elementAt = (key: string): string => (rule.key === undefined ? `${where}[${key}]` : `${where}[${JSON.stringify(key)}]`);
  const matched = new Set<number>();
  b.forEach((element, i) => {
    const key = keyOf(element, i) ?? String(i);
    const j = afterByKey.get(key);
    if (j === undefined) {
      walk.out.push({
        ...verdictOfElement(rule.removed),
        path,
        at: elementAt(key),
        before: element,
        after: undefined,
        beforeMarks: child(before.marks, i),
        afterMarks: undefined,
        event: "removed",
        element: key,
      });
      return;
    }
    matched.add(j);
    walkObject(walk, path, elementAt(key), { value: element, marks: child(before.marks, i) }, { value: a[j], marks: child(after.marks, j) }, child(unknown, j));
  });
  a.forEach((element, j) => {
    if (matched.has(j)) return;
    const key = keyOf(element, j) ?? String(j);
    walk.out.push({
      ...verdictOfElement(rule.added),
      path,
      at: elementAt(key),
      before: undefined,
      after: element,
      beforeMarks: undefined,
      afterMarks: child(after.marks, j),
      event: "added",
      element: key,
    });
  });
}

/** An element removed or added: its block rule's class, no direction to test. */
function verdictOfElement(rule: AttributeRule): Verdict {
  return { class: rule.class, reason: rule.why, rule };
}
