/**
 * The same app with every provider import from the package root (`@cdktf/provider-aws`), as a typical
 * cdktf project writes it: a generated copy in the system's temporary folder, synthesized the same
 * way with its own scripts/synth.cjs and dist/app.
 */
import { existsSync, readFileSync, rmSync, statSync } from "fs";
import { join } from "path";
import { BenchContext } from "../lib/context";
import { processResult, ProcessResult } from "../lib/measure";
import { appSynthRuns, COLD, compareStacks, StacksComparison, SYNTH_SCRIPT, WARM } from "../lib/synth-runs";
import { generateRootImportVariant, PROJECT_ROOT } from "../lib/variants";

export interface RootImportResult {
  readonly command: string;
  readonly warm: ProcessResult;
  readonly cold: ProcessResult;
  readonly filesRewritten: number;
  readonly importsRewritten: number;
  readonly root: string;
  /** The variant wrote the same stacks as the project's warm synth (when the synth step ran). */
  readonly sameStacksAsApp?: StacksComparison;
}

const modifiedAt = (file: string): number | undefined => (existsSync(file) ? statSync(file).mtimeMs : undefined);

/** `appOutdir`: the project's warm synth output to compare the variant's stacks with. */
export function measureRootImport(context: BenchContext, appOutdir?: string): RootImportResult {
  const { stackCount, runs, log } = context;
  const variant = generateRootImportVariant();
  const projectCompiled = join(PROJECT_ROOT, "dist", "app", "main.js");
  const projectCompiledAt = modifiedAt(projectCompiled);
  log(`root-import variant, cold (${variant.root})`);
  const cold = appSynthRuns(variant.root, COLD, runs(2, 1), 0, stackCount);
  rmSync(cold.outdir, { recursive: true, force: true });
  log("root-import variant, warm");
  const warm = appSynthRuns(variant.root, WARM, runs(2, 1), 1, stackCount);
  // The variant compiles into its own dist/app, from its own (rewritten) sources.
  const manifest = join(variant.root, "dist", "app", "main.js.inputs.json");
  if (!existsSync(manifest) || !Object.keys(JSON.parse(readFileSync(manifest, "utf8")).inputs).includes("main.ts")) {
    throw new Error(`root-import variant: no compiled output in ${join(variant.root, "dist", "app")}`);
  }
  if (modifiedAt(projectCompiled) !== projectCompiledAt) throw new Error("root-import variant: the project's dist/app/main.js changed while the variant ran");
  const sameStacksAsApp = appOutdir ? compareStacks(appOutdir, warm.outdir) : undefined;
  rmSync(warm.outdir, { recursive: true, force: true });
  return {
    command: `node ${SYNTH_SCRIPT} in a copy of the app whose provider imports come from the package root`,
    warm: processResult(warm.samples),
    cold: processResult(cold.samples),
    filesRewritten: variant.filesRewritten,
    importsRewritten: variant.importsRewritten,
    root: variant.root,
    sameStacksAsApp,
  };
}
