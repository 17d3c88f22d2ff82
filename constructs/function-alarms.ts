import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { ALARM_RULES, thresholdOf } from "./alarm-rules";
import { AlarmTopic } from "./alarm-topic";
import { BandupFunction } from "./bandup-function";
import { functionMetric, queueMetric } from "./cloudwatch-metrics";
import { JobOutcomeMetrics } from "./job-outcome-metrics";
import { ALARM_NAME, checkName } from "./naming-rules";
import { alarmName, createRuleAlarm } from "./rule-alarm";

/** Props of a `FunctionAlarms`. */
export interface FunctionAlarmsProps {
  /** The function watched, with its dead-letter queue. */
  readonly fn: BandupFunction;
  /** The function's job outcome metrics (the log metric filters on its log group). */
  readonly jobOutcomes: JobOutcomeMetrics;
  /** The topic every alarm notifies. */
  readonly topic: AlarmTopic;
  /**
   * Tags of the alarms.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * The alarms of one function (constructs/alarm-rules.ts): errors, throttles, duration near its
 * timeout, any message in its dead-letter queue, and its jobs: failed, and timed out.
 */
export class FunctionAlarms extends Construct {
  /** Every alarm: errors, throttles, duration, dead letters, jobs failed, jobs timed out. */
  public readonly alarms: readonly CloudwatchMetricAlarm[];
  /** Their names, in the same order (plain strings, known at synth). */
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: FunctionAlarmsProps) {
    super(scope, id);
    const { fn, jobOutcomes, topic } = props;
    const rules = ALARM_RULES;
    const specs = [
      { id: "errors", rule: rules.functionErrors, resourceName: fn.functionName, metric: functionMetric("Errors", fn.functionName) },
      { id: "throttles", rule: rules.functionThrottles, resourceName: fn.functionName, metric: functionMetric("Throttles", fn.functionName) },
      {
        id: "duration-near-timeout",
        rule: rules.durationNearTimeout,
        resourceName: fn.functionName,
        metric: functionMetric("Duration", fn.functionName),
        base: { timeoutSeconds: fn.timeoutSeconds },
      },
      {
        id: "dead-letters",
        rule: rules.deadLetters,
        resourceName: fn.deadLetterQueueName,
        metric: queueMetric("ApproximateNumberOfMessagesVisible", fn.deadLetterQueueName),
      },
      { id: "jobs-failed", rule: rules.jobsFailed, resourceName: fn.functionName, metric: jobOutcomes.failed },
      { id: "jobs-timed-out", rule: rules.jobsTimedOut, resourceName: fn.functionName, metric: jobOutcomes.timedOut },
    ];
    this.alarms = specs.map((spec) =>
      createRuleAlarm(this, spec.id, { ...spec, threshold: thresholdOf(spec.rule, "base" in spec ? spec.base : undefined), topic, tags: props.tags }),
    );
    const names = specs.map((spec) => alarmName(this, spec.rule, spec.resourceName));
    this.alarmNames = names;
    this.node.addValidation({ validate: () => names.map((name) => checkName("alarm name", ALARM_NAME, name)).filter((p): p is string => p !== undefined) });
  }
}
