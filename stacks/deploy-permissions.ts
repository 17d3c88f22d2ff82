/**
 * The policies of one environment, derived from what its stack declares:
 * - the deploy and plan policies: every resource of the synthesized stack, by type and name, through
 *   the table of stacks/terraform-actions.ts, plus the environment's state object and lock;
 * - the functions' permissions boundary (`bandup-boundary-<env>`): every statement of the stack's
 *   role policies, with their references resolved, so the most any function role may do is what the
 *   stack grants its functions today;
 * - the deploy role's own permissions boundary (`bandup-deploy-boundary-<env>`): the deploy policy's
 *   actions in the environment's account only, and the denials that hold whatever a future row grants
 *   (no role written without the function boundary, no boundary removed, no trust changed, no managed
 *   policy or key managed, nothing of the bootstrap's IAM).
 * Nothing here names a resource by hand: a resource added to a stack reaches its environment's
 * policies, and a type without a row (or a refused one) stops the bootstrap.
 */
import { TerraformStack } from "cdktf";
import type { GrantCondition, GrantStatement, PolicyStatement } from "../constructs/iam-grants";
import { blocks, StackModel, TfBlock, wholeReference } from "../guardrails/terraform-json";
import { lockKey, stateKey } from "./backend";
import { deployRoleName, functionBoundaryName, managedPolicyArn, planRoleName } from "./bootstrap-names";
import {
  DATA_SOURCE_ACTIONS,
  REFUSED_RESOURCE_TYPES,
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
  /**
   * The partition's DNS suffix (`amazonaws.com`), for the service endpoints the functions' policies
   * name (`kms:ViaService`).
   */
  readonly dnsSuffix: string;
  readonly state: StateLocation;
}

/** The policies of one environment. */
export interface EnvironmentPermissions {
  /** The environment's name. */
  readonly environment: string;
  /** What `terraform apply` needs: every row's read and write actions on the stack's resources, the state and its lock. */
  readonly deploy: readonly GrantStatement[];
  /** What `terraform plan -lock=false` needs: the rows' read actions, and reading the state. */
  readonly plan: readonly GrantStatement[];
  /** `bandup-boundary-<env>`: the most any function role of the environment may do. */
  readonly functionBoundary: readonly PolicyStatement[];
  /** The ARN of `bandup-boundary-<env>` (with the target's partition and account). */
  readonly functionBoundaryArn: string;
  /** `bandup-deploy-boundary-<env>`: the most the deploy role may do, whatever its policies say. */
  readonly deployBoundary: readonly PolicyStatement[];
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

/** Thrown when a stack declares a resource type no deploy role may manage. */
export class RefusedResourceTypeError extends Error {
  constructor(
    readonly stackName: string,
    readonly refused: readonly { readonly type: string; readonly address: string }[],
  ) {
    super(
      `stack \`${stackName}\` declares ${refused.map((r) => `\`${r.type}\` (${r.address})`).join(", ")}, which no deploy role may manage: ` +
        refused.map((r) => `${r.type}: ${REFUSED_RESOURCE_TYPES[r.type]}`).join("; "),
    );
    this.name = "RefusedResourceTypeError";
  }
}

/** Thrown when a role of an environment stack is not bounded by the environment's function boundary. */
export class UnboundedRoleError extends Error {
  constructor(address: string, roleName: string, boundaryArn: string, found: unknown) {
    super(
      `${address}: role \`${roleName}\` has ${found === undefined ? "no permissions_boundary" : `permissions_boundary ${JSON.stringify(found)}`}; ` +
        `the deploy role may write a role only while its boundary is \`${boundaryArn}\` (the bootstrap's policy of the environment), ` +
        "so give the role that boundary (BandupFunction's `permissionsBoundaryArn`, built from the stack's partition and account)",
    );
    this.name = "UnboundedRoleError";
  }
}

/** Resources of one type granted together. */
interface GrantScope {
  readonly type: string;
  readonly row: TerraformActionsRow;
  readonly arns: string[];
}

/** The condition the deploy role's role writes carry: the role's (or the requested) boundary is the environment's. */
export function functionBoundaryCondition(boundaryArn: string): GrantCondition {
  return { test: "StringEquals", variable: "iam:PermissionsBoundary", values: [boundaryArn] };
}

/** The policies of an environment's stack, from its synthesized JSON. */
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
  const refused: { type: string; address: string }[] = [];
  const scopes = new Map<string, GrantScope>();
  const deployExtras: GrantStatement[] = [];
  const planExtras: GrantStatement[] = [];
  const functionBoundaryArn = managedPolicyArn(target.partition, target.accountId, functionBoundaryName(environment.name));

  for (const block of model.blocks) {
    if (block.mode === "data") {
      if (!Object.prototype.hasOwnProperty.call(DATA_SOURCE_ACTIONS, block.type)) missing.push({ type: block.type, address: block.address });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(REFUSED_RESOURCE_TYPES, block.type)) {
      refused.push({ type: block.type, address: block.address });
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(TERRAFORM_ACTIONS, block.type)) {
      missing.push({ type: block.type, address: block.address });
      continue;
    }
    const row = TERRAFORM_ACTIONS[block.type];
    const view = viewOf(model, block, environment.region, target);
    if (block.type === "aws_iam_role") checkRoleBoundary(model, block, environment.region, target, functionBoundaryArn);
    const entry = scopes.get(block.type) ?? { type: block.type, row, arns: [] };
    entry.arns.push(...row.arns(view));
    scopes.set(block.type, entry);
    const extra = row.extra?.(view);
    if (extra) {
      deployExtras.push(...extra.deploy);
      planExtras.push(...extra.plan);
    }
  }
  if (refused.length > 0) throw new RefusedResourceTypeError(model.stackName, refused);
  if (missing.length > 0) throw new MissingTerraformActionsError(model.stackName, missing);

  // By type.
  const ordered = [...scopes.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const rows = unique(ordered.map((scope) => scope.row));
  const unscopable = (pick: (row: TerraformActionsRow) => readonly string[] | undefined) => unique(rows.flatMap((row) => pick(row) ?? []));

  const deploy = rowStatements("Manage", "", (row) => [...row.read, ...row.write], ordered, []);
  deploy.push(...rowStatements("Manage", "WithinBoundary", (row) => row.boundedWrite ?? [], ordered, [functionBoundaryCondition(functionBoundaryArn)]));
  const deployUnscopable = unscopable((row) => [...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])]);
  if (deployUnscopable.length > 0) deploy.push({ sid: "NoResourceLevelPermissions", actions: deployUnscopable, resources: ["*"] });
  deploy.push(...mergeBySid(deployExtras), ...stateStatements(environment.name, target, "deploy"));

  const plan = rowStatements("Read", "", (row) => row.read, ordered, []);
  const planUnscopable = unscopable((row) => row.unscopableRead);
  if (planUnscopable.length > 0) plan.push({ sid: "NoResourceLevelPermissions", actions: planUnscopable, resources: ["*"] });
  plan.push(...mergeBySid(planExtras), ...stateStatements(environment.name, target, "plan"));

  const compactDeploy = compactStatements(deploy);
  return {
    environment: environment.name,
    deploy: compactDeploy,
    plan: compactStatements(plan),
    functionBoundary: functionBoundaryOf(model, environment.region, target),
    functionBoundaryArn,
    deployBoundary: deployBoundaryOf(compactDeploy, target, functionBoundaryArn),
  };
}

/**
 * The rows' statements, where two types on exactly the same resources share one statement with the
 * actions of both, its sid `<prefix>` and both types and `<suffix>` (`ManageCloudwatchLogGroup` and the
 * metric filters': `ManageCloudwatchLogGroupCloudwatchLogMetricFilter`). A metric filter is authorized
 * on its log group, an inline policy on its role, a topic policy on its topic: repeating those ARNs
 * would spend IAM's 10,240 characters per role for nothing. Types with no action here give none.
 */
function rowStatements(
  prefix: string,
  suffix: string,
  actionsOf: (row: TerraformActionsRow) => readonly string[],
  scopes: readonly GrantScope[],
  conditions: readonly GrantCondition[],
): GrantStatement[] {
  const merged: { types: string[]; statement: GrantStatement }[] = [];
  for (const scope of scopes) {
    const actions = unique(actionsOf(scope.row));
    if (actions.length === 0) continue;
    const resources = unique(scope.arns);
    const same = merged.find((m) => JSON.stringify(m.statement.resources) === JSON.stringify(resources));
    if (same) {
      same.types.push(scope.type);
      same.statement = { ...same.statement, actions: unique([...same.statement.actions, ...actions]) };
    } else {
      merged.push({ types: [scope.type], statement: { sid: "", actions, resources, ...(conditions.length > 0 ? { conditions } : {}) } });
    }
  }
  return merged.map(({ types, statement }) => ({ ...statement, sid: `${prefix}${types.map(typeSid).join("")}${suffix}` }));
}

/**
 * Statements that grant the same actions under the same conditions become one, with the resources of
 * all (the replica tables of both tables, say), its sid the parts the merged sids share
 * (`TableBandupEvaluationsProdReplicaTables` and `TableBandupFlashcardSetsProdReplicaTables` give
 * `TableBandupReplicaTables`): what keeps a prod with replicas and customer keys within IAM's quota.
 */
export function compactStatements<T extends PolicyStatement>(statements: readonly T[]): T[] {
  const keyOf = (s: PolicyStatement) =>
    JSON.stringify([s.effect ?? "Allow", [...(s.actions ?? [])].sort(), [...(s.notActions ?? [])].sort(), s.conditions ?? [], s.resources.includes("*")]);
  const groups = new Map<string, T[]>();
  for (const statement of statements) groups.set(keyOf(statement), [...(groups.get(keyOf(statement)) ?? []), statement]);
  const used = new Set<string>();
  const result: T[] = [];
  for (const statement of statements) {
    const group = groups.get(keyOf(statement))!;
    if (group[0] !== statement) continue;
    let sid = group.length === 1 ? statement.sid : sharedSid(group.map((s) => s.sid));
    for (let n = 2; used.has(sid); n++) sid = `${sharedSid(group.map((s) => s.sid))}${n}`;
    used.add(sid);
    result.push({ ...statement, sid, resources: unique(group.flatMap((s) => s.resources)) });
  }
  return result;
}

/** The common start and end of sids (`ABcD`, `ABxD` → `ABD`), or the first sid when they share nothing. */
function sharedSid(sids: readonly string[]): string {
  if (sids.length === 1) return sids[0];
  const words = sids.map((sid) => sid.match(/[A-Z][a-z]*|[a-z]+|[0-9]+/g) ?? [sid]);
  let start = 0;
  while (words.every((w) => start < w.length && w[start] === words[0][start])) start++;
  let end = 0;
  while (words.every((w) => end < w.length - start && w[w.length - 1 - end] === words[0][words[0].length - 1 - end])) end++;
  const shared = [...words[0].slice(0, start), ...words[0].slice(words[0].length - end)].join("");
  return shared === "" ? sids[0] : shared;
}

/**
 * The state statements. Terraform's S3 backend reads (GetObject, HeadObject) and writes `<key>` and,
 * with `use_lockfile`, creates, reads and deletes `<key>.tflock`; `terraform init` lists the bucket
 * under `env:/` (the default `workspace_key_prefix`) to find the workspaces. Both roles may list the
 * whole bucket, with no `s3:prefix` condition: S3 answers a GetObject or HeadObject of a key that does
 * not exist (an environment's first plan) with 404 only to a caller allowed `s3:ListBucket` on the
 * bucket, and with 403 to any other, which the backend takes for a failure, not for "no state yet"
 * (a condition on `s3:prefix` does not match those requests). Key names are not secret; the objects
 * stay each environment's own. A PR plan runs `-lock=false`: the plan role never writes.
 */
function stateStatements(environment: string, target: PermissionTarget, role: "deploy" | "plan"): GrantStatement[] {
  const { state, partition } = target;
  const bucketArn = `arn:${partition}:s3:::${state.bucket}`;
  const key = stateKey(state.keyPrefix, environment);
  const statements: GrantStatement[] = [{ sid: "ListStateBucket", actions: ["s3:ListBucket"], resources: [bucketArn] }];
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
      conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [`s3.${state.region}.${target.dnsSuffix}`] }],
    });
  }
  return statements;
}

/** The role writes the deploy boundary denies unless the role is (or is made) bounded by the function boundary. */
export const ROLE_WRITES_NEEDING_THE_BOUNDARY = [
  "iam:CreateRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRole",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
] as const;

/** What the deploy boundary denies on every resource: removing a boundary, changing a trust, writing managed policies. */
export const ESCALATIONS_DENIED = [
  "iam:DeleteRolePermissionsBoundary",
  "iam:UpdateAssumeRolePolicy",
  "iam:AttachRolePolicy",
  "iam:CreatePolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
] as const;

/**
 * What a deploy may do with a KMS key: describe it and let DynamoDB create its grant (a table's key),
 * and encrypt and decrypt through S3 (the state's key). Everything else on a key or alias (tagging,
 * disabling, scheduling deletion, changing its policy, repointing an alias) is denied by the deploy
 * boundary: no deploy role manages a key.
 */
export const KEY_USE_ACTIONS = ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"] as const;

/**
 * The deploy role's permissions boundary: the actions its policy grants, on the environment's account
 * only (and on the state bucket, the keys and any other resource outside the account its policy names,
 * which ARNs of the account do not cover), but for its PassRole and its statements on `*`, kept as
 * they are; then the denials that hold whatever the policy grants.
 */
function deployBoundaryOf(deploy: readonly GrantStatement[], target: PermissionTarget, functionBoundaryArn: string): PolicyStatement[] {
  const { partition, accountId } = target;
  const bucketArn = `arn:${partition}:s3:::${target.state.bucket}`;
  // Passing a role (only towards Lambda: the guardrails want its condition wherever it is allowed) and
  // the statements on `*` are kept as they are; the others are capped to the account, their conditions
  // left to the deploy policy (the denials below hold the one on role writes in the boundary too).
  const capped = deploy.filter((s) => !s.resources.includes("*") && !s.actions.includes("iam:PassRole"));
  const inAccount = (arn: string) => {
    const parts = arn.split(":");
    return (parts[0] === "arn" && parts[1] === partition && parts[4] === accountId) || arn === bucketArn || arn.startsWith(`${bucketArn}/`);
  };
  const iamArn = (resource: string) => `arn:${partition}:iam::${accountId}:${resource}`;
  return [
    {
      sid: "WithinTheAccount",
      actions: unique(capped.flatMap((s) => s.actions)),
      // Keys named by their ARN (a setting's, maybe of another account) by one pattern: that the cap
      // then allows every key is harmless, since the denial below leaves a key nothing but its use.
      resources: unique([
        `arn:${partition}:*:*:${accountId}:*`,
        bucketArn,
        `${bucketArn}/*`,
        ...capped
          .flatMap((s) => s.resources)
          .filter((r) => !inAccount(r))
          .map((r) => (/^arn:[^:]+:kms:/.test(r) ? `arn:${partition}:kms:*:*:key/*` : r)),
      ]),
    },
    ...deploy.filter((s) => !capped.includes(s)),
    {
      sid: "DenyRoleWritesOutsideTheFunctionBoundary",
      effect: "Deny",
      actions: [...ROLE_WRITES_NEEDING_THE_BOUNDARY],
      resources: ["*"],
      conditions: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [functionBoundaryArn] }],
    },
    { sid: "DenyBoundaryRemovalTrustAndPolicyChanges", effect: "Deny", actions: [...ESCALATIONS_DENIED], resources: ["*"] },
    {
      sid: "DenyTheBootstrapsIam",
      effect: "Deny",
      actions: ["iam:*"],
      resources: [...BOOTSTRAP_IAM_PATTERNS.map((pattern) => iamArn(pattern)), iamArn("oidc-provider/*")],
    },
    {
      sid: "DenyKeyManagement",
      effect: "Deny",
      notActions: [...KEY_USE_ACTIONS],
      resources: [`arn:${partition}:kms:*:*:key/*`, `arn:${partition}:kms:*:*:alias/*`],
    },
    { sid: "DenyKeyCreation", effect: "Deny", actions: ["kms:CreateKey"], resources: ["*"] },
  ];
}

/**
 * The bootstrap's IAM, as `role/...` and `policy/...` patterns: its roles, the boundaries and the
 * deploy policies' parts (`bandup-deploy-*` covers `bandup-deploy-boundary-<env>` and
 * `bandup-deploy-<env>-<n>`). No environment stack may name a role so (the bootstrap stops).
 */
export const BOOTSTRAP_IAM_PATTERNS = [`role/${deployRoleName("*")}`, `role/${planRoleName("*")}`, `policy/${functionBoundaryName("*")}`, `policy/${deployRoleName("*")}`] as const;

/**
 * The functions' permissions boundary: every statement of the stack's role policies
 * (`aws_iam_role_policy`), its references resolved to ARNs, those granting the same actions under the
 * same conditions merged.
 */
function functionBoundaryOf(model: StackModel, environmentRegion: string, target: PermissionTarget): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const policy of model.resources("aws_iam_role_policy")) {
    const region = regionOf(model, policy, environmentRegion);
    const document = model.referenced(policy.config.policy, "aws_iam_policy_document", ["json", "minified_json"]);
    if (!document) throw new UnknownResourceNameError(policy.address, "policy", policy.config.policy);
    const resolve = (value: unknown) => resolveReferences(model, document, value, region, target);
    for (const [index, statement] of blocks(document.config.statement).entries()) {
      if (statement.principals !== undefined || statement.not_principals !== undefined || statement.not_resources !== undefined) {
        throw new UnknownResourceNameError(document.address, `statement.${index}`, statement);
      }
      statements.push({
        sid: typeof statement.sid === "string" ? statement.sid : `Statement${index}`,
        ...(statement.effect === "Deny" && { effect: "Deny" as const }),
        ...(statement.actions !== undefined && { actions: blocks(statement.actions).map(String) }),
        ...(statement.not_actions !== undefined && { notActions: blocks(statement.not_actions).map(String) }),
        resources: blocks(statement.resources).map(resolve),
        ...(statement.condition !== undefined && {
          conditions: blocks(statement.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: blocks(c.values).map(resolve) })),
        }),
      });
    }
  }
  return compactStatements(statements);
}

/** Every role an environment stack creates must carry the environment's function boundary. */
function checkRoleBoundary(model: StackModel, role: TfBlock, environmentRegion: string, target: PermissionTarget, boundaryArn: string): void {
  const found = role.config.permissions_boundary;
  const resolved = found === undefined ? undefined : resolveReferences(model, role, found, regionOf(model, role, environmentRegion), target);
  if (resolved !== boundaryArn) throw new UnboundedRoleError(role.address, String(role.config.name), boundaryArn, found);
}

/**
 * A string of a synthesized stack with its references resolved: the partition, DNS suffix, region and
 * account of the stack's data sources become the target's (the account the roles act in), a resource's
 * `arn` its ARN and its name attribute its name; anything else is not known at synth and throws.
 */
function resolveReferences(model: StackModel, owner: TfBlock, value: unknown, region: string, target: PermissionTarget): string {
  if (typeof value !== "string") throw new UnknownResourceNameError(owner.address, "a policy value", value);
  return value.replace(/\$\{([^}]*)\}/g, (whole, expression: string) => {
    const reference = wholeReference(whole);
    const referenced = reference && model.get(reference.address);
    if (reference && referenced) {
      const known: Record<string, string | undefined> = {
        "aws_partition.partition": target.partition,
        "aws_partition.dns_suffix": target.dnsSuffix,
        "aws_caller_identity.account_id": target.accountId,
        "aws_region.name": region,
        "aws_region.region": region,
      };
      const fromData = referenced.mode === "data" ? known[`${referenced.type}.${reference.attribute}`] : undefined;
      if (fromData !== undefined) return fromData;
      const row = referenced.mode === "resource" ? TERRAFORM_ACTIONS[referenced.type] : undefined;
      if (row && reference.attribute === "arn") return row.arns(viewOf(model, referenced, region, target))[0];
      const nameAttribute = NAME_ATTRIBUTE[referenced.type];
      if (nameAttribute !== undefined && (reference.attribute === nameAttribute || (reference.attribute === "id" && ID_IS_NAME.has(referenced.type)))) {
        return literalOf(model, referenced, nameAttribute, region, target);
      }
    }
    throw new UnknownResourceNameError(owner.address, `the reference \`${expression}\``, value);
  });
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
