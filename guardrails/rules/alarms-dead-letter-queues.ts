import { alarmsOn, namesResource } from "../alarm-metrics";
import { block, StackModel, TfBlock } from "../terraform-json";
import { GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

/** The queue of the stack an ARN points at: a reference to its ARN, or its literal ARN. */
function queueOfArn(stack: StackModel, arn: unknown): TfBlock | undefined {
  const referenced = stack.referenced(arn, "aws_sqs_queue", ["arn"]);
  if (referenced) return referenced;
  if (typeof arn !== "string" || !/^arn:[^:]+:sqs:/.test(arn)) return undefined;
  return stack.resources("aws_sqs_queue").find((queue) => typeof queue.config.name === "string" && arn.endsWith(`:${queue.config.name}`));
}

/** The dead-letter queues of the stack: each function's `dead_letter_config.target_arn` that is a queue of the stack, with its function. */
function deadLetterQueues(stack: StackModel): { queue: TfBlock; fn: TfBlock }[] {
  return stack.resources("aws_lambda_function").flatMap((fn) => {
    const queue = queueOfArn(stack, block(fn.config.dead_letter_config)?.target_arn);
    return queue ? [{ queue, fn }] : [];
  });
}

/** BANDUP-ALARM-3: each dead-letter queue has an alarm on the messages waiting in it. */
export const ALARM_DEAD_LETTER_QUEUES: GuardrailRule = {
  id: "BANDUP-ALARM-3",
  family: "Alarms",
  title: "Dead-letter queues have an alarm on ApproximateNumberOfMessagesVisible",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Add the queue's alarm (FunctionAlarms in constructs/function-alarms.ts sets it on the function's dead-letter queue).",
  appliesTo: ["aws_sqs_queue"],
  check: ({ stack }) =>
    deadLetterQueues(stack).flatMap(({ queue, fn }) => {
      if (alarmsOn(stack, "AWS/SQS", "ApproximateNumberOfMessagesVisible", (d) => namesResource(d.QueueName, queue, "name", ["name"])).length > 0) return [];
      const name = typeof queue.config.name === "string" ? `queue \`${queue.config.name}\`` : `queue ${queue.address}`;
      return [
        findingAt(queue, `${name}, the dead-letter queue of ${functionLabel(fn)}, has no alarm on ApproximateNumberOfMessagesVisible: events that failed every retry wait unseen until they expire`, {
          relatedPaths: [fn.path],
        }),
      ];
    }),
};
