/**
 * The app's compile step as scripts/synth.cjs runs it: esbuild bundles the project's TypeScript into
 * one CommonJS file, node_modules left external, with scripts/synth.cjs's own options (it exports
 * them); `matchesCompiledApp` checks that dist/app is what the current sources compile to, so a stale
 * compile shows in the results instead of skewing them.
 */
import { BuildOptions, buildSync } from "esbuild";
import { existsSync, readFileSync } from "fs";
import { join, relative } from "path";

// A CommonJS script (it runs before anything is compiled), so required rather than imported.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { appBuildOptions: synthBuildOptions } = require("../../scripts/synth.cjs") as {
  appBuildOptions: (root: string, outfile: string) => BuildOptions;
};

/** The source of an entry: a file (relative to root) or generated code. */
export type Entry = { readonly file: string } | { readonly code: string; readonly name: string };

/** scripts/synth.cjs's esbuild options for `entry`, written to `outfile`. */
export function appBuildOptions(root: string, entry: Entry, outfile: string): BuildOptions {
  return {
    ...("file" in entry
      ? { entryPoints: [join(root, entry.file)] }
      : { stdin: { contents: entry.code, resolveDir: root, sourcefile: entry.name, loader: "ts" as const } }),
    ...synthBuildOptions(root, outfile),
  };
}

/**
 * Compiles `entry` to `outfile` (and its .map), with `overrides` on top of the app's options; returns
 * the time it took in seconds.
 */
export function compileApp(root: string, entry: Entry, outfile: string, overrides: BuildOptions = {}): number {
  const start = process.hrtime.bigint();
  buildSync({ ...appBuildOptions(root, entry, outfile), ...overrides, write: true });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Whether compiling main.ts with the copied options gives exactly the files scripts/synth.cjs wrote
 * in `<root>/dist/app` (undefined when it has not written them yet).
 */
export function matchesCompiledApp(root: string): { matches: boolean; differing: string[] } | undefined {
  const outfile = join(root, "dist", "app", "main.js");
  if (!existsSync(outfile)) return undefined;
  const result = buildSync({ ...appBuildOptions(root, { file: "main.ts" }, outfile), write: false });
  const differing = result.outputFiles
    .filter((file) => !existsSync(file.path) || !readFileSync(file.path).equals(Buffer.from(file.contents)))
    .map((file) => relative(root, file.path));
  return { matches: differing.length === 0, differing };
}

/**
 * A module that loads what main.ts imports (its relative imports, re-exported so that esbuild's tree
 * shaking keeps every module) without running main.ts's body: no App, no synth.
 */
export function appModulesEntry(root: string): Entry {
  const main = readFileSync(join(root, "main.ts"), "utf8");
  const imports = [...main.matchAll(/^import\s[^;]*?from\s+"(\.{1,2}\/[^"]+)";?/gm)].map((m) => m[1]);
  if (imports.length === 0) throw new Error("main.ts imports no project module: nothing to load");
  return {
    name: "app-modules.ts",
    code: ['import "cdktf";', 'import "constructs";', ...imports.map((path, i) => `export * as m${i} from ${JSON.stringify(path)};`)].join("\n") + "\n",
  };
}
