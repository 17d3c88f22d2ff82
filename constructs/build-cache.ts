/**
 * A cache of build outputs on disk, so that a synth rebuilds a Lambda bundle or layer only when one of
 * its inputs changed (esbuild and level-9 deflate were most of every synth's time). An entry is valid
 * while every input file it lists keeps the same content; its key covers the build's parameters, the
 * lock file (dependency versions) and the builder's own source.
 *
 * Where: `node_modules/.cache/bandup-build` (ignored with node_modules), or `BANDUP_BUILD_CACHE_DIR`.
 * `BANDUP_BUILD_CACHE=off` turns it off (benchmarks of a cold build).
 */
import { createHash } from "crypto";
import { existsSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { writeAtomically } from "../scripts/lib/write-atomically.cjs";

export { writeAtomically };

/** A cached build: the files it produced, what it read, and small metadata. */
export interface CacheEntry {
  /** Files the build read, relative to the project root (their content decides validity). */
  readonly inputs: readonly string[];
  /** JSON-serializable facts about the build (sizes, input list, ...). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** Output files by name. */
  readonly files: Readonly<Record<string, Uint8Array>>;
}

interface Manifest {
  readonly inputs: readonly (readonly [string, string])[];
  readonly meta: Readonly<Record<string, unknown>>;
  readonly files: readonly string[];
}

/** Content hashes of files by path, size and modification time: each file is read once per process. */
const fileHashes = new Map<string, string>();

function hashFile(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined;
  }
  const memo = `${path}\0${stats.size}\0${stats.mtimeMs}`;
  let hash = fileHashes.get(memo);
  if (hash === undefined) {
    hash = createHash("sha1").update(readFileSync(path)).digest("hex");
    fileHashes.set(memo, hash);
  }
  return hash;
}

export class BuildCache {
  /** Whether the cache is used at all (`BANDUP_BUILD_CACHE=off` turns it off). */
  public readonly enabled: boolean;
  private readonly directory: string;

  constructor(
    /** The project root: input paths are relative to it. */
    private readonly root: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.enabled = env.BANDUP_BUILD_CACHE !== "off";
    this.directory = env.BANDUP_BUILD_CACHE_DIR ?? join(root, "node_modules", ".cache", "bandup-build");
  }

  /**
   * The cache key of a build: its parameters, the lock file (dependency versions) and the source of
   * the builder (`builderFile`), so that a change of build settings is a new key.
   */
  key(parameters: unknown, builderFile: string): string {
    return createHash("sha256")
      .update(JSON.stringify(parameters))
      .update(hashFile(join(this.root, "package-lock.json")) ?? "no lock file")
      .update(hashFile(builderFile) ?? builderFile)
      .digest("hex")
      .slice(0, 32);
  }

  /** The entry under `key` if every input still has the content it had; otherwise undefined. */
  get(key: string): CacheEntry | undefined {
    if (!this.enabled) return undefined;
    const manifestPath = join(this.directory, `${key}.json`);
    if (!existsSync(manifestPath)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
      for (const [input, hash] of manifest.inputs) {
        if (hashFile(join(this.root, input)) !== hash) return undefined;
      }
      const files: Record<string, Uint8Array> = {};
      for (const name of manifest.files) files[name] = readFileSync(join(this.directory, `${key}.${name}`));
      return { inputs: manifest.inputs.map(([input]) => input), meta: manifest.meta, files };
    } catch {
      return undefined; // a damaged entry is rebuilt
    }
  }

  /** Stores a build; the manifest goes last, so a reader never sees a half-written entry. */
  set(key: string, entry: CacheEntry): void {
    if (!this.enabled) return;
    const inputs = entry.inputs.map((input) => [input, hashFile(join(this.root, input)) ?? ""] as const);
    for (const [name, bytes] of Object.entries(entry.files)) writeAtomically(join(this.directory, `${key}.${name}`), bytes);
    const manifest: Manifest = { inputs, meta: entry.meta, files: Object.keys(entry.files) };
    writeAtomically(join(this.directory, `${key}.json`), JSON.stringify(manifest));
  }
}
