/**
 * The Alarms family: every table, function and dead-letter queue has its alarms, every alarm notifies,
 * and the topics alarms notify are encrypted with a key CloudWatch may use. Each case breaks one thing
 * of the compliant fixture (fixtures.ts).
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { ALL_RULES } from "../../guardrails";
import { buildFixture, check, Fixture, JOBS_NAMESPACE, testAlarm } from "./fixtures";

const findings = (fixture: Fixture, ruleId: string) =>
  [...check(fixture).errors, ...check(fixture).warnings].filter((f) => f.ruleId === ruleId).map((f) => [f.severity, f.path, f.message]);
const allFindings = (fixture: Fixture) => [...check(fixture).errors, ...check(fixture).warnings].map((f) => f.ruleId);

/** An alarm on one metric, notifying the fixture's topic. */
function alarmOn(fixture: Fixture, id: string, namespace: string, metricName: string, dimensions: Record<string, string>): CloudwatchMetricAlarm {
  return testAlarm(fixture.stack, id, `test-${id}`, fixture.topic!.arn, { namespace, metricName, dimensions });
}

describe("rule metadata", () => {
  test("the Alarms family: ids, Checkov and Trivy ids as checked in their sources", () => {
    const alarms = ALL_RULES.filter((r) => r.family === "Alarms").map((r) => [r.id, r.severity, r.checkov, r.trivy]);
    expect(alarms).toEqual([
      ["BANDUP-ALARM-1", "error", "—", "—"],
      ["BANDUP-ALARM-2", "error", "—", "—"],
      ["BANDUP-ALARM-3", "error", "—", "—"],
      ["BANDUP-ALARM-4", "error", "CKV_AWS_319", "—"],
      ["BANDUP-ALARM-5", "error", "CKV_AWS_26", "AVD-AWS-0095, AVD-AWS-0136"],
    ]);
  });
});

describe("BANDUP-ALARM-1 table alarms", () => {
  test("Compliance: throttles of the table and its index, and system errors, named by reference", () => {
    expect(findings(buildFixture(), "BANDUP-ALARM-1")).toEqual([]);
  });

  test("Compliance: dimensions that give the table's literal name; system errors summed with metric math", () => {
    const fixture = buildFixture();
    fixture.alarms["evaluations-ReadThrottleEvents"].addOverride("dimensions.TableName", "bandup-evaluations-test");
    const summed = fixture.alarms["evaluations-SystemErrors"];
    for (const key of ["namespace", "metric_name", "dimensions", "statistic", "period"]) summed.addOverride(key, null);
    summed.addOverride("metric_query", [
      { id: "m1", metric: { namespace: "AWS/DynamoDB", metric_name: "SystemErrors", dimensions: { TableName: fixture.evaluations.name, Operation: "Query" }, stat: "Sum", period: 60 } },
      { id: "total", expression: "SUM([m1])", return_data: true },
    ]);
    expect(findings(fixture, "BANDUP-ALARM-1")).toEqual([]);
  });

  test("Noncompliance: no alarm on the index's read throttles (the alarm names another index)", () => {
    const fixture = buildFixture();
    fixture.alarms["evaluations-index-ReadThrottleEvents"].addOverride("dimensions.GlobalSecondaryIndexName", "other-index");
    expect(findings(fixture, "BANDUP-ALARM-1")).toEqual([
      ["error", "test/evaluations", "table `bandup-evaluations-test` has no alarm on ReadThrottleEvents of index user_id-created_at-index"],
    ]);
  });

  test("Noncompliance: the table's alarms name another table; none at all on the second table", () => {
    const fixture = buildFixture();
    fixture.alarms["evaluations-WriteThrottleEvents"].addOverride("dimensions.TableName", "bandup-evaluations-prod");
    fixture.alarms["evaluations-SystemErrors"].addOverride("dimensions.TableName", fixture.flashcards.name);
    expect(findings(fixture, "BANDUP-ALARM-1")).toEqual([["error", "test/evaluations", "table `bandup-evaluations-test` has no alarm on WriteThrottleEvents, SystemErrors"]]);
    expect(findings(buildFixture({ alarms: false }), "BANDUP-ALARM-1")).toEqual([
      [
        "error",
        "test/evaluations",
        "table `bandup-evaluations-test` has no alarm on ReadThrottleEvents, WriteThrottleEvents, SystemErrors, ReadThrottleEvents of index user_id-created_at-index, WriteThrottleEvents of index user_id-created_at-index",
      ],
      [
        "error",
        "test/flashcards",
        "table `bandup-flashcard-sets-test` has no alarm on ReadThrottleEvents, WriteThrottleEvents, SystemErrors, ReadThrottleEvents of index user_id-created_at-index, WriteThrottleEvents of index user_id-created_at-index",
      ],
    ]);
  });

  test("Noncompliance: on-demand caps on the table and its index without alarms on the consumption; Compliance once they exist", () => {
    const capped = () =>
      buildFixture({
        evaluations: {
          onDemandThroughput: { maxReadRequestUnits: 100, maxWriteRequestUnits: 50 },
          globalSecondaryIndex: [
            { name: "user_id-created_at-index", hashKey: "user_id", rangeKey: "created_at", projectionType: "ALL", onDemandThroughput: { maxWriteRequestUnits: 50 } },
          ],
        },
      });
    const fixture = capped();
    expect(findings(fixture, "BANDUP-ALARM-1")).toEqual([
      [
        "error",
        "test/evaluations",
        "table `bandup-evaluations-test` has no alarm on ConsumedReadCapacityUnits, ConsumedWriteCapacityUnits, ConsumedWriteCapacityUnits of index user_id-created_at-index",
      ],
    ]);
    const fixed = capped();
    alarmOn(fixed, "read-cap", "AWS/DynamoDB", "ConsumedReadCapacityUnits", { TableName: fixed.evaluations.name });
    alarmOn(fixed, "write-cap", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", { TableName: fixed.evaluations.name });
    alarmOn(fixed, "index-write-cap", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", { TableName: fixed.evaluations.name, GlobalSecondaryIndexName: "user_id-created_at-index" });
    expect(findings(fixed, "BANDUP-ALARM-1")).toEqual([]);
  });
});

describe("BANDUP-ALARM-2 function alarms", () => {
  test("Compliance: Errors, Throttles, Duration, and an alarm on the jobs its log metric filter counts", () => {
    expect(findings(buildFixture(), "BANDUP-ALARM-2")).toEqual([]);
  });

  test("Compliance: the metric filter names the log group by reference", () => {
    const fixture = buildFixture();
    fixture.jobsFilter!.addOverride("log_group_name", fixture.logGroup!.name);
    expect(findings(fixture, "BANDUP-ALARM-2")).toEqual([]);
  });

  test("Noncompliance: no Duration alarm (the alarm watches another metric)", () => {
    const fixture = buildFixture();
    fixture.alarms["function-Duration"].addOverride("metric_name", "ConcurrentExecutions");
    expect(findings(fixture, "BANDUP-ALARM-2")).toEqual([["error", "test/function", "function `bandup-writing-evaluator-test` has no alarm on Duration"]]);
  });

  test("Noncompliance: no metric filter on the function's log group (the filter reads another group)", () => {
    const fixture = buildFixture();
    fixture.jobsFilter!.addOverride("log_group_name", "/aws/lambda/another-function");
    expect(findings(fixture, "BANDUP-ALARM-2")).toEqual([
      ["error", "test/function", "function `bandup-writing-evaluator-test` has no alarm on its jobs (no log metric filter on its log group)"],
    ]);
  });

  test("Noncompliance: the jobs are counted but no alarm watches the count", () => {
    const fixture = buildFixture();
    fixture.alarms["function-JobsFailed"].addOverride("namespace", "BandUp/Other");
    expect(findings(fixture, "BANDUP-ALARM-2")).toEqual([
      [
        "error",
        "test/function",
        `function \`bandup-writing-evaluator-test\` has no alarm on ${JOBS_NAMESPACE}/JobsFailed (counted by metric filter \`bandup-writing-evaluator-test-jobs-failed\`)`,
      ],
    ]);
  });

  test("Noncompliance: no alarm at all", () => {
    expect(findings(buildFixture({ alarms: false }), "BANDUP-ALARM-2")).toEqual([
      ["error", "test/function", "function `bandup-writing-evaluator-test` has no alarm on Errors, Throttles, Duration, its jobs (no log metric filter on its log group)"],
    ]);
  });
});

describe("BANDUP-ALARM-3 dead-letter queue alarm", () => {
  /** The fixture with an SQS queue of its own as the function's dead-letter target. */
  function withQueue(): Fixture & { queue: SqsQueue } {
    const fixture = buildFixture();
    const queue = new SqsQueue(fixture.stack, "dead-letters", { name: "bandup-writing-evaluator-test-dead-letters", sqsManagedSseEnabled: true });
    fixture.fn.addOverride("dead_letter_config.target_arn", queue.arn);
    return { ...fixture, queue };
  }

  test("Compliance: an alarm on the messages visible in the function's dead-letter queue", () => {
    const fixture = withQueue();
    alarmOn(fixture, "dead-letters-alarm", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: fixture.queue.name });
    expect(findings(fixture, "BANDUP-ALARM-3")).toEqual([]);
  });

  test("Noncompliance: no alarm on it (target by reference, or by its literal ARN)", () => {
    const message = [
      "error",
      "test/dead-letters",
      "queue `bandup-writing-evaluator-test-dead-letters`, the dead-letter queue of function `bandup-writing-evaluator-test`, has no alarm on ApproximateNumberOfMessagesVisible: events that failed every retry wait unseen until they expire",
    ];
    expect(findings(withQueue(), "BANDUP-ALARM-3")).toEqual([message]);
    const literal = withQueue();
    literal.fn.addOverride("dead_letter_config.target_arn", "arn:aws:sqs:us-east-1:123456789012:bandup-writing-evaluator-test-dead-letters");
    expect(findings(literal, "BANDUP-ALARM-3")).toEqual([message]);
  });

  test("Noncompliance: the alarm watches another metric of the queue", () => {
    const fixture = withQueue();
    alarmOn(fixture, "dead-letters-alarm", "AWS/SQS", "NumberOfMessagesSent", { QueueName: fixture.queue.name });
    expect(findings(fixture, "BANDUP-ALARM-3")).toHaveLength(1);
  });

  test("a queue that is no function's dead-letter queue is not this rule's", () => {
    const fixture = buildFixture();
    new SqsQueue(fixture.stack, "work", { name: "some-work-queue", sqsManagedSseEnabled: true });
    expect(findings(fixture, "BANDUP-ALARM-3")).toEqual([]);
  });
});

describe("BANDUP-ALARM-4 alarm actions", () => {
  test("Compliance: every alarm notifies the topic", () => {
    expect(findings(buildFixture(), "BANDUP-ALARM-4")).toEqual([]);
  });

  test("Noncompliance: actions disabled (CKV_AWS_319)", () => {
    const fixture = buildFixture();
    fixture.alarms["function-Errors"].actionsEnabled = false;
    expect(findings(fixture, "BANDUP-ALARM-4")).toEqual([
      ["error", "test/alarm-function-Errors", "alarm `test-function-Errors` has actions_enabled = false: it changes state and notifies no one"],
    ]);
  });

  test("Noncompliance: no alarm action (an empty list, or none)", () => {
    const fixture = buildFixture();
    fixture.alarms["function-Throttles"].alarmActions = [];
    fixture.alarms["function-Duration"].resetAlarmActions();
    expect(findings(fixture, "BANDUP-ALARM-4")).toEqual([
      ["error", "test/alarm-function-Throttles", "alarm `test-function-Throttles` has alarm_actions = `[]`: it changes state and notifies no one"],
      ["error", "test/alarm-function-Duration", "alarm `test-function-Duration` has alarm_actions = nothing (not set): it changes state and notifies no one"],
    ]);
  });
});

describe("BANDUP-ALARM-5 the alarm topic's encryption", () => {
  test("Compliance: a customer-managed key given by ARN", () => {
    expect(findings(buildFixture(), "BANDUP-ALARM-5")).toEqual([]);
  });

  test("Noncompliance: not encrypted (CKV_AWS_26, AVD-AWS-0095)", () => {
    const fixture = buildFixture();
    fixture.topic!.resetKmsMasterKeyId();
    expect(findings(fixture, "BANDUP-ALARM-5")).toEqual([
      ["error", "test/alarm-topic", "topic `bandup-alarms-test`, which alarms notify, is not encrypted (kms_master_key_id is not set)"],
    ]);
  });

  test.each(["alias/aws/sns", "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"])(
    "Noncompliance: the AWS-managed key %s, which CloudWatch cannot use (AVD-AWS-0136)",
    (keyId) => {
      const fixture = buildFixture();
      fixture.topic!.kmsMasterKeyId = keyId;
      expect(findings(fixture, "BANDUP-ALARM-5")).toEqual([
        [
          "error",
          "test/alarm-topic",
          `topic \`bandup-alarms-test\` is encrypted with the AWS-managed key \`${keyId}\`: CloudWatch alarms cannot publish to it (that key's policy does not allow cloudwatch.amazonaws.com and cannot be changed)`,
        ],
      ]);
    },
  );

  test("Compliance: a key of the stack whose policy lets cloudwatch.amazonaws.com generate data keys and decrypt", () => {
    const fixture = buildFixture();
    const policy = new DataAwsIamPolicyDocument(fixture.stack, "key-policy", {
      statement: [
        { sid: "Admin", principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }], actions: ["kms:*"], resources: ["*"] },
        { sid: "CloudWatch", principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }], actions: ["kms:GenerateDataKey*", "kms:Decrypt"], resources: ["*"] },
      ],
    });
    fixture.topic!.kmsMasterKeyId = new KmsKey(fixture.stack, "key", { policy: policy.json }).arn;
    expect(findings(fixture, "BANDUP-ALARM-5")).toEqual([]);
  });

  test("Noncompliance: a key of the stack whose policy lets only the account use it, or with no policy", () => {
    const rootOnly = buildFixture();
    const key = new KmsKey(rootOnly.stack, "key", {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] }),
    });
    rootOnly.topic!.kmsMasterKeyId = key.arn;
    expect(findings(rootOnly, "BANDUP-ALARM-5")).toEqual([
      [
        "error",
        "test/alarm-topic",
        "topic `bandup-alarms-test` is encrypted with aws_kms_key.key, which has a policy that does not allow cloudwatch.amazonaws.com kms:GenerateDataKey and kms:Decrypt; alarms cannot publish to it",
      ],
    ]);
    const noPolicy = buildFixture();
    noPolicy.topic!.kmsMasterKeyId = new KmsKey(noPolicy.stack, "key", {}).keyId;
    expect(findings(noPolicy, "BANDUP-ALARM-5")).toEqual([
      [
        "error",
        "test/alarm-topic",
        "topic `bandup-alarms-test` is encrypted with aws_kms_key.key, which has no policy: the default key policy does not let cloudwatch.amazonaws.com use it; alarms cannot publish to it",
      ],
    ]);
  });

  test("a topic no alarm notifies is not this rule's", () => {
    const fixture = buildFixture();
    new SnsTopic(fixture.stack, "other-topic", { name: "not-for-alarms" });
    expect(findings(fixture, "BANDUP-ALARM-5")).toEqual([]);
    expect(allFindings(fixture)).toEqual([]);
  });
});
