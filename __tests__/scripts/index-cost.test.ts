/**
 * The arithmetic behind docs/operations.md, "What the history index costs" (scripts/lib/index-cost.ts): DynamoDB's
 * rounding rules on items of known sizes, the INCLUDE entry, the samples being items the functions
 * can really write, and the docs' table being the one the module renders now.
 */
import { includeEntry, INDEX_COST_SAMPLES, indexCost, JobRecordSample, renderIndexCostTable } from "../../scripts/lib/index-cost";
import { itemSizeBytes } from "../../lambda-src/shared/item-size";
import { ensureItemSize } from "../../lambda-src/shared/validation";
import { EVALUATIONS_TABLE } from "../../lambda-src/contract/table-definitions";
import { readDoc } from "../support/docs";

/** An evaluation sample whose completed item is exactly `bytes` bytes (a `transcript` pads it). */
function sampleOf(bytes: number): JobRecordSample {
  const started = { evaluation_id: "e", user_id: "u", evaluation_type: "speaking", status: "processing", created_at: 1, lease_expires_at_ms: 2 };
  const base = { evaluation_id: "e", user_id: "u", evaluation_type: "speaking", status: "completed", created_at: 1, transcript: "" };
  const completed = { ...base, transcript: "x".repeat(bytes - itemSizeBytes(base)) };
  expect(itemSizeBytes(completed)).toBe(bytes);
  return { label: `${bytes} bytes`, table: EVALUATIONS_TABLE, started, completed };
}

describe("DynamoDB's sizing rules", () => {
  test("writes: 1 WRU per started KB, an update sized by the larger item; ALL pays it again on the index, INCLUDE 1 WRU", () => {
    expect(indexCost(sampleOf(1024))).toMatchObject({ tableWru: 2, indexWru: { all: 2, include: 2 } });
    expect(indexCost(sampleOf(1025))).toMatchObject({ tableWru: 3, indexWru: { all: 3, include: 2 } });
    expect(indexCost(sampleOf(400 * 1024))).toMatchObject({ tableWru: 401, indexWru: { all: 401, include: 2 } });
  });

  test("reads of a page of 10: a Query at 0.5 RRU per started 4 KB of all it reads; INCLUDE adds a strongly consistent GetItem per item", () => {
    // 10 x 4,096 bytes = 40 KB: 10 x 0.5 RRU with ALL; with INCLUDE, a small Query (0.5) and 10 x 1 RRU.
    expect(indexCost(sampleOf(4096)).pageRru).toEqual({ all: 5, include: 10.5 });
    expect(indexCost(sampleOf(4097)).pageRru).toEqual({ all: 5.5, include: 20.5 });
  });

  test("storage: the entry plus 100 bytes; the INCLUDE entry holds the keys and the projected attributes only", () => {
    const sample = sampleOf(5000);
    expect(includeEntry(EVALUATIONS_TABLE, sample.completed)).toEqual({ evaluation_id: "e", user_id: "u", evaluation_type: "speaking", status: "completed", created_at: 1 });
    expect(indexCost(sample).indexBytes).toEqual({ all: 5100, include: itemSizeBytes(includeEntry(EVALUATIONS_TABLE, sample.completed)) + 100 });
  });
});

describe("the samples", () => {
  test("are items the data layer accepts (at most 400 KB), the largest close to the limit", () => {
    for (const sample of INDEX_COST_SAMPLES) expect(() => ensureItemSize(sample.completed)).not.toThrow();
    expect(Math.max(...INDEX_COST_SAMPLES.map((s) => itemSizeBytes(s.completed)))).toBeGreaterThan(380 * 1024);
  });

  test("the largest flashcard set costs 385 WRU per job on the table; ALL pays 385 again on the index, INCLUDE 2", () => {
    const largest = indexCost(INDEX_COST_SAMPLES[INDEX_COST_SAMPLES.length - 1]);
    expect(largest).toMatchObject({ itemBytes: 393_044, tableWru: 385, indexWru: { all: 385, include: 2 }, indexBytes: { all: 393_144, include: 221 } });
  });

  test("docs/operations.md's table is the one the module renders now (regenerate: npx tsx scripts/measure-index-cost.ts)", () => {
    expect(readDoc("docs/operations.md")).toContain(`${renderIndexCostTable()}\n`);
  });
});
