import { alarmsOn, namesResource } from "../alarm-metrics";
import { block, StackModel, TfBlock, wholeReference } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

/** The Lambda metrics every function needs an alarm on. */
const FUNCTION_METRICS = ["Errors", "Throttles", "Duration"] as const;

/** True when a metric filter's `log_group_name` is the function's log group (literal name or a reference to the group). */
function filtersFunctionLogs(stack: StackModel, filter: TfBlock, fn: TfBlock): boolean {
  const custom = block(fn.config.logging_config)?.log_group;
  const expected = typeof custom === "string" ? custom : typeof fn.config.function_name === "string" ? `/aws/lambda/${fn.config.function_name}` : undefined;
  const value = filter.config.log_group_name;
  if (value === expected) return true;
  const reference = wholeReference(value);
  if (!reference) return false;
  if (typeof custom === "string" && wholeReference(custom)?.address === reference.address) return true;
  const group = stack.get(reference.address);
  return group?.type === "aws_cloudwatch_log_group" && expected !== undefined && group.config.name === expected;
}

/**
 * BANDUP-ALARM-2: each function has alarms on its errors, throttles and duration, and on the job
 * outcome metrics that log metric filters count from its log group.
 */
export const ALARM_FUNCTIONS: GuardrailRule = {
  id: "BANDUP-ALARM-2",
  family: "Alarms",
  title: "Lambda functions have alarms on Errors, Throttles and Duration, and on the job outcomes counted from their logs",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Add the function's alarms and its job outcome metric filters with FunctionAlarms and JobOutcomeMetrics (constructs/), as BandupStack does for each function.",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack }) => {
    const findings: Finding[] = [];
    for (const fn of stack.resources("aws_lambda_function")) {
      const named = (dimensions: Readonly<Record<string, unknown>>) => namesResource(dimensions.FunctionName, fn, "function_name", ["function_name", "id"]);
      const missing: string[] = FUNCTION_METRICS.filter((metric) => alarmsOn(stack, "AWS/Lambda", metric, named).length === 0);
      const filters = stack.resources("aws_cloudwatch_log_metric_filter").filter((filter) => filtersFunctionLogs(stack, filter, fn));
      if (filters.length === 0) {
        missing.push("its jobs (no log metric filter on its log group)");
      } else {
        for (const filter of filters) {
          const transformation = block(filter.config.metric_transformation);
          if (alarmsOn(stack, transformation?.namespace, transformation?.name, () => true).length === 0) {
            missing.push(`${transformation?.namespace}/${transformation?.name} (counted by metric filter \`${filter.config.name}\`)`);
          }
        }
      }
      if (missing.length > 0) findings.push(findingAt(fn, `${functionLabel(fn)} has no alarm on ${missing.join(", ")}`));
    }
    return findings;
  },
};
