/** Text measures shared by the handlers. */

/** Words: runs of letters/digits, with inner apostrophes or hyphens ("don't", "well-known" count once). */
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Number of words in `text`. */
export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/**
 * The rule every id and key follows: no lone UTF-16 surrogate. A lone surrogate is half a
 * character; DynamoDB and S3 store text as UTF-8, where it becomes U+FFFD, so "victim\uD800" and
 * "victim\uFFFD" would name the same item.
 */
export const WELL_FORMED_RULE = "must be well-formed Unicode (no lone UTF-16 surrogate, which would be stored as U+FFFD)";

const LONE_SURROGATE = /\p{Cs}/u;

/** True when `text` has no lone surrogate (`String.prototype.isWellFormed`, also on older runtimes). */
export function isWellFormedUnicode(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
