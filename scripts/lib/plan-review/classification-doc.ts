/**
 * docs/plan-review-classification.md, generated from the classification table: what blocks, what
 * needs review and why, per resource type. __tests__/scripts/plan-review.test.ts fails when the file
 * and the table differ (`UPDATE_CLASSIFICATION_DOC=1` rewrites it).
 */
import { AttributeRule, BlockRule, CLASSIFICATION, Direction, HOLDS_NOTHING, isBlockRule, REPLACES_WHY, ResourceRule } from "./classification";

/** How a loss rule's move reads in the document. */
function moveText(direction: Direction): string {
  switch (direction.kind) {
    case "turned-off":
      return "`true` → anything else (`false`, null)";
    case "turned-on":
      return "anything else → `true`";
    case "lowered":
      return `shorter (null is ${direction.unset === "unlimited" ? "no limit" : direction.unset}${direction.unlimited ? `, ${direction.unlimited.join(", ")} is no limit` : ""})`;
    case "changed":
      return "a set value changed (null included)";
    case "left":
      return `${direction.values.map((v) => `\`${v}\``).join(" or ")} → anything else`;
  }
}

function conditionText(rule: AttributeRule): string {
  const condition = rule.onlyIf;
  if (condition === undefined) return "";
  return condition.kind === "sibling-is"
    ? ` while \`${condition.attribute}\` is \`${JSON.stringify(condition.value)}\``
    : ` when the resource has \`${condition.attribute}\` blocks`;
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function resourceLine(action: string, rule: ResourceRule): string {
  const verdict = rule.class === "loss" ? "**blocks**" : rule.class === "review" ? "needs review" : "safe";
  return `| ${action} | ${verdict} | ${cell(rule.why.replace(/\{subject\}/g, "it").replace(/\{deletion_window_in_days\}/g, "its waiting period"))} |`;
}

/** The document. */
export function classificationDoc(): string {
  const out: string[] = [
    "# What the plan review blocks, and why",
    "",
    "<!-- Generated from scripts/lib/plan-review/classification.ts by scripts/lib/plan-review/classification-doc.ts;",
    "     __tests__/scripts/plan-review.test.ts fails when they differ (UPDATE_CLASSIFICATION_DOC=1 rewrites this file). -->",
    "",
    "Every resource type that holds data or access, and every attribute of it, is in one table",
    "(`scripts/lib/plan-review/classification.ts`). A change **blocks** (exit 1) when it loses data or",
    "access, until the entry the finding names accepts it (`--allow-destroy <stack>:<address>` for a",
    "delete or replacement, `--allow-loss <stack>:<address>:<attribute>` for an attribute). A change that",
    "**needs review** is listed for a reviewer and does not block. An attribute the table does not",
    "classify needs review (deny by default), and a test fails when the pinned provider has one.",
    "",
    `${Object.keys(CLASSIFICATION).length} types, ${Object.values(CLASSIFICATION).reduce((n, c) => n + Object.keys(c.attributes).length, 0)} entries.`,
  ];
  for (const [type, classification] of Object.entries(CLASSIFICATION)) {
    const entries = Object.entries(classification.attributes);
    const losses = entries.filter(([, rule]) => (isBlockRule(rule) ? rule.removed.class === "loss" : rule.class === "loss"));
    const reviews = entries.filter(([, rule]) => !isBlockRule(rule) && rule.class === "review" && rule.why !== REPLACES_WHY);
    const replacing = entries.filter(([, rule]) => !isBlockRule(rule) && rule.why === REPLACES_WHY);
    const blockReviews = entries.filter(([, rule]) => isBlockRule(rule) && rule.removed.class !== "loss" && (rule.removed.class === "review" || rule.added.class === "review"));
    const safe = entries.filter(([, rule]) => (isBlockRule(rule) ? rule.removed.class === "safe" && rule.added.class === "safe" : rule.class === "safe"));
    out.push("", `## \`${type}\` (${classification.kind})`, "", `Holds ${classification.holds}.`, "", "| change | verdict | why |", "|---|---|---|");
    out.push(resourceLine("delete", classification.delete), resourceLine("replace", classification.replace));
    for (const [path, rule] of losses) {
      if (isBlockRule(rule)) {
        out.push(`| \`${path}\`: an element removed | **blocks** | ${cell(rule.removed.why)} |`);
      } else {
        out.push(`| \`${path}\`: ${moveText(rule.loses!)}${conditionText(rule)} | **blocks** | ${cell(rule.why)}${rule.otherwise === "review" ? " (otherwise: needs review)" : ""} |`);
      }
    }
    for (const [path, rule] of reviews) {
      const reviewRule = rule as AttributeRule;
      out.push(`| \`${path}\`${reviewRule.subtree ? " and everything in it" : ""} | needs review | ${cell(reviewRule.why)} |`);
    }
    for (const [path, rule] of blockReviews) {
      const block = rule as BlockRule;
      for (const [event, verdict] of [["removed", block.removed], ["added", block.added]] as const) {
        if (verdict.class === "review") out.push(`| \`${path}\`: an element ${event} | needs review | ${cell(verdict.why)} |`);
      }
    }
    if (replacing.length > 0) {
      out.push("", `Replace the resource when changed (the replace rule above), and need review if one ever changes in place: ${replacing.map(([path]) => `\`${path}\``).join(", ")}.`);
    }
    if (safe.length > 0) out.push("", `Safe to change in place: ${safe.map(([path]) => `\`${path}\``).join(", ")}.`);
  }
  out.push("", "## Types that hold nothing", "", ...Object.entries(HOLDS_NOTHING).map(([type, why]) => `- \`${type}\`: ${why}.`));
  return `${out.join("\n")}\n`;
}
