import { actionsOf, topicOfAction } from "../alarm-metrics";
import { actionMatches, readPolicy } from "../iam-policies";
import { StackModel, TfBlock } from "../terraform-json";
import { Finding, GuardrailRule } from "../types";
import { findingAt } from "./helpers";

/** What CloudWatch must be allowed on the key of an encrypted topic it publishes to. */
const CLOUDWATCH_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];

/** True when a key id names the AWS-managed SNS key (`alias/aws/sns`, or its alias ARN). */
function isAwsManagedSnsKey(keyId: string): boolean {
  return keyId === "alias/aws/sns" || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\/aws\/sns$/.test(keyId);
}

/** Why a key of this stack does not let CloudWatch publish, or undefined when its policy does (or cannot be read here). */
function keyPolicyProblem(stack: StackModel, key: TfBlock): string | undefined {
  const policy = key.config.policy;
  if (policy === undefined) return "has no policy: the default key policy does not let cloudwatch.amazonaws.com use it";
  const { statements, unreadable } = readPolicy(stack, key, policy);
  if (unreadable !== undefined) return undefined;
  const allowed = (action: string) =>
    statements.some(
      (s) => s.effect === "Allow" && s.principals.some((p) => p.type === "Service" && p.identifiers.includes("cloudwatch.amazonaws.com")) && s.actions.some((pattern) => actionMatches(pattern, action)),
    );
  const missing = CLOUDWATCH_KEY_ACTIONS.filter((action) => !allowed(action));
  return missing.length === 0 ? undefined : `has a policy that does not allow cloudwatch.amazonaws.com ${missing.join(" and ")}`;
}

/**
 * BANDUP-ALARM-5: the topics alarms notify are encrypted with a customer-managed key that CloudWatch
 * may use: unencrypted is refused (CKV_AWS_26, AVD-AWS-0095), and so is the AWS-managed
 * `alias/aws/sns` (AVD-AWS-0136), to which CloudWatch alarms cannot publish at all.
 */
export const ALARM_TOPIC_ENCRYPTION: GuardrailRule = {
  id: "BANDUP-ALARM-5",
  family: "Alarms",
  title: "SNS topics that alarms notify are encrypted with a customer-managed KMS key CloudWatch may use",
  severity: "error",
  checkov: "CKV_AWS_26",
  trivy: "AVD-AWS-0095, AVD-AWS-0136",
  fix: "Encrypt the topic with a customer-managed key whose policy allows cloudwatch.amazonaws.com kms:GenerateDataKey* and kms:Decrypt (AlarmTopic in constructs/alarm-topic.ts creates one, or set `alarmTopicKmsKeyArn`).",
  appliesTo: ["aws_sns_topic"],
  check: ({ stack }) => {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const alarm of stack.resources("aws_cloudwatch_metric_alarm")) {
      for (const action of actionsOf(alarm)) {
        const topic = topicOfAction(stack, action);
        if (!topic || seen.has(topic.address)) continue;
        seen.add(topic.address);
        const label = typeof topic.config.name === "string" ? `topic \`${topic.config.name}\`` : `topic ${topic.address}`;
        const keyId = topic.config.kms_master_key_id;
        if (typeof keyId !== "string" || keyId.trim() === "") {
          findings.push(findingAt(topic, `${label}, which alarms notify, is not encrypted (kms_master_key_id is not set)`));
        } else if (isAwsManagedSnsKey(keyId)) {
          findings.push(
            findingAt(topic, `${label} is encrypted with the AWS-managed key \`${keyId}\`: CloudWatch alarms cannot publish to it (that key's policy does not allow cloudwatch.amazonaws.com and cannot be changed)`),
          );
        } else {
          const key = stack.referenced(keyId, "aws_kms_key", ["arn", "id", "key_id"]);
          const problem = key && keyPolicyProblem(stack, key);
          if (key && problem) findings.push(findingAt(topic, `${label} is encrypted with ${key.address}, which ${problem}; alarms cannot publish to it`, { relatedPaths: [key.path] }));
        }
      }
    }
    return findings;
  },
};
