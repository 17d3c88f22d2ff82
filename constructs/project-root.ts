import { existsSync } from "fs";
import { dirname, join } from "path";

/**
 * The project root (the folder with cdktf.json): lambda-src/ and node_modules/ are resolved from here,
 * whether this code runs from its TypeScript source or compiled into dist/.
 */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "cdktf.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no cdktf.json above ${start}: cannot find the project root`);
  }
}
