/**
 * The one path by which text reaches the review's Markdown. Plan values (addresses, `for_each` keys,
 * names, attribute paths and values, reasons) are never concatenated into Markdown: they become
 * `Markdown` only through `code()` (or a `md` template's interpolation, which calls it), and blocks are
 * built only from `Markdown` and fixed text written here or in the renderer.
 *
 * Why code spans, not escaped text: GitHub turns `@name` into a mention, `#123` into a link, `www.x`
 * and `a@b.c` into links in text even when they are backslash-escaped (its filters run on the HTML),
 * but never inside `<code>`. Inside a code span only three things can break out, and each is handled:
 * - a backtick run as long as the fence: the fence is one backtick longer than the longest run inside,
 *   with a space of padding where the value starts or ends with a backtick or space (CommonMark strips
 *   exactly one on each side);
 * - a line ending (which also ends a table row): every control, format, separator and other invisible
 *   character (C0, DEL, C1, U+2028/2029, bidi overrides such as U+202E, zero-width characters, lone
 *   surrogates, unassigned code points, spaces other than U+0020) is replaced by a visible `\uXXXX`;
 * - in a table, `|` (GFM splits cells before it parses code spans): every `|` of a row is written
 *   `\|`, which cmark-gfm (GitHub's parser) and markdown-it read as a `|` of the cell, even after a
 *   backslash (checked against both: see __tests__/scripts/plan-review.markdown.test.ts).
 * Raw HTML is written only from the fixed strings of this module (`COMMENT_MARKER`, `detailsOpen`,
 * `DETAILS_CLOSE`); fixed text is checked to hold no character that could start HTML, a link or an
 * escape, so a code span after it is always a code span.
 *
 * The alternative, an mdast tree serialised by `mdast-util-to-markdown` with `mdast-util-gfm-table`,
 * was tried and rejected: those packages are ESM-only and fail to load under jest with @swc/jest (CJS),
 * and even under Node they keep a CR/LF inside an inline code node (a new table row), write `\|` for a
 * `\|` inside code (GitHub shows `|`, losing the backslash) and leave mentions and autolinks in text.
 */

/** Inline Markdown on one line, safe to put anywhere a line of inline content goes. */
export class Markdown {
  private constructor(readonly text: string) {}

  /** @internal the only constructor; used by this module's builders. */
  static of(text: string): Markdown {
    return new Markdown(text);
  }
}

/** Shown for a value that is the empty string (an empty code span is no code span). */
export const EMPTY = Markdown.of("(empty)");

/** Characters that must not reach a reader as themselves: invisible, or able to end a line. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|(?! )\p{Zs}/u;

/** `\u202E` (or `\u{E0001}` beyond the BMP) for an invisible character. */
function escapeInvisible(char: string): string {
  const point = char.codePointAt(0)!;
  const hex = point.toString(16).toUpperCase();
  return point > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * The text with every invisible character replaced by its visible `\uXXXX`, cut to at most `max`
 * UTF-16 code units with `…` as the last one when cut (never inside an escape or a surrogate pair).
 */
export function visible(text: string, max = Infinity): string {
  if (text.length <= max && !INVISIBLE.test(text)) return text;
  let out = "";
  let previous = 0;
  for (const char of text) {
    const shown = INVISIBLE.test(char) ? escapeInvisible(char) : char;
    if (out.length + shown.length > max) return `${out.slice(0, out.length <= max - 1 ? out.length : previous)}…`;
    previous = out.length;
    out += shown;
  }
  return out;
}

/** A plan value as a code span: visible, shortened to `max` characters, never able to break out. */
export function code(value: string, max = Infinity): Markdown {
  const text = visible(value, max);
  if (text === "") return EMPTY;
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(longest + 1);
  const pad = /^`|`$/.test(text) || (/^ /.test(text) && / $/.test(text) && /[^ ]/.test(text)) ? " " : "";
  return Markdown.of(`${fence}${pad}${text}${pad}${fence}`);
}

/**
 * Characters fixed text may not hold: they could start HTML (`<`), a link or image (`[`, `]`), an
 * entity (`&`), an escape (`\`) or a table cell (`|`), or end the line.
 */
const UNSAFE_FIXED = /[<>[\]&\\|\r\n]/;

function checkFixed(text: string): string {
  if (UNSAFE_FIXED.test(text)) throw new Error(`fixed Markdown text holds a character it may not: ${JSON.stringify(text)}`);
  return text;
}

/** What a `md` template interpolates: Markdown as it is, a string as a plan value (a code span), a number. */
export type Inline = Markdown | string | number;

function inline(value: Inline): string {
  if (value instanceof Markdown) return value.text;
  if (typeof value === "number") return checkFixed(String(value));
  return code(value).text;
}

/**
 * Inline Markdown from fixed text and values: `` md`${address} turns **deletion protection off**` ``.
 * The template's own text is fixed Markdown (checked); every string interpolated is a plan value and
 * becomes a code span; `Markdown` is interpolated as it is.
 */
export function md(strings: TemplateStringsArray, ...values: readonly Inline[]): Markdown {
  let out = checkFixed(strings[0]);
  values.forEach((value, i) => {
    out += inline(value) + checkFixed(strings[i + 1]);
  });
  return Markdown.of(out);
}

/** Fixed text that is not a template (a constant chosen at run time): checked like a template's text. */
export function fixed(text: string): Markdown {
  return Markdown.of(checkFixed(text));
}

/** Markdown parts joined with a fixed separator (`", "`). */
export function join(parts: readonly Markdown[], separator: string): Markdown {
  return Markdown.of(parts.map((p) => p.text).join(checkFixed(separator)));
}

// ---------------------------------------------------------------------------------------------------
// Blocks: each returns the text of one complete block (no trailing newline).

export function heading(level: 2 | 3, content: Markdown): string {
  return `${"#".repeat(level)} ${content.text}`;
}

export function paragraph(content: Markdown): string {
  return content.text;
}

/** A list item; each continuation is a line of the same item (indented two spaces). */
export function listItem(first: Markdown, ...continuation: readonly Markdown[]): string {
  return [`- ${first.text}`, ...continuation.map((line) => `  ${line.text}`)].join("\n");
}

/** A table column: its fixed title and alignment. */
export interface Column {
  readonly title: string;
  readonly align?: "left" | "right";
}

/** The header and delimiter rows of a table. */
export function tableHead(columns: readonly Column[]): string {
  columns.forEach((c) => checkFixed(c.title));
  return [`| ${columns.map((c) => c.title).join(" | ")} |`, `|${columns.map((c) => (c.align === "right" ? "---:" : "---")).join("|")}|`].join("\n");
}

/** A table row of exactly `columns` cells; every `|` of a cell is written `\|`. */
export function tableRow(columns: number, cells: readonly Markdown[]): string {
  if (cells.length !== columns) throw new Error(`a table row of ${cells.length} cells in a table of ${columns} columns`);
  return `| ${cells.map((cell) => cell.text.replace(/\|/g, "\\|")).join(" | ")} |`;
}

/** First line of the comment: lets a bot find and update its own comment. */
export const COMMENT_MARKER = "<!-- bandup-plan-review -->";

/** `<details><summary>` with fixed words and numbers only: an HTML block's first line is not Markdown. */
export function detailsOpen(summary: string): string {
  if (!/^[A-Za-z0-9 (),.:-]*$/.test(summary)) throw new Error(`a details summary holds a character it may not: ${JSON.stringify(summary)}`);
  return `<details><summary>${summary}</summary>`;
}

export const DETAILS_CLOSE = "</details>";
