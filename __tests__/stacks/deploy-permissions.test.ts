/**
 * The deploy and plan policies derived from the environment stacks (stacks/deploy-permissions.ts) and
 * the actions table they come from (stacks/terraform-actions.ts): every type has its row, every
 * resource is covered, nothing of another environment is named, the plan role only reads, the
 * boundaries say what they must. ARNs here are written the way AWS writes them, independently of the
 * table's own ARN builders. These check the statements as derived; how IAM decides on them, rendered
 * by terraform, is __tests__/stacks/bootstrap-stack.terraform.test.ts's (an IAM simulator).
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
import { GrantStatement, PolicyStatement } from "../../constructs/iam-grants";
import { isUnscopable, isWriteAction } from "../../guardrails/action-classification";
import { actionMatches, iamWildcard } from "../../guardrails/iam-policies";
import { StackModel } from "../../guardrails/terraform-json";
import { buildBandupApp } from "../../stacks/app";
import { BandupStack } from "../../stacks/bandup-stack";
import { ENVIRONMENTS } from "../../stacks/environments";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import {
  compactStatements,
  environmentPermissions,
  ESCALATIONS_DENIED,
  MissingTerraformActionsError,
  PermissionTarget,
  permissionsOf,
  RefusedResourceTypeError,
  ROLE_WRITES_NEEDING_THE_BOUNDARY,
  UnboundedRoleError,
} from "../../stacks/deploy-permissions";
import { DATA_SOURCE_ACTIONS, LAMBDA_SERVICE_PRINCIPAL, REFUSED_RESOURCE_TYPES, TERRAFORM_ACTIONS } from "../../stacks/terraform-actions";
import { arnsOf, realResources as allResources } from "../support/aws-arns";
import { TerraformJson } from "../support/synth";

const ACCOUNT = "123456789012";
const TARGET: PermissionTarget = { partition: "aws", accountId: ACCOUNT, dnsSuffix: "amazonaws.com", state: { bucket: "bandup-state-test", region: "us-east-1", keyPrefix: "bandup" } };
const BOUNDARY = (env: string) => `arn:aws:iam::${ACCOUNT}:policy/bandup-boundary-${env}`;

const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
const jsonOf = new Map<BandupStack, TerraformJson>(stacks.map((s) => [s, s.toTerraform()]));
const permissionsOfStack = new Map(stacks.map((s) => [s, environmentPermissions(s, s.environment, TARGET)]));

/** The ARNs IAM authorizes the calls on one resource of `json` against (__tests__/support/aws-arns.ts). */
function authorizedResourcesOf(json: TerraformJson, type: string, resource: TerraformJson, region: string): string[] {
  return arnsOf(json, type, resource, region, ACCOUNT);
}

/** Every resource IAM authorizes calls on, for the resources a stack declares. */
function realResources(json: TerraformJson, region: string): string[] {
  return allResources(json, region, ACCOUNT);
}

/** The state object and lock of an environment, as the S3 backend names them. */
function stateArns(environment: string): string[] {
  const key = `arn:aws:s3:::${TARGET.state.bucket}/${TARGET.state.keyPrefix}/${environment}/terraform.tfstate`;
  return [key, `${key}.tflock`];
}

/** The statements whose resources match `arn` (with IAM's `*` and `?`, leaving out `*` itself), whatever their conditions. */
function statementsMatching<T extends PolicyStatement>(statements: readonly T[], arn: string): T[] {
  return statements.filter((s) => s.resources.some((r) => r !== "*" && iamWildcard(r).test(arn)));
}

/** Actions with no resource-level permission in the SAR: the only ones a policy may grant on `*`. */
const UNSCOPABLE = ["logs:DescribeLogGroups", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"];

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
          for (const action of [...row.read, ...row.write, ...(row.boundedWrite ?? [])]) {
            expect([target, action, granted.some((g) => actionMatches(g, action))]).toEqual([target, action, true]);
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
      const resources = [...realResources(jsonOf.get(other)!, other.environment.region), ...stateArns(other.environment.name)];
      expect(resources.length).toBeGreaterThan(10);
      for (const resource of resources) {
        expect([resource, statementsMatching(own.deploy, resource).map((s) => s.sid)]).toEqual([resource, []]);
        expect([resource, statementsMatching(own.plan, resource).map((s) => s.sid)]).toEqual([resource, []]);
        expect([resource, statementsMatching(own.functionBoundary, resource).map((s) => s.sid)]).toEqual([resource, []]);
      }
    }
    // `*` only for the actions the SAR gives no resource type, and never under a condition to stretch.
    for (const statement of [...own.deploy, ...own.plan].filter((s) => s.resources.includes("*"))) {
      expect([statement.sid, statement.conditions, statement.actions.filter((a) => !UNSCOPABLE.includes(a))]).toEqual([statement.sid, undefined, []]);
    }
  });

  test("no KMS key is created or managed: the deploy policy names no key action but a table key's use through DynamoDB", () => {
    const { deploy, plan } = permissionsOfStack.get(stack)!;
    expect(Object.keys(jsonOf.get(stack)!.resource).filter((type) => type.startsWith("aws_kms_"))).toEqual([]);
    expect([...deploy, ...plan].flatMap((s) => s.actions).filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  test("the role writes IAM authorizes with iam:PermissionsBoundary are granted only where it is the environment's function boundary", () => {
    const { deploy, functionBoundaryArn } = permissionsOfStack.get(stack)!;
    expect(functionBoundaryArn).toBe(BOUNDARY(stack.environment.name));
    const roleWrites = deploy.filter((s) => s.actions.some((a) => (ROLE_WRITES_NEEDING_THE_BOUNDARY as readonly string[]).includes(a)));
    expect(roleWrites.map((s) => s.conditions)).toEqual([[{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [functionBoundaryArn] }]]);
    expect(deploy.flatMap((s) => s.actions).filter((a) => (ESCALATIONS_DENIED as readonly string[]).includes(a))).toEqual([]);
    // Every role of the stack carries that boundary, by a name built from the stack's own partition and account.
    expect(Object.values<TerraformJson>(jsonOf.get(stack)!.resource.aws_iam_role).map((r) => r.permissions_boundary)).toEqual(
      Object.values(stack.functions).map(
        () => `arn:\${data.aws_partition.partition.partition}:iam::\${data.aws_caller_identity.caller-identity.account_id}:policy/bandup-boundary-${stack.environment.name}`,
      ),
    );
  });

  test("the function boundary holds what the stack's function policies grant, and nothing else", () => {
    const { functionBoundary } = permissionsOfStack.get(stack)!;
    const actions = new Set(functionBoundary.flatMap((s) => s.actions ?? []));
    const json = jsonOf.get(stack)!;
    const documents = Object.values<TerraformJson>(json.resource.aws_iam_role_policy).map((p) => json.data.aws_iam_policy_document[/^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(p.policy)![1]]);
    expect(documents).toHaveLength(Object.keys(stack.functions).length);
    expect([...actions].sort()).toEqual([...new Set(documents.flatMap((d) => d.statement.flatMap((st: TerraformJson) => st.actions)))].sort());
    expect(functionBoundary.every((s) => (s.effect ?? "Allow") === "Allow" && !s.resources.includes("*"))).toBe(true);
  });

  test("the plan role reads: no write action, the state read without its lock", () => {
    const { plan } = permissionsOfStack.get(stack)!;
    expect(plan.flatMap((s) => s.actions).filter((a) => isWriteAction(a))).toEqual([]);
    const [state, lock] = stateArns(stack.environment.name);
    expect(statementsMatching(plan, state).flatMap((s) => s.actions)).toEqual(["s3:GetObject"]);
    expect(statementsMatching(plan, lock)).toEqual([]);
    // The whole bucket, with no s3:prefix condition: a first plan's read of a state that does not exist yet gets 404, not 403.
    expect(plan.find((s) => s.sid === "ListStateBucket")).toEqual({ sid: "ListStateBucket", actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::bandup-state-test"] });
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
    ["ManageLambdaFunction", 6],
    ["ManageLambdaLayerVersion", 2],
    ["ManageSnsTopicSnsTopicPolicy", 1],
    ["ManageSqsQueue", 3],
    // CreateRole, PutRolePolicy, ... only where the role's (or the requested) boundary is bandup-boundary-dev.
    ["ManageIamRoleIamRolePolicyWithinBoundary", 3],
    ["NoResourceLevelPermissions", 1],
    ["PassFunctionRoles", 3],
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
  const roles = ["writing-evaluator", "speaking-evaluator", "flashcard-generator"].map((f) => `arn:aws:iam::${ACCOUNT}:role/bandup-${f}-dev`);
  expect(dev.deploy.find((s) => s.sid === "ManageIamRoleIamRolePolicyWithinBoundary")).toEqual({
    sid: "ManageIamRoleIamRolePolicyWithinBoundary",
    actions: ["iam:CreateRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRole"],
    resources: roles,
    conditions: [{ test: "StringEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY("dev")] }],
  });
  expect(dev.plan.map((s) => s.sid)).toEqual([
    "ReadCloudwatchDashboard",
    "ReadCloudwatchLogGroupCloudwatchLogMetricFilter",
    "ReadCloudwatchMetricAlarm",
    "ReadDynamodbTable",
    "ReadIamRoleIamRolePolicy",
    "ReadLambdaFunction",
    "ReadLambdaLayerVersion",
    "ReadSnsTopicSnsTopicPolicy",
    "ReadSqsQueue",
    "NoResourceLevelPermissions",
    "ListStateBucket",
    "ReadState",
  ]);
});

test("the function boundary of dev: its functions' logs, dead-letter queues, tables and indexes, model key parameter and uploads, merged", () => {
  const dev = permissionsOfStack.get(stacks[0])!;
  const at = (resource: string) => `arn:aws:${resource}`;
  expect(dev.functionBoundary).toEqual([
    {
      sid: "WriteOwnLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: ["writing-evaluator", "speaking-evaluator", "flashcard-generator"].map((f) => at(`logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/bandup-${f}-dev:*`)),
    },
    {
      sid: "SendDeadLetters",
      actions: ["sqs:SendMessage"],
      resources: ["writing-evaluator", "speaking-evaluator", "flashcard-generator"].map((f) => at(`sqs:us-east-1:${ACCOUNT}:bandup-${f}-dev-dead-letters`)),
    },
    {
      sid: "TableData",
      actions: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
      resources: ["evaluations", "flashcard-sets"].map((t) => at(`dynamodb:us-east-1:${ACCOUNT}:table/bandup-${t}-dev`)),
    },
    { sid: "IndexQuery", actions: ["dynamodb:Query"], resources: ["evaluations", "flashcard-sets"].map((t) => at(`dynamodb:us-east-1:${ACCOUNT}:table/bandup-${t}-dev/index/*`)) },
    { sid: "ReadModelApiKey", actions: ["ssm:GetParameter"], resources: [at(`ssm:us-east-1:${ACCOUNT}:parameter/bandup/dev/gemini-api-key`)] },
    { sid: "ReadUploads", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bandup-uploads-dev/uploads/audio/*", "arn:aws:s3:::bandup-uploads-dev/uploads/documents/*"] },
  ]);
});

test("the deploy boundary of dev: the deploy policy's actions in the account, PassRole and `*` as they are, and the denials", () => {
  const dev = permissionsOfStack.get(stacks[0])!;
  const [cap, ...rest] = dev.deployBoundary;
  expect(cap).toEqual({
    sid: "WithinTheAccount",
    actions: [...new Set(dev.deploy.filter((s) => !s.resources.includes("*") && s.sid !== "PassFunctionRoles").flatMap((s) => s.actions))],
    resources: [`arn:aws:*:*:${ACCOUNT}:*`, "arn:aws:s3:::bandup-state-test", "arn:aws:s3:::bandup-state-test/*"],
  });
  expect(rest).toEqual([
    dev.deploy.find((s) => s.sid === "NoResourceLevelPermissions"),
    dev.deploy.find((s) => s.sid === "PassFunctionRoles"),
    {
      sid: "DenyRoleWritesOutsideTheFunctionBoundary",
      effect: "Deny",
      actions: [...ROLE_WRITES_NEEDING_THE_BOUNDARY],
      resources: ["*"],
      conditions: [{ test: "StringNotEquals", variable: "iam:PermissionsBoundary", values: [BOUNDARY("dev")] }],
    },
    { sid: "DenyBoundaryRemovalTrustAndPolicyChanges", effect: "Deny", actions: [...ESCALATIONS_DENIED], resources: ["*"] },
    {
      sid: "DenyTheBootstrapsIam",
      effect: "Deny",
      actions: ["iam:*"],
      resources: ["role/bandup-deploy-*", "role/bandup-plan-*", "policy/bandup-boundary-*", "policy/bandup-deploy-*", "oidc-provider/*"].map((r) => `arn:aws:iam::${ACCOUNT}:${r}`),
    },
    {
      sid: "DenyKeyManagement",
      effect: "Deny",
      notActions: ["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"],
      resources: ["arn:aws:kms:*:*:key/*", "arn:aws:kms:*:*:alias/*"],
    },
    { sid: "DenyKeyCreation", effect: "Deny", actions: ["kms:CreateKey"], resources: ["*"] },
  ]);
});

test("the deploy boundary caps keys named by ARN (a setting's, maybe of another account) by one pattern, left to their use by its denial", () => {
  const key = "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const stateKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  const environments = { ...ENVIRONMENTS, dev: { ...ENVIRONMENTS.dev, tableKmsKeyArn: key } };
  const configured = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, environments }).stacks[0];
  const { deployBoundary } = environmentPermissions(configured, configured.environment, { ...TARGET, state: { ...TARGET.state, kmsKeyArn: stateKey } });
  expect(deployBoundary[0].resources).toEqual([`arn:aws:*:*:${ACCOUNT}:*`, "arn:aws:s3:::bandup-state-test", "arn:aws:s3:::bandup-state-test/*", "arn:aws:kms:*:*:key/*"]);
  expect(deployBoundary.find((s) => s.sid === "DenyKeyManagement")?.resources).toContain("arn:aws:kms:*:*:key/*");
  expect(deployBoundary[0].actions).toEqual(expect.arrayContaining(["kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]));
});

test("with `alarmTopicKmsKeyArn`, the topic names that key and the policies grant nothing of KMS", () => {
  const configuredKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  const environments = { ...ENVIRONMENTS, dev: { ...ENVIRONMENTS.dev, alarmTopicKmsKeyArn: configuredKey } };
  const configured = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, environments }).stacks[0];
  const json = configured.toTerraform();
  expect(Object.values<TerraformJson>(json.resource.aws_sns_topic).map((t) => t.kms_master_key_id)).toEqual([configuredKey]);
  const { deploy, plan } = environmentPermissions(configured, configured.environment, TARGET);
  expect([...deploy, ...plan].flatMap((s) => s.actions).filter((a) => a.startsWith("kms:"))).toEqual([]);
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

test.each([
  ["aws_kms_key", (stack: TerraformStack) => new KmsKey(stack, "key", { description: "a stack's own key" })],
  ["aws_kms_alias", (stack: TerraformStack) => new KmsAlias(stack, "alias", { name: "alias/bandup-qa", targetKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" })],
])("an environment stack declaring %s stops the derivation, saying why no deploy role may manage it", (type, declare) => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  declare(stack);
  const derive = () => permissionsOf(new StackModel("bandup-qa", stack.toTerraform()), { name: "qa", region: "us-east-1" }, TARGET);
  expect(derive).toThrow(RefusedResourceTypeError);
  expect(derive).toThrow(`stack \`bandup-qa\` declares \`${type}\` (${type}.${type === "aws_kms_key" ? "key" : "alias"}), which no deploy role may manage: ${type}: ${REFUSED_RESOURCE_TYPES[type]}`);
});

test("a role without the environment's function boundary stops the derivation, naming the role, the boundary and the fix", () => {
  const stack = new TerraformStack(Testing.app(), "bandup-qa");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new IamRole(stack, "fn", { name: "bandup-writing-evaluator-qa", assumeRolePolicy: "{}" });
  new IamRole(stack, "other", { name: "bandup-speaking-evaluator-qa", assumeRolePolicy: "{}", permissionsBoundary: BOUNDARY("dev") });
  const derive = (only: string) => {
    const json = stack.toTerraform();
    json.resource.aws_iam_role = Object.fromEntries(Object.entries(json.resource.aws_iam_role).filter(([name]) => name.startsWith(only)));
    return () => permissionsOf(new StackModel("bandup-qa", json), { name: "qa", region: "us-east-1" }, TARGET);
  };
  expect(derive("fn")).toThrow(UnboundedRoleError);
  expect(derive("fn")).toThrow(
    `aws_iam_role.fn: role \`bandup-writing-evaluator-qa\` has no permissions_boundary; the deploy role may write a role only while its boundary is \`${BOUNDARY("qa")}\``,
  );
  // Another environment's boundary is no better.
  expect(derive("other")).toThrow(`role \`bandup-speaking-evaluator-qa\` has permissions_boundary "${BOUNDARY("dev")}"`);
});

test("statements granting the same actions under the same conditions become one, named by what their sids share", () => {
  const replicas = (table: string): GrantStatement => ({ sid: `Table${table}ProdReplicaTables`, actions: ["dynamodb:DescribeTable"], resources: [`arn:aws:dynamodb:eu-west-1:1:table/${table}`] });
  expect(compactStatements([replicas("BandupEvaluations"), { sid: "Other", actions: ["dynamodb:DescribeTable"], resources: ["x"], conditions: [{ test: "Bool", variable: "k", values: ["true"] }] }, replicas("BandupFlashcardSets")])).toEqual([
    { sid: "TableBandupProdReplicaTables", actions: ["dynamodb:DescribeTable"], resources: ["arn:aws:dynamodb:eu-west-1:1:table/BandupEvaluations", "arn:aws:dynamodb:eu-west-1:1:table/BandupFlashcardSets"] },
    { sid: "Other", actions: ["dynamodb:DescribeTable"], resources: ["x"], conditions: [{ test: "Bool", variable: "k", values: ["true"] }] },
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
    // The table's replica block and the aws_dynamodb_table_replica of another table grant the same
    // actions: one statement each (compacted), with the resources of both.
    const flashcards = (region: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/bandup-flashcard-sets-qa`;
    expect(sid(deploy, "QaReplicas")).toEqual({
      sid: "QaReplicas",
      actions: ["dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica"],
      resources: [source, replica, flashcards("us-east-1"), flashcards("eu-west-1")],
    });
    expect(sid(deploy, "QaReplicaTables")?.resources).toEqual([replica, flashcards("eu-west-1")]);
    // The plan role reads the replicas as it reads the tables: one statement.
    expect(statementsMatching(plan, replica)).toEqual([
      {
        sid: "ReadDynamodbTable",
        actions: ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource"],
        resources: [source, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/bandup-evaluations-qa-restored`, replica, flashcards("eu-west-1")],
      },
    ]);
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
    const all = [...row.read, ...row.write, ...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? []), ...(row.boundedWrite ?? [])];
    expect(all.filter((a) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a))).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
    for (const omitted of Object.keys(row.omitted ?? {})) expect(all).not.toContain(omitted);
    // Only role writes are granted within the function boundary (the condition key is IAM's).
    expect((row.boundedWrite ?? []).filter((a) => !(ROLE_WRITES_NEEDING_THE_BOUNDARY as readonly string[]).includes(a))).toEqual([]);
  });

  test("the unscopable actions are the ones the guardrails accept on `*`", () => {
    const unscopable = Object.values(TERRAFORM_ACTIONS).flatMap((row) => [...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])]);
    expect(unscopable.sort()).toEqual([...UNSCOPABLE].sort());
    expect(unscopable.filter((a) => !isUnscopable(a))).toEqual([]);
  });
});
