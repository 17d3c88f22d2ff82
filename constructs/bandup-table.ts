import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { attributeDefinitions, TableDefinition } from "../lambda-src/shared/table-definitions";
import { DYNAMODB_INDEX_ACTIONS, DYNAMODB_TABLE_ACTIONS, GrantStatement, KMS_TABLE_KEY_ACTIONS } from "./iam-grants";
import { checkName, checkTags, KMS_KEY_ARN, TABLE_NAME } from "./naming-rules";
import { StackAwsContext } from "./stack-aws-context";

/** On-demand throughput caps (DynamoDB's `OnDemandThroughput`): requests beyond them are throttled. */
export interface OnDemandThroughputCaps {
  /** Read request units per second at most. */
  readonly maxReadRequestUnits: number;
  /** Write request units per second at most. */
  readonly maxWriteRequestUnits: number;
}

/** Props of a `BandupTable`. */
export interface BandupTableProps {
  /** Keys and index of the table, from `lambda-src/shared/table-definitions.ts`. */
  readonly definition: TableDefinition;
  /** Physical table name: 3-255 characters of `[a-zA-Z0-9_.-]`. */
  readonly tableName: string;
  /**
   * Create the definition's history index, `user_id-created_at-index` (hash `user_id` S, range
   * `created_at` N, projection ALL).
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
   * @default - no cap
   */
  readonly onDemandThroughput?: OnDemandThroughputCaps;
  /**
   * Cap on the history index's on-demand throughput (only with the index).
   * @default - no cap
   */
  readonly historyIndexOnDemandThroughput?: OnDemandThroughputCaps;
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

  constructor(scope: Construct, id: string, props: BandupTableProps) {
    super(scope, id);
    const { definition } = props;
    const historyIndexEnabled = props.historyIndexEnabled ?? true;
    const deletionProtection = props.deletionProtection ?? false;
    const index = definition.historyIndex;
    // Reported at synth with this construct's path (cdktf and assertStacksValid prefix it).
    this.node.addValidation({
      validate: () =>
        [
          checkName("tableName", TABLE_NAME, props.tableName),
          props.kmsKeyArn === undefined ? undefined : checkName("kmsKeyArn", KMS_KEY_ARN, props.kmsKeyArn),
          ...checkTags("tags", props.tags ?? {}),
        ].filter((problem): problem is string => problem !== undefined),
    });

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
              onDemandThroughput: props.historyIndexOnDemandThroughput && { ...props.historyIndexOnDemandThroughput },
            },
          ]
        : undefined,
      onDemandThroughput: props.onDemandThroughput && { ...props.onDemandThroughput },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: props.kmsKeyArn ? { enabled: true, kmsKeyArn: props.kmsKeyArn } : undefined,
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
    this.onDemandThroughput = props.onDemandThroughput;
    this.historyIndexOnDemandThroughput = historyIndexEnabled ? props.historyIndexOnDemandThroughput : undefined;
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
