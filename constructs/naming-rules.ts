/**
 * The rules AWS sets for the names and identifiers this app writes, each written once. The settings
 * (stacks/environments.ts, stacks/backend.ts) and the constructs validate with the same rules, so a
 * name the settings accept is one the constructs accept, and the messages read alike:
 *
 *   `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`
 *
 * Plain TypeScript, no cdktf import: anything may use it.
 */

/** One rule: what a valid value looks like, and the test. */
export interface NamingRule {
  /** Completes "`<field>` must be …", e.g. "3-255 characters of a-z, A-Z, 0-9, _ . -". */
  readonly description: string;
  /** True when `value` follows the rule. */
  test(value: string): boolean;
}

function pattern(regex: RegExp, description: string): NamingRule {
  return { description, test: (value) => regex.test(value) };
}

/** DynamoDB table names. */
export const TABLE_NAME = pattern(/^[a-zA-Z0-9_.-]{3,255}$/, "3-255 characters of a-z, A-Z, 0-9, _ . -");

/** S3 bucket names: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit. */
export const BUCKET_NAME = pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3-63 characters of a-z, 0-9, . and -)");

/** Region codes of the commercial, GovCloud, China and ISO partitions: us-east-1, us-gov-west-1, cn-north-1, us-isob-east-1. */
export const REGION = pattern(/^(?:[a-z]{2}|us-gov|us-iso[a-z]?|eu-isoe)-[a-z]+-\d{1,2}$/, "an AWS region code such as us-east-1 or ap-southeast-1");

/** KMS key ARNs (not aliases): single-Region key ids or multi-Region `mrk-` ids. Group 1 is the partition, group 2 the region. */
export const KMS_KEY_ARN_PATTERN =
  /^arn:(aws(?:-cn|-us-gov|-iso|-iso-b)?):kms:([a-z0-9-]+):\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
export const KMS_KEY_ARN = pattern(
  KMS_KEY_ARN_PATTERN,
  "a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
);

/** SSM parameter names: a path of letters, digits and _ . - /, starting with /, at most 1011 characters. */
export const SSM_PARAMETER_NAME: NamingRule = {
  description: "an SSM parameter path like /bandup/prod/gemini-api-key (letters, digits, _ . - and /)",
  test: (value) => /^(?:\/[a-zA-Z0-9_.-]+)+$/.test(value) && value.length <= 1011,
};

/** Lambda function names (also the role name, which allows these characters too). */
export const FUNCTION_NAME = pattern(/^[a-zA-Z0-9_-]{1,64}$/, "1-64 characters of a-z, A-Z, 0-9, _ and -");

/** Lambda layer names. */
export const LAYER_NAME = pattern(/^[a-zA-Z0-9_-]{1,140}$/, "1-140 characters of a-z, A-Z, 0-9, _ and -");

/** SQS queue names (standard queues). */
export const QUEUE_NAME = pattern(/^[a-zA-Z0-9_-]{1,80}$/, "1-80 characters of a-z, A-Z, 0-9, _ and -");

/** Environment names: they become part of stack, table and function names. */
export const ENVIRONMENT_NAME = pattern(/^[a-z][a-z0-9-]{0,19}$/, "1-20 characters of a-z, 0-9 and -, starting with a letter");

/** Gemini model ids. */
export const MODEL_ID = pattern(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a model id of a-z, 0-9, . _ - such as gemini-2.5-flash");

/** Tag keys and values may hold letters, digits, spaces and _ . : / = + - @. */
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Lambda's memory and timeout bounds. */
export const LAMBDA_LIMITS = { memoryMb: { min: 128, max: 10240 }, timeoutSeconds: { min: 1, max: 900 } } as const;

/** "`<field>` must be <rule>; got `<value>`": the one shape of every naming message. */
export function ruleProblem(field: string, rule: NamingRule | string, value: unknown): string {
  const description = typeof rule === "string" ? rule : rule.description;
  return `\`${field}\` must be ${description}; got \`${String(value)}\``;
}

/** The problem with `value` under `rule`, or undefined when it follows the rule (or is not a string yet). */
export function checkName(field: string, rule: NamingRule, value: string): string | undefined {
  return rule.test(value) ? undefined : ruleProblem(field, rule, value);
}

/** The problem with a whole number outside `[min, max]`, or undefined. */
export function checkWholeNumber(field: string, value: number, min: number, max: number, unit: string): string | undefined {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : ruleProblem(field, `a whole number of ${unit} from ${min} to ${max}`, value);
}

/** The problem with a log retention CloudWatch does not accept, or undefined. */
export function checkLogRetentionDays(field: string, value: number): string | undefined {
  return (LOG_RETENTION_DAYS as readonly number[]).includes(value) ? undefined : ruleProblem(field, `one of ${LOG_RETENTION_DAYS.join(", ")}`, value);
}

/**
 * Public AWS regions by partition, as AWS lists them (kept by hand, like the runtime dates of
 * guardrails/lambda-runtimes.ts): a replica region must be one of them. A region missing here is
 * refused with the list, so add it when AWS opens one.
 */
export const AWS_REGIONS_BY_PARTITION: Readonly<Record<string, readonly string[]>> = {
  aws: [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
    "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

/** The partition of a region code, from its prefix (`cn-` is aws-cn, `us-gov-` aws-us-gov, `us-iso-` aws-iso, ...). */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  return "aws";
}

/** True when `region` is a public region AWS lists (`AWS_REGIONS_BY_PARTITION`). */
export function isKnownRegion(region: string): boolean {
  return Object.values(AWS_REGIONS_BY_PARTITION).some((regions) => regions.includes(region));
}

/**
 * The problem with a customer-managed KMS key ARN meant for a resource in `region`: not a key ARN,
 * a key of another partition, or a key of another region (DynamoDB needs the key in the table's own
 * region), or undefined.
 */
export function checkKmsKeyArnFor(field: string, value: string, region: string): string | undefined {
  const match = KMS_KEY_ARN_PATTERN.exec(value);
  if (!match) return ruleProblem(field, KMS_KEY_ARN, value);
  const partition = partitionOfRegion(region);
  if (match[1] !== partition) {
    return `\`${field}\` is a key of partition \`${match[1]}\` but \`${region}\` is in partition \`${partition}\`; use a key ARN that starts with arn:${partition}:kms:${region}:`;
  }
  if (match[2] !== region) {
    return `\`${field}\` is a key of region \`${match[2]}\` but the table is in \`${region}\`; DynamoDB needs a key in the table's own region`;
  }
  return undefined;
}

/** Days of point-in-time recovery DynamoDB keeps (`recovery_period_in_days`). */
export const PITR_RECOVERY_DAYS = { min: 1, max: 35 } as const;

/** DynamoDB table classes. */
export const TABLE_CLASSES = ["STANDARD", "STANDARD_INFREQUENT_ACCESS"] as const;
export type TableClass = (typeof TABLE_CLASSES)[number];

/** The problem with a table class DynamoDB does not know, or undefined. */
export function checkTableClass(field: string, value: string): string | undefined {
  return (TABLE_CLASSES as readonly string[]).includes(value) ? undefined : ruleProblem(field, `one of ${TABLE_CLASSES.join(", ")}`, value);
}

/**
 * The problem with an on-demand throughput cap (`max_read_request_units`, `max_write_request_units`):
 * DynamoDB takes a whole number of request units per second from 1 up, or undefined.
 */
export function checkRequestUnits(field: string, value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 1 ? undefined : ruleProblem(field, "a whole number of request units per second, 1 or more", value);
}

/** A restore time the AWS provider takes (`restore_date_time`): RFC 3339 in UTC, e.g. `2026-11-20T08:30:00Z`. */
export const RESTORE_DATE_TIME = pattern(
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/,
  'an RFC 3339 time in UTC such as "2026-11-20T08:30:00Z", or "latest"',
);

/**
 * The problem with a point in time to restore to: `"latest"`, or an RFC 3339 UTC time that exists
 * on the calendar and is not after `now` (DynamoDB restores only to a past time within the table's
 * recovery window, which it checks itself), or undefined.
 */
export function checkRestorePointInTime(field: string, value: string, now: Date): string | undefined {
  if (value === "latest") return undefined;
  if (!RESTORE_DATE_TIME.test(value)) return ruleProblem(field, RESTORE_DATE_TIME, value);
  const time = new Date(value);
  // `new Date` rolls 2026-02-30 over to March: a real date prints back to the same day.
  if (Number.isNaN(time.getTime()) || time.toISOString().slice(0, 19) !== value.slice(0, 19)) {
    return ruleProblem(field, "a date and time that exist on the calendar", value);
  }
  if (time.getTime() > now.getTime()) {
    return ruleProblem(field, `a past time (DynamoDB restores only to a time within the recovery window; it is now ${now.toISOString()})`, value);
  }
  return undefined;
}
