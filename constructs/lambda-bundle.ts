import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { buildSync, version as esbuildVersion } from "esbuild";
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
  /** The deterministic zip (fixed timestamps) holding `index.js`. */
  readonly zip: Uint8Array;
  /**
   * The source map of `index.js` (paths relative to the project root, no sources inlined). Not shipped
   * in the zip: it would double the zip and slow every cold start; it is written beside the zip in
   * dist/lambda/ to decode a stack trace from CloudWatch.
   */
  readonly sourceMap: Uint8Array;
  /** Base64 SHA-256 of the zip: what Terraform's `filebase64sha256()` would give (`source_code_hash`). */
  readonly sourceCodeHash: string;
  /** Files in the zip (`index.js`) and their sizes in bytes. */
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

// DOS date 1980-01-01: the earliest a zip can hold. Fixed, so the same code gives the same bytes.
export const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const cache = new Map<string, BuiltBundle>();
const diskCache = new BuildCache(PROJECT_ROOT);

/**
 * Bundles `lambda-src/<entry>` with esbuild (minified, tree-shaken, with an external source map
 * without sources) into a deterministic zip holding `index.js`. Memoized per process (every stack of
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
  const result = buildSync({
    entryPoints: [entryPath],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // Prefer the SDK's ES module builds: esbuild can only tree-shake ES modules.
    mainFields: ["module", "main"],
    minify: options.minify ?? true,
    treeShaking: true,
    sourcemap: "external",
    sourcesContent: false,
    legalComments: "none",
    external: [...(options.external ?? [])],
    alias,
    outfile: "index.js",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = (name: string) => {
    const file = result.outputFiles.find((f) => relative(PROJECT_ROOT, f.path) === name);
    if (!file) throw new Error(`esbuild wrote no ${name} for \`${entry}\``);
    return file.contents;
  };
  const code = output("index.js");
  const zip = zipSync({ "index.js": [code, { mtime: ZIP_MTIME, level: 9 }] });
  const inputs = Object.keys(result.metafile!.inputs).sort();
  const infrastructureInput = inputs.find((input) => INFRASTRUCTURE_PACKAGE_INPUT.test(input));
  if (infrastructureInput) {
    throw new Error(
      `Lambda bundle of \`${entry}\` pulls in \`${infrastructureInput}\`; code under lambda-src/ must not import cdktf, cdktn or constructs`,
    );
  }
  return {
    entry,
    zip,
    sourceMap: output("index.js.map"),
    sourceCodeHash: createHash("sha256").update(zip).digest("base64"),
    files: { "index.js": code.byteLength },
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
