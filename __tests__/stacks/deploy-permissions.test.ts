/**
 * The deploy and plan policies derived from the environment stacks (stacks/deploy-permissions.ts) and
 * the actions table they come from (stacks/terraform-actions.ts): every type has its row, every
 * resource is covered, nothing of another environment is reachable, the plan role only reads. ARNs
 * here are written the way AWS writes them, independently of the table's own ARN builders.
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { DynamodbTableReplicaA } from "@cdktf/provider-aws/lib/dynamodb-table-replica";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { GrantStatement, OWNER_STACK_TAG } from "../../constructs/iam-grants";
import { isUnscopable, isWriteAction } from "../../guardrails/action-classification";
import { actionMatches, iamWildcard } from "../../guardrails/iam-policies";
import { StackModel } from "../../guardrails/terraform-json";
import { buildBandupApp } from "../../stacks/app";
import { BandupStack } from "../../stacks/bandup-stack";
import { ENVIRONMENTS } from "../../stacks/environments";
import { environmentPermissions, MissingTerraformActionsError, PermissionTarget, permissionsOf } from "../../stacks/deploy-permissions";
import { DATA_SOURCE_ACTIONS, LAMBDA_SERVICE_PRINCIPAL, TERRAFORM_ACTIONS } from "../../stacks/terraform-actions";
import { TerraformJson } from "../support/synth";

const ACCOUNT = "123456789012";
const TARGET: PermissionTarget = { partition: "aws", accountId: ACCOUNT, state: { bucket: "bandup-state-test", region: "us-east-1", keyPrefix: "bandup" } };

const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
const jsonOf = new Map<BandupStack, TerraformJson>(stacks.map((s) => [s, s.toTerraform()]));
const permissionsOfStack = new Map(stacks.map((s) => [s, environmentPermissions(s, s.environment, TARGET)]));

/** The literal `attribute` of the resource a `${type.name.attribute}` reference points to; a literal as it is. */
function resolved(json: TerraformJson, value: string, attribute: string): string {
  const reference = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(value);
  return reference ? json.resource[reference[1]][reference[2]][attribute] : value;
}

/** A resource as IAM authorizes a call on it: its ARN, and the tags `aws:ResourceTag/<key>` reads. */
interface AuthorizedResource {
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A KMS key's ARN as AWS gives it once created. Any id does: the policies cannot name a new key's id,
 * only its tags, so every key here has the same one and only its tags tell them apart.
 */
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

/**
 * The resources IAM authorizes the calls on one resource of `json` against (an inline role policy is
 * its role's, a metric filter its log group's, a topic policy or subscription its topic's; a layer's
 * first version is `:1`; an alias is itself and its target key). Empty for a type this function does
 * not know yet.
 */
function authorizedResourcesOf(json: TerraformJson, type: string, resource: TerraformJson, region: string): AuthorizedResource[] {
  const untagged = (arns: readonly string[]): AuthorizedResource[] => arns.map((arn) => ({ arn, tags: {} }));
  const key = (keyResource: TerraformJson): AuthorizedResource => ({ arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${KEY_ID}`, tags: keyResource.tags ?? {} });
  switch (type) {
    case "aws_kms_key":
      return [key(resource)];
    case "aws_kms_alias": {
      const target = /^\$\{aws_kms_key\.([^.}]+)\.(?:key_id|arn|id)\}$/.exec(resource.target_key_id);
      if (!target) throw new Error(`teach authorizedResourcesOf the alias target ${resource.target_key_id}`);
      return [{ arn: `arn:aws:kms:${region}:${ACCOUNT}:${resource.name}`, tags: {} }, key(json.resource.aws_kms_key[target[1]])];
    }
    default:
      return untagged(arnsOf(json, type, resource, region));
  }
}

/** The ARNs AWS gives one untagged resource of `json`; see `authorizedResourcesOf`. */
function arnsOf(json: TerraformJson, type: string, resource: TerraformJson, region: string): string[] {
  const logGroup = (name: string): string[] => [`arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`, `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}:*`];
  const topic = (name: string): string => `arn:aws:sns:${region}:${ACCOUNT}:${name}`;
  switch (type) {
    case "aws_dynamodb_table":
      return [`arn:aws:dynamodb:${region}:${ACCOUNT}:table/${resource.name}`];
    case "aws_lambda_function":
      return [`arn:aws:lambda:${region}:${ACCOUNT}:function:${resource.function_name}`];
    case "aws_lambda_layer_version":
      return [`arn:aws:lambda:${region}:${ACCOUNT}:layer:${resource.layer_name}:1`];
    case "aws_iam_role":
      return [`arn:aws:iam::${ACCOUNT}:role/${resource.name}`];
    case "aws_iam_role_policy":
      return [`arn:aws:iam::${ACCOUNT}:role/${resolved(json, resource.role, "name")}`];
    case "aws_cloudwatch_log_group":
      return logGroup(resource.name);
    case "aws_cloudwatch_log_metric_filter":
      return logGroup(resolved(json, resource.log_group_name, "name"));
    case "aws_sqs_queue":
      return [`arn:aws:sqs:${region}:${ACCOUNT}:${resource.name}`];
    case "aws_sns_topic":
      return [topic(resource.name)];
    case "aws_sns_topic_policy":
      return [topic(resolved(json, resource.arn, "name"))];
    case "aws_sns_topic_subscription":
      return [topic(resolved(json, resource.topic_arn, "name"))];
    case "aws_cloudwatch_metric_alarm":
      return [`arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${resource.alarm_name}`];
    case "aws_cloudwatch_dashboard":
      return [`arn:aws:cloudwatch::${ACCOUNT}:dashboard/${resource.dashboard_name}`];
    default:
      return [];
  }
}

/** Every resource IAM authorizes calls on, for the resources a stack declares. */
function realResources(json: TerraformJson, region: string): AuthorizedResource[] {
  return Object.entries<Record<string, TerraformJson>>(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.values(byName).flatMap((resource) => authorizedResourcesOf(json, type, resource, region)),
  );
}

/** The state object and lock of an environment, as the S3 backend names them. */
function stateArns(environment: string): string[] {
  const key = `arn:aws:s3:::${TARGET.state.bucket}/${TARGET.state.keyPrefix}/${environment}/terraform.tfstate`;
  return [key, `${key}.tflock`];
}

/**
 * True unless a condition of the statement is on the resource's tags and the resource's tags fail it.
 * Conditions on anything else (the calling service, the passed role's service) are taken as met: a
 * statement that could apply counts as a grant.
 */
function tagConditionsHold(statement: GrantStatement, resource: AuthorizedResource): boolean {
  return (statement.conditions ?? []).every((condition) => {
    const tag = /^aws:ResourceTag\/(.+)$/.exec(condition.variable)?.[1];
    if (tag === undefined) return true;
    if (condition.test !== "StringEquals") throw new Error(`teach tagConditionsHold the test ${condition.test} on ${condition.variable}`);
    return resource.tags[tag] !== undefined && condition.values.includes(resource.tags[tag]);
  });
}

/**
 * The statements that grant on `resource`: their resources match its ARN (with IAM's `*` and `?`,
 * leaving out `*` itself) and their tag conditions hold for its tags. A bare ARN has no tags.
 */
function statementsMatching(statements: readonly GrantStatement[], resource: AuthorizedResource | string): GrantStatement[] {
  const target = typeof resource === "string" ? { arn: resource, tags: {} } : resource;
  return statements.filter((s) => s.resources.some((r) => r !== "*" && iamWildcard(r).test(target.arn)) && tagConditionsHold(s, target));
}

/** Actions with no resource-level permission in the SAR: the only ones a policy may grant on `*` without a condition. */
const UNSCOPABLE = ["logs:DescribeLogGroups", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe", "kms:ListAliases"];

/** Actions granted on `*` under a condition on the request's tags: the rows' `createOnAny`. */
const CREATE_ON_ANY = Object.values(TERRAFORM_ACTIONS).flatMap((row) => row.createOnAny?.actions ?? []);

describe.each(stacks.map((s) => [s.node.id, s] as const))("%s", (_, stack) => {
  test("every resource and data source type it declares has its row in the actions table", () => {
    const json = jsonOf.get(stack)!;
    const resourceTypes = Object.keys(json.resource ?? {});
    const dataTypes = Object.keys(json.data ?? {});
    const missing = [
      ...resourceTypes.filter((t) => !Object.prototype.hasOwnProperty.call(TERRAFORM_ACTIONS, t)),
      ...dataTypes.filter((t) => !Object.prototype.hasOwnProperty.call(DATA_SOURCE_ACTIONS, t)),
    ];
    if (missing.length > 0) {
      throw new Error(`${stack.node.id} declares ${missing.join(", ")} with no row: add each to TERRAFORM_ACTIONS or DATA_SOURCE_ACTIONS in stacks/terraform-actions.ts`);
    }
    expect(resourceTypes.length).toBeGreaterThan(0);
  });

  test("the deploy policy covers every resource of the stack with every action of its row, and the state and lock", () => {
    const { deploy } = permissionsOfStack.get(stack)!;
    const json = jsonOf.get(stack)!;
    const region = stack.environment.region;
    for (const [type, byName] of Object.entries<Record<string, TerraformJson>>(json.resource)) {
      const row = TERRAFORM_ACTIONS[type];
      for (const resource of Object.values(byName)) {
        const authorized = authorizedResourcesOf(json, type, resource, region);
        // A type authorizedResourcesOf cannot name would pass unchecked: teach it how AWS names the new type.
        expect([type, authorized.length > 0]).toEqual([type, true]);
        for (const target of authorized) {
          // The statements on `*` hold only the actions the SAR cannot scope (the next test checks).
          const granted = [...statementsMatching(deploy, target), ...deploy.filter((s) => s.resources.includes("*") && !s.conditions)].flatMap((s) => s.actions);
          for (const action of [...row.read, ...row.write]) {
            expect([target.arn, action, granted.some((g) => actionMatches(g, action))]).toEqual([target.arn, action, true]);
          }
        }
      }
    }
    const [state, lock] = stateArns(stack.environment.name);
    expect(statementsMatching(deploy, state).flatMap((s) => s.actions).sort()).toEqual(["s3:GetObject", "s3:PutObject"]);
    expect(statementsMatching(deploy, lock).flatMap((s) => s.actions).sort()).toEqual(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]);
  });

  test("neither policy grants anything on another environment's resources, state or lock", () => {
    const own = permissionsOfStack.get(stack)!;
    for (const other of stacks.filter((s) => s !== stack)) {
      const resources = [...realResources(jsonOf.get(other)!, other.environment.region), ...stateArns(other.environment.name).map((arn): AuthorizedResource => ({ arn, tags: {} }))];
      expect(resources.length).toBeGreaterThan(10);
      // The other stack's key (itself, and as its alias's target) is among them, told apart from this
      // stack's own key only by its tag.
      expect([...new Set(resources.filter((r) => r.arn.includes(":key/")).map((r) => r.tags[OWNER_STACK_TAG]))]).toEqual([other.node.id]);
      for (const resource of resources) {
        expect([resource.arn, statementsMatching(own.deploy, resource).map((s) => s.sid)]).toEqual([resource.arn, []]);
        expect([resource.arn, statementsMatching(own.plan, resource).map((s) => s.sid)]).toEqual([resource.arn, []]);
      }
    }
    // `*` only for the actions the SAR gives no resource type, or, under a condition on the request's
    // owner tag naming this stack, for creating what cannot be named before it exists.
    for (const statement of [...own.deploy, ...own.plan].filter((s) => s.resources.includes("*"))) {
      if (statement.conditions === undefined) {
        expect(statement.actions.filter((a) => !UNSCOPABLE.includes(a))).toEqual([]);
      } else {
        expect(statement.actions.filter((a) => !CREATE_ON_ANY.includes(a))).toEqual([]);
        expect(statement.conditions).toEqual([{ test: "StringEquals", variable: `aws:RequestTag/${OWNER_STACK_TAG}`, values: [stack.node.id] }]);
      }
    }
  });

  test("the plan role reads: no write action, the state read without its lock", () => {
    const { plan } = permissionsOfStack.get(stack)!;
    expect(plan.flatMap((s) => s.actions).filter((a) => isWriteAction(a))).toEqual([]);
    const [state, lock] = stateArns(stack.environment.name);
    expect(statementsMatching(plan, state).flatMap((s) => s.actions)).toEqual(["s3:GetObject"]);
    expect(statementsMatching(plan, lock)).toEqual([]);
    expect(plan.find((s) => s.sid === "ListStateBucket")).toEqual({
      sid: "ListStateBucket",
      actions: ["s3:ListBucket"],
      resources: ["arn:aws:s3:::bandup-state-test"],
      conditions: [{ test: "StringEquals", variable: "s3:prefix", values: ["env:/"] }],
    });
  });

  test("iam:PassRole only on the environment's function roles, only to Lambda", () => {
    const { deploy } = permissionsOfStack.get(stack)!;
    const roles = Object.values<TerraformJson>(jsonOf.get(stack)!.resource.aws_iam_role).map((r) => `arn:aws:iam::${ACCOUNT}:role/${r.name}`);
    expect(deploy.filter((s) => s.actions.some((a) => actionMatches(a, "iam:PassRole")))).toEqual([
      {
        sid: "PassFunctionRoles",
        actions: ["iam:PassRole"],
        resources: roles,
        conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [LAMBDA_SERVICE_PRINCIPAL] }],
      },
    ]);
    expect(roles).toEqual(Object.values(stack.environment.functions).map((f) => `arn:aws:iam::${ACCOUNT}:role/${f.functionName}`));
  });
});

test("the deploy policy of dev, statement by statement", () => {
  const dev = permissionsOfStack.get(stacks[0])!;
  expect(dev.deploy.map((s) => [s.sid, s.resources.length])).toEqual([
    ["ManageCloudwatchDashboard", 1],
    // Metric filters are authorized on their log group, inline policies on their role, the topic
    // policy on its topic: one statement each with the type whose ARNs they share.
    ["ManageCloudwatchLogGroupCloudwatchLogMetricFilter", 6],
    // Every alarm of the stack (28, and 8 near the caps dev has by default) under `alarm:bandup-dev/*`.
    ["ManageCloudwatchMetricAlarm", 1],
    ["ManageDynamodbTable", 2],
    ["ManageIamRoleIamRolePolicy", 3],
    ["ManageKmsAlias", 1],
    ["ManageKmsKey", 1],
    ["ManageLambdaFunction", 6],
    ["ManageLambdaLayerVersion", 2],
    ["ManageSnsTopicSnsTopicPolicy", 1],
    ["ManageSqsQueue", 3],
    ["NoResourceLevelPermissions", 1],
    ["CreateKmsKey", 1],
    ["PassFunctionRoles", 3],
    ["AliasTargetKeys", 1],
    ["ListStateBucket", 1],
    ["WriteState", 1],
    ["StateLock", 1],
  ]);
  expect(dev.deploy.find((s) => s.sid === "ManageCloudwatchMetricAlarm")?.resources).toEqual([`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:bandup-dev/*`]);
  expect(dev.deploy.find((s) => s.sid === "ManageDynamodbTable")).toEqual({
    sid: "ManageDynamodbTable",
    actions: [
      "dynamodb:DescribeTable",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:DescribeTimeToLive",
      "dynamodb:ListTagsOfResource",
      "dynamodb:CreateTable",
      "dynamodb:UpdateTable",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:UpdateTimeToLive",
      "dynamodb:DeleteTable",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
    ],
    resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-evaluations-dev`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-flashcard-sets-dev`],
  });
  expect(dev.plan.map((s) => s.sid)).toEqual([
    "ReadCloudwatchDashboard",
    "ReadCloudwatchLogGroupCloudwatchLogMetricFilter",
    "ReadCloudwatchMetricAlarm",
    "ReadDynamodbTable",
    "ReadIamRoleIamRolePolicy",
    "ReadKmsKey",
    "ReadLambdaFunction",
    "ReadLambdaLayerVersion",
    "ReadSnsTopicSnsTopicPolicy",
    "ReadSqsQueue",
    "NoResourceLevelPermissions",
    "ListStateBucket",
    "ReadState",
  ]);
});

describe("the alarm topic's key in dev: named by its owner tag, since its id is unknown at synth", () => {
  const dev = permissionsOfStack.get(stacks[0])!;
  const kmsStatements = (statements: readonly GrantStatement[]) => statements.filter((s) => s.actions.some((a) => a.startsWith("kms:")));
  const anyDevKey = { resources: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/*`], conditions: [{ test: "StringEquals", variable: "aws:ResourceTag/BandupStack", values: ["bandup-dev"] }] };

  test("the key carries the owner tag on itself, not only through the provider's default tags", () => {
    const json = jsonOf.get(stacks[0])!;
    expect(Object.values<TerraformJson>(json.resource.aws_kms_key).map((key) => key.tags.BandupStack)).toEqual(["bandup-dev"]);
    expect(JSON.stringify(json.provider.aws)).not.toContain("BandupStack");
  });

  test("the deploy policy's KMS statements are exactly these", () => {
    expect(kmsStatements(dev.deploy)).toEqual([
      { sid: "ManageKmsAlias", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], resources: [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/bandup-alarms-dev`] },
      {
        sid: "ManageKmsKey",
        actions: [
          "kms:DescribeKey",
          "kms:GetKeyPolicy",
          "kms:GetKeyRotationStatus",
          "kms:ListResourceTags",
          "kms:EnableKeyRotation",
          "kms:DisableKeyRotation",
          "kms:EnableKey",
          "kms:DisableKey",
          "kms:PutKeyPolicy",
          "kms:UpdateKeyDescription",
          "kms:ScheduleKeyDeletion",
          "kms:TagResource",
          "kms:UntagResource",
        ],
        ...anyDevKey,
      },
      { sid: "NoResourceLevelPermissions", actions: ["logs:DescribeLogGroups", "kms:ListAliases"], resources: ["*"] },
      {
        sid: "CreateKmsKey",
        actions: ["kms:CreateKey", "kms:TagResource"],
        resources: ["*"],
        conditions: [{ test: "StringEquals", variable: "aws:RequestTag/BandupStack", values: ["bandup-dev"] }],
      },
      { sid: "AliasTargetKeys", actions: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], ...anyDevKey },
    ]);
  });

  test("the plan policy's KMS statements read the key under the same tag, and list aliases", () => {
    expect(kmsStatements(dev.plan)).toEqual([
      { sid: "ReadKmsKey", actions: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"], ...anyDevKey },
      { sid: "NoResourceLevelPermissions", actions: ["logs:DescribeLogGroups", "kms:ListAliases"], resources: ["*"] },
    ]);
  });

  test("with `alarmTopicKmsKeyArn` there is no key and no alias: no KMS grant at all", () => {
    const configuredKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const environments = { ...ENVIRONMENTS, dev: { ...ENVIRONMENTS.dev, alarmTopicKmsKeyArn: configuredKey } };
    const configured = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, environments }).stacks[0];
    const json = configured.toTerraform();
    expect([json.resource.aws_kms_key, json.resource.aws_kms_alias]).toEqual([undefined, undefined]);
    expect(Object.values<TerraformJson>(json.resource.aws_sns_topic).map((t) => t.kms_master_key_id)).toEqual([configuredKey]);
    const { deploy, plan } = environmentPermissions(configured, configured.environment, TARGET);
    expect(kmsStatements(deploy)).toEqual([]);
    expect(kmsStatements(plan)).toEqual([]);
  });

  test("the check of another environment tells keys apart by tag: an untagged-condition key/* grant would reach them", () => {
    const stagingKey = { arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`, tags: { BandupStack: "bandup-staging" } };
    const grant = { sid: "Keys", actions: ["kms:DescribeKey"], resources: [`arn:aws:kms:us-east-1:${ACCOUNT}:key/*`] };
    expect(statementsMatching([grant], stagingKey).map((s) => s.sid)).toEqual(["Keys"]);
    expect(statementsMatching([{ ...grant, ...anyDevKey }], stagingKey)).toEqual([]);
    expect(statementsMatching([{ ...grant, ...anyDevKey }], { ...stagingKey, tags: { BandupStack: "bandup-dev" } }).map((s) => s.sid)).toEqual(["Keys"]);
  });
});

test("a customer-managed state key: the deploy role decrypts and generates data keys, the plan role decrypts, both only through S3", () => {
  const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const { deploy, plan } = environmentPermissions(stacks[0], stacks[0].environment, { ...TARGET, state: { ...TARGET.state, kmsKeyArn: key } });
  const condition = [{ test: "StringEquals", variable: "kms:ViaService", values: ["s3.us-east-1.amazonaws.com"] }];
  expect(deploy.find((s) => s.sid === "StateKey")).toEqual({ sid: "StateKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [key], conditions: condition });
  expect(plan.find((s) => s.sid === "StateKey")).toEqual({ sid: "StateKey", actions: ["kms:Decrypt"], resources: [key], conditions: condition });
});

test("a resource type without a row stops the derivation, naming the type, the resource and the module to edit", () => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new S3Object(stack, "report", { bucket: "bandup-reports", key: "r.json", content: "{}" });
  const model = new StackModel("bandup-qa", stack.toTerraform());
  expect(() => permissionsOf(model, { name: "qa", region: "us-east-1" }, TARGET)).toThrow(MissingTerraformActionsError);
  expect(() => permissionsOf(model, { name: "qa", region: "us-east-1" }, TARGET)).toThrow(
    "stack `bandup-qa` declares `aws_s3_object` (aws_s3_object.report), with no row in TERRAFORM_ACTIONS or DATA_SOURCE_ACTIONS (stacks/terraform-actions.ts); " +
      "add the actions the provider calls to read, create, update, delete and tag it, with their source, so its deploy and plan roles may manage it",
  );
});

test("a resource whose name is not known at synth is refused: the policy must name it", () => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new SnsTopic(stack, "alarms", { namePrefix: "bandup-alarms-" });
  expect(() => permissionsOf(new StackModel("bandup-qa", stack.toTerraform()), { name: "qa", region: "us-east-1" }, TARGET)).toThrow(
    "aws_sns_topic.alarms: `name` is undefined, not known at synth; the deploy policy names every resource, so give it a literal name (or a reference to one)",
  );
});

test("a created KMS key without its owner tag stops the derivation: its grants could not be narrowed to the stack", () => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { BandupStack: "bandup-qa" } }] });
  new KmsKey(stack, "key", { description: "untagged" });
  expect(() => permissionsOf(new StackModel("bandup-qa", stack.toTerraform()), { name: "qa", region: "us-east-1" }, TARGET)).toThrow(
    "aws_kms_key.key: a new key's id is unknown at synth, so its deploy permissions are scoped by its `BandupStack` tag, and it has none; tag the key with the name of its stack (AlarmTopic does)",
  );
});

test("keys of two owners in one stack: each owner's keys under its own tag, in statements of their own", () => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new KmsKey(stack, "own", { tags: { BandupStack: "bandup-qa" } });
  new KmsKey(stack, "shared", { tags: { BandupStack: "bandup-shared" } });
  new KmsKey(stack, "own-too", { tags: { BandupStack: "bandup-qa" } });
  const { deploy, plan } = permissionsOf(new StackModel("bandup-qa", stack.toTerraform()), { name: "qa", region: "us-east-1" }, TARGET);
  const owner = (variable: string, value: string) => [{ test: "StringEquals", variable: `aws:${variable}/BandupStack`, values: [value] }];
  const kms = (statements: readonly GrantStatement[]) => statements.filter((s) => s.sid.includes("Kms")).map((s) => [s.sid, s.resources, s.conditions]);
  const anyKey = [`arn:aws:kms:us-east-1:${ACCOUNT}:key/*`];
  expect(kms(deploy)).toEqual([
    ["ManageKmsKey", anyKey, owner("ResourceTag", "bandup-qa")],
    ["ManageKmsKey2", anyKey, owner("ResourceTag", "bandup-shared")],
    ["CreateKmsKey", ["*"], owner("RequestTag", "bandup-qa")],
    ["CreateKmsKey2", ["*"], owner("RequestTag", "bandup-shared")],
  ]);
  expect(kms(plan)).toEqual([
    ["ReadKmsKey", anyKey, owner("ResourceTag", "bandup-qa")],
    ["ReadKmsKey2", anyKey, owner("ResourceTag", "bandup-shared")],
  ]);
});

/**
 * The resource types the day-2 features bring (alarms, their topic and its policy and subscriptions,
 * a dashboard, log metric filters, replicas and restores, a customer key): their rows on a stack that
 * holds one of each, references and all.
 */
describe("rows of the alarm, dashboard, replica and restore resources", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const REPLICA_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const euProvider = new AwsProvider(stack, "aws-eu", { region: "eu-west-1", alias: "eu" });
  const topic = new SnsTopic(stack, "alarms", { name: "bandup-alarms-qa", kmsMasterKeyId: "alias/aws/sns" });
  new SnsTopicPolicy(stack, "alarms-policy", { arn: topic.arn, policy: "{}" });
  new SnsTopicSubscription(stack, "ops", { topicArn: topic.arn, protocol: "email", endpoint: "ops@example.com" });
  new CloudwatchMetricAlarm(stack, "throttles", {
    alarmName: "bandup-evaluations-qa-throttles",
    comparisonOperator: "GreaterThanThreshold",
    evaluationPeriods: 1,
    metricName: "ThrottledRequests",
    namespace: "AWS/DynamoDB",
    period: 300,
    statistic: "Sum",
    threshold: 0,
    alarmActions: [topic.arn],
  });
  // Named under this stack's prefix (as the constructs name alarms), and under another stack's.
  for (const name of ["bandup-qa/bandup-flashcard-sets-qa-throttles", "bandup-qa/bandup-evaluations-qa-errors", "bandup-q/bandup-evaluations-q-throttles"]) {
    new CloudwatchMetricAlarm(stack, name.replace(/\//g, "-"), {
      alarmName: name,
      comparisonOperator: "GreaterThanThreshold",
      evaluationPeriods: 1,
      metricName: "ThrottledRequests",
      namespace: "AWS/DynamoDB",
      period: 300,
      statistic: "Sum",
      threshold: 0,
      alarmActions: [topic.arn],
    });
  }
  new CloudwatchDashboard(stack, "dashboard", { dashboardName: "bandup-qa", dashboardBody: "{}" });
  const logs = new CloudwatchLogGroup(stack, "logs", { name: "/aws/lambda/bandup-writing-evaluator-qa" });
  new CloudwatchLogMetricFilter(stack, "failed-jobs", {
    name: "failed-jobs",
    logGroupName: logs.name,
    pattern: '{ $.status = "failed" }',
    metricTransformation: { name: "FailedJobs", namespace: "BandUp", value: "1" },
  });
  const table = new DynamodbTable(stack, "evaluations", {
    name: "bandup-evaluations-qa",
    hashKey: "evaluation_id",
    attribute: [{ name: "evaluation_id", type: "S" }],
    billingMode: "PAY_PER_REQUEST",
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY },
    streamEnabled: true,
    streamViewType: "NEW_AND_OLD_IMAGES",
    replica: [{ regionName: "eu-west-1", kmsKeyArn: REPLICA_KEY }],
  });
  new DynamodbTable(stack, "restored", {
    name: "bandup-evaluations-qa-restored",
    hashKey: "evaluation_id",
    attribute: [{ name: "evaluation_id", type: "S" }],
    billingMode: "PAY_PER_REQUEST",
    restoreSourceName: table.name,
    restoreToLatestTime: true,
  });
  new DynamodbTableReplicaA(stack, "flashcards-eu", {
    provider: euProvider,
    globalTableArn: "arn:aws:dynamodb:us-east-1:123456789012:table/bandup-flashcard-sets-qa",
  });
  const { deploy, plan } = permissionsOf(new StackModel("bandup-qa", stack.toTerraform()), { name: "qa", region: "us-east-1" }, TARGET);
  const sid = (statements: readonly GrantStatement[], id: string) => statements.find((s) => s.sid === id);

  test("the topic, its policy and its subscriptions: on the topic, and the subscription calls the SAR cannot scope on `*`", () => {
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:bandup-alarms-qa`;
    // The three types are authorized on the topic: one statement with the actions of the three rows.
    expect(deploy.filter((s) => s.sid.startsWith("ManageSns"))).toEqual([
      {
        sid: "ManageSnsTopicSnsTopicPolicySnsTopicSubscription",
        actions: [
          "sns:GetTopicAttributes",
          "sns:ListTagsForResource",
          "sns:CreateTopic",
          "sns:SetTopicAttributes",
          "sns:DeleteTopic",
          "sns:TagResource",
          "sns:UntagResource",
          "sns:ListSubscriptionsByTopic",
          "sns:Subscribe",
        ],
        resources: [topicArn],
      },
    ]);
    expect(sid(deploy, "NoResourceLevelPermissions")?.actions).toEqual(["logs:DescribeLogGroups", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"]);
    expect(sid(plan, "NoResourceLevelPermissions")?.actions).toEqual(["logs:DescribeLogGroups", "sns:GetSubscriptionAttributes"]);
  });

  test("alarms under the stack's `<stack name>/` by one pattern, any other on its ARN; the dashboard on its regionless ARN, metric filters on their log group", () => {
    expect(sid(deploy, "ManageCloudwatchMetricAlarm")).toEqual({
      sid: "ManageCloudwatchMetricAlarm",
      actions: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource", "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource"],
      resources: [
        `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:bandup-evaluations-qa-throttles`,
        `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:bandup-qa/*`,
        `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:bandup-q/bandup-evaluations-q-throttles`,
      ],
    });
    expect(sid(deploy, "ManageCloudwatchDashboard")?.resources).toEqual([`arn:aws:cloudwatch::${ACCOUNT}:dashboard/bandup-qa`]);
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/bandup-writing-evaluator-qa`;
    // Metric filters share their log group's statement.
    expect(sid(deploy, "ManageCloudwatchLogGroupCloudwatchLogMetricFilter")).toEqual({
      sid: "ManageCloudwatchLogGroupCloudwatchLogMetricFilter",
      actions: [...TERRAFORM_ACTIONS.aws_cloudwatch_log_group.read, ...TERRAFORM_ACTIONS.aws_cloudwatch_log_group.write, "logs:DescribeMetricFilters", "logs:PutMetricFilter", "logs:DeleteMetricFilter"],
      resources: [group, `${group}:*`],
    });
  });

  test("a table's customer key: DescribeKey and CreateGrant through DynamoDB, in the table's and the replica's region", () => {
    expect(sid(deploy, "TableBandupEvaluationsQaKey")).toEqual({
      sid: "TableBandupEvaluationsQaKey",
      actions: ["kms:DescribeKey", "kms:CreateGrant"],
      resources: [KEY],
      conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: ["dynamodb.us-east-1.amazonaws.com"] }],
    });
    expect(sid(deploy, "TableBandupEvaluationsQaReplicaKey0")?.conditions).toEqual([{ test: "StringEquals", variable: "kms:ViaService", values: ["dynamodb.eu-west-1.amazonaws.com"] }]);
  });

  test("a replica block: the replica actions, the table in the replica's region, the replication service-linked role only", () => {
    const source = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-evaluations-qa`;
    const replica = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/bandup-evaluations-qa`;
    expect(sid(deploy, "TableBandupEvaluationsQaReplicas")).toEqual({
      sid: "TableBandupEvaluationsQaReplicas",
      actions: ["dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica"],
      resources: [source, replica],
    });
    expect(sid(deploy, "TableBandupEvaluationsQaReplicaTables")?.resources).toEqual([replica]);
    expect(sid(plan, "TableBandupEvaluationsQaReplicaTables")).toEqual({
      sid: "TableBandupEvaluationsQaReplicaTables",
      actions: ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"],
      resources: [replica],
    });
    expect(sid(deploy, "ReplicationServiceLinkedRole")).toEqual({
      sid: "ReplicationServiceLinkedRole",
      actions: ["iam:CreateServiceLinkedRole"],
      resources: [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication`],
      conditions: [{ test: "StringEquals", variable: "iam:AWSServiceName", values: ["replication.dynamodb.amazonaws.com"] }],
    });
  });

  test("an aws_dynamodb_table_replica: its table in its provider's region, UpdateTable on the global table", () => {
    expect(sid(deploy, "ManageDynamodbTableReplica")?.resources).toEqual([
      `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/bandup-flashcard-sets-qa`,
      `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-flashcard-sets-qa`,
    ]);
  });

  test("a restore: RestoreTableToPointInTime from the source, the SAR's dependent item actions on the new table only", () => {
    const restored = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-evaluations-qa-restored`;
    expect(sid(deploy, "TableBandupEvaluationsQaRestoredRestoreSource")).toEqual({
      sid: "TableBandupEvaluationsQaRestoredRestoreSource",
      actions: ["dynamodb:RestoreTableToPointInTime"],
      resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-evaluations-qa`, restored],
    });
    expect(sid(deploy, "TableBandupEvaluationsQaRestoredRestoreTarget")?.resources).toEqual([restored]);
    expect(plan.some((s) => s.actions.includes("dynamodb:RestoreTableToPointInTime"))).toBe(false);
  });
});

describe("the actions table", () => {
  test.each(Object.entries(TERRAFORM_ACTIONS))("%s: names its source and SAR page, and its reads are no writes", (_, row) => {
    expect(row.source).toMatch(/^[a-z0-9]+\/[a-z_]+\.go \(/);
    expect(row.reference).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\/list_[a-z0-9]+\.html$/);
    expect([...row.read, ...(row.unscopableRead ?? [])].filter((a) => isWriteAction(a))).toEqual([]);
    // Every action is named exactly; none is granted twice.
    const all = [...row.read, ...row.write, ...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])];
    expect(all.filter((a) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a))).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
    for (const omitted of Object.keys(row.omitted ?? {})) expect(all).not.toContain(omitted);
    // What is granted on `*` under a condition creates: exact names, writes only.
    const createOnAny = row.createOnAny?.actions ?? [];
    expect(createOnAny.filter((a) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a) || !isWriteAction(a))).toEqual([]);
  });

  test("the unscopable actions are the ones the guardrails accept on `*`", () => {
    const unscopable = Object.values(TERRAFORM_ACTIONS).flatMap((row) => [...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])]);
    expect(unscopable.sort()).toEqual([...UNSCOPABLE].sort());
    expect(unscopable.filter((a) => !isUnscopable(a))).toEqual([]);
  });
});
