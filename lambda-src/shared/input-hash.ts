/**
 * The payload validation hash of a job (as Powertools' idempotency utility keeps one): SHA-256 of
 * the job's input, stored on its record as `input_hash`. A job id used again with other input (an
 * evaluation id with another essay, a set id with another document) has another hash and is
 * refused instead of answered with the first input's result.
 */
import { createHash } from "node:crypto";

/** What `inputHash` returns: 64 lower-case hex digits. */
export const INPUT_HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * SHA-256 (hex) of `fields`, JSON-encoded with its keys sorted, so the same input gives the same
 * hash whatever the order its fields were written in. `kind` (e.g. "writing") is part of it.
 */
export function inputHash(kind: string, fields: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((name) => [name, fields[name]]);
  return createHash("sha256").update(JSON.stringify([kind, sorted])).digest("hex");
}
