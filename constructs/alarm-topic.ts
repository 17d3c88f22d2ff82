import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { checkName, EMAIL_ADDRESS, KMS_ALIAS_NAME, KMS_KEY_ARN, ruleProblem, TOPIC_NAME } from "./naming-rules";
import { StackAwsContext } from "./stack-aws-context";

/** Props of an `AlarmTopic`. */
export interface AlarmTopicProps {
  /** Name of the SNS topic: 1-256 characters of a-z, A-Z, 0-9, _ and -. */
  readonly topicName: string;
  /**
   * The customer-managed KMS key that encrypts the topic: its ARN, or the name of its alias
   * (`alias/...`). Its key policy must let `cloudwatch.amazonaws.com` call `kms:GenerateDataKey*` and
   * `kms:Decrypt`, or CloudWatch cannot publish to the topic. The environment stacks name the key the
   * bootstrap creates for them (constructs/alarm-topic-key.ts) by its alias: no stack creates keys.
   */
  readonly kmsKeyId: string;
  /**
   * Email addresses subscribed to the topic (SNS sends each a confirmation link first).
   * @default [] - no subscription
   */
  readonly emails?: readonly string[];
  /**
   * Tags of the topic.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * The SNS topic an environment's alarms notify, encrypted with a customer-managed KMS key (CloudWatch
 * cannot publish to a topic under the AWS-managed key `alias/aws/sns`: that key's policy does not let
 * CloudWatch use it, and it cannot be changed), with an `email` subscription per address. The
 * policy that lets the alarms publish is `AlarmTopicPolicy`, made once the alarms exist.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: SnsTopic;
  /** The topic's name (a plain string, known at synth). */
  public readonly topicName: string;
  /** The topic's ARN, built from its name, partition, region and account: known at plan time. */
  public readonly topicArn: string;
  /**
   * The topic's `arn` attribute (a reference: what alarm actions name, so alarms are made after the
   * topic). One token, read once: every alarm reuses it.
   */
  public readonly topicArnReference: string;
  /** The key that encrypts the topic, as given: a key ARN or an alias name. */
  public readonly kmsKeyId: string;
  /** One `email` subscription per address, in the order given. */
  public readonly subscriptions: readonly SnsTopicSubscription[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const tags = props.tags ?? {};
    const emails = props.emails ?? [];
    this.node.addValidation({ validate: () => validateProps(props) });
    const aws = StackAwsContext.of(this);
    this.topicName = props.topicName;
    this.topicArn = aws.arn("sns", props.topicName);
    this.kmsKeyId = props.kmsKeyId;

    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      displayName: props.topicName,
      kmsMasterKeyId: this.kmsKeyId,
      tags,
    });
    this.topicArnReference = this.topic.arn;
    // Keyed by address, so adding or removing one leaves the others' subscriptions (and confirmations)
    // alone. A repeated address is reported by the validation, not subscribed twice.
    const unique = emails.filter((email, index) => emails.findIndex((e) => e.toLowerCase() === email.toLowerCase()) === index);
    this.subscriptions = unique.map(
      (email) => new SnsTopicSubscription(this, `email-${email.toLowerCase()}`, { topicArn: this.topicArnReference, protocol: "email", endpoint: email }),
    );
  }
}

/** Every problem with a topic's props, each naming the prop, the value and what is allowed. */
function validateProps(props: AlarmTopicProps): string[] {
  const keyProblem = KMS_KEY_ARN.test(props.kmsKeyId) || KMS_ALIAS_NAME.test(props.kmsKeyId) ? undefined : ruleProblem("kmsKeyId", `${KMS_KEY_ARN.description}, or ${KMS_ALIAS_NAME.description}`, props.kmsKeyId);
  const problems = [
    checkName("topicName", TOPIC_NAME, props.topicName),
    keyProblem,
    ...(props.emails ?? []).map((email, index) => checkName(`emails[${index}]`, EMAIL_ADDRESS, email)),
  ];
  const lowered = (props.emails ?? []).map((email) => email.toLowerCase());
  lowered.forEach((email, index) => {
    if (lowered.indexOf(email) !== index) problems.push(ruleProblem(`emails[${index}]`, "listed once (addresses are compared without case)", props.emails?.[index]));
  });
  return problems.filter((problem): problem is string => problem !== undefined);
}
