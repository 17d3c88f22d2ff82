import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { attributeDefinitions, TableDefinition } from "../lambda-src/contract/table-definitions";
import { DYNAMODB_INDEX_ACTIONS, DYNAMODB_TABLE_ACTIONS, GrantStatement, KMS_TABLE_KEY_ACTIONS } from "./iam-grants";
import {
  checkKmsKeyArnForRegion,
  REPLICA_KEY_PLACEMENT,
  checkName,
  checkRequestUnits,
  checkRestorePointInTime,
  checkTableClass,
  checkTags,
  checkWholeNumber,
  KMS_KEY_ARN,
  partitionOfRegion,
  PITR_RECOVERY_DAYS,
  ruleProblem,
  TABLE_NAME,
  TableClass,
} from "./naming-rules";
import { StackAwsContext } from "./stack-aws-context";

/** On-demand throughput caps (DynamoDB's `OnDemandThroughput`): requests beyond them are throttled. */
export interface OnDemandThroughputCaps {
  /** Read request units per second at most. */
  readonly maxReadRequestUnits: number;
  /** Write request units per second at most. */
  readonly maxWriteRequestUnits: number;
}

/** One replica of a global table (version 2019.11.21), in another region of the same partition. */
export interface TableReplica {
  /** The replica's region, e.g. `us-west-2`. */
  readonly region: string;
  /**
   * ARN of a customer-managed KMS key in that region; required when the table has one (`kmsKeyArn`).
   * @default - the AWS-owned key, as the table
   */
  readonly kmsKeyArn?: string;
}

/** Where a restored table's data comes from: a table's point-in-time backups. */
export interface TableRestoreSource {
  /** Name of the table to restore, in the same account and region. */
  readonly sourceTableName: string;
  /**
   * The time to restore to: an RFC 3339 UTC time (`restore_date_time`), or `"latest"`, the latest
   * restorable time, about five minutes before now (`restore_to_latest_time`).
   */
  readonly pointInTime: string;
}

/** Props of a `BandupTable`. */
export interface BandupTableProps {
  /** Keys and index of the table, from `lambda-src/contract/table-definitions.ts`. */
  readonly definition: TableDefinition;
  /** Physical table name: 3-255 characters of `[a-zA-Z0-9_.-]`. */
  readonly tableName: string;
  /**
   * Create the definition's history index, `user_id-created_at-index` (hash `user_id` S, range
   * `created_at` N, the definition's projection).
   * @default true
   */
  readonly historyIndexEnabled?: boolean;
  /**
   * ARN of a customer-managed KMS key for server-side encryption.
   * @default - the AWS-owned key (no `server_side_encryption` block; DynamoDB always encrypts at rest)
   */
  readonly kmsKeyArn?: string;
  /**
   * Cap on the table's on-demand throughput (a cost guard: a runaway loop is throttled, not billed).
   * `false` writes DynamoDB's "no maximum" (-1 for both units), which also lifts a cap set earlier
   * (the AWS provider sends nothing when the block is only removed).
   * @default - no cap, and no `on_demand_throughput` block
   */
  readonly onDemandThroughput?: OnDemandThroughputCaps | false;
  /**
   * Cap on the history index's on-demand throughput (only with the index); `false` as for the table.
   * @default - no cap, and no `on_demand_throughput` block
   */
  readonly historyIndexOnDemandThroughput?: OnDemandThroughputCaps | false;
  /**
   * Days of point-in-time recovery (`point_in_time_recovery.recovery_period_in_days`), 1-35: how far
   * back the table can be restored.
   * @default 35
   */
  readonly pointInTimeRecoveryDays?: number;
  /**
   * Table class: `STANDARD`, or `STANDARD_INFREQUENT_ACCESS` (cheaper storage, dearer requests).
   * @default "STANDARD"
   */
  readonly tableClass?: TableClass;
  /**
   * Replicas in other regions (global table version 2019.11.21, `replica` blocks): each with
   * point-in-time recovery and the table's tags, and a customer key of its region when the table has
   * one. A replica has no deletion protection of its own (the provider's `replica` block cannot set
   * it), and removing a region deletes that replica in an in-place update that `prevent_destroy` does
   * not stop.
   * @default [] - no replicas
   */
  readonly replicas?: readonly TableReplica[];
  /**
   * Turn on the table's stream (`NEW_AND_OLD_IMAGES`), which replicas need. On whenever `replicas`
   * is not empty; set it to keep the stream while the last replica is removed (DynamoDB refuses to
   * turn off the stream of a table that still has replicas, and the provider turns the stream off
   * before it removes replicas).
   * @default - true when `replicas` is not empty, else false
   */
  readonly streamEnabled?: boolean;
  /**
   * Create the table by restoring another table's point-in-time backups (`RestoreTableToPointInTime`)
   * instead of empty. Terraform replaces the table when this changes after creation: keep it as it
   * is for the life of the table.
   * @default - a new, empty table
   */
  readonly restoreFrom?: TableRestoreSource;
  /**
   * Turn on DynamoDB `deletion_protection_enabled` and Terraform `lifecycle.prevent_destroy`.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Tags of the table (`Project` and `Environment` among them; keys of 1-128 characters, values of at
   * most 256, no key starting with `aws:`); the provider's `default_tags` add the same to every resource.
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * Adopt a table of the same name that already exists (created with the AWS CLI, as the design does):
   * the stack emits a Terraform `import` block, so the first deploy imports it instead of failing with
   * `ResourceInUseException`. Harmless once imported; remove it after the first deploy.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/**
 * One of BandUp's DynamoDB tables: on-demand, point-in-time recovery on, keys from the shared table
 * definition, and the history index unless turned off. Its props are checked at synth (`tableName`,
 * `kmsKeyArn`, `tags`), each problem naming the construct's path.
 */
export class BandupTable extends Construct {
  /** The Terraform resource, for escape hatches and references. */
  public readonly table: DynamodbTable;
  /** The design this table implements. */
  public readonly definition: TableDefinition;
  /** The table's name (a plain string, known at synth). */
  public readonly tableName: string;
  /** The table's ARN (a Terraform reference). */
  public readonly tableArn: string;
  /** ARNs of the table's indexes (`<table ARN>/index/<name>`); empty when the table has none. */
  public readonly indexArns: string[];
  /** Whether the history index exists. */
  public readonly historyIndexEnabled: boolean;
  /** The customer-managed KMS key, when one encrypts the table. */
  public readonly kmsKeyArn?: string;
  /** The table's on-demand throughput cap, when it has one. */
  public readonly onDemandThroughput?: OnDemandThroughputCaps;
  /** The history index's on-demand throughput cap, when it has one. */
  public readonly historyIndexOnDemandThroughput?: OnDemandThroughputCaps;
  /** Days of point-in-time recovery. */
  public readonly pointInTimeRecoveryDays: number;
  /** The regions of the table's replicas (empty without replicas). */
  public readonly replicaRegions: readonly string[];
  /** The table whose backups this one was restored from, when it was. */
  public readonly restoreFrom?: TableRestoreSource;

  constructor(scope: Construct, id: string, props: BandupTableProps) {
    super(scope, id);
    const { definition } = props;
    const historyIndexEnabled = props.historyIndexEnabled ?? true;
    const deletionProtection = props.deletionProtection ?? false;
    const index = definition.historyIndex;
    // Reported at synth with this construct's path (cdktf and assertStacksValid prefix it).
    this.node.addValidation({ validate: () => validateProps(props, defaultProviderRegion(this)) });
    const replicas = props.replicas ?? [];
    const pointInTimeRecoveryDays = props.pointInTimeRecoveryDays ?? PITR_RECOVERY_DAYS.max;
    const streamEnabled = props.streamEnabled ?? replicas.length > 0;

    this.table = new DynamodbTable(this, "table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: definition.partitionKey.name,
      rangeKey: definition.sortKey.name,
      attribute: attributeDefinitions(definition, historyIndexEnabled).map((a) => ({ name: a.name, type: a.type })),
      globalSecondaryIndex: historyIndexEnabled
        ? [
            {
              name: index.name,
              hashKey: index.partitionKey.name,
              rangeKey: index.sortKey.name,
              projectionType: index.projection,
              nonKeyAttributes: index.projection === "INCLUDE" ? [...index.nonKeyAttributes] : undefined,
              onDemandThroughput: onDemandThroughputBlock(props.historyIndexOnDemandThroughput),
            },
          ]
        : undefined,
      onDemandThroughput: onDemandThroughputBlock(props.onDemandThroughput),
      pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: pointInTimeRecoveryDays },
      serverSideEncryption: props.kmsKeyArn ? { enabled: true, kmsKeyArn: props.kmsKeyArn } : undefined,
      tableClass: props.tableClass ?? "STANDARD",
      replica:
        replicas.length > 0
          ? replicas.map((r) => ({ regionName: r.region, kmsKeyArn: r.kmsKeyArn, pointInTimeRecovery: true, propagateTags: true }))
          : undefined,
      streamEnabled: streamEnabled || undefined,
      streamViewType: streamEnabled ? "NEW_AND_OLD_IMAGES" : undefined,
      restoreSourceName: props.restoreFrom?.sourceTableName,
      restoreToLatestTime: props.restoreFrom?.pointInTime === "latest" ? true : undefined,
      restoreDateTime: props.restoreFrom !== undefined && props.restoreFrom.pointInTime !== "latest" ? props.restoreFrom.pointInTime : undefined,
      deletionProtectionEnabled: deletionProtection,
      tags: props.tags,
      lifecycle: deletionProtection ? { preventDestroy: true } : undefined,
    });

    if (props.adoptExisting ?? false) {
      // The import id of aws_dynamodb_table is the table name.
      this.table.importFrom(props.tableName);
    }

    this.definition = definition;
    this.tableName = props.tableName;
    this.tableArn = this.table.arn;
    this.historyIndexEnabled = historyIndexEnabled;
    this.kmsKeyArn = props.kmsKeyArn;
    this.onDemandThroughput = props.onDemandThroughput || undefined;
    this.historyIndexOnDemandThroughput = (historyIndexEnabled && props.historyIndexOnDemandThroughput) || undefined;
    this.pointInTimeRecoveryDays = pointInTimeRecoveryDays;
    this.replicaRegions = replicas.map((r) => r.region);
    this.restoreFrom = props.restoreFrom;
    this.indexArns = historyIndexEnabled ? [`${this.table.arn}/index/${index.name}`] : [];
  }

  /**
   * The statements that let a function read and write this table's items through the data layer:
   * the four actions on the table, Query on `<table ARN>/index/*` when the table has an index (without
   * it the history query is denied), and the table key only through DynamoDB in the stack's region
   * when a customer key encrypts it (`kms:ViaService` is DynamoDB's endpoint there, whose DNS suffix is
   * the partition's: `dynamodb.cn-north-1.amazonaws.com.cn` in China). Statement ids start with the
   * table's kind (`EvaluationsTableData`).
   */
  public grantDataAccess(): GrantStatement[] {
    const sid = this.definition.kind.replace(/(^|-)(\w)/g, (_m, _dash, letter: string) => letter.toUpperCase());
    const statements: GrantStatement[] = [
      { sid: `${sid}TableData`, actions: DYNAMODB_TABLE_ACTIONS, resources: [this.tableArn] },
    ];
    if (this.historyIndexEnabled) {
      statements.push({ sid: `${sid}IndexQuery`, actions: DYNAMODB_INDEX_ACTIONS, resources: [`${this.tableArn}/index/*`] });
    }
    if (this.kmsKeyArn) {
      statements.push({
        sid: `${sid}TableKey`,
        actions: KMS_TABLE_KEY_ACTIONS,
        resources: [this.kmsKeyArn],
        conditions: [
          { test: "StringEquals", variable: "kms:ViaService", values: [StackAwsContext.of(this).serviceEndpoint("dynamodb")] },
        ],
      });
    }
    return statements;
  }
}

/** The region of the stack's default AWS provider (the one without an alias), when it is a plain string. */
function defaultProviderRegion(scope: Construct): string | undefined {
  const provider = TerraformStack.of(scope)
    .node.children.filter((c): c is AwsProvider => c instanceof AwsProvider)
    .find((p) => p.alias === undefined);
  return provider?.region;
}

/** DynamoDB's value for "no maximum" in `on_demand_throughput`. */
const NO_MAXIMUM = -1;

/** The `on_demand_throughput` block of a cap: the cap, "no maximum" for `false`, nothing without one. */
function onDemandThroughputBlock(caps: OnDemandThroughputCaps | false | undefined) {
  if (caps === undefined) return undefined;
  if (caps === false) return { maxReadRequestUnits: NO_MAXIMUM, maxWriteRequestUnits: NO_MAXIMUM };
  return { maxReadRequestUnits: caps.maxReadRequestUnits, maxWriteRequestUnits: caps.maxWriteRequestUnits };
}

/**
 * Every problem with a table's props, each naming the prop, the value and what is allowed. `region`
 * is the stack's region when it is known at synth (the provider's), for the replicas' checks.
 */
function validateProps(props: BandupTableProps, region: string | undefined): string[] {
  const problems = [
    checkName("tableName", TABLE_NAME, props.tableName),
    props.kmsKeyArn === undefined ? undefined : checkName("kmsKeyArn", KMS_KEY_ARN, props.kmsKeyArn),
    ...checkTags("tags", props.tags ?? {}),
    props.pointInTimeRecoveryDays === undefined
      ? undefined
      : checkWholeNumber("pointInTimeRecoveryDays", props.pointInTimeRecoveryDays, PITR_RECOVERY_DAYS.min, PITR_RECOVERY_DAYS.max, "days"),
    props.tableClass === undefined ? undefined : checkTableClass("tableClass", props.tableClass),
  ];
  for (const [field, caps] of [
    ["onDemandThroughput", props.onDemandThroughput],
    ["historyIndexOnDemandThroughput", props.historyIndexOnDemandThroughput],
  ] as const) {
    if (caps === undefined || caps === false) continue;
    problems.push(checkRequestUnits(`${field}.maxReadRequestUnits`, caps.maxReadRequestUnits));
    problems.push(checkRequestUnits(`${field}.maxWriteRequestUnits`, caps.maxWriteRequestUnits));
  }
  const seen = new Set<string>();
  for (const [i, replica] of (props.replicas ?? []).entries()) {
    const field = `replicas[${i}]`;
    const partition = partitionOfRegion(replica.region);
    const tablePartition = region === undefined ? undefined : partitionOfRegion(region);
    if (partition === undefined) problems.push(ruleProblem(`${field}.region`, "a region the pinned AWS provider knows (constructs/aws-partitions.ts)", replica.region));
    else if (replica.region === region) problems.push(ruleProblem(`${field}.region`, `another region than the table's own (\`${region}\`)`, replica.region));
    else if (seen.has(replica.region)) problems.push(ruleProblem(`${field}.region`, "a region no other replica has", replica.region));
    else if (tablePartition !== undefined && partition.id !== tablePartition.id) {
      problems.push(ruleProblem(`${field}.region`, `a region of the table's partition \`${tablePartition.id}\` (a global table cannot span partitions)`, replica.region));
    }
    seen.add(replica.region);
    if (replica.kmsKeyArn !== undefined) problems.push(...checkKmsKeyArnForRegion(`${field}.kmsKeyArn`, replica.kmsKeyArn, replica.region, REPLICA_KEY_PLACEMENT));
    if ((props.kmsKeyArn === undefined) !== (replica.kmsKeyArn === undefined)) {
      problems.push(
        props.kmsKeyArn === undefined
          ? `\`${field}.kmsKeyArn\` is set but the table has no customer key (\`kmsKeyArn\`); the replicas use the table's kind of key`
          : `\`${field}.kmsKeyArn\` is required: the table has a customer key, so each replica needs one of its own region`,
      );
    }
  }
  if (props.restoreFrom !== undefined) {
    const { sourceTableName, pointInTime } = props.restoreFrom;
    problems.push(checkName("restoreFrom.sourceTableName", TABLE_NAME, sourceTableName));
    if (sourceTableName === props.tableName) {
      problems.push(ruleProblem("restoreFrom.sourceTableName", "another table than this one (a restore creates a new table)", sourceTableName));
    }
    problems.push(checkRestorePointInTime("restoreFrom.pointInTime", pointInTime, new Date()));
  }
  return problems.filter((problem): problem is string => problem !== undefined);
}
