import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { LambdaLayerVersion } from "@cdktf/provider-aws/lib/lambda-layer-version";
import { zipSync } from "fflate";
import { createHash } from "crypto";
import { readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { BuildCache } from "./build-cache";
import { BuildInputError } from "./build-input-error";
import { checkName, LAYER_NAME } from "./naming-rules";
import { PROJECT_ROOT, writeOnce, ZIP_MTIME } from "./lambda-bundle";

// Type declarations, source maps and docs are of no use at run time.
const LEFT_OUT = /(\.d\.[cm]?ts|\.map|\.md)$/;

/** The zip of a layer: `nodejs/node_modules/<package>/...`, where Lambda's NODE_PATH looks. */
export interface BuiltLayer {
  readonly zip: Uint8Array;
  readonly sourceCodeHash: string;
  /** Every package in the layer (the requested ones and their dependencies) with its version. */
  readonly packages: Readonly<Record<string, string>>;
}

const cache = new Map<string, BuiltLayer>();
const diskCache = new BuildCache(PROJECT_ROOT);

/**
 * Packs installed npm packages and their dependencies, as they are in node_modules/, into a
 * deterministic layer zip (fixed timestamps, sorted entries). Memoized per process and on disk
 * (constructs/build-cache.ts).
 */
export function buildNodeModulesLayer(packages: readonly string[]): BuiltLayer {
  const key = JSON.stringify(packages);
  const cached = cache.get(key);
  if (cached) return cached;

  // What goes in: each package's files (relative to the project root) under nodejs/node_modules/.
  const versions: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const pending = [...packages];
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (versions[name]) continue;
    const root = join(PROJECT_ROOT, "node_modules", name);
    let manifest: { version: string; dependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    } catch {
      throw new BuildInputError(`layer package \`${name}\` is not installed in node_modules; add it to package.json dependencies`);
    }
    versions[name] = manifest.version;
    pending.push(...Object.keys(manifest.dependencies ?? {}));
    for (const file of listFiles(root)) {
      if (LEFT_OUT.test(file) && file !== "package.json") continue;
      sources[`nodejs/node_modules/${name}/${file}`] = `node_modules/${name}/${file}`;
    }
  }

  const diskKey = diskCache.key({ builder: "node-modules-layer", versions }, join(PROJECT_ROOT, "constructs/node-modules-layer.ts"));
  const stored = diskCache.get(diskKey);
  let zip: Uint8Array;
  if (stored) {
    zip = stored.files.zip;
  } else {
    const entries = Object.keys(sources).sort();
    zip = zipSync(
      Object.fromEntries(entries.map((name) => [name, [readFileSync(join(PROJECT_ROOT, sources[name])), { mtime: ZIP_MTIME, level: 9 }]])),
    );
    diskCache.set(diskKey, { inputs: Object.values(sources), meta: {}, files: { zip } });
  }
  const built = { zip, sourceCodeHash: createHash("sha256").update(zip).digest("base64"), packages: versions };
  cache.set(key, built);
  return built;
}

function listFiles(root: string, prefix = ""): string[] {
  return readdirSync(join(root, prefix))
    .sort()
    .flatMap((entry) => {
      const relativePath = prefix ? `${prefix}/${entry}` : entry;
      if (entry === "node_modules") return [];
      return statSync(join(root, relativePath)).isDirectory() ? listFiles(root, relativePath) : [relativePath];
    });
}

/** Props of a `NodeModulesLayer`. */
export interface NodeModulesLayerProps {
  /** Name of the layer (1-140 characters of a-z, A-Z, 0-9, _ and -); each deploy of new content adds a version. */
  readonly layerName: string;
  /** npm packages (installed in node_modules/) to ship, with their dependencies. */
  readonly packages: readonly string[];
  /** Runtimes the layer declares. */
  readonly compatibleRuntimes: readonly string[];
  /**
   * Architectures the layer declares.
   * @default ["arm64"]
   */
  readonly compatibleArchitectures?: readonly string[];
}

/**
 * A Lambda layer that holds npm packages too large to bundle into a function's zip (PDF.js): the
 * function keeps them `external` and Node resolves them from /opt/nodejs/node_modules.
 */
export class NodeModulesLayer extends Construct {
  /** The layer version; a function lists its `arn` in `layers`. */
  public readonly layer: LambdaLayerVersion;
  /** The zip and the packages in it, with their versions. */
  public readonly built: BuiltLayer;

  constructor(scope: Construct, id: string, props: NodeModulesLayerProps) {
    super(scope, id);
    // Reported at synth with this construct's path.
    this.node.addValidation({ validate: () => [checkName("layerName", LAYER_NAME, props.layerName)].filter((p): p is string => p !== undefined) });
    this.built = buildNodeModulesLayer(props.packages);
    const hex = Buffer.from(this.built.sourceCodeHash, "base64").toString("hex").slice(0, 16);
    const zipPath = join(PROJECT_ROOT, "dist", "lambda", `layer-${props.packages.join("-").replace(/[^a-z0-9-]/gi, "_")}-${hex}.zip`);
    writeOnce(zipPath, this.built.zip);
    const asset = new TerraformAsset(this, "asset", { path: zipPath, type: AssetType.FILE, assetHash: hex });
    this.layer = new LambdaLayerVersion(this, "layer", {
      layerName: props.layerName,
      description: Object.entries(this.built.packages).map(([name, version]) => `${name}@${version}`).join(", "),
      filename: asset.path,
      sourceCodeHash: this.built.sourceCodeHash,
      compatibleRuntimes: [...props.compatibleRuntimes],
      compatibleArchitectures: [...(props.compatibleArchitectures ?? ["arm64"])],
    });
  }
}
