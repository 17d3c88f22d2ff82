import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { applyGuardrails } from "../../guardrails";

test("a deliberately broken stack (key schema attribute missing, `*` resource, PITR off, no alarm) fails synth with all four errors listed", () => {
  const stack = new TerraformStack(Testing.app(), "broken");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: { Project: "bandup", Environment: "test" } }] });
  const table = new DynamodbTable(stack, "table", {
    name: "broken",
    billingMode: "PAY_PER_REQUEST",
    hashKey: "evaluation_id",
    rangeKey: "user_id", // no attribute definition
    attribute: [{ name: "evaluation_id", type: "S" }],
    pointInTimeRecovery: { enabled: false },
    serverSideEncryption: { enabled: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
  });
  new IamPolicy(stack, "reader", {
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }] }),
  });
  applyGuardrails(stack, { warnings: "none" });
  expect(table).toBeDefined();

  let message = "";
  try {
    Testing.synth(stack, true);
  } catch (error) {
    message = (error as Error).message;
  }
  const lines = message.split("\n").filter((line) => line.includes(" error at "));
  expect(lines).toEqual([
    "  [broken] BANDUP-DDB-1 error at broken/table (aws_dynamodb_table.table): table `broken` has point_in_time_recovery.enabled = `false`; it must be true",
    "  [broken] BANDUP-DDB-5 error at broken/table (aws_dynamodb_table.table): table `broken`: `user_id` (range_key) has no attribute definition",
    "  [broken] BANDUP-IAM-2 error at broken/reader (aws_iam_policy.reader): statement #1 of aws_iam_policy.reader grants `dynamodb:GetItem` on `*`; these actions can be scoped to resources",
    "  [broken] BANDUP-ALARM-1 error at broken/table (aws_dynamodb_table.table): table `broken` has no alarm on ReadThrottleEvents, WriteThrottleEvents, SystemErrors",
  ]);
  expect(message).toContain("Fix: Set `pointInTimeRecovery: { enabled: true }`");
});
