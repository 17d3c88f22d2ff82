/**
 * The `plan:review` command line, as a function of its arguments and I/O so tests can call it
 * without a process. `scripts/plan-review.ts` is the thin wrapper that runs it.
 */
import { resolve } from "path";
import { parseArgs } from "util";
import { analysePlans, Review } from "./analyse";
import { classificationOf, isBlockRule } from "./classification";
import { parsePlan, PlanInputError, StackPlan, stackNameFromFile } from "./parse";
import { COMMENT_LIMIT, OversizeError, renderComment, toJsonDocument, writeFullMarkdown, writeJsonValue } from "./render";
import { gainSummary, parsePermissionsJson, PermissionGain, permissionGains, PermissionsInputError, renderPermissionGains } from "./permission-changes";

export { COMMENT_LIMIT } from "./render";

export const USAGE = `Usage: npm run plan:review -- [options] <plan.json>... [--stack <name>=<plan.json>]...

Reviews \`terraform show -json <planfile>\` output of one or more stacks: a PR comment in Markdown.

  <plan.json>                      a plan JSON; the stack name is the file name without .json (and .plan/.tfplan)
  --stack <name>=<plan.json>       a plan JSON with an explicit stack name
  --allow-destroy <stack>:<address>
                                   accept deleting or replacing this resource of this stack (repeatable)
  --allow-loss <stack>:<address>:<attribute>
                                   accept this attribute's loss (repeatable), e.g.
                                   bandup-prod:aws_dynamodb_table.t:deletion_protection_enabled
  --allow-drift <stack>:<address>[:<attribute>]
                                   accept a change made outside Terraform (resource_drift) that loses data or
                                   access: the attribute, or without it a resource deleted outside Terraform
  --permissions-base <file>        with --permissions-head: the JSON of \`npm run -s permissions -- --json\` on the
  --permissions-head <file>        base branch and on the head; a role or boundary of bandup-bootstrap that the
                                   head lets do more is a blocking finding (deploy bandup-bootstrap first)
  --json                           the machine-readable JSON document (schemaVersion 3) instead of Markdown
  --output <file>                  write the comment (at most ${COMMENT_LIMIT} characters, findings first) or
                                   the JSON to <file> instead of stdout
  --full-output <file>             also write the whole review, uncut, to <file> (the job summary)
  -h, --help                       this text

Exit codes: 0 nothing blocking (findings that need review are listed), 1 a blocking finding that no
--allow-destroy, --allow-loss or --allow-drift entry accepts (a resource holding data or access deleted
or replaced, or an attribute moved the way that loses data or access: see
scripts/lib/plan-review/classification.ts; the same, done outside Terraform, from resource_drift),
2 the review cannot run: a usage or input problem, an entry without its stack, a plan format other
than 1.x, a review too large to write (one line on stderr naming the flag or file), 3 a bug in the
review itself (with its stack trace). Sensitive values are shown as (sensitive).`;

/** Where the review writes: the comment or JSON (`--output` or stdout) and the whole review (`--full-output`). */
export interface CliIo {
  readFile(path: string): string;
  /** Creates (or empties) a file and writes `text` to it. */
  writeFile(path: string, text: string): void;
  /** Appends `text` to a file `writeFile` created. */
  appendFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A wrong command line. The CLI exits 2 with its message, on one line. */
class UsageError extends Error {}

interface Options {
  readonly inputs: { stack?: string; file: string }[];
  readonly allowDestroy: string[];
  readonly allowLoss: string[];
  readonly allowDrift: string[];
  json: boolean;
  output?: string;
  fullOutput?: string;
  help: boolean;
  permissionsBase?: string;
  permissionsHead?: string;
}

/** The options, as `util.parseArgs` reads them. */
const OPTION_SPEC = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  output: { type: "string" },
  "full-output": { type: "string" },
  "allow-destroy": { type: "string", multiple: true },
  "allow-loss": { type: "string", multiple: true },
  "allow-drift": { type: "string", multiple: true },
  stack: { type: "string", multiple: true },
  "permissions-base": { type: "string" },
  "permissions-head": { type: "string" },
} as const;

/** A stack name in an entry: what cdktf accepts as a stack id, and no `.`, so no address reads as one. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** The start of a resource address: a type (or `module`, `data`) and a dot. */
const ADDRESS_START = /^[A-Za-z_][A-Za-z0-9_-]*\./;
/** An attribute as the classification table names it: `point_in_time_recovery.enabled`. */
const ATTRIBUTE_PATH = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*$/;

/** Checks an `--allow-destroy` entry: `<stack>:<address>`. */
function checkAllowDestroy(entry: string): string {
  const colon = entry.indexOf(":");
  const stack = colon < 0 ? "" : entry.slice(0, colon);
  if (!STACK_NAME.test(stack) || !ADDRESS_START.test(entry.slice(colon + 1))) {
    throw new UsageError(
      `--allow-destroy \`${entry}\` names no stack: write <stack>:<address>, e.g. --allow-destroy bandup-prod:aws_dynamodb_table.evaluations_table_68D57890 (the stack is the plan file's name without .json, or the name given with --stack)`,
    );
  }
  return entry;
}

/** Checks an `--allow-loss` entry: `<stack>:<address>:<attribute>`, the attribute one the table says can lose. */
function checkAllowLoss(entry: string): string {
  const colon = entry.indexOf(":");
  const last = entry.lastIndexOf(":");
  const stack = colon < 0 ? "" : entry.slice(0, colon);
  const address = colon < last ? entry.slice(colon + 1, last) : "";
  const attribute = colon < last ? entry.slice(last + 1) : "";
  const example = "e.g. --allow-loss bandup-prod:aws_dynamodb_table.evaluations_table_68D57890:deletion_protection_enabled (the entry the finding names)";
  if (!STACK_NAME.test(stack) || !ADDRESS_START.test(address) || !ATTRIBUTE_PATH.test(attribute)) {
    throw new UsageError(`--allow-loss \`${entry}\` is not <stack>:<address>:<attribute>: write all three, ${example}`);
  }
  const type = /^(?:module\.[^.]+\.)*(?:data\.)?([A-Za-z_][A-Za-z0-9_-]*)\./.exec(address)?.[1] ?? "";
  const attributes = classificationOf(type)?.attributes;
  if (attributes !== undefined) {
    const losing = Object.keys(attributes).filter((path) => {
      const rule = attributes[path];
      return isBlockRule(rule) ? rule.removed.class === "loss" : rule.class === "loss";
    });
    if (!losing.includes(attribute)) {
      throw new UsageError(`--allow-loss \`${entry}\`: ${type} has no attribute \`${attribute}\` that can lose data or access (those that can: ${losing.join(", ")})`);
    }
  }
  return entry;
}

/**
 * Checks an `--allow-drift` entry: `<stack>:<address>` (a resource deleted outside Terraform) or
 * `<stack>:<address>:<attribute>` (an attribute changed outside Terraform), as the finding names it.
 */
function checkAllowDrift(entry: string): string {
  const colon = entry.indexOf(":");
  const stack = colon < 0 ? "" : entry.slice(0, colon);
  const rest = entry.slice(colon + 1);
  // A `for_each` key may hold a colon: what follows the last one is an attribute only if it reads as one.
  const last = rest.lastIndexOf(":");
  const withAttribute = last >= 0 && ATTRIBUTE_PATH.test(rest.slice(last + 1));
  const address = withAttribute ? rest.slice(0, last) : rest;
  if (!STACK_NAME.test(stack) || !ADDRESS_START.test(address)) {
    throw new UsageError(
      `--allow-drift \`${entry}\` is not <stack>:<address>[:<attribute>]: write the entry the finding names, e.g. --allow-drift bandup-prod:aws_dynamodb_table.evaluations_table_68D57890:point_in_time_recovery.enabled`,
    );
  }
  return entry;
}

/** Reads the command line with `util.parseArgs`, keeping plan files and `--stack` in their order. */
function parseOptions(argv: readonly string[]): Options {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options: OPTION_SPEC, strict: true, allowPositionals: true, tokens: true }));
  } catch (error) {
    throw usageErrorOf(error, argv);
  }
  const options: Options = { inputs: [], allowDestroy: [], allowLoss: [], allowDrift: [], json: false, help: false };
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
      else if (token.name === "full-output") options.fullOutput = value();
      else if (token.name === "allow-destroy") options.allowDestroy.push(checkAllowDestroy(value()));
      else if (token.name === "allow-loss") options.allowLoss.push(checkAllowLoss(value()));
      else if (token.name === "allow-drift") options.allowDrift.push(checkAllowDrift(value()));
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
  for (const [flag, file] of [["--output", options.output], ["--full-output", options.fullOutput]] as const) {
    if (file !== undefined && options.inputs.some((input) => resolve(input.file) === resolve(file))) {
      io.stderr(oneLine(`${flag} ${file} is also a plan to review; give another file`));
      return 2;
    }
  }
  if (options.output !== undefined && options.output === options.fullOutput) {
    io.stderr(oneLine(`--output and --full-output both name ${options.output}; give two files`));
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
  let review: Review;
  try {
    review = analysePlans(plans, { allowDestroy: options.allowDestroy, allowLoss: options.allowLoss, allowDrift: options.allowDrift });
    const written = writeOutputs(review, gains, options, io);
    if (written !== undefined) {
      io.stderr(oneLine(written));
      return 2;
    }
  } catch (error) {
    const tooLarge = error instanceof OversizeError || (error instanceof RangeError && /Invalid string length/.test(error.message));
    if (!tooLarge) throw error;
    const why = error instanceof OversizeError ? error.message : `a text of the review is longer than JavaScript's largest string (${error.message}); review fewer plans at a time`;
    io.stderr(oneLine(`the review is too large to write: ${why}`));
    return 2;
  }
  if (review.exitCode === 1) {
    const blocking = review.findings.filter((f) => f.blocking && !f.allowed);
    const named = blocking.slice(0, MAX_NAMED).map((f) => `${f.stack}:${f.address} (${f.kind === "loss" ? `loss of ${f.attributes[0]}` : f.kind})`);
    const more = blocking.length > MAX_NAMED ? `, and ${blocking.length - MAX_NAMED} more` : "";
    io.stderr(oneLine(`${blocking.length} blocking change(s): ${named.join(", ")}${more}`));
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

/** Blocking findings named in the exit-1 line of stderr; the others are counted. */
const MAX_NAMED = 20;

/** Pieces written at once: the review is assembled in pieces, written a megabyte at a time. */
const WRITE_CHUNK = 1 << 20;

/** A writer that gathers pieces and hands them on a megabyte at a time. */
function chunked(sink: (text: string, first: boolean) => void): { write(text: string): void; end(): void } {
  let buffer: string[] = [];
  let size = 0;
  let first = true;
  const flush = (): void => {
    if (size === 0 && !first) return;
    sink(buffer.join(""), first);
    first = false;
    buffer = [];
    size = 0;
  };
  return {
    write(text: string): void {
      buffer.push(text);
      size += text.length;
      if (size >= WRITE_CHUNK) flush();
    },
    end: flush,
  };
}

/** Writes the comment (or JSON) and the whole review; returns the message of a failed write. */
function writeOutputs(review: Review, gains: readonly PermissionGain[], options: Options, io: CliIo): string | undefined {
  // The bootstrap's gains come first: they block whatever the plans say.
  const gainsSection = renderPermissionGains(gains);
  const toFile = (flag: string, file: string, produce: (write: (text: string) => void) => void): string | undefined => {
    const writer = chunked((text, first) => (first ? io.writeFile(file, text) : io.appendFile(file, text)));
    try {
      produce(writer.write);
      writer.end();
    } catch (error) {
      if (error instanceof OversizeError || error instanceof RangeError || !(error as NodeJS.ErrnoException).code) throw error;
      return `${flag} ${file}: ${fileError(error, "written")}`;
    }
    return undefined;
  };
  const main = (write: (text: string) => void): void => {
    if (options.json) {
      writeJsonValue({ ...(toJsonDocument(review) as Record<string, unknown>), bootstrapPermissionGains: gains }, write);
      write("\n");
    } else write(`${gainsSection}${renderComment(review, COMMENT_LIMIT - gainsSection.length)}`);
  };
  let problem: string | undefined;
  if (options.output !== undefined) {
    problem = toFile("--output", options.output, main);
  } else {
    const writer = chunked((text) => io.stdout(text));
    main(writer.write);
    writer.end();
  }
  if (problem === undefined && options.fullOutput !== undefined) {
    problem = toFile("--full-output", options.fullOutput, (write) => {
      write(gainsSection);
      writeFullMarkdown(review, write);
    });
  }
  return problem;
}
