/** What every step of the bench is given: the options, the work folder and the log. */
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { allEnvironments } from "../../stacks/environments";
import { BenchOptions } from "./options";
import { PROJECT_ROOT } from "./variants";

export interface BenchContext {
  readonly options: BenchOptions;
  /** bench/.work: scratch files, installs, and the results of an `--only` run. */
  readonly work: string;
  /** Stacks the app writes: one per environment of stacks/environments.ts, and bandup-bootstrap. */
  readonly stackCount: number;
  /** Measured runs of a measurement: `full` normally, `fast` with `--quick`. */
  runs(full: number, fast: number): number;
  log(message: string): void;
}

export function createContext(options: BenchOptions): BenchContext {
  return {
    options,
    work: join(PROJECT_ROOT, "bench", ".work"),
    stackCount: allEnvironments().length + 1,
    runs: (full, fast) => (options.quick ? fast : full),
    log: (message) => void process.stderr.write(`[bench] ${message}\n`),
  };
}

/** A new empty folder in the system's temporary folder. */
export function freshDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `bandup-bench-${prefix}-`));
}
