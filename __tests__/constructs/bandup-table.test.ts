import { Testing, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BandupTable, BandupTableProps } from "../../constructs/bandup-table";
import { assertStacksValid } from "../../guardrails/apply";
import {
  EVALUATIONS_TABLE,
  FLASHCARD_SETS_TABLE,
  HISTORY_INDEX_NAME,
} from "../../lambda-src/shared/table-definitions";

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
        { name: "user_id-created_at-index", hash_key: "user_id", range_key: "created_at", projection_type: "ALL" },
      ],
      point_in_time_recovery: { enabled: true },
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
