/**
 * The deploy and plan policies of one environment, derived from what its stack declares: every
 * resource of the synthesized stack, by type and name (or, for a resource whose ARN is unknown until it
 * exists, a new KMS key, by the owner tag it is created with), through the table of
 * stacks/terraform-actions.ts, plus the environment's state object and lock. Nothing here names a resource by hand: a resource added
 * to a stack reaches its environment's policies, and a type without a row stops the bootstrap.
 */
import { TerraformStack } from "cdktf";
import type { GrantCondition, GrantStatement } from "../constructs/iam-grants";
import { blocks, StackModel, TfBlock, wholeReference } from "../guardrails/terraform-json";
import { lockKey, stateKey } from "./backend";
import {
  DATA_SOURCE_ACTIONS,
  ResourceView,
  sidPart,
  TERRAFORM_ACTIONS,
  TERRAFORM_ACTIONS_MODULE,
  TerraformActionsRow,
} from "./terraform-actions";

/** Where the environments' state lives. */
export interface StateLocation {
  /** The bucket's name (a literal, or a Terraform reference in the bootstrap stack). */
  readonly bucket: string;
  /** The bucket's region (for `kms:ViaService`). */
  readonly region: string;
  /** Keys are `<keyPrefix>/<env>/terraform.tfstate` (stacks/backend.ts). */
  readonly keyPrefix: string;
  /** The bucket's customer-managed key, when it has one. */
  readonly kmsKeyArn?: string;
}

/** The account the roles act in, and the state they read and write. */
export interface PermissionTarget {
  /** `aws`, `aws-cn`, `aws-us-gov`, or a Terraform reference. */
  readonly partition: string;
  /** The account id, or a Terraform reference. */
  readonly accountId: string;
  readonly state: StateLocation;
}

/** The two policies of one environment. */
export interface EnvironmentPermissions {
  /** The environment's name. */
  readonly environment: string;
  /** What `terraform apply` needs: every row's read and write actions on the stack's resources, the state and its lock. */
  readonly deploy: readonly GrantStatement[];
  /** What `terraform plan -lock=false` needs: the rows' read actions, and reading the state. */
  readonly plan: readonly GrantStatement[];
}

/** Thrown when a stack declares a resource or data source type that has no row. */
export class MissingTerraformActionsError extends Error {
  constructor(
    readonly stackName: string,
    readonly missing: readonly { readonly type: string; readonly address: string }[],
  ) {
    super(
      `stack \`${stackName}\` declares ${missing.map((m) => `\`${m.type}\` (${m.address})`).join(", ")}, ` +
        `with no row in TERRAFORM_ACTIONS or DATA_SOURCE_ACTIONS (${TERRAFORM_ACTIONS_MODULE}); ` +
        `add the actions the provider calls to read, create, update, delete and tag it, with their source, so its deploy and plan roles may manage it`,
    );
    this.name = "MissingTerraformActionsError";
  }
}

/** Thrown when a resource's name, which its ARN needs, is not a literal at synth. */
export class UnknownResourceNameError extends Error {
  constructor(address: string, attribute: string, value: unknown) {
    super(
      `${address}: \`${attribute}\` is ${JSON.stringify(value)}, not known at synth; the deploy policy names every resource, so give it a literal name (or a reference to one)`,
    );
    this.name = "UnknownResourceNameError";
  }
}

/** The attribute that holds a resource's name, for following `.id` and `.name` references. */
const NAME_ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_dynamodb_table: "name",
  aws_iam_role: "name",
  aws_cloudwatch_log_group: "name",
  aws_sqs_queue: "name",
  aws_lambda_function: "function_name",
  aws_lambda_layer_version: "layer_name",
  aws_sns_topic: "name",
  aws_cloudwatch_metric_alarm: "alarm_name",
  aws_cloudwatch_dashboard: "dashboard_name",
  aws_kms_alias: "name",
};

/** Types whose `id` is their name (an SQS queue's is its URL, a topic's and a layer version's their ARN). */
const ID_IS_NAME = new Set(["aws_dynamodb_table", "aws_iam_role", "aws_cloudwatch_log_group", "aws_lambda_function", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "aws_kms_alias"]);

/** Resources of one type granted together: the same row, under the same conditions. */
interface GrantScope {
  readonly type: string;
  readonly row: TerraformActionsRow;
  readonly arns: string[];
  readonly conditions: readonly GrantCondition[];
}

/** The deploy and plan policies of an environment's stack, from its synthesized JSON. */
export function environmentPermissions(
  stack: TerraformStack,
  environment: { readonly name: string; readonly region: string },
  target: PermissionTarget,
): EnvironmentPermissions {
  return permissionsOf(new StackModel(stack.node.id, stack.toTerraform()), environment, target);
}

/** The same, from a stack model (tests build one from hand-written JSON). */
export function permissionsOf(
  model: StackModel,
  environment: { readonly name: string; readonly region: string },
  target: PermissionTarget,
): EnvironmentPermissions {
  const missing: { type: string; address: string }[] = [];
  // One scope per type and set of conditions: resources a condition narrows are granted apart.
  const scopes = new Map<string, GrantScope>();
  const deployExtras: GrantStatement[] = [];
  const planExtras: GrantStatement[] = [];
  // Per type, each distinct set of create conditions once.
  const creates = new Map<string, { type: string; actions: readonly string[]; conditions: readonly GrantCondition[] }>();

  for (const block of model.blocks) {
    if (block.mode === "data") {
      if (!Object.prototype.hasOwnProperty.call(DATA_SOURCE_ACTIONS, block.type)) missing.push({ type: block.type, address: block.address });
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(TERRAFORM_ACTIONS, block.type)) {
      missing.push({ type: block.type, address: block.address });
      continue;
    }
    const row = TERRAFORM_ACTIONS[block.type];
    const view = viewOf(model, block, environment.region, target);
    const conditions = row.resourceConditions?.(view) ?? [];
    const scopeKey = JSON.stringify([block.type, conditions]);
    const entry = scopes.get(scopeKey) ?? { type: block.type, row, arns: [], conditions };
    entry.arns.push(...row.arns(view));
    scopes.set(scopeKey, entry);
    if (row.createOnAny) {
      const create = { type: block.type, actions: row.createOnAny.actions, conditions: row.createOnAny.conditions(view) };
      creates.set(JSON.stringify(create), create);
    }
    const extra = row.extra?.(view);
    if (extra) {
      deployExtras.push(...extra.deploy);
      planExtras.push(...extra.plan);
    }
  }
  if (missing.length > 0) throw new MissingTerraformActionsError(model.stackName, missing);

  // By type; a type's scopes in the order of its resources.
  const ordered = [...scopes.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const rows = unique(ordered.map((scope) => scope.row));
  const unscopable = (pick: (row: TerraformActionsRow) => readonly string[] | undefined) => unique(rows.flatMap((row) => pick(row) ?? []));
  /** `<Type>`, then `<Type>2`... for a type granted under several sets of conditions. */
  const sidOf = (scope: GrantScope) => {
    const index = ordered.filter((s) => s.type === scope.type).indexOf(scope);
    return `${typeSid(scope.type)}${index === 0 ? "" : index + 1}`;
  };

  const deploy = rowStatements("Manage", (row) => [...row.read, ...row.write], ordered, sidOf);
  const deployUnscopable = unscopable((row) => [...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])]);
  if (deployUnscopable.length > 0) deploy.push({ sid: "NoResourceLevelPermissions", actions: deployUnscopable, resources: ["*"] });
  const createStatements = [...creates.values()].map((create, _, all): GrantStatement => {
    const index = all.filter((c) => c.type === create.type).indexOf(create);
    return { sid: `Create${typeSid(create.type)}${index === 0 ? "" : index + 1}`, actions: create.actions, resources: ["*"], conditions: create.conditions };
  });
  deploy.push(...createStatements, ...mergeBySid(deployExtras), ...stateStatements(environment.name, target, "deploy"));

  const plan = rowStatements("Read", (row) => row.read, ordered.filter((scope) => scope.row.read.length > 0), sidOf);
  const planUnscopable = unscopable((row) => row.unscopableRead);
  if (planUnscopable.length > 0) plan.push({ sid: "NoResourceLevelPermissions", actions: planUnscopable, resources: ["*"] });
  plan.push(...mergeBySid(planExtras), ...stateStatements(environment.name, target, "plan"));

  return { environment: environment.name, deploy, plan };
}

/**
 * The rows' statements, where two types on exactly the same resources under the same conditions share
 * one statement with the actions of both, its sid `<prefix>` and both types (`ManageCloudwatchLogGroup`
 * and the metric filters': `ManageCloudwatchLogGroupCloudwatchLogMetricFilter`). A metric filter is
 * authorized on its log group, an inline policy on its role, a topic policy on its topic: repeating
 * those ARNs would spend IAM's 10,240 characters per role for nothing.
 */
function rowStatements(prefix: string, actionsOf: (row: TerraformActionsRow) => readonly string[], scopes: readonly GrantScope[], sidOf: (scope: GrantScope) => string): GrantStatement[] {
  const merged: GrantStatement[] = [];
  const scopeKey = (s: GrantStatement) => JSON.stringify([s.resources, s.conditions ?? []]);
  for (const scope of scopes) {
    const statement: GrantStatement = {
      sid: `${prefix}${sidOf(scope)}`,
      actions: unique(actionsOf(scope.row)),
      resources: unique(scope.arns),
      ...(scope.conditions.length > 0 ? { conditions: scope.conditions } : {}),
    };
    const index = merged.findIndex((m) => scopeKey(m) === scopeKey(statement));
    if (index < 0) {
      merged.push(statement);
    } else {
      const existing = merged[index];
      merged[index] = { ...existing, sid: `${existing.sid}${sidOf(scope)}`, actions: unique([...existing.actions, ...statement.actions]) };
    }
  }
  return merged;
}

/**
 * The only listing Terraform 1.11's S3 backend makes: `terraform init` and every command list the
 * bucket under `env:/` (the default `workspace_key_prefix`) to find the workspaces; the stacks use the
 * default workspace, whose state is `<key>` itself. (Measured: the requests of init, state push and
 * plan against s3rver, __tests__/stacks/bootstrap-stack.terraform.test.ts.)
 */
export const WORKSPACES_PREFIX = "env:/";

/**
 * The state statements. Terraform's S3 backend reads (GetObject, HeadObject) and writes `<key>` and,
 * with `use_lockfile`, creates, reads and deletes `<key>.tflock`. A PR plan runs `-lock=false`: the
 * plan role never writes.
 */
function stateStatements(environment: string, target: PermissionTarget, role: "deploy" | "plan"): GrantStatement[] {
  const { state, partition } = target;
  const bucketArn = `arn:${partition}:s3:::${state.bucket}`;
  const key = stateKey(state.keyPrefix, environment);
  const statements: GrantStatement[] = [
    {
      sid: "ListStateBucket",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      conditions: [{ test: "StringEquals", variable: "s3:prefix", values: [WORKSPACES_PREFIX] }],
    },
  ];
  if (role === "deploy") {
    statements.push(
      { sid: "WriteState", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${bucketArn}/${key}`] },
      { sid: "StateLock", actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [`${bucketArn}/${lockKey(state.keyPrefix, environment)}`] },
    );
  } else {
    statements.push({ sid: "ReadState", actions: ["s3:GetObject"], resources: [`${bucketArn}/${key}`] });
  }
  if (state.kmsKeyArn !== undefined) {
    statements.push({
      sid: "StateKey",
      actions: role === "deploy" ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
      resources: [state.kmsKeyArn],
      conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${state.region}.amazonaws.com`] }],
    });
  }
  return statements;
}

/** `aws_dynamodb_table` → `DynamodbTable`. */
function typeSid(type: string): string {
  return sidPart(type.replace(/^aws_/, ""));
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Statements with the same sid (one per function, say) become one, with every resource. */
function mergeBySid(statements: readonly GrantStatement[]): GrantStatement[] {
  const merged = new Map<string, GrantStatement>();
  for (const statement of statements) {
    const existing = merged.get(statement.sid);
    if (!existing) {
      merged.set(statement.sid, { ...statement, actions: [...statement.actions], resources: [...statement.resources] });
      continue;
    }
    if (JSON.stringify([existing.actions, existing.conditions]) !== JSON.stringify([statement.actions, statement.conditions])) {
      throw new Error(`statements \`${statement.sid}\` differ in actions or conditions; give them different sids`);
    }
    merged.set(statement.sid, { ...existing, resources: unique([...existing.resources, ...statement.resources]) });
  }
  return [...merged.values()];
}

/** The region of a resource: its provider's (`provider = "aws.<alias>"`), else the environment's. */
function regionOf(model: StackModel, block: TfBlock, environmentRegion: string): string {
  const provider = block.config.provider;
  if (typeof provider !== "string" || !provider.startsWith("aws.")) return environmentRegion;
  const alias = provider.slice("aws.".length);
  const configured = blocks(model.json?.provider?.aws).find((p) => p?.alias === alias)?.region;
  if (typeof configured !== "string" || configured.includes("${")) throw new UnknownResourceNameError(block.address, "provider region", configured);
  return configured;
}

/** An attribute by path (`server_side_encryption.kms_key_arn`, `replica.0.region_name`); blocks may be objects or lists. */
function attributeAt(config: Record<string, unknown>, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split(".")) {
    if (value === undefined || value === null) return undefined;
    if (/^\d+$/.test(part)) {
      value = blocks(value)[Number(part)];
    } else {
      if (Array.isArray(value)) value = value[0];
      value = (value as Record<string, unknown>)[part];
    }
  }
  return value;
}

function viewOf(model: StackModel, block: TfBlock, environmentRegion: string, target: PermissionTarget): ResourceView {
  const view: ResourceView = {
    block,
    partition: target.partition,
    accountId: target.accountId,
    region: regionOf(model, block, environmentRegion),
    stackName: model.stackName,
    literal: (attribute) => literalOf(model, block, attribute, environmentRegion, target),
    referencedConditions: (attribute) => {
      const reference = wholeReference(attributeAt(block.config, attribute));
      const referenced = reference && model.get(reference.address);
      const row = referenced && TERRAFORM_ACTIONS[referenced.type];
      return referenced && row?.resourceConditions ? row.resourceConditions(viewOf(model, referenced, environmentRegion, target)) : [];
    },
    referencedArns: (attribute) => {
      const value = attributeAt(block.config, attribute);
      const reference = wholeReference(value);
      if (reference) {
        const referenced = model.get(reference.address);
        const row = referenced && TERRAFORM_ACTIONS[referenced.type];
        if (!referenced || !row) throw new UnknownResourceNameError(block.address, attribute, value);
        return [row.arns(viewOf(model, referenced, environmentRegion, target))[0]];
      }
      if (typeof value === "string" && value.startsWith("arn:")) return [value];
      // A literal name: the resource of this stack that carries it.
      const named = typeof value === "string" ? model.blocks.find((b) => b.mode === "resource" && NAME_ATTRIBUTE[b.type] !== undefined && b.config[NAME_ATTRIBUTE[b.type]] === value) : undefined;
      if (!named) throw new UnknownResourceNameError(block.address, attribute, value);
      return [TERRAFORM_ACTIONS[named.type].arns(viewOf(model, named, environmentRegion, target))[0]];
    },
  };
  return view;
}

/** A literal attribute value, following whole references to another resource's name attribute. */
function literalOf(model: StackModel, block: TfBlock, attribute: string, environmentRegion: string, target: PermissionTarget): string {
  const value = attributeAt(block.config, attribute);
  if (typeof value === "string" && !value.includes("${")) return value;
  const reference = wholeReference(value);
  const referenced = reference && model.get(reference.address);
  if (reference && referenced) {
    const nameAttribute = NAME_ATTRIBUTE[referenced.type];
    if (nameAttribute !== undefined && (reference.attribute === nameAttribute || (reference.attribute === "id" && ID_IS_NAME.has(referenced.type)))) {
      return literalOf(model, referenced, nameAttribute, environmentRegion, target);
    }
  }
  throw new UnknownResourceNameError(block.address, attribute, value);
}
