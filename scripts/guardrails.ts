/**
 * `npm run guardrails [-- --json <file>]`: builds every stack the way main.ts does (the environments and
 * the bootstrap), runs the guardrails without writing any Terraform, prints a table of every rule per stack
 * (pass / FAIL / warn / suppressed / n/a) with findings and suppressions, and optionally writes a JSON
 * report for CI. Exits 1 when any stack has an error.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { dirname, join, resolve } from "path";
import { checkStack } from "../guardrails/apply";
import { formatReport, reportJson } from "../guardrails/report";
import { StackReport } from "../guardrails/engine";
import { buildBandupApp } from "../stacks/app";

function parseArguments(argv: readonly string[]): { json?: string } {
  const result: { json?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--json") {
      const file = argv[++i];
      if (!file) throw new Error("`--json` needs a file path, e.g. --json guardrails-report.json");
      result.json = file;
    } else if (argv[i].startsWith("--json=")) {
      result.json = argv[i].slice("--json=".length);
    } else {
      throw new Error(`unknown argument \`${argv[i]}\`; usage: npm run guardrails -- [--json <file>]`);
    }
  }
  return result;
}

function main(): number {
  const args = parseArguments(process.argv.slice(2));
  const outdir = mkdtempSync(join(tmpdir(), "bandup-guardrails-"));
  try {
    // The stacks main.ts builds; nothing is synthesized to disk.
    const { stacks, bootstrap } = buildBandupApp({ outdir });
    const reports: StackReport[] = [...stacks, bootstrap].map((stack) => checkStack(stack));
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

process.exitCode = main();
