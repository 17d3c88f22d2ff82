import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { CLOUDWATCH_TOPIC_KEY_ACTIONS, OWNER_STACK_TAG } from "./iam-grants";
import { checkName, EMAIL_ADDRESS, KMS_KEY_ARN, ruleProblem, TOPIC_NAME } from "./naming-rules";
import { StackAwsContext } from "./stack-aws-context";

/** Props of an `AlarmTopic`. */
export interface AlarmTopicProps {
  /** Name of the SNS topic: 1-256 characters of a-z, A-Z, 0-9, _ and -; also the name of its key's alias. */
  readonly topicName: string;
  /**
   * ARN of a customer-managed KMS key (not an alias) that encrypts the topic. Its key policy must let
   * `cloudwatch.amazonaws.com` call `kms:GenerateDataKey*` and `kms:Decrypt`, or CloudWatch cannot
   * publish to the topic.
   * @default - a key created with the topic (rotation on, alias `alias/<topicName>`), whose policy
   * lets the account administer it and CloudWatch use it for this topic only
   */
  readonly kmsKeyArn?: string;
  /**
   * Email addresses subscribed to the topic (SNS sends each a confirmation link first).
   * @default [] - no subscription
   */
  readonly emails?: readonly string[];
  /**
   * Tags of the topic and its key.
   * @default {}
   */
  readonly tags?: Record<string, string>;
  /**
   * The stack that owns the created key, written in the key's `BandupStack` tag. A new key's id is
   * unknown before it exists, so the deploy role of a stack may create keys only with its own stack's
   * tag and manage only keys that carry it. Not used with `kmsKeyArn`.
   * @default - the name (id) of the stack the topic is in
   */
  readonly ownerStackName?: string;
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
  /** The ARN of the key that encrypts the topic: the created key's (a reference), or the given one. */
  public readonly kmsKeyArn: string;
  /** The key created for the topic, when none was given. */
  public readonly key?: KmsKey;
  /** `alias/<topicName>`, the created key's alias. */
  public readonly keyAlias?: KmsAlias;
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

    if (props.kmsKeyArn === undefined) {
      const owner = props.ownerStackName ?? TerraformStack.of(this).node.id;
      const ownerTag = `aws:RequestTag/${OWNER_STACK_TAG}`;
      const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
        statement: [
          {
            // The key's default policy: the account's IAM policies decide who administers and uses it.
            sid: "AccountAdministersWithIam",
            effect: "Allow",
            principals: [{ type: "AWS", identifiers: [`arn:${aws.partition}:iam::${aws.accountId}:root`] }],
            actions: ["kms:*"],
            resources: ["*"],
          },
          {
            // The deploy roles may tag any key with their own stack's name (CreateKey needs that
            // permission on every key): no one may hand this key to another stack, or take its
            // owner tag away.
            sid: "KeepOwnerStackTag",
            effect: "Deny",
            principals: [{ type: "AWS", identifiers: ["*"] }],
            actions: ["kms:TagResource"],
            resources: ["*"],
            condition: [
              { test: "Null", variable: ownerTag, values: ["false"] },
              { test: "StringNotEquals", variable: ownerTag, values: [owner] },
            ],
          },
          {
            sid: "KeepOwnerStackTagOnUntag",
            effect: "Deny",
            principals: [{ type: "AWS", identifiers: ["*"] }],
            actions: ["kms:UntagResource"],
            resources: ["*"],
            condition: [{ test: "ForAnyValue:StringEquals", variable: "aws:TagKeys", values: [OWNER_STACK_TAG] }],
          },
          {
            sid: "CloudWatchAlarmsPublishToThisTopic",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
            actions: [...CLOUDWATCH_TOPIC_KEY_ACTIONS],
            resources: ["*"],
            condition: [
              // SNS encrypts each message under an encryption context naming the topic.
              { test: "StringEquals", variable: "kms:EncryptionContext:aws:sns:topicArn", values: [this.topicArn] },
              { test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] },
            ],
          },
        ],
      });
      this.key = new KmsKey(this, "key", {
        description: `Encrypts the SNS topic ${props.topicName} (CloudWatch alarm notifications)`,
        enableKeyRotation: true,
        policy: keyPolicy.json,
        tags: { ...tags, [OWNER_STACK_TAG]: owner },
      });
      this.keyAlias = new KmsAlias(this, "key-alias", { name: `alias/${props.topicName}`, targetKeyId: this.key.keyId });
    }
    this.kmsKeyArn = this.key?.arn ?? (props.kmsKeyArn as string);

    this.topic = new SnsTopic(this, "topic", {
      name: props.topicName,
      displayName: props.topicName,
      kmsMasterKeyId: this.kmsKeyArn,
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
  const problems = [
    checkName("topicName", TOPIC_NAME, props.topicName),
    props.kmsKeyArn === undefined ? undefined : checkName("kmsKeyArn", KMS_KEY_ARN, props.kmsKeyArn),
    ...(props.emails ?? []).map((email, index) => checkName(`emails[${index}]`, EMAIL_ADDRESS, email)),
  ];
  const lowered = (props.emails ?? []).map((email) => email.toLowerCase());
  lowered.forEach((email, index) => {
    if (lowered.indexOf(email) !== index) problems.push(ruleProblem(`emails[${index}]`, "listed once (addresses are compared without case)", props.emails?.[index]));
  });
  return problems.filter((problem): problem is string => problem !== undefined);
}
