/**
 * Every deployment environment of BandUp, in one typed module, and the validation that stops synth
 * when a setting is wrong. Add an environment by adding an entry to `ENVIRONMENTS`.
 */
import type { OnDemandThroughputCaps, TableReplica } from "../constructs/bandup-table";
import { OWNER_STACK_TAG } from "../constructs/iam-grants";
import {
  ACCOUNT_ID,
  BUCKET_NAME,
  checkFunctionTimeout,
  checkKmsKeyArnForRegion,
  REPLICA_KEY_PLACEMENT,
  checkLogRetentionDays,
  checkName,
  checkRegion,
  checkRequestUnits,
  checkRestorePointInTime,
  checkSsmParameterName,
  checkTableClass,
  checkTags,
  checkWholeNumber,
  deadLetterQueueName,
  KMS_KEY_ARN,
  KMS_KEY_ARN_PATTERN,
  KmsKeyPlacement,
  REGION,
  dependencyLayerName,
  describeValue,
  didYouMean,
  EMAIL_ADDRESS,
  ENVIRONMENT_NAME,
  functionLogGroupName,
  LAMBDA_LIMITS,
  LOG_RETENTION_DAYS,
  MODEL_ID,
  partitionOfRegion,
  PITR_RECOVERY_DAYS,
  ruleProblem,
  TABLE_NAME,
  TableClass,
  TAG_VALUE,
} from "../constructs/naming-rules";
import { FUNCTION_DEFINITIONS, FunctionKind } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../lambda-src/contract/table-definitions";

/** Per-function settings of an environment. */
export interface FunctionSettings {
  /**
   * Memory in MB, 128-10240.
   * @default - the function's default (512 for the Writing Evaluator, 1024 for the others)
   */
  readonly memoryMb?: number;
  /**
   * Timeout in seconds, 1-900.
   * @default - the function's default (120 s writing, 180 s speaking, 300 s flashcards)
   */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency (0 turns the function off).
   * @default - none, the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

/**
 * On-demand throughput caps of one table and of its history index. A cap given in part keeps the
 * default of the other unit; `false` takes the cap off (DynamoDB's "no maximum", which also lifts a
 * cap set earlier).
 */
export interface TableThroughputSettings {
  /**
   * Read and write request units per second at most on the table.
   * @default - 1,000 reads and 400 writes outside protected environments (README, "Cost caps"), none when protected
   */
  readonly table?: Partial<OnDemandThroughputCaps> | false;
  /**
   * Read and write request units per second at most on the history index.
   * @default - 128 reads and 400 writes outside protected environments (README, "Cost caps"), none when protected
   */
  readonly historyIndex?: Partial<OnDemandThroughputCaps> | false;
}

/** What happens to the original table of a restore. */
export type OriginalTableState = "keep" | "unprotect" | "retire";

/**
 * A point-in-time restore of one table into a new table, in three steps an operator takes one deploy
 * at a time (README, "Restoring a table"): the restore itself, `switchFunctions`, then `original`.
 * Keep the entry for as long as the restored table lives: it is that table's definition.
 */
export interface TableRestoreSettings {
  /** The table to restore: `evaluations` or `flashcard-sets`. */
  readonly table: TableKind;
  /**
   * The time to restore to: an RFC 3339 time in UTC ("2026-11-20T08:30:00Z"), within the table's
   * recovery window, or "latest" (the latest restorable time, about five minutes before the apply).
   */
  readonly pointInTime: string;
  /**
   * Name of the new table (3-255 characters of `[a-zA-Z0-9_.-]`).
   * @default - the original's name followed by `-restored`
   */
  readonly tableName?: string;
  /**
   * Step 2: the functions of that table read and write the restored table instead (their variable
   * and their IAM policy follow the table they are given); `false` switches them back.
   * @default false
   */
  readonly switchFunctions?: boolean;
  /**
   * Step 3: the original table. `keep` it; `unprotect` it (protected environments: deletion
   * protection and `prevent_destroy` off, so it can be deleted); `retire` it (removed from the stack:
   * Terraform deletes it and every item in it). Both need `switchFunctions`.
   * @default "keep"
   */
  readonly original?: OriginalTableState;
}

/** Settings of one environment as written by hand; every optional field has a default. */
export interface EnvironmentSettings {
  /**
   * AWS region the environment's provider deploys to.
   * @default "us-east-1"
   */
  readonly region?: string;
  /**
   * The AWS account the environment deploys to, 12 digits. The provider is pinned to it
   * (`allowed_account_ids`: Terraform refuses credentials of any other account), and environments in
   * the same region with different accounts are known not to share resource names.
   * @default - none: whatever account the credentials belong to; environments in the same region may share it
   */
  readonly accountId?: string;
  /**
   * Where the environment stands in the promotion order: a push to main deploys every environment of
   * stage `dev`, then every one of `staging`, then every one of `prod` (`npm run environments` lists them).
   * @default - the environment's own name for `dev`, `staging` and `prod`; `prod` for any other name, the
   * last turn, so that an environment nobody placed gets a change only after every dev and staging one
   * has deployed it
   */
  readonly stage?: Stage;
  /**
   * Protect stateful resources: DynamoDB `deletion_protection_enabled` and Terraform
   * `lifecycle.prevent_destroy` on both tables.
   * @default - true for `prod`, false otherwise
   */
  readonly protected?: boolean;
  /**
   * Table names, per table.
   * @default - the design's names (`bandup-evaluations`, `bandup-flashcard-sets`) in `prod`, so tables
   * created with the AWS CLI can be adopted; `<name>-<env>` elsewhere
   */
  readonly tableNames?: Partial<Record<TableKind, string>>;
  /**
   * ARN of a customer-managed KMS key that encrypts both tables. Must be in the environment's region.
   * @default - the AWS-owned key (DynamoDB encrypts at rest in any case)
   */
  readonly tableKmsKeyArn?: string;
  /**
   * Create the history index `user_id-created_at-index` on both tables, for a user's history newest first.
   * @default true
   */
  readonly historyIndexEnabled?: boolean;
  /**
   * Value of the `Environment` tag of every resource (1-256 characters of letters, digits, spaces and
   * _ . : / = + - @).
   * @default - "production" in prod (the tag the design puts on the tables it creates), the environment's name elsewhere
   */
  readonly environmentTag?: string;
  /**
   * Extra tags for every resource, next to `Project=bandup` and `Environment`: keys of 1-128 characters,
   * values of at most 256, of letters, digits, spaces and _ . : / = + - @; no key starting with `aws:`.
   * @default {}
   */
  readonly extraTags?: Record<string, string>;
  /**
   * Days CloudWatch keeps the functions' logs; one of the values CloudWatch accepts.
   * @default - 365 in protected environments, 30 otherwise
   */
  readonly logRetentionDays?: number;
  /**
   * Memory, timeout and reserved concurrency per function.
   * @default {} - each function's defaults
   */
  readonly functions?: Partial<Record<FunctionKind, FunctionSettings>>;
  /**
   * Gemini model id the functions call (stored in records as `model_used`).
   * @default "gemini-2.5-flash"
   */
  readonly modelId?: string;
  /**
   * Name of the SSM SecureString parameter that holds the model API key; only this parameter is readable.
   * @default "/bandup/<env>/gemini-api-key"
   */
  readonly modelApiKeyParameter?: string;
  /**
   * S3 bucket of the uploads: audio under `uploads/audio/`, PDFs under `uploads/documents/`.
   * @default - "bandup-uploads" in prod, "bandup-uploads-<env>" elsewhere
   */
  readonly uploadsBucket?: string;
  /**
   * Adopt tables of the same names that already exist in the account (created by hand with the AWS
   * CLI): the stack emits Terraform `import` blocks for both tables, so the first deploy imports them
   * instead of failing or replacing them. Turn it on for that first deploy, off afterwards.
   * @default false
   */
  readonly adoptExistingTables?: boolean;
  /**
   * Days of point-in-time recovery of every table, 1-35 (`recovery_period_in_days`): how far back
   * a table can be restored. Protected environments keep 35 unless a suppression of BANDUP-DDB-7 says why.
   * @default - 35 in protected environments, 7 otherwise
   */
  readonly pitrRecoveryDays?: number;
  /**
   * On-demand throughput caps per table and per history index (a cost guard: a runaway loop is
   * throttled instead of billed); `false` takes every cap off.
   * @default - on outside protected environments (README, "Cost caps"), off when protected
   */
  readonly onDemandThroughput?: Partial<Record<TableKind, TableThroughputSettings>> | false;
  /**
   * Table class of every table: `STANDARD`, or `STANDARD_INFREQUENT_ACCESS` (about 60% cheaper
   * storage, dearer requests: for tables read and written rarely).
   * @default "STANDARD"
   */
  readonly tableClass?: TableClass;
  /**
   * Regions of replicas of every table (global tables version 2019.11.21): regions the pinned
   * provider knows, of the environment's partition, other than its own, each once. The tables'
   * streams are on whenever this is set (replicas need them): set `[]` to remove the last replica,
   * then remove the setting.
   * @default - no replicas
   */
  readonly replicaRegions?: readonly string[];
  /**
   * Customer-managed KMS key per replica region, required for every replica region when
   * `tableKmsKeyArn` is set (and refused without it): each key in its own region.
   * @default {}
   */
  readonly replicaKmsKeyArns?: Readonly<Record<string, string>>;
  /**
   * Restore one table to a point in time into a new table, switch the functions to it, retire the
   * original (see `TableRestoreSettings`).
   * @default - no restore
   */
  readonly restore?: TableRestoreSettings;
  /**
   * Email addresses subscribed to the environment's alarm topic. Each one gets a confirmation email
   * from SNS and receives nothing until the link in it is followed.
   * @default [] - no subscription: alarms change state and show on the dashboard, and notify no one
   */
  readonly alarmEmails?: readonly string[];
  /**
   * ARN of a customer-managed KMS key (in the environment's region) that encrypts the alarm topic.
   * Its key policy must let `cloudwatch.amazonaws.com` use it (`kms:GenerateDataKey*`,
   * `kms:Decrypt`), or CloudWatch cannot publish to the topic.
   * @default - a key the stack creates for the topic, with that permission (CloudWatch cannot publish
   * to a topic encrypted with the AWS-managed key `alias/aws/sns`: its policy cannot be changed)
   */
  readonly alarmTopicKmsKeyArn?: string;
}

/** A restore with its defaults applied. */
export interface ResolvedTableRestore {
  readonly table: TableKind;
  /** The original table's name: the restore's source. */
  readonly sourceTableName: string;
  readonly pointInTime: string;
  readonly tableName: string;
  readonly switchFunctions: boolean;
  readonly original: OriginalTableState;
}

/** The promotion stages, in deploy order. */
export const STAGES = ["dev", "staging", "prod"] as const;
export type Stage = (typeof STAGES)[number];

/** Settings of one function with defaults applied. */
export interface ResolvedFunctionSettings {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
}

/** The alarm topic and dashboard of an environment, with defaults applied. */
export interface ResolvedAlarmSettings {
  /** `bandup-alarms` in prod, `bandup-alarms-<env>` elsewhere. */
  readonly topicName: string;
  /** The customer key of the topic; undefined: the stack creates one. */
  readonly topicKmsKeyArn?: string;
  /** Addresses subscribed to the topic (`email` protocol). */
  readonly emails: readonly string[];
  /** `bandup-operations` in prod, `bandup-operations-<env>` elsewhere. */
  readonly dashboardName: string;
}

/** An environment with every default applied and every value validated. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly stage: Stage;
  readonly region: string;
  /** The account the provider is pinned to, when the settings name one. */
  readonly accountId?: string;
  readonly protected: boolean;
  readonly tableNames: Readonly<Record<TableKind, string>>;
  readonly tableKmsKeyArn?: string;
  readonly historyIndexEnabled: boolean;
  /** `Project`, `Environment` and the extra tags. */
  readonly tags: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  readonly functions: Readonly<Record<FunctionKind, ResolvedFunctionSettings>>;
  readonly modelId: string;
  readonly modelApiKeyParameter: string;
  readonly uploadsBucket: string;
  readonly adoptExistingTables: boolean;
  readonly pitrRecoveryDays: number;
  /** Caps per table; `undefined`: no `on_demand_throughput` block; `false`: DynamoDB's "no maximum". */
  readonly onDemandThroughput: Readonly<Record<TableKind, { readonly table?: OnDemandThroughputCaps | false; readonly historyIndex?: OnDemandThroughputCaps | false }>>;
  readonly tableClass: TableClass;
  /** Replicas of every table, with their region's key when the tables have a customer key. */
  readonly replicas: readonly TableReplica[];
  /** The tables' streams: on whenever `replicaRegions` is set, even empty. */
  readonly tableStreamEnabled: boolean;
  readonly restore?: ResolvedTableRestore;
  /** The alarm topic (its key and subscriptions) and the dashboard. */
  readonly alarms: ResolvedAlarmSettings;
}

/** Retention periods CloudWatch Logs accepts, in days (constructs/naming-rules.ts). */
export { LOG_RETENTION_DAYS };

/** The environments this app deploys, in deployment order. */
export const ENVIRONMENTS: Readonly<Record<string, EnvironmentSettings>> = {
  dev: {},
  staging: {},
  prod: { protected: true },
};

/** AWS's limit of tags on one resource: the same for every type this app tags (DynamoDB, Lambda, IAM, SQS, SNS, KMS, CloudWatch, Logs). */
export const MAX_TAGS_PER_RESOURCE = 50;
/** Tags the provider adds to every resource of an environment's stack (`default_tags`), beside `Project`, `Environment` and the extra tags. */
export const PROVIDER_DEFAULT_TAGS: Readonly<Record<string, string>> = { ManagedBy: "cdktf" };
/** Tag keys this app sets itself, and why an extra tag may not take them. */
const OWN_TAG_KEYS: Readonly<Record<string, string>> = {
  Project: "",
  Environment: " (`environmentTag` sets its value)",
  ...Object.fromEntries(Object.keys(PROVIDER_DEFAULT_TAGS).map((key) => [key, ""])),
  [OWNER_STACK_TAG]: " (the deploy roles tell the KMS keys a stack owns by it)",
};

/** The environment whose tables keep the design's exact names. */
export const PRODUCTION_ENVIRONMENT = "prod";
/** The `Environment` tag of prod's resources: the design tags the tables it creates `Environment=production`. */
export const PRODUCTION_ENVIRONMENT_TAG = "production";
export const DEFAULT_REGION = "us-east-1";

/** Names of the resolved stacks: one Terraform stack per environment. */
export function stackName(environment: string): string {
  return `bandup-${environment}`;
}

/** Thrown when an environment's settings are invalid; the message lists every problem. */
export class EnvironmentConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid settings for environment \`${environment}\`:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvironmentConfigError";
  }
}

/** What every section of one environment's settings is resolved with. */
interface SectionInput {
  readonly name: string;
  /** The settings, with every value of the wrong type reported and left out. */
  readonly settings: EnvironmentSettings;
  readonly isProduction: boolean;
  /** `-<env>` appended to the design's names outside prod, "" in prod. */
  readonly suffix: string;
  readonly region: string;
  /** The region is one the provider knows: checks that compare with it run only then (its own problem is reported once). */
  readonly regionKnown: boolean;
  readonly isProtected: boolean;
  /** Records a problem (undefined: none). */
  readonly report: (problem: string | undefined) => void;
  /** Reports every problem of a customer key: its shape, its region and partition (when the region is known), its account. */
  readonly checkKey: (field: string, arn: string, region: string, placement?: KmsKeyPlacement) => void;
}

/** The type of a setting, as checked before any section reads it (the bootstrap's settings too). */
export type SettingType =
  | "string"
  | "boolean"
  | "number"
  /** An array whose items all have one type. */
  | { readonly items: SettingType }
  /** An object whose keys are free (checked by its section) and whose values all have one type. */
  | { readonly entries: SettingType }
  /** An object with known keys only; `what` names one of them in messages ("function setting"). */
  | { readonly fields: Readonly<Record<string, SettingType>>; readonly what: string }
  /** A list whose items all have one type. */
  | { readonly items: SettingType }
  /** `false` (turned off), or a value of the object type given. */
  | { readonly falseOr: SettingType };

const FUNCTION_SETTING_TYPES: { readonly [K in keyof Required<FunctionSettings>]: SettingType } = {
  memoryMb: "number",
  timeoutSeconds: "number",
  reservedConcurrency: "number",
};

const THROUGHPUT_CAPS_TYPE: SettingType = {
  falseOr: { fields: { maxReadRequestUnits: "number", maxWriteRequestUnits: "number" }, what: "throughput cap" },
};
const TABLE_THROUGHPUT_SETTING_TYPES: { readonly [K in keyof Required<TableThroughputSettings>]: SettingType } = {
  table: THROUGHPUT_CAPS_TYPE,
  historyIndex: THROUGHPUT_CAPS_TYPE,
};
const RESTORE_SETTING_TYPES: { readonly [K in keyof Required<TableRestoreSettings>]: SettingType } = {
  table: "string",
  pointInTime: "string",
  tableName: "string",
  switchFunctions: "boolean",
  original: "string",
};

/** Every setting of an environment and its type: a setting added to `EnvironmentSettings` must be added here. */
const SETTING_TYPES: { readonly [K in keyof Required<EnvironmentSettings>]: SettingType } = {
  region: "string",
  accountId: "string",
  stage: "string",
  protected: "boolean",
  tableNames: { entries: "string" },
  tableKmsKeyArn: "string",
  historyIndexEnabled: "boolean",
  environmentTag: "string",
  extraTags: { entries: "string" },
  logRetentionDays: "number",
  functions: { entries: { fields: FUNCTION_SETTING_TYPES, what: "function setting" } },
  modelId: "string",
  modelApiKeyParameter: "string",
  uploadsBucket: "string",
  adoptExistingTables: "boolean",
  pitrRecoveryDays: "number",
  onDemandThroughput: { falseOr: { entries: { fields: TABLE_THROUGHPUT_SETTING_TYPES, what: "throughput setting of a table" } } },
  tableClass: "string",
  replicaRegions: { items: "string" },
  replicaKmsKeyArns: { entries: "string" },
  restore: { fields: RESTORE_SETTING_TYPES, what: "restore setting" },
  alarmEmails: { items: "string" },
  alarmTopicKmsKeyArn: "string",
};

/** The name of every setting of an environment, in the order of `EnvironmentSettings`. */
export const SETTING_NAMES: readonly string[] = Object.keys(SETTING_TYPES);

/**
 * Settings may come from plain JavaScript: reports every value of the wrong type and every unknown key
 * (with the closest known one), and returns the settings without them, so that the sections, which
 * apply defaults in their place, only see values of the declared types.
 */
function checkSettingTypes(settings: unknown, report: (problem: string) => void): EnvironmentSettings {
  return (checkType(settings, { fields: SETTING_TYPES, what: "setting of an environment" }, undefined, report) ?? {}) as EnvironmentSettings;
}

/**
 * `value` without what does not match `type`: each value of the wrong type and each unknown key (with
 * the closest known one) is reported and left out. `field` is the path of `value`, undefined at the top.
 */
export function checkType(value: unknown, type: SettingType, field: string | undefined, report: (problem: string) => void): unknown {
  if (value === undefined) return undefined;
  if (typeof type === "string") {
    if (typeof value === type) return value;
    report(`\`${field}\` must be a ${type}; got ${describeValue(value, true)}`);
    return undefined;
  }
  if ("falseOr" in type) {
    if (value === false) return false;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return checkType(value, type.falseOr, field, report);
    report(`\`${field}\` must be an object or \`false\`; got ${describeValue(value, true)}`);
    return undefined;
  }
  if ("items" in type) {
    if (!Array.isArray(value)) {
      report(`\`${field}\` must be a list; got ${describeValue(value, true)}`);
      return undefined;
    }
    // Each wrong item is reported, and the array is left out when one is, so that its section sees only good ones.
    let allChecked = true;
    const items = value.map((item, index) => {
      const checkedItem = checkType(item ?? null, type.items, `${field}[${index}]`, report);
      if (checkedItem === undefined) allChecked = false;
      return checkedItem;
    });
    return allChecked ? items : undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    report(`${field === undefined ? "the settings" : `\`${field}\``} must be an object; got ${describeValue(value, true)}`);
    return undefined;
  }
  const checked: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const path = field === undefined ? key : `${field}.${key}`;
    let entryType: SettingType;
    if ("entries" in type) {
      entryType = type.entries;
    } else if (Object.prototype.hasOwnProperty.call(type.fields, key)) {
      entryType = type.fields[key];
    } else {
      const known = Object.keys(type.fields);
      report(`\`${path}\` is not a ${type.what}; ${didYouMean(key, known) ?? `the known ones are ${known.map((k) => `\`${k}\``).join(", ")}`}`);
      continue;
    }
    const checkedEntry = checkType(entry, entryType, path, report);
    if (checkedEntry !== undefined) checked[key] = checkedEntry;
  }
  return checked;
}

/**
 * Applies the defaults to one environment's settings and validates them, section by section. Collects
 * every problem and throws one `EnvironmentConfigError` naming the environment, the field and the value.
 */
export function resolveEnvironment(name: string, settingsAsWritten: EnvironmentSettings): ResolvedEnvironment {
  const { environment, problems } = resolveAndReport(name, settingsAsWritten);
  if (problems.length > 0) throw new EnvironmentConfigError(name, problems);
  return environment;
}

/**
 * The environment with its defaults applied, as far as its settings allow (a value of the wrong type
 * gives way to its default), and every problem found: what the checks across environments need even
 * when the environment has problems of its own, so that every problem comes in one round.
 */
function resolveAndReport(name: string, settingsAsWritten: EnvironmentSettings): { environment: ResolvedEnvironment; problems: string[] } {
  const problems: string[] = [];
  const report = (problem: string | undefined): void => void (problem !== undefined && problems.push(problem));
  if (!ENVIRONMENT_NAME.test(name)) report(`the environment name must be ${ENVIRONMENT_NAME.description}; got \`${name}\``);
  const settings = checkSettingTypes(settingsAsWritten, report);
  const region = settings.region ?? DEFAULT_REGION;
  report(checkRegion("region", region));
  const regionKnown = REGION.test(region);
  const accountId = settings.accountId !== undefined && ACCOUNT_ID.test(settings.accountId) ? settings.accountId : undefined;
  if (settings.accountId !== undefined) report(checkName("accountId", ACCOUNT_ID, settings.accountId));
  const isProduction = name === PRODUCTION_ENVIRONMENT;
  const input: SectionInput = {
    name,
    settings,
    isProduction,
    suffix: isProduction ? "" : `-${name}`,
    region,
    regionKnown,
    isProtected: settings.protected ?? isProduction,
    report,
    checkKey: keyChecker(accountId, report),
  };

  const tables = resolveTables(input);
  const resolved: ResolvedEnvironment = {
    name,
    ...resolveStage(input),
    region,
    accountId: settings.accountId,
    protected: input.isProtected,
    ...tables,
    tags: resolveTags(input),
    ...resolveFunctions(input),
    ...resolveModelAndUploads(input),
    adoptExistingTables: settings.adoptExistingTables ?? false,
    ...resolveTableOperations(input, tables),
    alarms: resolveAlarms(input),
  };
  return { environment: resolved, problems };
}

/**
 * The check of an environment's customer keys: shape; region and partition when the environment's
 * region is known (an unknown one is reported once, as `region`); account. A key of another account is
 * refused, not explained away: KMS allows it only when the key's own policy, in that account, grants
 * this environment's roles and services, a policy this app neither writes nor checks. Without
 * `accountId`, the first key's account stands for the environment's.
 */
function keyChecker(accountId: string | undefined, report: SectionInput["report"]): SectionInput["checkKey"] {
  let first: { field: string; account: string } | undefined;
  const crossAccount =
    "KMS lets a key serve another account only when the key's own policy, in its account, allows this environment's roles and services, and this app " +
    "can neither write nor check that policy";
  return (field, arn, region, placement) => {
    if (!REGION.test(region)) {
      report(checkName(field, KMS_KEY_ARN, arn));
    } else {
      checkKmsKeyArnForRegion(field, arn, region, placement).forEach(report);
    }
    if (!KMS_KEY_ARN_PATTERN.test(arn)) return;
    const account = arn.split(":")[4];
    if (accountId !== undefined) {
      if (account !== accountId) report(`\`${field}\` is a key of account \`${account}\` but \`accountId\` is \`${accountId}\`: use a key of \`${accountId}\`. ${crossAccount}`);
    } else if (first === undefined) {
      first = { field, account };
    } else if (account !== first.account) {
      report(
        `\`${field}\` is a key of account \`${account}\` but \`${first.field}\` is a key of \`${first.account}\`: an environment deploys to one account, ` +
          `so at least one of them is another account's. ${crossAccount}; set \`accountId\` and use keys of that account`,
      );
    }
  };
}

/** The stage: as set; else the name for `dev`, `staging` and `prod`, and the last stage for any other name. */
function resolveStage({ name, settings, report }: SectionInput): { stage: Stage } {
  const isStage = (value: unknown): value is Stage => (STAGES as readonly unknown[]).includes(value);
  const stage = settings.stage ?? (isStage(name) ? name : STAGES[STAGES.length - 1]);
  if (!isStage(stage)) report(ruleProblem("stage", `one of ${STAGES.map((s) => `\`${s}\``).join(", ")}`, stage));
  return { stage };
}

/** Table names (the design's in prod, `<name>-<env>` elsewhere), the customer key, the history index. */
function resolveTables({ name, settings, isProduction, region, report, checkKey }: SectionInput) {
  const tableNames = {} as Record<TableKind, string>;
  for (const definition of TABLE_DEFINITIONS) {
    const tableName = settings.tableNames?.[definition.kind] ?? (isProduction ? definition.baseName : `${definition.baseName}-${name}`);
    report(checkName(`tableNames.${definition.kind}`, TABLE_NAME, tableName));
    tableNames[definition.kind] = tableName;
  }
  for (const kind of Object.keys(settings.tableNames ?? {})) {
    if (!TABLE_DEFINITIONS.some((d) => d.kind === kind)) {
      report(`\`tableNames.${kind}\` is not a table of this app; the tables are ${TABLE_DEFINITIONS.map((d) => `\`${d.kind}\``).join(", ")}`);
    }
  }
  if (tableNames.evaluations === tableNames["flashcard-sets"]) {
    report(`\`tableNames\` gives both tables the same name \`${tableNames.evaluations}\``);
  }

  const tableKmsKeyArn = settings.tableKmsKeyArn;
  if (tableKmsKeyArn !== undefined) checkKey("tableKmsKeyArn", tableKmsKeyArn, region);
  return { tableNames, tableKmsKeyArn, historyIndexEnabled: settings.historyIndexEnabled ?? true };
}

/**
 * `Project`, `Environment` and the extra tags: no key the app sets itself nor one that differs from
 * another only in case (IAM compares tag keys case-insensitively), and no more than AWS's 50 per
 * resource once the app's own tags are counted (the provider's default tags are on every resource).
 */
function resolveTags({ name, settings, isProduction, report }: SectionInput): Record<string, string> {
  const environmentTag = settings.environmentTag ?? (isProduction ? PRODUCTION_ENVIRONMENT_TAG : name);
  // An empty tag value is valid in AWS, but an empty `Environment` tag names no environment.
  report(
    environmentTag === ""
      ? ruleProblem("environmentTag", "a tag value of 1-256 characters", environmentTag)
      : checkName("environmentTag", TAG_VALUE, environmentTag),
  );
  const extraTags: Record<string, string> = { ...settings.extraTags };
  const byLowerCase = new Map<string, string>();
  const caseOnly = "IAM compares tag keys case-insensitively, so the functions' roles cannot carry both";
  for (const key of Object.keys(extraTags)) {
    const own = Object.keys(OWN_TAG_KEYS).find((ownKey) => ownKey.toLowerCase() === key.toLowerCase());
    const earlier = byLowerCase.get(key.toLowerCase());
    if (own === key) {
      report(`\`extraTags.${key}\` would override a tag this app sets itself; remove it${OWN_TAG_KEYS[key]}`);
    } else if (own !== undefined) {
      report(`\`extraTags.${key}\` differs only in case from \`${own}\`, a tag this app sets itself; ${caseOnly}: remove it`);
    } else if (earlier !== undefined) {
      report(`\`extraTags.${key}\` differs only in case from \`extraTags.${earlier}\`; ${caseOnly}: keep one`);
    } else {
      byLowerCase.set(key.toLowerCase(), key);
      continue;
    }
    delete extraTags[key];
  }
  checkTags("extraTags", extraTags).forEach(report);
  // The most tagged resource: the alarm topic's key the stack creates (its owner tag besides), else any.
  const everywhere = ["Project", "Environment", ...Object.keys(PROVIDER_DEFAULT_TAGS)];
  const createsTopicKey = settings.alarmTopicKmsKeyArn === undefined;
  const appTags = everywhere.length + (createsTopicKey ? 1 : 0);
  const count = Object.keys(extraTags).length;
  if (count + appTags > MAX_TAGS_PER_RESOURCE) {
    const names = `${everywhere.slice(0, -1).map((k) => `\`${k}\``).join(", ")} and \`${everywhere.at(-1)}\``;
    const where = createsTopicKey
      ? `on the alarm topic's key (${names} on every resource, \`${OWNER_STACK_TAG}\` on that key)`
      : `on every resource (${names})`;
    report(
      `\`extraTags\` has ${count} tags, and this app puts ${appTags} more ${where}: ${count + appTags} tags, where AWS allows ${MAX_TAGS_PER_RESOURCE} per resource; ` +
        `keep at most ${MAX_TAGS_PER_RESOURCE - appTags} extra tags`,
    );
  }
  return { Project: "bandup", Environment: environmentTag, ...extraTags };
}

/** Each function's name, memory, timeout and reserved concurrency, and the log retention. */
function resolveFunctions({ settings, suffix, isProtected, report }: SectionInput) {
  const logRetentionDays = settings.logRetentionDays ?? (isProtected ? 365 : 30);
  report(checkLogRetentionDays("logRetentionDays", logRetentionDays));

  const functions = {} as Record<FunctionKind, ResolvedFunctionSettings>;
  const { memoryMb: memory, timeoutSeconds: timeout } = LAMBDA_LIMITS;
  for (const definition of FUNCTION_DEFINITIONS) {
    const own = settings.functions?.[definition.kind] ?? {};
    const field = `functions.${definition.kind}`;
    const memoryMb = own.memoryMb ?? definition.defaultMemoryMb;
    const timeoutSeconds = own.timeoutSeconds ?? definition.defaultTimeoutSeconds;
    report(checkWholeNumber(`${field}.memoryMb`, memoryMb, memory.min, memory.max, "MB"));
    report(
      checkWholeNumber(`${field}.timeoutSeconds`, timeoutSeconds, timeout.min, timeout.max, "seconds") ??
        checkFunctionTimeout(`${field}.timeoutSeconds`, definition, timeoutSeconds),
    );
    if (own.reservedConcurrency !== undefined && (!Number.isInteger(own.reservedConcurrency) || own.reservedConcurrency < 0)) {
      report(ruleProblem(`${field}.reservedConcurrency`, "a whole number >= 0", own.reservedConcurrency));
    }
    functions[definition.kind] = { functionName: `${definition.baseName}${suffix}`, memoryMb, timeoutSeconds, reservedConcurrency: own.reservedConcurrency };
  }
  for (const kind of Object.keys(settings.functions ?? {})) {
    if (!FUNCTION_DEFINITIONS.some((d) => d.kind === kind)) {
      report(`\`functions.${kind}\` is not a function of this app; the functions are ${FUNCTION_DEFINITIONS.map((d) => `\`${d.kind}\``).join(", ")}`);
    }
  }
  return { functions, logRetentionDays };
}

/** The model the functions call, the parameter of its API key, and the uploads bucket. */
function resolveModelAndUploads({ name, settings, suffix, region, regionKnown, report }: SectionInput) {
  const modelId = settings.modelId ?? "gemini-2.5-flash";
  report(checkName("modelId", MODEL_ID, modelId));
  const modelApiKeyParameter = settings.modelApiKeyParameter ?? `/bandup/${name}/gemini-api-key`;
  report(checkSsmParameterName("modelApiKeyParameter", modelApiKeyParameter, regionKnown ? region : DEFAULT_REGION));
  const uploadsBucket = settings.uploadsBucket ?? `bandup-uploads${suffix}`;
  report(checkName("uploadsBucket", BUCKET_NAME, uploadsBucket));
  return { modelId, modelApiKeyParameter, uploadsBucket };
}

/** The alarm topic's name, key and email subscriptions, and the dashboard's name. */
function resolveAlarms({ settings, suffix, region, report, checkKey }: SectionInput): ResolvedAlarmSettings {
  // Both names are the environment's suffix on a fixed base, so they follow their rules (the constructs check again).
  const topicName = `bandup-alarms${suffix}`;
  const dashboardName = `bandup-operations${suffix}`;

  const emails = settings.alarmEmails ?? [];
  const seen = new Map<string, number>();
  emails.forEach((email, index) => {
    report(checkName(`alarmEmails[${index}]`, EMAIL_ADDRESS, email));
    const key = email.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) report(`\`alarmEmails[${index}]\` repeats \`alarmEmails[${first}]\` (\`${email}\`); list each address once`);
    else seen.set(key, index);
  });

  const topicKmsKeyArn = settings.alarmTopicKmsKeyArn;
  if (topicKmsKeyArn !== undefined) {
    checkKey("alarmTopicKmsKeyArn", topicKmsKeyArn, region, { where: "the environment deploys to", why: "SNS needs a key in the topic's region" });
  }
  return { topicName, topicKmsKeyArn, emails: [...emails], dashboardName };
}

/** Default caps outside protected environments; README "Cost caps" has the arithmetic. */
export const DEFAULT_THROUGHPUT_CAPS: Readonly<{ table: OnDemandThroughputCaps; historyIndex: OnDemandThroughputCaps }> = {
  // Writes: one write of the largest item (400 KB, 400 WRU) per second; reads: the design's page of
  // 10 such items read by key, strongly consistent (10 x 100 RRU).
  table: { maxReadRequestUnits: 1_000, maxWriteRequestUnits: 400 },
  // Reads: the most one Query reads (1 MB, eventually consistent: 128 RRU); writes: as the table (an
  // index entry is never larger than its item, so the index never throttles what the table lets through).
  historyIndex: { maxReadRequestUnits: 128, maxWriteRequestUnits: 400 },
};

/** Caps of one table or index: the defaults (when on) merged with a partial setting; `false` as given. */
function resolveCaps(
  field: string,
  setting: Partial<OnDemandThroughputCaps> | false | undefined,
  defaults: OnDemandThroughputCaps | undefined,
  report: SectionInput["report"],
): OnDemandThroughputCaps | false | undefined {
  if (setting === false) return false;
  if (setting === undefined) return defaults;
  const caps = { ...defaults, ...setting };
  for (const unit of ["maxReadRequestUnits", "maxWriteRequestUnits"] as const) {
    if (caps[unit] === undefined) {
      report(`\`${field}.${unit}\` is required: ${field} has no default cap in this environment, so give both units (or \`false\`)`);
    } else {
      report(checkRequestUnits(`${field}.${unit}`, caps[unit]));
    }
  }
  return caps as OnDemandThroughputCaps;
}

/**
 * The tables' recovery window, cost caps, class and replicas, and the restore of one table: every
 * setting that decides how a table is operated after it is created.
 */
function resolveTableOperations(
  input: SectionInput,
  tables: { tableNames: Readonly<Record<TableKind, string>>; tableKmsKeyArn?: string },
) {
  const { name, settings, isProtected, report } = input;
  const pitrRecoveryDays = settings.pitrRecoveryDays ?? (isProtected ? PITR_RECOVERY_DAYS.max : 7);
  report(checkWholeNumber("pitrRecoveryDays", pitrRecoveryDays, PITR_RECOVERY_DAYS.min, PITR_RECOVERY_DAYS.max, "days"));

  const tableClass = settings.tableClass ?? "STANDARD";
  report(checkTableClass("tableClass", tableClass));

  const capsSetting = settings.onDemandThroughput;
  const defaults = isProtected ? undefined : DEFAULT_THROUGHPUT_CAPS;
  const onDemandThroughput = {} as Record<TableKind, { table?: OnDemandThroughputCaps | false; historyIndex?: OnDemandThroughputCaps | false }>;
  for (const { kind } of TABLE_DEFINITIONS) {
    const own = capsSetting === false ? { table: false as const, historyIndex: false as const } : (capsSetting?.[kind] ?? {});
    onDemandThroughput[kind] = {
      table: resolveCaps(`onDemandThroughput.${kind}.table`, own.table, defaults?.table, report),
      historyIndex: resolveCaps(`onDemandThroughput.${kind}.historyIndex`, own.historyIndex, defaults?.historyIndex, report),
    };
  }
  for (const kind of Object.keys(capsSetting === false ? {} : (capsSetting ?? {}))) {
    if (!TABLE_DEFINITIONS.some((d) => d.kind === kind)) {
      report(`\`onDemandThroughput.${kind}\` is not a table of this app; the tables are ${TABLE_DEFINITIONS.map((d) => `\`${d.kind}\``).join(", ")}`);
    }
  }

  const replicas = resolveReplicas(input, tables.tableKmsKeyArn);
  return {
    pitrRecoveryDays,
    onDemandThroughput,
    tableClass,
    replicas,
    tableStreamEnabled: settings.replicaRegions !== undefined,
    restore: resolveRestore(name, settings, isProtected, tables.tableNames, report),
  };
}

/**
 * The replicas: known regions of the environment's partition, not its own, each once, with their keys
 * (compared with the environment's region only when that one is known).
 */
function resolveReplicas({ settings, region, regionKnown, report, checkKey }: SectionInput, tableKmsKeyArn: string | undefined): TableReplica[] {
  const regions = settings.replicaRegions ?? [];
  const keys = settings.replicaKmsKeyArns ?? {};
  const partition = regionKnown ? partitionOfRegion(region)?.id : undefined;
  const replicas: TableReplica[] = [];
  for (const [i, replicaRegion] of regions.entries()) {
    const field = `replicaRegions[${i}]`;
    const unknownRegion = checkRegion(field, replicaRegion);
    if (regionKnown && replicaRegion === region) {
      report(`\`${field}\` is \`${replicaRegion}\`, the environment's own region; a replica must be in another region`);
    } else if (unknownRegion !== undefined) {
      report(unknownRegion);
    } else if (partition !== undefined && partitionOfRegion(replicaRegion)?.id !== partition) {
      report(`\`${field}\` is \`${replicaRegion}\`, in partition \`${partitionOfRegion(replicaRegion)?.id}\`; the environment is in \`${partition}\` and a global table cannot span partitions`);
    } else if (regions.indexOf(replicaRegion) !== i) {
      report(`\`${field}\` repeats \`${replicaRegion}\`; list each region once`);
    } else {
      const key = Object.prototype.hasOwnProperty.call(keys, replicaRegion) ? keys[replicaRegion] : undefined;
      if (tableKmsKeyArn !== undefined && key === undefined) {
        report(`\`replicaKmsKeyArns.${replicaRegion}\` is required: the tables have a customer key (\`tableKmsKeyArn\`), so the replica in \`${replicaRegion}\` needs a key of that region`);
      }
      if (key !== undefined) checkKey(`replicaKmsKeyArns.${replicaRegion}`, key, replicaRegion, REPLICA_KEY_PLACEMENT);
      replicas.push({ region: replicaRegion, kmsKeyArn: key });
    }
  }
  for (const keyRegion of Object.keys(keys)) {
    if (tableKmsKeyArn === undefined) {
      report(`\`replicaKmsKeyArns.${keyRegion}\` is set but \`tableKmsKeyArn\` is not; replicas use the tables' kind of key: set \`tableKmsKeyArn\` or remove the replica keys`);
    } else if (!regions.includes(keyRegion)) {
      report(`\`replicaKmsKeyArns.${keyRegion}\` names a region that is not in \`replicaRegions\`; add the region or remove the key`);
    }
  }
  return replicas;
}

/** The restore, checked against the tables it restores and the steps it takes. */
function resolveRestore(
  name: string,
  settings: EnvironmentSettings,
  isProtected: boolean,
  tableNames: Readonly<Record<TableKind, string>>,
  report: SectionInput["report"],
): ResolvedTableRestore | undefined {
  const restore = settings.restore;
  if (restore === undefined) return undefined;
  const missing = (["table", "pointInTime"] as const).filter((key) => restore[key] === undefined);
  if (missing.length > 0) {
    missing.forEach((key) => report(`\`restore.${key}\` is required: a restore names the table to restore and the time to restore it to`));
    return undefined;
  }
  if (!TABLE_DEFINITIONS.some((d) => d.kind === restore.table)) {
    report(ruleProblem("restore.table", `one of ${TABLE_DEFINITIONS.map((d) => d.kind).join(", ")}`, restore.table));
    return undefined;
  }
  const sourceTableName = tableNames[restore.table];
  const tableName = restore.tableName ?? `${sourceTableName}-restored`;
  report(checkName("restore.tableName", TABLE_NAME, tableName));
  if (Object.values(tableNames).includes(tableName)) {
    report(`\`restore.tableName\` is \`${tableName}\`, the name of a table of this environment; a restore creates a new table`);
  }
  report(checkRestorePointInTime("restore.pointInTime", restore.pointInTime, new Date()));
  const switchFunctions = restore.switchFunctions ?? false;
  const original = restore.original ?? "keep";
  if (!["keep", "unprotect", "retire"].includes(original)) {
    report(ruleProblem("restore.original", "one of keep, unprotect, retire", original));
  } else if (original !== "keep" && !switchFunctions) {
    report(`\`restore.original\` is \`${original}\` but the functions still use \`${sourceTableName}\`; set \`restore.switchFunctions: true\` first (and deploy it)`);
  } else if (original === "unprotect" && !isProtected) {
    report(`\`restore.original\` is \`unprotect\` but \`${name}\` is not protected: its tables have no deletion protection to turn off; use \`retire\``);
  }
  return { table: restore.table, sourceTableName, pointInTime: restore.pointInTime, tableName, switchFunctions, original };
}

/** The name of the table the functions of `kind`'s table use: the restored one once switched, else the original. */
export function functionTableName(environment: ResolvedEnvironment, kind: TableKind): string {
  const restore = environment.restore;
  return restore !== undefined && restore.table === kind && restore.switchFunctions ? restore.tableName : environment.tableNames[kind];
}

/** Looks up a known environment by name, with its defaults applied; throws for an unknown name. */
export function getEnvironment(
  name: string,
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): ResolvedEnvironment {
  const settings = Object.prototype.hasOwnProperty.call(environments, name) ? environments[name] : undefined;
  if (settings === undefined) {
    throw new EnvironmentConfigError(name, [
      `unknown environment \`${name}\`; known environments are ${Object.keys(environments).map((e) => `\`${e}\``).join(", ")}. Add it to ENVIRONMENTS in stacks/environments.ts`,
    ]);
  }
  return resolveEnvironment(name, settings);
}

/**
 * Every environment, resolved, in the order of `ENVIRONMENTS`; throws once, listing every environment's
 * problems, its own and those it has with the environments before it (`sharedNameProblems`).
 */
export function allEnvironments(
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): ResolvedEnvironment[] {
  const { resolved, error } = resolveEnvironments(environments);
  if (error !== undefined) throw error;
  return [...resolved];
}

/** What `resolveEnvironments` finds. */
export interface EnvironmentsResolution {
  /** Every environment in the order of the settings, its defaults applied as far as its settings allow. */
  readonly resolved: readonly ResolvedEnvironment[];
  /** The environments without a problem: those a stack can be built for. */
  readonly valid: readonly ResolvedEnvironment[];
  /** Every problem of every environment, its own and those it has with the ones before it; undefined when none. */
  readonly error?: EnvironmentConfigError | EnvironmentsConfigError;
}

/**
 * `allEnvironments` without the throw: every environment resolved as far as it can be, and every
 * problem, for the app-level check (stacks/app.ts) that reports the bootstrap's and the stacks'
 * problems in the same round.
 */
export function resolveEnvironments(environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS): EnvironmentsResolution {
  const results = Object.entries(environments).map(([name, settings]) => ({ name, ...resolveAndReport(name, settings) }));
  const problems = new Map<string, string[]>(results.map((r) => [r.name, r.problems]));
  // Every environment whose region is known takes part, its own problems notwithstanding: one round.
  const comparable = results.filter((r) => REGION.test(r.environment.region)).map((r) => r.environment);
  for (const [name, shared] of sharedNameProblems(comparable)) problems.get(name)!.push(...shared);
  const failures = [...problems].filter(([, found]) => found.length > 0).map(([name, found]) => new EnvironmentConfigError(name, found));
  return {
    resolved: results.map((r) => r.environment),
    valid: results.filter((r) => problems.get(r.name)!.length === 0).map((r) => r.environment),
    error: failures.length === 0 ? undefined : failures.length === 1 ? failures[0] : new EnvironmentsConfigError(failures),
  };
}

/** A name an environment gives one of its resources, and where AWS needs it unique. */
interface NamedResource {
  /** The setting that decides the name. */
  readonly field: string;
  readonly what: string;
  readonly name: string;
  /** `region`: unique in an account and region; `account`: unique in an account (IAM is global). */
  readonly scope: "region" | "account";
  /** The region the resource is in (its environment's, or a replica's). */
  readonly region: string;
  /** How to tell the two apart, when both names come from the same setting. */
  readonly fix: string;
  /** What it is, as the earlier of two: "a table of environment `dev`" unless said otherwise. */
  readonly of?: (environment: string) => string;
  /** What it is, as the later of two, after its name: "" unless said otherwise. */
  readonly note?: string;
}

/**
 * Every name an environment gives a resource AWS needs unique: its tables (except a retired original),
 * the table its restore creates, each table's replica in every replica region, and each function's
 * name, log group, dead-letter queue, layer and IAM role.
 */
function namedResources(environment: ResolvedEnvironment): NamedResource[] {
  const { region, restore } = environment;
  const resources: NamedResource[] = [];
  const replicaRegions = environment.replicas.map((replica) => replica.region);
  const table = (field: string, name: string, fix: string, of?: NamedResource["of"], note?: string): void => {
    resources.push({ field, what: "table", name, scope: "region", region, fix, of, note });
    for (const replicaRegion of replicaRegions) {
      resources.push({
        field: "replicaRegions",
        what: "table",
        name,
        scope: "region",
        region: replicaRegion,
        fix: "give one of them another `replicaRegions`",
        of: (env) => `a replica table of environment \`${env}\` (\`replicaRegions\`)`,
        note: ` (a replica in ${replicaRegion})`,
      });
    }
  };
  for (const definition of TABLE_DEFINITIONS) {
    const retired = restore?.table === definition.kind && restore.original === "retire";
    if (!retired) table(`tableNames.${definition.kind}`, environment.tableNames[definition.kind], `give one of them another \`tableNames.${definition.kind}\``);
  }
  if (restore !== undefined) {
    table(
      "restore.tableName",
      restore.tableName,
      "give one of them another `restore.tableName`",
      (env) => `the table the restore of environment \`${env}\` creates (\`restore.tableName\`)`,
      " (the table the restore creates)",
    );
  }
  for (const definition of FUNCTION_DEFINITIONS) {
    const { functionName } = environment.functions[definition.kind];
    const field = `functions.${definition.kind}`;
    const fix = "rename one of the environments: function names end with the environment's name (none in prod)";
    resources.push(
      { field, what: "Lambda function", name: functionName, scope: "region", region, fix },
      { field, what: "log group", name: functionLogGroupName(functionName), scope: "region", region, fix },
      { field, what: "dead-letter queue", name: deadLetterQueueName(functionName), scope: "region", region, fix },
      { field, what: "IAM role", name: functionName, scope: "account", region, fix },
    );
    if ((definition.layerPackages ?? []).length > 0) {
      resources.push({ field, what: "Lambda layer", name: dependencyLayerName(functionName), scope: "region", region, fix });
    }
  }
  return resources;
}

/**
 * What environments cannot share, each problem reported on the later of two environments (in the
 * order of the settings), naming the earlier one:
 * - the names of tables, functions, log groups, dead-letter queues and layers of environments in the
 *   same region, and of IAM roles of environments in the same partition, when they may be in the same
 *   account: the settings know an account only when both environments set `accountId`;
 * - an uploads bucket (S3 names are global in a partition) of a protected and an unprotected
 *   environment: each one's functions could read the other's users' files.
 */
export function sharedNameProblems(environments: readonly ResolvedEnvironment[]): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const add = (environment: string, problem: string): void => void problems.set(environment, [...(problems.get(environment) ?? []), problem]);
  environments.forEach((later, index) => {
    const laterPartition = partitionOfRegion(later.region)?.id;
    for (const earlier of environments.slice(0, index)) {
      if (partitionOfRegion(earlier.region)?.id !== laterPartition) continue;
      const knownApart = later.accountId !== undefined && earlier.accountId !== undefined && later.accountId !== earlier.accountId;
      if (!knownApart) {
        const account =
          later.accountId !== undefined && later.accountId === earlier.accountId
            ? `the same account (\`${later.accountId}\`)`
            : "which may be the same AWS account (set `accountId` on both if it is not)";
        const theirs = namedResources(earlier);
        for (const resource of namedResources(later)) {
          const same = theirs.find(
            (t) => t.what === resource.what && t.name === resource.name && (resource.scope === "account" || t.region === resource.region),
          );
          if (same === undefined) continue;
          const where = resource.scope === "account" ? "an account, in every region (IAM is global)" : "an account and region";
          const theirDescription = same.of?.(earlier.name) ?? `${/^[aeiou]/i.test(same.what) ? "an" : "a"} ${same.what} of environment \`${earlier.name}\``;
          const fix = same.field === resource.field ? resource.fix : `change \`${resource.field}\` here or \`${same.field}\` in \`${earlier.name}\``;
          add(
            later.name,
            `\`${resource.field}\`: ${resource.what} \`${resource.name}\`${resource.note ?? ""} is also ${theirDescription} ` +
              `in ${resource.scope === "account" ? earlier.region : same.region}, ${account}; ${resource.what} names must be unique in ${where}, so ${fix}`,
          );
        }
      }
      if (later.uploadsBucket === earlier.uploadsBucket && later.protected !== earlier.protected) {
        const [isProtected, notProtected] = later.protected ? [later, earlier] : [earlier, later];
        add(
          later.name,
          `\`uploadsBucket\` \`${later.uploadsBucket}\` is also the uploads bucket of environment \`${earlier.name}\`, and \`${notProtected.name}\` is ` +
            `not protected while \`${isProtected.name}\` is: the functions of each would read the other's users' recordings and documents; ` +
            "give each its own bucket",
        );
      }
    }
  });
  return problems;
}

/** Thrown when several environments have invalid settings; the message holds each one's problems. */
export class EnvironmentsConfigError extends Error {
  constructor(readonly failures: readonly EnvironmentConfigError[]) {
    super(failures.map((f) => f.message).join("\n"));
    this.name = "EnvironmentsConfigError";
  }
}
