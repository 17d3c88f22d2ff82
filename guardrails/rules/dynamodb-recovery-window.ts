import { GuardrailRule } from "../types";
import { block, blocks, isTrue, show } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

/** The longest point-in-time recovery window DynamoDB keeps, and what protected environments keep. */
export const PROTECTED_RECOVERY_DAYS = 35;

/**
 * BANDUP-DDB-7: in protected environments, every table and replica can be restored to any second of
 * the last 35 days. DynamoDB's default window is 35 days, so a table that does not set
 * `recovery_period_in_days` passes; a replica's window is that default (the provider's `replica`
 * block has only `point_in_time_recovery`, which must be on). Checkov's CKV_AWS_28 and Trivy's
 * AVD-AWS-0024 check only that point-in-time recovery is on (BANDUP-DDB-1), not its window.
 */
export const DDB_RECOVERY_WINDOW: GuardrailRule = {
  id: "BANDUP-DDB-7",
  family: "DynamoDB",
  title: "DynamoDB tables and their replicas in protected environments keep 35 days of point-in-time recovery",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix:
    "Leave `pitrRecoveryDays` at its default (35) in protected environments (BandupTable writes it as point_in_time_recovery.recovery_period_in_days), " +
    "keep point_in_time_recovery on for every replica, or suppress BANDUP-DDB-7 on the table with the reason a shorter window is acceptable.",
  appliesTo: ["aws_dynamodb_table"],
  protectedOnly: true,
  check: ({ stack, protected: isProtected }) =>
    !isProtected
      ? []
      : stack.resources("aws_dynamodb_table").flatMap((table) => {
          const problems: string[] = [];
          const days = block(table.config.point_in_time_recovery)?.recovery_period_in_days;
          if (days !== undefined && !(typeof days === "number" && days >= PROTECTED_RECOVERY_DAYS)) {
            problems.push(`point_in_time_recovery.recovery_period_in_days = ${show(days)}`);
          }
          for (const replica of blocks(table.config.replica)) {
            if (!isTrue(replica.point_in_time_recovery)) {
              problems.push(`the replica in ${show(replica.region_name)} has point_in_time_recovery = ${show(replica.point_in_time_recovery)}`);
            }
          }
          return problems.length === 0
            ? []
            : [
                findingAt(
                  table,
                  `${tableLabel(table)} is in a protected environment but ${problems.join(" and ")}; protected environments keep ${PROTECTED_RECOVERY_DAYS} days of point-in-time recovery`,
                ),
              ];
        }),
};
