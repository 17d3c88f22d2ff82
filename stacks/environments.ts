/**
 * Every deployment environment of BandUp, in one typed module, and the validation that stops synth
 * when a setting is wrong. Add an environment by adding an entry to `ENVIRONMENTS`.
 */
import {
  BUCKET_NAME,
  checkLogRetentionDays,
  checkName,
  checkWholeNumber,
  ENVIRONMENT_NAME,
  KMS_KEY_ARN_PATTERN,
  KMS_KEY_ARN,
  LAMBDA_LIMITS,
  LOG_RETENTION_DAYS,
  MODEL_ID,
  REGION,
  ruleProblem,
  SSM_PARAMETER_NAME,
  TABLE_NAME,
  TAG_TEXT,
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
   * Extra tags for every resource, next to `Project=bandup` and `Environment=<env>`.
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

/** An environment with every default applied and every value validated. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly stage: Stage;
  readonly region: string;
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
  readonly settings: EnvironmentSettings;
  readonly isProduction: boolean;
  /** `-<env>` appended to the design's names outside prod, "" in prod. */
  readonly suffix: string;
  readonly region: string;
  readonly isProtected: boolean;
  /** Records a problem (undefined: none). */
  readonly report: (problem: string | undefined) => void;
}

/**
 * Applies the defaults to one environment's settings and validates them, section by section. Collects
 * every problem and throws one `EnvironmentConfigError` naming the environment, the field and the value.
 */
export function resolveEnvironment(name: string, settings: EnvironmentSettings): ResolvedEnvironment {
  const problems: string[] = [];
  const report = (problem: string | undefined): void => void (problem !== undefined && problems.push(problem));
  if (!ENVIRONMENT_NAME.test(name)) report(`the environment name must be ${ENVIRONMENT_NAME.description}; got \`${name}\``);
  const region = settings.region ?? DEFAULT_REGION;
  report(checkName("region", REGION, region));
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
    protected: input.isProtected,
    ...resolveTables(input),
    tags: resolveTags(input),
    ...resolveFunctions(input),
    ...resolveModelAndUploads(input),
    adoptExistingTables: settings.adoptExistingTables ?? false,
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
  if (tableKmsKeyArn !== undefined) {
    const match = KMS_KEY_ARN_PATTERN.exec(tableKmsKeyArn);
    if (!match) {
      report(checkName("tableKmsKeyArn", KMS_KEY_ARN, tableKmsKeyArn));
    } else if (match[2] !== region) {
      report(`\`tableKmsKeyArn\` is in region \`${match[2]}\` but the environment deploys to \`${region}\`; DynamoDB needs a key in the table's region`);
    }
  }
  return { tableNames, tableKmsKeyArn, historyIndexEnabled: settings.historyIndexEnabled ?? true };
}

/** `Project`, `Environment` and the extra tags. */
function resolveTags({ name, settings, report }: SectionInput): Record<string, string> {
  const extraTags = settings.extraTags ?? {};
  for (const [key, value] of Object.entries(extraTags)) {
    if (key === "Project" || key === "Environment") {
      report(`\`extraTags.${key}\` would override a tag this app sets itself; remove it`);
    } else if (key.length === 0 || key.length > 128 || !TAG_TEXT.test(key) || key.startsWith("aws:")) {
      report(`\`extraTags\` key must be 1-128 characters of letters, digits, spaces and _ . : / = + - @, not starting with aws:; got \`${key}\``);
    } else if (value.length > 256 || !TAG_TEXT.test(value)) {
      report(`\`extraTags.${key}\` must be at most 256 characters of letters, digits, spaces and _ . : / = + - @; got \`${value}\``);
    }
  }
  return { Project: "bandup", Environment: name, ...extraTags };
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
    report(checkWholeNumber(`${field}.timeoutSeconds`, timeoutSeconds, timeout.min, timeout.max, "seconds"));
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
function resolveModelAndUploads({ name, settings, suffix, report }: SectionInput) {
  const modelId = settings.modelId ?? "gemini-2.5-flash";
  report(checkName("modelId", MODEL_ID, modelId));
  const modelApiKeyParameter = settings.modelApiKeyParameter ?? `/bandup/${name}/gemini-api-key`;
  report(checkName("modelApiKeyParameter", SSM_PARAMETER_NAME, modelApiKeyParameter));
  const uploadsBucket = settings.uploadsBucket ?? `bandup-uploads${suffix}`;
  report(checkName("uploadsBucket", BUCKET_NAME, uploadsBucket));
  return { modelId, modelApiKeyParameter, uploadsBucket };
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

/** Every environment, resolved, in the order of `ENVIRONMENTS`; throws once, listing every environment's problems. */
export function allEnvironments(
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
): ResolvedEnvironment[] {
  const resolved: ResolvedEnvironment[] = [];
  const failures: EnvironmentConfigError[] = [];
  for (const name of Object.keys(environments)) {
    try {
      resolved.push(getEnvironment(name, environments));
    } catch (error) {
      if (!(error instanceof EnvironmentConfigError)) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new EnvironmentsConfigError(failures);
  return resolved;
}

/** Thrown when several environments have invalid settings; the message holds each one's problems. */
export class EnvironmentsConfigError extends Error {
  constructor(readonly failures: readonly EnvironmentConfigError[]) {
    super(failures.map((f) => f.message).join("\n"));
    this.name = "EnvironmentsConfigError";
  }
}
