/**
 * Rendering a `Review`: the PR comment (findings first, within GitHub's size limit), the whole review
 * uncut (for the job summary), and a stable JSON document for machines. Every part of the Markdown is
 * built by markdown.ts: plan text reaches it only as code spans. The whole review and the JSON are
 * written in pieces, so their size is bounded by the disk, not by the largest JavaScript string.
 */
import { ABSENT, Counts, Finding, ResourceReview, Review, SENSITIVE, UNKNOWN } from "./analyse";
import {
  code,
  COMMENT_MARKER,
  DETAILS_CLOSE,
  detailsOpen,
  fixed,
  heading,
  join,
  listItem,
  Markdown,
  md,
  paragraph,
  tableHead,
  tableRow,
} from "./markdown";
import { isObject } from "./values";

export { COMMENT_MARKER } from "./markdown";

/**
 * Largest comment written: GitHub refuses comments over 65,536 characters, and the sticky-comment
 * action adds its own marker line (about 60 characters) to the text it posts.
 */
export const COMMENT_LIMIT = 65_000;

/** Longest value shown in the attribute tables; longer ones end with `…`. */
export const TABLE_VALUE_LENGTH = 200;
/** Longest address or name shown in a table or heading. */
export const TABLE_NAME_LENGTH = 300;

/** The review cannot be written within a limit (the comment's fixed summary alone is too long). */
export class OversizeError extends Error {}

/** A display value in a table cell: placeholders as plain text, values as code. */
function valueCell(text: string): Markdown {
  if (text === "") return md``;
  if (text === ABSENT || text === SENSITIVE || text === UNKNOWN) return fixed(text);
  return code(text, TABLE_VALUE_LENGTH);
}

function nameCode(text: string): Markdown {
  return code(text, TABLE_NAME_LENGTH);
}

export function actionLabel(resource: ResourceReview): string {
  // ["create","forget"]: a replacement that leaves the old object in place, no longer managed.
  const action = resource.actions.join(",") === "create,forget" ? "replace (old one forgotten)" : resource.action;
  if (!resource.importing) return action;
  return action === "no-op" ? "import" : `import, ${action}`;
}

function countsLine(counts: Counts): Markdown {
  return md`**Plan:** ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete, ${counts.import} to import`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** A finding as a list item: a blocking one says, on a continuation line, the entry that accepts it. */
function findingItem(finding: Finding): string {
  const stack = md`**${nameCode(finding.stack)}**`;
  if (!finding.blocking) return listItem(md`🔎 ${stack}: ${finding.message}`);
  const entry = finding.accept === undefined ? md`` : code(`${finding.accept.flag} ${finding.accept.entry}`, TABLE_NAME_LENGTH + 100);
  if (finding.allowed) return listItem(md`⚠️ accepted by ${entry}: ${stack}: ${finding.message}`);
  if (finding.kind === "drift") {
    return listItem(md`⛔ ${stack}: ${finding.message}`, md`Re-apply to undo it, or adopt it in the code; to pass this review meanwhile, accept it with ${entry}.`);
  }
  return listItem(md`⛔ ${stack}: ${finding.message}`, md`If intended, accept it with ${entry}.`);
}

/** A part of the review: a head, items that can be left out from the end, and a tail. */
interface Section {
  /** Blocks before the items (a heading, a table's head, `<details>`); "" for none. */
  readonly head: string;
  /** The items, made when read (a stack can have many thousand rows). */
  readonly items: () => Iterable<string>;
  readonly count: number;
  /** Between the head and the first item, and between items. */
  readonly separator: "\n" | "\n\n";
  /** Closes what the head opened (`</details>`). */
  readonly tail?: string;
  /** What an item is, for the note of a cut comment; a section whose items are not counted has none. */
  readonly unit?: "finding" | "resource" | "attribute table";
}

function statusLines(review: Review): string[] {
  const blocking = review.findings.filter((f) => f.blocking && !f.allowed);
  const accepted = review.findings.filter((f) => f.blocking && f.allowed);
  const toReview = review.findings.filter((f) => !f.blocking);
  const lines: Markdown[] = [];
  const blockingPlan = blocking.filter((f) => f.kind !== "drift");
  const blockingDrift = blocking.filter((f) => f.kind === "drift");
  if (blockingPlan.length > 0) {
    lines.push(
      md`⛔ **${fixed(plural(blockingPlan.length, "blocking change loses", "blocking changes lose"))} data or access.** Each is listed below with the entry that accepts it, if it is intended.`,
    );
  }
  if (blockingDrift.length > 0) {
    lines.push(
      md`⛔ **${fixed(plural(blockingDrift.length, "change made outside Terraform loses", "changes made outside Terraform lose"))} data or access.** Each is listed below with what the next apply does about it.`,
    );
  }
  if (blocking.length === 0 && accepted.length > 0) {
    lines.push(md`⚠️ **${fixed(plural(accepted.length, "change that loses data or access is", "changes that lose data or access are"))} accepted explicitly.**`);
  } else if (blocking.length === 0) {
    lines.push(md`✅ **No change loses data or access.**`);
  }
  if (toReview.length > 0) lines.push(md`🔎 ${fixed(plural(toReview.length, "resource needs", "resources need"))} a reviewer's eye (not blocking).`);
  return lines.map(paragraph);
}

function summaryTable(review: Review): string {
  const columns = [
    { title: "Stack" },
    { title: "Create", align: "right" },
    { title: "Update", align: "right" },
    { title: "Replace", align: "right" },
    { title: "Delete", align: "right" },
    { title: "Import", align: "right" },
  ] as const;
  const rows = review.stacks.map((s) => {
    const c = s.counts;
    return tableRow(6, [nameCode(s.stack), ...[c.create, c.update, c.replace, c.delete, c.import].map((n) => md`${n}`)]);
  });
  return [tableHead(columns), ...rows].join("\n");
}

/** The comment's first blocks, always whole: the marker, the title, the status and the counts. */
function preamble(review: Review): string {
  return [COMMENT_MARKER, heading(2, md`Terraform plan review`), ...statusLines(review), summaryTable(review)].join("\n\n");
}

function attributeTable(r: ResourceReview): string {
  const forced = r.replacePaths.length > 0 ? md`; replacement forced by ${join(r.replacePaths.map((p) => code(p)), ", ")}` : md``;
  const rows = r.attributes.map((a) => tableRow(3, [code(a.path, TABLE_NAME_LENGTH), valueCell(a.before), valueCell(a.after)]));
  const more = r.omittedAttributes > 0 ? [paragraph(md`… and ${r.omittedAttributes} more changed attributes, not listed.`)] : [];
  return [
    paragraph(md`**${nameCode(r.address)}** (${fixed(actionLabel(r))}${forced})`),
    [tableHead([{ title: "Attribute" }, { title: "Before" }, { title: "After" }]), ...rows].join("\n"),
    ...more,
  ].join("\n\n");
}

/** The review's parts after the preamble, in the order the comment keeps them: findings first. */
function sections(review: Review): Section[] {
  const blocking = review.findings.filter((f) => f.blocking && !f.allowed);
  const toReview = review.findings.filter((f) => !f.blocking);
  const accepted = review.findings.filter((f) => f.blocking && f.allowed);
  const findingSection = (title: Markdown, findings: readonly Finding[]): Section[] =>
    findings.length === 0 ? [] : [{ head: heading(3, title), items: () => findings.map(findingItem), count: findings.length, separator: "\n", unit: "finding" }];
  const out: Section[] = [
    ...findingSection(md`⛔ Blocking`, blocking),
    ...findingSection(md`🔎 Needs review`, toReview),
    ...findingSection(md`⚠️ Accepted`, accepted),
  ];
  if (review.unusedAllows.length > 0) {
    out.push({
      head: "",
      items: () => review.unusedAllows.map((a) => paragraph(md`Note: ${`${a.flag} ${a.entry}`} matched no blocking change.`)),
      count: review.unusedAllows.length,
      separator: "\n\n",
    });
  }
  for (const s of review.stacks) {
    const head = [heading(3, nameCode(s.stack))];
    if (s.refreshOnly) {
      head.push(paragraph(md`A refresh-only plan: what changed outside Terraform since the last apply; it changes nothing in AWS.`));
    } else {
      head.push(paragraph(countsLine(s.counts)));
      if (s.resources.length === 0) head.push(paragraph(md`No changes.`));
    }
    if (s.drift.length > 0) head.push(paragraph(md`**Changed outside Terraform:** ${fixed(plural(s.drift.length, "resource", "resources"))} (below).`));
    else if (s.refreshOnly) head.push(paragraph(md`Nothing changed outside Terraform.`));
    out.push({ head: head.join("\n\n"), items: () => [], count: 0, separator: "\n" });
    if (s.drift.length > 0) {
      // resource_drift: what changed outside Terraform, the same table and attribute tables as the plan's own.
      out.push(
        ...resourceSections(s.drift, {
          before: paragraph(md`**Changed outside Terraform** in ${nameCode(s.stack)}`),
          actionTitle: "Outside Terraform",
          label: (r) => (r.action === "delete" ? "deleted" : "changed"),
          details: (n) => `Attributes changed outside Terraform (${n}): Before is the state Terraform last wrote, After what AWS holds now`,
        }),
      );
    }
    if (s.resources.length === 0) continue;
    out.push(...resourceSections(s.resources, { actionTitle: "Action", label: actionLabel, details: (n) => `Changed attributes (${n})` }));
  }
  return out;
}

/**
 * The table of some resources (what happens to each, its address and name), and, folded, the
 * attribute tables of those whose attributes changed.
 */
function resourceSections(
  resources: readonly ResourceReview[],
  options: {
    /** A block before the table. @default - none */
    readonly before?: string;
    /** The title of the first column. */
    readonly actionTitle: string;
    /** What the first column says of a resource. */
    readonly label: (resource: ResourceReview) => string;
    /** The summary of the attribute tables, given "<n> resource(s)". */
    readonly details: (resources: string) => string;
  },
): Section[] {
  const table = tableHead([{ title: options.actionTitle }, { title: "Resource" }, { title: "Name" }]);
  const out: Section[] = [
    {
      head: options.before === undefined ? table : [options.before, table].join("\n\n"),
      items: () => resources.map((r) => tableRow(3, [fixed(options.label(r)), nameCode(r.address), r.name === undefined ? md`` : valueCell(r.name)])),
      count: resources.length,
      separator: "\n",
      unit: "resource",
    },
  ];
  const changed = resources.filter((r) => r.attributes.length > 0 || r.omittedAttributes > 0);
  if (changed.length > 0) {
    out.push({
      head: detailsOpen(options.details(plural(changed.length, "resource", "resources"))),
      items: () => changed.map(attributeTable),
      count: changed.length,
      separator: "\n\n",
      tail: DETAILS_CLOSE,
      unit: "attribute table",
    });
  }
  return out;
}

/** What goes before a section's item: a blank line before the first one without a head, else the separator. */
function itemPrefix(section: Section, index: number): string {
  return index === 0 && section.head === "" ? "\n\n" : section.separator;
}

/** Writes the whole review, uncut, in pieces (for `--full-output`, the job summary). */
export function writeFullMarkdown(review: Review, write: (text: string) => void): void {
  write(preamble(review));
  for (const section of sections(review)) {
    if (section.head !== "") write(`\n\n${section.head}`);
    let index = 0;
    for (const item of section.items()) write(`${itemPrefix(section, index++)}${item}`);
    if (section.tail !== undefined) write(`\n\n${section.tail}`);
  }
  write("\n");
}

/** The whole review as one string (tests, small plans). */
export function renderMarkdown(review: Review): string {
  let text = "";
  writeFullMarkdown(review, (piece) => (text += piece));
  return text;
}

const UNITS = ["finding", "resource", "attribute table"] as const;
const UNIT_PLURALS: Record<(typeof UNITS)[number], string> = { finding: "findings", resource: "resources", "attribute table": "attribute tables" };

/** The note that ends a cut comment, counting what it leaves out. */
function cutNote(omitted: Readonly<Record<(typeof UNITS)[number], number>>, limit: number): string {
  const parts = UNITS.filter((u) => omitted[u] > 0).map((u) => plural(omitted[u], u, UNIT_PLURALS[u]));
  const what = parts.length === 0 ? "some parts" : parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  return paragraph(
    md`… **Cut to fit a GitHub comment** (${fixed(limit.toLocaleString("en"))} characters): ${fixed(what)} left out here. The whole review is in the job summary (${"--full-output"}); locally: ${"npm run plan:review -- --full-output review.md <plan.json>..."}.`,
  );
}

/**
 * The PR comment: the preamble, then the findings (blocking first), then each stack's resources and
 * changed attributes, as many whole items as fit in `limit` characters, and a note counting what is
 * left out. Throws `OversizeError` when the preamble alone does not fit.
 */
export function renderComment(review: Review, limit = COMMENT_LIMIT): string {
  const total = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<(typeof UNITS)[number], number>;
  const all = sections(review);
  for (const s of all) if (s.unit !== undefined) total[s.unit] += s.count;
  // The note with every count at its largest: room kept for it whatever is left out.
  const reserve = `\n\n${cutNote(total, limit)}`.length + 8 * UNITS.length + 1;
  let out = preamble(review);
  if (out.length + reserve > limit) {
    throw new OversizeError(
      `the comment's summary alone is ${out.length} characters, over the ${limit} a comment can hold with its note: review fewer stacks in one comment`,
    );
  }
  const omitted = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<(typeof UNITS)[number], number>;
  let cut = false;
  for (const section of all) {
    const tail = section.tail === undefined ? "" : `\n\n${section.tail}`;
    let shown = 0;
    if (!cut) {
      let pending = section.head === "" ? "" : `\n\n${section.head}`;
      if (section.count === 0) {
        if (out.length + pending.length + tail.length + reserve <= limit) out += pending + tail;
        else cut = true;
        continue;
      }
      for (const item of section.items()) {
        const piece = `${pending}${itemPrefix(section, shown)}${item}`;
        if (out.length + piece.length + tail.length + reserve > limit) {
          cut = true;
          break;
        }
        out += piece;
        pending = "";
        shown += 1;
      }
      if (shown > 0) out += tail;
    }
    if (section.unit !== undefined) omitted[section.unit] += section.count - shown;
    else if (section.count > shown) cut = true;
  }
  if (cut) out += `\n\n${cutNote(omitted, limit)}`;
  return `${out}\n`;
}

/** Version of the JSON document; raised on any incompatible change. */
export const JSON_SCHEMA_VERSION = 3;

/**
 * The `--json` document (schemaVersion 3; 3 added `drift`, `refreshOnly`, the finding kind `drift` and `--allow-drift`):
 *
 * ```
 * {
 *   "schemaVersion": 3,
 *   "exitCode": 0 | 1,                    // 1 when a blocking finding is not accepted
 *   "totals": { "create", "update", "replace", "delete", "import" },   // numbers
 *   "stacks": [{
 *     "stack": string, "file": string, "terraformVersion": string | null,
 *     "counts": { "create", "update", "replace", "delete", "import" },
 *     "resources": [{
 *       "address": string, "type": string,   // secrets in the address redacted as "(sensitive)"
 *       "name": string | null,            // "(sensitive)" when the plan marks it sensitive
 *       "action": "create" | "update" | "replace" | "delete" | "read" | "forget" | "no-op",
 *       "actions": string[],              // Terraform's own list, e.g. ["delete","create"]
 *       "importing": boolean, "actionReason": string | null,
 *       "replacePaths": string[],         // e.g. ["range_key"]
 *       "attributes": [{ "path": string, "before": string, "after": string }],   // masked display text, at most 1,000
 *       "omittedAttributes": number       // changed attributes past the 1,000 listed
 *     }],
 *     "drift": [ same as resources ],     // resource_drift: action "update" (changed) or "delete" (gone)
 *                                         // outside Terraform; before = the state, after = AWS now
 *     "refreshOnly": boolean              // a `terraform plan -refresh-only`
 *   }],
 *   "findings": [{
 *     "stack": string, "address": string, "type": string, "name": string | null,
 *     "kind": "delete" | "replace" | "loss" | "review" | "drift",
 *     "blocking": boolean,                // false: needs review, does not block
 *     "attributes": string[],             // replace paths, the attribute that loses, or those to review
 *     "message": string (Markdown),
 *     "accept": { "flag": "--allow-destroy" | "--allow-loss" | "--allow-drift", "entry": string } | null,
 *     "allowed": boolean
 *   }],
 *   "unusedAllows": [{ "flag": string, "entry": string }]
 * }
 * ```
 */
function resourceJson(r: ResourceReview): unknown {
  return {
    address: r.address,
    type: r.type,
    name: r.name ?? null,
    action: r.action,
    actions: r.actions,
    importing: r.importing,
    actionReason: r.actionReason ?? null,
    replacePaths: r.replacePaths,
    attributes: r.attributes,
    omittedAttributes: r.omittedAttributes,
  };
}

export function toJsonDocument(review: Review): unknown {
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    exitCode: review.exitCode,
    totals: review.totals,
    stacks: review.stacks.map((s) => ({
      stack: s.stack,
      file: s.file,
      terraformVersion: s.terraformVersion ?? null,
      counts: s.counts,
      resources: s.resources.map(resourceJson),
      drift: s.drift.map(resourceJson),
      refreshOnly: s.refreshOnly,
    })),
    findings: review.findings.map((f) => ({
      stack: f.stack,
      address: f.address,
      type: f.type,
      name: f.name ?? null,
      kind: f.kind,
      blocking: f.blocking,
      attributes: f.attributes,
      message: f.message.text,
      accept: f.accept ?? null,
      allowed: f.allowed,
    })),
    unusedAllows: review.unusedAllows,
  };
}

/**
 * Writes a JSON value exactly as `JSON.stringify(value, null, 2)` would, in pieces, so that no single
 * string holds the whole document (a 52 MB plan's review can pass JavaScript's largest string).
 */
export function writeJsonValue(value: unknown, write: (text: string) => void, indent = ""): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return write("[]");
    write("[");
    value.forEach((element, i) => {
      write(`${i === 0 ? "" : ","}\n${indent}  `);
      writeJsonValue(element === undefined || typeof element === "function" ? null : element, write, `${indent}  `);
    });
    return write(`\n${indent}]`);
  }
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined && typeof value[k] !== "function");
    if (keys.length === 0) return write("{}");
    write("{");
    keys.forEach((key, i) => {
      write(`${i === 0 ? "" : ","}\n${indent}  ${JSON.stringify(key)}: `);
      writeJsonValue(value[key], write, `${indent}  `);
    });
    return write(`\n${indent}}`);
  }
  write(JSON.stringify(value) ?? "null");
}

/** Writes the `--json` document in pieces. */
export function writeJson(review: Review, write: (text: string) => void): void {
  writeJsonValue(toJsonDocument(review), write);
  write("\n");
}

/** The `--json` document as one string (tests, small plans). */
export function renderJson(review: Review): string {
  let text = "";
  writeJson(review, (piece) => (text += piece));
  return text;
}
