/**
 * Minimal stacks built from the provider's classes, compliant with every guardrail; each test breaks
 * exactly one thing. Not a test file (jest runs `*.test.ts` only).
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { CloudwatchLogGroup, CloudwatchLogGroupConfig } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DynamodbTable, DynamodbTableConfig } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction, LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { applyGuardrails, checkStack, GuardrailOptions, StackReport } from "../../guardrails";

/** The date rules compare against in tests (runtime deprecation). */
export const NOW = new Date("2026-11-25T00:00:00Z");
export const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
export const DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:bandup-dlq";

export interface Fixture {
  readonly stack: TerraformStack;
  readonly evaluations: DynamodbTable;
  readonly flashcards: DynamodbTable;
  readonly role: IamRole;
  readonly document: DataAwsIamPolicyDocument;
  readonly rolePolicy: IamRolePolicy;
  readonly fn: LambdaFunction;
  readonly logGroup?: CloudwatchLogGroup;
  /** The alarm topic, when the fixture has its alarms. */
  readonly topic?: SnsTopic;
  /** Its alarms, by `<resource>-<metric>` (e.g. `evaluations-ReadThrottleEvents`, `function-Errors`, `function-JobsFailed`). */
  readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** The metric filter that counts the function's failed jobs. */
  readonly jobsFilter?: CloudwatchLogMetricFilter;
}

export interface FixtureOptions {
  readonly protected?: boolean;
  readonly evaluations?: Partial<DynamodbTableConfig>;
  readonly statements?: (evaluations: DynamodbTable, flashcards: DynamodbTable) => DataAwsIamPolicyDocumentStatement[];
  readonly fn?: Partial<LambdaFunctionConfig>;
  /** `null`: no log group. */
  readonly logGroup?: Partial<CloudwatchLogGroupConfig> | null;
  readonly guardrails?: GuardrailOptions;
  /** Skip the provider's default tags. */
  readonly noDefaultTags?: boolean;
  /** `false`: no alarm topic, alarms nor job metric filter. */
  readonly alarms?: false;
}

/** The namespace of the fixture function's job outcome metric. */
export const JOBS_NAMESPACE = "BandUp/Jobs/bandup-writing-evaluator-test";

/**
 * The alarms every rule of the Alarms family expects, on an encrypted topic: throttles (table and
 * index) and system errors of both tables; errors, throttles, duration and failed jobs of the function.
 */
function addAlarms(stack: TerraformStack, tables: Record<string, DynamodbTable>, fn: LambdaFunction) {
  const topic = new SnsTopic(stack, "alarm-topic", { name: "bandup-alarms-test", kmsMasterKeyId: KEY_ARN });
  const alarms: Record<string, CloudwatchMetricAlarm> = {};
  const alarm = (id: string, namespace: string, metricName: string, dimensions: Record<string, string>) => {
    alarms[id] = testAlarm(stack, `alarm-${id}`, `test-${id}`, topic.arn, { namespace, metricName, dimensions });
  };
  for (const [key, table] of Object.entries(tables)) {
    for (const metric of ["ReadThrottleEvents", "WriteThrottleEvents"]) {
      alarm(`${key}-${metric}`, "AWS/DynamoDB", metric, { TableName: table.name });
      alarm(`${key}-index-${metric}`, "AWS/DynamoDB", metric, { TableName: table.name, GlobalSecondaryIndexName: "user_id-created_at-index" });
    }
    alarm(`${key}-SystemErrors`, "AWS/DynamoDB", "SystemErrors", { TableName: table.name, Operation: "PutItem" });
  }
  for (const metric of ["Errors", "Throttles", "Duration"]) alarm(`function-${metric}`, "AWS/Lambda", metric, { FunctionName: fn.functionName });
  const jobsFilter = new CloudwatchLogMetricFilter(stack, "jobs-failed", {
    name: "bandup-writing-evaluator-test-jobs-failed",
    logGroupName: "/aws/lambda/bandup-writing-evaluator-test",
    pattern: '{ $.message.message = "job failed" }',
    metricTransformation: { namespace: JOBS_NAMESPACE, name: "JobsFailed", value: "1" },
  });
  alarm("function-JobsFailed", JOBS_NAMESPACE, "JobsFailed", {});
  return { topic, alarms, jobsFilter };
}

function tableConfig(name: string, hashKey: string, isProtected: boolean): DynamodbTableConfig {
  return {
    name,
    billingMode: "PAY_PER_REQUEST",
    hashKey,
    rangeKey: "user_id",
    attribute: [
      { name: hashKey, type: "S" },
      { name: "user_id", type: "S" },
      { name: "created_at", type: "N" },
    ],
    globalSecondaryIndex: [{ name: "user_id-created_at-index", hashKey: "user_id", rangeKey: "created_at", projectionType: "ALL" }],
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    deletionProtectionEnabled: isProtected,
    lifecycle: isProtected ? { preventDestroy: true } : undefined,
  };
}

/** An alarm on one metric (Sum ≥ 1 over one minute) that notifies `topicArn`: what the alarm rules look for. */
export function testAlarm(
  stack: TerraformStack,
  id: string,
  alarmName: string,
  topicArn: string,
  metric: { namespace: string; metricName: string; dimensions: Record<string, string> },
): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(stack, id, {
    alarmName,
    ...metric,
    statistic: "Sum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    alarmActions: [topicArn],
  });
}

/** The evaluator's least-privilege statements: its own table and its indexes. */
export function ownTableStatements(evaluations: DynamodbTable): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "EvaluationsTable",
      actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
      resources: [evaluations.arn, `${evaluations.arn}/index/*`],
    },
  ];
}

/** A stack that passes every rule: two tables, an evaluator function with role, policy and log group, their alarms. */
export function buildFixture(options: FixtureOptions = {}): Fixture {
  const isProtected = options.protected ?? false;
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", {
    region: "us-east-1",
    defaultTags: options.noDefaultTags ? undefined : [{ tags: { Project: "bandup", Environment: "test" } }],
  });
  const evaluations = new DynamodbTable(stack, "evaluations", { ...tableConfig("bandup-evaluations-test", "evaluation_id", isProtected), ...options.evaluations });
  const flashcards = new DynamodbTable(stack, "flashcards", tableConfig("bandup-flashcard-sets-test", "set_id", isProtected));
  const role = new IamRole(stack, "role", {
    name: "bandup-writing-evaluator-test",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const document = new DataAwsIamPolicyDocument(stack, "document", {
    statement: (options.statements ?? ownTableStatements)(evaluations, flashcards),
  });
  const rolePolicy = new IamRolePolicy(stack, "policy", { role: role.name, policy: document.json });
  const fn = new LambdaFunction(stack, "function", {
    functionName: "bandup-writing-evaluator-test",
    role: role.arn,
    runtime: "nodejs24.x",
    handler: "index.handler",
    filename: "function.zip",
    reservedConcurrentExecutions: 5,
    deadLetterConfig: { targetArn: DLQ_ARN },
    environment: { variables: { DYNAMODB_EVALUATIONS: evaluations.name } },
    ...options.fn,
  });
  const logGroup =
    options.logGroup === null
      ? undefined
      : new CloudwatchLogGroup(stack, "logs", { name: "/aws/lambda/bandup-writing-evaluator-test", retentionInDays: 365, ...options.logGroup });
  const monitoring = options.alarms === false ? { alarms: {} } : addAlarms(stack, { evaluations, flashcards }, fn);
  applyGuardrails(stack, { protected: isProtected, now: NOW, warnings: "none", ...options.guardrails });
  return { stack, evaluations, flashcards, role, document, rolePolicy, fn, logGroup, ...monitoring };
}

/** Rule ids of the unsuppressed errors and warnings, sorted. */
export function ruleIds(report: StackReport): string[] {
  return [...report.errors, ...report.warnings].map((f) => f.ruleId).sort();
}

/** The guardrails' report of a fixture. */
export function check(fixture: Fixture): StackReport {
  return checkStack(fixture.stack);
}

/** The message synth fails with, or undefined when it succeeds. */
export function synthError(stack: TerraformStack): string | undefined {
  try {
    Testing.synth(stack, true);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
