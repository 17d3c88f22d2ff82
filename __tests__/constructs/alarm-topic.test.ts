import { Testing, TerraformStack } from "cdktf";
import { AlarmTopic, AlarmTopicProps } from "../../constructs/alarm-topic";
import { AlarmTopicPolicy } from "../../constructs/alarm-topic-policy";
import { assertStacksValid } from "../../guardrails/apply";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function build(props: Partial<AlarmTopicProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const topic = new AlarmTopic(stack, "alarms", { topicName: "bandup-alarms-test", ...props });
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
  test("without a key: creates one with rotation and an alias named like the topic, and encrypts the topic with it", () => {
    const { stack, topic } = build();
    const json = JSON.parse(Testing.synth(stack));
    expect(topic.key).toBeDefined();
    const [keyName] = Object.keys(json.resource.aws_kms_key);
    expect(Object.values(json.resource.aws_kms_key)).toEqual([expect.objectContaining({ enable_key_rotation: true })]);
    expect(Object.values(json.resource.aws_kms_alias)).toEqual([
      { name: "alias/bandup-alarms-test", target_key_id: `\${aws_kms_key.${keyName}.key_id}` },
    ]);
    expect(Object.values(json.resource.aws_sns_topic)).toEqual([
      { name: "bandup-alarms-test", display_name: "bandup-alarms-test", kms_master_key_id: `\${aws_kms_key.${keyName}.arn}`, tags: {} },
    ]);
    // The encryption context condition names the topic's ARN, built from its name (known at plan).
    expect(JSON.stringify(json.data.aws_iam_policy_document)).toContain(
      '"values":["arn:${data.aws_partition.partition.partition}:sns:${data.aws_region.region.name}:${data.aws_caller_identity.caller-identity.account_id}:bandup-alarms-test"],"variable":"kms:EncryptionContext:aws:sns:topicArn"',
    );
  });

  test("the created key carries its owner stack's tag on itself (the stack's name by default, or `ownerStackName`), the topic does not", () => {
    const tagsOf = (props: Partial<AlarmTopicProps>) => {
      const json = JSON.parse(Testing.synth(build({ tags: { Project: "bandup" }, ...props }).stack));
      return [Object.values<{ tags: unknown }>(json.resource.aws_kms_key).map((k) => k.tags), Object.values<{ tags: unknown }>(json.resource.aws_sns_topic).map((t) => t.tags)];
    };
    expect(tagsOf({})).toEqual([[{ Project: "bandup", BandupStack: "test" }], [{ Project: "bandup" }]]);
    expect(tagsOf({ ownerStackName: "bandup-qa" })).toEqual([[{ Project: "bandup", BandupStack: "bandup-qa" }], [{ Project: "bandup" }]]);
  });

  test("with a key: uses it and creates none", () => {
    const { stack, topic } = build({ kmsKeyArn: KEY });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_kms_key).toBeUndefined();
    expect(json.resource.aws_kms_alias).toBeUndefined();
    expect(Object.values(json.resource.aws_sns_topic)).toEqual([expect.objectContaining({ kms_master_key_id: KEY })]);
    expect(topic.key).toBeUndefined();
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
    const { stack, topic } = build({ topicName: "bandup alarms", kmsKeyArn: "alias/aws/sns", emails: ["ops@example.com", "nobody", "OPS@example.com"] });
    expect(topic.subscriptions.map((s) => s.endpointInput)).toEqual(["ops@example.com", "nobody"]);
    expect(validationOf(stack)).toEqual([
      "[test/alarms] `topicName` must be 1-256 characters of a-z, A-Z, 0-9, _ and -; got `bandup alarms`",
      "[test/alarms] `kmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `alias/aws/sns`",
      "[test/alarms] `emails[1]` must be an email address like ops@example.com; got `nobody`",
      "[test/alarms] `emails[2]` must be listed once (addresses are compared without case); got `OPS@example.com`",
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
