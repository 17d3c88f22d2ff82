/**
 * The test suites: jest alone (unit tests, then the full suite; jest.config.js's `maxWorkers: 2`,
 * jest's transform cache on disk, warm after any earlier run), and `npm test` as a user runs it
 * (`tsc --noEmit`, then the full jest suite).
 */
import { join } from "path";
import { BenchContext } from "../lib/context";
import { measureProcess, processResult, ProcessResult, repeat } from "../lib/measure";
import { PROJECT_ROOT } from "../lib/variants";

export interface TestRun extends ProcessResult {
  /** Exit status of each measured run (a failing test makes it non-zero; the run is still measured). */
  readonly exitCodes: readonly (number | null)[];
  /** jest's "Tests:" summary line of the last run. */
  readonly counts: string;
}

export interface TestsResult {
  readonly workers: string;
  /** `jest --testPathIgnorePatterns terraform.test.ts`. */
  readonly unit: TestRun;
  /** `jest`. */
  readonly full: TestRun;
  /** `npm test`: `tsc --noEmit && jest`. */
  readonly npmTest: TestRun;
}

const JEST = join(PROJECT_ROOT, "node_modules", ".bin", "jest");

function testRuns(command: string, args: readonly string[], runs: number): TestRun {
  const exitCodes: (number | null)[] = [];
  let counts = "";
  const samples = repeat(runs, 0, () => {
    const result = measureProcess(command, args, { cwd: PROJECT_ROOT, allowFailure: true, onStatus: (status) => exitCodes.push(status) });
    counts = /^Tests:\s+(.*)$/m.exec(result.stderr)?.[1]?.trim() ?? "no summary";
    return result;
  });
  return { ...processResult(samples), exitCodes, counts };
}

export function measureTests(context: BenchContext): TestsResult {
  context.log("unit tests (jest --testPathIgnorePatterns terraform.test.ts)");
  const unit = testRuns(JEST, ["--testPathIgnorePatterns", "terraform.test.ts"], context.runs(2, 1));
  context.log("full suite (jest)");
  const full = testRuns(JEST, [], 1);
  context.log("npm test (tsc --noEmit, then jest)");
  const npmTest = testRuns("npm", ["test"], 1);
  return { workers: "jest.config.js maxWorkers (2)", unit, full, npmTest };
}
