/** Text measures shared by the handlers. */

/** Words: runs of letters/digits, with inner apostrophes or hyphens ("don't", "well-known" count once). */
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Number of words in `text`. */
export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}
