/**
 * `npm run guardrails [-- --json <file>]`: builds every environment's stack the way main.ts does,
 * runs the guardrails without writing any Terraform, prints a table of every rule per stack
 * (pass / FAIL / warn / suppressed / n/a) with findings and suppressions, and optionally writes a JSON
 * report for CI. Exits 1 when any stack has an error, and after a wrong option or setting (the message
 * alone, scripts/lib/run-command.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";
import { parseArgs } from "util";
import { checkStack } from "../guardrails/apply";
import { formatReport, reportJson } from "../guardrails/report";
import { StackReport } from "../guardrails/engine";
import { buildBandupApp } from "../stacks/app";
import { runCommand, UsageError } from "./lib/run-command";

const USAGE = "usage: npm run guardrails -- [--json <file>]";

/** The options; a wrong one is a `UsageError` that says what is allowed. */
function parseGuardrailsArguments(argv: readonly string[]): { json?: string; help: boolean } {
  let values: { json?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { json: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.json === "") throw new UsageError(`\`--json\` needs a file path, e.g. --json guardrails-report.json\n${USAGE}`);
  return { json: values.json, help: values.help ?? false };
}

function main(): number {
  const args = parseGuardrailsArguments(process.argv.slice(2));
  if (args.help) {
    console.log(`${USAGE}\nPrints every guardrail rule per stack; --json also writes the report as JSON. Exit 1 when a stack has an error.`);
    return 0;
  }
  const outdir = mkdtempSync(join(tmpdir(), "bandup-guardrails-"));
  try {
    // The stacks main.ts builds; nothing is synthesized to disk.
    const { stacks } = buildBandupApp({ outdir });
    const reports: StackReport[] = stacks.map((stack) => checkStack(stack));
    console.log(formatReport(reports));
    if (args.json) {
      const file = resolve(args.json);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(reportJson(reports), null, 2)}\n`);
      console.log(`\nJSON report: ${file}`);
    }
    const failed = reports.filter((r) => r.errors.length > 0);
    if (failed.length > 0) {
      console.error(`\nGuardrails failed in ${failed.map((r) => r.stack).join(", ")}.`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

runCommand(main);
