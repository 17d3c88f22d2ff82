/**
 * The CloudWatch metrics a BandUp stack watches, named from the resources' own names: the alarms and
 * the dashboard both build their metrics here, so they cannot disagree on a namespace or a dimension.
 * Plain TypeScript, no cdktf.
 */
import { DYNAMODB_TABLE_ACTIONS } from "./iam-grants";

/** One CloudWatch metric: namespace, name and dimensions. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The AWS namespaces the stack reads. */
export const AWS_NAMESPACES = { dynamodb: "AWS/DynamoDB", lambda: "AWS/Lambda", sqs: "AWS/SQS" } as const;

/** The DynamoDB operations the functions call (SystemErrors and latency are published per operation). */
export const TABLE_OPERATIONS: readonly string[] = DYNAMODB_TABLE_ACTIONS.map((action) => action.replace(/^dynamodb:/, ""));

/** A table's metric; with `indexName`, the metric of that global secondary index. */
export function tableMetric(metricName: string, tableName: string, indexName?: string): MetricId {
  return {
    namespace: AWS_NAMESPACES.dynamodb,
    metricName,
    dimensions: indexName === undefined ? { TableName: tableName } : { TableName: tableName, GlobalSecondaryIndexName: indexName },
  };
}

/** A table's metric for one operation (`SystemErrors`, `SuccessfulRequestLatency`). */
export function tableOperationMetric(metricName: string, tableName: string, operation: string): MetricId {
  return { namespace: AWS_NAMESPACES.dynamodb, metricName, dimensions: { TableName: tableName, Operation: operation } };
}

/** A Lambda function's metric. */
export function functionMetric(metricName: string, functionName: string): MetricId {
  return { namespace: AWS_NAMESPACES.lambda, metricName, dimensions: { FunctionName: functionName } };
}

/** An SQS queue's metric. */
export function queueMetric(metricName: string, queueName: string): MetricId {
  return { namespace: AWS_NAMESPACES.sqs, metricName, dimensions: { QueueName: queueName } };
}
