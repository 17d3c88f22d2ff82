import { alarmsOn, namesResource } from "../alarm-metrics";
import { block, blocks, StackModel, TfBlock } from "../terraform-json";
import { GuardrailRule } from "../types";
import { findingAt, tableLabel } from "./helpers";

/** One alarm a table needs: a metric of the table, or of one of its indexes. */
interface Needed {
  readonly metricName: string;
  readonly indexName?: string;
}

/** The alarms a table needs: throttles of the table and each index, system errors, consumption near each on-demand cap. */
function neededAlarms(table: TfBlock): Needed[] {
  const needed: Needed[] = [{ metricName: "ReadThrottleEvents" }, { metricName: "WriteThrottleEvents" }, { metricName: "SystemErrors" }];
  const caps = (onDemand: unknown, indexName?: string): Needed[] => {
    const throughput = block(onDemand);
    return [
      ...(typeof throughput?.max_read_request_units === "number" ? [{ metricName: "ConsumedReadCapacityUnits", indexName }] : []),
      ...(typeof throughput?.max_write_request_units === "number" ? [{ metricName: "ConsumedWriteCapacityUnits", indexName }] : []),
    ];
  };
  needed.push(...caps(table.config.on_demand_throughput));
  for (const index of blocks(table.config.global_secondary_index)) {
    if (typeof index?.name !== "string") continue;
    needed.push({ metricName: "ReadThrottleEvents", indexName: index.name }, { metricName: "WriteThrottleEvents", indexName: index.name });
    needed.push(...caps(index.on_demand_throughput, index.name));
  }
  return needed;
}

function hasAlarm(stack: StackModel, table: TfBlock, needed: Needed): boolean {
  return (
    alarmsOn(stack, "AWS/DynamoDB", needed.metricName, (dimensions) => {
      if (!namesResource(dimensions.TableName, table)) return false;
      // SystemErrors is published per operation; the table's alarm may sum them.
      if (needed.metricName === "SystemErrors") return dimensions.GlobalSecondaryIndexName === undefined;
      return needed.indexName === undefined ? dimensions.GlobalSecondaryIndexName === undefined : dimensions.GlobalSecondaryIndexName === needed.indexName;
    }).length > 0
  );
}

/** BANDUP-ALARM-1: each table has alarms on its throttles (table and indexes), system errors, and consumption near its on-demand caps. */
export const ALARM_TABLES: GuardrailRule = {
  id: "BANDUP-ALARM-1",
  family: "Alarms",
  title: "DynamoDB tables have alarms on read and write throttles (table and each index), system errors, and consumption near each on-demand cap",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Add the table's alarms with a TableAlarms construct (constructs/table-alarms.ts), as BandupStack does for each table.",
  appliesTo: ["aws_dynamodb_table"],
  check: ({ stack }) =>
    stack.resources("aws_dynamodb_table").flatMap((table) => {
      const missing = neededAlarms(table).filter((needed) => !hasAlarm(stack, table, needed));
      if (missing.length === 0) return [];
      const list = missing.map((m) => (m.indexName === undefined ? m.metricName : `${m.metricName} of index ${m.indexName}`)).join(", ");
      return [findingAt(table, `${tableLabel(table)} has no alarm on ${list}`)];
    }),
};
