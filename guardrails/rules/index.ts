/** Every guardrail rule, in report order. */
import { GuardrailRule } from "../types";
import { ALARM_ACTIONS } from "./alarms-actions";
import { ALARM_DEAD_LETTER_QUEUES } from "./alarms-dead-letter-queues";
import { ALARM_FUNCTIONS } from "./alarms-functions";
import { ALARM_TABLES } from "./alarms-tables";
import { ALARM_TOPIC_ENCRYPTION } from "./alarms-topic-encryption";
import { DDB_BILLING_MODE } from "./dynamodb-billing-mode";
import { DDB_CUSTOMER_MANAGED_KEY } from "./dynamodb-customer-managed-key";
import { DDB_DELETION_PROTECTION } from "./dynamodb-deletion-protection";
import { DDB_KEY_SCHEMA } from "./dynamodb-key-schema";
import { DDB_POINT_IN_TIME_RECOVERY } from "./dynamodb-point-in-time-recovery";
import { DDB_RECOVERY_WINDOW } from "./dynamodb-recovery-window";
import { DDB_TAGS } from "./dynamodb-tags";
import { GUARD_KNOWN_RULE, GUARD_SUPPRESSION_REASON, GUARD_SUPPRESSION_USED } from "./guard-suppressions";
import { IAM_EXACT_IAM_ACTIONS } from "./iam-exact-iam-actions";
import { IAM_FUNCTION_TABLE_ACCESS } from "./iam-function-table-access";
import { IAM_GITHUB_OIDC_TRUST } from "./iam-github-oidc-trust";
import { IAM_NO_UNCONSTRAINED_WRITES } from "./iam-no-unconstrained-writes";
import { IAM_NO_WILDCARD_ACTIONS } from "./iam-no-wildcard-actions";
import { IAM_NO_WILDCARD_RESOURCES } from "./iam-no-wildcard-resources";
import { IAM_PASS_ROLE_CONDITION } from "./iam-pass-role-condition";
import { IAM_QUERY_INDEX } from "./iam-query-index";
import { IAM_READABLE_POLICIES } from "./iam-readable-policies";
import { LAMBDA_FAILURE_DESTINATION } from "./lambda-failure-destination";
import { LAMBDA_LOG_GROUP } from "./lambda-log-group";
import { LAMBDA_RESERVED_CONCURRENCY } from "./lambda-reserved-concurrency";
import { LAMBDA_SUPPORTED_RUNTIME } from "./lambda-supported-runtime";
import { LAMBDA_TABLE_VARIABLES } from "./lambda-table-variables";
import { S3_ENCRYPTION } from "./s3-encryption";
import { S3_NONCURRENT_EXPIRATION } from "./s3-noncurrent-expiration";
import { S3_OWNERSHIP_ENFORCED } from "./s3-ownership-enforced";
import { S3_PREVENT_DESTROY } from "./s3-prevent-destroy";
import { S3_PUBLIC_ACCESS_BLOCK } from "./s3-public-access-block";
import { S3_TLS_ONLY } from "./s3-tls-only";
import { S3_VERSIONING } from "./s3-versioning";

/** The rules that inspect resources. */
export const RESOURCE_RULES: readonly GuardrailRule[] = [
  DDB_POINT_IN_TIME_RECOVERY,
  DDB_CUSTOMER_MANAGED_KEY,
  DDB_DELETION_PROTECTION,
  DDB_BILLING_MODE,
  DDB_KEY_SCHEMA,
  DDB_TAGS,
  DDB_RECOVERY_WINDOW,
  IAM_NO_WILDCARD_ACTIONS,
  IAM_NO_WILDCARD_RESOURCES,
  IAM_NO_UNCONSTRAINED_WRITES,
  IAM_FUNCTION_TABLE_ACCESS,
  IAM_QUERY_INDEX,
  IAM_READABLE_POLICIES,
  IAM_EXACT_IAM_ACTIONS,
  IAM_PASS_ROLE_CONDITION,
  IAM_GITHUB_OIDC_TRUST,
  LAMBDA_LOG_GROUP,
  LAMBDA_SUPPORTED_RUNTIME,
  LAMBDA_TABLE_VARIABLES,
  LAMBDA_RESERVED_CONCURRENCY,
  LAMBDA_FAILURE_DESTINATION,
  S3_VERSIONING,
  S3_ENCRYPTION,
  S3_PUBLIC_ACCESS_BLOCK,
  S3_TLS_ONLY,
  S3_OWNERSHIP_ENFORCED,
  S3_NONCURRENT_EXPIRATION,
  S3_PREVENT_DESTROY,
  ALARM_TABLES,
  ALARM_FUNCTIONS,
  ALARM_DEAD_LETTER_QUEUES,
  ALARM_ACTIONS,
  ALARM_TOPIC_ENCRYPTION,
];

/** The rules about suppressions themselves; the engine checks them. */
export const SUPPRESSION_RULES: readonly GuardrailRule[] = [GUARD_SUPPRESSION_REASON, GUARD_KNOWN_RULE, GUARD_SUPPRESSION_USED];

/** Every rule. */
export const ALL_RULES: readonly GuardrailRule[] = [...RESOURCE_RULES, ...SUPPRESSION_RULES];
