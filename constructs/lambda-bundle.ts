import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { buildSync, version as esbuildVersion, type BuildOptions, type Metafile } from "esbuild";
import { zipSync } from "fflate";
import { createHash } from "crypto";
import { existsSync } from "fs";
import { join, relative } from "path";
import { BuildCache, writeAtomically } from "./build-cache";
import { BuildInputError } from "./build-input-error";
import { PROJECT_ROOT } from "./project-root";

export { PROJECT_ROOT };

/** A built Lambda bundle: the zip bytes and what is in them. */
export interface BuiltBundle {
  /** Entry module, relative to lambda-src/. */
  readonly entry: string;
  /** The deterministic zip (fixed timestamps) holding `index.js` and, when the code uses the AWS SDK, `sdk.js`. */
  readonly zip: Uint8Array;
  /**
   * The source map of `index.js` (paths relative to the project root, no sources inlined; `sdk.js`,
   * the SDK's code and its client modules, has none). Not shipped
   * in the zip: it would double the zip and slow every cold start; it is written beside the zip in
   * dist/lambda/ to decode a stack trace from CloudWatch.
   */
  readonly sourceMap: Uint8Array;
  /** Base64 SHA-256 of the zip: what Terraform's `filebase64sha256()` would give (`source_code_hash`). */
  readonly sourceCodeHash: string;
  /** Files in the zip (`index.js`, `sdk.js`) and their sizes in bytes. */
  readonly files: Readonly<Record<string, number>>;
  /** Source files that went into the bundle, relative to the project root (from esbuild's metafile). */
  readonly inputs: readonly string[];
}

/** Options of one bundle build. */
export interface BundleOptions {
  /**
   * Modules left out of the bundle (they must exist in the runtime).
   * @default [] - everything is bundled, the AWS SDK included, so the deployed version is the tested one
   */
  readonly external?: readonly string[];
  /**
   * Minify the output.
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Replace the SDK's default credential chain with environment credentials only
   * (lambda-src/shared/lambda-credentials.ts): what Lambda provides, and about 40 KB less per zip.
   * @default true
   */
  readonly environmentCredentialsOnly?: boolean;
}

/**
 * Files of the infrastructure's packages, as esbuild names a bundle's inputs: CDK for Terraform
 * (`cdktf`, `@cdktf/*`), CDK Terrain (`cdktn`, `@cdktn/*`) and `constructs`. One of them in a Lambda
 * bundle means code under lambda-src/ imported the infrastructure side.
 */
export const INFRASTRUCTURE_PACKAGE_INPUT = /(?:^|\/)node_modules\/(?:cdktf|cdktn|constructs|@cdktf\/[^/]+|@cdktn\/[^/]+)\//;

/**
 * The modules of lambda-src/ that load the AWS SDK (its clients, and the commands the code sends,
 * re-exported), each with the module that loads it on the first request that needs it. The bundle
 * keeps them out of `index.js`: they go to `sdk.js` beside it, one esbuild bundle of those the
 * function's code loads (tree-shaken to what they export), which `index.js` requires on that first
 * request (`BANDUP_SDK_FILE`, lambda-src/shared/sdk-file.ts). A cold start then evaluates the
 * handler's own code only: evaluating the SDK's modules was most of its load. (esbuild's own
 * `splitting` needs ES module output, a handler file index.mjs; one CommonJS bundle with the SDK
 * behind import() would keep every SDK module, used or not: esbuild does not tree-shake a module it
 * evaluates lazily.)
 */
export const SDK_MODULES: Readonly<Record<string, string>> = {
  "lambda-src/data/dynamodb-client.ts": "lambda-src/data/document-store.ts",
  "lambda-src/shared/s3-client.ts": "lambda-src/shared/s3-object.ts",
  "lambda-src/shared/ssm-client.ts": "lambda-src/shared/ssm-secret.ts",
};

/** The file of the zip that holds the `SDK_MODULES` a function uses (and the SDK they import). */
export const SDK_FILE = "sdk.js";

/** `node_modules/@aws-sdk/...`, `node_modules/@smithy/...`: the SDK, as esbuild names an input. */
const SDK_PACKAGE_INPUT = /(?:^|\/)node_modules\/@(?:aws-sdk|smithy)\//;

// DOS date 1980-01-01: the earliest a zip can hold. Fixed, so the same code gives the same bytes.
export const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const cache = new Map<string, BuiltBundle>();
const diskCache = new BuildCache(PROJECT_ROOT);

/**
 * Bundles `lambda-src/<entry>` with esbuild (minified, tree-shaken, with an external source map
 * without sources) into a deterministic zip holding `index.js` and `sdk.js` (`SDK_MODULES`). Memoized per process (every stack of
 * an app shares one build per function) and on disk (constructs/build-cache.ts: rebuilt only when a
 * source file, a dependency or this builder changes).
 */
export function buildLambdaBundle(entry: string, options: BundleOptions = {}): BuiltBundle {
  const key = JSON.stringify([entry, options]);
  const cached = cache.get(key);
  if (cached) return cached;
  const diskKey = diskCache.key({ builder: "lambda-bundle", entry, options, esbuildVersion }, join(PROJECT_ROOT, "constructs/lambda-bundle.ts"));
  const stored = diskCache.get(diskKey);
  const built: BuiltBundle = stored
    ? {
        entry,
        zip: stored.files.zip,
        sourceMap: stored.files.map,
        sourceCodeHash: createHash("sha256").update(stored.files.zip).digest("base64"),
        files: stored.meta.files as Record<string, number>,
        inputs: stored.inputs,
      }
    : runEsbuild(entry, options);
  if (!stored) {
    diskCache.set(diskKey, { inputs: built.inputs, meta: { files: built.files }, files: { zip: built.zip, map: built.sourceMap } });
  }
  cache.set(key, built);
  return built;
}

function runEsbuild(entry: string, options: BundleOptions): BuiltBundle {
  const entryPath = join(PROJECT_ROOT, "lambda-src", entry);
  if (!existsSync(entryPath)) {
    throw new BuildInputError(`Lambda entry \`lambda-src/${entry}\` does not exist; each function needs a module that exports \`handler\``);
  }
  const alias: Record<string, string> =
    options.environmentCredentialsOnly ?? true
      ? { "@aws-sdk/credential-provider-node": "./lambda-src/shared/lambda-credentials.ts" }
      : {};
  const common: BuildOptions = {
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // Prefer the SDK's ES module builds: esbuild can only tree-shake ES modules.
    mainFields: ["module", "main"],
    minify: options.minify ?? true,
    treeShaking: true,
    legalComments: "none",
    external: [...(options.external ?? [])],
    alias,
    write: false,
    metafile: true,
    logLevel: "silent",
  };
  const result = buildSync({
    ...common,
    entryPoints: [entryPath],
    sourcemap: "external",
    sourcesContent: false,
    outfile: "index.js",
    // The SDK modules' loaders then require sdk.js instead (their import() of the module is dead code).
    define: { BANDUP_SDK_FILE: JSON.stringify(`./${SDK_FILE}`) },
  });
  const output = (outputs: readonly { path: string; contents: Uint8Array }[], name: string) => {
    const file = outputs.find((f) => relative(PROJECT_ROOT, f.path) === name);
    if (!file) throw new Error(`esbuild wrote no ${name} for \`${entry}\``);
    return file.contents;
  };
  const code = output(result.outputFiles!, "index.js");
  const files: Record<string, Uint8Array> = { "index.js": code };
  const metafiles: Metafile[] = [result.metafile!];
  const glueInputs = Object.keys(result.metafile!.inputs);
  const sdkInIndex = glueInputs.find((input) => SDK_PACKAGE_INPUT.test(input) || input in SDK_MODULES);
  if (sdkInIndex && !(options.external ?? []).some((pattern) => pattern.startsWith("@aws-sdk"))) {
    throw new Error(
      `Lambda bundle of \`${entry}\`: index.js pulls in \`${sdkInIndex}\`; the AWS SDK is loaded from ${SDK_FILE} on first use (SDK_MODULES): import an SDK module with import() in its loader, never statically`,
    );
  }
  const sdkModules = Object.entries(SDK_MODULES)
    .filter(([, loader]) => glueInputs.includes(loader))
    .map(([module]) => module);
  if (sdkModules.length > 0) {
    const sdk = buildSync({
      ...common,
      stdin: {
        contents: sdkModules.map((module) => `export * from "./${module}";`).join("\n"),
        resolveDir: PROJECT_ROOT,
        sourcefile: "sdk-modules.ts",
        loader: "ts",
      },
      outfile: SDK_FILE,
    });
    files[SDK_FILE] = output(sdk.outputFiles!, SDK_FILE);
    metafiles.push(sdk.metafile!);
  }
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, [bytes, { mtime: ZIP_MTIME, level: 9 }]])));
  const inputs = [...new Set(metafiles.flatMap((metafile) => Object.keys(metafile.inputs)))].filter((input) => input !== "<stdin>").sort();
  const infrastructureInput = inputs.find((input) => INFRASTRUCTURE_PACKAGE_INPUT.test(input));
  if (infrastructureInput) {
    throw new Error(
      `Lambda bundle of \`${entry}\` pulls in \`${infrastructureInput}\`; code under lambda-src/ must not import cdktf, cdktn or constructs`,
    );
  }
  return {
    entry,
    zip,
    sourceMap: output(result.outputFiles!, "index.js.map"),
    sourceCodeHash: createHash("sha256").update(zip).digest("base64"),
    files: Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, bytes.byteLength])),
    inputs,
  };
}

/** Writes a content-addressed file unless it exists (its name holds its hash). */
export function writeOnce(path: string, bytes: Uint8Array): void {
  if (!existsSync(path)) writeAtomically(path, bytes);
}

/** Props of a `LambdaBundle`. */
export interface LambdaBundleProps extends BundleOptions {
  /** Entry module, relative to lambda-src/, exporting `handler`. */
  readonly entry: string;
  /**
   * Folder where the zip is written before cdktf copies it into the stack's assets.
   * @default "<project root>/dist/lambda"
   */
  readonly outputDirectory?: string;
}

/** A function's code: the bundle, written as a zip and handed to Terraform as an asset. */
export class LambdaBundle extends Construct {
  /** The build (zip bytes, hash, contents). */
  public readonly bundle: BuiltBundle;
  /** The asset; its `path` is what `aws_lambda_function.filename` takes. */
  public readonly asset: TerraformAsset;
  /** Base64 SHA-256 of the zip, for `source_code_hash`. */
  public readonly sourceCodeHash: string;

  constructor(scope: Construct, id: string, props: LambdaBundleProps) {
    super(scope, id);
    this.bundle = buildLambdaBundle(props.entry, props);
    this.sourceCodeHash = this.bundle.sourceCodeHash;
    const hex = Buffer.from(this.sourceCodeHash, "base64").toString("hex").slice(0, 16);
    const zipPath = join(props.outputDirectory ?? join(PROJECT_ROOT, "dist", "lambda"), `${props.entry.split("/")[0]}-${hex}.zip`);
    writeOnce(zipPath, this.bundle.zip);
    writeOnce(zipPath.replace(/\.zip$/, ".js.map"), this.bundle.sourceMap);
    this.asset = new TerraformAsset(this, "asset", {
      path: zipPath,
      type: AssetType.FILE,
      // The hash names the asset folder in cdktf.out: derived from the zip, so it changes only with the code.
      assetHash: hex,
    });
  }
}
