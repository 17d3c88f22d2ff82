/**
 * One CloudWatch alarm from a rule of alarm-rules.ts: its windows, statistic, comparison, missing-data
 * treatment and notifications come from the rule, so every alarm of a kind is set alike.
 */
import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { AlarmRule } from "./alarm-rules";
import { AlarmTopic } from "./alarm-topic";
import { MetricId } from "./cloudwatch-metrics";

/** What one alarm watches, beyond its rule. */
export interface RuleAlarmSpec {
  readonly rule: AlarmRule;
  /** The watched resource's name; the alarm is `<stack name>/<resourceName>-<rule.nameSuffix>`. */
  readonly resourceName: string;
  /** The one metric the alarm watches, with the rule's statistic and period. */
  readonly metric?: MetricId;
  /** Or several metrics summed (metric math `SUM([...])`), each with the rule's statistic and period. */
  readonly summed?: readonly MetricId[];
  readonly threshold: number;
  readonly topic: AlarmTopic;
  readonly tags?: Record<string, string>;
}

/**
 * The name of the alarm a rule sets on a resource of `scope`'s stack: `<stack name>/<resourceName>-<suffix>`.
 * The stack's name first: stack names are unique and hold no `/`, so `alarm:<stack name>/*` names a
 * stack's alarms and no other stack's, and its deploy role needs one ARN pattern, not one ARN per alarm.
 */
export function alarmName(scope: Construct, rule: AlarmRule, resourceName: string): string {
  return `${TerraformStack.of(scope).node.id}/${resourceName}-${rule.nameSuffix}`;
}

/** Creates the alarm under `scope` with construct id `id`. */
export function createRuleAlarm(scope: Construct, id: string, spec: RuleAlarmSpec): CloudwatchMetricAlarm {
  const { rule, metric, summed } = spec;
  if ((metric === undefined) === (summed === undefined)) throw new Error(`alarm ${id}: give either one metric or metrics to sum`);
  const watched = metric
    ? { namespace: metric.namespace, metricName: metric.metricName, dimensions: { ...metric.dimensions }, statistic: rule.statistic, period: rule.periodSeconds }
    : {
        metricQuery: [
          ...summed!.map((m, index) => ({
            id: `m${index + 1}`,
            returnData: false,
            metric: { namespace: m.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, stat: rule.statistic, period: rule.periodSeconds },
          })),
          { id: "total", expression: `SUM([${summed!.map((_m, index) => `m${index + 1}`).join(", ")}])`, label: rule.watches, returnData: true },
        ],
      };
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: alarmName(scope, rule, spec.resourceName),
    alarmDescription: `${spec.resourceName}: ${rule.why}`,
    ...watched,
    comparisonOperator: rule.comparison,
    threshold: spec.threshold,
    evaluationPeriods: rule.evaluationPeriods,
    datapointsToAlarm: rule.datapointsToAlarm,
    treatMissingData: rule.treatMissingData,
    actionsEnabled: true,
    alarmActions: [spec.topic.topicArnReference],
    okActions: rule.notifyOk ? [spec.topic.topicArnReference] : undefined,
    tags: spec.tags,
  });
}
