/**
 * The suppressions of BandUp's real stacks, each with its reason. Applied by `applyBandupGuardrails`
 * (called at the end of BandupStack's constructor). Every suppression here is conditional on the setting that
 * makes it necessary, so it disappears when the setting changes (and BANDUP-GUARD-3 flags a stale one).
 */
import { TerraformStack } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { suppressGuardrail } from "./suppressions";

/** What the suppressions depend on: the stack's environment. */
export interface BandupSuppressionSettings {
  readonly environmentName: string;
  readonly protected: boolean;
  readonly tableKmsKeyArn?: string;
  /** The original table of a restore whose protection is being turned off so it can be retired (`restore.original: "unprotect"`). */
  readonly unprotectedOriginalTable?: string;
  /** Function names whose environment sets no reserved concurrency. */
  readonly functionsWithoutReservedConcurrency: readonly string[];
}

/** Adds BandUp's recorded suppressions to a stack. */
export function applyBandupSuppressions(stack: TerraformStack, settings: BandupSuppressionSettings): void {
  if (settings.protected && settings.tableKmsKeyArn === undefined) {
    for (const table of stack.node.findAll().filter((c): c is DynamodbTable => c instanceof DynamodbTable)) {
      suppressGuardrail(
        table,
        "BANDUP-DDB-2",
        `${settings.environmentName} sets no tableKmsKeyArn in stacks/environments.ts yet: the table is encrypted at rest with the AWS-owned key. ` +
          "Set tableKmsKeyArn (a key in the environment's region) to remove this suppression.",
      );
    }
  }
  if (settings.unprotectedOriginalTable !== undefined) {
    const original = stack.node
      .findAll()
      .find((c): c is DynamodbTable => c instanceof DynamodbTable && c.nameInput === settings.unprotectedOriginalTable);
    if (original !== undefined) {
      suppressGuardrail(
        original,
        "BANDUP-DDB-3",
        `${settings.environmentName} restored ${settings.unprotectedOriginalTable} into a new table and switched the functions to it ` +
          '(restore.original: "unprotect" in stacks/environments.ts): its protection comes off so that the next step, "retire", can delete it.',
      );
    }
  }
  const unreserved = new Set(settings.functionsWithoutReservedConcurrency);
  for (const fn of stack.node.findAll().filter((c): c is LambdaFunction => c instanceof LambdaFunction)) {
    if (unreserved.has(fn.functionNameInput ?? "")) {
      suppressGuardrail(
        fn,
        "BANDUP-LAMBDA-4",
        `${settings.environmentName} sets no functions.<kind>.reservedConcurrency in stacks/environments.ts: a new account's ` +
          "concurrency quota (10) leaves nothing to reserve, and Lambda refuses a reservation below the unreserved minimum. " +
          "Set it where the account's quota allows, which removes this suppression.",
      );
    }
  }
}
