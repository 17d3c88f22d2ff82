import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { ALARM_RULES, thresholdOf } from "./alarm-rules";
import { BandupFunction } from "./bandup-function";
import { BandupTable, OnDemandThroughputCaps } from "./bandup-table";
import { functionMetric, MetricId, queueMetric, TABLE_OPERATIONS, tableMetric, tableOperationMetric } from "./cloudwatch-metrics";
import { JobOutcomeMetrics } from "./job-outcome-metrics";
import { checkName, DASHBOARD_NAME, REGION } from "./naming-rules";

/** One function on the dashboard, with its job outcome metrics. */
export interface DashboardFunction {
  readonly fn: BandupFunction;
  readonly jobOutcomes: JobOutcomeMetrics;
}

/** Props of an `OperationsDashboard`. */
export interface OperationsDashboardProps {
  /** Name of the dashboard: 1-255 characters of a-z, A-Z, 0-9, _ and -. */
  readonly dashboardName: string;
  /** The region whose metrics the widgets show (the stack's region, as a plain string). */
  readonly region: string;
  /** The tables, one row each. */
  readonly tables: readonly BandupTable[];
  /** The functions, one row each. */
  readonly functions: readonly DashboardFunction[];
}

/** A metric line of a widget: the metric, and how it is drawn. */
interface Line {
  readonly metric: MetricId;
  readonly stat: string;
  readonly label: string;
}

/** A horizontal line on a widget (a cap, a timeout, an alarm's threshold). */
interface Mark {
  readonly label: string;
  readonly value: number;
}

const WIDGET_HEIGHT = 6;

/**
 * The environment's CloudWatch dashboard, built from the same resources and metric ids as the
 * alarms (constructs/cloudwatch-metrics.ts): a row per table (consumed capacity against its caps,
 * throttles, latency per operation, the history index beside the table) and a row per function
 * (invocations, errors and throttles; duration against the timeout and the alarm's threshold; job
 * outcomes; its dead-letter queue).
 */
export class OperationsDashboard extends Construct {
  /** The `aws_cloudwatch_dashboard`. */
  public readonly dashboard: CloudwatchDashboard;
  /** The dashboard's body, as an object (`dashboard_body` is its JSON). */
  public readonly body: { readonly widgets: readonly object[] };

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () =>
        [checkName("dashboardName", DASHBOARD_NAME, props.dashboardName), checkName("region", REGION, props.region)].filter(
          (p): p is string => p !== undefined,
        ),
    });
    const widgets: object[] = [];
    let y = 0;
    const heading = (markdown: string) => {
      widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown } });
      y += 1;
    };
    /** A row of metric widgets sharing the width. */
    const row = (cells: readonly { title: string; period: number; lines: readonly Line[]; marks?: readonly Mark[] }[]) => {
      const width = 24 / cells.length;
      cells.forEach((cell, index) => {
        widgets.push({
          type: "metric",
          x: index * width,
          y,
          width,
          height: WIDGET_HEIGHT,
          properties: {
            title: cell.title,
            region: props.region,
            view: "timeSeries",
            stacked: false,
            period: cell.period,
            metrics: cell.lines.map((line) => metricEntry(line, cell.period)),
            ...(cell.marks && cell.marks.length > 0 && { annotations: { horizontal: cell.marks.map((m) => ({ label: m.label, value: m.value })) } }),
          },
        });
      });
      y += WIDGET_HEIGHT;
    };

    heading("## Tables: consumed capacity (units per minute) against the on-demand caps, throttled requests, latency per operation");
    for (const table of props.tables) {
      const name = table.tableName;
      const index = table.historyIndexEnabled ? table.definition.historyIndex.name : undefined;
      const scopes: { label: string; indexName?: string; caps?: OnDemandThroughputCaps }[] = [
        { label: "table", caps: table.onDemandThroughput },
        ...(index === undefined ? [] : [{ label: "index", indexName: index, caps: table.historyIndexOnDemandThroughput }]),
      ];
      const perScope = (metricName: string, what: string) =>
        scopes.map((s) => ({ metric: tableMetric(metricName, name, s.indexName), stat: "Sum", label: `${s.label} ${what}` }));
      row([
        {
          title: `${name}: consumed capacity`,
          period: 60,
          lines: [...perScope("ConsumedReadCapacityUnits", "reads"), ...perScope("ConsumedWriteCapacityUnits", "writes")],
          marks: scopes.flatMap((s) =>
            s.caps === undefined
              ? []
              : [
                  { label: `${s.label} read cap`, value: s.caps.maxReadRequestUnits * 60 },
                  { label: `${s.label} write cap`, value: s.caps.maxWriteRequestUnits * 60 },
                ],
          ),
        },
        {
          title: `${name}: throttled requests`,
          period: 60,
          lines: [...perScope("ReadThrottleEvents", "read throttles"), ...perScope("WriteThrottleEvents", "write throttles")],
        },
        {
          title: `${name}: latency (ms)`,
          period: 60,
          lines: TABLE_OPERATIONS.map((operation) => ({ metric: tableOperationMetric("SuccessfulRequestLatency", name, operation), stat: "Average", label: operation })),
        },
      ]);
    }

    heading("## Functions: invocations, errors and throttles; duration against the timeout; job outcomes; dead-letter queue");
    for (const { fn, jobOutcomes } of props.functions) {
      const name = fn.functionName;
      const timeoutMs = fn.timeoutSeconds * 1000;
      row([
        {
          title: `${name}: invocations`,
          period: 60,
          lines: ["Invocations", "Errors", "Throttles"].map((metricName) => ({ metric: functionMetric(metricName, name), stat: "Sum", label: metricName })),
        },
        {
          title: `${name}: duration (ms)`,
          period: 60,
          lines: [
            { metric: functionMetric("Duration", name), stat: "Maximum", label: "longest" },
            { metric: functionMetric("Duration", name), stat: "p99", label: "p99" },
          ],
          marks: [
            { label: "timeout", value: timeoutMs },
            { label: "alarm", value: thresholdOf(ALARM_RULES.durationNearTimeout, { timeoutSeconds: fn.timeoutSeconds }) },
          ],
        },
        {
          title: `${name}: jobs`,
          period: 300,
          lines: [
            { metric: jobOutcomes.failed, stat: "Sum", label: "failed" },
            { metric: jobOutcomes.timedOut, stat: "Sum", label: "timed out" },
          ],
        },
        {
          title: `${fn.deadLetterQueueName}: messages`,
          period: 300,
          lines: [{ metric: queueMetric("ApproximateNumberOfMessagesVisible", fn.deadLetterQueueName), stat: "Maximum", label: "visible" }],
        },
      ]);
    }

    this.body = { widgets };
    this.dashboard = new CloudwatchDashboard(this, "dashboard", { dashboardName: props.dashboardName, dashboardBody: JSON.stringify(this.body) });
  }
}

/** `[namespace, metric name, dimension, value, ..., options]`, the dashboard's form of a metric. */
function metricEntry(line: Line, period: number): unknown[] {
  return [line.metric.namespace, line.metric.metricName, ...Object.entries(line.metric.dimensions).flat(), { stat: line.stat, label: line.label, period }];
}
