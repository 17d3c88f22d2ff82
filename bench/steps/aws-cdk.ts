/**
 * The tool a user would pick instead: this app built with AWS CDK (bench/aws-cdk-app/app.ts, from a
 * spec read off this app's own synth and from the very zips it built), its warm synth timed against
 * this app's warm synth in the same run, the two interleaved so that both see the same load.
 * aws-cdk-lib and constructs are installed on demand into bench/.work/aws-cdk (pinned below; not a
 * project dependency), and the AWS CDK app is type-checked against them before it is measured.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { AwsCdkAppSpec, awsCdkSpecOf, StackSpec } from "../lib/aws-cdk-spec";
import { compileApp } from "../lib/compile";
import { BenchContext, freshDir } from "../lib/context";
import { alternately, measureProcess, ProcessMeasurement, processResult, ProcessResult } from "../lib/measure";
import { appSynthMeasurement, appSynthOnce, WARM } from "../lib/synth-runs";
import { PROJECT_ROOT } from "../lib/variants";

/** The AWS CDK release measured, and the constructs release it takes (aws-cdk-lib wants constructs ^10.5). */
export const AWS_CDK_VERSIONS = { "aws-cdk-lib": "2.276.0", constructs: "10.8.1" } as const;

export interface AwsCdkResult {
  readonly versions: typeof AWS_CDK_VERSIONS;
  /** The AWS CDK app's synth: `node bench/.work/aws-cdk/app.js` into a fresh `CDK_OUTDIR`. */
  readonly awsCdk: ProcessResult;
  /** This app's warm synth, `node scripts/synth.cjs`, measured alternately with the AWS CDK app's. */
  readonly app: ProcessResult;
  /** AWS CDK's median over this app's: wall time and peak RSS. */
  readonly timeRatio: number;
  readonly memoryRatio: number;
  readonly stacks: number;
  /** CloudFormation resources of each AWS CDK stack, by type (checked against the spec). */
  readonly resourcesPerStack: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Time of the type check of bench/aws-cdk-app against the installed aws-cdk-lib, in seconds (not part of the synth). */
  readonly typeCheckS: number;
  /** What this app's stacks hold that the AWS CDK app does not build, per stack, by type (bench/lib/aws-cdk-spec.ts's `notBuilt`). */
  readonly notBuiltPerStack?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const installedVersion = (dir: string, name: string): string | undefined => {
  const manifest = join(dir, "node_modules", name, "package.json");
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, "utf8")).version : undefined;
};

/** Installs the pinned aws-cdk-lib and constructs into `dir`, unless they are there already. */
function ensureInstalled(context: BenchContext, dir: string): void {
  if (Object.entries(AWS_CDK_VERSIONS).every(([name, version]) => installedVersion(dir, name) === version)) return;
  context.log(`aws-cdk: npm install ${Object.entries(AWS_CDK_VERSIONS).map(([n, v]) => `${n}@${v}`).join(" ")} into ${dir}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, description: "AWS CDK for npm run bench", dependencies: AWS_CDK_VERSIONS }, null, 2) + "\n");
  const install = spawnSync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund"], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`aws-cdk: npm install failed (exit ${install.status}):\n${install.stderr.slice(-3000)}`);
}

/** `tsc -p bench/aws-cdk-app`: the AWS CDK app against the installed aws-cdk-lib's own declarations. */
function typeCheck(): number {
  const start = process.hrtime.bigint();
  const tsc = spawnSync(process.execPath, [join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(PROJECT_ROOT, "bench", "aws-cdk-app", "tsconfig.json")], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  });
  if (tsc.status !== 0) throw new Error(`aws-cdk: bench/aws-cdk-app does not type-check against aws-cdk-lib ${AWS_CDK_VERSIONS["aws-cdk-lib"]}:\n${tsc.stdout}${tsc.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The spec of this app's stacks, read off one warm synth; the zips are copied beside the AWS CDK app. */
function writeSpec(context: BenchContext, dir: string): AwsCdkAppSpec {
  const { outdir } = appSynthOnce(PROJECT_ROOT, WARM, context.stackCount);
  rmSync(join(dir, "assets"), { recursive: true, force: true });
  const spec = awsCdkSpecOf(outdir, join(dir, "assets"));
  rmSync(outdir, { recursive: true, force: true });
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec, null, 1) + "\n");
  return spec;
}

/** The parts of a CloudFormation template the check reads. */
interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}
interface FunctionProperties {
  readonly FunctionName: string;
  readonly Runtime: string;
  readonly Architectures: readonly string[];
  readonly MemorySize?: number;
  readonly Timeout?: number;
  readonly Environment?: { readonly Variables: Record<string, unknown> };
}
interface GlobalTableProperties {
  readonly TableName: string;
  readonly GlobalSecondaryIndexes?: readonly { readonly IndexName: string }[];
  readonly Replicas: readonly { readonly PointInTimeRecoverySpecification?: { readonly PointInTimeRecoveryEnabled: boolean }; readonly DeletionProtectionEnabled?: boolean }[];
}

/** The settings the check compares, as one sortable line per function or table. */
const functionSettings = (name: string, runtime: string, architecture: string, memory: number | undefined, timeout: number | undefined, variables: readonly string[]): string =>
  JSON.stringify([name, runtime, architecture, memory, timeout, [...variables].sort()]);
const tableSettings = (name: string, indexes: readonly string[], pointInTimeRecovery: boolean, deletionProtection: boolean): string =>
  JSON.stringify([name, indexes, pointInTimeRecovery, deletionProtection]);

/**
 * Throws unless the AWS CDK stack's template holds what the spec asks for (resources of each type,
 * outputs, each function's runtime, architecture, memory, timeout and variables, each table's index,
 * PITR and deletion protection); returns its resources by type.
 */
function checkTemplate(stack: StackSpec, template: Template): Record<string, number> {
  const resources = Object.values(template.Resources);
  const byType: Record<string, number> = {};
  for (const resource of resources) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
  const expected: Record<string, number> = {
    "AWS::DynamoDB::GlobalTable": stack.tables.length,
    "AWS::Lambda::Function": stack.functions.length,
    "AWS::IAM::Role": stack.roles.length,
    "AWS::Logs::LogGroup": stack.logGroups.length,
    "AWS::SQS::Queue": stack.queues.length,
    "AWS::Lambda::LayerVersion": stack.layers.length,
  };
  const problems = Object.entries(expected)
    .filter(([type, count]) => (byType[type] ?? 0) !== count)
    .map(([type, count]) => `${byType[type] ?? 0} ${type}, expected ${count}`);
  const outputs = Object.keys(template.Outputs ?? {}).length;
  if (outputs !== stack.outputs.length) problems.push(`${outputs} outputs, expected ${stack.outputs.length}`);
  const properties = <T>(type: string): T[] => resources.filter((r) => r.Type === type).map((r) => r.Properties as unknown as T);
  const compare = (what: string, built: string[], wanted: string[]): void => {
    if (built.sort().join() !== wanted.sort().join()) problems.push(`${what} ${built.join(", ")}, expected ${wanted.join(", ")}`);
  };
  compare(
    "functions",
    properties<FunctionProperties>("AWS::Lambda::Function").map((p) => functionSettings(p.FunctionName, p.Runtime, p.Architectures[0], p.MemorySize, p.Timeout, Object.keys(p.Environment?.Variables ?? {}))),
    stack.functions.map((f) => functionSettings(f.functionName, f.runtime, f.architecture, f.memoryMb, f.timeoutSeconds, Object.keys(f.environment))),
  );
  compare(
    "tables",
    properties<GlobalTableProperties>("AWS::DynamoDB::GlobalTable").map((p) =>
      tableSettings(
        p.TableName,
        (p.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName),
        p.Replicas[0].PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true,
        p.Replicas[0].DeletionProtectionEnabled === true,
      ),
    ),
    stack.tables.map((t) => tableSettings(t.tableName, t.globalIndexes.map((i) => i.indexName), t.pointInTimeRecovery, t.deletionProtection)),
  );
  if (problems.length > 0) throw new Error(`aws-cdk: stack ${stack.stackName} is not this app: ${problems.join("; ")}`);
  return byType;
}

export function measureAwsCdk(context: BenchContext): AwsCdkResult {
  const dir = join(context.work, "aws-cdk");
  ensureInstalled(context, dir);
  context.log("aws-cdk: type check of bench/aws-cdk-app");
  const typeCheckS = typeCheck();
  const spec = writeSpec(context, dir);
  // The project's tsconfig, not bench/aws-cdk-app's: that one maps aws-cdk-lib to the install folder
  // for the type check, and esbuild would then bundle aws-cdk-lib instead of leaving it a package.
  compileApp(PROJECT_ROOT, { file: "bench/aws-cdk-app/app.ts" }, join(dir, "app.js"), { tsconfig: join(PROJECT_ROOT, "tsconfig.json") });

  let resourcesPerStack: Record<string, Record<string, number>> = {};
  const awsCdkOnce = (): ProcessMeasurement => {
    const outdir = freshDir("aws-cdk-out");
    const measurement = measureProcess(process.execPath, ["app.js"], { cwd: dir, env: { CDK_OUTDIR: outdir } });
    resourcesPerStack = Object.fromEntries(
      spec.stacks.map((stack) => [stack.stackName, checkTemplate(stack, JSON.parse(readFileSync(join(outdir, `${stack.stackName}.template.json`), "utf8")))]),
    );
    rmSync(outdir, { recursive: true, force: true });
    return measurement;
  };
  context.log("aws-cdk: the AWS CDK app's synth and this app's warm synth, alternately");
  const [awsCdkSamples, appSamples] = alternately(context.runs(3, 2), 1, awsCdkOnce, () => appSynthMeasurement(PROJECT_ROOT, WARM, context.stackCount));
  const awsCdk = processResult(awsCdkSamples);
  const app = processResult(appSamples);
  return {
    versions: AWS_CDK_VERSIONS,
    awsCdk,
    app,
    timeRatio: awsCdk.wall.median / app.wall.median,
    memoryRatio: awsCdk.peakRssMiB.median / app.peakRssMiB.median,
    stacks: spec.stacks.length,
    resourcesPerStack,
    typeCheckS,
    notBuiltPerStack: Object.fromEntries(spec.stacks.map((stack) => [stack.stackName, stack.notBuilt])),
  };
}
