#!/usr/bin/env node
/**
 * Runs the cdktf app: `npm run synth` and cdktf.json's `app` both start here.
 *
 * main.ts and what it imports are compiled by esbuild into dist/app/main.js (type checking is
 * `npm run typecheck`, part of `npm test`), and compiled again only when one of those sources changed:
 * the manifest beside the output lists every input with its content hash. Running compiled JavaScript
 * with plain node saves the TypeScript runner's start-up on every synth.
 */
"use strict";
const { createHash } = require("crypto");
const { existsSync, readFileSync } = require("fs");
const { join } = require("path");
const { writeAtomically } = require("./lib/write-atomically.cjs");

const root = join(__dirname, "..");
const output = join(root, "dist", "app", "main.js");
const manifestPath = `${output}.inputs.json`;

const hashOf = (file) => createHash("sha1").update(readFileSync(join(root, file))).digest("hex");

function isUpToDate() {
  if (!existsSync(output) || !existsSync(manifestPath)) return false;
  try {
    const { inputs } = JSON.parse(readFileSync(manifestPath, "utf8"));
    return Object.entries(inputs).every(([file, hash]) => existsSync(join(root, file)) && hashOf(file) === hash);
  } catch {
    return false;
  }
}

/**
 * esbuild options of the app's compile, without the entry point; bench/lib/compile.ts uses the same
 * ones to compile its own entries the way the app is compiled.
 */
function appBuildOptions(projectRoot, outfile) {
  return {
    absWorkingDir: projectRoot,
    bundle: true,
    // cdktf, the provider bindings and esbuild stay in node_modules: only the project's code is compiled.
    packages: "external",
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    sourcemap: "linked",
    metafile: true,
    logLevel: "error",
  };
}
module.exports = { appBuildOptions };

function synth() {
  if (!isUpToDate()) compile();
  // The source map is written beside main.js and read only when the app fails with a bug
  // (scripts/lib/run-command.ts maps that stack to the TypeScript sources): node's
  // --enable-source-maps would cost about 0.1 s of every synth.
  require(output);
}

function compile() {
  const result = require("esbuild").buildSync({
    ...appBuildOptions(root, output),
    entryPoints: [join(root, "main.ts")],
    write: false,
  });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).sort().map((file) => [file, hashOf(file)]));
  writeAtomically(manifestPath, JSON.stringify({ inputs }, null, 1));
}

// Run as a script (npm run synth, cdktf); required as a module, it only lends its options.
if (require.main === module) synth();
