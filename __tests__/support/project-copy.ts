/**
 * A copy of the project's sources in a temporary folder (node_modules linked), whose
 * stacks/environments.ts a test edits the way the README's "Adding an environment" says, so that
 * commands run as child processes see the edited settings while the real ones stay as they are.
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { EnvironmentSettings } from "../../stacks/environments";

const ROOT = join(__dirname, "../..");
const SOURCES = ["package.json", "tsconfig.json", "cdktf.json", "stacks", "constructs", "guardrails", "lambda-src", "scripts"];

export function copyProject(): string {
  const copy = mkdtempSync(join(tmpdir(), "bandup-project-"));
  for (const path of SOURCES) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

/** Adds `<name>: <settings>,` as the last entry of `ENVIRONMENTS` in the copy's stacks/environments.ts. */
export function addEnvironment(copy: string, name: string, settings: EnvironmentSettings): void {
  const file = join(copy, "stacks/environments.ts");
  const source = readFileSync(file, "utf8");
  const start = source.indexOf("export const ENVIRONMENTS");
  const end = source.indexOf("\n};", start);
  if (start < 0 || end < 0) throw new Error(`no \`export const ENVIRONMENTS = { ... };\` in ${file}`);
  writeFileSync(file, `${source.slice(0, end)}\n  ${JSON.stringify(name)}: ${JSON.stringify(settings)},${source.slice(end)}`);
}
