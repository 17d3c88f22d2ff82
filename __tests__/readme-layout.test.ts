/**
 * The README's "Layout" table against the tree: every top-level folder and file a user meets, every
 * stack, construct and script file is listed (by its own path or a folder that holds it), and every
 * path the table names exists. A file added without its line fails here. The docs/ folder: listed
 * there, and each of its files linked from "Where to go next".
 */
import { execFileSync } from "child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";

const ROOT = join(__dirname, "..");

/** A `## <title>` section of README.md, up to the next `## `. */
function readmeSection(title: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = new RegExp(`^## ${title}\\n([\\s\\S]*?)(?=\\n## |(?![\\s\\S]))`, "m").exec(readme);
  if (!section) throw new Error(`README.md has no "## ${title}" section`);
  return section[1];
}

/** The paths of the table's first column: each backticked path of the `| path | what |` rows. */
function layoutPaths(): string[] {
  const rows = readmeSection("Layout").split("\n").filter((line) => line.startsWith("| `"));
  return rows.flatMap((row) => [...row.split("|")[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]));
}

/**
 * Files a clone holds, relative to the root: what git tracks, or, in a copy without git (the CDK
 * Terrain check's), every file that .gitignore's entries (folders, names, `*` globs) leave.
 */
function trackedFiles(): string[] {
  if (existsSync(join(ROOT, ".git"))) {
    return execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
  }
  const entries = readFileSync(join(ROOT, ".gitignore"), "utf8").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  const ignored = (path: string, isDirectory: boolean) =>
    entries.some((entry) => {
      const folder = entry.endsWith("/");
      if (folder && !isDirectory) return false;
      const pattern = folder ? entry.slice(0, -1) : entry;
      const name = pattern.includes("/") ? path : path.slice(path.lastIndexOf("/") + 1);
      return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`).test(name);
    });
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && statSync(join(ROOT, path)).isDirectory());
      if (ignored(path, isDirectory)) return [];
      return isDirectory ? walk(path) : [path];
    });
  return walk("");
}

const paths = layoutPaths();
const listed = (file: string) => paths.some((path) => path === file || (path.endsWith("/") && file.startsWith(path)));

// Files a reader of a repository knows without a line: the README itself, the lock file, git's own.
const SELF_EXPLAINED = new Set(["README.md", "package-lock.json", ".gitignore"]);

test("every top-level folder and file of the clone is in the table", () => {
  const topLevel = [...new Set(trackedFiles().map((file) => (file.includes("/") ? `${file.split("/")[0]}/` : file)))];
  const missing = topLevel.filter((entry) => !SELF_EXPLAINED.has(entry) && !paths.some((path) => path === entry || path.startsWith(entry)));
  expect(missing).toEqual([]);
});

test("every stack, construct and script file is listed by its path or by a listed folder that holds it", () => {
  const sources = trackedFiles().filter((file) => /^(stacks|constructs|scripts)\/[^/]+\.(ts|cjs)$/.test(file) || /^scripts\/lib\/[^/]+\.(ts|cjs)$/.test(file));
  // Declaration files go with the module they describe.
  const missing = sources.filter((file) => !file.endsWith(".d.cts") && !listed(file));
  expect(missing).toEqual([]);
});

test("every path the table names exists", () => {
  expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
});

test("the docs/ folder is in the table, and every file of it is linked from \"Where to go next\"", () => {
  expect(paths).toContain("docs/");
  const docs = readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`);
  expect(docs.length).toBeGreaterThan(0);
  const linked = new Set([...readmeSection("Where to go next").matchAll(/\]\(([^)#\s]+)/g)].map((match) => match[1]));
  expect(docs.filter((file) => !linked.has(file))).toEqual([]);
});
