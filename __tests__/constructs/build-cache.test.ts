import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { BuildCache } from "../../constructs/build-cache";

function project() {
  const root = mkdtempSync(join(tmpdir(), "build-cache-"));
  writeFileSync(join(root, "package-lock.json"), '{"lockfileVersion":3}');
  writeFileSync(join(root, "builder.ts"), "// builder v1");
  writeFileSync(join(root, "input.ts"), "export const a = 1;");
  const env = { BANDUP_BUILD_CACHE_DIR: join(root, "cache") };
  return { root, env, cache: new BuildCache(root, env) };
}

const ENTRY = { inputs: ["input.ts"], meta: { size: 3 }, files: { zip: new Uint8Array([1, 2, 3]) } };

test("returns a stored build while its inputs keep their content", () => {
  const { root, cache } = project();
  const key = cache.key({ entry: "a" }, join(root, "builder.ts"));
  expect(cache.get(key)).toBeUndefined();
  cache.set(key, ENTRY);
  const hit = cache.get(key)!;
  expect(hit.inputs).toEqual(["input.ts"]);
  expect(hit.meta).toEqual({ size: 3 });
  expect([...hit.files.zip]).toEqual([1, 2, 3]);
});

test("misses once an input changes, even within the same process", () => {
  const { root, cache } = project();
  const key = cache.key({ entry: "a" }, join(root, "builder.ts"));
  cache.set(key, ENTRY);
  writeFileSync(join(root, "input.ts"), "export const a = 2; // a longer file");
  expect(cache.get(key)).toBeUndefined();
});

test("misses once an input is deleted", () => {
  const { root, cache } = project();
  const key = cache.key({ entry: "a" }, join(root, "builder.ts"));
  cache.set(key, { ...ENTRY, inputs: ["input.ts", "gone.ts"] });
  expect(cache.get(key)).toBeUndefined();
});

test("the key changes with the parameters, the lock file and the builder's source", () => {
  const { root, cache } = project();
  const builder = join(root, "builder.ts");
  const key = cache.key({ entry: "a" }, builder);
  expect(cache.key({ entry: "a" }, builder)).toBe(key);
  expect(cache.key({ entry: "b" }, builder)).not.toBe(key);
  writeFileSync(join(root, "package-lock.json"), '{"lockfileVersion":3,"packages":{"x":{}}}');
  const afterLock = cache.key({ entry: "a" }, builder);
  expect(afterLock).not.toBe(key);
  writeFileSync(builder, "// builder v2, other settings");
  expect(cache.key({ entry: "a" }, builder)).not.toBe(afterLock);
});

test("a damaged manifest is a miss, not an error", () => {
  const { root, cache, env } = project();
  const key = cache.key({ entry: "a" }, join(root, "builder.ts"));
  cache.set(key, ENTRY);
  writeFileSync(join(env.BANDUP_BUILD_CACHE_DIR, `${key}.json`), "{ not json");
  expect(cache.get(key)).toBeUndefined();
});

test("BANDUP_BUILD_CACHE=off neither reads nor writes", () => {
  const { root, env } = project();
  const off = new BuildCache(root, { ...env, BANDUP_BUILD_CACHE: "off" });
  const on = new BuildCache(root, env);
  const key = on.key({ entry: "a" }, join(root, "builder.ts"));
  on.set(key, ENTRY);
  expect(off.enabled).toBe(false);
  expect(off.get(key)).toBeUndefined();
  off.set("other", ENTRY);
  expect(on.get("other")).toBeUndefined();
});
