/**
 * The Lambda bundle is deterministic: the same sources give the same zip bytes in another process,
 * another folder and with or without the build cache; a change in a source changes the hash.
 */
import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildLambdaBundle, PROJECT_ROOT } from "../../constructs/lambda-bundle";

const TSX = join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");

/** The source_code_hash of a bundle built in a fresh process, from `cwd`, with the given environment. */
function hashInChildProcess(entry: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const script = `process.stdout.write(require(${JSON.stringify(join(PROJECT_ROOT, "constructs/lambda-bundle.ts"))}).buildLambdaBundle(${JSON.stringify(entry)}).sourceCodeHash)`;
  return execFileSync(process.execPath, [TSX, "-e", script], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
}

// A scratch entry inside lambda-src/ (bundles are built from there), removed afterwards; gitignored.
const scratch = join(PROJECT_ROOT, "lambda-src", `.tmp-bundle-test-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the same sources give the same zip in another process, folder and time, cached or not", () => {
  const here = buildLambdaBundle("writing-evaluator/index.ts").sourceCodeHash;
  const uncached = hashInChildProcess("writing-evaluator/index.ts", mkdtempSync(join(tmpdir(), "elsewhere-")), {
    BANDUP_BUILD_CACHE: "off",
  });
  expect(uncached).toBe(here);
});

test("a change in a source changes the hash", () => {
  mkdirSync(scratch, { recursive: true });
  const entry = `${scratch.split("/").pop()}/index.ts`;
  writeFileSync(join(scratch, "index.ts"), 'export const handler = async () => "one";\n');
  const first = hashInChildProcess(entry, PROJECT_ROOT, {});
  writeFileSync(join(scratch, "index.ts"), 'export const handler = async () => "two";\n');
  const second = hashInChildProcess(entry, PROJECT_ROOT, {});
  expect(second).not.toBe(first);
});

test("refuses a bundle that pulls in cdktf", () => {
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, "leak.ts"), 'import { App } from "cdktf";\nexport const handler = async () => new App();\n');
  expect(() => buildLambdaBundle(`${scratch.split("/").pop()}/leak.ts`)).toThrow(
    /^Lambda bundle of `\.tmp-bundle-test-\d+\/leak\.ts` pulls in `node_modules\/cdktf\/.+`; code under lambda-src\/ must not import cdktf or constructs$/,
  );
});

test("names a missing entry", () => {
  expect(() => buildLambdaBundle("reading-evaluator/index.ts")).toThrow(
    "Lambda entry `lambda-src/reading-evaluator/index.ts` does not exist; each function needs a module that exports `handler`",
  );
});
