/**
 * Rendering a `Review`: Markdown for the PR comment, and a stable JSON document for machines.
 */
import { ABSENT, Counts, Finding, ResourceReview, Review, SENSITIVE, UNKNOWN } from "./analyse";

/** First line of the comment: lets a bot find and update its own comment. */
export const COMMENT_MARKER = "<!-- bandup-plan-review -->";

/** Longest value shown in the attribute tables; longer ones are cut with `…`. */
const MAX_VALUE = 200;

export interface MarkdownOptions {
  /**
   * Cut the comment at this many characters (GitHub rejects comments over 65,536), with a note.
   * @default Infinity
   */
  readonly maxChars?: number;
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A table cell: pipes escaped (also inside code spans, as GitHub tables need), no newlines. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function shorten(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function valueCell(text: string): string {
  if (text === "") return "";
  // Placeholders stay plain text so they read as notes, not values.
  if (text === ABSENT || text === SENSITIVE || text === UNKNOWN) return text;
  return cell(code(shorten(text)));
}

export function actionLabel(resource: ResourceReview): string {
  // ["create","forget"]: a replacement that leaves the old object in place, no longer managed.
  const action = resource.actions.join(",") === "create,forget" ? "replace (old one forgotten)" : resource.action;
  if (!resource.importing) return action;
  return action === "no-op" ? "import" : `import, ${action}`;
}

function countsLine(counts: Counts): string {
  return `${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete, ${counts.import} to import`;
}

/** A finding as a list item; a blocking one says, on a continuation line, the entry that allows it. */
function findingLines(finding: Finding): string[] {
  if (finding.allowed) return [`- ⚠️ allowed by \`--allow-destroy\`: **${finding.stack}**: ${finding.message}`];
  return [`- ⛔ **${finding.stack}**: ${finding.message}`, `  If intended: \`--allow-destroy ${finding.allowDestroy}\`.`];
}

/** The PR comment. */
export function renderMarkdown(review: Review, options: MarkdownOptions = {}): string {
  const lines: string[] = [COMMENT_MARKER, "## Terraform plan review", ""];
  const blocking = review.findings.filter((f) => !f.allowed);
  const allowed = review.findings.filter((f) => f.allowed);
  if (blocking.length > 0) {
    lines.push(
      `⛔ **${blocking.length} ${blocking.length === 1 ? "change" : "changes"} would destroy data or weaken a table.** ` +
        "If that is intended, allow each address explicitly with `--allow-destroy <address>`.",
    );
  } else if (allowed.length > 0) {
    lines.push(`⚠️ **${allowed.length} destructive ${allowed.length === 1 ? "change is" : "changes are"} allowed explicitly.**`);
  } else {
    lines.push("✅ **No stateful resource is deleted or replaced.**");
  }
  lines.push("", "| Stack | Create | Update | Replace | Delete | Import |", "|---|---:|---:|---:|---:|---:|");
  for (const s of review.stacks) {
    const c = s.counts;
    lines.push(`| ${cell(s.stack)} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.import} |`);
  }
  if (review.findings.length > 0) {
    lines.push("", "### Destructive changes", "");
    for (const f of [...blocking, ...allowed]) lines.push(...findingLines(f));
  }
  for (const entry of review.unusedAllowDestroy) {
    lines.push("", `Note: \`--allow-destroy ${entry}\` matched no destructive change.`);
  }
  for (const s of review.stacks) {
    lines.push("", `### ${s.stack}`, "", `**Plan:** ${countsLine(s.counts)}`);
    if (s.resources.length === 0) {
      lines.push("", "No changes.");
      continue;
    }
    lines.push("", "| Action | Resource | Name |", "|---|---|---|");
    for (const r of s.resources) {
      lines.push(`| ${actionLabel(r)} | ${cell(code(r.address))} | ${r.name === undefined ? "" : valueCell(r.name)} |`);
    }
    const changed = s.resources.filter((r) => r.attributes.length > 0);
    if (changed.length > 0) {
      lines.push(
        "",
        `<details><summary>Changed attributes (${changed.length} ${changed.length === 1 ? "resource" : "resources"})</summary>`,
      );
      for (const r of changed) {
        const forced = r.replacePaths.length > 0 ? `; replacement forced by ${r.replacePaths.map(code).join(", ")}` : "";
        lines.push("", `**${code(r.address)}** (${actionLabel(r)}${forced})`, "", "| Attribute | Before | After |", "|---|---|---|");
        for (const a of r.attributes) {
          lines.push(`| ${cell(code(a.path))} | ${valueCell(a.before)} | ${valueCell(a.after)} |`);
        }
      }
      lines.push("", "</details>");
    }
  }
  let text = lines.join("\n") + "\n";
  const max = options.maxChars ?? Infinity;
  if (text.length > max) {
    const note = "\n\n… (cut: the review is too long for a comment; see the job summary or run `npm run plan:review` locally)\n";
    text = text.slice(0, Math.max(0, max - note.length)) + note;
  }
  return text;
}

/** Version of the JSON document; raised on any incompatible change. */
export const JSON_SCHEMA_VERSION = 1;

/**
 * The `--json` document (schemaVersion 1):
 *
 * ```
 * {
 *   "schemaVersion": 1,
 *   "exitCode": 0 | 1,                    // 1 when a finding is not allowed
 *   "totals": { "create", "update", "replace", "delete", "import" },   // numbers
 *   "stacks": [{
 *     "stack": string, "file": string, "terraformVersion": string | null,
 *     "counts": { "create", "update", "replace", "delete", "import" },
 *     "resources": [{
 *       "address": string, "type": string,
 *       "name": string | null,            // "(sensitive)" when the plan marks it sensitive
 *       "action": "create" | "update" | "replace" | "delete" | "read" | "forget" | "no-op",
 *       "actions": string[],              // Terraform's own list, e.g. ["delete","create"]
 *       "importing": boolean, "actionReason": string | null,
 *       "replacePaths": string[],         // e.g. ["range_key"]
 *       "attributes": [{ "path": string, "before": string, "after": string }]   // masked display text
 *     }]
 *   }],
 *   "findings": [{
 *     "stack": string, "address": string, "type": string, "name": string | null,
 *     "kind": "delete" | "replace" | "pitr-disabled" | "sse-disabled" | "protection-disabled" | "replica-removed" | "key-disabled",
 *     "attributes": string[], "message": string (Markdown),
 *     "allowDestroy": string,             // the entry that allows it: "<stack>:<address>"
 *     "allowed": boolean
 *   }],
 *   "unusedAllowDestroy": string[]
 * }
 * ```
 */
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
      resources: s.resources.map((r) => ({
        address: r.address,
        type: r.type,
        name: r.name ?? null,
        action: r.action,
        actions: r.actions,
        importing: r.importing,
        actionReason: r.actionReason ?? null,
        replacePaths: r.replacePaths,
        attributes: r.attributes,
      })),
    })),
    findings: review.findings.map((f) => ({
      stack: f.stack,
      address: f.address,
      type: f.type,
      name: f.name ?? null,
      kind: f.kind,
      attributes: f.attributes,
      message: f.message,
      allowDestroy: f.allowDestroy,
      allowed: f.allowed,
    })),
    unusedAllowDestroy: review.unusedAllowDestroy,
  };
}

export function renderJson(review: Review): string {
  return JSON.stringify(toJsonDocument(review), null, 2) + "\n";
}
