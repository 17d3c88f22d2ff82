import { GuardrailRule } from "../types";
import { block, isTrue, show } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

/** BANDUP-DDB-2: tables are encrypted with a customer-managed KMS key (required in protected environments). */
export const DDB_CUSTOMER_MANAGED_KEY: GuardrailRule = {
  id: "BANDUP-DDB-2",
  family: "DynamoDB",
  title: "DynamoDB tables are encrypted with a customer-managed KMS key",
  severity: { protected: "error", other: "warning" },
  checkov: "CKV_AWS_119",
  trivy: "AVD-AWS-0025",
  fix: "Set `tableKmsKeyArn` for the environment in stacks/environments.ts (server_side_encryption { enabled = true, kms_key_arn = <key ARN> }), or suppress BANDUP-DDB-2 on the table with the reason the AWS-owned key is acceptable.",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const sse = block(table.config.server_side_encryption);
      if (!isTrue(sse?.enabled)) {
        return [findingAt(table, `${tableLabel(table)} uses the AWS-owned key (server_side_encryption.enabled = ${show(sse?.enabled)}); a customer-managed KMS key is expected`)];
      }
      const key = sse?.kms_key_arn;
      if (typeof key !== "string" || key === "" || key === "alias/aws/dynamodb" || key.endsWith(":alias/aws/dynamodb")) {
        return [findingAt(table, `${tableLabel(table)} uses the AWS managed key (kms_key_arn = ${show(key)}); a customer-managed KMS key is expected`)];
      }
      return [];
    }),
};
