/**
 * Copies of sensitive values. Terraform marks a value sensitive where the configuration makes it so,
 * but a provider copies values into attributes it computes, unmarked: a sensitive tag value is also in
 * `tags_all`, a sensitive name also in `id` and inside `arn`. The review therefore takes every string
 * the plan marks sensitive (anywhere in any plan it reads) and marks, in every change, each string
 * equal to one of them, or containing one of at least `MIN_CONTAINED_SECRET` characters.
 */
import { PlanResourceChange } from "./parse";
import { child, isObject, setMember } from "./values";

/**
 * Shortest secret also looked for inside longer strings (an ARN holding a sensitive name). Shorter
 * ones are matched only as whole values: a sensitive `"S"` must not mask every text with an S in it.
 */
export const MIN_CONTAINED_SECRET = 6;

/**
 * Whether a text contains any of a set of strings, in time linear in the text whatever the number of
 * strings (an Aho-Corasick automaton): a plan can mark thousands of values sensitive.
 */
export class SubstringMatcher {
  private readonly next: Map<string, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  private readonly terminal: boolean[] = [false];

  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      if (pattern === "") continue;
      let state = 0;
      for (const char of pattern) {
        let to = this.next[state].get(char);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.terminal.push(false);
          this.next[state].set(char, to);
        }
        state = to;
      }
      this.terminal[state] = true;
    }
    // Failure links, breadth first: the longest proper suffix of each state that is also a state.
    const queue = [...this.next[0].values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head];
      for (const [char, to] of this.next[state]) {
        let fallback = this.fail[state];
        while (fallback !== 0 && !this.next[fallback].has(char)) fallback = this.fail[fallback];
        this.fail[to] = this.next[fallback].get(char) ?? 0;
        this.terminal[to] ||= this.terminal[this.fail[to]];
        queue.push(to);
      }
    }
  }

  /** `true` when `text` contains one of the strings. */
  matches(text: string): boolean {
    let state = 0;
    for (const char of text) {
      while (state !== 0 && !this.next[state].has(char)) state = this.fail[state];
      state = this.next[state].get(char) ?? 0;
      if (this.terminal[state]) return true;
    }
    return false;
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

/** The sensitive strings of some plans, and the marking of their copies. */
export class Secrets {
  private readonly exact: Set<string>;
  private readonly contained: SubstringMatcher;

  /** Collects every string that a change's `before_sensitive` / `after_sensitive` marks. */
  constructor(changes: Iterable<PlanResourceChange>) {
    this.exact = new Set();
    for (const { change } of changes) {
      collect(change.before, change.before_sensitive, this.exact);
      collect(change.after, change.after_sensitive, this.exact);
    }
    this.exact.delete("");
    this.contained = new SubstringMatcher([...this.exact].filter((s) => s.length >= MIN_CONTAINED_SECRET));
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
    if (typeof value === "string") return this.exact.has(value) || this.contained.matches(value) ? true : marks;
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
