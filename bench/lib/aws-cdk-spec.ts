/**
 * What the AWS CDK version of the app builds (bench/aws-cdk-app/app.ts), read off this app's own
 * synthesized stacks: each cdk.tf.json's tables, log groups, queues, layers, roles with their inline
 * policies, functions and outputs, with every Terraform reference turned into a reference the AWS CDK
 * app resolves to its own constructs. Deriving it from the synth keeps the two apps the same app as
 * this one changes; an attribute or resource it does not know is an error, never skipped silently.
 * Plain data and plain TypeScript: the AWS CDK app imports only the types.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "fs";
import { basename, join } from "path";

/** A reference to an attribute of another resource of the stack, or to where the stack is deployed. */
export type Reference =
  | { readonly ref: "tableArn" | "tableName" | "logGroupArn" | "logGroupName" | "queueArn" | "roleArn" | "layerArn" | "functionArn" | "functionName"; readonly id: string }
  | { readonly ref: "partition" | "region" | "account" };

/** A string made of literal text and references, in order. */
export type Interpolated = readonly (string | Reference)[];

export interface KeySpec {
  readonly name: string;
  readonly type: "S" | "N" | "B";
}

export interface GlobalIndexSpec {
  readonly indexName: string;
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  readonly projection: "ALL" | "KEYS_ONLY" | "INCLUDE";
  readonly nonKeyAttributes?: readonly string[];
  /** On-demand caps (none: no maximum). */
  readonly maxReadRequestUnits?: number;
  readonly maxWriteRequestUnits?: number;
}

export interface TableSpec {
  readonly id: string;
  readonly tableName: string;
  readonly partitionKey: KeySpec;
  readonly sortKey?: KeySpec;
  readonly globalIndexes: readonly GlobalIndexSpec[];
  readonly pointInTimeRecovery: boolean;
  readonly recoveryPeriodInDays?: number;
  readonly tableClass?: "STANDARD" | "STANDARD_INFREQUENT_ACCESS";
  /** On-demand caps (none: no maximum). */
  readonly maxReadRequestUnits?: number;
  readonly maxWriteRequestUnits?: number;
  readonly deletionProtection: boolean;
  /** Terraform's `prevent_destroy`: the AWS CDK app keeps the table when the stack is deleted. */
  readonly retainOnDelete: boolean;
  readonly kmsKeyArn?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LogGroupSpec {
  readonly id: string;
  readonly logGroupName: string;
  readonly retentionDays?: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface QueueSpec {
  readonly id: string;
  readonly queueName: string;
  readonly retentionSeconds?: number;
  readonly sqsManagedEncryption: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LayerSpec {
  readonly id: string;
  readonly layerName: string;
  /** Absolute path of the layer's zip, as this app built it. */
  readonly zip: string;
  readonly description?: string;
  readonly compatibleRuntimes: readonly string[];
  readonly compatibleArchitectures: readonly string[];
}

export interface StatementSpec {
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly Interpolated[];
  readonly conditions: readonly { readonly test: string; readonly variable: string; readonly values: readonly Interpolated[] }[];
}

export interface RoleSpec {
  readonly id: string;
  readonly roleName: string;
  readonly description?: string;
  /** The service principal allowed to assume the role (`lambda.amazonaws.com`). */
  readonly assumedBy: string;
  readonly inlinePolicies: readonly { readonly policyName: string; readonly statements: readonly StatementSpec[] }[];
  /** The managed policy ARN that bounds the role (the bootstrap's `bandup-boundary-<env>`), when it has one. */
  readonly permissionsBoundary?: Interpolated;
  readonly tags: Readonly<Record<string, string>>;
}

export interface FunctionSpec {
  readonly id: string;
  readonly functionName: string;
  readonly description?: string;
  readonly runtime: string;
  readonly architecture: string;
  readonly handler: string;
  /** Absolute path of the function's zip, as this app built it. */
  readonly zip: string;
  readonly memoryMb?: number;
  readonly timeoutSeconds?: number;
  readonly reservedConcurrency?: number;
  readonly environment: Readonly<Record<string, Interpolated>>;
  readonly roleId: string;
  readonly layerIds: readonly string[];
  readonly logGroupId?: string;
  readonly logging?: { readonly format: string; readonly applicationLogLevel?: string; readonly systemLogLevel?: string };
  readonly deadLetterQueueId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface OutputSpec {
  readonly id: string;
  readonly value: Interpolated;
  readonly description?: string;
}

export interface StackSpec {
  readonly stackName: string;
  readonly region: string;
  /** Tags of every resource of the stack (the provider's `default_tags`). */
  readonly tags: Readonly<Record<string, string>>;
  readonly tables: readonly TableSpec[];
  readonly logGroups: readonly LogGroupSpec[];
  readonly queues: readonly QueueSpec[];
  readonly layers: readonly LayerSpec[];
  readonly roles: readonly RoleSpec[];
  readonly functions: readonly FunctionSpec[];
  readonly outputs: readonly OutputSpec[];
  /** Resources of this app's stack the AWS CDK app leaves out (`NOT_BUILT_TYPES`), and outputs that name them, by type. */
  readonly notBuilt: Readonly<Record<string, number>>;
}

export interface AwsCdkAppSpec {
  readonly stacks: readonly StackSpec[];
}

// ---------------------------------------------------------------------------------------------------
// Reading the spec off a cdk.tf.json.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Attribute references the AWS CDK app can resolve: `<type>.<attribute>` (data sources with `data.`). */
const REFERENCES: Readonly<Record<string, Reference["ref"]>> = {
  "aws_dynamodb_table.arn": "tableArn",
  "aws_dynamodb_table.name": "tableName",
  "aws_cloudwatch_log_group.arn": "logGroupArn",
  "aws_cloudwatch_log_group.name": "logGroupName",
  "aws_sqs_queue.arn": "queueArn",
  "aws_iam_role.arn": "roleArn",
  "aws_lambda_layer_version.arn": "layerArn",
  "aws_lambda_function.arn": "functionArn",
  "aws_lambda_function.function_name": "functionName",
  "data.aws_partition.partition": "partition",
  "data.aws_region.name": "region",
  "data.aws_region.region": "region",
  "data.aws_caller_identity.account_id": "account",
};

/** Turns one `${...}` expression into a reference; throws on anything the AWS CDK app cannot build. */
export function referenceOf(expression: string, where: string): Reference {
  // The account id read off an ARN (`element(split(":", <arn>), 4)`) is the stack's account.
  const accountOfArn = /^element\(split\(":", (.+)\), 4\)$/.exec(expression);
  if (accountOfArn) {
    const inner = referenceOf(accountOfArn[1], where);
    if (inner.ref.endsWith("Arn")) return { ref: "account" };
  }
  const match = /^((?:data\.)?aws_\w+)\.([\w-]+)\.(\w+)$/.exec(expression);
  const ref = match ? REFERENCES[`${match[1]}.${match[3]}`] : undefined;
  if (!match || !ref) throw new Error(`${where}: the AWS CDK app cannot resolve \`\${${expression}}\`; teach bench/lib/aws-cdk-spec.ts this reference`);
  return ref === "partition" || ref === "region" || ref === "account" ? { ref } : { ref, id: match[2] };
}

/** Splits a Terraform string into literal text and references. */
export function interpolated(value: string, where: string): Interpolated {
  const parts: (string | Reference)[] = [];
  let last = 0;
  for (const match of value.matchAll(/\$\{([^}]+)\}/g)) {
    if (match.index > last) parts.push(value.slice(last, match.index));
    parts.push(referenceOf(match[1], where));
    last = match.index + match[0].length;
  }
  if (last < value.length) parts.push(value.slice(last));
  return parts;
}

/** The id of the resource of `type` that `value` references as a whole (`${<type>.<id>.<attribute>}`). */
function referencedId(value: unknown, type: string, where: string): string {
  const match = typeof value === "string" ? /^\$\{(?:data\.)?([\w]+)\.([\w-]+)\.\w+\}$/.exec(value) : null;
  if (!match || match[1] !== type) throw new Error(`${where}: expected a reference to a ${type}, got \`${JSON.stringify(value)}\``);
  return match[2];
}

/** Throws when a resource has an attribute the AWS CDK app does not build. */
function checkKnown(resource: Json, known: readonly string[], where: string): void {
  const unknown = Object.keys(resource).filter((key) => key !== "//" && !known.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: the AWS CDK app does not build ${unknown.map((k) => `\`${k}\``).join(", ")}; teach bench/lib/aws-cdk-spec.ts and bench/aws-cdk-app/app.ts`);
}

const one = <T>(blocks: T | readonly T[] | undefined): T | undefined => (Array.isArray(blocks) ? blocks[0] : (blocks as T | undefined));

function keyOf(table: Json, name: string | undefined, where: string): KeySpec | undefined {
  if (name === undefined) return undefined;
  const attribute = (table.attribute as Json[]).find((a) => a.name === name);
  if (!attribute) throw new Error(`${where}: key \`${name}\` has no attribute definition`);
  return { name, type: attribute.type };
}

/** The caps of an `on_demand_throughput` block; DynamoDB's -1 ("no maximum") as none, as AWS CDK writes it. */
function capsOf(block: Json | undefined): { maxReadRequestUnits?: number; maxWriteRequestUnits?: number } {
  const cap = (value: unknown) => (typeof value === "number" && value > 0 ? value : undefined);
  return { maxReadRequestUnits: cap(block?.max_read_request_units), maxWriteRequestUnits: cap(block?.max_write_request_units) };
}

function tableSpec(id: string, table: Json, where: string): TableSpec {
  checkKnown(
    table,
    ["name", "billing_mode", "hash_key", "range_key", "attribute", "global_secondary_index", "point_in_time_recovery", "server_side_encryption", "deletion_protection_enabled", "tags", "lifecycle", "on_demand_throughput", "table_class"],
    where,
  );
  if (table.billing_mode !== "PAY_PER_REQUEST") throw new Error(`${where}: billing mode \`${table.billing_mode}\`; the AWS CDK app builds on-demand tables only`);
  const encryption = one<Json>(table.server_side_encryption);
  const pitr = one<Json>(table.point_in_time_recovery);
  return {
    id,
    tableName: table.name,
    partitionKey: keyOf(table, table.hash_key, where)!,
    sortKey: keyOf(table, table.range_key, where),
    globalIndexes: ((table.global_secondary_index ?? []) as Json[]).map((index) => ({
      indexName: index.name,
      partitionKey: keyOf(table, index.hash_key, where)!,
      sortKey: keyOf(table, index.range_key, where),
      projection: index.projection_type,
      nonKeyAttributes: index.non_key_attributes,
      ...capsOf(one<Json>(index.on_demand_throughput)),
    })),
    pointInTimeRecovery: pitr?.enabled === true,
    recoveryPeriodInDays: pitr?.recovery_period_in_days,
    tableClass: table.table_class,
    ...capsOf(one<Json>(table.on_demand_throughput)),
    deletionProtection: table.deletion_protection_enabled === true,
    retainOnDelete: table.lifecycle?.prevent_destroy === true,
    kmsKeyArn: encryption?.enabled ? encryption.kms_key_arn : undefined,
    tags: table.tags ?? {},
  };
}

function statementSpec(statement: Json, where: string): StatementSpec {
  checkKnown(statement, ["sid", "effect", "actions", "resources", "condition"], where);
  return {
    sid: statement.sid,
    effect: statement.effect ?? "Allow",
    actions: statement.actions ?? [],
    resources: ((statement.resources ?? []) as string[]).map((r) => interpolated(r, where)),
    conditions: ((statement.condition ?? []) as Json[]).map((c) => ({ test: c.test, variable: c.variable, values: (c.values as string[]).map((v) => interpolated(v, where)) })),
  };
}

/** The service that may assume a role, from its assume-role policy document. */
function assumingService(document: Json, where: string): string {
  const statements = document.statement as Json[];
  const principals = statements.length === 1 ? (statements[0].principals as Json[] | undefined) : undefined;
  const identifiers = principals?.length === 1 && principals[0].type === "Service" ? (principals[0].identifiers as string[]) : [];
  if (identifiers.length !== 1 || statements[0].actions?.join() !== "sts:AssumeRole") {
    throw new Error(`${where}: the AWS CDK app builds roles assumed by one service only`);
  }
  return identifiers[0];
}

function roleSpecs(resources: Json, documents: Json, where: string): RoleSpec[] {
  const document = (reference: unknown, what: string): Json => documents[referencedId(reference, "aws_iam_policy_document", what)];
  const policies = Object.entries((resources.aws_iam_role_policy ?? {}) as Json).map(([id, policy]) => {
    const what = `${where} aws_iam_role_policy.${id}`;
    checkKnown(policy, ["name", "role", "policy"], what);
    const statements = (document(policy.policy, what).statement as Json[]).map((s) => statementSpec(s, what));
    return { roleId: referencedId(policy.role, "aws_iam_role", what), policyName: policy.name as string, statements };
  });
  return Object.entries((resources.aws_iam_role ?? {}) as Json).map(([id, role]) => {
    const what = `${where} aws_iam_role.${id}`;
    checkKnown(role, ["name", "description", "assume_role_policy", "permissions_boundary", "tags"], what);
    return {
      id,
      roleName: role.name,
      description: role.description,
      assumedBy: assumingService(document(role.assume_role_policy, what), what),
      inlinePolicies: policies.filter((p) => p.roleId === id).map(({ policyName, statements }) => ({ policyName, statements })),
      permissionsBoundary: role.permissions_boundary === undefined ? undefined : interpolated(String(role.permissions_boundary), what),
      tags: role.tags ?? {},
    };
  });
}

function functionSpec(id: string, fn: Json, zipOf: (filename: string) => string, where: string): FunctionSpec {
  checkKnown(fn, ["function_name", "description", "role", "runtime", "architectures", "handler", "layers", "filename", "source_code_hash", "memory_size", "timeout", "reserved_concurrent_executions", "dead_letter_config", "environment", "logging_config", "tags", "depends_on"], where);
  const logging = one<Json>(fn.logging_config);
  const deadLetters = one<Json>(fn.dead_letter_config);
  const variables = (one<Json>(fn.environment)?.variables ?? {}) as Record<string, string>;
  return {
    id,
    functionName: fn.function_name,
    description: fn.description,
    runtime: fn.runtime,
    architecture: (fn.architectures ?? ["x86_64"])[0],
    handler: fn.handler,
    zip: zipOf(fn.filename),
    memoryMb: fn.memory_size,
    timeoutSeconds: fn.timeout,
    reservedConcurrency: fn.reserved_concurrent_executions,
    environment: Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, interpolated(value, where)])),
    roleId: referencedId(fn.role, "aws_iam_role", where),
    layerIds: ((fn.layers ?? []) as string[]).map((layer) => referencedId(layer, "aws_lambda_layer_version", where)),
    logGroupId: logging?.log_group ? referencedId(logging.log_group, "aws_cloudwatch_log_group", where) : undefined,
    logging: logging && { format: logging.log_format, applicationLogLevel: logging.application_log_level, systemLogLevel: logging.system_log_level },
    deadLetterQueueId: deadLetters ? referencedId(deadLetters.target_arn, "aws_sqs_queue", where) : undefined,
    tags: fn.tags ?? {},
  };
}

/**
 * The monitoring (alarm topic, its key and policies, alarms, log metric filters, dashboard): the AWS
 * CDK app does not build it yet, so in the comparison this app synthesizes that much more. Left out by
 * name and counted in the spec (`notBuilt`), so the report says so; any other type is still an error.
 */
export const NOT_BUILT_TYPES: readonly string[] = [
  "aws_sns_topic",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "aws_kms_key",
  "aws_kms_alias",
  "aws_cloudwatch_metric_alarm",
  "aws_cloudwatch_log_metric_filter",
  "aws_cloudwatch_dashboard",
];

const BUILT_TYPES = ["aws_dynamodb_table", "aws_cloudwatch_log_group", "aws_sqs_queue", "aws_lambda_layer_version", "aws_iam_role", "aws_iam_role_policy", "aws_lambda_function"];
const READ_DATA = ["aws_iam_policy_document", "aws_partition", "aws_region", "aws_caller_identity"];

/**
 * The spec of one synthesized stack. `zipOf` maps a zip's path as the stack names it (relative to the
 * stack's folder) to the path the AWS CDK app reads it from.
 */
export function stackSpecOf(stackName: string, json: Json, zipOf: (filename: string) => string): StackSpec {
  const resources = (json.resource ?? {}) as Json;
  const data = (json.data ?? {}) as Json;
  const unknownTypes = [...Object.keys(resources).filter((t) => !BUILT_TYPES.includes(t) && !NOT_BUILT_TYPES.includes(t)), ...Object.keys(data).filter((t) => !READ_DATA.includes(t)).map((t) => `data.${t}`)];
  if (unknownTypes.length > 0) throw new Error(`${stackName}: the AWS CDK app does not build ${unknownTypes.join(", ")}; teach bench/lib/aws-cdk-spec.ts and bench/aws-cdk-app/app.ts`);
  const entries = (type: string): [string, Json][] => Object.entries((resources[type] ?? {}) as Json);
  const where = (type: string, id: string): string => `${stackName} ${type}.${id}`;
  const provider = one<Json>(json.provider?.aws) ?? {};
  const notBuilt: Record<string, number> = {};
  for (const type of NOT_BUILT_TYPES) if (resources[type]) notBuilt[type] = Object.keys(resources[type]).length;
  const namesNotBuilt = (value: unknown): boolean =>
    [...String(value).matchAll(/\$\{(aws_\w+)\./g)].some(([, type]) => NOT_BUILT_TYPES.includes(type));
  const outputs = Object.entries((json.output ?? {}) as Json).filter(([, output]) => !namesNotBuilt(output.value));
  const outputsNotBuilt = Object.keys(json.output ?? {}).length - outputs.length;
  if (outputsNotBuilt > 0) notBuilt.output = outputsNotBuilt;
  return {
    stackName,
    region: provider.region,
    tags: one<Json>(provider.default_tags)?.tags ?? {},
    tables: entries("aws_dynamodb_table").map(([id, table]) => tableSpec(id, table, where("aws_dynamodb_table", id))),
    logGroups: entries("aws_cloudwatch_log_group").map(([id, group]) => {
      checkKnown(group, ["name", "retention_in_days", "tags"], where("aws_cloudwatch_log_group", id));
      return { id, logGroupName: group.name, retentionDays: group.retention_in_days, tags: group.tags ?? {} };
    }),
    queues: entries("aws_sqs_queue").map(([id, queue]) => {
      checkKnown(queue, ["name", "message_retention_seconds", "sqs_managed_sse_enabled", "tags"], where("aws_sqs_queue", id));
      return { id, queueName: queue.name, retentionSeconds: queue.message_retention_seconds, sqsManagedEncryption: queue.sqs_managed_sse_enabled === true, tags: queue.tags ?? {} };
    }),
    layers: entries("aws_lambda_layer_version").map(([id, layer]) => {
      checkKnown(layer, ["layer_name", "filename", "source_code_hash", "compatible_runtimes", "compatible_architectures", "description"], where("aws_lambda_layer_version", id));
      const { layer_name, description, compatible_runtimes, compatible_architectures } = layer;
      return { id, layerName: layer_name, zip: zipOf(layer.filename), description, compatibleRuntimes: compatible_runtimes ?? [], compatibleArchitectures: compatible_architectures ?? [] };
    }),
    roles: roleSpecs(resources, data.aws_iam_policy_document ?? {}, stackName),
    functions: entries("aws_lambda_function").map(([id, fn]) => functionSpec(id, fn, zipOf, where("aws_lambda_function", id))),
    outputs: outputs.map(([id, output]) => ({ id, value: interpolated(String(output.value), `${stackName} output ${id}`), description: output.description })),
    notBuilt,
  };
}

/**
 * The spec of every stack of a synth output folder (`<synthOutdir>/stacks/<stack>/cdk.tf.json`), its
 * zips copied into `assetsDir` (the synth output may be deleted afterwards).
 */
export function awsCdkSpecOf(synthOutdir: string, assetsDir: string): AwsCdkAppSpec {
  mkdirSync(assetsDir, { recursive: true });
  const stacks = readdirSync(join(synthOutdir, "stacks"))
    .sort()
    .map((stackName) => {
      const stackDir = join(synthOutdir, "stacks", stackName);
      const zipOf = (filename: string): string => {
        const copy = join(assetsDir, `${stackName}-${basename(filename)}`);
        copyFileSync(join(stackDir, filename), copy);
        return copy;
      };
      return stackSpecOf(stackName, JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")), zipOf);
    });
  return { stacks };
}
