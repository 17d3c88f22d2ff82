/**
 * Every deployment environment of BandUp, in one typed module, and the validation that stops synth
 * when a setting is wrong. Add an environment by adding an entry to `ENVIRONMENTS`.
 *
 * The settings are declared once, in stacks/environment-settings.ts: their type, what each one may be
 * (run here first) and the docs' table come from that schema. Here: the defaults, which follow the
 * environment's name and protection, and the checks that need them or several settings together; the
 * checks across environments are in stacks/shared-names.ts.
 */
import type { OnDemandThroughputCaps, TableReplica } from "../constructs/bandup-table";
import {
  ACCOUNT_ID,
  checkKmsKeyArnForRegion,
  checkSsmParameterName,
  ENVIRONMENT_NAME,
  KMS_KEY_ARN_PATTERN,
  KmsKeyPlacement,
  LOG_RETENTION_DAYS,
  partitionOfRegion,
  PITR_RECOVERY_DAYS,
  REGION,
  REPLICA_KEY_PLACEMENT,
  TableClass,
} from "../constructs/naming-rules";
import { FUNCTION_DEFINITIONS, FunctionKind } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../lambda-src/contract/table-definitions";
import { ENVIRONMENT_SETTINGS, EnvironmentSettings, OriginalTableState, SETTING_NAMES, Stage, STAGES } from "./environment-settings";
import { checkSettings, inFieldOrder } from "./settings-schema";
import { sharedNameProblems } from "./shared-names";

export { ORIGINAL_TABLE_STATES, SETTING_NAMES, settingsTable, STAGES } from "./environment-settings";
export type { EnvironmentSettings, FunctionSettings, OriginalTableState, Stage, TableRestoreSettings } from "./environment-settings";
export { sharedNameProblems } from "./shared-names";
export { LOG_RETENTION_DAYS }; // the retention periods CloudWatch Logs accepts

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

/** Caps of one table and of its history index; `undefined`: no `on_demand_throughput` block; `false`: DynamoDB's "no maximum". */
export type ResolvedTableCaps = { readonly [K in "table" | "historyIndex"]?: OnDemandThroughputCaps | false };

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
  readonly onDemandThroughput: Readonly<Record<TableKind, ResolvedTableCaps>>;
  readonly tableClass: TableClass;
  /** Replicas of every table, with their region's key when the tables have a customer key. */
  readonly replicas: readonly TableReplica[];
  /** The tables' streams: on whenever `replicaRegions` is set, even empty. */
  readonly tableStreamEnabled: boolean;
  readonly restore?: ResolvedTableRestore;
  /** The alarm topic (its key and subscriptions) and the dashboard. */
  readonly alarms: ResolvedAlarmSettings;
}

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
  // The tag the deploy roles once told a stack's KMS keys by: existing keys may still carry it.
  BandupStack: " (the owner tag of the KMS keys earlier versions of the stacks created)",
};

/** The environment whose tables keep the design's exact names. */
export const PRODUCTION_ENVIRONMENT = "prod";
/** The `Environment` tag of prod's resources: the design tags the tables it creates `Environment=production`. */
export const PRODUCTION_ENVIRONMENT_TAG = "production";
export const DEFAULT_REGION = "us-east-1";

/** Default caps outside protected environments; docs "Cost caps" has the arithmetic. */
export const DEFAULT_THROUGHPUT_CAPS: Readonly<{ table: OnDemandThroughputCaps; historyIndex: OnDemandThroughputCaps }> = {
  // Writes: one write of the largest item (400 KB, 400 WRU) per second; reads: the design's page of
  // 10 such items read by key, strongly consistent (10 x 100 RRU).
  table: { maxReadRequestUnits: 1_000, maxWriteRequestUnits: 400 },
  // Reads: the most one Query reads (1 MB, eventually consistent: 128 RRU); writes: as the table (an
  // index entry is never larger than its item, so the index never throttles what the table lets through).
  historyIndex: { maxReadRequestUnits: 128, maxWriteRequestUnits: 400 },
};

/** Names of the resolved stacks: one Terraform stack per environment. */
export function stackName(environment: string): string {
  return `bandup-${environment}`;
}

/** Thrown when an environment's settings are invalid; the message lists every problem. */
export class EnvironmentConfigError extends Error {
  constructor(readonly environment: string, readonly problems: readonly string[]) {
    super(`Invalid settings for environment \`${environment}\`:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvironmentConfigError";
  }
}

/** Thrown when several environments have invalid settings; the message holds each one's problems. */
export class EnvironmentsConfigError extends Error {
  constructor(readonly failures: readonly EnvironmentConfigError[]) {
    super(failures.map((f) => f.message).join("\n"));
    this.name = "EnvironmentsConfigError";
  }
}

/** What every section of one environment's settings is resolved with. */
interface SectionInput {
  readonly name: string;
  /** The settings the schema let through: each value of the wrong type and each unknown key left out. */
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
  /** Reports the region, partition and account problems of a well-formed customer key (the schema checks its shape). */
  readonly checkKey: (field: string, arn: string, region: string, placement?: KmsKeyPlacement) => void;
}

/**
 * Applies the defaults to one environment's settings and validates them: the schema first (every
 * value on its own), then the checks that need the defaults or several settings. Collects every
 * problem and throws one `EnvironmentConfigError` naming the environment, the field and the value.
 */
export function resolveEnvironment(name: string, settingsAsWritten: EnvironmentSettings): ResolvedEnvironment {
  const { environment, problems } = resolveAndReport(name, settingsAsWritten);
  if (problems.length > 0) throw new EnvironmentConfigError(name, problems);
  return environment;
}

/**
 * The environment with its defaults applied, as far as its settings allow (a value of the wrong type
 * gives way to its default), and every problem found: what the checks across environments need even
 * when the environment has problems of its own, so that every problem comes in one round. Values of
 * the wrong type and unknown keys come first, as written; then the rules, in the order of the settings.
 */
function resolveAndReport(name: string, settingsAsWritten: EnvironmentSettings): { environment: ResolvedEnvironment; problems: string[] } {
  const { settings, typeProblems, ruleProblems } = checkSettings(ENVIRONMENT_SETTINGS, settingsAsWritten);
  const found: string[] = [...ruleProblems];
  const report = (problem: string | undefined): void => void (problem !== undefined && found.push(problem));
  const region = settings.region ?? DEFAULT_REGION;
  const regionKnown = REGION.test(region);
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
    checkKey: keyChecker(settings.accountId !== undefined && ACCOUNT_ID.test(settings.accountId) ? settings.accountId : undefined, report),
  };

  const tables = resolveTables(input);
  const environment: ResolvedEnvironment = {
    name,
    stage: settings.stage ?? ((STAGES as readonly string[]).includes(name) ? (name as Stage) : STAGES[STAGES.length - 1]),
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
  const nameProblem = ENVIRONMENT_NAME.test(name) ? [] : [`the environment name must be ${ENVIRONMENT_NAME.description}; got \`${name}\``];
  return { environment, problems: [...nameProblem, ...typeProblems, ...inFieldOrder(found, SETTING_NAMES)] };
}

/**
 * The check of an environment's customer keys beyond their shape: region and partition when the
 * region they are compared with is known (an unknown one is reported once, as itself); account. A key
 * of another account is refused, not explained away: KMS allows it only when the key's own policy, in
 * that account, grants this environment's roles and services, a policy this app neither writes nor
 * checks. Without `accountId`, the first key's account stands for the environment's.
 */
function keyChecker(accountId: string | undefined, report: SectionInput["report"]): SectionInput["checkKey"] {
  let first: { field: string; account: string } | undefined;
  const crossAccount =
    "KMS lets a key serve another account only when the key's own policy, in its account, allows this environment's roles and services, and this app " +
    "can neither write nor check that policy";
  return (field, arn, region, placement) => {
    if (!KMS_KEY_ARN_PATTERN.test(arn)) return;
    if (REGION.test(region)) checkKmsKeyArnForRegion(field, arn, region, placement).forEach(report);
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

/** Table names (the design's in prod, `<name>-<env>` elsewhere), the customer key, the history index. */
function resolveTables({ name, settings, isProduction, region, report, checkKey }: SectionInput) {
  const tableNames = {} as Record<TableKind, string>;
  for (const definition of TABLE_DEFINITIONS) {
    tableNames[definition.kind] = settings.tableNames?.[definition.kind] ?? (isProduction ? definition.baseName : `${definition.baseName}-${name}`);
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
  // Every resource carries the app's own tags and the provider's default tags.
  const everywhere = ["Project", "Environment", ...Object.keys(PROVIDER_DEFAULT_TAGS)];
  const appTags = everywhere.length;
  const count = Object.keys(extraTags).length;
  if (count + appTags > MAX_TAGS_PER_RESOURCE) {
    const names = `${everywhere.slice(0, -1).map((k) => `\`${k}\``).join(", ")} and \`${everywhere.at(-1)}\``;
    const where = `on every resource (${names})`;
    report(
      `\`extraTags\` has ${count} tags, and this app puts ${appTags} more ${where}: ${count + appTags} tags, where AWS allows ${MAX_TAGS_PER_RESOURCE} per resource; ` +
        `keep at most ${MAX_TAGS_PER_RESOURCE - appTags} extra tags`,
    );
  }
  return { Project: "bandup", Environment: environmentTag, ...extraTags };
}

/** Each function's name, memory, timeout and reserved concurrency, and the log retention. */
function resolveFunctions({ settings, suffix, isProtected }: SectionInput) {
  const functions = {} as Record<FunctionKind, ResolvedFunctionSettings>;
  for (const definition of FUNCTION_DEFINITIONS) {
    const own = settings.functions?.[definition.kind] ?? {};
    functions[definition.kind] = {
      functionName: `${definition.baseName}${suffix}`,
      memoryMb: own.memoryMb ?? definition.defaultMemoryMb,
      timeoutSeconds: own.timeoutSeconds ?? definition.defaultTimeoutSeconds,
      reservedConcurrency: own.reservedConcurrency,
    };
  }
  return { functions, logRetentionDays: settings.logRetentionDays ?? (isProtected ? 365 : 30) };
}

/** The model the functions call, the parameter of its API key (its ARN, of the region, counts in its length), and the uploads bucket. */
function resolveModelAndUploads({ name, settings, suffix, region, regionKnown, report }: SectionInput) {
  const modelApiKeyParameter = settings.modelApiKeyParameter ?? `/bandup/${name}/gemini-api-key`;
  report(checkSsmParameterName("modelApiKeyParameter", modelApiKeyParameter, regionKnown ? region : DEFAULT_REGION));
  return { modelId: settings.modelId ?? "gemini-2.5-flash", modelApiKeyParameter, uploadsBucket: settings.uploadsBucket ?? `bandup-uploads${suffix}` };
}

/** The alarm topic's name, key and email subscriptions, and the dashboard's name. */
function resolveAlarms({ settings, suffix, region, checkKey }: SectionInput): ResolvedAlarmSettings {
  const topicKmsKeyArn = settings.alarmTopicKmsKeyArn;
  if (topicKmsKeyArn !== undefined) {
    checkKey("alarmTopicKmsKeyArn", topicKmsKeyArn, region, { where: "the environment deploys to", why: "SNS needs a key in the topic's region" });
  }
  // Both names are the environment's suffix on a fixed base, so they follow their rules (the constructs check again).
  return { topicName: `bandup-alarms${suffix}`, topicKmsKeyArn, emails: [...(settings.alarmEmails ?? [])], dashboardName: `bandup-operations${suffix}` };
}

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
    }
  }
  return caps as OnDemandThroughputCaps;
}

/**
 * The tables' recovery window, cost caps, class and replicas, and the restore of one table: every
 * setting that decides how a table is operated after it is created.
 */
function resolveTableOperations(input: SectionInput, tables: { tableNames: Readonly<Record<TableKind, string>>; tableKmsKeyArn?: string }) {
  const { settings, isProtected, report } = input;
  const capsSetting = settings.onDemandThroughput;
  const defaults = isProtected ? undefined : DEFAULT_THROUGHPUT_CAPS;
  const onDemandThroughput = {} as Record<TableKind, ResolvedTableCaps>;
  for (const { kind } of TABLE_DEFINITIONS) {
    const own = capsSetting === false ? { table: false as const, historyIndex: false as const } : (capsSetting?.[kind] ?? {});
    onDemandThroughput[kind] = {
      table: resolveCaps(`onDemandThroughput.${kind}.table`, own.table, defaults?.table, report),
      historyIndex: resolveCaps(`onDemandThroughput.${kind}.historyIndex`, own.historyIndex, defaults?.historyIndex, report),
    };
  }
  return {
    pitrRecoveryDays: settings.pitrRecoveryDays ?? (isProtected ? PITR_RECOVERY_DAYS.max : 7),
    onDemandThroughput,
    tableClass: settings.tableClass ?? "STANDARD",
    replicas: resolveReplicas(input, tables.tableKmsKeyArn),
    tableStreamEnabled: settings.replicaRegions !== undefined,
    restore: resolveRestore(input, tables.tableNames),
  };
}

/**
 * The replicas: of the environment's partition, not in its own region (both compared only when that
 * region is known), with their keys. The schema reports an unknown or repeated region.
 */
function resolveReplicas({ settings, region, regionKnown, report, checkKey }: SectionInput, tableKmsKeyArn: string | undefined): TableReplica[] {
  const regions = settings.replicaRegions ?? [];
  const keys = settings.replicaKmsKeyArns ?? {};
  const partition = regionKnown ? partitionOfRegion(region)?.id : undefined;
  const replicas: TableReplica[] = [];
  for (const [i, replicaRegion] of regions.entries()) {
    const field = `replicaRegions[${i}]`;
    if (!REGION.test(replicaRegion) || regions.indexOf(replicaRegion) !== i) continue;
    if (regionKnown && replicaRegion === region) {
      report(`\`${field}\` is \`${replicaRegion}\`, the environment's own region; a replica must be in another region`);
    } else if (partition !== undefined && partitionOfRegion(replicaRegion)?.id !== partition) {
      report(`\`${field}\` is \`${replicaRegion}\`, in partition \`${partitionOfRegion(replicaRegion)?.id}\`; the environment is in \`${partition}\` and a global table cannot span partitions`);
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

/** The restore, checked against the tables it restores and the steps it takes (the schema checks each field). */
function resolveRestore({ name, settings, isProtected, report }: SectionInput, tableNames: Readonly<Record<TableKind, string>>): ResolvedTableRestore | undefined {
  const restore = settings.restore;
  if (restore?.table === undefined || restore.pointInTime === undefined || !TABLE_DEFINITIONS.some((d) => d.kind === restore.table)) return undefined;
  const sourceTableName = tableNames[restore.table];
  const tableName = restore.tableName ?? `${sourceTableName}-restored`;
  if (Object.values(tableNames).includes(tableName)) {
    report(`\`restore.tableName\` is \`${tableName}\`, the name of a table of this environment; a restore creates a new table`);
  }
  const switchFunctions = restore.switchFunctions ?? false;
  const original = restore.original ?? "keep";
  // An unknown step is the schema's problem.
  if ((original === "unprotect" || original === "retire") && !switchFunctions) {
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

/** A known environment by name, with its defaults applied; throws for an unknown name. */
export function getEnvironment(name: string, environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS): ResolvedEnvironment {
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
export function allEnvironments(environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS): ResolvedEnvironment[] {
  const { resolved, error } = resolveEnvironments(environments);
  if (error !== undefined) throw error;
  return [...resolved];
}

/** What `resolveEnvironments` finds: every environment (defaults applied as far as its settings allow), those without a problem, every problem. */
export interface EnvironmentsResolution {
  readonly resolved: readonly ResolvedEnvironment[];
  readonly valid: readonly ResolvedEnvironment[];
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
