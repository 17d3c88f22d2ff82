/**
 * A copy of the project as it is in the working tree (tracked files with their uncommitted changes,
 * and new files git does not ignore), for checks that must not touch the project itself, and a
 * fingerprint of the working tree to prove they did not.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from "fs";
import { dirname, join } from "path";

/** Folders never copied, whatever git says: installs, build and synth output, the bench's scratch. */
export const NOT_COPIED = ["node_modules/", "cdktf.out/", "dist/", "bench/.work/", ".git/"] as const;

function git(root: string, args: string[]): Buffer {
  try {
    return execFileSync("git", args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`git ${args.join(" ")} failed in ${root}: ${stderr || (error as Error).message}; the project must be a git checkout`);
  }
}

/**
 * The project's files as the working tree has them, relative to `root`, sorted: what git tracks
 * (except files deleted in the working tree) and untracked files that .gitignore does not exclude.
 */
export function projectFiles(root: string): string[] {
  const listed = git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]).toString("utf8").split("\0");
  const files = new Set<string>();
  for (const path of listed) {
    if (!path || NOT_COPIED.some((folder) => path.startsWith(folder) || path.includes(`/${folder}`))) continue;
    try {
      const stats = lstatSync(join(root, path));
      if (stats.isFile() || stats.isSymbolicLink()) files.add(path);
    } catch {
      // Tracked but deleted in the working tree: not part of the project as it is.
    }
  }
  return [...files].sort();
}

/** Copies `files` (relative to `root`) into `destination`, keeping file modes and symbolic links. */
export function copyProjectFiles(root: string, destination: string, files: readonly string[]): void {
  for (const path of files) {
    const from = join(root, path);
    const to = join(destination, path);
    mkdirSync(dirname(to), { recursive: true });
    const stats = lstatSync(from);
    if (stats.isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
    } else {
      copyFileSync(from, to);
      chmodSync(to, stats.mode & 0o7777);
    }
  }
}

/**
 * What must be the same before and after a check: `git status` (porcelain, untracked files listed
 * one by one) and a hash of the content and mode of every project file, so that a second edit to an
 * already modified file shows too.
 */
export function workingTreeFingerprint(root: string): { status: string; contentHash: string; files: number } {
  const status = git(root, ["status", "--porcelain=v1", "--untracked-files=all"]).toString("utf8");
  const hash = createHash("sha256");
  const files = projectFiles(root);
  for (const path of files) {
    const full = join(root, path);
    const stats = lstatSync(full);
    hash.update(`${path}\0${stats.mode}\0`);
    hash.update(stats.isSymbolicLink() ? readlinkSync(full) : readFileSync(full));
    hash.update("\0");
  }
  return { status, contentHash: hash.digest("hex"), files: files.length };
}
