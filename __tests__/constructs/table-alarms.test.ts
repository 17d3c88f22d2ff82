import { Testing, TerraformStack } from "cdktf";
import { AlarmTopic } from "../../constructs/alarm-topic";
import { BandupTable, BandupTableProps } from "../../constructs/bandup-table";
import { OperationsDashboard } from "../../constructs/operations-dashboard";
import { TableAlarms } from "../../constructs/table-alarms";
import { assertStacksValid } from "../../guardrails/apply";
import { EVALUATIONS_TABLE } from "../../lambda-src/contract/table-definitions";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function build(props: Partial<BandupTableProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const table = new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName: "bandup-evaluations-test", ...props });
  const topic = new AlarmTopic(stack, "topic", { topicName: "alarms-test", kmsKeyId: KEY });
  const alarms = new TableAlarms(stack, "alarms", { table, topic });
  const dashboard = new OperationsDashboard(stack, "dashboard", { dashboardName: "ops-test", region: "us-east-1", tables: [table], functions: [] });
  const json = JSON.parse(Testing.synth(stack));
  const byName: Record<string, Record<string, unknown>> = Object.fromEntries(
    Object.values(json.resource.aws_cloudwatch_metric_alarm as Record<string, Record<string, unknown>>).map((a) => [a.alarm_name, a]),
  );
  return { stack, alarms, dashboard, json, byName };
}

describe("TableAlarms", () => {
  test("without caps: throttles of the table and its index, and system errors; no consumption alarm", () => {
    const { alarms, byName } = build();
    expect(Object.keys(byName).sort()).toEqual([
      "test/bandup-evaluations-test-read-throttles",
      "test/bandup-evaluations-test-system-errors",
      "test/bandup-evaluations-test-user_id-created_at-index-read-throttles",
      "test/bandup-evaluations-test-user_id-created_at-index-write-throttles",
      "test/bandup-evaluations-test-write-throttles",
    ]);
    expect([...alarms.alarmNames].sort()).toEqual(Object.keys(byName).sort());
  });

  test("with caps on the table and the index: consumption alarms at 80% of each cap, as units per 60 s period, with OK notifications", () => {
    const { byName } = build({
      onDemandThroughput: { maxReadRequestUnits: 100, maxWriteRequestUnits: 50 },
      historyIndexOnDemandThroughput: { maxReadRequestUnits: 40, maxWriteRequestUnits: 25 },
    });
    const near = Object.values(byName)
      .filter((a) => String(a.alarm_name).includes("near-cap"))
      .map((a) => [a.alarm_name, a.metric_name, a.dimensions, a.statistic, a.threshold, a.period, a.evaluation_periods, a.datapoints_to_alarm, a.treat_missing_data, a.ok_actions !== undefined]);
    const index = { TableName: "bandup-evaluations-test", GlobalSecondaryIndexName: "user_id-created_at-index" };
    expect(near.sort()).toEqual(
      [
        ["test/bandup-evaluations-test-read-near-cap", "ConsumedReadCapacityUnits", { TableName: "bandup-evaluations-test" }, "Sum", 4800, 60, 3, 2, "notBreaching", true],
        ["test/bandup-evaluations-test-write-near-cap", "ConsumedWriteCapacityUnits", { TableName: "bandup-evaluations-test" }, "Sum", 2400, 60, 3, 2, "notBreaching", true],
        ["test/bandup-evaluations-test-user_id-created_at-index-read-near-cap", "ConsumedReadCapacityUnits", index, "Sum", 1920, 60, 3, 2, "notBreaching", true],
        ["test/bandup-evaluations-test-user_id-created_at-index-write-near-cap", "ConsumedWriteCapacityUnits", index, "Sum", 1200, 60, 3, 2, "notBreaching", true],
      ].sort(),
    );
  });

  test("a cap on the table only: no consumption alarm on the index", () => {
    const { byName } = build({ onDemandThroughput: { maxReadRequestUnits: 100, maxWriteRequestUnits: 50 } });
    expect(Object.keys(byName).filter((n) => n.includes("near-cap")).sort()).toEqual([
      "test/bandup-evaluations-test-read-near-cap",
      "test/bandup-evaluations-test-write-near-cap",
    ]);
  });

  test("without the history index: no index alarm", () => {
    const { byName } = build({ historyIndexEnabled: false });
    expect(Object.keys(byName).filter((n) => n.includes("index"))).toEqual([]);
  });

  test("a table name that leaves no room for the alarm's suffix is reported with the alarm's name", () => {
    const tableName = "t".repeat(250);
    const stack = new TerraformStack(Testing.app(), "test");
    const table = new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName, historyIndexEnabled: false });
    new TableAlarms(stack, "alarms", { table, topic: new AlarmTopic(stack, "topic", { topicName: "alarms-test", kmsKeyId: KEY }) });
    expect(() => assertStacksValid(stack)).toThrow(`[test/alarms] \`alarm name\` must be 1-255 printable ASCII characters; got \`test/${tableName}-read-throttles\``);
  });
});

describe("OperationsDashboard, the tables' row", () => {
  test("consumed capacity is drawn against each cap, as units per minute", () => {
    const { dashboard } = build({
      onDemandThroughput: { maxReadRequestUnits: 100, maxWriteRequestUnits: 50 },
      historyIndexOnDemandThroughput: { maxReadRequestUnits: 40, maxWriteRequestUnits: 25 },
    });
    const widget = dashboard.body.widgets.find((w) => (w as { properties?: { title?: string } }).properties?.title === "bandup-evaluations-test: consumed capacity") as {
      properties: { annotations: unknown };
    };
    expect(widget.properties.annotations).toEqual({
      horizontal: [
        { label: "table read cap", value: 6000 },
        { label: "table write cap", value: 3000 },
        { label: "index read cap", value: 2400 },
        { label: "index write cap", value: 1500 },
      ],
    });
  });

  test("without caps, no line is drawn", () => {
    const { dashboard } = build();
    expect(JSON.stringify(dashboard.body)).not.toContain("annotations");
  });

  test("reports a bad dashboard name and region", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new OperationsDashboard(stack, "dashboard", { dashboardName: "ops dashboard", region: "moon-1", tables: [], functions: [] });
    expect(() => assertStacksValid(stack)).toThrow("[test/dashboard] `dashboardName` must be 1-255 characters of a-z, A-Z, 0-9, _ and -; got `ops dashboard`");
    expect(() => assertStacksValid(stack)).toThrow("[test/dashboard] `region` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got `moon-1`");
  });
});
