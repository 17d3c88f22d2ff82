import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AlarmTopic } from "../constructs/alarm-topic";
import { AlarmTopicPolicy } from "../constructs/alarm-topic-policy";
import { BandupFunction } from "../constructs/bandup-function";
import { BandupTable } from "../constructs/bandup-table";
import { FunctionAlarms } from "../constructs/function-alarms";
import { JobOutcomeMetrics } from "../constructs/job-outcome-metrics";
import { OperationsDashboard } from "../constructs/operations-dashboard";
import { alarmTopicKeyAlias } from "../constructs/naming-rules";
import { StackAwsContext } from "../constructs/stack-aws-context";
import { TableAlarms } from "../constructs/table-alarms";
import { applyBandupGuardrails } from "../guardrails/bandup";
import { FUNCTION_DEFINITIONS, FunctionKind } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../lambda-src/contract/table-definitions";
import { addBackend, BackendSettings } from "./backend";
import { functionBoundaryName, managedPolicyArn } from "./bootstrap-names";
import { functionTableName, PROVIDER_DEFAULT_TAGS, ResolvedEnvironment } from "./environments";

/**
 * Test-only provider settings that let `terraform plan` run without AWS. Never set them in a real
 * deployment: they turn off the provider's credential and region checks.
 */
export interface OfflineProviderSettings {
  /**
   * Endpoint of a DynamoDB-compatible server (dynalite) that the provider talks to instead of AWS.
   * @default - the real DynamoDB endpoint of the region
   */
  readonly dynamodbEndpoint?: string;
}

/** Props of a `BandupStack`. */
export interface BandupStackProps {
  /** The environment this stack deploys, resolved and validated by `stacks/environments.ts`. */
  readonly environment: ResolvedEnvironment;
  /**
   * Where the stack keeps its Terraform state.
   * @default { type: "local" } - a local state file per environment
   */
  readonly backend?: BackendSettings;
  /**
   * Test-only: skip the provider's AWS credential, account and region checks so that `terraform plan`
   * runs offline.
   * @default - undefined, the provider checks credentials as usual
   */
  readonly offlineProvider?: OfflineProviderSettings;
}

/** What an operator watches in one environment: the alarm topic, every alarm, the dashboard. */
export interface BandupMonitoring {
  /** The encrypted SNS topic every alarm notifies, with its email subscriptions. */
  readonly topic: AlarmTopic;
  /** The topic's policy: the stack's alarms may publish, nothing else is granted. */
  readonly topicPolicy: AlarmTopicPolicy;
  /** The alarms of every table of the stack (a restored table's and its original's during a restore), in `allTables` order. */
  readonly tableAlarms: readonly TableAlarms[];
  /** Each function's job outcome metrics (log metric filters), by kind. */
  readonly jobOutcomes: Readonly<Record<FunctionKind, JobOutcomeMetrics>>;
  /** Each function's alarms (its dead-letter queue's and its jobs' included), by kind. */
  readonly functionAlarms: Readonly<Record<FunctionKind, FunctionAlarms>>;
  /** The environment's dashboard. */
  readonly dashboard: OperationsDashboard;
}

/** Everything BandUp's data layer needs in one environment: provider, backend and both tables. */
export class BandupStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: ResolvedEnvironment;
  /** The AWS provider of the stack (region and `default_tags` of the environment). */
  public readonly provider: AwsProvider;
  /** The table of each kind that the functions read and write: the original, or the restored one once switched. */
  public readonly tables: Readonly<Record<TableKind, BandupTable>>;
  /** Every table of the stack: the originals the stack keeps, and the restored table during a restore. */
  public readonly allTables: readonly BandupTable[];
  /** The table restored from a point in time (`restore` of the environment), when there is one. */
  public readonly restoredTable?: BandupTable;
  /** The three functions, by kind. */
  public readonly functions: Readonly<Record<FunctionKind, BandupFunction>>;
  /** The alarm topic, the alarms and the dashboard. */
  public readonly monitoring: BandupMonitoring;

  constructor(scope: Construct, id: string, props: BandupStackProps) {
    super(scope, id);
    const { environment } = props;
    this.environment = environment;

    addBackend(this, environment.name, props.backend ?? { type: "local" });

    const offline = props.offlineProvider;
    this.provider = new AwsProvider(this, "aws", {
      region: environment.region,
      // Terraform then refuses credentials of another account: prod's plan can never run against dev's.
      allowedAccountIds: environment.accountId === undefined ? undefined : [environment.accountId],
      defaultTags: [{ tags: { ...environment.tags, ...PROVIDER_DEFAULT_TAGS } }],
      ...(offline && {
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: "true",
        skipRegionValidation: true,
        endpoints: offline.dynamodbEndpoint ? [{ dynamodb: offline.dynamodbEndpoint }] : undefined,
      }),
    });

    const { tables, allTables, restoredTable } = this.addTables(environment);
    this.tables = tables;
    this.allTables = allTables;
    this.restoredTable = restoredTable;
    this.functions = this.addFunctions(environment, this.tables);
    this.monitoring = this.addMonitoring(environment, this.allTables, this.functions);

    applyBandupGuardrails(this, environment); // last: guardrails check the finished stack at synth
  }

  /**
   * Both tables of the design (construct ids `evaluations`, `flashcard-sets`), and during a restore
   * the restored table (`<kind>-restored`), with the same keys, index, recovery window, caps,
   * class, replicas, encryption, tags and protection as its original. A retired original is left
   * out (Terraform deletes it); an original being unprotected loses its deletion protection. Outputs:
   * the name and ARN of the table the functions use, and of the restored table.
   */
  private addTables(environment: ResolvedEnvironment): { tables: Record<TableKind, BandupTable>; allTables: BandupTable[]; restoredTable?: BandupTable } {
    const restore = environment.restore;
    const tables = {} as Record<TableKind, BandupTable>;
    const allTables: BandupTable[] = [];
    let restoredTable: BandupTable | undefined;
    for (const definition of TABLE_DEFINITIONS) {
      const caps = environment.onDemandThroughput[definition.kind];
      const props = {
        definition,
        historyIndexEnabled: environment.historyIndexEnabled,
        kmsKeyArn: environment.tableKmsKeyArn,
        onDemandThroughput: caps.table,
        historyIndexOnDemandThroughput: caps.historyIndex,
        pointInTimeRecoveryDays: environment.pitrRecoveryDays,
        tableClass: environment.tableClass,
        replicas: environment.replicas,
        streamEnabled: environment.tableStreamEnabled,
        deletionProtection: environment.protected,
        tags: environment.tags,
      };
      const restoring = restore?.table === definition.kind ? restore : undefined;
      let original: BandupTable | undefined;
      if (restoring?.original !== "retire") {
        original = new BandupTable(this, definition.kind, {
          ...props,
          tableName: environment.tableNames[definition.kind],
          deletionProtection: environment.protected && restoring?.original !== "unprotect",
          adoptExisting: environment.adoptExistingTables,
        });
        allTables.push(original);
      }
      if (restoring !== undefined) {
        restoredTable = new BandupTable(this, `${definition.kind}-restored`, {
          ...props,
          tableName: restoring.tableName,
          restoreFrom: { sourceTableName: restoring.sourceTableName, pointInTime: restoring.pointInTime },
        });
        allTables.push(restoredTable);
        new TerraformOutput(this, `${definition.kind}-restored-table-name`, {
          value: restoredTable.tableName,
          description: `Name of the table restored from ${restoring.sourceTableName} at ${restoring.pointInTime}`,
        });
        new TerraformOutput(this, `${definition.kind}-restored-table-arn`, { value: restoredTable.tableArn });
      }
      const inUse = functionTableName(environment, definition.kind) === environment.tableNames[definition.kind] ? original : restoredTable;
      // resolveEnvironment refuses a retired original that the functions still use.
      if (inUse === undefined) throw new Error(`no table of kind ${definition.kind} for the functions`);
      tables[definition.kind] = inUse;
      new TerraformOutput(this, `${definition.kind}-table-name`, {
        value: inUse.tableName,
        description: `Name of the ${definition.kind} table the functions use (Lambda variable ${definition.environmentVariable})`,
      });
      new TerraformOutput(this, `${definition.kind}-table-arn`, { value: inUse.tableArn });
    }
    return { tables, allTables, restoredTable };
  }

  /** The three functions, each wired from its table and settings (constructs/bandup-function.ts), with outputs. */
  private addFunctions(environment: ResolvedEnvironment, tables: Record<TableKind, BandupTable>): Record<FunctionKind, BandupFunction> {
    const functions = {} as Record<FunctionKind, BandupFunction>;
    const aws = StackAwsContext.of(this);
    for (const definition of FUNCTION_DEFINITIONS) {
      const settings = environment.functions[definition.kind];
      const fn = new BandupFunction(this, definition.kind, {
        definition,
        functionName: settings.functionName,
        table: tables[definition.table],
        modelId: environment.modelId,
        modelApiKeyParameter: environment.modelApiKeyParameter,
        uploadsBucket: definition.uploadsPrefix === undefined ? undefined : environment.uploadsBucket,
        memoryMb: settings.memoryMb,
        timeoutSeconds: settings.timeoutSeconds,
        reservedConcurrency: settings.reservedConcurrency,
        logRetentionDays: environment.logRetentionDays,
        // The bootstrap's policy, by its name (stacks/bootstrap-names.ts), not a reference across
        // stacks: the deploy role may write these roles only while they carry it.
        permissionsBoundaryArn: managedPolicyArn(aws.partition, aws.accountId, functionBoundaryName(environment.name)),
        tags: environment.tags,
      });
      functions[definition.kind] = fn;
      new TerraformOutput(this, `${definition.kind}-function-name`, { value: fn.function.functionName });
      new TerraformOutput(this, `${definition.kind}-function-arn`, { value: fn.function.arn });
      new TerraformOutput(this, `${definition.kind}-role-arn`, { value: fn.role.arn });
    }
    return functions;
  }

  /**
   * The alarm topic, the alarms of every table, function and dead-letter queue, the job outcome
   * metrics, the topic's policy (naming every alarm) and the dashboard, with the topic's ARN as output.
   */
  private addMonitoring(
    environment: ResolvedEnvironment,
    tables: readonly BandupTable[],
    functions: Record<FunctionKind, BandupFunction>,
  ): BandupMonitoring {
    const { alarms: settings, tags } = environment;
    const topic = new AlarmTopic(this, "alarm-topic", {
      topicName: settings.topicName,
      // The key the bootstrap creates for the topic, by its alias, unless the settings give one.
      kmsKeyId: settings.topicKmsKeyArn ?? alarmTopicKeyAlias(settings.topicName),
      emails: settings.emails,
      tags,
    });
    // Ids from the table's own (`evaluations-alarms`, `evaluations-restored-alarms`): an original keeps
    // its alarms while a restored table is added, switched to and retired.
    const tableAlarms = tables.map((table) => new TableAlarms(this, `${table.node.id}-alarms`, { table, topic, tags }));
    const jobOutcomes = {} as Record<FunctionKind, JobOutcomeMetrics>;
    const functionAlarms = {} as Record<FunctionKind, FunctionAlarms>;
    for (const definition of FUNCTION_DEFINITIONS) {
      const fn = functions[definition.kind];
      jobOutcomes[definition.kind] = new JobOutcomeMetrics(this, `${definition.kind}-job-outcomes`, {
        functionName: fn.functionName,
        logGroupName: fn.logGroup.name,
      });
      functionAlarms[definition.kind] = new FunctionAlarms(this, `${definition.kind}-alarms`, {
        fn,
        jobOutcomes: jobOutcomes[definition.kind],
        topic,
        tags,
      });
    }
    const alarmNames = [...tableAlarms, ...Object.values(functionAlarms)].flatMap((a) => a.alarmNames);
    const topicPolicy = new AlarmTopicPolicy(this, "alarm-topic-policy", { topic, alarmNames });
    const dashboard = new OperationsDashboard(this, "dashboard", {
      dashboardName: settings.dashboardName,
      region: environment.region,
      tables,
      functions: FUNCTION_DEFINITIONS.map((d) => ({ fn: functions[d.kind], jobOutcomes: jobOutcomes[d.kind] })),
    });
    new TerraformOutput(this, "alarm-topic-arn", { value: topic.topicArnReference, description: "SNS topic of the environment's alarms" });
    new TerraformOutput(this, "dashboard-name", { value: settings.dashboardName });
    return { topic, topicPolicy, tableAlarms, jobOutcomes, functionAlarms, dashboard };
  }
}
