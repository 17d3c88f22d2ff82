/**
 * `npm run check:cdktn`'s command line. The check itself installs from the npm registry and runs the
 * whole suite twice (minutes), so it is not run here: its parts are tested in cdktn-migration,
 * cdktn-report and project-copy tests; the weekly workflow runs it whole.
 */
import { spawnSync } from "child_process";
import { join } from "path";
import { PROJECT_ROOT } from "../../constructs/project-root";

const TSX = join(PROJECT_ROOT, "node_modules/tsx/dist/cli.mjs");

function checkCdktn(...args: string[]) {
  return spawnSync(process.execPath, [TSX, join(PROJECT_ROOT, "scripts/check-cdktn.ts"), ...args], { encoding: "utf8" });
}

test("--help: what it does, the options and the exit codes; exit 0", () => {
  const result = checkCdktn("--help");
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("usage: npm run check:cdktn -- [--report <file>] [--keep]");
  expect(result.stdout).toContain("Exit codes: 0 every step and fact holds, 1 something failed, 2 usage error.");
});

test.each([["--bogus"], ["extra-argument"], ["--report"]])("%s: usage error, exit 2, before copying or installing anything", (arg) => {
  const result = checkCdktn(arg);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("usage: npm run check:cdktn -- [--report <file>] [--keep]");
  expect(result.stderr).not.toContain("[check:cdktn]");
});
