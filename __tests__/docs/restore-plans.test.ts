/**
 * docs/operations.md against the plan counts __tests__/stacks/restore.terraform.test.ts asserts (both
 * read __tests__/support/restore-plans.ts): the runbook's table of steps, and the one plan line of
 * the history index change. No other `Plan:` line in those sections, so no count can be stated twice.
 */
import { expectMarkedBlock, readDoc } from "../support/docs";
import { INDEX_CHANGE_PLAN_SUMMARY, renderRestorePlansTable } from "../support/restore-plans";

const OPERATIONS = "docs/operations.md";

/** The text of a `## ` section of docs/operations.md, up to the next `## `. */
function section(title: string): string {
  const text = readDoc(OPERATIONS);
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`${OPERATIONS} has no section "## ${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Every `Plan: ...` summary line quoted in a text, a line break inside it read as a space. */
const planLines = (text: string) =>
  [...text.matchAll(/Plan:\s+\d+\s+to\s+add,\s+\d+\s+to\s+change,\s+\d+\s+to\s+destroy\./g)].map((m) => m[0].replace(/\s+/g, " "));

test("the runbook's table of steps is the plans' summary lines", () => {
  expectMarkedBlock(OPERATIONS, "restore plans", "checked by __tests__/docs/restore-plans.test.ts against __tests__/support/restore-plans.ts", renderRestorePlansTable());
});

test("the runbook quotes no plan line outside that table", () => {
  const text = section("Restoring a table");
  const table = text.slice(text.indexOf("<!-- BEGIN restore plans:"), text.indexOf("<!-- END restore plans -->"));
  expect(planLines(text.replace(table, ""))).toEqual([]);
});

test("the history index change quotes the plan line the test asserts, once", () => {
  expect(planLines(section("What the history index costs"))).toEqual([INDEX_CHANGE_PLAN_SUMMARY]);
});
