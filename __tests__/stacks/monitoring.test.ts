/**
 * What an operator gets in each environment, on the synthesized JSON: the alarm topic (its key, key
 * policy, alias, topic policy, subscriptions), every alarm exactly, the job outcome metric filters,
 * the dashboard, the outputs; and how `alarmEmails` and `alarmTopicKmsKeyArn` change them.
 */
import { checkStack } from "../../guardrails";
import { EnvironmentSettings } from "../../stacks/environments";
import { ENVIRONMENT_CASES } from "../support/environment-cases";
import { resourcesOfType, synthEnvironment, TerraformJson } from "../support/synth";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ACCOUNT = "${data.aws_caller_identity.caller-identity.account_id}";
const ARN_PREFIX = "arn:${data.aws_partition.partition.partition}";
const REGION = "${data.aws_region.region.name}";

/** The only resource of a type; fails when there is not exactly one. */
function only(json: TerraformJson, type: string): [string, TerraformJson] {
  const entries = Object.entries(resourcesOfType(json, type));
  expect(entries.map(([name]) => name)).toHaveLength(1);
  return entries[0];
}

/** The data source a `${data.aws_iam_policy_document.x.json}` reference names. */
function documentOf(json: TerraformJson, reference: string): TerraformJson {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(reference)?.[1];
  expect(name).toBeDefined();
  return json.data.aws_iam_policy_document[name!];
}

/** One alarm as a row: what it watches and how it is set. */
function row(alarm: TerraformJson) {
  const watched = alarm.metric_query
    ? `SUM(${alarm.metric_query.filter((q: TerraformJson) => q.metric).map((q: TerraformJson) => `${q.metric.metric_name}/${q.metric.dimensions.Operation}`).join(",")})`
    : `${alarm.namespace} ${alarm.metric_name} ${JSON.stringify(alarm.dimensions)}`;
  const statistic = alarm.statistic ?? alarm.metric_query?.[0].metric.stat;
  const period = alarm.period ?? alarm.metric_query?.[0].metric.period;
  return [
    alarm.alarm_name,
    watched,
    statistic,
    `${alarm.comparison_operator === "GreaterThanThreshold" ? ">" : ">="} ${alarm.threshold}`,
    `${alarm.datapoints_to_alarm} of ${alarm.evaluation_periods} x ${period} s`,
    alarm.treat_missing_data,
    alarm.ok_actions === undefined ? "no OK" : "OK",
  ];
}

const TABLE_OPS = "SystemErrors/PutItem,SystemErrors/GetItem,SystemErrors/UpdateItem,SystemErrors/Query";

/**
 * The near-cap alarms of a table or its index: consumption over 80% of the cap (per second, over a
 * minute) for 2 of 3 minutes. Written out from the default caps (reads 1,000 / writes 400 per table,
 * 128 / 400 per index), not from the code's constants.
 */
function nearCapAlarms(resourceName: string, dims: string, caps: { read: number; write: number }) {
  return [
    [`${resourceName}-read-near-cap`, `AWS/DynamoDB ConsumedReadCapacityUnits ${dims}`, "Sum", `>= ${caps.read * 60 * 0.8}`, "2 of 3 x 60 s", "notBreaching", "OK"],
    [`${resourceName}-write-near-cap`, `AWS/DynamoDB ConsumedWriteCapacityUnits ${dims}`, "Sum", `>= ${caps.write * 60 * 0.8}`, "2 of 3 x 60 s", "notBreaching", "OK"],
  ];
}

/**
 * Every alarm of the stack `stack` whose resources end with `suffix` ("" in prod), sorted by name
 * (`<stack>/<resource>-<what>`); with `capped` (the default outside protected environments), the
 * near-cap alarms of each table and index.
 */
function expectedAlarms(stack: string, suffix: string, capped: boolean) {
  const table = (base: string) => {
    const name = `${base}${suffix}`;
    const index = `${name}-user_id-created_at-index`;
    const dims = (extra = {}) => JSON.stringify({ TableName: name, ...extra });
    const gsi = { GlobalSecondaryIndexName: "user_id-created_at-index" };
    return [
      ...(capped ? [...nearCapAlarms(name, dims(), { read: 1_000, write: 400 }), ...nearCapAlarms(index, JSON.stringify({ ...gsi, TableName: name }), { read: 128, write: 400 })] : []),
      [`${name}-read-throttles`, `AWS/DynamoDB ReadThrottleEvents ${dims()}`, "Sum", ">= 1", "2 of 5 x 60 s", "notBreaching", "no OK"],
      [`${name}-system-errors`, `SUM(${TABLE_OPS})`, "Sum", ">= 1", "2 of 5 x 60 s", "notBreaching", "no OK"],
      [`${index}-read-throttles`, `AWS/DynamoDB ReadThrottleEvents ${JSON.stringify({ GlobalSecondaryIndexName: gsi.GlobalSecondaryIndexName, TableName: name })}`, "Sum", ">= 1", "2 of 5 x 60 s", "notBreaching", "no OK"],
      [`${index}-write-throttles`, `AWS/DynamoDB WriteThrottleEvents ${JSON.stringify({ GlobalSecondaryIndexName: gsi.GlobalSecondaryIndexName, TableName: name })}`, "Sum", ">= 1", "2 of 5 x 60 s", "notBreaching", "no OK"],
      [`${name}-write-throttles`, `AWS/DynamoDB WriteThrottleEvents ${dims()}`, "Sum", ">= 1", "2 of 5 x 60 s", "notBreaching", "no OK"],
    ];
  };
  const fn = (base: string, timeoutSeconds: number) => {
    const name = `${base}${suffix}`;
    const dims = JSON.stringify({ FunctionName: name });
    return [
      [`${name}-dead-letters-messages-visible`, `AWS/SQS ApproximateNumberOfMessagesVisible ${JSON.stringify({ QueueName: `${name}-dead-letters` })}`, "Maximum", "> 0", "1 of 1 x 300 s", "ignore", "OK"],
      [`${name}-duration-near-timeout`, `AWS/Lambda Duration ${dims}`, "Maximum", `>= ${timeoutSeconds * 800}`, "1 of 1 x 300 s", "notBreaching", "no OK"],
      [`${name}-errors`, `AWS/Lambda Errors ${dims}`, "Sum", ">= 5", "1 of 1 x 300 s", "notBreaching", "no OK"],
      [`${name}-jobs-failed`, `BandUp/Jobs/${name} JobsFailed {}`, "Sum", ">= 3", "1 of 1 x 900 s", "notBreaching", "no OK"],
      [`${name}-jobs-timed-out`, `BandUp/Jobs/${name} JobsTimedOut {}`, "Sum", ">= 1", "1 of 1 x 300 s", "notBreaching", "no OK"],
      [`${name}-throttles`, `AWS/Lambda Throttles ${dims}`, "Sum", ">= 1", "3 of 5 x 60 s", "notBreaching", "no OK"],
    ];
  };
  return [
    ...table("bandup-evaluations"),
    ...fn("bandup-flashcard-generator", 300),
    ...table("bandup-flashcard-sets"),
    ...fn("bandup-speaking-evaluator", 180),
    ...fn("bandup-writing-evaluator", 120),
  ]
    .map(([name, ...rest]) => [`${stack}/${name}`, ...rest])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe.each(ENVIRONMENT_CASES.map((c) => [c.name, c] as const))("bandup-%s", (env, { settings, expected }) => {
  const { suffix, environmentTag } = expected;
  const { json } = synthEnvironment(env, { settings });
  const [topicName, topic] = only(json, "aws_sns_topic");
  const topicRef = `\${aws_sns_topic.${topicName}.arn}`;
  const topicArn = `${ARN_PREFIX}:sns:${REGION}:${ACCOUNT}:bandup-alarms${suffix}`;
  const alarms = Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm"));
  // The tables are capped by default outside protected environments: 4 near-cap alarms per table and index.
  const alarmCount = expected.protected ? 28 : 36;

  test("the alarm topic, encrypted with the key the bootstrap creates for it, by its alias; the stack creates no key", () => {
    expect(topic).toEqual({
      name: `bandup-alarms${suffix}`,
      display_name: `bandup-alarms${suffix}`,
      kms_master_key_id: `alias/bandup-bootstrap/bandup-alarms${suffix}`,
      tags: { Project: "bandup", Environment: environmentTag },
    });
    expect(resourcesOfType(json, "aws_kms_key")).toEqual({});
    expect(resourcesOfType(json, "aws_kms_alias")).toEqual({});
  });

  test("the topic policy lets exactly the stack's alarms publish, from this account, and grants nothing else", () => {
    const policy = only(json, "aws_sns_topic_policy")[1];
    expect(policy.arn).toBe(topicRef);
    const names = alarms.map((a) => a.alarm_name as string);
    expect(names).toHaveLength(alarmCount);
    expect(documentOf(json, policy.policy).statement).toEqual([
      {
        sid: "CloudWatchAlarmsOfThisStackPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [topicArn],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
          { test: "ArnEquals", variable: "aws:SourceArn", values: expect.arrayContaining(names.map((n) => `${ARN_PREFIX}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n}`)) },
        ],
      },
    ]);
    expect(documentOf(json, policy.policy).statement[0].condition[1].values).toHaveLength(alarmCount);
  });

  test("no email subscription by default", () => {
    expect(resourcesOfType(json, "aws_sns_topic_subscription")).toEqual({});
  });

  test("every alarm: metric, statistic, threshold, windows, missing data, OK notification", () => {
    const rows = alarms.map(row).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect(rows).toEqual(expectedAlarms(`bandup-${env}`, suffix, !expected.protected));
  });

  test("every alarm notifies the topic, actions enabled; OK only where the alarm is on a state; a description that says why", () => {
    for (const alarm of alarms) {
      expect(alarm.actions_enabled).toBe(true);
      expect(alarm.alarm_actions).toEqual([topicRef]);
      expect(alarm.ok_actions ?? [topicRef]).toEqual([topicRef]);
      expect(alarm.insufficient_data_actions).toBeUndefined();
      expect(alarm.alarm_description.length).toBeLessThanOrEqual(1024);
      expect(alarm.tags).toEqual({ Project: "bandup", Environment: environmentTag });
    }
    const deadLetters = alarms.find((a) => a.alarm_name === `bandup-${env}/bandup-writing-evaluator${suffix}-dead-letters-messages-visible`)!;
    expect(deadLetters.alarm_description).toBe(
      `bandup-writing-evaluator${suffix}-dead-letters: An event failed every retry and waits in the dead-letter queue (14 days, then it is lost): read it and invoke again. SQS publishes a queue's metrics only while it is active (a message in it or an API call within 6 hours), at 5-minute intervals in its documentation: a missing datapoint keeps the current state (ignore) rather than clearing an alarm whose messages still wait. OK is sent when the queue is empty.`,
    );
  });

  test("system errors: the operations the functions call, summed with metric math", () => {
    const alarm = alarms.find((a) => a.alarm_name === `bandup-${env}/bandup-evaluations${suffix}-system-errors`)!;
    expect(alarm.metric_query).toEqual([
      ...["PutItem", "GetItem", "UpdateItem", "Query"].map((operation, index) => ({
        id: `m${index + 1}`,
        return_data: false,
        metric: { namespace: "AWS/DynamoDB", metric_name: "SystemErrors", dimensions: { TableName: `bandup-evaluations${suffix}`, Operation: operation }, stat: "Sum", period: 60 },
      })),
      { id: "total", expression: "SUM([m1, m2, m3, m4])", label: expect.stringContaining("SystemErrors"), return_data: true },
    ]);
    expect(alarm.namespace).toBeUndefined();
  });

  test("job outcomes: a log metric filter per outcome line on each function's log group", () => {
    const groups = resourcesOfType(json, "aws_cloudwatch_log_group");
    const filters = Object.values(resourcesOfType(json, "aws_cloudwatch_log_metric_filter")).map((f) => {
      const group = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.name\}$/.exec(f.log_group_name)?.[1];
      return [f.name, groups[group!]?.name, f.pattern, f.metric_transformation];
    });
    const expected = ["bandup-writing-evaluator", "bandup-speaking-evaluator", "bandup-flashcard-generator"].flatMap((base) => {
      const name = `${base}${suffix}`;
      const transformation = (metric: string) => ({ namespace: `BandUp/Jobs/${name}`, name: metric, value: "1", unit: "Count" });
      return [
        [`${name}-jobs-failed`, `/aws/lambda/${name}`, '{ $.message.message = "job failed" }', transformation("JobsFailed")],
        [`${name}-jobs-timed-out`, `/aws/lambda/${name}`, '{ $.message.message = "job timed out" }', transformation("JobsTimedOut")],
      ];
    });
    expect(filters.sort()).toEqual(expected.sort());
  });

  test("outputs the topic's ARN and the dashboard's name", () => {
    expect(json.output["alarm-topic-arn"].value).toBe(topicRef);
    expect(json.output["dashboard-name"].value).toBe(`bandup-operations${suffix}`);
  });

  describe("the dashboard", () => {
    const [, dashboard] = only(json, "aws_cloudwatch_dashboard");
    const body = JSON.parse(dashboard.dashboard_body);
    const metricWidgets = body.widgets.filter((w: TerraformJson) => w.type === "metric");

    test("is named for the environment, shows the provider's region, fits the 24-column grid", () => {
      expect(dashboard.dashboard_name).toBe(`bandup-operations${suffix}`);
      for (const widget of body.widgets) {
        expect(widget.x + widget.width).toBeLessThanOrEqual(24);
        if (widget.type === "metric") expect(widget.properties.region).toBe(json.provider.aws[0].region);
      }
    });

    test("every metric it shows names a table, index, function, queue or log metric of the stack, and every one of them appears", () => {
      const tables = Object.values(resourcesOfType(json, "aws_dynamodb_table"));
      const indexes = new Map(tables.map((t) => [t.name as string, (t.global_secondary_index ?? []).map((i: TerraformJson) => i.name as string)]));
      const functions = Object.values(resourcesOfType(json, "aws_lambda_function")).map((f) => f.function_name as string);
      const queues = Object.values(resourcesOfType(json, "aws_sqs_queue")).map((q) => q.name as string);
      const logMetrics = Object.values(resourcesOfType(json, "aws_cloudwatch_log_metric_filter")).map(
        (f) => `${f.metric_transformation.namespace} ${f.metric_transformation.name}`,
      );
      const seen = new Set<string>();
      const strays: string[] = [];
      for (const widget of metricWidgets) {
        for (const entry of widget.properties.metrics as unknown[][]) {
          const [namespace, metricName, ...rest] = entry;
          const options = rest.pop() as TerraformJson;
          expect(options).toMatchObject({ stat: expect.any(String), label: expect.any(String), period: widget.properties.period });
          const dimensions: Record<string, string> = {};
          for (let i = 0; i < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
          let names: string | undefined;
          if (namespace === "AWS/DynamoDB" && indexes.has(dimensions.TableName)) {
            const index = dimensions.GlobalSecondaryIndexName;
            const known = index === undefined || indexes.get(dimensions.TableName)!.includes(index);
            const operation = dimensions.Operation === undefined || ["PutItem", "GetItem", "UpdateItem", "Query"].includes(dimensions.Operation);
            if (known && operation) names = index === undefined ? `table ${dimensions.TableName}` : `index ${dimensions.TableName}/${index}`;
          } else if (namespace === "AWS/Lambda" && functions.includes(dimensions.FunctionName)) {
            names = `function ${dimensions.FunctionName}`;
          } else if (namespace === "AWS/SQS" && queues.includes(dimensions.QueueName)) {
            names = `queue ${dimensions.QueueName}`;
          } else if (Object.keys(dimensions).length === 0 && logMetrics.includes(`${namespace} ${metricName}`)) {
            names = `log metric ${namespace} ${metricName}`;
          }
          if (names === undefined) strays.push(JSON.stringify(entry));
          else seen.add(names);
        }
      }
      expect(strays).toEqual([]);
      const everything = [
        ...tables.map((t) => `table ${t.name}`),
        ...[...indexes].flatMap(([table, names]) => names.map((n: string) => `index ${table}/${n}`)),
        ...functions.map((f) => `function ${f}`),
        ...queues.map((q) => `queue ${q}`),
        ...logMetrics.map((m) => `log metric ${m}`),
      ];
      expect([...seen].sort()).toEqual(everything.sort());
      expect(everything).toHaveLength(2 + 2 + 3 + 3 + 6);
    });

    test("duration is drawn against the timeout and the alarm's threshold", () => {
      const duration = metricWidgets.find((w: TerraformJson) => w.properties.title === `bandup-flashcard-generator${suffix}: duration (ms)`);
      expect(duration.properties.annotations.horizontal).toEqual([
        { label: "timeout", value: 300_000 },
        { label: "alarm", value: 240_000 },
      ]);
    });
  });
});

describe("settings", () => {
  test("alarmEmails: one email subscription per address, to the topic", () => {
    const { json } = synthEnvironment("dev", { settings: { alarmEmails: ["ops@example.com", "oncall@example.org"] } });
    const [topicName] = only(json, "aws_sns_topic");
    const subscriptions = Object.values(resourcesOfType(json, "aws_sns_topic_subscription"));
    expect(subscriptions.map((s) => [s.protocol, s.endpoint, s.topic_arn]).sort()).toEqual([
      ["email", "oncall@example.org", `\${aws_sns_topic.${topicName}.arn}`],
      ["email", "ops@example.com", `\${aws_sns_topic.${topicName}.arn}`],
    ]);
  });

  test("adding an address keeps the other subscriptions' addresses in Terraform (keyed by address, not position)", () => {
    const one = synthEnvironment("dev", { settings: { alarmEmails: ["oncall@example.org"] } }).json;
    const two = synthEnvironment("dev", { settings: { alarmEmails: ["ops@example.com", "oncall@example.org"] } }).json;
    const address = (json: TerraformJson, email: string) =>
      Object.entries(resourcesOfType(json, "aws_sns_topic_subscription")).find(([, s]) => s.endpoint === email)?.[0];
    expect(address(two, "oncall@example.org")).toBe(address(one, "oncall@example.org"));
  });

  test("alarmTopicKmsKeyArn: the topic uses that key, and no key is created", () => {
    const { json, stack } = synthEnvironment("prod", { settings: { protected: true, alarmTopicKmsKeyArn: KEY } });
    expect(only(json, "aws_sns_topic")[1].kms_master_key_id).toBe(KEY);
    expect(resourcesOfType(json, "aws_kms_key")).toEqual({});
    expect(resourcesOfType(json, "aws_kms_alias")).toEqual({});
    expect(checkStack(stack).errors).toEqual([]);
  });

  test("without the history index: no index alarm, no index on the dashboard, the guardrails still pass", () => {
    const { json, stack } = synthEnvironment("dev", { settings: { historyIndexEnabled: false } });
    const names = Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm")).map((a) => a.alarm_name as string);
    // 28 less the 4 throttle alarms of the indexes, and (dev's tables are capped) 2 near-cap alarms per table.
    expect(names).toHaveLength(24 + 4);
    expect(names.filter((n) => n.includes("user_id-created_at-index"))).toEqual([]);
    expect(only(json, "aws_cloudwatch_dashboard")[1].dashboard_body).not.toContain("GlobalSecondaryIndexName");
    expect(checkStack(stack).errors).toEqual([]);
  });

  test("onDemandThroughput reaches the tables' caps, their near-cap alarms and the dashboard's cap lines", () => {
    /** Near-cap alarms (name: threshold) and each consumed-capacity widget's horizontal lines (label: value). */
    const capsShown = (env: string, settings: EnvironmentSettings) => {
      const { json } = synthEnvironment(env, { settings });
      const nearCap = Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm"))
        .filter((a) => (a.alarm_name as string).endsWith("-near-cap"))
        .map((a) => `${a.alarm_name}: ${a.threshold}`)
        .sort();
      const body = JSON.parse(only(json, "aws_cloudwatch_dashboard")[1].dashboard_body);
      const lines = body.widgets
        .filter((w: TerraformJson) => w.type === "metric" && (w.properties.title as string).endsWith(": consumed capacity"))
        .map((w: TerraformJson) => [w.properties.title, (w.properties.annotations?.horizontal ?? []).map((h: TerraformJson) => `${h.label}: ${h.value}`)]);
      return { nearCap, lines };
    };
    // prod is protected: no cap by default. One table capped, its index left uncapped.
    expect(capsShown("prod", { onDemandThroughput: { evaluations: { table: { maxReadRequestUnits: 50, maxWriteRequestUnits: 20 }, historyIndex: false } } })).toEqual({
      nearCap: ["bandup-prod/bandup-evaluations-read-near-cap: 2400", "bandup-prod/bandup-evaluations-write-near-cap: 960"],
      lines: [
        ["bandup-evaluations: consumed capacity", ["table read cap: 3000", "table write cap: 1200"]],
        ["bandup-flashcard-sets: consumed capacity", []],
      ],
    });
    expect(capsShown("prod", {})).toEqual({
      nearCap: [],
      lines: [
        ["bandup-evaluations: consumed capacity", []],
        ["bandup-flashcard-sets: consumed capacity", []],
      ],
    });
    // dev is capped by default; `false` takes every cap off, and every near-cap alarm and line with it.
    expect(capsShown("dev", {}).nearCap).toHaveLength(8);
    expect(capsShown("dev", { onDemandThroughput: false })).toEqual({
      nearCap: [],
      lines: [
        ["bandup-evaluations-dev: consumed capacity", []],
        ["bandup-flashcard-sets-dev: consumed capacity", []],
      ],
    });
  });

  test("another region: the dashboard's widgets show it", () => {
    const { json } = synthEnvironment("dev", { settings: { region: "ap-southeast-1" } });
    const body = JSON.parse(only(json, "aws_cloudwatch_dashboard")[1].dashboard_body);
    const regions = new Set(body.widgets.filter((w: TerraformJson) => w.type === "metric").map((w: TerraformJson) => w.properties.region));
    expect([...regions]).toEqual(["ap-southeast-1"]);
  });

  test("longer function timeouts move the duration alarm: 80% of the timeout, in ms", () => {
    const { json } = synthEnvironment("dev", { settings: { functions: { "writing-evaluator": { timeoutSeconds: 200 } } } });
    const alarm = Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm")).find((a) => a.alarm_name === "bandup-dev/bandup-writing-evaluator-dev-duration-near-timeout");
    expect(alarm?.threshold).toBe(160_000);
  });
});
