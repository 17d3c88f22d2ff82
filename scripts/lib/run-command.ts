/**
 * How the app's commands end (`npm run synth`, `cdktf synth`, `npm run guardrails`). An expected
 * failure (a wrong setting, a guardrail error, a missing build input, a wrong option) prints its
 * message once on stderr, with the file to edit, and exits 1: no stack trace, no object dump. Anything
 * else is a bug: its stack is printed with each frame of compiled code mapped back to the TypeScript
 * source, read from the source map beside the compiled file only then, so a synth that succeeds
 * never pays for source maps.
 */
import { existsSync, readFileSync } from "fs";
import { SourceMap } from "module";
import { dirname, resolve } from "path";
import { BuildInputError } from "../../constructs/build-input-error";
import { AppValidationError } from "../../guardrails/apply";
import { AppProblemsError } from "../../stacks/app";
import { BackendConfigError } from "../../stacks/backend";
import { BootstrapConfigError } from "../../stacks/bootstrap-settings";
import { EnvironmentConfigError, EnvironmentsConfigError } from "../../stacks/environments";

/** Thrown for a wrong command-line option; the message says what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What to print for an expected failure: its message and the file to edit; undefined for a bug. */
export function expectedFailureMessage(error: unknown): string | undefined {
  // Problems of several kinds found in one round: each with its own fix, a blank line between them.
  if (error instanceof AppProblemsError) {
    const parts = error.errors.map(expectedFailureMessage);
    return parts.every((part) => part !== undefined) ? parts.join("\n\n") : undefined;
  }
  if (error instanceof EnvironmentConfigError || error instanceof EnvironmentsConfigError) {
    return `${error.message}\nFix: edit \`ENVIRONMENTS\` in stacks/environments.ts.`;
  }
  if (error instanceof BootstrapConfigError) {
    return `${error.message}\nFix: edit \`BOOTSTRAP\` in stacks/bootstrap-settings.ts (or the environment it names in stacks/environments.ts).`;
  }
  if (error instanceof BackendConfigError) {
    return `${error.message}\nFix: set the variable in the environment, or the \`bandupBackend\` context in cdktf.json (stacks/backend.ts lists each setting).`;
  }
  // Each of these messages already names what to change: every guardrail finding its fix and the
  // file that defines it, a build input the missing file or package.
  if (error instanceof AppValidationError || error instanceof BuildInputError || error instanceof UsageError) {
    return error.message.trimEnd();
  }
  return undefined;
}

/** `    at fn (/path/file.js:12:34)` or `    at /path/file.js:12:34`. */
const FRAME = /^(\s+at (?:.*\()?)(\/[^():]+\.[cm]?js):(\d+):(\d+)(\)?)$/;

/**
 * The stack of an error, each frame in a compiled file that has a source map beside it (`<file>.map`,
 * as esbuild writes dist/app/main.js.map) mapped to the original file, line and column.
 */
export function sourceMappedStack(error: Error): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      const usable = !file.includes("/node_modules/") && existsSync(mapFile);
      maps.set(file, usable ? new SourceMap(JSON.parse(readFileSync(mapFile, "utf8"))) : undefined);
    }
    return maps.get(file);
  };
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  return stack
    .split("\n")
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, head, file, lineNumber, columnNumber, tail] = frame;
      const origin = mapOf(file)?.findOrigin(Number(lineNumber), Number(columnNumber));
      if (origin === undefined || !("fileName" in origin)) return line;
      return `${head}${resolve(dirname(file), origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}${tail}`;
    })
    .join("\n");
}

/** What to print for a bug: what it is, and its stack mapped to the TypeScript sources. */
export function bugReport(error: unknown): string {
  const trace = error instanceof Error ? sourceMappedStack(error) : String(error);
  return `Unexpected error: this is a bug in bandup-infra, not a problem with your settings. Please report it with this trace:\n${trace}`;
}

/**
 * Runs a command's `main` and sets the exit status: what `main` returns (0 when nothing), 1 after an
 * expected failure (its message alone on stderr) or a bug (its source-mapped stack on stderr).
 */
export function runCommand(main: () => number | void): void {
  try {
    process.exitCode = main() ?? 0;
  } catch (error) {
    process.stderr.write(`${expectedFailureMessage(error) ?? bugReport(error)}\n`);
    process.exitCode = 1;
  }
}
