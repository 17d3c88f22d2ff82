/**
 * IELTS bands as the design stores them: strings with exactly one decimal, "0.0" to "9.0" in steps
 * of 0.5. Strings (not Numbers) because the design's items hold them that way and the app compares
 * them textually; a Number would also lose the trailing ".0".
 */

/** Every valid band, lowest first. */
export const BANDS = [
  "0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5",
  "5.0", "5.5", "6.0", "6.5", "7.0", "7.5", "8.0", "8.5", "9.0",
] as const;

/** A valid band string, e.g. "6.5". */
export type Band = (typeof BANDS)[number];

const BAND_SET: ReadonlySet<string> = new Set(BANDS);

/** True when `value` is a band string exactly as stored ("7.0", not "7" or 7). */
export function isBand(value: unknown): value is Band {
  return typeof value === "string" && BAND_SET.has(value);
}

/**
 * Converts a numeric band (as a model returns it, e.g. 7 or 6.5) into the stored form ("7.0",
 * "6.5"). Returns undefined when the number is not on the scale, so the caller decides whether to
 * fail the job or round; this layer never rounds silently.
 */
export function bandFromNumber(value: number): Band | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = value.toFixed(1);
  return isBand(text) && Number(text) === value ? text : undefined;
}

/** The wording used in every band error, so messages stay identical across fields. */
export const BAND_RULE = 'a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"';

/**
 * The overall band of four criteria bands as IELTS computes an overall band: their mean, rounded to
 * the nearest half band, a mean ending in .25 rounded up to the next half band and one ending in .75
 * up to the next whole band (ielts.org, "IELTS scoring in detail": "If the average of the four
 * sections ends in .25, the overall band score is rounded up to the next half band, and if it ends
 * in .75, the overall band score is rounded up to the next whole band"). IELTS states the rule for
 * the test's four skills; the handlers ask the model, and check its answer, by the same rule for
 * the four criteria of a Writing or Speaking answer. Exact: in half bands (integers 0-18) the mean is
 * `sum / 4` and the rounded one `floor((sum + 2) / 4)`, so e.g. 6.125 gives 6.0, 6.25 gives 6.5,
 * 6.625 gives 6.5, 6.75 gives 7.0.
 */
export function overallBand(criteria: readonly Band[]): Band {
  if (criteria.length !== 4) throw new RangeError(`overallBand: four criteria bands are needed; got ${criteria.length}`);
  const halves = criteria.reduce((sum, band) => sum + Number(band) * 2, 0);
  return BANDS[Math.floor((halves + 2) / 4)];
}
