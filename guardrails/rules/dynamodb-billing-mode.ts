import { GuardrailRule } from "../types";
import { show, TfBlock } from "../terraform-json";
import { StackModel } from "../terraform-json";
import { findingAt, tableLabel } from "./helpers";

const DIMENSIONS = ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"];

/** True when an `aws_appautoscaling_target` scales the table on `dimension`. */
function scaled(stack: StackModel, table: TfBlock, dimension: string): boolean {
  const name = table.config.name;
  return stack.resources("aws_appautoscaling_target").some((target) => {
    if (target.config.service_namespace !== "dynamodb" || target.config.scalable_dimension !== dimension) return false;
    const resourceId = target.config.resource_id;
    if (typeof resourceId !== "string") return false;
    return (
      (typeof name === "string" && resourceId === `table/${name}`) ||
      resourceId === `table/\${${table.address}.name}` ||
      resourceId === `table/\${${table.address}.id}`
    );
  });
}

/** BANDUP-DDB-4: on-demand capacity, or provisioned capacity that autoscales. */
export const DDB_BILLING_MODE: GuardrailRule = {
  id: "BANDUP-DDB-4",
  family: "DynamoDB",
  title: "DynamoDB tables are on-demand, or autoscale when provisioned",
  severity: "error",
  checkov: "CKV2_AWS_16",
  trivy: "—",
  fix: "Use `billingMode: \"PAY_PER_REQUEST\"`, or add aws_appautoscaling_target (service_namespace dynamodb, resource_id table/<name>) for both read and write capacity.",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const mode = table.config.billing_mode;
      if (mode === "PAY_PER_REQUEST") return [];
      const unscaled = DIMENSIONS.filter((dimension) => !scaled(stack, table, dimension));
      return unscaled.length === 0
        ? []
        : [
            findingAt(
              table,
              `${tableLabel(table)} has billing_mode = ${show(mode ?? "PROVISIONED (default)")} with no autoscaling target for ${unscaled.join(", ")}`,
            ),
          ];
    }),
};
