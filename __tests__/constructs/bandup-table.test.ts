import { Testing, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BandupTable, BandupTableProps } from "../../constructs/bandup-table";
import { AppValidationError, assertStacksValid } from "../../guardrails/apply";
import {
  EVALUATIONS_TABLE,
  FLASHCARD_SETS_TABLE,
  HISTORY_INDEX_NAME,
} from "../../lambda-src/contract/table-definitions";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function synthTable(props: Partial<BandupTableProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const table = new BandupTable(stack, "evaluations", {
    definition: EVALUATIONS_TABLE,
    tableName: "bandup-evaluations-test",
    ...props,
  });
  const synthesized = Testing.synth(stack);
  const resources = JSON.parse(synthesized).resource.aws_dynamodb_table;
  const names = Object.keys(resources);
  expect(names).toHaveLength(1);
  return { table, synthesized, resource: resources[names[0]], address: `aws_dynamodb_table.${names[0]}` };
}

describe("BandupTable", () => {
  test("declares the design's keys, on-demand billing, PITR and the history index by default", () => {
    const { resource } = synthTable();
    expect(resource).toMatchObject({
      name: "bandup-evaluations-test",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "evaluation_id",
      range_key: "user_id",
      attribute: [
        { name: "evaluation_id", type: "S" },
        { name: "user_id", type: "S" },
        { name: "created_at", type: "N" },
      ],
      global_secondary_index: [
        {
          name: "user_id-created_at-index",
          hash_key: "user_id",
          range_key: "created_at",
          projection_type: "INCLUDE",
          non_key_attributes: ["evaluation_type", "status", "error_message", "lease_expires_at_ms"],
        },
      ],
      point_in_time_recovery: { enabled: true, recovery_period_in_days: 35 },
      table_class: "STANDARD",
      deletion_protection_enabled: false,
    });
    // No provisioned capacity on an on-demand table.
    expect(resource.read_capacity).toBeUndefined();
    expect(resource.write_capacity).toBeUndefined();
  });

  test("without the history index, defines only the key attributes (DynamoDB rejects unused ones)", () => {
    const { resource, table } = synthTable({ historyIndexEnabled: false });
    expect(resource.attribute).toEqual([
      { name: "evaluation_id", type: "S" },
      { name: "user_id", type: "S" },
    ]);
    expect(resource.global_secondary_index).toBeUndefined();
    expect(table.indexArns).toEqual([]);
    expect(table.historyIndexEnabled).toBe(false);
  });

  test("exposes its name, ARN and the ARN of its index as Terraform references", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const table = new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName: "bandup-evaluations-test" });
    new TerraformOutput(stack, "arn", { value: table.tableArn });
    new TerraformOutput(stack, "index", { value: table.indexArns });
    const json = JSON.parse(Testing.synth(stack));
    const address = `aws_dynamodb_table.${Object.keys(json.resource.aws_dynamodb_table)[0]}`;
    expect(table.tableName).toBe("bandup-evaluations-test");
    expect(table.historyIndexEnabled).toBe(true);
    expect(json.output.arn.value).toBe(`\${${address}.arn}`);
    expect(json.output.index.value).toEqual([`\${${address}.arn}/index/${HISTORY_INDEX_NAME}`]);
  });

  test("uses the AWS-owned key unless a customer key is given", () => {
    expect(synthTable().resource.server_side_encryption).toBeUndefined();
    expect(synthTable({ kmsKeyArn: KEY }).resource.server_side_encryption).toEqual({ enabled: true, kms_key_arn: KEY });
  });

  test("deletionProtection turns on deletion protection and prevent_destroy", () => {
    const { resource } = synthTable({ deletionProtection: true });
    expect(resource.deletion_protection_enabled).toBe(true);
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    expect(synthTable({ deletionProtection: false }).resource.lifecycle).toBeUndefined();
  });

  test("tags the table with the given tags", () => {
    const { resource } = synthTable({ tags: { Project: "bandup", Environment: "test", Owner: "platform" } });
    expect(resource.tags).toEqual({ Project: "bandup", Environment: "test", Owner: "platform" });
  });

  test("builds the flashcard-sets table from its own definition", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new BandupTable(stack, "flashcard-sets", { definition: FLASHCARD_SETS_TABLE, tableName: "bandup-flashcard-sets" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties({ tfResourceType: "aws_dynamodb_table" }, {
      name: "bandup-flashcard-sets",
      hash_key: "set_id",
      range_key: "user_id",
      attribute: [
        { name: "set_id", type: "S" },
        { name: "user_id", type: "S" },
        { name: "created_at", type: "N" },
      ],
    });
  });
});

describe("BandupTable validation", () => {
  test("refuses a bad table name and a KMS alias at synth, naming the construct's path", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName: "ab", kmsKeyArn: "alias/bandup" });
    expect(() => assertStacksValid(stack)).toThrow(
      "[test/evaluations] `tableName` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`\n" +
        "[test/evaluations] `kmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `alias/bandup`",
    );
  });

  test("refuses tags AWS refuses (an aws: key in any case, a value over 256 characters), and a key ARN of an unknown partition", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    const long = "v".repeat(257);
    new BandupTable(stack, "evaluations", {
      definition: EVALUATIONS_TABLE,
      tableName: "bandup-evaluations-test",
      kmsKeyArn: KEY.replace("arn:aws:", "arn:aws-mars:"),
      tags: { "Aws:owner": "x", Team: long },
    });
    expect(() => assertStacksValid(stack)).toThrow(
      `[test/evaluations] \`kmsKeyArn\` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got \`${KEY.replace("arn:aws:", "arn:aws-mars:")}\`\n` +
        "[test/evaluations] `tags` key must not start with `aws:` (in any case): AWS reserves that prefix for its own tags; got `Aws:owner`\n" +
        `[test/evaluations] \`tags.Team\` must be a string of at most 256 characters of letters, digits, spaces and _ . : / = + - @; got \`${long}\``,
    );
  });

  test.each([
    ["arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    ["arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef"],
    ["arn:aws-iso-b:kms:us-isob-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  ])("accepts a key ARN of another partition: %s", (kmsKeyArn) => {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: kmsKeyArn.split(":")[3] });
    new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName: "bandup-evaluations-test", kmsKeyArn });
    expect(() => assertStacksValid(stack)).not.toThrow();
  });
});

describe("BandupTable on-demand throughput caps", () => {
  test("are written on the table and on the history index when given, and absent by default", () => {
    expect(synthTable().resource.on_demand_throughput).toBeUndefined();
    const { resource, table } = synthTable({
      onDemandThroughput: { maxReadRequestUnits: 100, maxWriteRequestUnits: 50 },
      historyIndexOnDemandThroughput: { maxReadRequestUnits: 40, maxWriteRequestUnits: 50 },
    });
    expect(resource.on_demand_throughput).toEqual({ max_read_request_units: 100, max_write_request_units: 50 });
    expect(resource.global_secondary_index[0].on_demand_throughput).toEqual({ max_read_request_units: 40, max_write_request_units: 50 });
    expect(table.onDemandThroughput).toEqual({ maxReadRequestUnits: 100, maxWriteRequestUnits: 50 });
  });
});

describe("BandupTable on-demand throughput caps turned off", () => {
  test("`false` writes DynamoDB's no-maximum (-1) on the table and the index, and exposes no cap", () => {
    const { resource, table } = synthTable({ onDemandThroughput: false, historyIndexOnDemandThroughput: false });
    expect(resource.on_demand_throughput).toEqual({ max_read_request_units: -1, max_write_request_units: -1 });
    expect(resource.global_secondary_index[0].on_demand_throughput).toEqual({ max_read_request_units: -1, max_write_request_units: -1 });
    expect(table.onDemandThroughput).toBeUndefined();
    expect(table.historyIndexOnDemandThroughput).toBeUndefined();
  });
});

describe("BandupTable recovery window and class", () => {
  test("keeps 35 days of point-in-time recovery and the STANDARD class unless told", () => {
    const { resource, table } = synthTable({ pointInTimeRecoveryDays: 7, tableClass: "STANDARD_INFREQUENT_ACCESS" });
    expect(resource.point_in_time_recovery).toEqual({ enabled: true, recovery_period_in_days: 7 });
    expect(resource.table_class).toBe("STANDARD_INFREQUENT_ACCESS");
    expect(table.pointInTimeRecoveryDays).toBe(7);
    expect(synthTable().table.pointInTimeRecoveryDays).toBe(35);
  });
});

describe("BandupTable replicas", () => {
  const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/2234abcd-12ab-34cd-56ef-1234567890ab";

  test("each replica has PITR, propagated tags and its region's key; the stream is on as replicas need", () => {
    const { resource, table } = synthTable({
      kmsKeyArn: KEY,
      replicas: [{ region: "us-west-2", kmsKeyArn: WEST_KEY }, { region: "eu-west-1", kmsKeyArn: KEY.replace(/us-east-1/, "eu-west-1") }],
    });
    expect(resource.replica).toEqual([
      { region_name: "us-west-2", kms_key_arn: WEST_KEY, point_in_time_recovery: true, propagate_tags: true },
      { region_name: "eu-west-1", kms_key_arn: KEY.replace(/us-east-1/, "eu-west-1"), point_in_time_recovery: true, propagate_tags: true },
    ]);
    expect(resource.stream_enabled).toBe(true);
    expect(resource.stream_view_type).toBe("NEW_AND_OLD_IMAGES");
    expect(table.replicaRegions).toEqual(["us-west-2", "eu-west-1"]);
  });

  test("no replica, no stream; `streamEnabled` keeps the stream while the last replica goes", () => {
    const plain = synthTable().resource;
    expect([plain.replica, plain.stream_enabled, plain.stream_view_type]).toEqual([undefined, undefined, undefined]);
    const kept = synthTable({ streamEnabled: true }).resource;
    expect([kept.replica, kept.stream_enabled, kept.stream_view_type]).toEqual([undefined, true, "NEW_AND_OLD_IMAGES"]);
  });
});

describe("BandupTable restored from a point in time", () => {
  test("a time: restore_source_name and restore_date_time, with the same keys, index, PITR and protection", () => {
    const { resource, table } = synthTable({
      tableName: "bandup-evaluations-test-restored",
      restoreFrom: { sourceTableName: "bandup-evaluations-test", pointInTime: "2026-11-20T08:30:00Z" },
      deletionProtection: true,
    });
    expect(resource).toMatchObject({
      name: "bandup-evaluations-test-restored",
      restore_source_name: "bandup-evaluations-test",
      restore_date_time: "2026-11-20T08:30:00Z",
      hash_key: "evaluation_id",
      range_key: "user_id",
      point_in_time_recovery: { enabled: true, recovery_period_in_days: 35 },
      deletion_protection_enabled: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource.global_secondary_index[0].name).toBe(HISTORY_INDEX_NAME);
    expect(resource.restore_to_latest_time).toBeUndefined();
    expect(table.restoreFrom).toEqual({ sourceTableName: "bandup-evaluations-test", pointInTime: "2026-11-20T08:30:00Z" });
  });

  test('"latest": restore_to_latest_time, no date', () => {
    const { resource } = synthTable({ tableName: "bandup-evaluations-test-restored", restoreFrom: { sourceTableName: "bandup-evaluations-test", pointInTime: "latest" } });
    expect(resource.restore_to_latest_time).toBe(true);
    expect(resource.restore_date_time).toBeUndefined();
  });
});

describe("BandupTable validation of the day-2 props", () => {
  /** The construct's problems (the provider sets the stack's region, which replicas are checked against). */
  function problems(props: Partial<BandupTableProps>): string[] {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new BandupTable(stack, "evaluations", { definition: EVALUATIONS_TABLE, tableName: "bandup-evaluations-test", ...props });
    try {
      assertStacksValid(stack);
      return [];
    } catch (error) {
      if (error instanceof AppValidationError) return [...error.errors];
      throw error;
    }
  }

  test.each<[string, Partial<BandupTableProps>, string]>([
    ["a recovery window over 35 days", { pointInTimeRecoveryDays: 36 }, "`pointInTimeRecoveryDays` must be a whole number of days from 1 to 35; got `36`"],
    ["an unknown table class", { tableClass: "GLACIER" as never }, "`tableClass` must be one of STANDARD, STANDARD_INFREQUENT_ACCESS; got `GLACIER`"],
    ["a cap of 0", { onDemandThroughput: { maxReadRequestUnits: 0, maxWriteRequestUnits: 5 } }, "`onDemandThroughput.maxReadRequestUnits` must be a whole number of request units per second, 1 or more; got `0`"],
    ["a fractional index cap", { historyIndexOnDemandThroughput: { maxReadRequestUnits: 5, maxWriteRequestUnits: 2.5 } }, "`historyIndexOnDemandThroughput.maxWriteRequestUnits` must be a whole number of request units per second, 1 or more; got `2.5`"],
    ["a replica in the table's own region", { replicas: [{ region: "us-east-1" }] }, "`replicas[0].region` must be another region than the table's own (`us-east-1`); got `us-east-1`"],
    ["a replica in an unknown region", { replicas: [{ region: "mars-east-1" }] }, "`replicas[0].region` must be a region the pinned AWS provider knows (constructs/aws-partitions.ts); got `mars-east-1`"],
    ["the same replica twice", { replicas: [{ region: "us-west-2" }, { region: "us-west-2" }] }, "`replicas[1].region` must be a region no other replica has; got `us-west-2`"],
    ["a replica in another partition", { replicas: [{ region: "cn-north-1" }] }, "`replicas[0].region` must be a region of the table's partition `aws` (a global table cannot span partitions); got `cn-north-1`"],
    ["a replica key without a table key", { replicas: [{ region: "us-west-2", kmsKeyArn: KEY.replace(/us-east-1/, "us-west-2") }] }, "`replicas[0].kmsKeyArn` is set but the table has no customer key (`kmsKeyArn`); the replicas use the table's kind of key"],
    ["a table key and a replica without one", { kmsKeyArn: KEY, replicas: [{ region: "us-west-2" }] }, "`replicas[0].kmsKeyArn` is required: the table has a customer key, so each replica needs one of its own region"],
    ["a replica key of another region", { kmsKeyArn: KEY, replicas: [{ region: "us-west-2", kmsKeyArn: KEY }] }, "`replicas[0].kmsKeyArn` is in region `us-east-1` but its replica is in `us-west-2`; DynamoDB needs a key in the table's region"],
    ["a restore of the table itself", { restoreFrom: { sourceTableName: "bandup-evaluations-test", pointInTime: "latest" } }, "`restoreFrom.sourceTableName` must be another table than this one (a restore creates a new table); got `bandup-evaluations-test`"],
    ["a restore time with an offset", { restoreFrom: { sourceTableName: "other", pointInTime: "2026-11-20T08:30:00+07:00" } }, '`restoreFrom.pointInTime` must be an RFC 3339 time in UTC such as "2026-11-20T08:30:00Z", or "latest"; got `2026-11-20T08:30:00+07:00`'],
  ])("refuses %s, naming the prop and the value", (_name, props, message) => {
    expect(problems(props)).toEqual([`[test/evaluations] ${message}`]);
  });

  test("accepts every valid combination above without a problem", () => {
    expect(
      problems({
        kmsKeyArn: KEY,
        pointInTimeRecoveryDays: 1,
        tableClass: "STANDARD_INFREQUENT_ACCESS",
        onDemandThroughput: { maxReadRequestUnits: 1, maxWriteRequestUnits: 40_000 },
        replicas: [{ region: "us-west-2", kmsKeyArn: KEY.replace(/us-east-1/, "us-west-2") }],
        restoreFrom: { sourceTableName: "bandup-evaluations-old", pointInTime: "2026-11-20T08:30:00.5Z" },
      }),
    ).toEqual([]);
  });
});
