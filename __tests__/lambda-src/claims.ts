/** Claims for the repository tests: an attempt's id, its clock and lease, and the input's hash. */
import type { Claim } from "../../lambda-src/data/job-records";
import { inputHash } from "../../lambda-src/shared/input-hash";

/** 2024-12-08T08:00:00Z in ms: the tests' "now". */
export const NOW_MS = 1733644800_000;

/** The hash of a test input named `name`. */
export const hashOf = (name: string): string => inputHash("test", { name });

/** A claim by `holder` at `nowMs` with a 60 s lease, for the input "default" unless told. */
export function claim(overrides: Partial<Claim> = {}): Claim {
  const nowMs = overrides.nowMs ?? NOW_MS;
  return { holder: "attempt-1", nowMs, leaseExpiresAtMs: nowMs + 60_000, inputHash: hashOf("default"), ...overrides };
}
