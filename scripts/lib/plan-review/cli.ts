/**
 * The `plan:review` command line, as a function of its arguments and I/O so tests can call it
 * without a process. `scripts/plan-review.ts` is the thin wrapper that runs it.
 */
import { resolve } from "path";
import { parseArgs } from "util";
import { analysePlans } from "./analyse";
import { parsePlan, PlanInputError, StackPlan, stackNameFromFile } from "./parse";
import { renderJson, renderMarkdown } from "./render";
import { gainSummary, parsePermissionsJson, PermissionGain, permissionGains, PermissionsInputError, renderPermissionGains } from "./permission-changes";

export const USAGE = `Usage: npm run plan:review -- [options] <plan.json>... [--stack <name>=<plan.json>]...

Summarises \`terraform show -json <planfile>\` output of one or more stacks as Markdown for a PR comment.

  <plan.json>                   a plan JSON; the stack name is the file name without .json (and .plan/.tfplan)
  --stack <name>=<plan.json>    a plan JSON with an explicit stack name
  --allow-destroy <address>     allow deleting/replacing this resource (repeatable); <stack>:<address>
                                limits it to one stack
  --permissions-base <file>     with --permissions-head: the JSON of \`npm run -s permissions -- --json\` on the
  --permissions-head <file>     base branch and on the head; a role or boundary of bandup-bootstrap that the
                                head lets do more is a blocking finding (deploy bandup-bootstrap first)
  --json                        print the machine-readable JSON document instead of Markdown
  --output <file>               write the result to <file> instead of stdout
  -h, --help                    this text

Exit codes: 0 no blocking change, 1 a flagged change that no --allow-destroy allows (a table, table
item, log group, queue or KMS key deleted or replaced; a table's PITR, SSE or deletion protection
turned off; a KMS key disabled), 2 a usage or input problem (one line on stderr naming the flag or
file), 3 a bug in the review itself (with its stack trace). Sensitive values are shown as (sensitive).`;

/** GitHub rejects comments longer than 65,536 characters. */
export const COMMENT_LIMIT = 65000;

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A wrong command line. The CLI exits 2 with its message, on one line. */
class UsageError extends Error {}

interface Options {
  readonly inputs: { stack?: string; file: string }[];
  readonly allowDestroy: string[];
  json: boolean;
  output?: string;
  help: boolean;
  permissionsBase?: string;
  permissionsHead?: string;
}

/** The options, as `util.parseArgs` reads them. */
const OPTION_SPEC = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  output: { type: "string" },
  "allow-destroy": { type: "string", multiple: true },
  stack: { type: "string", multiple: true },
  "permissions-base": { type: "string" },
  "permissions-head": { type: "string" },
} as const;

/** Reads the command line with `util.parseArgs`, keeping plan files and `--stack` in their order. */
function parseOptions(argv: readonly string[]): Options {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options: OPTION_SPEC, strict: true, allowPositionals: true, tokens: true }));
  } catch (error) {
    throw usageErrorOf(error, argv);
  }
  const options: Options = { inputs: [], allowDestroy: [], json: false, help: false };
  for (const token of tokens) {
    if (token.kind === "positional") {
      if (token.value === "") throw new UsageError("an empty argument where a plan file name was expected");
      options.inputs.push({ file: token.value });
    } else if (token.kind === "option") {
      const value = (): string => {
        if (token.value === undefined || token.value === "") throw new UsageError(`${token.rawName} needs a value`);
        return token.value;
      };
      if (token.name === "help") options.help = true;
      else if (token.name === "json") options.json = true;
      else if (token.name === "output") options.output = value();
      else if (token.name === "allow-destroy") options.allowDestroy.push(value());
      else if (token.name === "permissions-base") options.permissionsBase = value();
      else if (token.name === "permissions-head") options.permissionsHead = value();
      else {
        // --stack name=file (the value itself holds '='); --stack=name=file also works.
        const spec = value();
        const eq = spec.indexOf("=");
        if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--stack needs <name>=<plan.json>; got \`${spec}\``);
        options.inputs.push({ stack: spec.slice(0, eq), file: spec.slice(eq + 1) });
      }
    }
  }
  return options;
}

/** `util.parseArgs`' errors, worded as this command words them. */
function usageErrorOf(error: unknown, argv: readonly string[]): Error {
  const { code, message } = error as { code?: string; message: string };
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new UsageError(`unknown option ${flag}`);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) {
      const given = argv.find((arg) => arg.startsWith(`${flag}=`)) ?? flag;
      return new UsageError(`${flag} takes no value; got \`${given}\``);
    }
    return new UsageError(`${flag} needs a value`);
  }
  return error as Error;
}

/** The message of a failed read or write, with what to do for the usual causes. */
function fileError(error: unknown, verb: "read" | "written"): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const hint: Record<string, string> = {
    EISDIR: verb === "read" ? "it is a folder; pass the plan JSON file" : "it is a folder; give a file name such as plan-review.md",
    ENOTDIR: "a part of its path is a file, not a folder",
    ...(verb === "written" && { ENOENT: "its folder does not exist; create it first" }),
  };
  const text = `cannot be ${verb} (${String(message).split("\n")[0]})`;
  return code !== undefined && hint[code] ? `${text}: ${hint[code]}` : text;
}

/** Reads and parses every plan; throws a `PlanInputError` or `UsageError` on the first problem. */
function readPlans(inputs: Options["inputs"], io: CliIo): StackPlan[] {
  const plans: StackPlan[] = [];
  for (const input of inputs) {
    const stack = input.stack ?? stackNameFromFile(input.file);
    const twin = plans.find((p) => p.stack === stack);
    if (twin) {
      throw new UsageError(`two plans for stack \`${stack}\` (${twin.file} and ${input.file}); name them with --stack <name>=<file>`);
    }
    let text: string;
    try {
      text = io.readFile(input.file);
    } catch (error) {
      throw new PlanInputError(input.file, fileError(error, "read"));
    }
    plans.push(parsePlan(text, input.file, stack));
  }
  return plans;
}

const SEE_HELP = "; run with --help for the usage";

/** A message as one line of stderr, whatever a file name holds. */
function oneLine(text: string): string {
  return `plan-review: ${text.replace(/[\r\n]+/g, " ")}\n`;
}

/**
 * Runs the command; returns the exit code: 0 nothing flagged, 1 a flagged change, 2 a usage or input
 * problem (reported on one line of stderr). Anything else thrown is a bug of the review itself.
 */
export function runPlanReview(argv: readonly string[], io: CliIo): 0 | 1 | 2 {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(oneLine(`${error.message}${SEE_HELP}`));
    return 2;
  }
  if (options.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if ((options.permissionsBase === undefined) !== (options.permissionsHead === undefined)) {
    io.stderr(oneLine(`--permissions-base and --permissions-head go together: give both JSON files${SEE_HELP}`));
    return 2;
  }
  if (options.inputs.length === 0) {
    io.stderr(oneLine(`no plan file given${SEE_HELP}`));
    return 2;
  }
  const output = options.output;
  if (output !== undefined && options.inputs.some((input) => resolve(input.file) === resolve(output))) {
    io.stderr(oneLine(`--output ${output} is also a plan to review; give another file`));
    return 2;
  }
  let plans: StackPlan[];
  try {
    plans = readPlans(options.inputs, io);
  } catch (error) {
    if (!(error instanceof PlanInputError || error instanceof UsageError)) throw error;
    io.stderr(oneLine(error.message));
    return 2;
  }
  let gains: PermissionGain[] = [];
  try {
    gains = readPermissionGains(options, io);
  } catch (error) {
    if (!(error instanceof PermissionsInputError)) throw error;
    io.stderr(oneLine(error.message));
    return 2;
  }
  const review = analysePlans(plans, { allowDestroy: options.allowDestroy });
  const rendered = options.json ? renderJson(review) : renderMarkdown(review, { maxChars: COMMENT_LIMIT - renderPermissionGains(gains).length });
  // The bootstrap's gains come first: they block whatever the plans say.
  const text = options.json ? `${JSON.stringify({ ...JSON.parse(rendered), bootstrapPermissionGains: gains }, null, 2)}\n` : `${renderPermissionGains(gains)}${rendered}`;
  if (output !== undefined) {
    try {
      io.writeFile(output, text);
    } catch (error) {
      io.stderr(oneLine(`--output ${output}: ${fileError(error, "written")}`));
      return 2;
    }
  } else {
    io.stdout(text);
  }
  if (review.exitCode === 1) {
    const blocking = review.findings.filter((f) => !f.allowed);
    io.stderr(oneLine(`${blocking.length} blocking change(s): ${blocking.map((f) => `${f.stack}:${f.address} (${f.kind})`).join(", ")}`));
  }
  for (const gain of gains) io.stderr(oneLine(gainSummary(gain)));
  return gains.length > 0 ? 1 : review.exitCode;
}

/** The bootstrap roles and policies the head lets do more than the base (none without the two flags). */
function readPermissionGains(options: Options, io: CliIo): PermissionGain[] {
  if (options.permissionsBase === undefined || options.permissionsHead === undefined) return [];
  const read = (flag: string, file: string) => {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      throw new PermissionsInputError(`${flag} ${file}: ${fileError(error, "read")}`);
    }
    return parsePermissionsJson(text, flag, file);
  };
  return permissionGains(read("--permissions-base", options.permissionsBase), read("--permissions-head", options.permissionsHead));
}
