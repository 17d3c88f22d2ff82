/**
 * The project's documentation as tests read it: README.md and docs/*.md, and the blocks in them that
 * a test renders from the code (`<!-- BEGIN <name>: ... -->` ... `<!-- END <name> -->`). A test
 * compares such a block with what the code produces now; with UPDATE_DOC_EXAMPLES=1 it writes the
 * block instead (then read the diff).
 */
import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";

export const PROJECT_ROOT = join(__dirname, "..", "..");

/** Set UPDATE_DOC_EXAMPLES=1 to rewrite the rendered blocks from the code instead of checking them. */
export const UPDATE_DOC_EXAMPLES = process.env.UPDATE_DOC_EXAMPLES === "1";

/** A documentation file's text, by its path from the project root (`README.md`, `docs/operations.md`). */
export function readDoc(path: string): string {
  return readFileSync(join(PROJECT_ROOT, path), "utf8");
}

/** The docs files, `docs/<name>.md`, sorted. */
export function docsFiles(): string[] {
  return readdirSync(join(PROJECT_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
}

/** Where a marked block sits in `text`: from its BEGIN comment to the end of its END comment. */
function blockBounds(text: string, path: string, name: string): { start: number; end: number } {
  const begin = `<!-- BEGIN ${name}:`;
  const endMarker = `<!-- END ${name} -->`;
  const start = text.indexOf(begin);
  const endAt = text.indexOf(endMarker);
  if (start < 0 || endAt < start) throw new Error(`${path} has no block "${begin} ... -->" ... "${endMarker}"`);
  if (text.indexOf(begin, start + 1) >= 0) throw new Error(`${path} has the block "${name}" twice`);
  return { start, end: endAt + endMarker.length };
}

/** The whole marked block, BEGIN and END comments included. */
export function markedBlock(path: string, name: string): string {
  const text = readDoc(path);
  const { start, end } = blockBounds(text, path, name);
  return text.slice(start, end);
}

/**
 * The block as it must read: `<!-- BEGIN <name>: <note> -->`, the body, `<!-- END <name> -->`.
 * Compares it with the file's block, or writes it there under UPDATE_DOC_EXAMPLES=1.
 */
export function expectMarkedBlock(path: string, name: string, note: string, body: string): void {
  const expected = [`<!-- BEGIN ${name}: ${note} -->`, body, `<!-- END ${name} -->`].join("\n");
  if (UPDATE_DOC_EXAMPLES) {
    const text = readDoc(path);
    const { start, end } = blockBounds(text, path, name);
    writeFileSync(join(PROJECT_ROOT, path), text.slice(0, start) + expected + text.slice(end));
    return;
  }
  expect(markedBlock(path, name)).toBe(expected);
}
