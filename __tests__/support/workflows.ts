/**
 * The GitHub workflows as the tests read them: parsed with `yaml`, and the few expressions that pick
 * the matrices out of `npm run environments -- --json`, evaluated the way GitHub does.
 *
 * HAND-WRITTEN SUBSET: `evaluatePath` knows `fromJSON(<context path>)` followed by `.name`, `.*` and
 * `[<context path>]`, nothing else; any other expression throws, so a workflow that computes its
 * matrix in another way fails its test until the test knows that way too.
 */
import { readdirSync, readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";

export const ROOT = join(__dirname, "../..");
export const WORKFLOWS_DIR = join(ROOT, ".github/workflows");

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
  "continue-on-error"?: boolean;
}
export interface Job {
  name?: string;
  "runs-on"?: string;
  "timeout-minutes"?: number;
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix: { include: unknown } };
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps?: Step[];
}
export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** Every workflow file of .github/workflows. */
export function workflowFiles(): string[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

export function loadWorkflow(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS_DIR, file), "utf8"));
}

/** The steps a job runs: its own, or those of the local workflow it calls (`uses: ./.github/workflows/x.yml`). */
export function stepsOf(job: Job): Step[] {
  if (job.steps) return job.steps;
  const called = /^\.\/\.github\/workflows\/([\w.-]+\.ya?ml)$/.exec(job.uses ?? "");
  if (!called) throw new Error(`job calls \`${job.uses}\`, not a workflow of this repository`);
  return Object.values(loadWorkflow(called[1]).jobs).flatMap(stepsOf);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function lookup(contexts: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((value, key) => {
    if (value === null || typeof value !== "object" || !(key in value)) throw new Error(`\`${path}\`: no \`${key}\` in the contexts given`);
    return (value as Record<string, unknown>)[key];
  }, contexts);
}

/**
 * Evaluates `${{ fromJSON(<path>)<accessors> }}` (or the same without `${{ }}`) against `contexts`,
 * as GitHub does: a missing property is null, `.*` on an array maps the accessors that follow over its
 * elements.
 */
export function evaluatePath(expression: string, contexts: Record<string, unknown>): Json {
  const match = /^(?:\$\{\{\s*)?fromJSON\(([\w.]+)\)((?:\.\w+|\.\*|\[[\w.]+\])*)(?:\s*\}\})?$/.exec(expression.trim());
  if (!match) throw new Error(`not an expression these tests evaluate: ${expression}`);
  const accessors = [...match[2].matchAll(/\.(\w+|\*)|\[([\w.]+)\]/g)].map((m) => (m[1] ?? (/^\d+$/.test(m[2]) ? m[2] : String(lookup(contexts, m[2])))));
  const apply = (value: Json, rest: string[]): Json => {
    if (rest.length === 0) return value;
    const [key, ...tail] = rest;
    if (key === "*") {
      const items = Array.isArray(value) ? value : value !== null && typeof value === "object" ? Object.values(value) : [];
      return items.map((item) => apply(item, tail));
    }
    if (Array.isArray(value) && /^\d+$/.test(key)) return apply(value[Number(key)] ?? null, tail);
    if (value === null || typeof value !== "object" || Array.isArray(value)) return apply(null, tail);
    return apply(Object.prototype.hasOwnProperty.call(value, key) ? value[key] : null, tail);
  };
  return apply(JSON.parse(String(lookup(contexts, match[1]))) as Json, accessors);
}
