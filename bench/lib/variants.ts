/**
 * Generated variants of the app for comparison, written outside the repository (the project's
 * tsconfig type-checks bench/**\/*.ts, and a root-import copy would make `tsc` load the provider's
 * whole type tree). Each variant is a copy of the app's sources with node_modules symlinked.
 */
import { transformSync } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, relative } from "path";

export const PROJECT_ROOT = join(__dirname, "..", "..");
/** What a variant copies: the app and everything it imports. */
const APP_PATHS = ["main.ts", "cdktf.json", "tsconfig.json", "package.json", "package-lock.json", "stacks", "constructs", "guardrails", "lambda-src"];

export function variantRoot(name: string): string {
  return join(tmpdir(), "bandup-bench", name);
}

function copyApp(dest: string): void {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  for (const path of APP_PATHS) {
    if (existsSync(join(PROJECT_ROOT, path))) cpSync(join(PROJECT_ROOT, path), join(dest, path), { recursive: true });
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
  return { code: `import { ${[...used].sort().join(", ")} } from "@cdktf/provider-aws";\n${code}`, rewritten };
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

/**
 * Prototype of the proposed fix: the app's TypeScript compiled ahead of time to CommonJS (one .js per
 * .ts, same layout, so `__dirname`-relative paths still hold), run with plain `node main.js`.
 */
export function generatePrecompiledVariant(options: { cacheBundles?: boolean; compile?: boolean } = {}): { root: string; compileS: number } {
  const compile = options.compile ?? true;
  const root = variantRoot(`${compile ? "precompiled" : "tsx"}${options.cacheBundles ? "-cached-bundles" : ""}`);
  copyApp(root);
  if (options.cacheBundles) addBundleCache(join(root, "constructs", "lambda-bundle.ts"), join(root, ".bundle-cache"));
  if (!compile) return { root, compileS: 0 };
  const start = process.hrtime.bigint();
  for (const file of walk(root).filter((f) => f.endsWith(".ts") && !f.startsWith(join(root, "lambda-src")))) {
    const { code } = transformSync(readFileSync(file, "utf8"), { loader: "ts", format: "cjs", target: "node20", sourcefile: relative(root, file) });
    writeFileSync(file.replace(/\.ts$/, ".js"), code);
  }
  // lambda-src/shared is imported by the infrastructure too; keep its .ts for the Lambda bundler.
  for (const file of walk(join(root, "lambda-src")).filter((f) => f.endsWith(".ts"))) {
    const { code } = transformSync(readFileSync(file, "utf8"), { loader: "ts", format: "cjs", target: "node20" });
    writeFileSync(file.replace(/\.ts$/, ".js"), code);
  }
  return { root, compileS: Number(process.hrtime.bigint() - start) / 1e9 };
}

/**
 * Prototype of the second fix: a cache of built bundles on disk, keyed by the entry and options, valid
 * while every input file esbuild read (the metafile's inputs, node_modules included) has the same
 * SHA-256. A hit skips esbuild and the deflate of the zip. Patched into a copy of lambda-bundle.ts.
 */
export function addBundleCache(file: string, cacheDir: string): void {
  const source = readFileSync(file, "utf8");
  const signature = "export function buildLambdaBundle(entry: string, options: BundleOptions = {}): BuiltBundle {";
  if (!source.includes(signature)) throw new Error(`bundle cache prototype: \`${signature}\` not found in ${file}`);
  writeFileSync(
    file,
    source.replace(signature, signature.replace("export function buildLambdaBundle(", "function buildLambdaBundleUncached(")) +
      `
const BUNDLE_CACHE_DIR = ${JSON.stringify(cacheDir)};
function sha256File(path: string): string {
  return createHash("sha256").update(require("fs").readFileSync(join(PROJECT_ROOT, path))).digest("hex");
}
/** JSON with Uint8Array fields as base64. */
export function cacheEncode(value: object): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? { __bytes: Buffer.from(v).toString("base64") } : v));
}
export function cacheDecode(text: string): any {
  return JSON.parse(text, (_k, v) => (v && typeof v === "object" && typeof v.__bytes === "string" ? new Uint8Array(Buffer.from(v.__bytes, "base64")) : v));
}
export function buildLambdaBundle(entry: string, options: BundleOptions = {}): BuiltBundle {
  const fs = require("fs");
  const key = createHash("sha256").update(JSON.stringify([entry, options, require("esbuild").version])).digest("hex").slice(0, 24);
  const file = join(BUNDLE_CACHE_DIR, "bundle-" + key + ".json");
  if (existsSync(file)) {
    const { inputHashes, built } = cacheDecode(fs.readFileSync(file, "utf8"));
    const fresh = Object.entries(inputHashes as Record<string, string>).every(
      ([path, hash]) => existsSync(join(PROJECT_ROOT, path)) && sha256File(path) === hash,
    );
    if (fresh) return built;
  }
  const built = buildLambdaBundleUncached(entry, options);
  mkdirSync(BUNDLE_CACHE_DIR, { recursive: true });
  const inputHashes = Object.fromEntries(built.inputs.map((path) => [path, sha256File(path)]));
  writeFileSync(file, cacheEncode({ inputHashes, built }));
  return built;
}
`,
  );
  // The layer of node_modules packages (zipped at level 9 on every synth): keyed by its packages and package-lock.json.
  const layerFile = join(dirname(file), "node-modules-layer.ts");
  const layerSignature = "export function buildNodeModulesLayer(packages: readonly string[]): BuiltLayer {";
  if (!existsSync(layerFile)) return;
  const layerSource = readFileSync(layerFile, "utf8");
  if (!layerSource.includes(layerSignature)) throw new Error(`bundle cache prototype: \`${layerSignature}\` not found in ${layerFile}`);
  writeFileSync(
    layerFile,
    layerSource.replace(layerSignature, layerSignature.replace("export function buildNodeModulesLayer(", "function buildNodeModulesLayerUncached(")) +
      `
export function buildNodeModulesLayer(packages: readonly string[]): BuiltLayer {
  const fs = require("fs");
  const { cacheEncode, cacheDecode } = require("./lambda-bundle");
  const lock = fs.readFileSync(join(PROJECT_ROOT, "package-lock.json"));
  const key = createHash("sha256").update(JSON.stringify(packages)).update(lock).digest("hex").slice(0, 24);
  const file = join(${JSON.stringify(cacheDir)}, "layer-" + key + ".json");
  if (fs.existsSync(file)) return cacheDecode(fs.readFileSync(file, "utf8"));
  const built = buildNodeModulesLayerUncached(packages);
  fs.mkdirSync(${JSON.stringify(cacheDir)}, { recursive: true });
  fs.writeFileSync(file, cacheEncode(built));
  return built;
}
`,
  );
}
