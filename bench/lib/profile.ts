/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and sums self time by where the code lives: a
 * package under node_modules, node's internals, the project's own files, or V8's pseudo-frames
 * ((garbage collector), (program): mostly compiling and native work, (idle)).
 */
import { readFileSync } from "fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time per bucket, largest first. */
  readonly byBucket: readonly { bucket: string; selfMs: number; scripts: number }[];
  /** The functions with the most self time. */
  readonly topFunctions: readonly { name: string; where: string; selfMs: number }[];
}

export function bucketOf(url: string, functionName: string, projectRoot: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : `native: ${functionName || "(anonymous)"}`;
  if (url.startsWith("node:")) return "node internals";
  const path = url.replace(/^file:\/\//, "");
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1];
  if (path.startsWith(projectRoot)) return "project code";
  return path;
}

export function summarizeProfile(file: string, projectRoot: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const buckets = new Map<string, { selfMs: number; scripts: Set<string> }>();
  const functions = new Map<string, { name: string; where: string; selfMs: number }>();
  for (const [id, micros] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const bucket = bucketOf(url, functionName, projectRoot);
    const entry = buckets.get(bucket) ?? { selfMs: 0, scripts: new Set<string>() };
    entry.selfMs += micros / 1000;
    if (url) entry.scripts.add(url);
    buckets.set(bucket, entry);
    const where = url ? `${url.replace(/^file:\/\//, "").replace(projectRoot + "/", "")}:${lineNumber + 1}` : "";
    const key = `${functionName}@${where}`;
    const fn = functions.get(key) ?? { name: functionName || "(anonymous)", where, selfMs: 0 };
    fn.selfMs += micros / 1000;
    functions.set(key, fn);
  }
  // Scripts that ran at all (any node, not only those with self samples): what was loaded.
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    if (!url) continue;
    const bucket = bucketOf(url, functionName, projectRoot);
    const entry = buckets.get(bucket) ?? { selfMs: 0, scripts: new Set<string>() };
    entry.scripts.add(url);
    buckets.set(bucket, entry);
  }
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byBucket: [...buckets.entries()]
      .map(([bucket, { selfMs, scripts }]) => ({ bucket, selfMs, scripts: scripts.size }))
      .sort((a, b) => b.selfMs - a.selfMs),
    topFunctions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 12),
  };
}
