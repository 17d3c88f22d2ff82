/**
 * Which DynamoDB tables of a stack a policy resource or an environment variable points to.
 */
import { iamWildcard } from "./iam-policies";
import { referencesIn, StackModel, TfBlock, wholeReference } from "./terraform-json";

/** The tables a policy `Resource` entry covers; `all` when it covers every table (`*`, `table/*`). */
export function tablesOfResource(stack: StackModel, resource: string): { tables: TfBlock[]; all: boolean } {
  const tables = stack.resources("aws_dynamodb_table");
  if (resource === "*") return { tables: [...tables], all: true };
  const referenced = referencesIn(resource)
    .map((r) => stack.get(r.address))
    .filter((t): t is TfBlock => t?.type === "aws_dynamodb_table");
  if (referenced.length > 0) return { tables: referenced, all: false };
  // arn:<partition>:dynamodb:<region>:<account>:table/<name>[/index/..|/stream/..]
  const arn = /^arn:[^:]*:(dynamodb|\*):[^:]*:[^:]*:(.*)$/.exec(resource);
  if (!arn) return { tables: [], all: false };
  const rest = arn[2];
  if (rest === "*" || rest === "table/*" || rest.startsWith("table/*/")) return { tables: [...tables], all: true };
  const name = /^table\/([^/]+)/.exec(rest)?.[1];
  if (!name) return { tables: [], all: false };
  const pattern = iamWildcard(name);
  return { tables: tables.filter((t) => typeof t.config.name === "string" && pattern.test(t.config.name)), all: false };
}

/** The table an environment variable value names: its literal name, or a reference to its name/id/arn. */
export function tableOfValue(stack: StackModel, value: unknown): TfBlock | undefined {
  const reference = wholeReference(value);
  if (reference) {
    const target = stack.get(reference.address);
    return target?.type === "aws_dynamodb_table" && ["name", "id"].includes(reference.attribute) ? target : undefined;
  }
  if (typeof value !== "string") return undefined;
  return stack.resources("aws_dynamodb_table").find((t) => t.config.name === value);
}

/** The table's ARN as policies write it: the reference, or the literal ARN suffix `:table/<name>`. */
export function isTableArn(table: TfBlock, resource: string): boolean {
  if (resource === `\${${table.address}.arn}`) return true;
  return typeof table.config.name === "string" && /^arn:[^:]*:dynamodb:/.test(resource) && resource.endsWith(`:table/${table.config.name}`);
}

/** True when a resource entry covers the table's indexes (`<table ARN>/index/*`). */
export function isIndexWildcard(table: TfBlock, resource: string): boolean {
  if (resource === "*") return true;
  if (resource === `\${${table.address}.arn}/index/*`) return true;
  return typeof table.config.name === "string" && /^arn:[^:]*:dynamodb:/.test(resource) && resource.endsWith(`:table/${table.config.name}/index/*`);
}

/** True when a resource entry names one index of the table (`<table ARN>/index/<name>`). */
export function isIndexArn(table: TfBlock, resource: string, index: string): boolean {
  if (resource === `\${${table.address}.arn}/index/${index}`) return true;
  return typeof table.config.name === "string" && resource.endsWith(`:table/${table.config.name}/index/${index}`);
}
