/**
 * The suppressions of BandUp's real stacks, each written once, here: the rule, the environments and
 * the resources it covers, the setting it depends on, and the reason. `applyBandupGuardrails` records
 * them on each stack (BandupStack's constructor calls it). A suppression covers only what it names: a
 * protected environment other than the ones named gets the rule's error, and a suppression whose
 * setting changes goes away (BANDUP-GUARD-3 would flag one left behind).
 */
import type { IConstruct } from "constructs";
import type { FunctionKind } from "../lambda-src/contract/function-definitions";
import type { TableKind } from "../lambda-src/contract/table-definitions";
import type { ResolvedEnvironment } from "../stacks/environments";
import { suppressGuardrail } from "./suppressions";

/** The environments a suppression covers: every one, these by name, or every (un)protected one. */
export type EnvironmentScope = "all" | { readonly names: readonly string[] } | { readonly protected: boolean };

/** One suppression of the real stacks. */
export type BandupSuppression = {
  readonly ruleId: string;
  readonly environments: EnvironmentScope;
  /** Why the rule does not apply there, and what ends the suppression; `npm run guardrails` shows it. */
  readonly reason: string;
} & (
  | {
      /** The stack's tables (a restored table and its original alike)... */
      readonly resources: "tables";
      /** ...while this holds for the environment and the table (its kind and its name). */
      readonly applies: (environment: ResolvedEnvironment, table: TableKind, tableName: string) => boolean;
    }
  | {
      /** The stack's functions... */
      readonly resources: "functions";
      /** ...while this holds for the environment and the function. */
      readonly applies: (environment: ResolvedEnvironment, fn: FunctionKind) => boolean;
    }
);

/** Every suppression of the real stacks. */
export const BANDUP_SUPPRESSIONS: readonly BandupSuppression[] = [
  {
    ruleId: "BANDUP-DDB-2",
    environments: { protected: false },
    resources: "tables",
    applies: (environment) => environment.tableKmsKeyArn === undefined,
    reason:
      "an unprotected environment holds test data: DynamoDB encrypts it at rest with the AWS-owned key, and a customer-managed " +
      "key would add a KMS key to manage and pay for in every such environment for data that does not need it. " +
      "Set tableKmsKeyArn for the environment in stacks/environments.ts to use one.",
  },
  {
    ruleId: "BANDUP-DDB-2",
    environments: { names: ["prod"] },
    resources: "tables",
    applies: (environment) => environment.tableKmsKeyArn === undefined,
    reason:
      "prod's tables use the AWS-owned key until prod's customer-managed KMS key exists; set tableKmsKeyArn for prod in " +
      "stacks/environments.ts (a key in prod's region) to end this suppression. Any other protected environment gets the error.",
  },
  {
    ruleId: "BANDUP-DDB-3",
    environments: { protected: true },
    resources: "tables",
    applies: (environment, kind, tableName) =>
      environment.restore?.original === "unprotect" && environment.restore.table === kind && environment.restore.sourceTableName === tableName,
    reason:
      'the table is the original of a restore (restore.original: "unprotect" in stacks/environments.ts): the functions use the ' +
      "restored table, and the original's deletion protection and prevent_destroy come off so that the next step, \"retire\", " +
      "can delete it (AWS refuses to delete a protected table). Setting restore.original back to \"keep\" ends this suppression.",
  },
  {
    ruleId: "BANDUP-LAMBDA-4",
    environments: "all",
    resources: "functions",
    applies: (environment, fn) => environment.functions[fn].reservedConcurrency === undefined,
    reason:
      "the environment sets no functions.<kind>.reservedConcurrency in stacks/environments.ts: a new account's concurrency quota " +
      "(10) leaves nothing to reserve, and Lambda refuses a reservation below the unreserved minimum. Set it where the " +
      "account's quota allows, which ends this suppression.",
  },
];

/** Whether a suppression's environment scope covers the environment. */
function coversEnvironment(scope: EnvironmentScope, environment: ResolvedEnvironment): boolean {
  if (scope === "all") return true;
  return "names" in scope ? scope.names.includes(environment.name) : scope.protected === environment.protected;
}

/** The resources of a stack that suppressions can name (a `BandupStack`'s tables and functions). */
export interface SuppressibleResources {
  /** Every table of the stack, with its kind and name: during a restore, the original and the restored table. */
  readonly allTables: readonly { readonly definition: { readonly kind: TableKind }; readonly tableName: string; readonly table: IConstruct }[];
  readonly functions: Readonly<Record<FunctionKind, { readonly function: IConstruct }>>;
}

/** Records on the stack's resources every suppression that covers them. */
export function applyBandupSuppressions(environment: ResolvedEnvironment, resources: SuppressibleResources): void {
  for (const suppression of BANDUP_SUPPRESSIONS) {
    if (!coversEnvironment(suppression.environments, environment)) continue;
    if (suppression.resources === "tables") {
      for (const { definition, tableName, table } of resources.allTables) {
        if (suppression.applies(environment, definition.kind, tableName)) suppressGuardrail(table, suppression.ruleId, suppression.reason);
      }
    } else {
      for (const [kind, { function: fn }] of Object.entries(resources.functions) as [FunctionKind, { function: IConstruct }][]) {
        if (suppression.applies(environment, kind)) suppressGuardrail(fn, suppression.ruleId, suppression.reason);
      }
    }
  }
}
