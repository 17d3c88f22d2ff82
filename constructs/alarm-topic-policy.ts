import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { AlarmTopic } from "./alarm-topic";
import { SNS_PUBLISH_ACTIONS } from "./iam-grants";
import { StackAwsContext } from "./stack-aws-context";

/** Props of an `AlarmTopicPolicy`. */
export interface AlarmTopicPolicyProps {
  /** The topic the alarms notify. */
  readonly topic: AlarmTopic;
  /** Names of the alarms that may publish to it: alarms of the stack's account and region. */
  readonly alarmNames: readonly string[];
}

/**
 * The alarm topic's resource policy, and its only statement: CloudWatch may publish to the topic on
 * behalf of the named alarms of this account and region (`aws:SourceAccount`, `aws:SourceArn`), and
 * no one else is granted anything by it. The account's own principals still manage the topic
 * through their IAM policies; an encrypted topic takes only HTTPS and Signature Version 4 requests.
 */
export class AlarmTopicPolicy extends Construct {
  /** The policy document (`aws_iam_policy_document`). */
  public readonly document: DataAwsIamPolicyDocument;
  /** The `aws_sns_topic_policy` that applies it. */
  public readonly policy: SnsTopicPolicy;
  /** The ARNs of the alarms allowed to publish, built from their names (known at plan time). */
  public readonly alarmArns: readonly string[];

  constructor(scope: Construct, id: string, props: AlarmTopicPolicyProps) {
    super(scope, id);
    const aws = StackAwsContext.of(this);
    this.alarmArns = props.alarmNames.map((name) => aws.arn("cloudwatch", `alarm:${name}`));
    this.node.addValidation({
      validate: () => (props.alarmNames.length === 0 ? ["`alarmNames` is empty: a topic policy with no alarm would let no one publish"] : []),
    });
    this.document = new DataAwsIamPolicyDocument(this, "document", {
      statement: [
        {
          sid: "CloudWatchAlarmsOfThisStackPublish",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: [...SNS_PUBLISH_ACTIONS],
          resources: [props.topic.topicArn],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
            { test: "ArnEquals", variable: "aws:SourceArn", values: [...this.alarmArns] },
          ],
        },
      ],
    });
    this.policy = new SnsTopicPolicy(this, "policy", { arn: props.topic.topicArnReference, policy: this.document.json });
  }
}
