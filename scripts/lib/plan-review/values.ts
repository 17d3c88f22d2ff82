/**
 * Helpers for the JSON values of a plan and their marker trees (`before_sensitive`,
 * `after_sensitive`, `after_unknown`: `true` marks a value, objects and lists hold their members' marks).
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isAbsent(value: unknown): boolean {
  return value === null || value === undefined;
}

/** The part of a marker tree that applies to a child (`true` covers everything below it). */
export function child(marker: unknown, key: string | number): unknown {
  if (marker === true) return true;
  if (Array.isArray(marker) && typeof key === "number") return marker[key];
  if (isObject(marker) && typeof key === "string") return marker[key];
  return undefined;
}
