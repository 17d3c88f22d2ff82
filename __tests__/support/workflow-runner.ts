/**
 * Runs the `run:` steps of a workflow job in bash the way a GitHub runner does, so a test exercises the
 * steps' own text: `bash --noprofile --norc -e <file>` (GitHub's default shell on Linux), the workflow's,
 * the job's and the step's `env` with their `${{ }}` expressions evaluated, `${{ }}` in `run:` replaced
 * before the script starts, `if:` evaluated with GitHub's implicit `success() &&`, GITHUB_OUTPUT read
 * back into `steps.<id>.outputs`, GITHUB_ENV carried to the steps after, GITHUB_STEP_SUMMARY collected,
 * `continue-on-error: true` (the step's outcome failure, its conclusion success, the job going on),
 * `toJSON(steps)` with each step's outcome. Steps that `uses:` an action are handed to the test, which
 * says what the action would do (copy an artifact, set credentials) or that it does nothing here.
 *
 * HAND-WRITTEN SUBSET of GitHub's expression language: literals, context paths (`a.b`, `a[expr]`,
 * `a.*`), `!`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, parentheses, and the functions
 * success/failure/cancelled/always, fromJSON, toJSON, contains, startsWith, endsWith, format, join.
 * Equality follows GitHub's rules for what the workflows compare (strings case-insensitively, other
 * types through numbers); anything else throws, so a workflow using more fails its test until this
 * knows it.
 */
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { Job, Step, Workflow } from "./workflows";

type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

/** The result of `a.*`: accessors after it apply to each element. */
class Filtered extends Array<Value> {}

// ---------------------------------------------------------------------------------------------------
// Expressions

type Token = { kind: "num" | "str" | "id" | "op"; text: string; value?: Value };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in \`${source}\``);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i++];
      }
      tokens.push({ kind: "str", text, value: text });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: "num", text: m[0], value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      tokens.push({ kind: "id", text: m[0] });
      i += m[0].length;
    } else {
      const op = ["==", "!=", "<=", ">=", "&&", "||"].find((o) => source.startsWith(o, i)) ?? (/[!<>().[\],*]/.test(c) ? c : undefined);
      if (!op) throw new Error(`\`${c}\` in \`${source}\` is not an expression these tests evaluate`);
      tokens.push({ kind: "op", text: op });
      i += op.length;
    }
  }
  return tokens;
}

/** What an expression is evaluated against: the contexts, and the job's status so far. */
export interface ExpressionScope {
  readonly contexts: Record<string, Value>;
  readonly jobFailed?: boolean;
  readonly jobCancelled?: boolean;
}

const truthy = (v: Value): boolean => !(v === null || v === false || v === 0 || v === "" || (typeof v === "number" && Number.isNaN(v)));

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
  return NaN;
}

function looseEquals(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== "object" || a === null || b === null)) return a === b;
  if ((typeof a === "object" && a !== null) || (typeof b === "object" && b !== null)) return a === b;
  return toNumber(a) === toNumber(b);
}

/** A value as `${{ }}` writes it into a string. */
export function stringify(v: Value): string {
  if (v === null) return "";
  if (typeof v === "object") return JSON.stringify(v, null, 2);
  return String(v);
}

function access(target: Value, key: string | "*"): Value {
  if (target instanceof Filtered) {
    const out = new Filtered();
    for (const item of target) {
      const next = access(item, key);
      if (next instanceof Filtered) out.push(...next);
      else out.push(next);
    }
    return out;
  }
  if (key === "*") {
    const out = new Filtered();
    if (Array.isArray(target)) out.push(...target);
    else if (target !== null && typeof target === "object") out.push(...Object.values(target));
    return out;
  }
  if (Array.isArray(target)) return /^\d+$/.test(key) ? (target[Number(key)] ?? null) : null;
  if (target === null || typeof target !== "object") return null;
  const found = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? null : target[found];
}

/** Evaluates one expression (without `${{ }}`). */
export function evaluate(source: string, scope: ExpressionScope): Value {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const take = (text?: string): Token => {
    const token = tokens[pos];
    if (!token || (text !== undefined && token.text !== text)) throw new Error(`expected \`${text ?? "more"}\` in \`${source}\``);
    pos++;
    return token;
  };
  const status = {
    success: () => !scope.jobFailed && !scope.jobCancelled,
    failure: () => Boolean(scope.jobFailed),
    cancelled: () => Boolean(scope.jobCancelled),
    always: () => true,
  };

  const call = (name: string, args: Value[]): Value => {
    const lower = name.toLowerCase();
    if (lower in status) return status[lower as keyof typeof status]();
    switch (lower) {
      case "fromjson":
        return JSON.parse(String(args[0])) as Value;
      case "tojson":
        return JSON.stringify(args[0], null, 2);
      case "contains": {
        const [hay, needle] = args;
        if (Array.isArray(hay)) return hay.some((item) => looseEquals(item, needle));
        return stringify(hay).toLowerCase().includes(stringify(needle).toLowerCase());
      }
      case "startswith":
        return stringify(args[0]).toLowerCase().startsWith(stringify(args[1]).toLowerCase());
      case "endswith":
        return stringify(args[0]).toLowerCase().endsWith(stringify(args[1]).toLowerCase());
      case "format":
        return stringify(args[0]).replace(/\{(\d+)\}/g, (_, n: string) => stringify(args[Number(n) + 1]));
      case "join":
        return (Array.isArray(args[0]) ? args[0] : [args[0]]).map(stringify).join(args.length > 1 ? stringify(args[1]) : ",");
      default:
        throw new Error(`function \`${name}\` in \`${source}\` is not one these tests evaluate`);
    }
  };

  const primary = (): Value => {
    const token = take();
    if (token.kind === "num" || token.kind === "str") return token.value!;
    if (token.kind === "op" && token.text === "(") {
      const value = or();
      take(")");
      return value;
    }
    if (token.kind === "id") {
      if (token.text === "true") return true;
      if (token.text === "false") return false;
      if (token.text === "null") return null;
      if (peek()?.text === "(") {
        take("(");
        const args: Value[] = [];
        if (peek()?.text !== ")") {
          args.push(or());
          while (peek()?.text === ",") {
            take(",");
            args.push(or());
          }
        }
        take(")");
        return call(token.text, args);
      }
      if (!(token.text in scope.contexts)) throw new Error(`context \`${token.text}\` in \`${source}\` was not given to the test`);
      return scope.contexts[token.text];
    }
    throw new Error(`unexpected \`${token.text}\` in \`${source}\``);
  };
  const postfix = (): Value => {
    let value = primary();
    for (;;) {
      if (peek()?.text === ".") {
        take(".");
        const key = take();
        if (key.kind !== "id" && key.text !== "*") throw new Error(`expected a property after \`.\` in \`${source}\``);
        value = access(value, key.text);
      } else if (peek()?.text === "[") {
        take("[");
        const key = or();
        take("]");
        value = access(value, stringify(key));
      } else {
        return value;
      }
    }
  };
  const unary = (): Value => {
    if (peek()?.text === "!") {
      take("!");
      return !truthy(unary());
    }
    return postfix();
  };
  const comparison = (): Value => {
    const left = unary();
    const op = peek()?.text;
    if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
      take();
      const right = unary();
      if (op === "==") return looseEquals(left, right);
      if (op === "!=") return !looseEquals(left, right);
      const [a, b] = [toNumber(left), toNumber(right)];
      return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
    }
    return left;
  };
  const and = (): Value => {
    let value = comparison();
    while (peek()?.text === "&&") {
      take();
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): Value => {
    let value = and();
    while (peek()?.text === "||") {
      take();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const value = or();
  if (pos !== tokens.length) throw new Error(`unexpected \`${tokens[pos].text}\` in \`${source}\``);
  return value instanceof Filtered ? [...value] : value;
}

/** Replaces every `${{ expr }}` in `text`. */
export function interpolate(text: string, scope: ExpressionScope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => stringify(evaluate(expression, scope)));
}

/** A step's or job's `if:`, with GitHub's implicit `success() &&` when it calls no status function. */
export function condition(text: string | undefined, scope: ExpressionScope): boolean {
  if (text === undefined) return !scope.jobFailed && !scope.jobCancelled;
  const expression = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  const withStatus = /\b(success|failure|cancelled|always)\s*\(/.test(expression) ? expression : `success() && (${expression})`;
  return truthy(evaluate(withStatus, scope));
}

// ---------------------------------------------------------------------------------------------------
// Steps

export interface StepRecord {
  readonly id?: string;
  readonly name: string;
  readonly outcome: "success" | "failure" | "skipped" | "cancelled";
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a test says an action (`uses:`) does here. */
export interface ActionResult {
  readonly outcome?: "success" | "failure";
  readonly outputs?: Record<string, string>;
  /** Variables the action exports to the later steps (as configure-aws-credentials does). */
  readonly env?: Record<string, string>;
}

export interface RunJobOptions {
  readonly workflow: Workflow;
  readonly job: Job;
  /** The workspace (GITHUB_WORKSPACE), where steps run. */
  readonly workspace: string;
  /** Contexts beside env, steps and job: github, inputs, vars, matrix, needs, runner, secrets. */
  readonly contexts: Record<string, Value>;
  /** The runner's environment (PATH with the test's stand-ins, GITHUB_* variables). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * The id of a step at which the job is cancelled (a timeout, a newer run): that step and the ones
   * after it do not run unless their `if` calls cancelled() or always().
   * @default - never cancelled
   */
  readonly cancelAt?: string;
  /** What an action does: given the step and its evaluated `with`. */
  readonly action: (step: Step, inputs: Record<string, string>) => ActionResult | Promise<ActionResult>;
}

export interface JobRun {
  readonly steps: readonly StepRecord[];
  readonly failed: boolean;
  /** Everything the steps printed to stdout, in order (workflow commands such as ::error included). */
  readonly stdout: string;
  readonly stderr: string;
  readonly summary: string;
  readonly outputs: Record<string, string>;
  readonly stepOutputs: Record<string, Record<string, string>>;
}

function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(mkdtempSync(join(tmpdir(), "bandup-step-")), "step.sh");
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-e", file], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `name=value` and `name<<DELIMITER` blocks, as GitHub reads GITHUB_OUTPUT and GITHUB_ENV files. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      values[heredoc[1]] = body.join("\n");
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`a line GitHub would reject in a command file: ${line}`);
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

const asStrings = (record: Record<string, unknown> | undefined, scope: ExpressionScope): Record<string, string> =>
  Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, interpolate(String(v), scope)]));

/** Runs the job's steps in order, as a runner would; resolves once the last one ran or was skipped. */
export async function runJob(options: RunJobOptions): Promise<JobRun> {
  const { workflow, job, workspace } = options;
  const files = mkdtempSync(join(tmpdir(), "bandup-runner-"));
  const summaryFile = join(files, "step-summary");
  writeFileSync(summaryFile, "");
  const steps: StepRecord[] = [];
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  let failed = false;
  let cancelled = false;
  let stdout = "";
  let stderr = "";
  let exported: Record<string, string> = {};

  const scope = (envContext: Record<string, string>): ExpressionScope => ({
    contexts: { ...options.contexts, env: envContext, steps: stepsContext as unknown as Value, job: { status: failed ? "failure" : "success" } },
    jobFailed: failed,
    jobCancelled: cancelled,
  });
  // Workflow env first (it may not read the job's), then the job's on top.
  const workflowEnv = asStrings(workflow.env, scope({}));
  const jobEnv = { ...workflowEnv, ...asStrings(job.env, scope(workflowEnv)) };

  for (const [index, step] of (job.steps ?? []).entries()) {
    const name = step.name ?? step.uses ?? (step.run ?? "").split("\n")[0];
    const baseEnv = { ...jobEnv, ...exported };
    if (step.id !== undefined && step.id === options.cancelAt) {
      cancelled = true;
      steps.push({ id: step.id, name, outcome: "cancelled", stdout: "", stderr: "" });
      stepsContext[step.id] = { outputs: {}, outcome: "cancelled", conclusion: "cancelled" };
      continue;
    }
    if (!condition(step.if, scope(baseEnv))) {
      steps.push({ id: step.id, name, outcome: "skipped", stdout: "", stderr: "" });
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
      continue;
    }
    const stepEnv = { ...baseEnv, ...asStrings(step.env, scope(baseEnv)) };
    let record: StepRecord;
    let outputs: Record<string, string> = {};
    if (step.uses) {
      const result = await options.action(step, asStrings(step.with, scope(stepEnv)));
      outputs = result.outputs ?? {};
      exported = { ...exported, ...(result.env ?? {}) };
      record = { id: step.id, name, outcome: result.outcome ?? "success", stdout: "", stderr: "" };
    } else {
      const outputFile = join(files, `output-${index}`);
      const envFile = join(files, `env-${index}`);
      writeFileSync(outputFile, "");
      writeFileSync(envFile, "");
      const script = interpolate(step.run ?? "", scope(stepEnv));
      const run = await runBash(script, workspace, {
        ...options.env,
        ...stepEnv,
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_ENV: envFile,
        GITHUB_STEP_SUMMARY: summaryFile,
      });
      stdout += run.stdout;
      stderr += run.stderr;
      outputs = parseCommandFile(readFileSync(outputFile, "utf8"));
      exported = { ...exported, ...parseCommandFile(readFileSync(envFile, "utf8")) };
      record = { id: step.id, name, outcome: run.code === 0 ? "success" : "failure", exitCode: run.code, stdout: run.stdout, stderr: run.stderr };
    }
    steps.push(record);
    // continue-on-error: the step's outcome is failure, its conclusion success, and the job goes on.
    const continues = step["continue-on-error"] === true && record.outcome === "failure";
    if (step.id) stepsContext[step.id] = { outputs, outcome: record.outcome, conclusion: continues ? "success" : record.outcome };
    if (record.outcome === "failure" && !continues) failed = true;
  }
  const stepOutputs = Object.fromEntries(Object.entries(stepsContext).map(([id, s]) => [id, s.outputs]));
  const outputs = asStrings(job.outputs, scope({ ...jobEnv, ...exported }));
  return {
    steps,
    failed,
    stdout,
    stderr,
    summary: existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "",
    outputs,
    stepOutputs,
  };
}
