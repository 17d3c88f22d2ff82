/**
 * The Node.js binaries the built zips are run on besides jest's own (Node 22, the functions' runtime):
 * Node 24, Lambda's next runtime, installed by the package in support/node24/ (a devDependency of the
 * project, `file:`, so that its `node` is linked in its own node_modules/.bin and not over Node 22's).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Path of the Node 24 binary; throws, saying how to get it, when it is not installed. */
export function node24Binary(): string {
  const binary = join(__dirname, "node24", "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
  if (!existsSync(binary)) {
    throw new Error(
      `Node.js 24 is not installed at ${binary}: run \`npm ci\` (the devDependency bandup-node24 installs it; ` +
        `__tests__/support/node24/package.json pins one binary per platform: is ${process.platform}-${process.arch} among them?)`,
    );
  }
  return binary;
}
