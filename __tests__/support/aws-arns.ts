/**
 * The ARNs AWS gives the resources of a synthesized stack, written the way AWS writes them,
 * independently of the project's own ARN builders (stacks/terraform-actions.ts): what IAM authorizes
 * a call on each resource against.
 */
import { TerraformJson } from "./synth";

/** The literal `attribute` of the resource a `${type.name.attribute}` reference points to; a literal as it is. */
function resolved(json: TerraformJson, value: string, attribute: string): string {
  const reference = /^\$\{([a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(value);
  return reference ? json.resource[reference[1]][reference[2]][attribute] : value;
}

/**
 * The ARNs IAM authorizes the calls on one resource of `json` against (an inline role policy is its
 * role's, a metric filter its log group's, a topic policy or subscription its topic's; a layer's first
 * version is `:1`). Empty for a type this function does not know yet: a caller that must cover every
 * type checks that it is not.
 */
export function arnsOf(json: TerraformJson, type: string, resource: TerraformJson, region: string, account: string, partition = "aws"): string[] {
  const arn = (service: string, rest: string, inRegion = region) => `arn:${partition}:${service}:${inRegion}:${account}:${rest}`;
  const logGroup = (name: string): string[] => [arn("logs", `log-group:${name}`), arn("logs", `log-group:${name}:*`)];
  switch (type) {
    case "aws_dynamodb_table":
      return [arn("dynamodb", `table/${resource.name}`)];
    case "aws_dynamodb_table_replica": {
      const global = /:table\/(.+)$/.exec(resource.global_table_arn)?.[1];
      return global === undefined ? [] : [arn("dynamodb", `table/${global}`)];
    }
    case "aws_lambda_function":
      return [arn("lambda", `function:${resource.function_name}`)];
    case "aws_lambda_layer_version":
      return [arn("lambda", `layer:${resource.layer_name}:1`)];
    case "aws_iam_role":
      return [`arn:${partition}:iam::${account}:role/${resource.name}`];
    case "aws_iam_role_policy":
      return [`arn:${partition}:iam::${account}:role/${resolved(json, resource.role, "name")}`];
    case "aws_cloudwatch_log_group":
      return logGroup(resource.name);
    case "aws_cloudwatch_log_metric_filter":
      return logGroup(resolved(json, resource.log_group_name, "name"));
    case "aws_sqs_queue":
      return [arn("sqs", resource.name)];
    case "aws_sns_topic":
      return [arn("sns", resource.name)];
    case "aws_sns_topic_policy":
      return [arn("sns", resolved(json, resource.arn, "name"))];
    case "aws_sns_topic_subscription":
      return [arn("sns", resolved(json, resource.topic_arn, "name"))];
    case "aws_cloudwatch_metric_alarm":
      return [arn("cloudwatch", `alarm:${resource.alarm_name}`)];
    case "aws_cloudwatch_dashboard":
      return [`arn:${partition}:cloudwatch::${account}:dashboard/${resource.dashboard_name}`];
    default:
      return [];
  }
}

/** Every resource IAM authorizes calls on, for the resources a stack declares. */
export function realResources(json: TerraformJson, region: string, account: string): string[] {
  return Object.entries<Record<string, TerraformJson>>(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.values(byName).flatMap((resource) => arnsOf(json, type, resource, region, account)),
  );
}
