/**
 * A read-only index over a stack's synthesized Terraform JSON (`stack.toTerraform()`): resources and
 * data sources by type and address, their construct paths, provider default tags, and helpers to
 * follow Terraform references such as `${aws_dynamodb_table.evaluations_table_68D57890.arn}`.
 */

/** Loosely typed Terraform JSON: rules index into it and check every value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One `resource` or `data` block of the synthesized stack. */
export interface TfBlock {
  readonly mode: "resource" | "data";
  readonly type: string;
  /** The Terraform name (cdktf's unique id), e.g. `evaluations_table_68D57890`. */
  readonly name: string;
  /** `aws_dynamodb_table.x` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** Construct path from the block's `//.metadata.path`; the address when there is none. */
  readonly path: string;
  /** The block's attributes as synthesized. */
  readonly config: Json;
}

/** A reference found in a string: `${aws_iam_role.x.arn}` → { address: "aws_iam_role.x", attribute: "arn" }. */
export interface TfReference {
  readonly address: string;
  readonly attribute: string;
}

// `${data.type.name.attr...}` or `${type.name.attr...}`; names may contain `-` (cdktf ids such as `flashcard-sets_table_29875C15`).
const REFERENCE = /(?:^|[^A-Za-z0-9_.-])((data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*))/g;

/** Every resource/data reference inside a string (inside `${...}` or a bare `jsonencode` expression). */
export function referencesIn(value: string): TfReference[] {
  if (!value.includes(".")) return [];
  const found: TfReference[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    const [, , data, type, name, attribute] = match;
    if (!data && !type.includes("_")) continue; // not a provider type (e.g. `var.x`, `local.y`)
    found.push({ address: `${data ? "data." : ""}${type}.${name}`, attribute });
  }
  return found;
}

/** The single reference a string consists of (`${aws_iam_role.x.arn}`), or undefined. */
export function wholeReference(value: unknown): TfReference | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)\}$/.exec(value);
  if (!match) return undefined;
  const [, data, type, name, attribute] = match;
  return { address: `${data ? "data." : ""}${type}.${name}`, attribute };
}

/** True when a value is (or contains) an unresolved Terraform expression. */
export function isToken(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

/** A nested block as an array: cdktf writes single blocks as objects and repeated ones as arrays. */
export function blocks(value: Json): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The first nested block, or undefined. */
export function block(value: Json): Json | undefined {
  return blocks(value)[0];
}

/** A boolean that is literally true (`true` or `"true"`). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** Shows a value in a message: strings in backticks, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing (not set)";
  return `\`${typeof value === "string" ? value : JSON.stringify(value)}\``;
}

/** The index over one synthesized stack. */
export class StackModel {
  /** Every resource and data block, in synthesized order. */
  public readonly blocks: readonly TfBlock[];
  private readonly byAddress = new Map<string, TfBlock>();
  private readonly byType = new Map<string, TfBlock[]>();
  private readonly defaultTags = new Map<string, Record<string, string>>();

  constructor(
    /** Stack name (its construct id). */
    public readonly stackName: string,
    /** The synthesized JSON. */
    public readonly json: Json,
  ) {
    const all: TfBlock[] = [];
    for (const mode of ["resource", "data"] as const) {
      for (const [type, byName] of Object.entries<Json>(json?.[mode] ?? {})) {
        for (const [name, config] of Object.entries<Json>(byName ?? {})) {
          const address = `${mode === "data" ? "data." : ""}${type}.${name}`;
          const path = typeof config?.["//"]?.metadata?.path === "string" ? config["//"].metadata.path : address;
          const tfBlock: TfBlock = { mode, type, name, address, path, config: config ?? {} };
          all.push(tfBlock);
          this.byAddress.set(address, tfBlock);
          const key = `${mode}:${type}`;
          const list = this.byType.get(key);
          if (list) list.push(tfBlock);
          else this.byType.set(key, [tfBlock]);
        }
      }
    }
    this.blocks = all;
    for (const provider of blocks(json?.provider?.aws)) {
      const tags: Record<string, string> = {};
      for (const defaults of blocks(provider?.default_tags)) Object.assign(tags, defaults?.tags ?? {});
      this.defaultTags.set(typeof provider?.alias === "string" ? `aws.${provider.alias}` : "aws", tags);
    }
  }

  /** Resources of a Terraform type. */
  resources(type: string): readonly TfBlock[] {
    return this.byType.get(`resource:${type}`) ?? [];
  }

  /** Data sources of a Terraform type. */
  dataSources(type: string): readonly TfBlock[] {
    return this.byType.get(`data:${type}`) ?? [];
  }

  /** A block by address (`aws_iam_role.x`, `data.aws_iam_policy_document.y`). */
  get(address: string): TfBlock | undefined {
    return this.byAddress.get(address);
  }

  /** The block a whole-reference string points to, when it is of the given type. */
  referenced(value: unknown, type: string, attributes?: readonly string[]): TfBlock | undefined {
    const reference = wholeReference(value);
    if (!reference || (attributes && !attributes.includes(reference.attribute))) return undefined;
    const target = this.byAddress.get(reference.address);
    return target && target.type === type ? target : undefined;
  }

  /** The `default_tags` of the AWS provider a resource uses (`provider = "aws.alias"` or the default one). */
  providerDefaultTags(resource: TfBlock): Readonly<Record<string, string>> {
    const provider = typeof resource.config.provider === "string" ? resource.config.provider : "aws";
    return this.defaultTags.get(provider) ?? {};
  }
}
