/**
 * The move from CDK for Terraform (cdktf) to CDK Terrain (cdktn), written as code so that it can be
 * checked rather than hoped for: the package.json of each step, the import rewrite, the few edits a
 * person would make by hand (each named, each failing loudly when it no longer finds what it edits),
 * and the comparison of the synthesized JSON with today's. Pure functions over objects and text;
 * scripts/check-cdktn.ts applies them to a copy of the project and runs the checks there.
 */
import { AWS_PROVIDER_VERSION } from "./terraform-offline";

/** The hashicorp/aws version the project pins today (with @cdktf/provider-aws), and the mirror holds. */
export const AWS_PROVIDER_VERSION_TODAY = AWS_PROVIDER_VERSION;

/** CDK Terrain's core library and CLI. */
export const CDKTN_VERSION = "0.24.0";
/** CDK Terrain's prebuilt bindings of hashicorp/aws. */
export const CDKTN_PROVIDER_AWS_VERSION = "25.7.0";
/** The hashicorp/aws version those bindings pin (their package.json, `cdktf.provider.version`). */
export const CDKTN_AWS_PROVIDER_VERSION = "6.66.0";
/** `constructs` inside the range cdktn asks for (`CDKTN_CONSTRUCTS_RANGE`). */
export const CONSTRUCTS_VERSION = "10.7.2";
/** The `constructs` range cdktn 0.24.0 declares as its peer dependency. */
export const CDKTN_CONSTRUCTS_RANGE = ">=10.6.0 <10.8.0";
/** The Node.js versions cdktn-cli 0.24.0 declares (`engines.node`). */
export const CDKTN_CLI_NODE_RANGE = ">=22.19.0";
/** Step 1 installs CDK Terrain's core under the name `cdktf`, so the cdktf bindings keep working. */
export const CDKTN_AS_CDKTF = `npm:cdktn@${CDKTN_VERSION}`;

/** The fields of package.json the steps read and write. */
export interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  engines?: Record<string, string>;
  [field: string]: unknown;
}

/** One change to package.json, for the report: `dependencies.cdktf 0.21.0 → npm:cdktn@0.24.0`. */
export interface PackageChange {
  readonly field: string;
  /** Absent when the field is added. */
  readonly before?: string;
  /** Absent when the field is removed. */
  readonly after?: string;
}

export interface RewrittenPackage {
  readonly packageJson: PackageJson;
  readonly changes: readonly PackageChange[];
}

type DependencySection = "dependencies" | "devDependencies";

function sectionOf(pkg: PackageJson, name: string): DependencySection | undefined {
  if (pkg.dependencies?.[name] !== undefined) return "dependencies";
  if (pkg.devDependencies?.[name] !== undefined) return "devDependencies";
  return undefined;
}

function required(pkg: PackageJson, name: string): DependencySection {
  const section = sectionOf(pkg, name);
  if (!section) {
    throw new Error(`package.json has no dependency \`${name}\`; the move to CDK Terrain starts from a cdktf project (cdktf and @cdktf/provider-aws)`);
  }
  return section;
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A deep copy that records each change it makes to the dependencies. */
class PackageEditor {
  readonly pkg: PackageJson;
  readonly changes: PackageChange[] = [];

  constructor(original: PackageJson) {
    this.pkg = JSON.parse(JSON.stringify(original));
  }

  set(section: DependencySection, name: string, version: string): void {
    const before = this.pkg[section]?.[name];
    if (before === version) return;
    this.pkg[section] = sorted({ ...this.pkg[section], [name]: version });
    this.changes.push({ field: `${section}.${name}`, before, after: version });
  }

  remove(section: DependencySection, name: string): void {
    const dependencies = { ...this.pkg[section] };
    const before = dependencies[name];
    delete dependencies[name];
    this.pkg[section] = dependencies;
    this.changes.push({ field: `${section}.${name}`, before });
  }

  /** Replaces package `from` by `to` in the section that holds `from`. */
  rename(from: string, to: string, version: string, section: DependencySection): void {
    this.remove(section, from);
    this.set(section, to, version);
  }

  result(): RewrittenPackage {
    return { packageJson: this.pkg, changes: this.changes };
  }
}

/**
 * Step 1, core only: CDK Terrain's core installed under the name `cdktf` (the cdktf bindings and the
 * project's imports keep working unchanged), `constructs` inside cdktn's range, everything else as is.
 * The override makes every `cdktf` in the tree (the bindings' peer dependency, cdktf-cli's own) the
 * same cdktn: without it npm stops with ERESOLVE, as the bindings ask for cdktf ^0.21.0.
 */
export function step1PackageJson(original: PackageJson): RewrittenPackage {
  const editor = new PackageEditor(original);
  editor.set(required(original, "cdktf"), "cdktf", CDKTN_AS_CDKTF);
  required(original, "@cdktf/provider-aws");
  editor.set(required(original, "constructs"), "constructs", CONSTRUCTS_VERSION);
  const overrides = { ...(editor.pkg.overrides ?? {}) };
  if (overrides.cdktf !== CDKTN_AS_CDKTF) {
    editor.changes.push({ field: "overrides.cdktf", before: overrides.cdktf as string | undefined, after: CDKTN_AS_CDKTF });
    overrides.cdktf = CDKTN_AS_CDKTF;
  }
  editor.pkg.overrides = overrides;
  return editor.result();
}

/** Step 1 without its override: what npm refuses with ERESOLVE (the check proves it). */
export function step1WithoutOverride(original: PackageJson): PackageJson {
  const { packageJson } = step1PackageJson(original);
  const withoutCdktf = { ...packageJson.overrides };
  delete withoutCdktf.cdktf;
  const result: PackageJson = { ...packageJson, overrides: withoutCdktf };
  if (Object.keys(withoutCdktf).length === 0) delete result.overrides;
  return result;
}

/** Packages of cdktf and their CDK Terrain counterparts; the first two must be there. */
const PACKAGE_RENAMES: readonly { from: string; to: string; version: string; required: boolean }[] = [
  { from: "cdktf", to: "cdktn", version: CDKTN_VERSION, required: true },
  { from: "@cdktf/provider-aws", to: "@cdktn/provider-aws", version: CDKTN_PROVIDER_AWS_VERSION, required: true },
  { from: "cdktf-cli", to: "cdktn-cli", version: CDKTN_VERSION, required: false },
  { from: "@cdktf/hcl2json", to: "@cdktn/hcl2json", version: CDKTN_VERSION, required: false },
];

/**
 * Step 2, the provider too: cdktn, @cdktn/provider-aws (hashicorp/aws 6.x) and cdktn-cli in place of
 * their cdktf packages, `constructs` inside cdktn's range, and Node.js as cdktn-cli requires it.
 * Starts from today's package.json (step 1's override, if the project has taken step 1, goes).
 */
export function step2PackageJson(original: PackageJson): RewrittenPackage {
  const editor = new PackageEditor(original);
  for (const rename of PACKAGE_RENAMES) {
    const section = rename.required ? required(original, rename.from) : sectionOf(original, rename.from);
    if (section) editor.rename(rename.from, rename.to, rename.version, section);
  }
  if (original.overrides?.cdktf !== undefined) {
    const { cdktf, ...others } = original.overrides;
    editor.changes.push({ field: "overrides.cdktf", before: String(cdktf) });
    editor.pkg.overrides = others;
    if (Object.keys(others).length === 0) delete editor.pkg.overrides;
  }
  editor.set(required(original, "constructs"), "constructs", CONSTRUCTS_VERSION);
  if (original.engines?.node !== undefined && original.engines.node !== CDKTN_CLI_NODE_RANGE) {
    editor.changes.push({ field: "engines.node", before: original.engines.node, after: CDKTN_CLI_NODE_RANGE });
    editor.pkg.engines = { ...original.engines, node: CDKTN_CLI_NODE_RANGE };
  }
  return editor.result();
}

/** `<field> <before> → <after>`, `<field> + <after>` (added), `<field> removed (was <before>)`. */
export function describePackageChange(change: PackageChange): string {
  if (change.before === undefined) return `${change.field} + ${change.after}`;
  if (change.after === undefined) return `${change.field} removed (was ${change.before})`;
  return `${change.field} ${change.before} → ${change.after}`;
}

/** Module names of cdktf and what they become in CDK Terrain. */
const MODULE_RENAMES: Readonly<Record<string, string>> = {
  cdktf: "cdktn",
  "@cdktf/provider-aws": "@cdktn/provider-aws",
  "@cdktf/hcl2json": "@cdktn/hcl2json",
};

/**
 * A module specifier of one of those packages (or a file of it: `cdktf/lib/testing/adapters/jest`,
 * `@cdktf/provider-aws/lib/provider`) where code names a module: `from "…"`, `import "…"`,
 * `import("…")`, `require("…")`, in TypeScript and JavaScript alike.
 */
const MODULE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'])(cdktf|@cdktf\/provider-aws|@cdktf\/hcl2json)((?:\/[^"'\s]*)?)\2/g;

/** Files whose module specifiers the import rewrite reads. */
export const SOURCE_FILE = /\.(?:ts|tsx|mts|cts|js|cjs|mjs)$/;

/** The import rewrite of one file: the new text and how many lines changed. */
export function rewriteImports(source: string): { text: string; linesChanged: number } {
  const text = source.replace(MODULE_SPECIFIER, (_match, keyword: string, quote: string, name: string, subpath: string) =>
    `${keyword}${quote}${MODULE_RENAMES[name]}${subpath}${quote}`,
  );
  return { text, linesChanged: countChangedLines(source, text) };
}

function countChangedLines(before: string, after: string): number {
  if (before === after) return 0;
  const a = before.split("\n");
  const b = after.split("\n");
  let changed = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) changed++;
  return changed;
}

/** An edit a person would make by hand, applied by code: named, with the reason, on given files. */
export interface SourceEdit {
  /** What the report calls it. */
  readonly name: string;
  /** Why the move needs it. */
  readonly why: string;
  /** Project-relative paths or globs (`*` within a folder, `**` across folders). */
  readonly files: readonly string[];
  /** What is replaced (global). */
  readonly find: RegExp;
  /** The replacement, with `$1`-style groups. */
  readonly replace: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TODAY_PIN = escapeRegExp(AWS_PROVIDER_VERSION_TODAY);

/**
 * Step 2's edits by hand, beyond the import rewrite. Each must find something: an edit that finds
 * nothing means the project changed under it, and the check stops rather than prove a move nobody
 * would make.
 */
export const STEP2_EDITS: readonly SourceEdit[] = [
  {
    name: "region data source: `.name` → `.region`",
    why: "hashicorp/aws 6.x deprecates `data.aws_region.<name>.name` for `.region` (5.100.0 has no `region` attribute)",
    files: ["constructs/**/*.ts", "stacks/**/*.ts", "guardrails/**/*.ts"],
    find: /(new DataAwsRegion\([^)]*\)\.)name\b|(data\.aws_region\.[\w-]+\.)name\b/g,
    replace: "$1$2region",
  },
  {
    name: "tests: the region reference",
    why: "the tests expect the ARNs the stacks build, now with `data.aws_region.region.region`",
    files: ["__tests__/**/*.ts", "__tests__/**/*.snap"],
    find: /(data\.aws_region\.[\w-]+\.)name\b/g,
    replace: "$1region",
  },
  {
    name: "tests: the provider pin",
    why: `the stacks now pin hashicorp/aws ${CDKTN_AWS_PROVIDER_VERSION}, the version of the new bindings (the region messages keep naming ${AWS_PROVIDER_VERSION_TODAY}: constructs/aws-partitions.ts stays the list read from that binary until scripts/update-aws-regions.ts reads the new one)`,
    files: ["__tests__/**/*.ts", "__tests__/**/*.snap"],
    find: new RegExp(`(?<![\\d.])${TODAY_PIN}(?![\\d.])(?!\\) knows)`, "g"),
    replace: CDKTN_AWS_PROVIDER_VERSION,
  },
  {
    name: "tests: the provider source",
    why: "the new bindings write the provider's full source address, `hashicorp/aws`, where cdktf's wrote `aws`: the same provider",
    files: ["__tests__/**/*.ts", "__tests__/**/*.snap"],
    find: /(\bsource"?: ")aws(")/g,
    replace: "$1hashicorp/aws$2",
  },
  {
    name: "leak tests: the real packages",
    why: "the leak tests bundle installed packages, now cdktn and @cdktn/provider-aws (their imports are rewritten with the others)",
    files: ["__tests__/constructs/lambda-bundle.test.ts"],
    find: /node_modules\\\/(@?)cdktf\\\//g,
    replace: "node_modules\\/$1cdktn\\/",
  },
  {
    name: "offline terraform: AWS_PROVIDER_VERSION",
    why: "scripts/lib/terraform-offline.ts looks for the pinned provider in the offline mirror",
    files: ["scripts/lib/terraform-offline.ts"],
    find: new RegExp(`(AWS_PROVIDER_VERSION = ")${TODAY_PIN}(")`, "g"),
    replace: `$1${CDKTN_AWS_PROVIDER_VERSION}$2`,
  },
  {
    name: "workflows: the provider they download",
    why: "the workflows fetch the pinned provider for the terraform tests",
    files: [".github/workflows/*.yml"],
    find: new RegExp(`(AWS_PROVIDER_VERSION: ")${TODAY_PIN}(")`, "g"),
    replace: `$1${CDKTN_AWS_PROVIDER_VERSION}$2`,
  },
  {
    name: "workflows: the provider lock they hold terraform to",
    why:
      "the lock file the workflows copy into each stack names the pinned provider; its h1 hash is the old build's, so after this edit " +
      "regenerate it where the registry is reachable (`terraform providers lock -platform=linux_amd64` on a stack, then copy the hash): until then the workflows' init refuses the provider",
    files: [".github/terraform-providers.lock.hcl"],
    find: new RegExp(`((?:version|constraints) += ")${TODAY_PIN}(")`, "g"),
    replace: `$1${CDKTN_AWS_PROVIDER_VERSION}$2`,
  },
  {
    name: "CI: the mirror it looks for",
    why: ".ci/run finds the offline mirror by the pinned provider's file name",
    files: [".ci/run"],
    find: new RegExp(`(?<![\\d.])${TODAY_PIN}(?![\\d.])`, "g"),
    replace: CDKTN_AWS_PROVIDER_VERSION,
  },
];

/** `dir/**\/*.ts` → a RegExp over project-relative paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = "";
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith("**/", i)) {
      pattern += "(?:[^/]+/)*";
      i += 2;
    } else if (glob[i] === "*") {
      pattern += "[^/]*";
    } else {
      pattern += escapeRegExp(glob[i]);
    }
  }
  return new RegExp(`^${pattern}$`);
}

/** What one edit did: the files it changed with their new text, and the lines changed. */
export interface AppliedEdit {
  readonly edit: SourceEdit;
  readonly changed: ReadonlyMap<string, string>;
  readonly linesChanged: number;
}

/**
 * Applies `edit` to the matching files of `files` (path → text). Throws when it finds nothing: the
 * project no longer holds what the edit was written for.
 */
export function applyEdit(edit: SourceEdit, files: ReadonlyMap<string, string>): AppliedEdit {
  const patterns = edit.files.map(globToRegExp);
  const changed = new Map<string, string>();
  let linesChanged = 0;
  for (const [path, text] of files) {
    if (!patterns.some((p) => p.test(path))) continue;
    const after = text.replace(edit.find, edit.replace);
    if (after !== text) {
      changed.set(path, after);
      linesChanged += countChangedLines(text, after);
    }
  }
  if (changed.size === 0) {
    throw new Error(
      `edit "${edit.name}" found nothing to change in ${edit.files.join(", ")} (looked for ${edit.find}); ` +
        "the project changed: update STEP2_EDITS in scripts/lib/cdktn-migration.ts",
    );
  }
  return { edit, changed, linesChanged };
}

/** Step 2's changes to the project's sources: the import rewrite, then each edit by hand, in order. */
export interface Step2SourceChanges {
  /** Every file given, path → text, as step 2 leaves it. */
  readonly texts: Map<string, string>;
  /** The paths step 2 changed. */
  readonly changed: ReadonlySet<string>;
  /** The import rewrite: lines changed, and in how many files. */
  readonly imports: { readonly lines: number; readonly files: number };
  /** Each edit of `STEP2_EDITS`, as applied after the import rewrite and the edits before it. */
  readonly edits: readonly AppliedEdit[];
}

/**
 * Applies step 2 to the project's text files (path → text, without package.json, its lock file and
 * the check's own files): the import rewrite of every source file, then `STEP2_EDITS` in order.
 * Throws as `applyEdit` does when an edit finds nothing.
 */
export function applyStep2Sources(files: ReadonlyMap<string, string>): Step2SourceChanges {
  const texts = new Map(files);
  const changed = new Set<string>();
  let lines = 0;
  let importFiles = 0;
  for (const [path, text] of texts) {
    if (!SOURCE_FILE.test(path)) continue;
    const rewritten = rewriteImports(text);
    if (rewritten.linesChanged === 0) continue;
    texts.set(path, rewritten.text);
    changed.add(path);
    lines += rewritten.linesChanged;
    importFiles += 1;
  }
  const edits: AppliedEdit[] = [];
  for (const edit of STEP2_EDITS) {
    const applied = applyEdit(edit, texts);
    for (const [path, text] of applied.changed) {
      texts.set(path, text);
      changed.add(path);
    }
    edits.push(applied);
  }
  return { texts, changed, imports: { lines, files: importFiles }, edits };
}

/** A reference to a cdktf package that the move leaves in place, for the report. */
export interface Leftover {
  readonly path: string;
  readonly line: number;
  readonly text: string;
}

/**
 * cdktf packages as code names them outside an import: `"@cdktf/provider-aws"`, a path into
 * `node_modules/cdktf/`, the same in a regular expression, `cdktf-cli`. Not `@cdktf/warn` and the like:
 * CDK Terrain keeps those metadata names.
 */
const CDKTF_PACKAGE_REFERENCE = /@cdktf(?:\/|\\\/)(?!warn\b|info\b|error\b)|node_modules(?:\/|\\\/)cdktf(?:\/|\\\/)|\bcdktf-cli\b/;

/**
 * The check's own files. They describe the move from cdktf, so step 2 leaves them as they are and does
 * not run their tests: after a real move they go, with `check:cdktn` and its workflow.
 */
export const CHECK_OWN_FILES: readonly string[] = [
  "scripts/check-cdktn.ts",
  "scripts/lib/cdktn-*.ts",
  "__tests__/scripts/cdktn-*.test.ts",
  "__tests__/scripts/check-cdktn.test.ts",
];
const CHECK_OWN = CHECK_OWN_FILES.map(globToRegExp);

export function isCheckOwnFile(path: string): boolean {
  return CHECK_OWN.some((pattern) => pattern.test(path));
}

/** The check's own tests as a jest `--testPathIgnorePatterns` pattern (jest matches absolute paths). */
export const CHECK_OWN_TESTS_PATTERN = CHECK_OWN_FILES.filter((glob) => glob.startsWith("__tests__/"))
  .map((glob) => `/${globToRegExp(glob).source.slice(1)}`)
  .join("|");

/** Files that name cdktf on purpose after the move: the leak check still refuses it. */
const NAME_CDKTF_ON_PURPOSE = ["constructs/lambda-bundle.ts", "__tests__/constructs/lambda-bundle.test.ts"].map(globToRegExp);

const COMMENT_LINE = /^\s*(?:\/\/|\/?\*|#)/;

/** Code lines of source files and workflows (not comments, Markdown or JSON) that still name a cdktf package. */
export function findLeftovers(files: ReadonlyMap<string, string>): Leftover[] {
  const leftovers: Leftover[] = [];
  for (const [path, text] of files) {
    if (!SOURCE_FILE.test(path) && !/\.ya?ml$/.test(path)) continue;
    if (isCheckOwnFile(path) || NAME_CDKTF_ON_PURPOSE.some((pattern) => pattern.test(path))) continue;
    text.split("\n").forEach((line, index) => {
      if (!COMMENT_LINE.test(line) && CDKTF_PACKAGE_REFERENCE.test(line)) leftovers.push({ path, line: index + 1, text: line.trim() });
    });
  }
  return leftovers;
}

/** One difference between two JSON documents; `before`/`after` is undefined where the key is absent. */
export interface JsonDifference {
  readonly path: readonly string[];
  readonly before: unknown;
  readonly after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object";

/** Every leaf-level difference between two parsed JSON documents, in document order. */
export function diffJson(before: unknown, after: unknown, path: readonly string[] = []): JsonDifference[] {
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffJson(before[key], after[key], [...path, key]));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

/** Why a difference is there, when the move explains it; `unexplained` otherwise. */
export type DifferenceKind = "metadata version" | "provider pin" | "provider source" | "region attribute" | "unexplained";

const REGION_NAME = /(\bdata\.aws_region\.[\w-]+\.)name\b/g;

/** Classifies a difference in a stack's JSON after step `step` (1: core only, 2: the provider too). */
export function classifyDifference(difference: JsonDifference, step: 1 | 2): DifferenceKind {
  const { path, before, after } = difference;
  const at = path.join("\u0000");
  if (at === ["//", "metadata", "version"].join("\u0000") && typeof before === "string" && after === CDKTN_VERSION) {
    return "metadata version";
  }
  if (step === 1) return "unexplained";
  const provider = ["terraform", "required_providers", "aws"].join("\u0000");
  if (at === `${provider}\u0000version` && before === AWS_PROVIDER_VERSION_TODAY && after === CDKTN_AWS_PROVIDER_VERSION) {
    return "provider pin";
  }
  // `aws` is short for `hashicorp/aws` (registry.terraform.io): the same provider, written in full.
  if (at === `${provider}\u0000source` && before === "aws" && after === "hashicorp/aws") return "provider source";
  if (typeof before === "string" && typeof after === "string") {
    const renamed = before.replace(REGION_NAME, "$1region");
    if (renamed !== before && renamed === after) return "region attribute";
  }
  return "unexplained";
}

/** One stack's synthesized JSON against today's: the explained differences counted, the rest listed. */
export interface StackComparison {
  readonly stack: string;
  /** Set when the stack exists on one side only. */
  readonly onlyIn?: "today" | "after";
  readonly explained: Readonly<Partial<Record<Exclude<DifferenceKind, "unexplained">, number>>>;
  readonly unexplained: readonly JsonDifference[];
}

/** Compares every stack of `after` with `today` (stack name → parsed cdk.tf.json). */
export function compareStacks(
  today: ReadonlyMap<string, unknown>,
  after: ReadonlyMap<string, unknown>,
  step: 1 | 2,
): StackComparison[] {
  const stacks = [...new Set([...today.keys(), ...after.keys()])].sort();
  return stacks.map((stack) => {
    if (!after.has(stack)) return { stack, onlyIn: "today", explained: {}, unexplained: [] };
    if (!today.has(stack)) return { stack, onlyIn: "after", explained: {}, unexplained: [] };
    const explained: Partial<Record<Exclude<DifferenceKind, "unexplained">, number>> = {};
    const unexplained: JsonDifference[] = [];
    for (const difference of diffJson(today.get(stack), after.get(stack))) {
      const kind = classifyDifference(difference, step);
      if (kind === "unexplained") unexplained.push(difference);
      else explained[kind] = (explained[kind] ?? 0) + 1;
    }
    return { stack, explained, unexplained };
  });
}

/** True when the stacks are the same set and every difference is explained by the move. */
export function comparisonsHold(comparisons: readonly StackComparison[]): boolean {
  return comparisons.length > 0 && comparisons.every((c) => c.onlyIn === undefined && c.unexplained.length === 0);
}
