/**
 * The Lambda bundle is deterministic: the same sources give the same zip bytes in another process,
 * another folder and with or without the build cache; a change in a source changes the hash.
 */
import { execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildLambdaBundle, INFRASTRUCTURE_PACKAGE_INPUT, PROJECT_ROOT } from "../../constructs/lambda-bundle";

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
    /^Lambda bundle of `\.tmp-bundle-test-\d+\/leak\.ts` pulls in `node_modules\/cdktf\/.+`; code under lambda-src\/ must not import cdktf, cdktn or constructs$/,
  );
});

test("refuses a bundle that pulls in @cdktf/provider-aws", () => {
  mkdirSync(scratch, { recursive: true });
  writeFileSync(
    join(scratch, "provider-leak.ts"),
    'import { AwsProvider } from "@cdktf/provider-aws/lib/provider";\nexport const handler = async () => AwsProvider.tfResourceType;\n',
  );
  expect(() => buildLambdaBundle(`${scratch.split("/").pop()}/provider-leak.ts`)).toThrow(
    /^Lambda bundle of `\.tmp-bundle-test-\d+\/provider-leak\.ts` pulls in `node_modules\/@cdktf\/provider-aws\/.+`; code under lambda-src\/ must not import cdktf, cdktn or constructs$/,
  );
});

// CDK Terrain is not a dependency yet (see docs/cdk-terrain.md): stand-in packages with its
// names, in a node_modules/ beside the entry, where esbuild finds them as it would a real install.
test.each([
  ["cdktn", "index.js", 'import { App } from "cdktn";'],
  ["@cdktn/provider-aws", "lib/provider/index.js", 'import { AwsProvider as App } from "@cdktn/provider-aws/lib/provider";'],
])("refuses a bundle that pulls in %s", (packageName, file, importLine) => {
  const packageDir = join(scratch, "node_modules", packageName);
  mkdirSync(join(packageDir, file, ".."), { recursive: true });
  writeFileSync(join(packageDir, "package.json"), JSON.stringify({ name: packageName, version: "0.0.0-stand-in" }));
  writeFileSync(join(packageDir, file), "exports.App = exports.AwsProvider = class {};\n");
  const leak = `${packageName.replace(/\W/g, "-")}-leak.ts`;
  writeFileSync(join(scratch, leak), `${importLine}\nexport const handler = async () => new App();\n`);
  const entry = `${scratch.split("/").pop()}/${leak}`;
  expect(() => buildLambdaBundle(entry)).toThrow(
    `Lambda bundle of \`${entry}\` pulls in \`lambda-src/${entry.split("/")[0]}/node_modules/${packageName}/${file}\`; ` +
      "code under lambda-src/ must not import cdktf, cdktn or constructs",
  );
});

test("the leak pattern names the infrastructure's packages and nothing else", () => {
  const matches = [
    "node_modules/cdktf/lib/app.js",
    "node_modules/cdktn/lib/app.js",
    "node_modules/constructs/lib/construct.js",
    "node_modules/@cdktf/provider-aws/lib/provider/index.js",
    "node_modules/@cdktn/provider-aws/lib/provider/index.js",
    "../../node_modules/.pnpm/cdktn@0.24.0/node_modules/cdktn/lib/index.js",
  ];
  const others = [
    "node_modules/@aws-sdk/client-dynamodb/dist-es/index.js",
    "node_modules/constructs-extra/index.js",
    "node_modules/cdktn-like/index.js",
    "lambda-src/shared/cdktn.ts",
    "lambda-src/cdktf/index.ts",
  ];
  expect(matches.filter((input) => !INFRASTRUCTURE_PACKAGE_INPUT.test(input))).toEqual([]);
  expect(others.filter((input) => INFRASTRUCTURE_PACKAGE_INPUT.test(input))).toEqual([]);
});

test("names a missing entry", () => {
  expect(() => buildLambdaBundle("reading-evaluator/index.ts")).toThrow(
    "Lambda entry `lambda-src/reading-evaluator/index.ts` does not exist; each function needs a module that exports `handler`",
  );
});
