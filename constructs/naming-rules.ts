/**
 * The rules AWS sets for the names and identifiers this app writes, each written once. The settings
 * (stacks/environments.ts, stacks/backend.ts) and the constructs validate with the same rules, so a
 * name the settings accept is one the constructs accept, and the messages read alike:
 *
 *   `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`
 *
 * Plain TypeScript, no cdktf import: anything may use it.
 */
import { FunctionDefinition, minimumTimeoutSeconds, modelCallRounds } from "../lambda-src/contract/function-definitions";
import { AWS_PARTITIONS, AWS_PARTITIONS_PROVIDER_VERSION, AwsPartition } from "./aws-partitions";

/** One rule: what a valid value looks like, and the test. */
export interface NamingRule {
  /** Completes "`<field>` must be …", e.g. "3-255 characters of a-z, A-Z, 0-9, _ . -". */
  readonly description: string;
  /** True when `value` follows the rule. */
  test(value: string): boolean;
  /**
   * For a value that fails the test, why, when that is more precise than the description: completes
   * "`<field>` …" (e.g. "must not contain two adjacent periods"). Undefined: the description says it.
   */
  explain?(value: string): string | undefined;
}

function pattern(regex: RegExp, description: string): NamingRule {
  return { description, test: (value) => regex.test(value) };
}

/** DynamoDB table names. */
export const TABLE_NAME = pattern(/^[a-zA-Z0-9_.-]{3,255}$/, "3-255 characters of a-z, A-Z, 0-9, _ . -");

/**
 * S3 general purpose bucket names, as the S3 User Guide's "General purpose bucket naming rules" give
 * them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63
 * characters of lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit;
 * no two adjacent periods; not shaped like an IP address; none of the prefixes and suffixes S3
 * reserves (access point and Object Lambda aliases, Multi-Region Access Points, directory buckets,
 * and table buckets, whose page adds `--table-s3`).
 */
const BUCKET_SHAPE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
const BUCKET_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;
const listed = (items: readonly string[]): string => `${items.slice(0, -1).map((i) => `\`${i}\``).join(", ")} or \`${items.at(-1)}\``;
export const BUCKET_NAME: NamingRule = {
  description: "an S3 bucket name (3-63 characters of a-z, 0-9, . and -)",
  test: (value) => BUCKET_SHAPE.test(value) && explainBucketName(value) === undefined,
  explain: explainBucketName,
};
function explainBucketName(value: string): string | undefined {
  if (!BUCKET_SHAPE.test(value)) return undefined;
  if (value.includes("..")) return "must not contain two adjacent periods (`..`)";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return "must not be shaped like an IP address";
  const prefix = BUCKET_RESERVED_PREFIXES.find((p) => value.startsWith(p));
  if (prefix) return `must not start with ${listed(BUCKET_RESERVED_PREFIXES)}: S3 reserves \`${prefix}\``;
  const suffix = BUCKET_RESERVED_SUFFIXES.find((p) => value.endsWith(p));
  if (suffix) return `must not end with ${listed(BUCKET_RESERVED_SUFFIXES)}: S3 reserves \`${suffix}\` for its aliases and special buckets`;
  return undefined;
}

/** Every region the pinned provider accepts, from its own partition data (constructs/aws-partitions.ts). */
export const AWS_REGIONS: readonly string[] = AWS_PARTITIONS.flatMap((p) => p.regions);

/** The partition a region belongs to, by the provider's list. */
export function partitionOfRegion(region: string): AwsPartition | undefined {
  return AWS_PARTITIONS.find((p) => p.regions.includes(region));
}

/** Region codes: the ones the pinned provider knows; any other fails at plan ("invalid AWS Region"). */
export const REGION: NamingRule = {
  description: `a region the pinned AWS provider (hashicorp/aws ${AWS_PARTITIONS_PROVIDER_VERSION}) knows, such as us-east-1 or ap-southeast-1`,
  test: (value) => AWS_REGIONS.includes(value),
};

/** A region problem, with the closest known regions when there are any. */
export function checkRegion(field: string, value: string): string | undefined {
  if (REGION.test(value)) return undefined;
  const near = didYouMean(value, AWS_REGIONS);
  return `${ruleProblem(field, REGION, value)}; ${near ?? "no known region is close to it: pick one from constructs/aws-partitions.ts"}`;
}

/**
 * KMS key ARNs (not aliases): single-Region key ids or multi-Region `mrk-` ids, in any partition the
 * provider knows. Group 1 is the partition, group 2 the region.
 */
export const KMS_KEY_ARN_PATTERN = new RegExp(
  `^arn:(${AWS_PARTITIONS.map((p) => p.id).join("|")}):kms:([a-z0-9-]+):\\d{12}:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`,
);
export const KMS_KEY_ARN = pattern(
  KMS_KEY_ARN_PATTERN,
  "a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)",
);

/**
 * A KMS alias name a topic may be encrypted with: `alias/<name>` of 1-250 characters of a-z, A-Z,
 * 0-9, / _ -, not one of AWS's own (`alias/aws/...`, which CloudWatch cannot use).
 */
export const KMS_ALIAS_NAME = pattern(
  /^alias\/(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/,
  "a KMS alias name like alias/bandup-bootstrap/bandup-alarms-dev (not one of AWS's own, alias/aws/...)",
);

/**
 * The alias of an environment's alarm topic key, which the bootstrap creates (constructs/alarm-topic-key.ts)
 * and the environment's stack encrypts its topic with. Under `alias/bandup-bootstrap/`: the bootstrap
 * owns it, and its name is not `alias/<topic name>`, the alias environment stacks created before.
 */
export function alarmTopicKeyAlias(topicName: string): string {
  return `alias/bandup-bootstrap/${topicName}`;
}

/** What a KMS key's region message says of the resources it encrypts. */
export interface KmsKeyPlacement {
  /** Where the resources are, followed by the region: "the environment deploys to". */
  readonly where: string;
  /** Why the key must be there. */
  readonly why: string;
}

/** The region message of a replica's key: DynamoDB encrypts each replica with a key of its own region. */
export const REPLICA_KEY_PLACEMENT: KmsKeyPlacement = { where: "its replica is in", why: "DynamoDB needs a key in the table's region" };

/**
 * Every problem with a KMS key ARN for resources in `region`: its shape, its region, and its partition
 * (a China or GovCloud region's keys are `arn:aws-cn:` or `arn:aws-us-gov:`). `placement` words the
 * region's message; the default is the tables'.
 */
export function checkKmsKeyArnForRegion(
  field: string,
  arn: string,
  region: string,
  placement: KmsKeyPlacement = { where: "the environment deploys to", why: "DynamoDB needs a key in the table's region" },
): string[] {
  const match = KMS_KEY_ARN_PATTERN.exec(arn);
  if (!match) return [ruleProblem(field, KMS_KEY_ARN, arn)];
  const [, keyPartition, keyRegion] = match;
  const problems: string[] = [];
  const partition = partitionOfRegion(region);
  if (partition !== undefined && keyPartition !== partition.id) {
    problems.push(
      `\`${field}\` is in partition \`${keyPartition}\` but region \`${region}\` is in partition \`${partition.id}\`, whose key ARNs start with \`arn:${partition.id}:kms:${region}:\`; got \`${arn}\``,
    );
  }
  if (keyRegion !== region) {
    problems.push(`\`${field}\` is in region \`${keyRegion}\` but ${placement.where} \`${region}\`; ${placement.why}`);
  }
  return problems;
}

/**
 * SSM parameter names, as PutParameter's naming constraints give them
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html): letters,
 * digits and `_ . -`, with `/` between the levels of a hierarchy (here always a path from `/`, which
 * the IAM grant's `parameter<name>` ARN needs), at most 15 levels, no name starting with `aws` or `ssm`
 * in any case (reserved), and at most 1011 characters counting the parameter's ARN before the name.
 */
const SSM_PATH_SHAPE = /^(?:\/[a-zA-Z0-9_.-]+)+$/;
const SSM_MAX_LEVELS = 15;
const SSM_MAX_LENGTH_WITH_ARN = 1011;
export const SSM_PARAMETER_NAME: NamingRule = {
  description: "an SSM parameter path like /bandup/prod/gemini-api-key (letters, digits, _ . - and /)",
  test: (value) => SSM_PATH_SHAPE.test(value) && explainSsmParameterName(value) === undefined,
  explain: (value) => explainSsmParameterName(value),
};
function explainSsmParameterName(value: string, arnPrefix = ""): string | undefined {
  if (!SSM_PATH_SHAPE.test(value)) {
    return value.includes("//") || value.endsWith("/") ? "must not have an empty level (`//` or a trailing /)" : undefined;
  }
  if (/^\/(aws|ssm)/i.test(value)) return "must not start with `/aws` or `/ssm` (in any case): SSM reserves those names";
  const levels = value.split("/").length - 1;
  if (levels > SSM_MAX_LEVELS) return `must have at most ${SSM_MAX_LEVELS} levels (SSM's limit); it has ${levels}`;
  const limit = SSM_MAX_LENGTH_WITH_ARN - arnPrefix.length;
  if (value.length > limit) {
    return `must be at most ${limit} characters: SSM counts its ARN${arnPrefix && ` (\`${arnPrefix}\`)`} in its limit of ${SSM_MAX_LENGTH_WITH_ARN}; it has ${value.length}`;
  }
  return undefined;
}

/** An SSM parameter name problem for a parameter in `region`, whose ARN counts in the length limit. */
export function checkSsmParameterName(field: string, value: string, region: string): string | undefined {
  const partition = partitionOfRegion(region)?.id ?? "aws";
  // The account id is always 12 digits: the prefix's length is known without it.
  const explained = explainSsmParameterName(value, `arn:${partition}:ssm:${region}:123456789012:parameter`);
  if (explained !== undefined) return `\`${field}\` ${explained}; got \`${value}\``;
  return checkName(field, SSM_PARAMETER_NAME, value);
}

/** Lambda function names (also the role name, which allows these characters too). */
export const FUNCTION_NAME = pattern(/^[a-zA-Z0-9_-]{1,64}$/, "1-64 characters of a-z, A-Z, 0-9, _ and -");

/** The names a function's construct derives from the function's name (also checked for clashes between environments). */
export const functionLogGroupName = (functionName: string): string => `/aws/lambda/${functionName}`;
export const deadLetterQueueName = (functionName: string): string => `${functionName}-dead-letters`;
export const dependencyLayerName = (functionName: string): string => `${functionName}-dependencies`;

/** AWS account ids. */
export const ACCOUNT_ID = pattern(/^\d{12}$/, "a 12-digit AWS account id such as 123456789012");

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

/** SNS topic names (standard topics). */
export const TOPIC_NAME = pattern(/^[a-zA-Z0-9_-]{1,256}$/, "1-256 characters of a-z, A-Z, 0-9, _ and -");

/** CloudWatch dashboard names. */
export const DASHBOARD_NAME = pattern(/^[a-zA-Z0-9_-]{1,255}$/, "1-255 characters of a-z, A-Z, 0-9, _ and -");

/** CloudWatch alarm names: 1-255 printable ASCII characters. */
export const ALARM_NAME = pattern(/^[\x20-\x7e]{1,255}$/, "1-255 printable ASCII characters");

/**
 * Email addresses for SNS `email` subscriptions, by a written rule: HTML's valid e-mail address (the
 * WHATWG rule of `<input type=email>`: a local part of RFC 5322's `atext` characters and dots, `@`, a
 * domain of letter-digit-hyphen labels of at most 63 characters, not starting or ending with `-`),
 * narrowed to what RFC 5321/5322 also require and SNS can deliver to: a dot-atom local part (no
 * leading, trailing or doubled dot) of at most 64 characters, a domain of at least two labels, at most
 * 254 characters in all. Quoted local parts and address literals (`"a b"@x.io`, `ops@[192.0.2.1]`),
 * which RFC 5322 allows and HTML does not, are refused. A value outside the coarse shape (one `@`, no
 * space, a dot in the domain) gets the description; one inside it gets the rule it breaks.
 */
const EMAIL_COARSE = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const EMAIL_ATEXT = /^[a-zA-Z0-9!#$%&'*+\-/=?^_`{|}~]$/;
const EMAIL_LABEL = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const EMAIL_RULE =
  "must be an address HTML's `<input type=email>` accepts, narrowed to RFC 5321/5322: a local part of letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ " +
  "with single dots between them, at most 64 characters, then @ and a domain of two or more labels of letters, digits and - (not at either end)";
export const EMAIL_ADDRESS: NamingRule = {
  description: "an email address like ops@example.com",
  test: (value) => value.length <= 254 && EMAIL_COARSE.test(value) && !/\.\./.test(value) && explainEmailAddress(value) === undefined,
  explain: explainEmailAddress,
};
function explainEmailAddress(value: string): string | undefined {
  if (value.length > 254 || !EMAIL_COARSE.test(value) || /\.\./.test(value.slice(value.indexOf("@")))) return undefined;
  const at = value.indexOf("@");
  const [local, domain] = [value.slice(0, at), value.slice(at + 1)];
  const why = (reason: string): string => `${EMAIL_RULE}: ${reason}`;
  const badLocal = [...local].find((c) => c !== "." && !EMAIL_ATEXT.test(c));
  if (badLocal !== undefined) return why(`\`${badLocal}\` is not allowed before the @`);
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return why("a dot cannot start or end the local part, nor follow another");
  if (local.length > 64) return why(`the local part has ${local.length} characters`);
  const badDomain = [...domain].find((c) => !/[a-zA-Z0-9.-]/.test(c));
  if (badDomain !== undefined) return why(`\`${badDomain}\` is not allowed in the domain`);
  if (!domain.split(".").every((label) => EMAIL_LABEL.test(label))) return why("a domain label cannot start or end with -, nor be longer than 63 characters");
  return undefined;
}

/** Environment names: they become part of stack, table and function names. */
export const ENVIRONMENT_NAME = pattern(/^[a-z][a-z0-9-]{0,19}$/, "1-20 characters of a-z, 0-9 and -, starting with a letter");

/** Gemini model ids. */
export const MODEL_ID = pattern(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a model id of a-z, 0-9, . _ - such as gemini-2.5-flash");

/** Tag keys and values may hold letters, digits, spaces and _ . : / = + - @. */
export const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @";

/** A tag key: 1-128 characters of TAG_TEXT, not starting with `aws:` in any case (AWS reserves it). */
export const TAG_KEY: NamingRule = {
  description: `1-128 characters of ${TAG_CHARACTERS}`,
  test: (value) => TAG_TEXT.test(value) && [...value].length >= 1 && [...value].length <= 128 && !/^aws:/i.test(value),
  explain: (value) => (/^aws:/i.test(value) ? "must not start with `aws:` (in any case): AWS reserves that prefix for its own tags" : undefined),
};

/** A tag value: 0-256 characters of TAG_TEXT. */
export const TAG_VALUE: NamingRule = {
  description: `a string of at most 256 characters of ${TAG_CHARACTERS}`,
  test: (value) => TAG_TEXT.test(value) && [...value].length <= 256,
};

/** Every problem with a set of tags (keys and values), each naming `<field>.<key>`; values may come from plain JavaScript. */
export function checkTags(field: string, tags: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (!TAG_KEY.test(key)) {
      problems.push(`\`${field}\` key ${TAG_KEY.explain?.(key) ?? `must be ${TAG_KEY.description}`}; got \`${key}\``);
    } else if (typeof value !== "string" || !TAG_VALUE.test(value)) {
      problems.push(ruleProblem(`${field}.${key}`, TAG_VALUE, value));
    }
  }
  return problems;
}

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Lambda's memory and timeout bounds. */
export const LAMBDA_LIMITS = { memoryMb: { min: 128, max: 10240 }, timeoutSeconds: { min: 1, max: 900 } } as const;

/**
 * A value as a message shows it: strings and numbers as they are; anything else, or any value when
 * `withType` (a value of the wrong type), as JSON with its type: `"yes"` (a string), `42` (a number).
 */
export function describeValue(value: unknown, withType = false): string {
  if (!withType && (typeof value === "string" || typeof value === "number")) return `\`${String(value)}\``;
  if (value === null) return "`null`";
  const text = typeof value === "number" || value === undefined ? String(value) : (JSON.stringify(value) ?? String(value));
  const type = Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
  return `\`${text}\` (${type})`;
}

/** "`<field>` must be <rule>; got `<value>`": the one shape of every naming message. */
export function ruleProblem(field: string, rule: NamingRule | string, value: unknown): string {
  const description = typeof rule === "string" ? rule : rule.description;
  return `\`${field}\` must be ${description}; got ${describeValue(value)}`;
}

/** The problem with `value` under `rule`, or undefined when it follows the rule. */
export function checkName(field: string, rule: NamingRule, value: string): string | undefined {
  if (rule.test(value)) return undefined;
  const explained = rule.explain?.(value);
  return explained === undefined ? ruleProblem(field, rule, value) : `\`${field}\` ${explained}; got \`${value}\``;
}

/**
 * The function's timeout problem: below `minimumTimeoutSeconds(definition)`, its model calls cannot
 * use their whole cap and keep the outcome's reserve; below the reserve (plus the second the handler
 * needs to start a step), every job fails with "no time left".
 */
export function checkFunctionTimeout(field: string, definition: FunctionDefinition, timeoutSeconds: number): string | undefined {
  const minimum = minimumTimeoutSeconds(definition);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds >= minimum) return undefined;
  const rounds = modelCallRounds(definition);
  const capSeconds = definition.modelCallTimeoutMs / 1000;
  const calls =
    rounds === 1
      ? `its model call may take ${capSeconds} s`
      : `its ${definition.maxModelCalls} model calls, ${definition.modelCallConcurrency} at a time, may take ${rounds} x ${capSeconds} s`;
  const reserveSeconds = definition.outcomeReserveMs / 1000;
  return (
    `\`${field}\` must be at least ${minimum} seconds for the ${definition.kind}: ${calls} (\`modelCallTimeoutMs\`) and recording ` +
    `the job's outcome keeps ${reserveSeconds} s more (\`outcomeReserveMs\`); a shorter timeout cuts the model calls short, and ` +
    `under ${reserveSeconds + 1} s every job fails with "no time left"; got \`${timeoutSeconds}\``
  );
}

/**
 * The candidates closest to `value` (case-insensitive edit distance, adjacent swaps counting one), as
 * "did you mean `a`?" or "did you mean `a` or `b`?"; undefined when none is within 2 edits.
 */
export function didYouMean(value: string, candidates: readonly string[]): string | undefined {
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  if (!(best <= 2) || best >= value.length) return undefined;
  const closest = scored.filter((s) => s.distance === best).map((s) => `\`${s.candidate}\``);
  return `did you mean ${closest.length === 1 ? closest[0] : `${closest.slice(0, -1).join(", ")} or ${closest.at(-1)}`}?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_unused, i) => Array.from({ length: b.length + 1 }, (_unused2, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
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
