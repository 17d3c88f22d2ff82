/**
 * How the IAM rules classify actions (unscopable, write), as named constants in one place.
 */

/**
 * Actions that have no resource-level permissions: `Resource: "*"` is the only way to grant them, so
 * BANDUP-IAM-2 (Checkov CKV_AWS_355) accepts `*` for them. Add an action here only after checking the
 * Service Authorization Reference ("Resource types" column empty).
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  "cloudwatch:PutMetricData",
  "cloudwatch:GetMetricData",
  "cloudwatch:ListMetrics",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "ec2:CreateNetworkInterface",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "logs:DescribeLogGroups",
  "dynamodb:ListTables",
  "dynamodb:DescribeLimits",
  "dynamodb:DescribeEndpoints",
  "dynamodb:DescribeReservedCapacity",
  "dynamodb:DescribeReservedCapacityOfferings",
  "dynamodb:ListBackups",
  "dynamodb:ListContributorInsights",
  "dynamodb:ListExports",
  "dynamodb:ListGlobalTables",
  "dynamodb:ListImports",
  "dynamodb:ListStreams",
  "kms:ListKeys",
  "kms:ListAliases",
  "lambda:ListFunctions",
  "lambda:GetAccountSettings",
  "s3:ListAllMyBuckets",
  "sts:GetCallerIdentity",
  "ssm:DescribeParameters",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "bedrock:ListFoundationModels",
  "sns:GetSubscriptionAttributes",
  "sns:SetSubscriptionAttributes",
  "sns:Unsubscribe",
];

/**
 * Verbs that make an action a write (create, change or delete something), for BANDUP-IAM-3
 * (Checkov CKV_AWS_290). Matched against the part after `service:`.
 */
export const WRITE_VERBS: readonly string[] = [
  "Put", "Update", "Delete", "Create", "Batch", "Write", "Attach", "Detach", "Set", "Add", "Remove",
  "Modify", "Restore", "Import", "Export", "Tag", "Untag", "Enable", "Disable", "Associate",
  "Disassociate", "Upload", "Invoke", "Pass", "Send", "Publish", "Start", "Stop", "Terminate", "Reset",
  "Replace", "Register", "Deregister", "Change", "Copy", "Move", "Execute", "Run", "Apply", "Revoke",
  "Grant", "Encrypt", "Decrypt", "GenerateDataKey", "Sign", "Rotate", "Schedule", "Cancel", "Purge",
];

/** DynamoDB's Query, the action that reads indexes (BANDUP-IAM-5). */
export const DYNAMODB_QUERY = "dynamodb:Query";

/**
 * AWS managed policies that grant DynamoDB on every table; attaching one to a function breaks
 * BANDUP-IAM-4 (a function touches only its own table).
 */
export const TABLE_WIDE_MANAGED_POLICIES = /:policy\/(?:.*DynamoDB.*|AdministratorAccess|PowerUserAccess|ReadOnlyAccess)$/;

/** True when an action is a write, per `WRITE_VERBS` (`*`, `dynamodb:*` and `dynamodb:Put*` are writes). */
export function isWriteAction(action: string): boolean {
  if (action === "*") return true;
  const name = action.split(":")[1] ?? "";
  if (name === "" || name.startsWith("*")) return true;
  return WRITE_VERBS.some((verb) => name.toLowerCase().startsWith(verb.toLowerCase()));
}

/** True when an action has no resource-level permissions (see `UNSCOPABLE_ACTIONS`). */
export function isUnscopable(action: string): boolean {
  return UNSCOPABLE_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase());
}
