/**
 * Minimal stacks built from the provider's classes, compliant with every guardrail; each test breaks
 * exactly one thing. Not a test file (jest runs `*.test.ts` only).
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
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

/** A stack that passes every rule: two tables, an evaluator function with role, policy and log group. */
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
  applyGuardrails(stack, { protected: isProtected, now: NOW, warnings: "none", ...options.guardrails });
  return { stack, evaluations, flashcards, role, document, rolePolicy, fn, logGroup };
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
