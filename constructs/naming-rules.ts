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

/** S3 key prefixes of the state objects (`<prefix>/<env>/terraform.tfstate`): no leading or trailing `/`. */
export const STATE_KEY_PREFIX: NamingRule = {
  description: "an S3 key prefix without leading or trailing /",
  test: (value) => /^[A-Za-z0-9!_.*'()/-]+$/.test(value) && !value.startsWith("/") && !value.endsWith("/"),
};

/** GitHub user and organization names: letters, digits and single hyphens, not at either end, at most 39. */
export const GITHUB_OWNER = pattern(
  /^(?=.{1,39}$)[A-Za-z0-9](?:-?[A-Za-z0-9])*$/,
  "a GitHub user or organization name (1-39 letters, digits and single hyphens, not starting or ending with -)",
);

/** GitHub repository names: letters, digits, `.`, `_` and `-`, at most 100, not `.` or `..`. */
export const GITHUB_REPOSITORY_NAME: NamingRule = {
  description: "a GitHub repository name (1-100 characters of letters, digits, . _ -, not . or ..)",
  test: (value) => /^[A-Za-z0-9._-]{1,100}$/.test(value) && value !== "." && value !== "..",
};

/** ARN of an account's IAM OIDC provider for GitHub Actions. Group 1 is the partition. */
export const GITHUB_OIDC_PROVIDER_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;
export const GITHUB_OIDC_PROVIDER_ARN = pattern(
  GITHUB_OIDC_PROVIDER_ARN_PATTERN,
  "the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
);

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
