/**
 * What the history index costs, worked out from DynamoDB's sizing rules on the design's items and on
 * the largest items the functions can write, with the project's own size function
 * (lambda-src/shared/item-size.ts). Pure arithmetic, no AWS call; docs/operations.md, "What the history index
 * costs" is this module's `renderIndexCostTable()`.
 *
 * The rules (DynamoDB developer guide: "Read/write capacity mode", "Global secondary indexes:
 * provisioned throughput considerations", "Item sizes and formats"):
 * - a write costs 1 write request unit (WRU) per started KB (1,024 bytes) of the item; an update is
 *   sized by the larger of the item before and after it;
 * - a write to an item also writes each index whose entry it creates or whose projected attributes it
 *   changes, sized by the index entry: the table's and the index's keys plus the projected attributes
 *   (all of them with `ALL`);
 * - a strongly consistent read costs 1 read request unit (RRU) per started 4 KB of the item; a Query
 *   of an index (eventually consistent) costs 0.5 RRU per started 4 KB of all the entries it reads;
 * - storage: the item's bytes plus 100 bytes of overhead, in the table and again in each index.
 */
import { itemSizeBytes } from "../../lambda-src/shared/item-size";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE, TableDefinition } from "../../lambda-src/contract/table-definitions";

/** One job's record: as the start writes it, and as the completion leaves it. */
export interface JobRecordSample {
  /** What it is, for the table. */
  readonly label: string;
  readonly table: TableDefinition;
  /** The `processing` record the start writes (with the lease). */
  readonly started: Readonly<Record<string, unknown>>;
  /** The `completed` record (lease removed, `input_hash` kept). */
  readonly completed: Readonly<Record<string, unknown>>;
}

/** The costs of one sample. */
export interface IndexCost {
  readonly label: string;
  /** Bytes of the completed item (the project's size function). */
  readonly itemBytes: number;
  /** WRU of one job on the table: the start (PutItem) and the completion (UpdateItem). */
  readonly tableWru: number;
  /** WRU of the same job on the history index, with ALL and with the index's INCLUDE projection. */
  readonly indexWru: { readonly all: number; readonly include: number };
  /** Bytes the index stores for the item (entry + 100 bytes of overhead). */
  readonly indexBytes: { readonly all: number; readonly include: number };
  /**
   * RRU of a history page of 10 such items (the design's `Limit=10`): with ALL, one Query; with
   * INCLUDE, one Query of the entries and a strongly consistent GetItem of each completed item.
   */
  readonly pageRru: { readonly all: number; readonly include: number };
}

const KB = 1024;
const PAGE = 10;
const STORAGE_OVERHEAD_BYTES = 100;

const wru = (bytes: number): number => Math.max(1, Math.ceil(bytes / KB));

/** The entry an INCLUDE index keeps of an item: the table's keys, the index's keys and the projected attributes. */
export function includeEntry(table: TableDefinition, item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const index = table.historyIndex;
  const names = [table.partitionKey.name, table.sortKey.name, index.partitionKey.name, index.sortKey.name, ...index.nonKeyAttributes];
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.includes(name)));
}

/** The costs of one sample under DynamoDB's rules (see the module comment). */
export function indexCost(sample: JobRecordSample): IndexCost {
  const started = itemSizeBytes(sample.started);
  const completed = itemSizeBytes(sample.completed);
  const startedEntry = itemSizeBytes(includeEntry(sample.table, sample.started));
  const completedEntry = itemSizeBytes(includeEntry(sample.table, sample.completed));
  return {
    label: sample.label,
    itemBytes: completed,
    tableWru: wru(started) + wru(Math.max(started, completed)),
    indexWru: { all: wru(started) + wru(Math.max(started, completed)), include: wru(startedEntry) + wru(Math.max(startedEntry, completedEntry)) },
    indexBytes: { all: completed + STORAGE_OVERHEAD_BYTES, include: completedEntry + STORAGE_OVERHEAD_BYTES },
    pageRru: {
      all: Math.ceil((PAGE * completed) / (4 * KB)) * 0.5,
      include: Math.ceil((PAGE * completedEntry) / (4 * KB)) * 0.5 + PAGE * Math.ceil(completed / (4 * KB)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The samples: the design's example items, and the largest the functions write.

/** What the job lifecycle adds to a record (data/job-records.ts): the input's hash, and while it runs, the lease. */
const HASH = "a".repeat(64);
const LEASE = { lease_holder: `${"8f14e45f-ceea-467e-a8e1-2f1a3c9b2d11"}/${"0e5a3c4d-9a1b-4c2d-8e3f-1a2b3c4d5e6f"}`, lease_expires_at_ms: 1733644920000 };

/** The largest feedback the answer checks let through (model/answer.ts): 3 lists of 10 items of 1,000 characters. */
const LARGEST_FEEDBACK = JSON.stringify({
  strengths: Array(10).fill("s".repeat(1000)),
  weaknesses: Array(10).fill("w".repeat(1000)),
  suggestions: Array(10).fill("g".repeat(1000)),
});

/** 100 cards (10 chunks of 10 cards, flashcard-generator/handler.ts) of the longest question and answer, of `char`. */
const largestCards = (char: string): string =>
  JSON.stringify(Array.from({ length: 100 }, () => ({ question: char.repeat(300), answer: char.repeat(1000) })));

function evaluation(label: string, type: "writing" | "speaking", id: string, results: Record<string, unknown>): JobRecordSample {
  const key = { evaluation_id: id, user_id: "user-456" };
  const common = { ...key, evaluation_type: type, created_at: 1733644800 };
  return {
    label,
    table: EVALUATIONS_TABLE,
    started: { ...common, status: "processing", input_hash: HASH, ...LEASE },
    completed: { ...common, status: "completed", ...results, input_hash: HASH },
  };
}

function flashcardSet(label: string, flashcards: string, totalCards: number): JobRecordSample {
  const common = { set_id: "flashcard-set-123", user_id: "user-456", document_id: "uploads/documents/user-456/vocab-guide.pdf", created_at: 1733644800 };
  return {
    label,
    table: FLASHCARD_SETS_TABLE,
    started: { ...common, status: "processing", input_hash: HASH, ...LEASE },
    completed: { ...common, status: "completed", flashcards, total_cards: totalCards, page_count: 8, chunk_count: 24, input_hash: HASH },
  };
}

const WRITING_BANDS = { overall_band: "7.0", task_achievement_band: "7.0", coherence_band: "6.5", lexical_band: "7.0", grammar_band: "6.5" };
const SPEAKING_BANDS = { overall_band: "7.0", fluency_band: "7.0", lexical_band: "6.5", grammar_band: "7.0", pronunciation_band: "6.5" };

/** The design's three example items (as the design writes them), then the largest valid ones. */
export const INDEX_COST_SAMPLES: readonly JobRecordSample[] = [
  evaluation("design's writing example", "writing", "eval-abc123", {
    ...WRITING_BANDS,
    feedback: '{"strengths":[...],"weaknesses":[...]}',
    model_used: "gemini-writing_task2",
  }),
  evaluation("design's speaking example", "speaking", "speak-xyz789", {
    ...SPEAKING_BANDS,
    transcript: "Well, I'd like to talk about...",
    duration: "120.5",
    word_count: 185,
    feedback: '{"fluency":{...},"pronunciation":{...}}',
    model_used: "gemini-2.5-flash-audio",
  }),
  flashcardSet("design's flashcard set example", '[{"question":"What is...","answer":"..."}]', 15),
  evaluation("largest writing result (feedback 3 x 10 x 1,000 characters)", "writing", "eval-abc123", {
    ...WRITING_BANDS,
    feedback: LARGEST_FEEDBACK,
    model_used: "gemini-2.5-flash",
  }),
  evaluation("largest speaking result (30,000-character transcript, same feedback)", "speaking", "speak-xyz789", {
    ...SPEAKING_BANDS,
    transcript: "w".repeat(30_000),
    duration: "456.0",
    word_count: 5000,
    feedback: LARGEST_FEEDBACK,
    model_used: "gemini-2.5-flash",
  }),
  flashcardSet("largest flashcard set, ASCII (100 cards of 300 + 1,000 characters)", largestCards("a"), 100),
  flashcardSet("largest flashcard set, Vietnamese letters such as ệ (3 bytes each)", largestCards("ệ"), 100),
];

/** The table of `INDEX_COST_SAMPLES` in docs/operations.md. */
export function renderIndexCostTable(samples: readonly JobRecordSample[] = INDEX_COST_SAMPLES): string {
  const n = (value: number): string => value.toLocaleString("en-US");
  const rows = samples.map(indexCost).map((c) =>
    [
      c.label,
      n(c.itemBytes),
      n(c.tableWru),
      `${n(c.indexWru.all)} / ${n(c.indexWru.include)}`,
      `${n(c.indexBytes.all)} / ${n(c.indexBytes.include)}`,
      `${n(c.pageRru.all)} / ${n(c.pageRru.include)}`,
    ].join(" | "),
  );
  return [
    "| item (completed) | bytes | WRU per job, table | WRU per job, index ALL / INCLUDE | bytes the index stores, ALL / INCLUDE | RRU of a page of 10, ALL / INCLUDE |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}
