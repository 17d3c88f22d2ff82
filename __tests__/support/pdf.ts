/** Real PDFs made in the tests with pdf-lib: one page per entry, text wrapped to the page width. */
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A PDF whose pages hold `pages[i]` (Helvetica 11 pt, wrapped at ~90 characters, A4). */
export async function makePdf(pages: readonly string[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = doc.addPage([595, 842]);
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > 90) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) lines.push(line);
    lines.forEach((l, i) => page.drawText(l, { x: 40, y: 800 - i * 14, size: 11, font }));
  }
  return doc.save();
}

/**
 * The PDF text extractor as the Lambda runs it: lambda-src/flashcard-generator/pdf-text.ts bundled
 * by esbuild into CommonJS (as constructs/lambda-bundle.ts does), then required. Jest cannot run
 * unpdf straight from node_modules: unpdf loads PDF.js with a dynamic `import()` of an ES module,
 * which Jest's module system refuses without --experimental-vm-modules; the bundle turns it into a
 * plain require.
 */
export function loadBundledPdfExtractor(): typeof import("../../lambda-src/flashcard-generator/pdf-text") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const { mkdtempSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  const { tmpdir } = require("node:os") as typeof import("node:os");
  const root = join(__dirname, "..", "..");
  const result = buildSync({
    entryPoints: [join(root, "lambda-src", "flashcard-generator", "pdf-text.ts")],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    write: false,
    logLevel: "silent",
  });
  const file = join(mkdtempSync(join(tmpdir(), "pdf-text-")), "pdf-text.js");
  writeFileSync(file, result.outputFiles[0].contents);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}
