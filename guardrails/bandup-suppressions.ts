/**
 * The suppressions of BandUp's real stacks, each with its reason. Applied by `applyBandupGuardrails`
 * (the wiring line in stacks/bandup-stack.ts). Every suppression here is conditional on the setting that
 * makes it necessary, so it disappears when the setting changes (and BANDUP-GUARD-3 flags a stale one).
 */
import { TerraformStack } from "cdktf";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { suppressGuardrail } from "./suppressions";

/** What the suppressions depend on: the stack's environment. */
export interface BandupSuppressionSettings {
  readonly environmentName: string;
  readonly protected: boolean;
  readonly tableKmsKeyArn?: string;
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
}
