"use strict";
const { mkdirSync, renameSync, writeFileSync } = require("fs");
const { dirname } = require("path");

/**
 * Writes a file atomically: write `<path>.<pid>.tmp`, then rename it over `path`, so that two
 * processes writing the same file (parallel synths, jest workers) never leave, nor read, a
 * half-written one. Plain CommonJS: scripts/synth.cjs needs it before anything is compiled, and the
 * TypeScript side imports the same function (write-atomically.d.cts).
 * @param {string} path
 * @param {Uint8Array | string} contents
 */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, contents);
  renameSync(partial, path);
}

module.exports = { writeAtomically };
