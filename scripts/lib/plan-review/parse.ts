/**
 * Reading `terraform show -json <planfile>` output. Pure: takes the text, returns a typed plan or
 * throws a `PlanInputError` that names the file, the field and what is wrong with it. Everything the
 * analysis reads is checked here, so no plan, however odd, can make the analysis throw.
 */
import { MarkedValue, Secrets } from "./secrets";
import { child, isObject, setMember } from "./values";

/** One entry of `resource_changes` (the fields the review reads). */
export interface PlanResourceChange {
  readonly address: string;
  readonly type: string;
  readonly name?: string;
  readonly mode?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    /** Attribute paths that force a replacement, e.g. `[["range_key"]]`. */
    readonly replace_paths?: readonly (readonly (string | number)[])[];
    /** Present when the resource is imported by this plan (Terraform >= 1.5 `import` blocks). */
    readonly importing?: { readonly id?: string; readonly identity?: unknown } | null;
  };
}

/** A parsed plan of one stack. */
export interface StackPlan {
  /** Stack name (from `--stack name=file` or the file name). */
  readonly stack: string;
  /** Where the plan came from (for messages). */
  readonly file: string;
  readonly formatVersion: string;
  readonly terraformVersion?: string;
  /**
   * The plan's `resource_changes`, checked; `before_sensitive` / `after_sensitive` also hold the
   * marks of the prior state's and the planned values' `sensitive_values` for the same address.
   */
  readonly resourceChanges: readonly PlanResourceChange[];
  /**
   * The plan's `resource_drift`, checked like `resourceChanges`: what changed outside Terraform since
   * the last apply (`before` is the state Terraform kept, `after` what AWS holds now; `delete` when the
   * object is gone). Its `after_sensitive` also holds the marks of `prior_state` (the refreshed state).
   */
  readonly resourceDrift: readonly PlanResourceChange[];
  /**
   * A `terraform plan -refresh-only`: no `resource_changes` (terraform leaves the key out) but drift or
   * resources refreshed, so nothing says what an apply of the configuration would do.
   */
  readonly refreshOnly: boolean;
}

/** The input is not a Terraform plan JSON (or cannot be read). The CLI exits 2 with its message. */
export class PlanInputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = "PlanInputError";
  }
}

/** How a change is reviewed: terraform's action list folded into one action. */
export type Action = "create" | "update" | "replace" | "delete" | "read" | "forget" | "no-op";

/**
 * Every action list terraform 1.11 writes in `change.actions`, and how the review reads it. The list
 * is terraform's own `actionString` (internal/command/jsonplan/plan.go, v1.11.4), which turns each
 * `plans.Action` into JSON: NoOp, Create, Read, Update, DeleteThenCreate, CreateThenDelete, Delete,
 * Forget (a `removed` block with `destroy = false`) and CreateThenForget (a replacement whose old
 * object is left in place, no longer managed). `plans.Action.IsReplace` counts the last three pairs
 * as replacements, and so does the review.
 */
export const ACTION_LISTS: Readonly<Record<string, Action>> = {
  "no-op": "no-op",
  create: "create",
  read: "read",
  update: "update",
  "delete,create": "replace",
  "create,delete": "replace",
  delete: "delete",
  forget: "forget",
  "create,forget": "replace",
};

/** The review's action of a terraform action list; `undefined` for a list terraform 1.11 never writes. */
export function actionOf(actions: readonly string[]): Action | undefined {
  const key = actions.join(",");
  return Object.prototype.hasOwnProperty.call(ACTION_LISTS, key) ? ACTION_LISTS[key] : undefined;
}

/**
 * Deepest nesting accepted in a change's values. The AWS provider's deepest schemas (WAF rule
 * statements) nest a few dozen levels; the limit keeps the recursive diff far from the call stack's.
 */
export const MAX_DEPTH = 256;

const HOW = "pass the output of `terraform show -json <planfile>`";

/**
 * JSON.parse's message without the piece of the input V8 quotes in some messages (`Unexpected token
 * 'x', ..."piece"... is not valid JSON`): a plan's text can hold secrets.
 */
function jsonError(message: string): string {
  return /is not valid JSON$/.test(message) ? "unexpected token" : message;
}

/** A short description of a JSON value for a message: never more than 40 characters of it. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** The nesting depth of a JSON value, without recursion (so a hostile depth cannot overflow it). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== "object" || current === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    for (const inner of Object.values(current)) stack.push([inner, depth + 1]);
  }
  return deepest;
}

/**
 * The union of two sensitivity mark trees (`true` marks a sensitive value, objects and lists hold the
 * marks of their members): a value is masked when either tree marks it.
 */
export function unionMarks(a: unknown, b: unknown): unknown {
  if (a === true || b === true) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => unionMarks(a[i], b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const key of Object.keys(b)) setMember(out, key, unionMarks(child(a, key), b[key]));
    return out;
  }
  const aMarks = Array.isArray(a) || isObject(a);
  const bMarks = Array.isArray(b) || isObject(b);
  // A list against an object (not something terraform writes): one value, marked wholly, is safer than a guess.
  if (aMarks && bMarks) return true;
  return aMarks ? a : b;
}

/** `sensitive_values` of every resource of a `planned_values` / `prior_state.values` module tree, by address. */
function sensitiveValuesByAddress(rootModule: unknown, everyResource = false): Map<string, unknown> {
  const byAddress = new Map<string, unknown>();
  const modules: unknown[] = [rootModule];
  while (modules.length > 0) {
    const module = modules.pop();
    if (!isObject(module)) continue;
    if (Array.isArray(module.resources)) {
      for (const resource of module.resources) {
        if (isObject(resource) && typeof resource.address === "string" && (everyResource || resource.sensitive_values !== undefined)) {
          byAddress.set(resource.address, resource.sensitive_values);
        }
      }
    }
    if (Array.isArray(module.child_modules)) for (const inner of module.child_modules) modules.push(inner);
  }
  return byAddress;
}

/** Checks one `resource_changes` entry; returns it with the extra sensitivity marks merged in. */
function checkedChange(
  entry: unknown,
  index: number,
  file: string,
  planned: Map<string, unknown>,
  prior: Map<string, unknown>,
  list: "resource_changes" | "resource_drift" = "resource_changes",
): PlanResourceChange {
  const where = `\`${list}[${index}]\``;
  if (!isObject(entry) || typeof entry.address !== "string" || typeof entry.type !== "string") {
    throw new PlanInputError(file, `${where} has no \`address\`/\`type\` string`);
  }
  const at = `${where} (${entry.address})`;
  for (const key of ["mode", "name", "action_reason"]) {
    if (entry[key] !== undefined && entry[key] !== null && typeof entry[key] !== "string") {
      throw new PlanInputError(file, `${at} has a \`${key}\` that is ${typeName(entry[key])}, not a string`);
    }
  }
  const change = entry.change;
  if (!isObject(change) || !Array.isArray(change.actions) || !change.actions.every((a) => typeof a === "string")) {
    throw new PlanInputError(file, `${at} has no \`change.actions\` list`);
  }
  if (actionOf(change.actions) === undefined) {
    const known = Object.keys(ACTION_LISTS).map((k) => JSON.stringify(k.split(","))).join(", ");
    throw new PlanInputError(
      file,
      `${at} has \`change.actions\` ${preview(change.actions)}, which terraform 1.11 does not write (known: ${known})`,
    );
  }
  // First, so that nothing below recurses into a hostile depth.
  const address = entry.address;
  const nested: [string, unknown][] = [
    ...["before", "after", "after_unknown", "before_sensitive", "after_sensitive", "replace_paths"].map((key): [string, unknown] => [`\`change.${key}\``, change[key]]),
    ["`sensitive_values` in `prior_state`", prior.get(address)],
    ["`sensitive_values` in `planned_values`", planned.get(address)],
  ];
  for (const [field, value] of nested) {
    if (depthOf(value) > MAX_DEPTH) throw new PlanInputError(file, `${at} has a ${field} nested deeper than ${MAX_DEPTH} levels`);
  }
  for (const key of ["before", "after"]) {
    if (change[key] !== undefined && change[key] !== null && !isObject(change[key])) {
      throw new PlanInputError(file, `${at} has a \`change.${key}\` that is ${typeName(change[key])}, not an object or null`);
    }
  }
  if (change.importing !== undefined && change.importing !== null && !isObject(change.importing)) {
    throw new PlanInputError(file, `${at} has a \`change.importing\` that is ${typeName(change.importing)}, not an object or null`);
  }
  const paths = change.replace_paths;
  if (paths !== undefined && paths !== null) {
    if (!Array.isArray(paths)) {
      throw new PlanInputError(file, `${at} has a \`change.replace_paths\` that is ${typeName(paths)}, not a list of paths`);
    }
    paths.forEach((path, i) => {
      if (!Array.isArray(path) || !path.every((step) => typeof step === "string" || typeof step === "number")) {
        throw new PlanInputError(
          file,
          `${at} has a \`change.replace_paths[${i}]\` that is ${preview(path)}, not a list of attribute names and indexes such as ["range_key"]`,
        );
      }
    });
  }
  return {
    ...(entry as unknown as PlanResourceChange),
    change: {
      ...(change as unknown as PlanResourceChange["change"]),
      replace_paths: paths ?? undefined,
      before_sensitive: unionMarks(change.before_sensitive, prior.get(address)),
      after_sensitive: unionMarks(change.after_sensitive, planned.get(address)),
    },
  };
}

/**
 * Parses the text of `terraform show -json <planfile>`. Rejects invalid JSON, state files
 * (`terraform.tfstate`), `terraform show -json` without a plan file (a state), objects without
 * `format_version` or `resource_changes`, and entries the review cannot read (naming the entry and
 * the field).
 *
 * A plan of a configuration with no resources at all has no `resource_changes` key (Terraform omits
 * the empty list); it is accepted when `planned_values` is present, as a plan with no changes.
 */
export function parsePlan(text: string, file: string, stack: string): StackPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanInputError(file, `is not valid JSON (${jsonError((error as Error).message)}); ${HOW}`);
  }
  if (!isObject(data)) {
    throw new PlanInputError(file, `is JSON but not an object (got ${Array.isArray(data) ? "an array" : typeof data}); ${HOW}`);
  }
  if ("lineage" in data && "serial" in data && "resources" in data) {
    throw new PlanInputError(
      file,
      `is a Terraform state file (it has \`version\`, \`serial\`, \`lineage\`, \`resources\`), not a plan; ${HOW}`,
    );
  }
  if (!("planned_values" in data) && !("resource_changes" in data) && "values" in data) {
    throw new PlanInputError(
      file,
      `is \`terraform show -json\` of a state (it has \`values\` but no \`planned_values\`/\`resource_changes\`), not of a plan; ${HOW}`,
    );
  }
  if (typeof data.format_version !== "string") {
    throw new PlanInputError(file, `has no \`format_version\` string, so it is not Terraform JSON output; ${HOW}`);
  }
  const major = /^(\d+)\.\d+$/.exec(data.format_version)?.[1];
  if (major !== SUPPORTED_FORMAT_MAJOR) {
    throw new PlanInputError(
      file,
      `has \`format_version\` ${preview(data.format_version)}; this review reads format ${SUPPORTED_FORMAT_MAJOR}.x (terraform 1.x writes 1.2), and another major version may mean other things by the same fields`,
    );
  }
  if (data.errored === true) {
    throw new PlanInputError(file, "is a plan that errored (`errored: true`): fix the plan errors first");
  }
  let changes: unknown = data.resource_changes;
  if (changes === undefined) {
    if (!("planned_values" in data)) {
      throw new PlanInputError(file, `has no \`resource_changes\` (and no \`planned_values\`), so it is not a plan; ${HOW}`);
    }
    changes = [];
  }
  if (!Array.isArray(changes)) {
    throw new PlanInputError(file, "has a `resource_changes` that is not a list");
  }
  const drift: unknown = data.resource_drift ?? [];
  if (!Array.isArray(drift)) {
    throw new PlanInputError(file, "has a `resource_drift` that is not a list");
  }
  const planned = sensitiveValuesByAddress(isObject(data.planned_values) ? data.planned_values.root_module : undefined);
  const priorValues = isObject(data.prior_state) ? data.prior_state.values : undefined;
  const prior = sensitiveValuesByAddress(isObject(priorValues) ? priorValues.root_module : undefined);
  let resourceChanges: PlanResourceChange[];
  let resourceDrift: PlanResourceChange[];
  try {
    resourceChanges = changes.map((entry, index) => checkedChange(entry, index, file, planned, prior));
    // Drift: `after` is the refreshed state (prior_state), `before` the state as last written.
    resourceDrift = drift.map((entry, index) => checkedChange(entry, index, file, prior, prior, "resource_drift"));
  } catch (error) {
    if (!(error instanceof PlanInputError)) throw error;
    // The message quotes an address or a value of the plan: redact the plan's secrets in it first.
    const secrets = Secrets.fromMarkedValues(markedValues([...changes, ...drift], data));
    throw new PlanInputError(file, secrets.redactAddress(error.problem));
  }
  return {
    stack,
    file,
    formatVersion: data.format_version,
    terraformVersion: typeof data.terraform_version === "string" ? data.terraform_version : undefined,
    resourceChanges,
    resourceDrift,
    // Terraform writes no plan mode: a normal plan lists every resource of the state or the
    // configuration in `resource_changes` (no-op ones too); a refresh-only plan leaves the key out
    // while it has drift or a state with resources to refresh.
    refreshOnly: data.resource_changes === undefined && ("resource_drift" in data || hasResources(priorValues)),
  };
}

/** Whether a `prior_state.values` holds any resource, in its root module or a child module. */
function hasResources(values: unknown): boolean {
  return sensitiveValuesByAddress(isObject(values) ? values.root_module : undefined, true).size > 0;
}

/** The major `format_version` this review reads. */
export const SUPPORTED_FORMAT_MAJOR = "1";

/**
 * Every value and its sensitivity marks that can be read from a plan that failed its checks: the
 * changes' `before`/`after` and the `values` of `planned_values` and `prior_state`, each left out when
 * nested deeper than `MAX_DEPTH` (the marks are read by recursion).
 */
function markedValues(changes: readonly unknown[], data: Record<string, unknown>): MarkedValue[] {
  const out: MarkedValue[] = [];
  const add = (value: unknown, marks: unknown): void => {
    if (depthOf(value) <= MAX_DEPTH && depthOf(marks) <= MAX_DEPTH) out.push({ value, marks });
  };
  for (const entry of changes) {
    const change = isObject(entry) ? entry.change : undefined;
    if (!isObject(change)) continue;
    add(change.before, change.before_sensitive);
    add(change.after, change.after_sensitive);
  }
  const priorValues = isObject(data.prior_state) ? data.prior_state.values : undefined;
  for (const root of [isObject(data.planned_values) ? data.planned_values.root_module : undefined, isObject(priorValues) ? priorValues.root_module : undefined]) {
    const modules: unknown[] = [root];
    while (modules.length > 0) {
      const module = modules.pop();
      if (!isObject(module)) continue;
      if (Array.isArray(module.resources)) for (const r of module.resources) if (isObject(r)) add(r.values, r.sensitive_values);
      if (Array.isArray(module.child_modules)) modules.push(...module.child_modules);
    }
  }
  return out;
}

/**
 * The stack name of a plan file: its base name without `.json`, then without `.plan`/`.tfplan`
 * (`plans/bandup-dev.json`, `bandup-dev.plan.json` and `bandup-dev.tfplan.json` all give `bandup-dev`).
 */
export function stackNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.json$/i, "").replace(/\.(?:tf)?plan$/i, "");
}
