/**
 * Measures the memory the plan review's secret matcher takes for one long secret (a multi-MB value
 * marked sensitive, such as a certificate bundle or a policy passed as a sensitive variable): the heap
 * and array buffers the `Secrets` of a one-resource plan hold once built, per character of the secret,
 * and the time to build it and to look for the secret in a copy of itself.
 *
 *   node --expose-gc --import tsx scripts/measure-secret-matcher.ts            # 1, 2 and 4 million characters
 *   node --expose-gc --import tsx scripts/measure-secret-matcher.ts 8000000    # one size
 *
 * Prints one line per size. Without --expose-gc the figures include garbage not yet collected.
 */
import { performance } from "perf_hooks";
import { PlanResourceChange } from "./lib/plan-review/parse";
import { Secrets } from "./lib/plan-review/secrets";

const gc = (globalThis as { gc?: () => void }).gc;

function used(): number {
  gc?.();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

/** A secret of `size` characters without long repeats (a repeated text would share trie states). */
function secretOf(size: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let state = 0x2545f491;
  let text = "";
  const chunk: string[] = [];
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    chunk.push(alphabet[(state >>> 0) % alphabet.length]);
    if (chunk.length === 65536) {
      text += chunk.join("");
      chunk.length = 0;
    }
  }
  return text + chunk.join("");
}

function measure(size: number): string {
  const secret = secretOf(size);
  const change: PlanResourceChange = {
    address: "aws_ssm_parameter.bundle",
    type: "aws_ssm_parameter",
    mode: "managed",
    change: { actions: ["update"], before: { value: secret }, after: { value: secret }, before_sensitive: { value: true }, after_sensitive: { value: true } },
  };
  const copy = `prefix:${secret}:suffix`;
  const base = used();
  const start = performance.now();
  const secrets = new Secrets([change]);
  const built = performance.now();
  const held = used() - base;
  const marked = secrets.markCopies({ ...change, address: "aws_x.copy", change: { actions: ["update"], before: { copy }, after: { copy } } });
  const matched = performance.now();
  if (marked.change.after_sensitive === undefined || JSON.stringify(marked.change.after_sensitive) !== '{"copy":true}') {
    throw new Error("the copy of the secret was not found");
  }
  return (
    `${size.toLocaleString("en")} characters: ${(held / size).toFixed(1)} bytes per character held ` +
    `(${(held / 2 ** 20).toFixed(1)} MiB), built in ${((built - start) / 1000).toFixed(2)} s, copy found in ${((matched - built) / 1000).toFixed(2)} s`
  );
}

const sizes = process.argv.slice(2).map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("usage: node --expose-gc --import tsx scripts/measure-secret-matcher.ts [<secret length>...]");
  process.exit(2);
}
if (!gc) console.error("note: run with node --expose-gc for figures without uncollected garbage");
for (const size of sizes.length > 0 ? sizes : [1_000_000, 2_000_000, 4_000_000]) console.log(measure(size));
