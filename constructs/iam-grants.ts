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

/**
 * The tag naming the stack that owns a resource whose ARN is unknown until it exists (a new KMS key's
 * id): the stack's deploy role may create such a resource only with this tag, and manage only the
 * ones that carry it.
 */
export const OWNER_STACK_TAG = "BandupStack";

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
