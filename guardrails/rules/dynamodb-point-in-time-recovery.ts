import { GuardrailRule } from "../types";
import { block, isTrue, show } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

/** BANDUP-DDB-1: every table keeps 35 days of point-in-time backups. */
export const DDB_POINT_IN_TIME_RECOVERY: GuardrailRule = {
  id: "BANDUP-DDB-1",
  family: "DynamoDB",
  title: "DynamoDB tables have point-in-time recovery enabled",
  severity: "error",
  checkov: "CKV_AWS_28",
  trivy: "AVD-AWS-0024",
  fix: "Set `pointInTimeRecovery: { enabled: true }` on the DynamodbTable (BandupTable does) and remove any override that turns it off.",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const enabled = block(table.config.point_in_time_recovery)?.enabled;
      return isTrue(enabled)
        ? []
        : [findingAt(table, `${tableLabel(table)} has point_in_time_recovery.enabled = ${show(enabled)}; it must be true`)];
    }),
};
