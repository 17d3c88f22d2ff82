/**
 * The copy `npm run check:cdktn` works in (scripts/lib/project-copy.ts), on a real git repository:
 * the working tree as it is (uncommitted edits, new files), nothing git ignores, no install or build
 * output, modes kept; and the fingerprint that proves the project was left as it was.
 */
import { execFileSync } from "child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { copyProjectFiles, projectFiles, workingTreeFingerprint } from "../../scripts/lib/project-copy";

let repo: string;
let copy: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: repo, stdio: "pipe" });

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "project-copy-repo-"));
  copy = mkdtempSync(join(tmpdir(), "project-copy-out-"));
  git("init", "-q");
  write(".gitignore", "node_modules/\n*.log\n");
  write("main.ts", "committed\n");
  write("edited.ts", "committed\n");
  write("deleted.ts", "committed\n");
  write(".ci/run", "#!/bin/sh\necho run\n");
  chmodSync(join(repo, ".ci/run"), 0o755);
  symlinkSync("main.ts", join(repo, "link.ts"));
  write("dist/tracked-by-mistake.js", "build output\n");
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  // The working tree as a developer leaves it mid-change:
  write("edited.ts", "uncommitted edit\n");
  unlinkSync(join(repo, "deleted.ts"));
  write("new-file.ts", "not yet added\n");
  write("debug.log", "ignored\n");
  write("node_modules/x/index.js", "installed\n");
  write("cdktf.out/stacks/x/cdk.tf.json", "{}\n");
  write("bench/.work/aws-cdk/package.json", "{}\n");
  write("lambda-src/node_modules/y/index.js", "nested install\n");
});
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(copy, { recursive: true, force: true });
});

test("lists tracked and new files as the working tree has them, without ignored, deleted, install or build files", () => {
  expect(projectFiles(repo)).toEqual([".ci/run", ".gitignore", "edited.ts", "link.ts", "main.ts", "new-file.ts"]);
});

test("copies them with their uncommitted content, their modes and symbolic links", () => {
  copyProjectFiles(repo, copy, projectFiles(repo));
  expect(readFileSync(join(copy, "edited.ts"), "utf8")).toBe("uncommitted edit\n");
  expect(readFileSync(join(copy, "new-file.ts"), "utf8")).toBe("not yet added\n");
  expect(statSync(join(copy, ".ci/run")).mode & 0o777).toBe(0o755);
  expect(execFileSync("readlink", [join(copy, "link.ts")]).toString().trim()).toBe("main.ts");
  expect(projectFilesOnDisk(copy)).toEqual([".ci/run", ".gitignore", "edited.ts", "link.ts", "main.ts", "new-file.ts"]);
});

function projectFilesOnDisk(root: string): string[] {
  return execFileSync("find", [".", "-type", "f", "-o", "-type", "l"], { cwd: root })
    .toString()
    .split("\n")
    .filter(Boolean)
    .map((p) => p.replace(/^\.\//, ""))
    .sort();
}

test("the fingerprint stays the same when nothing changes, and sees a second edit to an edited file", () => {
  const before = workingTreeFingerprint(repo);
  expect(before.status).toContain(" M edited.ts");
  expect(before.files).toBe(6);
  expect(workingTreeFingerprint(repo)).toEqual(before);
  write("edited.ts", "a second uncommitted edit\n");
  const after = workingTreeFingerprint(repo);
  expect(after.status).toBe(before.status);
  expect(after.contentHash).not.toBe(before.contentHash);
  write("edited.ts", "uncommitted edit\n");
  expect(workingTreeFingerprint(repo)).toEqual(before);
  chmodSync(join(repo, "main.ts"), 0o755);
  expect(workingTreeFingerprint(repo).contentHash).not.toBe(before.contentHash);
  chmodSync(join(repo, "main.ts"), 0o644);
});

test("outside a git checkout it says what is needed", () => {
  const plain = mkdtempSync(join(tmpdir(), "project-copy-plain-"));
  try {
    expect(() => projectFiles(plain)).toThrow(/^git ls-files -z --cached --others --exclude-standard failed in .+: .+; the project must be a git checkout$/);
  } finally {
    rmSync(plain, { recursive: true, force: true });
  }
});
