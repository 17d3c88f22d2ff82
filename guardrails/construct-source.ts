/**
 * Which source file defines a construct, so a finding or a validation error can name the file to
 * edit. The project keeps one construct per file, `constructs/<kebab-name>.ts` or
 * `stacks/<kebab-name>.ts` exporting `PascalName`: the nearest enclosing construct whose class has
 * such a file is the one whose source defines the resource.
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { IConstruct } from "constructs";
import { PROJECT_ROOT } from "../constructs/project-root";

/** Folders that hold one construct per file. */
const CONSTRUCT_FOLDERS = ["constructs", "stacks"];

const fileOfClass = new Map<string, string | undefined>();

/** `BandupTable` → `bandup-table`. */
function kebabCase(className: string): string {
  return className.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
}

/** `constructs/bandup-table.ts` for `BandupTable`, when that file declares the class. */
function projectFileOf(className: string): string | undefined {
  if (!fileOfClass.has(className)) {
    const name = `${kebabCase(className)}.ts`;
    const declares = (file: string) => existsSync(file) && readFileSync(file, "utf8").includes(`class ${className} `);
    const folder = CONSTRUCT_FOLDERS.find((f) => declares(join(PROJECT_ROOT, f, name)));
    fileOfClass.set(className, folder === undefined ? undefined : `${folder}/${name}`);
  }
  return fileOfClass.get(className);
}

/**
 * The project file (relative to the project root) of the nearest construct, from `construct` up to
 * the root, whose class is defined in its own file under constructs/ or stacks/; undefined when none is.
 */
export function sourceFileOf(construct: IConstruct): string | undefined {
  for (let current: IConstruct | undefined = construct; current !== undefined; current = current.node.scope) {
    const file = projectFileOf(current.constructor.name);
    if (file !== undefined) return file;
  }
  return undefined;
}

/** The construct at `path` (as `node.path` writes it) under `root`, or undefined. */
export function constructAt(root: IConstruct, path: string): IConstruct | undefined {
  const rootPath = root.node.path;
  if (path === rootPath) return root;
  const relative = rootPath === "" ? path : path.startsWith(`${rootPath}/`) ? path.slice(rootPath.length + 1) : undefined;
  if (relative === undefined) return undefined;
  let current: IConstruct | undefined = root;
  for (const id of relative.split("/")) {
    current = current.node.tryFindChild(id);
    if (current === undefined) return undefined;
  }
  return current;
}
