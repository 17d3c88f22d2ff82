/**
 * Reading `terraform show -json <planfile>` output. Pure: takes the text, returns a typed plan or
 * throws a `PlanInputError` that names the file and what is wrong with it.
 */

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
  readonly resourceChanges: readonly PlanResourceChange[];
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

const HOW = "pass the output of `terraform show -json <planfile>`";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses the text of `terraform show -json <planfile>`. Rejects invalid JSON, state files
 * (`terraform.tfstate`), `terraform show -json` without a plan file (a state), and objects without
 * `format_version` or `resource_changes`.
 *
 * A plan of a configuration with no resources at all has no `resource_changes` key (Terraform omits
 * the empty list); it is accepted when `planned_values` is present, as a plan with no changes.
 */
export function parsePlan(text: string, file: string, stack: string): StackPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanInputError(file, `is not valid JSON (${(error as Error).message}); ${HOW}`);
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
  changes.forEach((entry, index) => {
    const where = `\`resource_changes[${index}]\``;
    if (!isObject(entry) || typeof entry.address !== "string" || typeof entry.type !== "string") {
      throw new PlanInputError(file, `${where} has no \`address\`/\`type\` string`);
    }
    const change = entry.change;
    if (!isObject(change) || !Array.isArray(change.actions) || !change.actions.every((a) => typeof a === "string")) {
      throw new PlanInputError(file, `${where} (${entry.address}) has no \`change.actions\` list`);
    }
  });
  return {
    stack,
    file,
    formatVersion: data.format_version,
    terraformVersion: typeof data.terraform_version === "string" ? data.terraform_version : undefined,
    resourceChanges: changes as PlanResourceChange[],
  };
}

/**
 * The stack name of a plan file: its base name without `.json`, then without `.plan`/`.tfplan`
 * (`plans/bandup-dev.json`, `bandup-dev.plan.json` and `bandup-dev.tfplan.json` all give `bandup-dev`).
 */
export function stackNameFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.json$/i, "").replace(/\.(?:tf)?plan$/i, "");
}
