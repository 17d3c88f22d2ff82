/**
 * Prints what the history index costs per job, stored and per page, with ALL and with INCLUDE, for
 * the design's example items and the largest the functions write (scripts/lib/index-cost.ts): the
 * table of docs/operations.md, "What the history index costs".
 *
 *   npx tsx scripts/measure-index-cost.ts
 */
import { renderIndexCostTable } from "./lib/index-cost";

console.log(renderIndexCostTable());
