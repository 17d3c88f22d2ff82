/**
 * The `plan:review` command line, as a function of its arguments and I/O so tests can call it
 * without a process. `scripts/plan-review.ts` is the thin wrapper that runs it.
 */
import { analysePlans } from "./analyse";
import { parsePlan, PlanInputError, StackPlan, stackNameFromFile } from "./parse";
import { renderJson, renderMarkdown } from "./render";

export const USAGE = `Usage: npm run plan:review -- [options] <plan.json>... [--stack <name>=<plan.json>]...

Summarises \`terraform show -json <planfile>\` output of one or more stacks as Markdown for a PR comment.

  <plan.json>                   a plan JSON; the stack name is the file name without .json (and .plan/.tfplan)
  --stack <name>=<plan.json>    a plan JSON with an explicit stack name
  --allow-destroy <address>     allow deleting/replacing this resource (repeatable); <stack>:<address>
                                limits it to one stack
  --json                        print the machine-readable JSON document instead of Markdown
  --output <file>               write the result to <file> instead of stdout
  -h, --help                    this text

Exit codes: 0 no blocking change, 1 a stateful resource is deleted/replaced (or a table's PITR/SSE is
turned off) without --allow-destroy, 2 usage or input error.`;

/** GitHub rejects comments longer than 65,536 characters. */
export const COMMENT_LIMIT = 65000;

export interface CliIo {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  stdout(text: string): void;
  stderr(text: string): void;
}

class UsageError extends Error {}

interface Options {
  readonly inputs: { stack?: string; file: string }[];
  readonly allowDestroy: string[];
  json: boolean;
  output?: string;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { inputs: [], allowDestroy: [], json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next === "") throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        options.help = true;
        break;
      case "--json":
        options.json = true;
        break;
      case "--output":
        options.output = value();
        break;
      case "--allow-destroy":
        options.allowDestroy.push(value());
        break;
      case "--stack": {
        // --stack name=file (the value itself holds '='); --stack=name=file also works.
        const spec = value();
        const eq = spec.indexOf("=");
        if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--stack needs <name>=<plan.json>; got \`${spec}\``);
        options.inputs.push({ stack: spec.slice(0, eq), file: spec.slice(eq + 1) });
        break;
      }
      default:
        if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
        options.inputs.push({ file: arg });
    }
  }
  return options;
}

/** Runs the command; returns the exit code (0 ok, 1 blocking change, 2 usage or input error). */
export function runPlanReview(argv: readonly string[], io: CliIo): 0 | 1 | 2 {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    io.stderr(`plan-review: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (options.inputs.length === 0) {
    io.stderr(`plan-review: no plan file given\n\n${USAGE}\n`);
    return 2;
  }
  const plans: StackPlan[] = [];
  try {
    for (const input of options.inputs) {
      const stack = input.stack ?? stackNameFromFile(input.file);
      if (plans.some((p) => p.stack === stack)) {
        throw new UsageError(`two plans for stack \`${stack}\` (${plans.find((p) => p.stack === stack)!.file} and ${input.file}); name them with --stack <name>=<file>`);
      }
      let text: string;
      try {
        text = io.readFile(input.file);
      } catch (error) {
        throw new PlanInputError(input.file, `cannot be read (${(error as Error).message})`);
      }
      plans.push(parsePlan(text, input.file, stack));
    }
  } catch (error) {
    if (error instanceof PlanInputError || error instanceof UsageError) {
      io.stderr(`plan-review: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const review = analysePlans(plans, { allowDestroy: options.allowDestroy });
  const text = options.json ? renderJson(review) : renderMarkdown(review, { maxChars: COMMENT_LIMIT });
  if (options.output) io.writeFile(options.output, text);
  else io.stdout(text);
  if (review.exitCode === 1) {
    const blocking = review.findings.filter((f) => !f.allowed);
    io.stderr(`plan-review: ${blocking.length} blocking change(s): ${blocking.map((f) => `${f.stack}:${f.address} (${f.kind})`).join(", ")}\n`);
  }
  return review.exitCode;
}
