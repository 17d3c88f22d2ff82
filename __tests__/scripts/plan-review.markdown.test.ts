/**
 * The review's Markdown, read back by a real parser (markdown-it, GFM tables, raw HTML on and
 * linkify on as GitHub renders comments): plan values are text in their own cells, never markup.
 *
 * The property test renders seeded random hostile strings (backtick runs, `<!--`, `</details>`, CR,
 * LF, CRLF, `|`, `\`, `@name`, `#123`, images, `javascript:` links, bidi overrides, zero-width and
 * control characters, very long values) as a `for_each` key, a tag key (an attribute name), a tag
 * value, a resource name and an `action_reason`, through the whole command (`runPlanReview`), and
 * checks the comment and the whole review. markdown-it splits table cells as cmark-gfm (GitHub's
 * parser) does, also for a `\` before an escaped `|`; micromark does not (it reads `\\|` as an escaped
 * backslash and a cell break), which is why the escaping is proven against markdown-it and was checked
 * by hand against `cmark-gfm` 0.29.0.gfm.6 (Debian's package).
 *
 * HAND-WRITTEN MINIMAL OBJECTS: the plans are small hand-made subsets of `terraform show -json`.
 */
import MarkdownIt from "markdown-it";
import { CliIo, runPlanReview } from "../../scripts/lib/plan-review/cli";
import { code, fixed, md, tableRow, visible } from "../../scripts/lib/plan-review/markdown";
import { FINDING_ADDRESS_LENGTH } from "../../scripts/lib/plan-review/analyse";
import { COMMENT_MARKER, TABLE_NAME_LENGTH, TABLE_VALUE_LENGTH } from "../../scripts/lib/plan-review/render";

const parser = new MarkdownIt({ html: true, linkify: true });
type Token = ReturnType<typeof parser.parse>[number];

/** The HTML the comment itself writes: the only HTML a parse may find. */
const OWN_HTML = [COMMENT_MARKER, /^<details><summary>Changed attributes \(\d+ resources?\)<\/summary>$/, "</details>"];

/** A deterministic generator (mulberry32): the same seed gives the same cases on every machine. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEED = 0x25c0ffee;
export const CASES = 200;

const FRAGMENTS = [
  "`", "``", "```", "````", "` `", "<!--", "-->", "</details>", "<details>", "<summary>x</summary>", "<img src=x onerror=alert(1)>",
  "\r", "\n", "\r\n", "\n\n", "|", "\\", "\\|", "\\\\|", "||", "@octocat", "@bandup/team", "#123", "GH-1", "![x](http://t.example/p.png)",
  "[a](javascript:alert(1))", "<http://evil.example>", "http://evil.example/x", "www.evil.example", "a@b.co", "\u202e", "\u202d", "\u2066",
  "\u200b", "\u200d", "\ufeff", "\u0000", "\u0007", "\u001b[31m", "\u0085", "\u009b", "\u2028", "\u2029", "\u00a0", "\ud800", "*", "**", "_",
  "~~", ":+1:", "&amp;", "&#124;", "&lt;", "$x$", "[^1]", "- ", "1. ", "> ", "# ", "    ", " ", "=", "---", "{{x}}", "%", "\t", "😀", "é",
  "x".repeat(40),
];

function hostile(random: () => number): string {
  if (random() < 0.06) return "<!-- ".repeat(1 + Math.floor(random() * 3)) + "y`".repeat(2000 + Math.floor(random() * 3000));
  const parts = 1 + Math.floor(random() * 6);
  let text = "";
  for (let i = 0; i < parts; i++) text += FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
  return text;
}

interface Case {
  readonly key: string;
  readonly tagKey: string;
  readonly tagValue: string;
  readonly name: string;
  readonly reason: string;
}

/** A plan with a protection drop on a table with a hostile `for_each` key, tag and name, a hostile queue deletion and replacement reason. */
function planOf(c: Case): string {
  const table = `aws_dynamodb_table.t[${JSON.stringify(c.key)}]`;
  return JSON.stringify({
    format_version: "1.2",
    resource_changes: [
      {
        address: table,
        type: "aws_dynamodb_table",
        mode: "managed",
        change: {
          actions: ["update"],
          before: { name: c.name, deletion_protection_enabled: true, tags: { [c.tagKey]: "old" } },
          after: { name: c.name, deletion_protection_enabled: false, tags: { [c.tagKey]: c.tagValue } },
        },
      },
      { address: "aws_sqs_queue.q", type: "aws_sqs_queue", mode: "managed", change: { actions: ["delete"], before: { name: c.name }, after: null } },
      {
        address: "aws_cloudwatch_log_group.l",
        type: "aws_cloudwatch_log_group",
        mode: "managed",
        action_reason: c.reason,
        change: { actions: ["delete", "create"], before: { name: "/aws/lambda/f" }, after: { name: "/aws/lambda/f" } },
      },
    ],
  });
}

/** The command, in-process: its exit code, stdout and the files it writes. */
function run(plan: string, args: readonly string[]): { code: number; stdout: string; files: Map<string, string> } {
  let stdout = "";
  const files = new Map<string, string>();
  const io: CliIo = {
    readFile: () => plan,
    writeFile: (path, text) => files.set(path, text),
    appendFile: (path, text) => files.set(path, (files.get(path) ?? "") + text),
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
  };
  const code = runPlanReview([...args, "--stack", "bandup-prod=plan.json"], io);
  return { code, stdout, files };
}

function inlineChildren(tokens: Token[]): Token[] {
  return tokens.flatMap((t) => (t.type === "inline" ? (t.children ?? []) : [t]));
}

/** The tables of a document: each a list of rows, each row a list of cells, each cell its inline tokens. */
function tables(tokens: Token[]): Token[][][][] {
  const out: Token[][][][] = [];
  let table: Token[][][] | undefined;
  let row: Token[][] | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === "table_open") table = [];
    else if (t.type === "table_close") {
      out.push(table!);
      table = undefined;
    } else if (t.type === "tr_open") row = [];
    else if (t.type === "tr_close") {
      table!.push(row!);
      row = undefined;
    } else if ((t.type === "th_open" || t.type === "td_open") && row) row.push(tokens[i + 1].type === "inline" ? (tokens[i + 1].children ?? []) : []);
  }
  return out;
}

/** The inline tokens of the list items of a document. */
function listItems(tokens: Token[]): Token[][] {
  const items: Token[][] = [];
  let depth = 0;
  let current: Token[] = [];
  for (const t of tokens) {
    if (t.type === "list_item_open") {
      depth += 1;
      current = [];
    } else if (t.type === "list_item_close") {
      depth -= 1;
      items.push(current);
    } else if (depth > 0 && t.type === "inline") current.push(...(t.children ?? []));
  }
  return items;
}

/** Checks that hold for any document the review writes. */
function expectSafe(document: string): Token[] {
  const tokens = parser.parse(document, {});
  const all = inlineChildren(tokens);
  for (const t of [...tokens, ...all]) {
    if (t.type === "html_block" || t.type === "html_inline") {
      const html = t.content.trim();
      expect(OWN_HTML.some((own) => (typeof own === "string" ? own === html : own.test(html)))).toBe(true);
    }
    expect(["link_open", "image", "fence", "code_block"]).not.toContain(t.type);
  }
  // Text outside code: no mention, no issue reference, no character a value could have brought.
  for (const t of all.filter((t) => t.type === "text")) {
    expect(t.content).not.toMatch(/@[A-Za-z0-9]|#\d|[<>`|\\]|[\p{Cc}\p{Cf}]/u);
  }
  // Every table keeps its shape: each row has the header's number of cells.
  for (const table of tables(tokens)) for (const row of table) expect(row).toHaveLength(table[0].length);
  return tokens;
}

/** The text of a cell that holds exactly one code span (and nothing else). */
function codeCell(cell: Token[]): string {
  expect(cell.map((t) => t.type)).toEqual(["code_inline"]);
  return cell[0].content;
}

function pathOf(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `tags.${key}` : `tags.${JSON.stringify(key)}`;
}

function checkCase(c: Case): void {
  const plan = planOf(c);
  const commented = run(plan, []);
  expect(commented.code).toBe(1);
  const comment = commented.stdout;
  expect(comment.length).toBeLessThanOrEqual(65_000);
  const address = `aws_dynamodb_table.t[${JSON.stringify(c.key)}]`;
  const whole = run(plan, ["--full-output", "full.md"]);
  expect(whole.code).toBe(1);
  const full = whole.files.get("full.md") ?? "";
  for (const document of [comment, full]) {
    const tokens = expectSafe(document);
    // Every finding still visible: the three blocking ones, each its own list item, in the comment too.
    const items = listItems(tokens).filter((item) => item.some((t) => t.type === "text" && t.content.startsWith("⛔")));
    expect(items).toHaveLength(3);
    expect(items[0].filter((t) => t.type === "code_inline")[1].content).toBe(visible(address, FINDING_ADDRESS_LENGTH));
    expect(items[0].some((t) => t.type === "text" && t.content === "deletion protection is turned off")).toBe(true);
    expect(items[1].some((t) => t.type === "text" && t.content === "deleted")).toBe(true);
    expect(items[2].some((t) => t.type === "code_inline" && t.content === visible(c.reason))).toBe(c.reason !== "");
  }
  const [summary, resources, attributes] = tables(parser.parse(full, {}));
  expect(codeCell(summary[1][0])).toBe("bandup-prod");
  // The resource table: one row per resource, the address and name each once, as text, in their cells.
  expect(resources).toHaveLength(4);
  expect(codeCell(resources[1][1])).toBe(visible(address, TABLE_NAME_LENGTH));
  if (c.name !== "") expect(codeCell(resources[1][2])).toBe(visible(c.name, TABLE_VALUE_LENGTH));
  // The attribute table of the table: the tag's path and its new value, each once, in their cells.
  const tagRow = attributes.find((row) => row[0].length === 1 && row[0][0].content === visible(pathOf(c.tagKey), TABLE_NAME_LENGTH));
  expect(tagRow).toBeDefined();
  expect(codeCell(tagRow![2])).toBe(visible(JSON.stringify(c.tagValue), TABLE_VALUE_LENGTH));
}

describe(`seeded hostile strings through the whole review (seed ${SEED.toString(16)}, ${CASES} cases)`, () => {
  const random = generator(SEED);
  const cases: Case[] = Array.from({ length: CASES }, () => ({
    key: hostile(random),
    tagKey: hostile(random),
    tagValue: hostile(random),
    name: hostile(random),
    reason: hostile(random),
  }));

  test("each value is text exactly once in its cell, tables keep their shape, no HTML, link, image or mention from a value, every finding visible", () => {
    for (const c of cases) {
      try {
        checkCase(c);
      } catch (error) {
        throw new Error(`case ${JSON.stringify(c).slice(0, 400)}: ${(error as Error).message}`);
      }
    }
  });
});

describe("the Markdown builder", () => {
  test("a code span's fence is longer than any backtick run inside; a value starting or ending with one is padded", () => {
    expect(code("a").text).toBe("`a`");
    expect(code("a``b").text).toBe("```a``b```");
    expect(code("`").text).toBe("`` ` ``");
    expect(code(" a ").text).toBe("`  a  `");
    expect(code("   ").text).toBe("`   `");
    expect(code("").text).toBe("(empty)");
    for (const value of ["`", "a``b", " a ", "``x` ", "   "]) {
      expect(parser.parseInline(code(value).text, {})[0].children!.map((t) => [t.type, t.content])).toEqual([["code_inline", value]]);
    }
  });

  test("invisible characters become visible escapes; a cut value ends with … and never splits an escape", () => {
    expect(visible("a\r\nb\u202ec\u200bd\u0000\u0085\ud800😀")).toBe("a\\u000D\\u000Ab\\u202Ec\\u200Bd\\u0000\\u0085\\uD800😀");
    expect(visible("\u00a0 \u3000")).toBe("\\u00A0 \\u3000");
    expect(visible("abcdef", 4)).toBe("abc…");
    expect(visible("ab\u202e", 6)).toBe("ab…");
    expect(visible("abc", 3)).toBe("abc");
  });

  test("fixed text cannot hold what could start HTML, a link or an escape; numbers and values can go in", () => {
    expect(() => fixed("<b>")).toThrow("fixed Markdown text holds a character it may not");
    expect(() => fixed("[x]")).toThrow();
    expect(md`${3} in ${"<b>"}`.text).toBe("3 in `<b>`");
  });

  test("a table row keeps its column count and escapes every | (as cmark-gfm and markdown-it read it, a backslash before it included)", () => {
    expect(() => tableRow(2, [md`a`])).toThrow("a table row of 1 cells in a table of 2 columns");
    const row = tableRow(2, [code("a\\|b"), code("|")]);
    expect(row).toBe("| `a\\\\|b` | `\\|` |");
    const [table] = tables(parser.parse(`| x | y |\n|---|---|\n${row}\n`, {}));
    expect(table[1].map(codeCell)).toEqual(["a\\|b", "|"]);
  });
});
