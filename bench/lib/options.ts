/**
 * The bench's command line: `--quick` (fewer runs) and `--only=<step>,<step>` (some steps; results
 * then go to bench/.work/ instead of bench/), parsed with Node's `util.parseArgs`.
 */
import { parseArgs } from "util";

/** Every step, in the order the bench runs them. */
export const STEPS = ["floor", "synth", "root-import", "tests", "terraform", "bundles", "scaling", "analysis", "aws-cdk", "cdktf-cli"] as const;
export type Step = (typeof STEPS)[number];

export interface BenchOptions {
  /** Fewer runs of each measurement. */
  readonly quick: boolean;
  /** The steps to run; undefined runs every step. */
  readonly only?: readonly Step[];
}

/** A command line the bench does not accept; its message is one line, fit to print as is. */
export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [--quick] [--only=<step>[,<step>...]]; steps: ${STEPS.join(", ")}`;

function isStep(name: string): name is Step {
  return (STEPS as readonly string[]).includes(name);
}

/** Parses the bench's arguments (without node and the script); throws `UsageError` on anything else. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let values: { quick?: boolean; only?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { quick: { type: "boolean" }, only: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${describeParseError(error)}; ${USAGE}`);
  }
  if (values.only === undefined) return { quick: values.quick ?? false };
  const names = values.only.split(",").map((name) => name.trim());
  if (names.every((name) => name === "")) throw new UsageError(`--only needs at least one step; steps are ${STEPS.join(", ")}`);
  const unknown = names.filter((name) => !isStep(name));
  if (unknown.length > 0) {
    throw new UsageError(`--only: unknown step ${unknown.map((name) => `\`${name}\``).join(", ")}; steps are ${STEPS.join(", ")}`);
  }
  return { quick: values.quick ?? false, only: [...new Set(names.filter(isStep))] };
}

/** parseArgs' messages are several sentences long; the bench prints one line naming the argument. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const argument = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option \`${argument}\``;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument \`${argument}\``;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = argument?.split(" ")[0];
      return message.includes("argument missing") ? `option \`${option}\` needs a value` : `option \`${option}\` takes no value`;
    }
    default:
      throw error;
  }
}
