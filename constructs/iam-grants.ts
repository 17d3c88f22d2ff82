/**
 * Every IAM action this app grants, as named constants in one place, and the statement shape
 * the constructs grant with (`GrantStatement`). Least privilege: only what the handlers call.
 */

/** What the data layer calls on a table: the design's four actions, no Scan, no DeleteItem. */
export const DYNAMODB_TABLE_ACTIONS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"] as const;

/** What applies to an index: only Query (the history listing). */
export const DYNAMODB_INDEX_ACTIONS = ["dynamodb:Query"] as const;

/** What a principal needs on a customer-managed table key to read and write the table through DynamoDB. */
export const KMS_TABLE_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Writing the function's own logs into its pre-created log group (no CreateLogGroup). */
export const LOGS_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** Reading uploaded audio or PDFs. */
export const S3_READ_OBJECT_ACTIONS = ["s3:GetObject"] as const;

/** Reading the model API key (a SecureString under the AWS-managed aws/ssm key: no extra KMS grant). */
export const SSM_READ_PARAMETER_ACTIONS = ["ssm:GetParameter"] as const;

/** Lambda sending a failed asynchronous event to the function's dead-letter queue. */
export const SQS_SEND_MESSAGE_ACTIONS = ["sqs:SendMessage"] as const;

/** What CloudWatch needs on the key of an encrypted SNS topic to publish alarm notifications to it. */
export const CLOUDWATCH_TOPIC_KEY_ACTIONS = ["kms:GenerateDataKey*", "kms:Decrypt"] as const;

/** What CloudWatch alarms need on their SNS topic. */
export const SNS_PUBLISH_ACTIONS = ["sns:Publish"] as const;

/** One condition of a statement, e.g. `{ test: "StringEquals", variable: "kms:ViaService", values: [...] }`. */
export interface GrantCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One `Allow` statement a construct grants (turned into an `aws_iam_policy_document` statement). */
export interface GrantStatement {
  /** Statement id: letters and digits only. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** Conditions, all of which must hold. */
  readonly conditions?: readonly GrantCondition[];
}

/**
 * A statement of any policy this app writes: an Allow or a Deny, on `actions` or on every action but
 * `notActions` (a permissions boundary's Deny of everything but a key's use, say).
 */
export interface PolicyStatement {
  /** Statement id: letters and digits only. */
  readonly sid: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  /** The actions; exactly one of `actions` and `notActions`. */
  readonly actions?: readonly string[];
  /** Every action but these (only in a Deny: the guardrails refuse an Allow with NotAction). */
  readonly notActions?: readonly string[];
  readonly resources: readonly string[];
  /** Conditions, all of which must hold. */
  readonly conditions?: readonly GrantCondition[];
}

/** The statement as an `aws_iam_policy_document` statement block. */
export function policyDocumentStatement(statement: PolicyStatement): {
  sid: string;
  effect: string;
  actions?: string[];
  notActions?: string[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
} {
  return {
    sid: statement.sid,
    effect: statement.effect ?? "Allow",
    ...(statement.actions !== undefined && { actions: [...statement.actions] }),
    ...(statement.notActions !== undefined && { notActions: [...statement.notActions] }),
    resources: [...statement.resources],
    ...(statement.conditions !== undefined && statement.conditions.length > 0 && {
      condition: statement.conditions.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
    }),
  };
}
