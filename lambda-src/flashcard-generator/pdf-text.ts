/**
 * Text of a PDF, page by page, with unpdf (the serverless build of Mozilla's PDF.js: no DOM, no
 * worker file, no native module), from the function's layer. It is required on the first call, not
 * at import, so a cold start that never sees a PDF does not pay for evaluating it.
 */
import { JobError } from "../shared/job";

export interface PdfText {
  pageCount: number;
  /** One string per page, whitespace collapsed. */
  pages: string[];
}

/** Reads every page's text; throws `JobError` for bytes that are not a readable PDF. */
export async function extractPdfText(bytes: Uint8Array, label: string): Promise<PdfText> {
  if (bytes.byteLength < 5 || Buffer.from(bytes.subarray(0, 1024)).indexOf("%PDF-") === -1) {
    throw new JobError(`${label} is not a PDF (no %PDF- header)`);
  }
  // Required here, not at import: `unpdf` (from the function's layer) is loaded on the first PDF.
  // require(), not import(): Lambda puts the layer on NODE_PATH, which only require() reads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { extractText, getDocumentProxy } = require("unpdf") as typeof import("unpdf");
  let result: { totalPages: number; text: string[] };
  try {
    // PDF.js may transfer (detach) the buffer it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, verbosity: 0 });
    try {
      result = await extractText(pdf, { mergePages: false });
    } finally {
      await pdf.destroy();
    }
  } catch (error) {
    const name = (error as Error).name;
    if (name === "PasswordException") throw new JobError(`${label} is password-protected; upload it without a password`);
    throw new JobError(`${label} could not be read as a PDF: ${name}: ${(error as Error).message}`);
  }
  return { pageCount: result.totalPages, pages: result.text.map((page) => page.replace(/\s+/g, " ").trim()) };
}
