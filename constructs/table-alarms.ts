import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { ALARM_RULES, thresholdOf } from "./alarm-rules";
import { AlarmTopic } from "./alarm-topic";
import { BandupTable, OnDemandThroughputCaps } from "./bandup-table";
import { TABLE_OPERATIONS, tableMetric, tableOperationMetric } from "./cloudwatch-metrics";
import { ALARM_NAME, checkName } from "./naming-rules";
import { alarmName, createRuleAlarm } from "./rule-alarm";

/** Props of a `TableAlarms`. */
export interface TableAlarmsProps {
  /** The table watched, with its history index when it has one. */
  readonly table: BandupTable;
  /** The topic every alarm notifies. */
  readonly topic: AlarmTopic;
  /**
   * Tags of the alarms.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * The alarms of one table (constructs/alarm-rules.ts): read and write throttles of the table and of
 * its history index, system errors of the operations the functions call, and, for the table or the
 * index when an on-demand cap is set, consumption near that cap.
 */
export class TableAlarms extends Construct {
  /** Every alarm, table first, then the index. */
  public readonly alarms: readonly CloudwatchMetricAlarm[];
  /** Their names, in the same order (plain strings, known at synth). */
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: TableAlarmsProps) {
    super(scope, id);
    const { table, topic } = props;
    const tableName = table.tableName;
    const alarms: CloudwatchMetricAlarm[] = [];
    const names: string[] = [];
    const add = (alarmId: string, spec: Omit<Parameters<typeof createRuleAlarm>[2], "topic" | "tags">) => {
      names.push(alarmName(this, spec.rule, spec.resourceName));
      alarms.push(createRuleAlarm(this, alarmId, { ...spec, topic, tags: props.tags }));
    };
    /** Throttles, and consumption near the cap when one is set, of the table or one of its indexes. */
    const watch = (prefix: string, resourceName: string, caps: OnDemandThroughputCaps | undefined, indexName?: string) => {
      const { readThrottles, writeThrottles, readNearCap, writeNearCap } = ALARM_RULES;
      add(`${prefix}read-throttles`, { rule: readThrottles, resourceName, metric: tableMetric("ReadThrottleEvents", tableName, indexName), threshold: thresholdOf(readThrottles) });
      add(`${prefix}write-throttles`, { rule: writeThrottles, resourceName, metric: tableMetric("WriteThrottleEvents", tableName, indexName), threshold: thresholdOf(writeThrottles) });
      if (caps !== undefined) {
        add(`${prefix}read-near-cap`, {
          rule: readNearCap,
          resourceName,
          metric: tableMetric("ConsumedReadCapacityUnits", tableName, indexName),
          threshold: thresholdOf(readNearCap, { capPerSecond: caps.maxReadRequestUnits }),
        });
        add(`${prefix}write-near-cap`, {
          rule: writeNearCap,
          resourceName,
          metric: tableMetric("ConsumedWriteCapacityUnits", tableName, indexName),
          threshold: thresholdOf(writeNearCap, { capPerSecond: caps.maxWriteRequestUnits }),
        });
      }
    };

    watch("", tableName, table.onDemandThroughput);
    add("system-errors", {
      rule: ALARM_RULES.systemErrors,
      resourceName: tableName,
      summed: TABLE_OPERATIONS.map((operation) => tableOperationMetric("SystemErrors", tableName, operation)),
      threshold: thresholdOf(ALARM_RULES.systemErrors),
    });
    if (table.historyIndexEnabled) {
      const indexName = table.definition.historyIndex.name;
      watch("index-", `${tableName}-${indexName}`, table.historyIndexOnDemandThroughput, indexName);
    }
    this.alarms = alarms;
    this.alarmNames = names;
    this.node.addValidation({ validate: () => names.map((name) => checkName("alarm name", ALARM_NAME, name)).filter((p): p is string => p !== undefined) });
  }
}
