/**
 * What a pull request changes in the bootstrap's policies, from the JSON `npm run -s permissions --
 * --json` prints for its base and for its head (stacks/bootstrap-policies.ts, `permissionsJson`).
 *
 * The environments' deploy and plan policies, the boundaries and the roles' trust are derived from the
 * stacks, but only an administrator's deploy of `bandup-bootstrap` puts them in IAM: a change that
 * makes a role (or a boundary) allow more than IAM holds would pass review and then fail CI's deploy
 * after the merge (or a function at run time). Every grant the head has and the base has not is a
 * blocking finding: "deploy `bandup-bootstrap` first". A grant is one action on one resource under one
 * set of conditions, as the documents write them: a pattern that replaces names is a gain even where it
 * covers the same resources, which errs on the side of asking. A denial the head drops is a gain too;
 * what the head no longer grants is not blocking.
 */
import { code } from "./markdown";

/** One role or managed policy of the JSON. */
interface PermissionsEntry {
  readonly kind: string;
  readonly environment: string;
  readonly trust?: unknown;
  readonly documents: readonly unknown[];
}

/** The JSON of `npm run permissions -- --json`. */
export interface PermissionsJson {
  readonly account: string;
  readonly policies: Readonly<Record<string, PermissionsEntry>>;
}

/** What one role or policy of the head grants beyond the base. */
export interface PermissionGain {
  /** The role's or policy's name (`bandup-deploy-dev`, `bandup-boundary-dev`). */
  readonly name: string;
  readonly kind: string;
  /** True when the base has no such role or policy (a new environment). */
  readonly isNew: boolean;
  /** Each grant or trust the head adds, or denial it drops, in words. */
  readonly gains: readonly string[];
}

/** Thrown when a file is not the JSON the command prints; the CLI exits 2 with the message. */
export class PermissionsInputError extends Error {}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Parses the JSON of `npm run permissions -- --json`; throws naming the flag, the file and what is wrong. */
export function parsePermissionsJson(text: string, flag: string, file: string): PermissionsJson {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PermissionsInputError(`${flag} ${file}: not JSON (${(error as Error).message}); give the output of \`npm run -s permissions -- --json\``);
  }
  const entries = json?.policies;
  const valid =
    typeof json?.account === "string" &&
    typeof entries === "object" &&
    entries !== null &&
    Object.values<Json>(entries).every((e) => typeof e?.kind === "string" && Array.isArray(e?.documents));
  if (!valid) throw new PermissionsInputError(`${flag} ${file}: not the JSON of \`npm run -s permissions -- --json\` (no \`account\` and \`policies\` with their \`documents\`)`);
  return json as PermissionsJson;
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** A condition block in words, keys sorted: `StringEquals iam:PermissionsBoundary=arn:...`. */
function conditionWords(condition: Json): string {
  if (condition === undefined) return "";
  const parts = Object.keys(condition)
    .sort()
    .flatMap((test) => Object.keys(condition[test]).sort().map((key) => `${test} ${key}=${list(condition[test][key]).join("|")}`));
  return parts.length === 0 ? "" : ` when ${parts.join(" and ")}`;
}

/** Every grant of a policy document in words: one per action or NotAction, resource and condition set. */
function grantsOf(document: Json): Set<string> {
  const grants = new Set<string>();
  for (const statement of document?.Statement === undefined ? [] : [document.Statement].flat()) {
    const effect = statement.Effect === "Deny" ? "denies" : "allows";
    const actions = statement.Action !== undefined ? list(statement.Action) : list(statement.NotAction).map((a) => `every action but ${a}`);
    for (const action of actions) for (const resource of list(statement.Resource)) grants.add(`${effect} ${action} on ${resource}${conditionWords(statement.Condition)}`);
  }
  return grants;
}

/** Whom a trust policy lets assume the role, in words: one per principal and condition set. */
function trustsOf(trust: Json): Set<string> {
  const trusts = new Set<string>();
  for (const statement of trust?.Statement === undefined ? [] : [trust.Statement].flat()) {
    if (statement.Effect !== "Allow") continue;
    // Each subject value on its own: a subject added to a list is the gain, not the list.
    const condition = statement.Condition ?? {};
    const subjects: [string, string][] = Object.entries<Json>(condition).flatMap(([test, byKey]) =>
      Object.entries<Json>(byKey)
        .filter(([key]) => key.endsWith(":sub"))
        .flatMap(([, values]) => list(values).map((v): [string, string] => [test, v])),
    );
    const rest = Object.fromEntries(
      Object.entries<Json>(condition).map(([test, byKey]) => [test, Object.fromEntries(Object.entries<Json>(byKey).filter(([key]) => !key.endsWith(":sub")))]),
    );
    for (const [test, subject] of subjects.length > 0 ? subjects : [["", "any subject"] as [string, string]]) {
      trusts.add(`trusts ${list(statement.Action).join("|")} from ${JSON.stringify(statement.Principal)} for sub ${test} ${subject}${conditionWords(rest)}`);
    }
  }
  return trusts;
}

/** What an entry allows and denies, and whom it trusts. */
function statementsOf(entry: PermissionsEntry): { allows: Set<string>; denies: Set<string>; trusts: Set<string> } {
  const all = new Set(entry.documents.flatMap((d) => [...grantsOf(d)]));
  return {
    allows: new Set([...all].filter((g) => g.startsWith("allows "))),
    denies: new Set([...all].filter((g) => g.startsWith("denies "))),
    trusts: trustsOf(entry.trust),
  };
}

/** Each role and policy of the head that allows or trusts more than the same of the base (or denies less). */
export function permissionGains(base: PermissionsJson, head: PermissionsJson): PermissionGain[] {
  const gains: PermissionGain[] = [];
  for (const [name, entry] of Object.entries(head.policies)) {
    const before = base.policies[name];
    const now = statementsOf(entry);
    const then = before === undefined ? { allows: new Set<string>(), denies: new Set<string>(), trusts: new Set<string>() } : statementsOf(before);
    const found = [
      ...[...now.allows].filter((g) => !then.allows.has(g)),
      ...[...now.trusts].filter((t) => !then.trusts.has(t)),
      ...[...then.denies].filter((d) => !now.denies.has(d)).map((d) => `no longer ${d}`),
    ];
    if (found.length > 0 || before === undefined) gains.push({ name, kind: entry.kind, isNew: before === undefined, gains: found });
  }
  return gains;
}

/** The finding's one line: "deploy `bandup-bootstrap` first: bandup-deploy-dev gains …". */
export function gainSummary(gain: PermissionGain, shown = 3): string {
  const what = gain.isNew ? "is new" : `gains ${gain.gains.slice(0, shown).join("; ")}${gain.gains.length > shown ? `; and ${gain.gains.length - shown} more` : ""}`;
  return `deploy \`bandup-bootstrap\` first: ${gain.name} ${what}`;
}

/** The findings as a Markdown section, every gain listed: the head of the review. */
export function renderPermissionGains(gains: readonly PermissionGain[]): string {
  if (gains.length === 0) return "";
  const lines = [
    "## Bootstrap permissions",
    "",
    `**Blocking:** ${gains.length} role(s) or policy(ies) of \`bandup-bootstrap\` would allow more than IAM holds. An administrator deploys \`bandup-bootstrap\` from this branch first (\`npx cdktf deploy bandup-bootstrap\`), or CI's deploy fails after the merge.`,
    "",
  ];
  for (const gain of gains) {
    // Names and gains come from the head's synth, which the pull request controls: code spans that no value can end.
    lines.push(`- ${code(gain.name).text} (${gain.kind}) ${gain.isNew ? "is new" : "gains:"}`);
    if (!gain.isNew) for (const g of gain.gains) lines.push(`  - ${code(g).text}`);
  }
  return `${lines.join("\n")}\n\n`;
}
