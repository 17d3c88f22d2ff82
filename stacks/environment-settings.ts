/**
 * The settings of an environment, declared once: `ENVIRONMENT_SETTINGS` is the schema the type
 * (`EnvironmentSettings`), the validation (stacks/environments.ts runs it, then the checks that need the
 * resolved environment) and the docs' settings table (`settingsTable()`) come from. What a schema says
 * here is what one setting may be on its own: its type, its rule (range, pattern, one of a list), the
 * keys an object may have. What needs the environment resolved (defaults that follow its name or its
 * protection, several settings together, other environments) stays in stacks/environments.ts.
 */
import * as v from "valibot";
import {
  ACCOUNT_ID,
  BUCKET_NAME,
  checkFunctionTimeout,
  checkLogRetentionDays,
  checkName,
  checkRegion,
  checkRequestUnits,
  checkRestorePointInTime,
  checkTags,
  checkWholeNumber,
  EMAIL_ADDRESS,
  KMS_KEY_ARN,
  LAMBDA_LIMITS,
  MODEL_ID,
  PITR_RECOVERY_DAYS,
  ruleProblem,
  TABLE_CLASSES,
  TABLE_NAME,
  TAG_VALUE,
} from "../constructs/naming-rules";
import { FUNCTION_DEFINITIONS, FunctionKind } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../lambda-src/contract/table-definitions";
import { boolean, falseOr, fields, kinds, list, map, number, oneOf, rule, string } from "./settings-schema";

/** The promotion stages, in deploy order. */
export const STAGES = ["dev", "staging", "prod"] as const;
export type Stage = (typeof STAGES)[number];

/** What happens to the original table of a restore. */
export const ORIGINAL_TABLE_STATES = ["keep", "unprotect", "retire"] as const;
export type OriginalTableState = (typeof ORIGINAL_TABLE_STATES)[number];

const TABLE_KINDS = TABLE_DEFINITIONS.map((d) => d.kind) as readonly TableKind[];
const FUNCTION_KINDS = FUNCTION_DEFINITIONS.map((d) => d.kind) as readonly FunctionKind[];
const listed = (values: readonly string[]): string => values.map((value) => `\`${value}\``).join(", ");

/** A string that follows one of constructs/naming-rules.ts's rules. */
const named = (namingRule: Parameters<typeof checkName>[1]) => v.pipe(string(), rule<string>((field, value) => checkName(field, namingRule, value)));
const region = () => v.pipe(string(), rule<string>(checkRegion));
const kmsKeyArn = () => named(KMS_KEY_ARN);
const wholeNumber = (min: number, max: number, unit: string) => v.pipe(number(), rule<number>((field, value) => checkWholeNumber(field, value, min, max, unit)));
/** Each item once (compared by `same`): "`<field>[i]` repeats ...". */
const eachOnce = (problem: (field: string, index: number, first: number, value: string) => string, same = (value: string) => value) =>
  rule<string[]>((field, values) => {
    const seen = new Map<string, number>();
    return values.map((value, index) => {
      const first = seen.get(same(value));
      if (first === undefined) seen.set(same(value), index);
      return first === undefined ? undefined : problem(field, index, first, value);
    });
  });

const THROUGHPUT_CAPS = falseOr(
  fields(
    {
      maxReadRequestUnits: v.optional(v.pipe(number(), rule<number>(checkRequestUnits))),
      maxWriteRequestUnits: v.optional(v.pipe(number(), rule<number>(checkRequestUnits))),
    },
    { what: "throughput cap" },
  ),
);

/** Memory, timeout and reserved concurrency of one function; its timeout's floor is its own. */
const functionSettings = (kind: FunctionKind) => {
  const definition = FUNCTION_DEFINITIONS.find((d) => d.kind === kind)!;
  const { memoryMb, timeoutSeconds } = LAMBDA_LIMITS;
  return fields(
    {
      memoryMb: v.optional(wholeNumber(memoryMb.min, memoryMb.max, "MB")),
      timeoutSeconds: v.optional(
        v.pipe(
          number(),
          rule<number>(
            (field, value) => checkWholeNumber(field, value, timeoutSeconds.min, timeoutSeconds.max, "seconds") ?? checkFunctionTimeout(field, definition, value),
          ),
        ),
      ),
      reservedConcurrency: v.optional(
        v.pipe(number(), rule<number>((field, value) => (Number.isInteger(value) && value >= 0 ? undefined : ruleProblem(field, "a whole number >= 0", value)))),
      ),
    },
    { what: "function setting" },
  );
};

/** What the docs' settings table says of a setting: its default and what it is, with what synth refuses. */
export interface SettingDoc {
  /** The row's first cell, when it is not the setting's name (`functions.<kind>`). */
  readonly name?: string;
  readonly default: string;
  readonly what: string;
}

const docs = new Map<string, SettingDoc>();
/** A setting of an environment: optional, with its row of the docs' table. */
function setting<T extends v.GenericSchema>(name: string, schema: T, doc: SettingDoc) {
  docs.set(name, doc);
  return v.optional(schema);
}

/**
 * Every setting of an environment, in the order the docs list them and the problems are reported.
 * A setting added here is typed, validated and documented (the docs' table is tested against it).
 */
export const ENVIRONMENT_SETTINGS = fields(
  {
    region: setting("region", region(), {
      default: "`us-east-1`",
      what:
        "AWS region of the provider (and of the workflows' AWS credentials): one hashicorp/aws 5.100.0 knows (`constructs/aws-partitions.ts`; the provider refuses any other at plan, \"invalid AWS Region\"); " +
        "a typo gets the closest ones (`us-esat-1`: did you mean `us-east-1`?); an unknown region is reported once, and nothing that depends on it is checked until it is fixed",
    }),
    accountId: setting("accountId", named(ACCOUNT_ID), {
      default: "none",
      what:
        "the 12-digit account the environment deploys to: the provider is pinned to it (`allowed_account_ids`, Terraform refuses credentials of another account), it tells apart " +
        "environments of one region (below), and every customer key of the environment must be of it",
    }),
    stage: setting("stage", oneOf(STAGES, `one of ${listed(STAGES)}`), {
      default: "the name for `dev`, `staging` and `prod`; `prod` for any other name",
      what:
        "the environment's turn in a deploy: `dev`, `staging` or `prod` ([docs/deploying.md](deploying.md)). An environment that does not say takes the last turn: a change reaches it only after " +
        "every `dev` and `staging` environment has deployed it, never before",
    }),
    protected: setting("protected", boolean(), { default: "`true` in prod, else `false`", what: "deletion protection and `prevent_destroy` on the tables" }),
    tableNames: setting(
      "tableNames",
      fields(kinds(TABLE_KINDS, named(TABLE_NAME)), {
        what: "table",
        unknownKind: { is: "a table of this app", are: "the tables are" },
      }),
      {
        default: "design names in prod, `<name>-<env>` elsewhere",
        what:
          "table names (3-255 characters of `[a-zA-Z0-9_.-]`), unique among the environments of one account and region (below), as are the tables a restore creates " +
          "and the replicas' tables in their regions",
      },
    ),
    tableKmsKeyArn: setting("tableKmsKeyArn", kmsKeyArn(), {
      default: "AWS-owned key",
      what:
        "customer-managed KMS key ARN (not an alias) for both tables, in the environment's region and its partition (`arn:aws-cn:kms:cn-north-1:…` in China, `arn:aws-us-gov:` " +
        "in GovCloud) and in its account (`accountId`; without it, every key of the environment in one account): a key of another account is refused, since KMS lets it serve " +
        "this account only when its own key policy says so, which this app neither writes nor checks",
    }),
    historyIndexEnabled: setting("historyIndexEnabled", boolean(), { default: "`true`", what: "the `user_id-created_at-index` GSI" }),
    environmentTag: setting(
      "environmentTag",
      v.pipe(
        string(),
        // An empty tag value is valid in AWS, but an empty `Environment` tag names no environment.
        rule<string>((field, value) => (value === "" ? ruleProblem(field, "a tag value of 1-256 characters", value) : checkName(field, TAG_VALUE, value))),
      ),
      { default: "`production` in prod, else the environment's name", what: "value of the `Environment` tag (1-256 characters)" },
    ),
    extraTags: setting(
      "extraTags",
      v.pipe(
        map(string()),
        // Run even when a value is of the wrong type (reported as such): the other tags' rules are still checked.
        rule<Record<string, string>>((field, tags) => checkTags(field, Object.fromEntries(Object.entries(tags).filter(([, value]) => typeof value === "string"))), true),
      ),
      {
        default: "`{}`",
        what:
          "tags next to `Project` and `Environment`: string keys of 1-128 and string values of 0-256 letters, digits, spaces and `_ . : / = + - @`; no key starting with `aws:` in any case; " +
          "none of the keys the app sets (`Project`, `Environment`, `ManagedBy`, `BandupStack`) nor one differing from another key only in case (IAM compares tag keys case-insensitively); " +
          "at most 47, so that no resource carries more than AWS's 50 with the app's own and the provider's default tags",
      },
    ),
    logRetentionDays: setting("logRetentionDays", v.pipe(number(), rule<number>(checkLogRetentionDays)), {
      default: "365 when protected, else 30",
      what: "retention of the functions' log groups (a value CloudWatch accepts)",
    }),
    functions: setting(
      "functions",
      fields(Object.fromEntries(FUNCTION_KINDS.map((kind) => [kind, v.optional(functionSettings(kind))])) as { [K in FunctionKind]: v.OptionalSchema<ReturnType<typeof functionSettings>, undefined> }, {
        what: "function",
        unknownKind: { is: "a function of this app", are: "the functions are" },
      }),
      {
        name: "`functions.<kind>`",
        default: "per function",
        what:
          "`memoryMb` (128-10240), `timeoutSeconds` (1-900, and at least the function's `minimumTimeoutSeconds`, see [Timeouts](functions.md#timeouts)), `reservedConcurrency` (none by default)",
      },
    ),
    modelId: setting("modelId", named(MODEL_ID), { default: "`gemini-2.5-flash`", what: "the model the functions call, stored as `model_used`" }),
    modelApiKeyParameter: setting("modelApiKeyParameter", string(), {
      default: "`/bandup/<env>/gemini-api-key`",
      what:
        "SSM SecureString with the model API key (create it yourself): a path of letters, digits and `_ . -`, no empty level (`//`), at most 15 levels, not under `/aws` or `/ssm` " +
        "in any case, at most 1011 characters with its ARN",
    }),
    uploadsBucket: setting("uploadsBucket", named(BUCKET_NAME), {
      default: "`bandup-uploads` in prod, else `bandup-uploads-<env>`",
      what:
        "the bucket of uploaded audio and PDFs (not managed here): S3's naming rules (3-63 characters of `a-z 0-9 . -`, no `..`, not an IP address, none of the prefixes `xn--`, " +
        "`sthree-`, `amzn-s3-demo-` or suffixes `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`), not shared by a protected and an unprotected environment",
    }),
    adoptExistingTables: setting("adoptExistingTables", boolean(), { default: "`false`", what: "import tables created by hand (see [Adopting tables](deploying.md#adopting-tables-created-with-the-aws-cli))" }),
    pitrRecoveryDays: setting("pitrRecoveryDays", wholeNumber(PITR_RECOVERY_DAYS.min, PITR_RECOVERY_DAYS.max, "days"), {
      default: "35 when protected, else 7",
      what:
        "days of point-in-time recovery of every table, 1-35 (`point_in_time_recovery.recovery_period_in_days`); fewer than 35 in a protected environment needs a suppression " +
        "of BANDUP-DDB-7 with its reason",
    }),
    onDemandThroughput: setting(
      "onDemandThroughput",
      falseOr(
        fields(kinds(TABLE_KINDS, fields({ table: v.optional(THROUGHPUT_CAPS), historyIndex: v.optional(THROUGHPUT_CAPS) }, { what: "throughput setting of a table" })), {
          what: "table",
          unknownKind: { is: "a table of this app", are: "the tables are" },
        }),
      ),
      {
        default: "caps on when not protected (reads 1,000 / writes 400 per table, 128 / 400 per index: see [Cost caps](operations.md#cost-caps)), none when protected",
        what:
          "per table, `{ table?, historyIndex? }`, each `{ maxReadRequestUnits?, maxWriteRequestUnits? }` (whole request units per second, 1 or more; a unit left out keeps its " +
          "default) or `false` (no cap: DynamoDB's -1, which lifts a cap set earlier); `false` for the whole setting takes every cap off",
      },
    ),
    tableClass: setting("tableClass", oneOf(TABLE_CLASSES, `one of ${TABLE_CLASSES.join(", ")}`), {
      default: "`STANDARD`",
      what: "or `STANDARD_INFREQUENT_ACCESS`, for every table",
    }),
    replicaRegions: setting(
      "replicaRegions",
      v.pipe(
        list(region()),
        eachOnce((field, index, _first, value) => `\`${field}[${index}]\` repeats \`${value}\`; list each region once`),
      ),
      {
        default: "none",
        what:
          "replica regions of every table (see [Replicas](operations.md#replicas)): regions the pinned provider knows (like `region`, with the closest ones suggested), of the environment's partition, " +
          "not its own, each once; `[]` keeps the tables' streams while the last replica is removed",
      },
    ),
    replicaKmsKeyArns: setting("replicaKmsKeyArns", map(kmsKeyArn()), {
      default: "`{}`",
      what:
        "`{ \"<region>\": \"<key ARN>\" }`: a customer key per replica region, in that region, partition and account; required for each replica region when `tableKmsKeyArn` is set, " +
        "refused without it",
    }),
    restore: setting(
      "restore",
      fields(
        {
          table: oneOf(TABLE_KINDS, `one of ${TABLE_KINDS.join(", ")}`),
          pointInTime: v.pipe(string(), rule<string>((field, value) => checkRestorePointInTime(field, value, new Date()))),
          tableName: v.optional(named(TABLE_NAME)),
          switchFunctions: v.optional(boolean()),
          original: v.optional(oneOf(ORIGINAL_TABLE_STATES, `one of ${ORIGINAL_TABLE_STATES.join(", ")}`)),
        },
        { what: "restore setting", required: "a restore names the table to restore and the time to restore it to" },
      ),
      {
        default: "none",
        what:
          "`{ table, pointInTime, tableName?, switchFunctions?, original? }`: restore one table into a new one, switch the functions to it, retire the original (see [Restoring a table](operations.md#restoring-a-table))",
      },
    ),
    alarmEmails: setting(
      "alarmEmails",
      v.pipe(
        list(named(EMAIL_ADDRESS)),
        eachOnce(
          (field, index, first, value) => `\`${field}[${index}]\` repeats \`${field}[${first}]\` (\`${value}\`); list each address once`,
          (value) => value.toLowerCase(),
        ),
      ),
      {
        default: "`[]`",
        what:
          "email addresses subscribed to the alarm topic (each confirms the link SNS sends first), each one an address HTML's `<input type=email>` accepts, narrowed to " +
          "RFC 5321/5322 (a dot-atom local part of at most 64 characters, a domain of two or more labels); none: alarms change state and show on the dashboard, and mail no one",
      },
    ),
    alarmTopicKmsKeyArn: setting("alarmTopicKmsKeyArn", kmsKeyArn(), {
      default: "a key created for the topic",
      what:
        "a customer-managed KMS key ARN (same region, partition and account) for the alarm topic; its key policy must allow `cloudwatch.amazonaws.com` `kms:GenerateDataKey*` " +
        "and `kms:Decrypt` (the statement in [The alarm topic](operations.md#the-alarm-topic))",
    }),
  },
  { what: "setting of an environment" },
);

type DeepReadonly<T> = T extends (infer I)[] ? readonly DeepReadonly<I>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Settings of one environment as written by hand; every field is optional and has a default (the docs' table). */
export type EnvironmentSettings = DeepReadonly<v.InferOutput<typeof ENVIRONMENT_SETTINGS>>;
/** Memory (MB), timeout (s) and reserved concurrency of one function. */
export type FunctionSettings = NonNullable<NonNullable<EnvironmentSettings["functions"]>[FunctionKind]>;
/** A point-in-time restore of one table into a new table, in three steps (docs, "Restoring a table"). */
export type TableRestoreSettings = NonNullable<EnvironmentSettings["restore"]>;

/** The name of every setting of an environment, in the order of the schema. */
export const SETTING_NAMES: readonly string[] = Object.keys(ENVIRONMENT_SETTINGS.entries);

/** The docs' settings table, rendered from the schema: one row per setting, in its order. */
export function settingsTable(): string {
  const rows = SETTING_NAMES.map((name) => {
    const doc = docs.get(name)!;
    return `| ${doc.name ?? `\`${name}\``} | ${doc.default} | ${doc.what} |`;
  });
  return ["| setting | default | what, and what synth refuses |", "|---|---|---|", ...rows].join("\n");
}
