/**
 * lambda-src/contract/ is what the infrastructure and the Lambda code share (tables, functions, the
 * log lines the metric filters count); lambda-src/shared/ is runtime code of the functions only. The
 * contract imports nothing but itself (no cdktf, no constructs, no AWS SDK, no runtime helper), and
 * the infrastructure reaches into lambda-src through the contract only.
 */
import { readdirSync, readFileSync } from "fs";
import { join, relative } from "path";

const ROOT = join(__dirname, "..", "..");
const CONTRACT = join(ROOT, "lambda-src", "contract");

/** Every module specifier a TypeScript file imports or re-exports (type-only imports included). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\sfrom\s+"([^"]+)"|^\s*import\s+"([^"]+)"/gm)].map((m) => m[1] ?? m[2]);
}

/** TypeScript files under `dir`, recursively. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourcesUnder(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

test("the contract holds the table, function and job log definitions", () => {
  expect(readdirSync(CONTRACT).sort()).toEqual(["function-definitions.ts", "job-outcome-log.ts", "table-definitions.ts"]);
});

test("the contract imports only its own files", () => {
  const outside = sourcesUnder(CONTRACT).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !/^\.\/[\w-]+$/.test(specifier))
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
  expect(outside).toEqual([]);
  // The check reads real imports: the contract's own cross-reference is one.
  expect(importsOf(join(CONTRACT, "function-definitions.ts"))).toEqual(["./table-definitions"]);
});

test("stacks, constructs and guardrails import from lambda-src only the contract", () => {
  const infrastructure = ["stacks", "constructs", "guardrails"].flatMap((dir) => sourcesUnder(join(ROOT, dir)));
  const reaches = infrastructure.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => specifier.includes("lambda-src/") && !/lambda-src\/contract\/[\w-]+$/.test(specifier))
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
  expect(reaches).toEqual([]);
  expect(infrastructure.some((file) => importsOf(file).some((specifier) => specifier.endsWith("lambda-src/contract/table-definitions")))).toBe(true);
});
