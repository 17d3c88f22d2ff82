/**
 * This app built with AWS CDK, the tool a user would pick instead: per environment one stack with the
 * same tables (`TableV2`: keys, index, PITR and its window, caps, class, deletion protection, tags), the same three functions
 * (`Function`, from the very zips this app built, with the same runtime, architecture, memory, timeout,
 * variables, layer), their roles with the same inline policies, log groups and dead-letter queues, and
 * the same outputs; not the monitoring (bench/lib/aws-cdk-spec.ts's `NOT_BUILT_TYPES`). What to build comes from spec.json beside the compiled app, which the bench reads
 * off this app's own synth (bench/lib/aws-cdk-spec.ts). `npm run bench` compiles it into
 * bench/.work/aws-cdk/app.js and runs it with `CDK_OUTDIR` set, as `cdk synth` would.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { App, Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { IConstruct } from "constructs";
import type { AwsCdkAppSpec, FunctionSpec, Interpolated, KeySpec, Reference, RoleSpec, StackSpec, StatementSpec, TableSpec } from "../lib/aws-cdk-spec";

/** The constructs of one stack by their id in the spec (the Terraform resource names). */
interface Built {
  readonly tables: Map<string, dynamodb.TableV2>;
  readonly logGroups: Map<string, logs.LogGroup>;
  readonly queues: Map<string, sqs.Queue>;
  readonly layers: Map<string, lambda.LayerVersion>;
  readonly roles: Map<string, iam.Role>;
  readonly functions: Map<string, lambda.Function>;
}

function get<T>(map: Map<string, T>, id: string, what: string): T {
  const value = map.get(id);
  if (value === undefined) throw new Error(`no ${what} \`${id}\` in the spec`);
  return value;
}

function resolve(value: Interpolated, built: Built): string {
  const token = (reference: Reference): string => {
    switch (reference.ref) {
      case "partition":
        return Aws.PARTITION;
      case "region":
        return Aws.REGION;
      case "account":
        return Aws.ACCOUNT_ID;
      case "tableArn":
        return get(built.tables, reference.id, "table").tableArn;
      case "tableName":
        return get(built.tables, reference.id, "table").tableName;
      case "logGroupArn":
        return get(built.logGroups, reference.id, "log group").logGroupArn;
      case "logGroupName":
        return get(built.logGroups, reference.id, "log group").logGroupName;
      case "queueArn":
        return get(built.queues, reference.id, "queue").queueArn;
      case "roleArn":
        return get(built.roles, reference.id, "role").roleArn;
      case "layerArn":
        return get(built.layers, reference.id, "layer").layerVersionArn;
      case "functionArn":
        return get(built.functions, reference.id, "function").functionArn;
      case "functionName":
        return get(built.functions, reference.id, "function").functionName;
    }
  };
  return value.map((part) => (typeof part === "string" ? part : token(part))).join("");
}

function enumValue<T extends Record<string, string | number>>(values: T, value: string | number, what: string): T[keyof T] {
  if (!Object.values(values).includes(value)) throw new Error(`${what} \`${value}\` has no AWS CDK equivalent`);
  return value as T[keyof T];
}

function tag(scope: IConstruct, tags: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(tags)) Tags.of(scope).add(key, value);
}

const attribute = (key: KeySpec): dynamodb.Attribute => ({ name: key.name, type: enumValue(dynamodb.AttributeType, key.type, "attribute type") });

function buildTable(stack: Stack, spec: TableSpec): dynamodb.TableV2 {
  return new dynamodb.TableV2(stack, spec.id, {
    tableName: spec.tableName,
    billing: dynamodb.Billing.onDemand({ maxReadRequestUnits: spec.maxReadRequestUnits, maxWriteRequestUnits: spec.maxWriteRequestUnits }),
    tableClass: spec.tableClass && enumValue(dynamodb.TableClass, spec.tableClass, "table class"),
    partitionKey: attribute(spec.partitionKey),
    sortKey: spec.sortKey && attribute(spec.sortKey),
    globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey && attribute(index.sortKey),
      projectionType: enumValue(dynamodb.ProjectionType, index.projection, "projection"),
      nonKeyAttributes: index.nonKeyAttributes && [...index.nonKeyAttributes],
      maxReadRequestUnits: index.maxReadRequestUnits,
      maxWriteRequestUnits: index.maxWriteRequestUnits,
    })),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: spec.pointInTimeRecovery, recoveryPeriodInDays: spec.recoveryPeriodInDays },
    deletionProtection: spec.deletionProtection,
    removalPolicy: spec.retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    encryption: spec.kmsKeyArn ? dynamodb.TableEncryptionV2.customerManagedKey(kms.Key.fromKeyArn(stack, `${spec.id}-key`, spec.kmsKeyArn)) : undefined,
    tags: Object.entries(spec.tags).map(([key, value]) => ({ key, value })),
  });
}

function statement(spec: StatementSpec, built: Built): iam.PolicyStatement {
  const conditions: Record<string, Record<string, string[]>> = {};
  for (const condition of spec.conditions) {
    conditions[condition.test] = { ...conditions[condition.test], [condition.variable]: condition.values.map((v) => resolve(v, built)) };
  }
  return new iam.PolicyStatement({
    sid: spec.sid,
    effect: spec.effect === "Deny" ? iam.Effect.DENY : iam.Effect.ALLOW,
    actions: [...spec.actions],
    resources: spec.resources.map((r) => resolve(r, built)),
    conditions: spec.conditions.length > 0 ? conditions : undefined,
  });
}

function buildRole(stack: Stack, spec: RoleSpec, built: Built): iam.Role {
  const role = new iam.Role(stack, spec.id, {
    roleName: spec.roleName,
    description: spec.description,
    assumedBy: new iam.ServicePrincipal(spec.assumedBy),
    inlinePolicies: Object.fromEntries(
      spec.inlinePolicies.map((policy) => [policy.policyName, new iam.PolicyDocument({ statements: policy.statements.map((s) => statement(s, built)) })]),
    ),
    permissionsBoundary: spec.permissionsBoundary && iam.ManagedPolicy.fromManagedPolicyArn(stack, `${spec.id}-boundary`, resolve(spec.permissionsBoundary, built)),
  });
  tag(role, spec.tags);
  return role;
}

function runtime(name: string): lambda.Runtime {
  const found = lambda.Runtime.ALL.find((r) => r.name === name);
  if (!found) throw new Error(`runtime \`${name}\` is not one of aws-cdk-lib's`);
  return found;
}

function architecture(name: string): lambda.Architecture {
  const found = [lambda.Architecture.ARM_64, lambda.Architecture.X86_64].find((a) => a.name === name);
  if (!found) throw new Error(`architecture \`${name}\` is not one of aws-cdk-lib's`);
  return found;
}

function buildFunction(stack: Stack, spec: FunctionSpec, built: Built): lambda.Function {
  const fn = new lambda.Function(stack, spec.id, {
    functionName: spec.functionName,
    description: spec.description,
    runtime: runtime(spec.runtime),
    architecture: architecture(spec.architecture),
    handler: spec.handler,
    code: lambda.Code.fromAsset(spec.zip),
    memorySize: spec.memoryMb,
    timeout: spec.timeoutSeconds === undefined ? undefined : Duration.seconds(spec.timeoutSeconds),
    reservedConcurrentExecutions: spec.reservedConcurrency,
    environment: Object.fromEntries(Object.entries(spec.environment).map(([name, value]) => [name, resolve(value, built)])),
    role: get(built.roles, spec.roleId, "role"),
    layers: spec.layerIds.map((id) => get(built.layers, id, "layer")),
    logGroup: spec.logGroupId === undefined ? undefined : get(built.logGroups, spec.logGroupId, "log group"),
    loggingFormat: spec.logging && enumValue(lambda.LoggingFormat, spec.logging.format, "log format"),
    applicationLogLevelV2: spec.logging?.applicationLogLevel === undefined ? undefined : enumValue(lambda.ApplicationLogLevel, spec.logging.applicationLogLevel, "application log level"),
    systemLogLevelV2: spec.logging?.systemLogLevel === undefined ? undefined : enumValue(lambda.SystemLogLevel, spec.logging.systemLogLevel, "system log level"),
    deadLetterQueue: spec.deadLetterQueueId === undefined ? undefined : get(built.queues, spec.deadLetterQueueId, "queue"),
  });
  tag(fn, spec.tags);
  return fn;
}

function buildStack(app: App, spec: StackSpec): Stack {
  const stack = new Stack(app, spec.stackName, { env: { region: spec.region } });
  // The provider's default tags, with the tool that manages the stack named truly.
  tag(stack, { ...spec.tags, ...("ManagedBy" in spec.tags && { ManagedBy: "aws-cdk" }) });
  const built: Built = { tables: new Map(), logGroups: new Map(), queues: new Map(), layers: new Map(), roles: new Map(), functions: new Map() };
  for (const table of spec.tables) built.tables.set(table.id, buildTable(stack, table));
  for (const group of spec.logGroups) {
    const logGroup = new logs.LogGroup(stack, group.id, {
      logGroupName: group.logGroupName,
      retention: group.retentionDays === undefined ? logs.RetentionDays.INFINITE : enumValue(logs.RetentionDays, group.retentionDays, "log retention"),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    tag(logGroup, group.tags);
    built.logGroups.set(group.id, logGroup);
  }
  for (const queue of spec.queues) {
    const deadLetters = new sqs.Queue(stack, queue.id, {
      queueName: queue.queueName,
      retentionPeriod: queue.retentionSeconds === undefined ? undefined : Duration.seconds(queue.retentionSeconds),
      encryption: queue.sqsManagedEncryption ? sqs.QueueEncryption.SQS_MANAGED : sqs.QueueEncryption.UNENCRYPTED,
    });
    tag(deadLetters, queue.tags);
    built.queues.set(queue.id, deadLetters);
  }
  for (const layer of spec.layers) {
    const version = new lambda.LayerVersion(stack, layer.id, {
      layerVersionName: layer.layerName,
      description: layer.description,
      code: lambda.Code.fromAsset(layer.zip),
      compatibleRuntimes: layer.compatibleRuntimes.map(runtime),
      compatibleArchitectures: layer.compatibleArchitectures.map(architecture),
    });
    built.layers.set(layer.id, version);
  }
  for (const role of spec.roles) built.roles.set(role.id, buildRole(stack, role, built));
  for (const fn of spec.functions) built.functions.set(fn.id, buildFunction(stack, fn, built));
  for (const output of spec.outputs) new CfnOutput(stack, output.id, { value: resolve(output.value, built), description: output.description });
  return stack;
}

const spec = JSON.parse(readFileSync(join(__dirname, "spec.json"), "utf8")) as AwsCdkAppSpec;
const app = new App();
for (const stack of spec.stacks) buildStack(app, stack);
app.synth();
