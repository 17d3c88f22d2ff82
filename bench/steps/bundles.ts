/**
 * The Lambda bundles, built in the bench's process with the build cache off (every build a real
 * esbuild + deflate): zip sizes, build time, cold load of each handler in a fresh node, and what the
 * minified index.js is made of. Three variants per function: as deployed, a reference with everything
 * bundled unminified, and the option of leaving the AWS SDK to the Lambda runtime.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { unzipSync, zipSync } from "fflate";
import type { BundleOptions } from "../../constructs/lambda-bundle";
import { FUNCTION_DEFINITIONS, FUNCTION_ENVIRONMENT, FunctionDefinition } from "../../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS } from "../../lambda-src/contract/table-definitions";
import { bundleComposition, PackageShare } from "../lib/bundle-composition";
import { BenchContext } from "../lib/context";
import { measureProcess, repeat } from "../lib/measure";
import { summarize, Summary } from "../lib/stats";
import { PROJECT_ROOT } from "../lib/variants";

export interface BundleVariantResult {
  readonly zipBytes: number;
  /** The zip of the code alone (index.js and sdk.js, without index.js.map). */
  readonly zipWithoutMapBytes: number;
  readonly indexJsBytes: number;
  readonly mapBytes: number;
  readonly buildMs: number;
  /** Wall time of `node -e "require('./index.js')"`. */
  readonly loadWall: Summary;
  /** The same minus the node floor: the cold load. */
  readonly coldLoadMs: number;
  /** Time of the require() itself, measured inside the process. */
  readonly requireMs: Summary;
  readonly peakRssMiB: Summary;
}

export interface BuiltBundleResult {
  readonly kind: string;
  readonly entry: string;
  readonly present: true;
  readonly bundle: BundleVariantResult;
  readonly reference: BundleVariantResult;
  /** The same handler with the AWS SDK left to the Lambda runtime (`external: ["@aws-sdk/*"]`); loaded here from node_modules. */
  readonly sdkExternal: BundleVariantResult;
  /** Packages the deployed bundle leaves to the function's layer. */
  readonly layerPackages: readonly string[];
  /** The layer's zip, built at synth like the function's (constructs/node-modules-layer.ts), cache off. */
  readonly layer?: { readonly zipBytes: number; readonly buildMs: number };
  /** Bytes of the minified index.js per package (or lambda-src folder), largest first. */
  readonly composition: readonly PackageShare[];
}

/** A function whose entry does not exist (yet): listed, not built. */
export interface MissingBundleResult {
  readonly kind: string;
  readonly entry: string;
  readonly present: false;
}

export type BundleResult = BuiltBundleResult | MissingBundleResult;

type Builders = ReturnType<typeof loadBuildersWithoutCache>;

/**
 * The builders loaded with `BANDUP_BUILD_CACHE=off` (each module reads it once, when it loads), so that
 * every build below is a real esbuild + deflate, never a cache hit. Only this process's copy is
 * affected: the variable is restored at once, and child processes get their own. No other step may
 * load these modules first (the terraform step, which builds stacks in-process, runs after this one).
 */
function loadBuildersWithoutCache() {
  const modules = ["../../constructs/build-cache", "../../constructs/lambda-bundle", "../../constructs/node-modules-layer", "../../constructs/bandup-function"];
  for (const module of modules) {
    if (require.cache[require.resolve(module)]) throw new Error(`bench: ${module} was loaded before the bundles step, with the build cache on`);
  }
  const previous = process.env.BANDUP_BUILD_CACHE;
  process.env.BANDUP_BUILD_CACHE = "off";
  try {
    return {
      buildLambdaBundle: (require("../../constructs/lambda-bundle") as typeof import("../../constructs/lambda-bundle")).buildLambdaBundle,
      buildNodeModulesLayer: (require("../../constructs/node-modules-layer") as typeof import("../../constructs/node-modules-layer")).buildNodeModulesLayer,
      bundleOptionsOf: (require("../../constructs/bandup-function") as typeof import("../../constructs/bandup-function")).bundleOptionsOf,
    };
  } finally {
    if (previous === undefined) delete process.env.BANDUP_BUILD_CACHE;
    else process.env.BANDUP_BUILD_CACHE = previous;
  }
}

/** The variables every handler reads at load, with stand-in values. */
const HANDLER_ENV: NodeJS.ProcessEnv = {
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  [FUNCTION_ENVIRONMENT.modelId]: "gemini-2.5-flash",
  [FUNCTION_ENVIRONMENT.modelApiKeyParameter]: "/bandup/bench/gemini-api-key",
  [FUNCTION_ENVIRONMENT.uploadsBucket]: "bandup-uploads-bench",
  ...Object.fromEntries(TABLE_DEFINITIONS.map((t) => [t.environmentVariable, `${t.baseName}-bench`])),
};

const LOAD_SCRIPT =
  "const t=process.hrtime.bigint();const m=require('./index.js');" +
  "if(typeof m.handler!=='function')throw new Error('no handler export');" +
  "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";

const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Builds one variant, unzips it into `dir` and loads its handler in fresh node processes. */
function measureVariant(context: BenchContext, builders: Builders, floorS: number, entry: string, options: BundleOptions, dir: string): BundleVariantResult {
  const start = process.hrtime.bigint();
  const built = builders.buildLambdaBundle(entry, options);
  const buildMs = elapsedMs(start);
  mkdirSync(dir, { recursive: true });
  const files = unzipSync(built.zip);
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const samples = repeat(context.runs(9, 3), 1, () => measureProcess(process.execPath, ["-e", LOAD_SCRIPT], { cwd: dir, env: HANDLER_ENV }));
  const loadWall = summarize(samples.map((s) => s.wallS));
  return {
    zipBytes: built.zip.byteLength,
    zipWithoutMapBytes: zipSync(
      Object.fromEntries(Object.entries(files).filter(([name]) => name.endsWith(".js")).map(([name, bytes]) => [name, [bytes, { mtime: ZIP_MTIME, level: 9 }]])),
    ).byteLength,
    indexJsBytes: files["index.js"]?.byteLength ?? 0,
    mapBytes: (built as { sourceMap?: Uint8Array }).sourceMap?.byteLength ?? files["index.js.map"]?.byteLength ?? 0,
    buildMs,
    loadWall,
    coldLoadMs: (loadWall.median - floorS) * 1000,
    requireMs: summarize(samples.map((s) => Number(s.stdout))),
    peakRssMiB: summarize(samples.map((s) => s.peakRssMiB)),
  };
}

function measureFunction(context: BenchContext, builders: Builders, floorS: number, definition: FunctionDefinition): BuiltBundleResult {
  context.log(`bundle ${definition.kind}`);
  const dir = join(context.work, "bundles", definition.kind);
  // As the stack builds it: packages of the function's layer stay out of the zip.
  const deployed = builders.bundleOptionsOf(definition);
  const layerPackages = deployed.external ?? [];
  rmSync(dir, { recursive: true, force: true });
  const variant = (options: BundleOptions, folder: string): BundleVariantResult => measureVariant(context, builders, floorS, definition.entry, options, join(dir, folder));
  const bundle = variant(deployed, "minified");
  const reference = variant({ minify: false, environmentCredentialsOnly: false }, "unminified");
  const sdkExternal = variant({ ...deployed, external: [...layerPackages, "@aws-sdk/*"] }, "sdk-external");
  const composition = bundleComposition(PROJECT_ROOT, definition.entry, deployed);
  let layer: BuiltBundleResult["layer"];
  if (layerPackages.length > 0) {
    const start = process.hrtime.bigint();
    layer = { zipBytes: builders.buildNodeModulesLayer(layerPackages).zip.byteLength, buildMs: elapsedMs(start) };
  }
  return { kind: definition.kind, entry: definition.entry, present: true, layerPackages, bundle, reference, sdkExternal, composition, layer };
}

/** `floorS`: the node floor, subtracted from each load's wall time. */
export function measureBundles(context: BenchContext, floorS: number): BundleResult[] {
  const builders = loadBuildersWithoutCache();
  return FUNCTION_DEFINITIONS.map((definition): BundleResult => {
    if (existsSync(join(PROJECT_ROOT, "lambda-src", definition.entry))) return measureFunction(context, builders, floorS, definition);
    context.log(`bundle ${definition.kind}: lambda-src/${definition.entry} not there yet, skipped`);
    return { kind: definition.kind, entry: definition.entry, present: false };
  });
}
