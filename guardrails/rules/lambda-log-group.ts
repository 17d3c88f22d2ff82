import { block, StackModel, TfBlock } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

/** The log group a function writes to, if the stack declares it. */
export function logGroupOf(stack: StackModel, fn: TfBlock): TfBlock | undefined {
  const groups = stack.resources("aws_cloudwatch_log_group");
  const custom = block(fn.config.logging_config)?.log_group;
  if (typeof custom === "string") {
    const referenced = stack.referenced(custom, "aws_cloudwatch_log_group", ["name", "id"]);
    if (referenced) return referenced;
    return groups.find((g) => g.config.name === custom);
  }
  const name = fn.config.function_name;
  const accepted = [`/aws/lambda/\${${fn.address}.function_name}`, `/aws/lambda/\${${fn.address}.id}`];
  if (typeof name === "string") accepted.push(`/aws/lambda/${name}`);
  return groups.find((g) => accepted.includes(g.config.name));
}

/** BANDUP-LAMBDA-1: each function has its log group, with retention set (a year in protected environments). */
export const LAMBDA_LOG_GROUP: GuardrailRule = {
  id: "BANDUP-LAMBDA-1",
  family: "Lambda",
  title: "Lambda functions have a log group /aws/lambda/<name> with retention set (≥ 365 days in protected environments)",
  severity: "error",
  checkov: "CKV_AWS_338, CKV_AWS_66",
  trivy: "—",
  fix: "Declare a CloudwatchLogGroup named `/aws/lambda/<function name>` with retentionInDays (365 or more in protected environments) next to the function.",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack, protected: isProtected, options }) => {
    const findings: Finding[] = [];
    for (const fn of stack.resources("aws_lambda_function")) {
      const group = logGroupOf(stack, fn);
      const expected = typeof fn.config.function_name === "string" ? `/aws/lambda/${fn.config.function_name}` : "/aws/lambda/<function name>";
      if (!group) {
        findings.push(findingAt(fn, `${functionLabel(fn)} has no aws_cloudwatch_log_group named \`${expected}\` in the stack; Lambda would create one that keeps logs forever`));
        continue;
      }
      const days = group.config.retention_in_days;
      const minimum = isProtected ? options.protectedLogRetentionDays : 1;
      if (typeof days !== "number" || days <= 0) {
        findings.push(findingAt(group, `log group \`${group.config.name}\` of ${functionLabel(fn)} has retention_in_days = ${days === undefined ? "nothing (logs kept forever)" : `\`${days}\``}; set it${isProtected ? ` to at least ${minimum}` : ""}`, { relatedPaths: [fn.path] }));
      } else if (days < minimum) {
        findings.push(findingAt(group, `log group \`${group.config.name}\` of ${functionLabel(fn)} keeps logs ${days} days; protected environments keep them at least ${minimum} days`, { relatedPaths: [fn.path] }));
      }
    }
    return findings;
  },
};
