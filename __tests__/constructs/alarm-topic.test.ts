import { Testing, TerraformStack } from "cdktf";
import { AlarmTopic, AlarmTopicProps } from "../../constructs/alarm-topic";
import { AlarmTopicKey } from "../../constructs/alarm-topic-key";
import { AlarmTopicPolicy } from "../../constructs/alarm-topic-policy";
import { assertStacksValid } from "../../guardrails/apply";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function build(props: Partial<AlarmTopicProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const topic = new AlarmTopic(stack, "alarms", { topicName: "bandup-alarms-test", kmsKeyId: KEY, ...props });
  return { stack, topic };
}

const validationOf = (stack: TerraformStack) => {
  try {
    assertStacksValid(stack);
    return [];
  } catch (error) {
    return (error as Error).message
      .split("\n")
      .filter((line) => line.includes("[test/"))
      .map((line) => line.trim());
  }
};

describe("AlarmTopic", () => {
  test("encrypts the topic with the key given, by ARN or by alias, and creates no key", () => {
    for (const kmsKeyId of [KEY, "alias/bandup-bootstrap/bandup-alarms-test"]) {
      const { stack, topic } = build({ kmsKeyId });
      const json = JSON.parse(Testing.synth(stack));
      expect(json.resource.aws_kms_key).toBeUndefined();
      expect(json.resource.aws_kms_alias).toBeUndefined();
      expect(Object.values(json.resource.aws_sns_topic)).toEqual([{ name: "bandup-alarms-test", display_name: "bandup-alarms-test", kms_master_key_id: kmsKeyId, tags: {} }]);
      expect(topic.kmsKeyId).toBe(kmsKeyId);
      expect(validationOf(stack)).toEqual([]);
    }
  });

  test("one email subscription per address", () => {
    const { stack, topic } = build({ emails: ["ops@example.com"] });
    expect(topic.subscriptions).toHaveLength(1);
    const json = JSON.parse(Testing.synth(stack));
    const [topicName] = Object.keys(json.resource.aws_sns_topic);
    expect(Object.values(json.resource.aws_sns_topic_subscription)).toEqual([
      { topic_arn: `\${aws_sns_topic.${topicName}.arn}`, protocol: "email", endpoint: "ops@example.com" },
    ]);
  });

  test("reports a bad topic name, key and addresses (a repeated one subscribed once), naming the prop", () => {
    const { stack, topic } = build({ topicName: "bandup alarms", kmsKeyId: "alias/aws/sns", emails: ["ops@example.com", "nobody", "OPS@example.com"] });
    expect(topic.subscriptions.map((s) => s.endpointInput)).toEqual(["ops@example.com", "nobody"]);
    expect(validationOf(stack)).toEqual([
      "[test/alarms] `topicName` must be 1-256 characters of a-z, A-Z, 0-9, _ and -; got `bandup alarms`",
      "[test/alarms] `kmsKeyId` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias), or a KMS alias name like alias/bandup-bootstrap/bandup-alarms-dev (not one of AWS's own, alias/aws/...); got `alias/aws/sns`",
      "[test/alarms] `emails[1]` must be an email address like ops@example.com; got `nobody`",
      "[test/alarms] `emails[2]` must be listed once (addresses are compared without case); got `OPS@example.com`",
    ]);
  });
});

describe("AlarmTopicKey (made by the bootstrap for an environment's topic)", () => {
  const build = () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const key = new AlarmTopicKey(stack, "key", {
      topicName: "bandup-alarms-qa",
      region: "eu-west-1",
      partition: "aws",
      accountId: "123456789012",
      aliasName: "alias/bandup-bootstrap/bandup-alarms-qa",
    });
    return { stack, key, json: JSON.parse(Testing.synth(stack)) };
  };

  test("a key with rotation and its alias, in the topic's region", () => {
    const { json, key } = build();
    const [keyName] = Object.keys(json.resource.aws_kms_key);
    expect(Object.values(json.resource.aws_kms_key)).toEqual([expect.objectContaining({ enable_key_rotation: true, tags: {} })]);
    expect(Object.values(json.resource.aws_kms_alias)).toEqual([{ name: "alias/bandup-bootstrap/bandup-alarms-qa", target_key_id: `\${aws_kms_key.${keyName}.key_id}` }]);
    expect(key.topicArn).toBe("arn:aws:sns:eu-west-1:123456789012:bandup-alarms-qa");
  });

  test("its policy: the account's IAM policies decide, and CloudWatch may use it for this topic only, on behalf of the account", () => {
    const { json } = build();
    expect(Object.values<{ statement: unknown }>(json.data.aws_iam_policy_document)[0].statement).toEqual([
      {
        sid: "AccountAdministersWithIam",
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
      {
        sid: "CloudWatchAlarmsPublishToThisTopic",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        resources: ["*"],
        condition: [
          { test: "StringEquals", variable: "kms:EncryptionContext:aws:sns:topicArn", values: ["arn:aws:sns:eu-west-1:123456789012:bandup-alarms-qa"] },
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
        ],
      },
    ]);
  });
});

describe("AlarmTopicPolicy", () => {
  test("lets the named alarms of the account publish to the topic, nothing else", () => {
    const { stack, topic } = build();
    const policy = new AlarmTopicPolicy(stack, "policy", { topic, alarmNames: ["a-errors", "b-throttles"] });
    const json = JSON.parse(Testing.synth(stack));
    const document = Object.values(json.data.aws_iam_policy_document as Record<string, { statement: unknown[] }>).find((d) =>
      JSON.stringify(d).includes("sns:Publish"),
    );
    const arn = (name: string) =>
      `arn:\${data.aws_partition.partition.partition}:cloudwatch:\${data.aws_region.region.name}:\${data.aws_caller_identity.caller-identity.account_id}:alarm:${name}`;
    expect(policy.alarmArns).toHaveLength(2);
    const [topicName] = Object.keys(json.resource.aws_sns_topic);
    const [documentName] = Object.entries(json.data.aws_iam_policy_document).find(([, d]) => d === document)!;
    expect(document?.statement).toEqual([
      {
        sid: "CloudWatchAlarmsOfThisStackPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [
          "arn:${data.aws_partition.partition.partition}:sns:${data.aws_region.region.name}:${data.aws_caller_identity.caller-identity.account_id}:bandup-alarms-test",
        ],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.caller-identity.account_id}"] },
          { test: "ArnEquals", variable: "aws:SourceArn", values: [arn("a-errors"), arn("b-throttles")] },
        ],
      },
    ]);
    expect(Object.values(json.resource.aws_sns_topic_policy)).toEqual([
      { arn: `\${aws_sns_topic.${topicName}.arn}`, policy: `\${data.aws_iam_policy_document.${documentName}.json}` },
    ]);
  });

  test("refuses an empty list of alarms", () => {
    const { stack, topic } = build();
    new AlarmTopicPolicy(stack, "policy", { topic, alarmNames: [] });
    expect(validationOf(stack)).toEqual(["[test/policy] `alarmNames` is empty: a topic policy with no alarm would let no one publish"]);
  });
});
