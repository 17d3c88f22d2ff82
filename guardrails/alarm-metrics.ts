/**
 * What the synthesized alarms of a stack watch and notify: the metrics of each
 * `aws_cloudwatch_metric_alarm` (its own, or those of its `metric_query`), whether a dimension names
 * a resource of the stack (its literal name or a reference to it), and the SNS topics alarm actions
 * point at. The alarm rules (rules/alarms-*.ts) read the stack through these.
 */
import { block, blocks, StackModel, TfBlock, wholeReference } from "./terraform-json";

/** One metric an alarm watches. */
export interface WatchedMetric {
  readonly alarm: TfBlock;
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: Readonly<Record<string, unknown>>;
}

const cache = new WeakMap<StackModel, WatchedMetric[]>();

/** Every metric every alarm of the stack watches. */
export function watchedMetrics(stack: StackModel): readonly WatchedMetric[] {
  const cached = cache.get(stack);
  if (cached) return cached;
  const metrics: WatchedMetric[] = [];
  for (const alarm of stack.resources("aws_cloudwatch_metric_alarm")) {
    const config = alarm.config;
    if (config.metric_name !== undefined) {
      metrics.push({ alarm, namespace: config.namespace, metricName: config.metric_name, dimensions: config.dimensions ?? {} });
    }
    for (const query of blocks(config.metric_query)) {
      const metric = block(query?.metric);
      if (metric) metrics.push({ alarm, namespace: metric.namespace, metricName: metric.metric_name, dimensions: metric.dimensions ?? {} });
    }
  }
  cache.set(stack, metrics);
  return metrics;
}

/**
 * True when `value` names `resource`: its name attribute as a literal (`name`, or `function_name`),
 * or a whole reference to that resource's name (or `id`, which is the name for tables and functions).
 */
export function namesResource(value: unknown, resource: TfBlock, nameAttribute = "name", referenceAttributes: readonly string[] = [nameAttribute, "id"]): boolean {
  const reference = wholeReference(value);
  if (reference) return reference.address === resource.address && referenceAttributes.includes(reference.attribute);
  return typeof value === "string" && value === resource.config[nameAttribute];
}

/** The metrics of namespace and name whose dimensions satisfy `matches`. */
export function alarmsOn(
  stack: StackModel,
  namespace: string,
  metricName: string,
  matches: (dimensions: Readonly<Record<string, unknown>>) => boolean,
): readonly WatchedMetric[] {
  return watchedMetrics(stack).filter((m) => m.namespace === namespace && m.metricName === metricName && matches(m.dimensions));
}

/** Every action ARN of an alarm: `alarm_actions`, `ok_actions`, `insufficient_data_actions`. */
export function actionsOf(alarm: TfBlock): string[] {
  return ["alarm_actions", "ok_actions", "insufficient_data_actions"].flatMap((key) => {
    const value = alarm.config[key];
    return (Array.isArray(value) ? value : []).filter((v): v is string => typeof v === "string");
  });
}

/** The SNS topic of the stack an action ARN points at: a reference to its ARN/id, or its literal ARN. */
export function topicOfAction(stack: StackModel, action: string): TfBlock | undefined {
  const referenced = stack.referenced(action, "aws_sns_topic", ["arn", "id"]);
  if (referenced) return referenced;
  return stack.resources("aws_sns_topic").find((topic) => typeof topic.config.name === "string" && /^arn:[^:]+:sns:/.test(action) && action.endsWith(`:${topic.config.name}`));
}
