import { Construct } from "constructs";
import { TerraformProvider } from "cdktf";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { CLOUDWATCH_TOPIC_KEY_ACTIONS } from "./iam-grants";
import { checkName, KMS_ALIAS_NAME, TOPIC_NAME } from "./naming-rules";

/** Props of an `AlarmTopicKey`. */
export interface AlarmTopicKeyProps {
  /** Name of the SNS topic the key encrypts (the topic is another stack's: an environment's). */
  readonly topicName: string;
  /** The topic's region: the key is created there (KMS keys are regional). */
  readonly region: string;
  /** The partition of the key and topic (`aws`, ..., or a Terraform reference). */
  readonly partition: string;
  /** The account of the key and topic (or a Terraform reference). */
  readonly accountId: string;
  /** The alias the topic's stack names the key by (`alarmTopicKeyAlias(topicName)`). */
  readonly aliasName: string;
  /**
   * The AWS provider of `region`.
   * @default - the stack's default provider
   */
  readonly provider?: TerraformProvider;
  /**
   * Tags of the key.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * The customer-managed KMS key an environment's alarm topic is encrypted with, made by the bootstrap
 * (an administrator's deploy), not by the environment's stack: a deploy role that could create keys
 * would have to tag them at creation, and KMS authorizes that tagging (`kms:TagResource`) only on
 * every key of the account and region, so the same role could tag any key whose policy defers to IAM
 * as its own. The environment's stack names the key by its alias; its deploy role needs no KMS
 * permission for it (SNS encrypts with the key as the service, CloudWatch as the key policy allows).
 *
 * Key policy: the account's IAM policies decide who administers and uses the key (the default key
 * policy's statement), and CloudWatch may generate data keys and decrypt for this topic only (its
 * encryption context names the topic) on behalf of the account's alarms. Rotation on.
 */
export class AlarmTopicKey extends Construct {
  /** The key. */
  public readonly key: KmsKey;
  /** Its alias. */
  public readonly alias: KmsAlias;
  /** The key policy's document. */
  public readonly policyDocument: DataAwsIamPolicyDocument;
  /** The ARN of the topic the key encrypts, built from its name, region, partition and account. */
  public readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicKeyProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () => [checkName("topicName", TOPIC_NAME, props.topicName), checkName("aliasName", KMS_ALIAS_NAME, props.aliasName)].filter((p): p is string => p !== undefined),
    });
    this.topicArn = `arn:${props.partition}:sns:${props.region}:${props.accountId}:${props.topicName}`;
    this.policyDocument = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          // The default key policy's statement: the account's IAM policies decide.
          sid: "AccountAdministersWithIam",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [`arn:${props.partition}:iam::${props.accountId}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
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
            { test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] },
          ],
        },
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: `Encrypts the SNS topic ${props.topicName} in ${props.region} (CloudWatch alarm notifications)`,
      enableKeyRotation: true,
      policy: this.policyDocument.json,
      tags: props.tags ?? {},
      provider: props.provider,
    });
    this.alias = new KmsAlias(this, "alias", { name: props.aliasName, targetKeyId: this.key.keyId, provider: props.provider });
  }
}
