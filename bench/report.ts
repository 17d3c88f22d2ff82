/** bench/results.md and bench/synth-scaling.svg, rendered from the results: one function per section. */
import { ProcessResult } from "./lib/measure";
import { Summary } from "./lib/stats";
import { renderChart } from "./lib/svg";
import { SYNTH_SCRIPT, StacksComparison } from "./lib/synth-runs";
import { BenchResults, floorSeconds, synthTargetSeconds } from "./results";
import { AnalysisResult } from "./steps/analysis";
import { AwsCdkResult } from "./steps/aws-cdk";
import { BuiltBundleResult, BundleResult, BundleVariantResult } from "./steps/bundles";
import { CdktfCliResult } from "./steps/cdktf-cli";
import { ScalingResult } from "./steps/scaling";
import { TerraformResult } from "./steps/terraform";
import { TestsResult } from "./steps/tests";

const secs = (s: Summary): string => `${s.median.toFixed(2)} s`;
const kb = (bytes: number, digits = 1): string => `${(bytes / 1024).toFixed(digits)} KB`;

function spread(s: Summary, digits = 2, unit = "s"): string {
  return `${s.min.toFixed(digits)}-${s.max.toFixed(digits)} ${unit} (IQR ${s.q1.toFixed(digits)}-${s.q3.toFixed(digits)}, n=${s.runs})`;
}

function comparison(c: StacksComparison): string {
  return c.identical
    ? `byte-identical (${c.cdkTfJsonCompared} cdk.tf.json, ${c.filesCompared} files with the assets)`
    : `**different** in ${c.differing.length} of ${c.filesCompared} files (${c.differing.slice(0, 4).join(", ")})`;
}

/** A table of processes: median, spread, multiple of the node floor, peak memory. */
function processTable(floorS: number, rows: readonly (readonly [string, ProcessResult])[]): string[] {
  return [
    "| what | median | spread | x floor | peak RSS (median) |",
    "|---|---|---|---|---|",
    ...rows.map(([what, r]) => `| ${what} | ${secs(r.wall)} | ${spread(r.wall)} | ${(r.wall.median / floorS).toFixed(1)}x | ${r.peakRssMiB.median.toFixed(0)} MiB |`),
    "",
  ];
}

function header(r: BenchResults): string[] {
  const { machine } = r;
  return [
    "# Benchmarks",
    "",
    `Measured by \`npm run bench${r.options.quick ? " -- --quick" : ""}\` on ${r.date.slice(0, 10)}: ${machine.cpus} x ${machine.cpuModel}, node ${machine.node}, ` +
      `load average ${machine.loadAverageAtStart.join(" / ")} at the start and ${r.loadAverageAtEnd.join(" / ")} at the end (other work shares the machine: spreads are wide when it is busy). ` +
      `Median of several runs after a warm-up; spread is min-max and the interquartile range. Peak RSS: ${r.rssMethod}. ` +
      `Raw figures: [results.json](results.json). Whole run: ${r.totalS.toFixed(0)} s.`,
    "",
  ];
}

function targetsSection(r: BenchResults): string[] {
  if (r.targets.length === 0) return [];
  return ["## Targets", "", "| what | target | measured | |", "|---|---|---|---|", ...r.targets.map((t) => `| ${t.what} | ${t.target} | ${t.measured} | ${t.met ? "met" : "**missed**"} |`), ""];
}

function processesSection(r: BenchResults): string[] {
  const { synth, rootImport, floor } = r;
  if (!floor && !synth && !rootImport) return [];
  const lines = ["## Processes", ""];
  if (synth || rootImport) {
    lines.push(
      `The synth is \`node ${SYNTH_SCRIPT}\`, what \`npm run synth\` and cdktf.json's \`app\` run, into a fresh \`CDKTF_OUTDIR\`. ` +
        "**Warm**: after a warm-up run, dist/app/main.js is up to date and the Lambda bundles and layer zip are in the build cache (node_modules/.cache/bandup-build): what every synth after the first costs. " +
        "**Cold**: dist/app deleted before each run and `BANDUP_BUILD_CACHE=off`: compile of main.ts, esbuild of every bundle, deflate of the layer. " +
        "`npm run synth` is the same warm synth behind npm's own start. " +
        "The root-import variant is a copy of the app (in the system's temporary folder, node_modules symlinked, so it shares the bundle cache) whose provider imports come from the package root, run the same way with its own scripts/synth.cjs and dist/app.",
      "",
    );
  }
  const rows: [string, ProcessResult][] = [];
  if (floor) rows.push(["`node -e 0` (the floor)", floor]);
  if (synth) {
    rows.push([`\`node ${SYNTH_SCRIPT}\`, all ${synth.stacks} environments, **warm**`, synth.warm]);
    rows.push([`\`npm run synth\`, all ${synth.stacks} environments, warm`, synth.npmRunSynth]);
    rows.push([`\`node ${SYNTH_SCRIPT}\`, all ${synth.stacks} environments, cold`, synth.cold]);
  }
  if (rootImport) {
    const what = `root-import variant (\`import { dynamodbTable } from\` the package root \`@cdktf/provider-aws\`, ${rootImport.importsRewritten} imports in ${rootImport.filesRewritten} files)`;
    rows.push([`synth, ${what}, **warm**`, rootImport.warm]);
    rows.push([`synth, ${what}, cold`, rootImport.cold]);
  }
  lines.push(...processTable(floorSeconds(r), rows));
  if (synth) {
    lines.push(`Cold and warm synths write stacks that are ${comparison(synth.coldVsWarm)}.`);
    lines.push(`npm's own start, \`npm run synth\` - \`node ${SYNTH_SCRIPT}\` (medians, warm): ${((synth.npmRunSynth.wall.median - synth.warm.wall.median) * 1000).toFixed(0)} ms.`);
  }
  if (rootImport?.sameStacksAsApp) lines.push(`The root-import variant writes stacks that are ${comparison(rootImport.sameStacksAsApp)} to the app's.`);
  if (synth && rootImport) {
    lines.push(
      `Submodule imports make the synth **${(rootImport.warm.wall.median / synth.warm.wall.median).toFixed(1)}x faster** warm ` +
        `(${(rootImport.cold.wall.median / synth.cold.wall.median).toFixed(1)}x cold) and use ${(rootImport.warm.peakRssMiB.median / synth.warm.peakRssMiB.median).toFixed(1)}x less memory than the root import.`,
    );
  }
  if (synth || rootImport) lines.push("");
  return lines;
}

function testsSection(tests: TestsResult, floorS: number): string[] {
  const { unit, full, npmTest } = tests;
  return [
    "## Tests",
    "",
    "jest with jest.config.js's `maxWorkers: 2`: alone (no `tsc`), and as `npm test` runs it (`tsc --noEmit`, then the full jest suite).",
    "",
    ...processTable(floorS, [
      [`unit tests (\`jest --testPathIgnorePatterns terraform.test.ts\`): ${unit.counts}; exit ${unit.exitCodes.join(", ")}`, unit],
      [`full suite (\`jest\`): ${full.counts}; exit ${full.exitCodes.join(", ")}`, full],
      [`\`npm test\` (\`tsc --noEmit && jest\`): ${npmTest.counts}; exit ${npmTest.exitCodes.join(", ")}`, npmTest],
    ]),
  ];
}

function terraformSection(t: TerraformResult): string[] {
  return [
    `## Terraform (${t.version}, offline mirror ${t.mirror})`,
    "",
    "Each stack full-synthesized with `offlineProvider: {}` and a local state path; `terraform init` once, then `validate` (after a warm-up) and `plan -out` timed.",
    "",
    "| stack | init | validate median | validate spread | plan median | plan spread |",
    "|---|---|---|---|---|---|",
    ...t.stacks.map((s) => `| ${s.stack} | ${s.init.toFixed(2)} s | ${secs(s.validate)} | ${spread(s.validate)} | ${secs(s.plan)} | ${spread(s.plan)} |`),
    "",
  ];
}

function bundleRows(b: BundleResult): string[] {
  if (!b.present) return [`| ${b.kind} | not built: \`lambda-src/${b.entry}\` does not exist yet | | | | | | | | | |`];
  const variants: [string, BundleVariantResult][] = [
    ["minified (deployed)", b.bundle],
    ["reference, unminified", b.reference],
    ["option: AWS SDK external (runtime's SDK)", b.sdkExternal],
  ];
  return variants.map(
    ([variant, v]) =>
      `| ${b.kind} | ${variant} | ${kb(v.zipBytes)} | ${kb(v.zipWithoutMapBytes)} | ${kb(v.indexJsBytes, 0)} | ${kb(v.mapBytes, 0)} | ${v.buildMs.toFixed(0)} ms | ${v.coldLoadMs.toFixed(0)} ms | ${v.requireMs.median.toFixed(0)} ms | ${spread(v.loadWall, 3)} | ${v.peakRssMiB.median.toFixed(0)} MiB |`,
  );
}

function bundlesSection(bundles: readonly BundleResult[], floorS: number, node: string): string[] {
  const built = bundles.filter((b): b is BuiltBundleResult => b.present);
  const composition = (b: BuiltBundleResult): string => {
    const total = b.composition.reduce((sum, p) => sum + p.bytes, 0);
    const top = b.composition.slice(0, 6).map((p) => `${p.name} ${kb(p.bytes, 0)} (${((100 * p.bytes) / total).toFixed(0)}%)`);
    return `- **${b.kind}** (${kb(total, 0)}): ${top.join(", ")}`;
  };
  return [
    "## Lambda bundles",
    "",
    "Built in the bench's process with the builders loaded under `BANDUP_BUILD_CACHE=off`: every build time is a real esbuild + deflate, never a cache hit. " +
      `Cold load: \`node -e "require('./index.js')"\` in the unzipped bundle with the handler's environment variables, wall time minus the node floor (${(floorS * 1000).toFixed(0)} ms); "require" is the require() timed inside the process. ` +
      "Deployed: `buildLambdaBundle(entry, bundleOptionsOf(definition))` as the stack builds it (layer packages external, environment credentials only). " +
      "Reference: the same handler with everything bundled unminified, `{ minify: false, environmentCredentialsOnly: false }` (the whole default SDK chain). " +
      "Layer packages load from the project's node_modules here (the bundle folder is under it), as from /opt/nodejs/node_modules on Lambda. Local node is " +
      `${node}; Lambda runs nodejs22.x. The "SDK external" option leaves \`@aws-sdk/*\` to the runtime; here it loads from the project's node_modules (the bundle folder is under it), so its cold load is indicative only.`,
    "",
    "| function | variant | zip | zip without .map | index.js | .map | build | cold load | require | load spread (wall) | peak RSS |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...bundles.flatMap(bundleRows),
    ...built
      .filter((b) => b.layer)
      .flatMap((b) => ["", `Layer of ${b.kind} (${b.layerPackages.join(", ")}): ${kb(b.layer!.zipBytes)} zipped, built in ${b.layer!.buildMs.toFixed(0)} ms with the cache off (level-9 deflate of the packages; a synth does it only on a cache miss).`]),
    "",
    "What the minified index.js holds (bytes per package or lambda-src folder, top 6):",
    "",
    ...built.map(composition),
    "",
  ];
}

function scalingSection(s: ScalingResult): string[] {
  return [
    "## Synth against the number of stacks",
    "",
    "![synth time and memory against stacks](synth-scaling.svg)",
    "",
    "`bench/synth-n.ts N`: N generated environments with default settings, one `BandupStack` each, built by the app builder (stacks/app.ts), guardrails checked. " +
      "It runs as the app runs: compiled by esbuild with scripts/synth.cjs's options into bench/.work/synth-n/synth-n.js, then plain `node`, bundle cache warm.",
    "",
    "| stacks | wall median | spread | peak RSS median |",
    "|---|---|---|---|",
    ...s.points.map((p) => `| ${p.stacks} | ${secs(p.wall)} | ${spread(p.wall)} | ${p.peakRssMiB.median.toFixed(0)} MiB |`),
    "",
    `Least-squares slope: **${s.fit.timeMsPerStack.toFixed(0)} ms and ${s.fit.memoryMiBPerStack.toFixed(1)} MiB per stack**, on a fixed cost of ${s.fit.timeIntercept.toFixed(2)} s and ${s.fit.memoryIntercept.toFixed(0)} MiB.`,
    "",
  ];
}

function phasesSection(a: AnalysisResult): string[] {
  const match = a.compileOptionsMatch;
  return [
    "## Where the synth time goes",
    "",
    "| what | command | median | spread | peak RSS |",
    "|---|---|---|---|---|",
    ...a.phases.map((p) => `| ${p.what} | \`${p.command}\` | ${secs(p.wall)} | ${spread(p.wall)} | ${p.peakRssMiB.median.toFixed(0)} MiB |`),
    "",
    "What each part adds (differences of the medians above; noisy at this resolution):",
    "",
    "| part | time | from |",
    "|---|---|---|",
    ...a.costs.map((c) => `| ${c.what} | ${(c.seconds * 1000).toFixed(0)} ms | ${c.from} |`),
    "",
    ...(match
      ? [
          match.matches
            ? "Compiling main.ts with scripts/synth.cjs's esbuild options, as the bench does (bench/lib/compile.ts), gives its dist/app output byte for byte."
            : `**Compiling main.ts with scripts/synth.cjs's esbuild options, as the bench does (bench/lib/compile.ts), no longer gives its dist/app output** (${match.differing.join(", ")} differ).`,
          "",
        ]
      : []),
  ];
}

function inProcessBuildsSection(bundles: readonly BundleResult[]): string[] {
  const built = bundles.filter((b): b is BuiltBundleResult => b.present);
  if (built.length === 0) return [];
  return [
    "In-process builds with the cache off (from the bundles step, one run each):",
    "",
    "| what | command | time |",
    "|---|---|---|",
    ...built.flatMap((b) => [
      `| esbuild bundle + zip of ${b.kind} | \`buildLambdaBundle("${b.entry}", bundleOptionsOf(definition))\` | ${(b.bundle.buildMs / 1000).toFixed(2)} s |`,
      ...(b.layer ? [`| layer zip of ${b.kind} (${b.layerPackages.join(", ")}) | \`buildNodeModulesLayer(${JSON.stringify(b.layerPackages)})\` | ${(b.layer.buildMs / 1000).toFixed(2)} s |`] : []),
    ]),
    "",
  ];
}

function profileSection(a: AnalysisResult): string[] {
  const { profile } = a;
  return [
    `CPU profile of one warm synth (\`node --cpu-prof ${SYNTH_SCRIPT}\`, main thread, ${profile.totalMs.toFixed(0)} ms profiled; ${profile.file}): self time by where the code lives ("project code" is dist/app/main.js and scripts/synth.cjs).`,
    "",
    "| where | self time | scripts seen |",
    "|---|---|---|",
    ...profile.byBucket.slice(0, 12).map((b) => `| ${b.bucket} | ${b.selfMs.toFixed(0)} ms | ${b.scripts} |`),
    "",
    "Top functions by self time:",
    "",
    "| function | where | self time |",
    "|---|---|---|",
    ...profile.topFunctions.slice(0, 10).map((f) => `| \`${f.name}\` | ${f.where || "(native)"} | ${f.selfMs.toFixed(0)} ms |`),
    "",
  ];
}

function awsCdkSection(a: AwsCdkResult, floorS: number): string[] {
  const [firstStack, resources] = Object.entries(a.resourcesPerStack)[0] ?? ["", {}];
  const counts = Object.entries(resources)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([type, n]) => `${n} ${type}`)
    .join(", ");
  return [
    "## The same app with AWS CDK",
    "",
    `The tool a user would pick instead: bench/aws-cdk-app/app.ts builds this app with aws-cdk-lib ${a.versions["aws-cdk-lib"]} (constructs ${a.versions.constructs}, installed into bench/.work/aws-cdk, not a project dependency): ` +
      "per environment one stack with the same tables (`TableV2`: keys, the history index, PITR, deletion protection, tags), the same three `Function`s from the very zips this app built (runtime, architecture, memory, timeout, variables, layer), " +
      "their roles with the same inline policies, log groups, dead-letter queues and outputs, all read off this app's own synth (bench/lib/aws-cdk-spec.ts). " +
      `Each run's templates are checked against that spec; ${firstStack} holds ${counts} (AWS CDK adds a \`DefaultPolicy\` per role for the dead-letter queue's \`sqs:SendMessage\`, which the inline policy also grants). ` +
      `The AWS CDK app is type-checked against aws-cdk-lib's declarations first (${a.typeCheckS.toFixed(1)} s, not measured), compiled by esbuild like this app, and run as \`cdk synth\` runs an app: \`node app.js\` with \`CDK_OUTDIR\` set, \`app.synth()\`. ` +
      "The two synths ran alternately, warm (one warm-up each), so both saw the same load.",
    ...notBuiltNote(a.notBuiltPerStack?.[firstStack], firstStack),
    "",
    ...processTable(floorS, [
      [`AWS CDK: \`node bench/.work/aws-cdk/app.js\`, ${a.stacks} stacks`, a.awsCdk],
      [`this app: \`node ${SYNTH_SCRIPT}\`, ${a.stacks} stacks, warm`, a.app],
    ]),
    `This app synthesizes **${a.timeRatio.toFixed(1)}x faster** than the same app in AWS CDK and uses **${a.memoryRatio.toFixed(1)}x less memory** (peak RSS, medians).`,
    "",
  ];
}

/** What the AWS CDK app leaves out of a stack (bench/lib/aws-cdk-spec.ts's `NOT_BUILT_TYPES`), said with the figures it affects. */
function notBuiltNote(notBuilt: Readonly<Record<string, number>> | undefined, stack: string): string[] {
  const entries = Object.entries(notBuilt ?? {}).sort(([x], [y]) => x.localeCompare(y));
  if (entries.length === 0) return [];
  const list = entries.map(([type, n]) => `${n} ${type}`).join(", ");
  return ["", `The AWS CDK app does not build this app's monitoring (${stack}: ${list}): this app synthesizes that much more in this comparison.`];
}

function cdktfCliSection(c: CdktfCliResult, floorS: number): string[] {
  const overhead = c.cliSynth.wall.median - c.app.wall.median;
  return [
    "## `cdktf synth` through the cdktf CLI",
    "",
    "`npx cdktf synth --output <fresh folder>` (devDependency cdktf-cli; `CHECKPOINT_DISABLE=1`, no update check) runs cdktf.json's `app`, the same `node scripts/synth.cjs`; measured alternately with it, warm. " +
      "`npx cdktf --version` is the CLI's start alone (it also asks terraform for its version).",
    "",
    ...processTable(floorS, [
      ["`npx cdktf synth --output <dir>`", c.cliSynth],
      ["`npx cdktf --version` (the CLI's own start)", c.cliVersion],
      [`\`node ${SYNTH_SCRIPT}\`, warm`, c.app],
    ]),
    `The CLI's own start-up and work around the app dominate \`cdktf synth\`: ${overhead.toFixed(2)} s of its ${secs(c.cliSynth.wall)} (${((100 * overhead) / c.cliSynth.wall.median).toFixed(0)}%) ` +
      `go to the CLI, ${secs(c.app.wall)} to the app it runs; its bare start (\`--version\`) alone takes ${secs(c.cliVersion.wall)}. \`npm run synth\` runs the app without the CLI.`,
    "",
  ];
}

export function renderMarkdown(r: BenchResults): string {
  const floorS = floorSeconds(r);
  return [
    ...header(r),
    ...targetsSection(r),
    ...processesSection(r),
    ...(r.tests ? testsSection(r.tests, floorS) : []),
    ...(r.awsCdk ? awsCdkSection(r.awsCdk, floorS) : []),
    ...(r.cdktfCli ? cdktfCliSection(r.cdktfCli, floorS) : []),
    ...(r.terraform ? terraformSection(r.terraform) : []),
    ...(r.bundles ? bundlesSection(r.bundles, floorS, r.machine.node) : []),
    ...(r.scaling ? scalingSection(r.scaling) : []),
    ...(r.analysis ? [...phasesSection(r.analysis), ...inProcessBuildsSection(r.bundles ?? []), ...profileSection(r.analysis)] : []),
  ].join("\n");
}

const pick = (s: Summary): { median: number; min: number; max: number } => ({ median: s.median, min: s.min, max: s.max });

/** The chart of synth time and peak memory against the number of stacks. */
export function renderScalingChart(s: ScalingResult, floorS: number, stackCount: number, node: string): string {
  const limit = synthTargetSeconds(floorS);
  return renderChart({
    title: `Synth time and peak memory against stacks (bench/synth-n.ts compiled, plain node ${node}, warm)`,
    xLabel: "stacks (generated environments) in one app",
    left: { label: "wall time", unit: "s", color: "#1f5fbf", fit: { slope: s.fit.timeMsPerStack / 1000, intercept: s.fit.timeIntercept }, points: s.points.map((p) => ({ x: p.stacks, ...pick(p.wall) })) },
    right: { label: "peak RSS", unit: "MiB", color: "#c0392b", fit: { slope: s.fit.memoryMiBPerStack, intercept: s.fit.memoryIntercept }, points: s.points.map((p) => ({ x: p.stacks, ...pick(p.peakRssMiB) })) },
    leftReference: { value: limit, label: `target for the real app (${stackCount} stacks): 3 x node floor + 0.5 s = ${limit.toFixed(2)} s` },
  });
}
