import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { JOB_OUTCOME_MESSAGES, MESSAGE_SELECTOR } from "../lambda-src/contract/job-outcome-log";
import { MetricId } from "./cloudwatch-metrics";
import { checkName, FUNCTION_NAME } from "./naming-rules";

/** Props of a `JobOutcomeMetrics`. */
export interface JobOutcomeMetricsProps {
  /** The function whose jobs are counted (its name makes the metrics' namespace). */
  readonly functionName: string;
  /** Name of the function's log group (a reference to the log group, so the filters are made after it). */
  readonly logGroupName: string;
}

/** `BandUp/Jobs/<function name>`: the namespace of one function's job outcome metrics. */
export function jobOutcomeNamespace(functionName: string): string {
  return `BandUp/Jobs/${functionName}`;
}

/** A JSON filter pattern matching the lines whose handler message (`$.message.message`) is `message`. */
export function jobOutcomeFilterPattern(message: string): string {
  return `{ ${MESSAGE_SELECTOR} = ${JSON.stringify(message)} }`;
}

/**
 * Counts one function's job outcomes from its logs, with a log metric filter per outcome line of
 * lambda-src/contract/job-outcome-log.ts: `JobsFailed` (every "job failed" line) and `JobsTimedOut`
 * (every "job timed out" line), in the namespace `BandUp/Jobs/<function name>`, 1 per line. A
 * period without such a line has no datapoint (no default value): alarms treat it as not breaching.
 */
export class JobOutcomeMetrics extends Construct {
  /** Jobs recorded `failed`. */
  public readonly failed: MetricId;
  /** Jobs whose time ran out. */
  public readonly timedOut: MetricId;
  /** The two filters, in that order. */
  public readonly filters: readonly CloudwatchLogMetricFilter[];

  constructor(scope: Construct, id: string, props: JobOutcomeMetricsProps) {
    super(scope, id);
    this.node.addValidation({ validate: () => [checkName("functionName", FUNCTION_NAME, props.functionName)].filter((p): p is string => p !== undefined) });
    const namespace = jobOutcomeNamespace(props.functionName);
    this.failed = { namespace, metricName: "JobsFailed", dimensions: {} };
    this.timedOut = { namespace, metricName: "JobsTimedOut", dimensions: {} };
    const filter = (filterId: string, metric: MetricId, message: string) =>
      new CloudwatchLogMetricFilter(this, filterId, {
        name: `${props.functionName}-${filterId}`,
        logGroupName: props.logGroupName,
        pattern: jobOutcomeFilterPattern(message),
        metricTransformation: { namespace, name: metric.metricName, value: "1", unit: "Count" },
      });
    this.filters = [filter("jobs-failed", this.failed, JOB_OUTCOME_MESSAGES.failed), filter("jobs-timed-out", this.timedOut, JOB_OUTCOME_MESSAGES.timedOut)];
  }
}
