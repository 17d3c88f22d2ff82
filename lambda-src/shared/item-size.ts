/**
 * DynamoDB item size, computed the way DynamoDB bills and limits it, so an oversized write is refused
 * before it is sent (DynamoDB would otherwise reject it with a generic ValidationException, after a
 * round trip, and for UpdateItem only once the merged item is too large).
 *
 * Rules (DynamoDB developer guide, "Item sizes and formats"):
 * - every attribute costs the UTF-8 length of its name plus the size of its value;
 * - String: UTF-8 bytes; Binary: raw bytes; Boolean and Null: 1 byte;
 * - Number: about 1 byte per two significant digits, plus 1 byte (an approximation, as documented);
 * - List and Map: 3 bytes plus 1 byte per element, plus the elements (and, for Map, the key names);
 * - Sets: the sum of their elements.
 */

/** DynamoDB's maximum item size: 400 KB, names and values included. */
export const MAX_ITEM_SIZE_BYTES = 400 * 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** Size of a Number: 1 byte per two significant digits (leading and trailing zeros trimmed), plus 1. */
export function numberSizeBytes(value: number | bigint): number {
  const raw = typeof value === "bigint" ? value.toString() : Math.abs(value).toExponential();
  const mantissa = typeof value === "bigint" ? raw.replace(/^-/, "") : raw.split("e")[0];
  const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Size in bytes of one attribute value (without its name), as the document client would marshall it. */
export function valueSizeBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "string") return utf8Bytes(value);
  if (typeof value === "number" || typeof value === "bigint") return numberSizeBytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let total = 0;
    for (const element of value) total += valueSizeBytes(element);
    return total;
  }
  if (Array.isArray(value)) {
    return value.reduce<number>((total, element) => total + 1 + valueSizeBytes(element), 3);
  }
  if (typeof value === "object") {
    let total = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      total += 1 + utf8Bytes(name) + valueSizeBytes(element);
    }
    return total;
  }
  throw new TypeError(`cannot size a value of type ${typeof value}`);
}

/** Size in bytes of a whole item: for each attribute, its name's UTF-8 bytes plus its value's size. */
export function itemSizeBytes(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name) + valueSizeBytes(value);
  }
  return total;
}
