/** Small helpers shared by the rules. */
import { Finding } from "../types";
import { TfBlock } from "../terraform-json";

/** A finding about one block. */
export function findingAt(target: TfBlock, message: string, extra: Omit<Partial<Finding>, "path" | "address" | "message"> = {}): Finding {
  return { path: target.path, address: target.address, message, ...extra };
}

/** `aws_dynamodb_table.x (name \`bandup-evaluations-dev\`)` for messages. */
export function tableLabel(table: TfBlock): string {
  return typeof table.config.name === "string" ? `table \`${table.config.name}\`` : `table ${table.address}`;
}

/** `function \`bandup-writing-evaluator-dev\`` for messages. */
export function functionLabel(fn: TfBlock): string {
  return typeof fn.config.function_name === "string" ? `function \`${fn.config.function_name}\`` : `function ${fn.address}`;
}
