import { block, StackModel, TfBlock } from "../terraform-json";
import { GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

function nonEmpty(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "";
}

/** True when an `aws_lambda_function_event_invoke_config` sends the function's failures somewhere. */
function hasOnFailureDestination(stack: StackModel, fn: TfBlock): boolean {
  const name = fn.config.function_name;
  return stack.resources("aws_lambda_function_event_invoke_config").some((config) => {
    const target = config.config.function_name;
    const matches =
      stack.referenced(target, "aws_lambda_function", ["function_name", "arn", "id", "qualified_arn"]) === fn ||
      (typeof name === "string" && (target === name || (typeof target === "string" && target.endsWith(`:function:${name}`))));
    return matches && nonEmpty(block(block(config.config.destination_config)?.on_failure)?.destination);
  });
}

/** BANDUP-LAMBDA-5: failed asynchronous invocations go to a DLQ or an on-failure destination. */
export const LAMBDA_FAILURE_DESTINATION: GuardrailRule = {
  id: "BANDUP-LAMBDA-5",
  family: "Lambda",
  title: "Lambda functions have a dead-letter queue or on-failure destination for asynchronous invocations",
  severity: "error",
  checkov: "CKV_AWS_116",
  trivy: "—",
  fix: "Set deadLetterConfig { targetArn } on the function, or add a LambdaFunctionEventInvokeConfig with destinationConfig.onFailure; if the function is only invoked synchronously, suppress BANDUP-LAMBDA-5 saying so.",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack }) =>
    stack.resources("aws_lambda_function").flatMap((fn) => {
      if (nonEmpty(block(fn.config.dead_letter_config)?.target_arn) || hasOnFailureDestination(stack, fn)) return [];
      return [findingAt(fn, `${functionLabel(fn)} has no dead_letter_config and no event invoke config with an on_failure destination; failed asynchronous events are dropped`)];
    }),
};
