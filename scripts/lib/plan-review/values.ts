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

/** An object's own member (`undefined` when absent: never one inherited from Object.prototype). */
export function member(value: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(value, key) ? value[key] : undefined;
}

/** The part of a marker tree that applies to a child (`true` covers everything below it). */
export function child(marker: unknown, key: string | number): unknown {
  if (marker === true) return true;
  if (Array.isArray(marker) && typeof key === "number") return marker[key];
  // Own members only: a map key such as `constructor` must not find Object.prototype's.
  if (isObject(marker) && typeof key === "string") return member(marker, key);
  return undefined;
}

/**
 * Sets a member as an own property, whatever its name: a map key `__proto__` set with `=` would
 * change the object's prototype instead, and the member (a mark, a value) would be lost.
 */
export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Shown instead of a value Terraform marks sensitive (and instead of a secret in any printed text). */
export const SENSITIVE = "(sensitive)";
/** Shown instead of a value that is unknown until apply. */
export const UNKNOWN = "(known after apply)";
/** Shown for an attribute that is absent or null. */
export const ABSENT = "(none)";
