/**
 * Every deployment environment of BandUp, in one typed module, and the validation that stops synth
 * when a setting is wrong. Add an environment by adding an entry to `ENVIRONMENTS`.
 */
import {
  ACCOUNT_ID,
  BUCKET_NAME,
  checkFunctionTimeout,
  checkKmsKeyArnForRegion,
  checkLogRetentionDays,
  checkName,
  checkRegion,
  checkSsmParameterName,
  checkTags,
  checkWholeNumber,
  deadLetterQueueName,
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
  ruleProblem,
  TABLE_NAME,
  TAG_VALUE,
} from "../constructs/naming-rules";
import { FUNCTION_DEFINITIONS, FunctionKind } from "../lambda-src/shared/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../lambda-src/shared/table-definitions";

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
  readonly isProtected: boolean;
  /** Records a problem (undefined: none). */
  readonly report: (problem: string | undefined) => void;
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
  | { readonly fields: Readonly<Record<string, SettingType>>; readonly what: string };

const FUNCTION_SETTING_TYPES: { readonly [K in keyof Required<FunctionSettings>]: SettingType } = {
  memoryMb: "number",
  timeoutSeconds: "number",
  reservedConcurrency: "number",
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
  const problems: string[] = [];
  const report = (problem: string | undefined): void => void (problem !== undefined && problems.push(problem));
  if (!ENVIRONMENT_NAME.test(name)) report(`the environment name must be ${ENVIRONMENT_NAME.description}; got \`${name}\``);
  const settings = checkSettingTypes(settingsAsWritten, report);
  const region = settings.region ?? DEFAULT_REGION;
  report(checkRegion("region", region));
  if (settings.accountId !== undefined) report(checkName("accountId", ACCOUNT_ID, settings.accountId));
  const isProduction = name === PRODUCTION_ENVIRONMENT;
  const input: SectionInput = {
    name,
    settings,
    isProduction,
    suffix: isProduction ? "" : `-${name}`,
    region,
    isProtected: settings.protected ?? isProduction,
    report,
  };

  const resolved: ResolvedEnvironment = {
    name,
    ...resolveStage(input),
    region,
    accountId: settings.accountId,
    protected: input.isProtected,
    ...resolveTables(input),
    tags: resolveTags(input),
    ...resolveFunctions(input),
    ...resolveModelAndUploads(input),
    adoptExistingTables: settings.adoptExistingTables ?? false,
    alarms: resolveAlarms(input),
  };
  if (problems.length > 0) throw new EnvironmentConfigError(name, problems);
  return resolved;
}

/** The stage: as set; else the name for `dev`, `staging` and `prod`, and the last stage for any other name. */
function resolveStage({ name, settings, report }: SectionInput): { stage: Stage } {
  const isStage = (value: unknown): value is Stage => (STAGES as readonly unknown[]).includes(value);
  const stage = settings.stage ?? (isStage(name) ? name : STAGES[STAGES.length - 1]);
  if (!isStage(stage)) report(ruleProblem("stage", `one of ${STAGES.map((s) => `\`${s}\``).join(", ")}`, stage));
  return { stage };
}

/** Table names (the design's in prod, `<name>-<env>` elsewhere), the customer key, the history index. */
function resolveTables({ name, settings, isProduction, region, report }: SectionInput) {
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
  if (tableKmsKeyArn !== undefined) checkKmsKeyArnForRegion("tableKmsKeyArn", tableKmsKeyArn, region).forEach(report);
  return { tableNames, tableKmsKeyArn, historyIndexEnabled: settings.historyIndexEnabled ?? true };
}

/** `Project`, `Environment` and the extra tags. */
function resolveTags({ name, settings, isProduction, report }: SectionInput): Record<string, string> {
  const environmentTag = settings.environmentTag ?? (isProduction ? PRODUCTION_ENVIRONMENT_TAG : name);
  // An empty tag value is valid in AWS, but an empty `Environment` tag names no environment.
  report(
    environmentTag === ""
      ? ruleProblem("environmentTag", "a tag value of 1-256 characters", environmentTag)
      : checkName("environmentTag", TAG_VALUE, environmentTag),
  );
  const extraTags: Record<string, string> = { ...settings.extraTags };
  for (const key of ["Project", "Environment"]) {
    if (key in extraTags) {
      report(`\`extraTags.${key}\` would override a tag this app sets itself; remove it${key === "Environment" ? " (`environmentTag` sets its value)" : ""}`);
      delete extraTags[key];
    }
  }
  checkTags("extraTags", extraTags).forEach(report);
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
function resolveModelAndUploads({ name, settings, suffix, region, report }: SectionInput) {
  const modelId = settings.modelId ?? "gemini-2.5-flash";
  report(checkName("modelId", MODEL_ID, modelId));
  const modelApiKeyParameter = settings.modelApiKeyParameter ?? `/bandup/${name}/gemini-api-key`;
  report(checkSsmParameterName("modelApiKeyParameter", modelApiKeyParameter, region));
  const uploadsBucket = settings.uploadsBucket ?? `bandup-uploads${suffix}`;
  report(checkName("uploadsBucket", BUCKET_NAME, uploadsBucket));
  return { modelId, modelApiKeyParameter, uploadsBucket };
}

/** The alarm topic's name, key and email subscriptions, and the dashboard's name. */
function resolveAlarms({ settings, suffix, region, report }: SectionInput): ResolvedAlarmSettings {
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
    checkKmsKeyArnForRegion("alarmTopicKmsKeyArn", topicKmsKeyArn, region, { where: "the environment deploys to", why: "SNS needs a key in the topic's region" }).forEach(report);
  }
  return { topicName, topicKmsKeyArn, emails: [...emails], dashboardName };
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
  const resolved: ResolvedEnvironment[] = [];
  const problems = new Map<string, string[]>(Object.keys(environments).map((name) => [name, []]));
  for (const name of Object.keys(environments)) {
    try {
      resolved.push(getEnvironment(name, environments));
    } catch (error) {
      if (!(error instanceof EnvironmentConfigError)) throw error;
      problems.get(name)!.push(...error.problems);
    }
  }
  for (const [name, shared] of sharedNameProblems(resolved)) problems.get(name)!.push(...shared);
  const failures = [...problems].filter(([, found]) => found.length > 0).map(([name, found]) => new EnvironmentConfigError(name, found));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new EnvironmentsConfigError(failures);
  return resolved;
}

/** A name an environment gives one of its resources, and where AWS needs it unique. */
interface NamedResource {
  /** The setting that decides the name. */
  readonly field: string;
  readonly what: string;
  readonly name: string;
  /** `region`: unique in an account and region; `account`: unique in an account (IAM is global). */
  readonly scope: "region" | "account";
  /** How to tell the two apart. */
  readonly fix: string;
}

function namedResources(environment: ResolvedEnvironment): NamedResource[] {
  const resources: NamedResource[] = TABLE_DEFINITIONS.map((definition) => ({
    field: `tableNames.${definition.kind}`,
    what: "table",
    name: environment.tableNames[definition.kind],
    scope: "region",
    fix: `give one of them another \`tableNames.${definition.kind}\``,
  }));
  for (const definition of FUNCTION_DEFINITIONS) {
    const { functionName } = environment.functions[definition.kind];
    const field = `functions.${definition.kind}`;
    const fix = "rename one of the environments: function names end with the environment's name (none in prod)";
    resources.push(
      { field, what: "Lambda function", name: functionName, scope: "region", fix },
      { field, what: "log group", name: functionLogGroupName(functionName), scope: "region", fix },
      { field, what: "dead-letter queue", name: deadLetterQueueName(functionName), scope: "region", fix },
      { field, what: "IAM role", name: functionName, scope: "account", fix },
    );
    if ((definition.layerPackages ?? []).length > 0) {
      resources.push({ field, what: "Lambda layer", name: dependencyLayerName(functionName), scope: "region", fix });
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
          const sameScope = resource.scope === "account" || later.region === earlier.region;
          if (!sameScope || !theirs.some((t) => t.what === resource.what && t.name === resource.name)) continue;
          const where = resource.scope === "account" ? "an account, in every region (IAM is global)" : "an account and region";
          add(
            later.name,
            `\`${resource.field}\`: ${resource.what} \`${resource.name}\` is also ${/^[aeiou]/i.test(resource.what) ? "an" : "a"} ${resource.what} of environment \`${earlier.name}\` ` +
              `in ${earlier.region}, ${account}; ${resource.what} names must be unique in ${where}, so ${resource.fix}`,
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
