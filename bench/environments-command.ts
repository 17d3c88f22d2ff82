/**
 * Start time of `npm run environments -- --json`, the first job of both workflows: wall time and peak
 * memory of the command npm runs (`node --import tsx scripts/environments.ts --json`), of the same
 * through npm, of `node -e 0` (the floor), and of a variant that imports the shared failure handling
 * (scripts/lib/run-command.ts, which imports cdktf) up front instead of on a failure only; measured in
 * turns so that all four see the same load. Prints a Markdown table with the machine's load average.
 *
 *   npx tsx bench/environments-command.ts [runs]    # default 10 runs after 2 warm-ups
 */
import { mkdtempSync, writeFileSync } from "fs";
import { cpus, loadavg, tmpdir } from "os";
import { join } from "path";
import { measureProcess, ProcessMeasurement } from "./lib/measure";
import { summarize } from "./lib/stats";
import { PROJECT_ROOT } from "./lib/variants";

const runs = Number(process.argv[2] ?? 10);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`usage: environments-command [runs >= 1]; got \`${process.argv[2]}\``);
const WARMUP = 2;

/** The command with `runCommand` imported up front, written outside the repository. */
const eager = join(mkdtempSync(join(tmpdir(), "bandup-bench-environments-")), "environments-eager.ts");
writeFileSync(
  eager,
  [
    `import { environmentsCommand } from ${JSON.stringify(join(PROJECT_ROOT, "scripts/lib/environment-list"))};`,
    `import { runCommand } from ${JSON.stringify(join(PROJECT_ROOT, "scripts/lib/run-command"))};`,
    "runCommand(() => environmentsCommand(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }));",
    "",
  ].join("\n"),
);

const commands: { readonly label: string; readonly run: () => ProcessMeasurement }[] = [
  { label: "`node -e 0` (the floor)", run: () => measureProcess(process.execPath, ["-e", "0"]) },
  {
    label: "`node --import tsx scripts/environments.ts --json` (what the npm script runs)",
    run: () => measureProcess(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "scripts/environments.ts"), "--json"], { cwd: PROJECT_ROOT }),
  },
  {
    label: "the same with scripts/lib/run-command.ts imported up front (cdktf with it)",
    run: () => measureProcess(process.execPath, ["--import", "tsx", eager, "--json"], { cwd: PROJECT_ROOT }),
  },
  { label: "`npm run -s environments -- --json`", run: () => measureProcess("npm", ["run", "-s", "environments", "--", "--json"], { cwd: PROJECT_ROOT }) },
];

const loadBefore = loadavg();
const samples = commands.map(() => [] as ProcessMeasurement[]);
for (let turn = 0; turn < WARMUP + runs; turn++) {
  commands.forEach((command, i) => {
    const sample = command.run();
    if (turn >= WARMUP) samples[i].push(sample);
  });
}
const loadAfter = loadavg();

const seconds = (value: number): string => `${value.toFixed(2)} s`;
const load = (values: number[]): string => values.map((v) => v.toFixed(2)).join(" / ");
console.log(
  `${cpus().length} x ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, load average ${load(loadBefore)} before and ${load(loadAfter)} after; ${runs} runs each after ${WARMUP} warm-ups, in turns.\n`,
);
console.log("| what | median | spread | peak RSS (median) |\n|---|---|---|---|");
commands.forEach((command, i) => {
  const wall = summarize(samples[i].map((s) => s.wallS));
  const rss = summarize(samples[i].map((s) => s.peakRssMiB));
  console.log(`| ${command.label} | ${seconds(wall.median)} | ${seconds(wall.min)}-${seconds(wall.max)} (IQR ${seconds(wall.q1)}-${seconds(wall.q3)}) | ${rss.median.toFixed(0)} MiB |`);
});
