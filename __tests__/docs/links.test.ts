/**
 * The documentation's links and code blocks: in README.md, docs/*.md and constructs/README.md, every
 * relative link names a file or folder that exists, every `#anchor` names a heading of its target
 * (GitHub's heading ids), and every fenced code block is closed.
 */
import { existsSync, statSync } from "fs";
import { dirname, join, normalize } from "path";
import { docsFiles, PROJECT_ROOT, readDoc } from "../support/docs";

const DOCUMENTS = ["README.md", ...docsFiles(), "constructs/README.md"];

/** A fenced block's opening or closing line: 3 or more backticks or tildes, up to 3 spaces in. */
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * The lines outside fenced code blocks (fenced lines blanked, so line numbers hold), and the line of
 * a fence left open, if any. An inner fence in a block closes it only with at least as many of the
 * same character and nothing after it (CommonMark); one with an info string (```ts) there means the
 * block before it was never closed, though a later bare fence closes it.
 */
function outsideCode(text: string): { lines: string[]; unclosedAt?: number } {
  const lines = text.split("\n");
  let open: { fence: string; line: number } | undefined;
  let unclosedAt: number | undefined;
  const result = lines.map((line, index) => {
    const fence = FENCE.exec(line);
    if (open) {
      if (fence && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length) {
        if (fence[2].trim() === "") open = undefined;
        // An opening fence (with an info string) inside a block: the block before it was left open.
        else if (unclosedAt === undefined) unclosedAt = open.line;
      }
      return "";
    }
    if (fence) {
      open = { fence: fence[1], line: index + 1 };
      return "";
    }
    return line;
  });
  return { lines: result, unclosedAt: unclosedAt ?? open?.line };
}

/** GitHub's id of a heading: lower case, punctuation dropped (but `-` and `_`), spaces as `-`; repeats get `-1`, `-2`... */
function headingIds(text: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideCode(text).lines) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Every inline link `[text](target)` outside code (blocks and spans), with its line. */
function links(text: string): { target: string; line: number }[] {
  return outsideCode(text).lines.flatMap((line, index) =>
    [...line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^()\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({ target: match[1], line: index + 1 })),
  );
}

describe.each(DOCUMENTS)("%s", (document) => {
  const text = readDoc(document);

  test("every fenced code block is closed", () => {
    expect(outsideCode(text).unclosedAt).toBeUndefined();
  });

  test("every relative link names a path that exists, and every #anchor a heading of its target", () => {
    const broken: string[] = [];
    for (const { target, line } of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split("#", 2);
      const file = path === "" ? document : normalize(join(dirname(document), decodeURIComponent(path)));
      if (file.startsWith("..") || !existsSync(join(PROJECT_ROOT, file))) {
        broken.push(`${document}:${line}: ${target} (no such path)`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(join(PROJECT_ROOT, file)).isDirectory() || !file.endsWith(".md")) {
        broken.push(`${document}:${line}: ${target} (an anchor into a file that is not Markdown)`);
      } else if (!headingIds(readDoc(file)).has(anchor)) {
        broken.push(`${document}:${line}: ${target} (${file} has no heading with that id)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

test("GitHub's heading ids: punctuation dropped, spaces as -, repeats numbered", () => {
  expect([...headingIds("# Moving to CDK Terrain\n## `npm run environments`\n```\n# not a heading\n```\n## Step 1: the core only\n## Step 1: the core only\n")]).toEqual([
    "moving-to-cdk-terrain",
    "npm-run-environments",
    "step-1-the-core-only",
    "step-1-the-core-only-1",
  ]);
});

test("a block left open is found, with the line it opens on", () => {
  expect(outsideCode("text\n```ts\ncode\n\n## Next\n").unclosedAt).toBe(2);
  expect(outsideCode("````markdown\n```\ninner\n```\n````\n").unclosedAt).toBeUndefined();
  // constructs/README.md's OperationsDashboard example, before it was closed: the next example's fence closed it.
  expect(outsideCode("```ts\nnew A();\n\n## B\n\n```ts\nnew B();\n```\n").unclosedAt).toBe(1);
});
