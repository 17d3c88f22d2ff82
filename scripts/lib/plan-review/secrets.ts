/**
 * Copies of sensitive values. Terraform marks a value sensitive where the configuration makes it so,
 * but a provider copies values into attributes it computes, unmarked: a sensitive tag value is also in
 * `tags_all`, a sensitive name also in `id` and inside `arn`, and a configuration can put one into a
 * `for_each` key, a map key or a name. The review therefore takes every string the plan marks
 * sensitive (anywhere in any plan it reads) and (1) marks, in every change, each value equal to one of
 * them or containing one of at least `MIN_CONTAINED_SECRET` characters, and (2) redacts every text it
 * prints that comes from the plan (addresses and their keys, attribute paths and map keys, names,
 * `action_reason`, error messages) the same way.
 */
import type { PlanResourceChange } from "./parse";
import { child, isObject, SENSITIVE, setMember } from "./values";

/**
 * Shortest secret also looked for inside longer strings (an ARN holding a sensitive name). Shorter
 * ones are matched only as whole values: a sensitive `"S"` must not mask every text with an S in it.
 */
export const MIN_CONTAINED_SECRET = 6;

/** `single[state]` of a state without children. */
const NO_CHILD = -1;
/** `single[state]` of a state with two or more children: they are in `branches`. */
const BRANCHING = -2;

/**
 * Where a text contains any of a set of strings, in time linear in the text whatever the number of
 * strings (an Aho-Corasick automaton over UTF-16 code units, so a secret matches exactly, code unit
 * for code unit, however long). Memory is bounded by typed arrays of one entry per character of the
 * strings (about 19 bytes per character): most states of a long secret have one child, kept in
 * `single`; only states with several children have a map.
 */
export class SubstringMatcher {
  /** The code unit on the edge into each state. */
  private readonly unit: Uint16Array;
  /** The only child of a state, or `NO_CHILD` / `BRANCHING`. */
  private readonly single: Int32Array;
  private readonly branches = new Map<number, Map<number, number>>();
  /** The longest proper suffix of each state that is also a state. */
  private readonly fail: Int32Array;
  /** The deepest state ending a string among the state and its suffixes (-1: none). */
  private readonly output: Int32Array;
  /** Length of the text each state stands for. */
  private readonly depth: Int32Array;
  private states = 1;

  constructor(patterns: Iterable<string>) {
    const list = [...patterns].filter((p) => p !== "");
    const capacity = list.reduce((sum, p) => sum + p.length, 1);
    this.unit = new Uint16Array(capacity);
    this.single = new Int32Array(capacity).fill(NO_CHILD);
    this.fail = new Int32Array(capacity);
    this.output = new Int32Array(capacity).fill(-1);
    this.depth = new Int32Array(capacity);
    for (const pattern of list) {
      let state = 0;
      for (let i = 0; i < pattern.length; i++) {
        const code = pattern.charCodeAt(i);
        let next = this.child(state, code);
        if (next < 0) {
          next = this.states++;
          this.unit[next] = code;
          this.depth[next] = this.depth[state] + 1;
          this.addChild(state, code, next);
        }
        state = next;
      }
      this.output[state] = state;
    }
    // Failure links, breadth first; each state's output is itself or its failure state's output.
    const queue = new Int32Array(this.states);
    let tail = 0;
    this.forEachChild(0, (to) => (queue[tail++] = to));
    for (let head = 0; head < tail; head++) {
      const state = queue[head];
      this.forEachChild(state, (to) => {
        const code = this.unit[to];
        let fallback = this.fail[state];
        let target = this.child(fallback, code);
        while (target < 0 && fallback !== 0) {
          fallback = this.fail[fallback];
          target = this.child(fallback, code);
        }
        this.fail[to] = target < 0 ? 0 : target;
        if (this.output[to] < 0) this.output[to] = this.output[this.fail[to]];
        queue[tail++] = to;
      });
    }
  }

  private child(state: number, code: number): number {
    const only = this.single[state];
    if (only >= 0) return this.unit[only] === code ? only : -1;
    if (only === NO_CHILD) return -1;
    return this.branches.get(state)!.get(code) ?? -1;
  }

  private addChild(state: number, code: number, to: number): void {
    const only = this.single[state];
    if (only === NO_CHILD) {
      this.single[state] = to;
    } else if (only >= 0) {
      this.branches.set(state, new Map([[this.unit[only], only], [code, to]]));
      this.single[state] = BRANCHING;
    } else {
      this.branches.get(state)!.set(code, to);
    }
  }

  private forEachChild(state: number, visit: (to: number) => void): void {
    const only = this.single[state];
    if (only >= 0) visit(only);
    else if (only === BRANCHING) for (const to of this.branches.get(state)!.values()) visit(to);
  }

  /** The state after reading `code` in `state`. */
  private step(state: number, code: number): number {
    let current = state;
    for (;;) {
      const next = this.child(current, code);
      if (next >= 0) return next;
      if (current === 0) return 0;
      current = this.fail[current];
    }
  }

  /** `true` when `text` contains one of the strings. */
  matches(text: string): boolean {
    if (this.states === 1) return false;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = this.step(state, text.charCodeAt(i));
      if (this.output[state] >= 0) return true;
    }
    return false;
  }

  /** The parts of `text` covered by one of the strings, as `[start, end)` pairs, sorted and merged. */
  ranges(text: string): [number, number][] {
    const out: [number, number][] = [];
    if (this.states === 1) return out;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      state = this.step(state, text.charCodeAt(i));
      const found = this.output[state];
      if (found < 0) continue;
      // The longest string ending here covers every shorter one ending here (they are its suffixes).
      const start = i + 1 - this.depth[found];
      const last = out[out.length - 1];
      if (last !== undefined && start <= last[1]) last[1] = i + 1;
      else out.push([start, i + 1]);
    }
    return out;
  }
}

/** Every string inside `value` where `marks` marks it sensitive. */
function collect(value: unknown, marks: unknown, into: Set<string>): void {
  if (marks === true) {
    const pending = [value];
    while (pending.length > 0) {
      const current = pending.pop();
      if (typeof current === "string") into.add(current);
      else if (typeof current === "object" && current !== null) for (const inner of Object.values(current)) pending.push(inner);
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => collect(v, child(marks, i), into));
  else if (isObject(value)) for (const key of Object.keys(value)) collect(value[key], child(marks, key), into);
}

/** One sensitivity source: a value and the marks that say which parts of it are sensitive. */
export interface MarkedValue {
  readonly value: unknown;
  readonly marks: unknown;
}

/** The marked values of a change: `before` with `before_sensitive`, `after` with `after_sensitive`. */
export function markedValuesOf(change: PlanResourceChange["change"]): MarkedValue[] {
  return [
    { value: change.before, marks: change.before_sensitive },
    { value: change.after, marks: change.after_sensitive },
  ];
}

/** The sensitive strings of some plans, the marking of their copies and the redaction of printed text. */
export class Secrets {
  private readonly exact: Set<string>;
  private readonly contained: SubstringMatcher;

  /** Collects every string that a change's `before_sensitive` / `after_sensitive` marks. */
  constructor(changes: Iterable<PlanResourceChange>) {
    this.exact = new Set();
    for (const { change } of changes) for (const { value, marks } of markedValuesOf(change)) collect(value, marks, this.exact);
    this.exact.delete("");
    this.contained = new SubstringMatcher([...this.exact].filter((s) => s.length >= MIN_CONTAINED_SECRET));
  }

  /** Secrets from values and marks read leniently (for the message of a plan that failed its checks). */
  static fromMarkedValues(values: Iterable<MarkedValue>): Secrets {
    const changes: PlanResourceChange[] = [];
    for (const { value, marks } of values) {
      changes.push({ address: "", type: "", change: { actions: [], before: value, before_sensitive: marks } });
    }
    return new Secrets(changes);
  }

  /** No secret at all: redaction and marking change nothing. */
  get empty(): boolean {
    return this.exact.size === 0;
  }

  /** `true` when the text is a secret or contains one of `MIN_CONTAINED_SECRET` characters or more. */
  isSecret(text: string): boolean {
    return this.exact.has(text) || this.contained.matches(text);
  }

  /**
   * A text to print, with every secret in it replaced by `(sensitive)`: the whole text when it equals
   * a secret, else each part that is a secret of `MIN_CONTAINED_SECRET` characters or more.
   */
  redact(text: string): string {
    if (this.exact.size === 0) return text;
    if (this.exact.has(text)) return SENSITIVE;
    const ranges = this.contained.ranges(text);
    if (ranges.length === 0) return text;
    let out = "";
    let at = 0;
    for (const [start, end] of ranges) {
      out += text.slice(at, start) + SENSITIVE;
      at = end;
    }
    return out + text.slice(at);
  }

  /**
   * A resource address to print: each instance key (`["key"]`) that is a secret, however short, and
   * every secret of `MIN_CONTAINED_SECRET` characters or more anywhere in it, replaced by `(sensitive)`.
   */
  redactAddress(address: string): string {
    if (this.exact.size === 0) return address;
    const keys = address.replace(/\["((?:[^"\\]|\\.)*)"\]/g, (whole, inner: string) => {
      let key: string;
      try {
        key = JSON.parse(`"${inner}"`) as string;
      } catch {
        key = inner;
      }
      return this.exact.has(key) || this.exact.has(inner) ? `[${SENSITIVE}]` : whole;
    });
    return this.redact(keys);
  }

  /** The change with every copy of a secret in `before` / `after` marked sensitive too. */
  markCopies(rc: PlanResourceChange): PlanResourceChange {
    if (this.exact.size === 0) return rc;
    const { change } = rc;
    const beforeSensitive = this.mark(change.before, change.before_sensitive);
    const afterSensitive = this.mark(change.after, change.after_sensitive);
    if (beforeSensitive === change.before_sensitive && afterSensitive === change.after_sensitive) return rc;
    return { ...rc, change: { ...change, before_sensitive: beforeSensitive, after_sensitive: afterSensitive } };
  }

  /** `marks`, with a `true` added for each secret string in `value` (the same object when none is added). */
  private mark(value: unknown, marks: unknown): unknown {
    if (marks === true) return true;
    if (typeof value === "string") return this.isSecret(value) ? true : marks;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((v, i) => {
        const before = child(marks, i);
        const after = this.mark(v, before);
        if (after === before) return;
        out ??= Array.isArray(marks) ? [...marks] : [];
        out[i] = after;
      });
      return out ?? marks;
    }
    if (isObject(value)) {
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(value)) {
        const before = child(marks, key);
        const after = this.mark(value[key], before);
        if (after === before) continue;
        out ??= isObject(marks) ? { ...marks } : {};
        setMember(out, key, after);
      }
      return out ?? marks;
    }
    return marks;
  }
}
