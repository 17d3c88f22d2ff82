/**
 * Settings declared once, as valibot schemas (stacks/environment-settings.ts, stacks/bootstrap-settings.ts):
 * the TypeScript type comes from the schema (`v.InferOutput`), the validation runs it, and the docs'
 * settings table is rendered from it. This module holds the pieces every settings schema uses and the
 * one function that turns valibot's issues into the project's messages:
 *
 *   `region` must be a string; got `42` (a number)
 *   `tableKmsKeyARN` is not a setting of an environment; did you mean `tableKmsKeyArn`?
 *   `logRetentionDays` must be one of 1, 3, 5, ...; got `31`
 *
 * Why valibot: the synth loads it from node_modules as it is (the app is compiled with every package
 * external), so what it costs is its load: one 210 KB CommonJS file, 13-21 ms, where zod 4 loads 95
 * files in 90-140 ms and TypeBox 0.34 124-200 files in 90-170 ms (`require()` of each package's entry,
 * 3 runs each, on a shared 2-core machine at load average 2-5, 2026-12-05). Its issues carry the path to the value as
 * data (each step's key and input), which the messages below need (the field's path, the unknown key
 * with the closest known one), and `v.InferOutput` gives the exact settings type, picklists as unions.
 *
 * A message is written with `FIELD` where the field's path goes; the path is known only once the issue
 * has bubbled up to the settings, where `checkSettings` puts it in.
 */
import * as v from "valibot";
import { describeValue, didYouMean } from "../constructs/naming-rules";

/** Stands for the field's path in a message (`\`${FIELD}\` must be ...`) until `checkSettings` knows it. */
export const FIELD = "\u0000";

/** What the messages of an object of settings say of a key it does not have. */
interface ObjectOptions {
  /** Completes "`<path>` is not a …", e.g. "setting of an environment". */
  readonly what: string;
  /**
   * A key of a map of this app's tables or functions that is none of them ("`tableNames.users` is not a
   * table of this app; the tables are ..."): reported with the values' problems, not with the wrong types.
   */
  readonly unknownKind?: { readonly is: string; readonly are: string };
  /** Why the required keys are required: "`<path>` is required: <this>". */
  readonly required?: string;
}

const objectOptions = new WeakMap<object, ObjectOptions>();

/** "`<field>` must be <what>; got <value> (its type)": the message of a value of the wrong type. */
function typeMessage(what: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `\`${FIELD}\` must be ${what}; got ${describeValue(issue.input, true)}`;
}

export const string = () => v.string(typeMessage("a string"));
export const number = () => v.number(typeMessage("a number"));
export const boolean = () => v.boolean(typeMessage("a boolean"));

/** A list whose items all follow `item`; an item of the wrong type leaves the whole list out. */
export function list<T extends v.GenericSchema>(item: T) {
  return v.array(item, typeMessage("a list"));
}

/** A map of free keys whose values all follow `value` (tags, keys per region); not a list (valibot's record takes one). */
export function map<T extends v.GenericSchema>(value: T) {
  return v.pipe(
    v.custom<Record<string, unknown>>((input) => typeof input === "object" && input !== null && !Array.isArray(input), typeMessage("an object")),
    v.record(v.string(), value),
  );
}

/** An object with these keys only; an unknown key is named with the closest known one. */
export function fields<E extends v.ObjectEntries>(entries: E, options: ObjectOptions) {
  const schema = v.strictObject(entries, typeMessage("an object"));
  objectOptions.set(schema, options);
  return schema;
}

/** One key per kind (`evaluations`, `flashcard-sets`), each following `value`. */
export function kinds<K extends string, T extends v.GenericSchema>(keys: readonly K[], value: T): { [P in K]: v.OptionalSchema<T, undefined> } {
  return Object.fromEntries(keys.map((key) => [key, v.optional(value)])) as { [P in K]: v.OptionalSchema<T, undefined> };
}

/** `false` (turned off), or an object of `schema`. */
export function falseOr<T extends v.GenericSchema>(schema: T) {
  return v.union([v.literal(false), schema], typeMessage("an object or `false`"));
}

/** One of `values`, with the rule's message ("`stage` must be one of `dev`, `staging`, `prod`; got `testing`"). */
export function oneOf<const T extends readonly string[]>(values: T, describe: string) {
  return v.pipe(string(), v.picklist(values, (issue) => `\`${FIELD}\` must be ${describe}; got ${describeValue(issue.input)}`));
}

/**
 * A rule of the value: `check(FIELD, value)` gives its problems (none: undefined or []), each starting
 * with the field as every rule of constructs/naming-rules.ts does. It runs on a value of the right type
 * only; `evenWithIssues` runs it on what is of the right type in a map whose other values are not.
 */
export function rule<T>(check: (field: string, value: T) => string | readonly (string | undefined)[] | undefined, evenWithIssues = false) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed && !(evenWithIssues && dataset.value !== null && typeof dataset.value === "object")) return;
    const found = check(FIELD, dataset.value as T);
    for (const problem of typeof found === "string" ? [found] : (found ?? [])) if (problem !== undefined) addIssue({ message: problem });
  });
}

/** What `checkSettings` found. */
export interface SettingsCheck<T> {
  /** The settings without each value of the wrong type and each unknown key: the defaults stand in for them. */
  readonly settings: T;
  /** Values of the wrong type and unknown keys, in the order they were written. */
  readonly typeProblems: readonly string[];
  /** Every rule a value of the right type breaks, in the order of the schema's fields. */
  readonly ruleProblems: readonly string[];
}

/** A path as messages write it: `functions.writing-evaluator.memoryMb`, `alarmEmails[1]`. */
function pathText(keys: readonly PropertyKey[]): string {
  return keys.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}

/** The schema at `keys` below `schema` (through optional, pipe, union, map, list), or undefined. */
function schemaAt(schema: v.GenericSchema | undefined, keys: readonly PropertyKey[]): v.GenericSchema | undefined {
  let node = schema as (v.GenericSchema & Record<string, unknown>) | undefined;
  for (let i = 0; i <= keys.length && node !== undefined; ) {
    if (node.type === "optional") node = node.wrapped as typeof node;
    else if (node.type === "union") node = (node.options as (typeof node)[]).find((option) => option.type === "strict_object");
    else if (i === keys.length) break;
    else if (node.type === "strict_object") node = (node.entries as Record<string, typeof node>)[String(keys[i++])];
    else if (node.type === "record") (node = node.value as typeof node), i++;
    else if (node.type === "array") (node = node.item as typeof node), i++;
    else return undefined;
  }
  return node;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A copy of `value` without what is at `keys` (a list is left out whole when one of its items is wrong). */
function without(value: unknown, keys: readonly PropertyKey[]): unknown {
  if (keys.length === 0) return undefined;
  const [key, ...rest] = keys;
  if (Array.isArray(value)) return undefined;
  if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, key)) return value;
  const copy: Record<string, unknown> = { ...value };
  const inner = Array.isArray(copy[key as string]) ? undefined : without(copy[key as string], rest);
  if (inner === undefined) delete copy[key as string];
  else copy[key as string] = inner;
  return copy;
}

/** The position of each step of `keys` in the settings as written: orders problems as they were written. */
function writtenOrder(input: unknown, keys: readonly PropertyKey[]): number[] {
  const order: number[] = [];
  let node = input;
  for (const key of keys) {
    order.push(Array.isArray(node) ? Number(key) : isObject(node) ? Object.keys(node).indexOf(String(key)) : 0);
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key as string] : undefined;
  }
  return order;
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Runs `schema` on settings written by hand (or in plain JavaScript) and words every issue as the
 * project does: the field's path, the value, the rule, and for an unknown key the closest known one.
 * Values of the wrong type come first, as written; then the rules, in the order of the schema's fields.
 */
export function checkSettings<S extends v.GenericSchema>(schema: S, input: unknown): SettingsCheck<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  const issues: { keys: PropertyKey[]; issue: v.BaseIssue<unknown> }[] = [];
  const collect = (issue: v.BaseIssue<unknown>, prefix: PropertyKey[]): void => {
    const keys = [...prefix, ...(issue.path ?? []).map((item) => item.key as PropertyKey)];
    // `false` or an object: an object's own problems, not "must be an object or `false`".
    if (issue.type === "union" && isObject(issue.input) && issue.issues) {
      for (const inner of issue.issues) if (inner.type !== "literal") collect(inner, keys);
    } else {
      issues.push({ keys, issue });
    }
  };
  for (const issue of result.issues ?? []) collect(issue, []);

  const typed: { keys: PropertyKey[]; message: string }[] = [];
  const rules: { keys: PropertyKey[]; message: string }[] = [];
  let settings: unknown = input;
  for (const { keys, issue } of issues) {
    const field = pathText(keys);
    const word = (message: string): string => (field === "" ? message.replace(`\`${FIELD}\``, "the settings") : message.split(FIELD).join(field));
    if (issue.type === "strict_object" && issue.expected === "never") {
      // valibot names the first unknown key of an object; every one is named here.
      const parentKeys = keys.slice(0, -1);
      const object = issue.path!.at(-1)!.input as Record<string, unknown>;
      const node = schemaAt(schema, parentKeys) as (v.GenericSchema & { entries: v.ObjectEntries }) | undefined;
      const options = node && objectOptions.get(node);
      const known = Object.keys(node?.entries ?? {});
      for (const key of Object.keys(object).filter((k) => !known.includes(k))) {
        const path = pathText([...parentKeys, key]);
        if (options?.unknownKind !== undefined) {
          const { is, are } = options.unknownKind;
          rules.push({ keys: [...parentKeys, key], message: `\`${path}\` is not ${is}; ${are} ${known.map((k) => `\`${k}\``).join(", ")}` });
        } else {
          const hint = didYouMean(key, known) ?? `the known ones are ${known.map((k) => `\`${k}\``).join(", ")}`;
          typed.push({ keys: [...parentKeys, key], message: `\`${path}\` is not a ${options?.what ?? "setting"}; ${hint}` });
        }
        settings = without(settings, [...parentKeys, key]);
      }
    } else if (issue.type === "strict_object" && issue.expected !== "Object") {
      const options = objectOptions.get(schemaAt(schema, keys.slice(0, -1)) ?? {});
      rules.push({ keys, message: `\`${field}\` is required${options?.required ? `: ${options.required}` : ""}` });
    } else if (issue.kind === "schema" && issue.type !== "picklist") {
      typed.push({ keys, message: word(issue.message) });
      settings = without(settings, keys);
    } else {
      rules.push({ keys, message: word(issue.message) });
    }
  }
  typed.sort((a, b) => compareOrder(writtenOrder(input, a.keys), writtenOrder(input, b.keys)));
  // A list with an item of the wrong type is left out: its other items' rules are not reported.
  const leftOut = typed.filter((t) => typeof t.keys.at(-1) === "number").map((t) => pathText(t.keys.slice(0, -1)));
  const reported = rules.filter((r) => !leftOut.some((list) => pathText(r.keys).startsWith(`${list}[`)));
  return {
    settings: (isObject(settings) ? settings : {}) as v.InferOutput<S>,
    typeProblems: [...new Set(typed.map((t) => t.message))],
    ruleProblems: reported.map((r) => r.message),
  };
}

/** The field a message is about (its first backquoted word up to a `.` or `[`), for ordering; "" for none. */
export function topField(message: string): string {
  return /^`([^`.[\]]+)/.exec(message)?.[1] ?? "";
}

/** Messages ordered by the position of their field in `fields` (stable; a message of no field first). */
export function inFieldOrder(messages: readonly string[], fieldOrder: readonly string[]): string[] {
  const rank = (message: string): number => fieldOrder.indexOf(topField(message));
  return messages.map((message, i) => ({ message, i })).sort((a, b) => rank(a.message) - rank(b.message) || a.i - b.i).map((m) => m.message);
}
