import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  FLASHCARD_GENERATOR,
  FUNCTION_DEFINITIONS,
  minimumTimeoutSeconds,
  modelCallRounds,
  SPEAKING_EVALUATOR,
  WRITING_EVALUATOR,
  type FunctionDefinition,
} from "../../lambda-src/contract/function-definitions";
import { FLASHCARD_LIMITS } from "../../lambda-src/flashcard-generator/handler";

const base: FunctionDefinition = {
  kind: "writing-evaluator",
  baseName: "f",
  entry: "writing-evaluator/index.ts",
  table: "evaluations",
  defaultMemoryMb: 128,
  defaultTimeoutSeconds: 60,
  modelCallTimeoutMs: 30_000,
  outcomeReserveMs: 5_000,
};

describe("minimumTimeoutSeconds", () => {
  test("one model call: its cap plus the outcome reserve, in whole seconds", () => {
    expect(minimumTimeoutSeconds(base)).toBe(35);
    expect(minimumTimeoutSeconds({ ...base, modelCallTimeoutMs: 30_001 })).toBe(36);
  });

  test("several calls: one cap per round of `modelCallConcurrency` calls", () => {
    expect(modelCallRounds({ ...base, maxModelCalls: 10, modelCallConcurrency: 3 })).toBe(4);
    expect(minimumTimeoutSeconds({ ...base, maxModelCalls: 10, modelCallConcurrency: 3 })).toBe(4 * 30 + 5);
    expect(minimumTimeoutSeconds({ ...base, maxModelCalls: 6, modelCallConcurrency: 3 })).toBe(2 * 30 + 5);
    expect(minimumTimeoutSeconds({ ...base, maxModelCalls: 4 })).toBe(4 * 30 + 5);
  });

  test("the three functions: what their handlers need, and their default timeouts give it", () => {
    expect(minimumTimeoutSeconds(WRITING_EVALUATOR)).toBe(100);
    expect(minimumTimeoutSeconds(SPEAKING_EVALUATOR)).toBe(160);
    expect(minimumTimeoutSeconds(FLASHCARD_GENERATOR)).toBe(250);
    for (const definition of FUNCTION_DEFINITIONS) {
      expect(definition.defaultTimeoutSeconds).toBeGreaterThanOrEqual(minimumTimeoutSeconds(definition));
    }
  });

  test("the flashcard generator's limits are the definition's: its chunks are its model calls", () => {
    expect(FLASHCARD_LIMITS.maxChunks).toBe(FLASHCARD_GENERATOR.maxModelCalls);
    expect(FLASHCARD_LIMITS.concurrency).toBe(FLASHCARD_GENERATOR.modelCallConcurrency);
  });

  test("the handlers take their caps from the definitions, never from their own constants", () => {
    for (const file of ["writing-evaluator", "speaking-evaluator", "flashcard-generator"]) {
      const source = readFileSync(join(__dirname, "..", "..", "lambda-src", file, "handler.ts"), "utf8");
      expect(source).toMatch(/\.modelCallTimeoutMs/);
      expect(source).not.toMatch(/TIMEOUT_MS\s*=|RESERVE_MS\s*=/);
    }
  });

});
