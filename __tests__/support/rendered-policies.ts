/**
 * The IAM policies of a `terraform plan` (its `terraform show -json`), found the way IAM will hold them:
 * each role with its trust policy, its inline policies, the managed policies attached to it and its
 * permissions boundary, followed through the plan's configuration (a role's boundary and attachments
 * are references to policies whose ARNs are unknown until applied); each managed policy and KMS key
 * policy by name. Nothing here knows how the project built them: a role without a boundary simply has
 * none, so the same tests can be run against any version of the stacks.
 */
import { TerraformPlanJson } from "../../scripts/lib/terraform-offline";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A role as the plan creates it. */
export interface PlannedRole {
  readonly address: string;
  readonly name: string;
  /**
   * The trust policy's statements in IAM's JSON form: as rendered when the plan knows it, else built
   * from the trust document's planned statement blocks (a new OIDC provider's ARN is unknown until it
   * exists: `Principal.Federated` then reads `(known after apply)`).
   */
  readonly trust: Json;
  /** The inline policies (`aws_iam_role_policy`), rendered. */
  readonly inline: readonly Json[];
  /** The managed policies attached (`aws_iam_role_policy_attachment`), rendered. */
  readonly managed: readonly Json[];
  /** The permissions boundary, rendered; undefined when the role has none. */
  readonly boundary?: Json;
}

/** Everything of the plan this reads. */
export interface PlannedIam {
  readonly roles: ReadonlyMap<string, PlannedRole>;
  /** Managed policies (`aws_iam_policy`) by name, rendered. */
  readonly policies: ReadonlyMap<string, Json>;
  /** KMS key policies, by the name of the key's alias when it has one, else by the key's address. */
  readonly keyPolicies: ReadonlyMap<string, Json>;
}

/** The unknown ARN of a provider created by the same apply. */
export const KNOWN_AFTER_APPLY = "(known after apply)";

/** The plan's view of its configuration: each resource's address and the references of its expressions. */
function configuredReferences(plan: TerraformPlanJson): Map<string, Record<string, string[]>> {
  const resources: Json[] = (plan.configuration as Json)?.root_module?.resources ?? [];
  return new Map(
    resources.map((r) => [
      r.address as string,
      Object.fromEntries(Object.entries<Json>(r.expressions ?? {}).map(([attribute, expression]) => [attribute, (expression?.references ?? []) as string[]])),
    ]),
  );
}

/** The resource a configured attribute references (`aws_iam_role.x` for `aws_iam_role.x.id`). */
function referencedAddress(references: Record<string, string[]> | undefined, attribute: string, type: string): string | undefined {
  return (references?.[attribute] ?? []).find((r) => r.startsWith(`${type}.`) && r.split(".").length === type.split(".").length + 1);
}

/** A policy document's planned `statement` blocks in IAM's JSON form (what the data source renders). */
export function statementBlocksAsJson(statements: readonly Json[]): Json {
  const one = (values: readonly string[] | null | undefined) => (values === undefined || values === null ? undefined : values.length === 1 ? values[0] : [...values]);
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => {
      const condition: Record<string, Record<string, unknown>> = {};
      for (const c of s.condition ?? []) (condition[c.test] ??= {})[c.variable] = one(c.values);
      const principal = Object.fromEntries((s.principals ?? []).map((p: Json) => [p.type, one(p.identifiers) ?? KNOWN_AFTER_APPLY]));
      return {
        ...(s.sid ? { Sid: s.sid } : {}),
        Effect: s.effect ?? "Allow",
        ...(s.actions ? { Action: one(s.actions) } : {}),
        ...(s.resources ? { Resource: one(s.resources) } : {}),
        ...((s.principals ?? []).length > 0 ? { Principal: principal } : {}),
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
    }),
  };
}

/** The roles, managed policies and key policies the plan creates. */
export function plannedIam(plan: TerraformPlanJson): PlannedIam {
  const changes = plan.resource_changes ?? [];
  const references = configuredReferences(plan);
  const priorData: Json[] = (plan.prior_state as Json)?.values?.root_module?.resources ?? [];

  /** A data source's rendered `json`, read at plan; else its planned statement blocks, rendered here. */
  const documentOf = (address: string): Json => {
    const read = priorData.find((r) => r.address === address);
    if (typeof read?.values?.json === "string") return JSON.parse(read.values.json);
    const deferred = changes.find((c) => c.address === address)?.change.after as Json;
    if (deferred?.statement === undefined) throw new Error(`the plan holds neither the rendered ${address} nor its statements`);
    return statementBlocksAsJson(deferred.statement);
  };

  const policies = new Map<string, Json>();
  const policyByAddress = new Map<string, Json>();
  for (const change of changes.filter((c) => c.type === "aws_iam_policy" && c.mode === "managed")) {
    const values = change.change.after as Json;
    const document = JSON.parse(values.policy);
    policies.set(values.name, document);
    policyByAddress.set(change.address, document);
  }

  const roles = new Map<string, PlannedRole>();
  for (const change of changes.filter((c) => c.type === "aws_iam_role" && c.mode === "managed")) {
    const values = change.change.after as Json;
    const own = references.get(change.address);
    const trust = typeof values.assume_role_policy === "string" ? JSON.parse(values.assume_role_policy) : documentOf(referencedAddress(own, "assume_role_policy", "data.aws_iam_policy_document")!);
    const ofRole = (type: string) =>
      changes.filter((c) => c.type === type && c.mode === "managed" && referencedAddress(references.get(c.address), "role", "aws_iam_role") === change.address);
    const inline = ofRole("aws_iam_role_policy").map((c) => JSON.parse((c.change.after as Json).policy));
    const managed = ofRole("aws_iam_role_policy_attachment").map((c) => {
      const policy = referencedAddress(references.get(c.address), "policy_arn", "aws_iam_policy");
      if (policy === undefined || !policyByAddress.has(policy)) throw new Error(`${c.address} attaches a policy this plan does not create`);
      return policyByAddress.get(policy);
    });
    const boundaryAddress = referencedAddress(own, "permissions_boundary", "aws_iam_policy");
    roles.set(values.name, {
      address: change.address,
      name: values.name,
      trust,
      inline,
      managed,
      ...(boundaryAddress !== undefined && { boundary: policyByAddress.get(boundaryAddress) }),
    });
  }

  const keyPolicies = new Map<string, Json>();
  for (const change of changes.filter((c) => c.type === "aws_kms_key" && c.mode === "managed")) {
    const alias = changes.find((c) => c.type === "aws_kms_alias" && referencedAddress(references.get(c.address), "target_key_id", "aws_kms_key") === change.address);
    const policy = (change.change.after as Json).policy;
    keyPolicies.set(alias ? (alias.change.after as Json).name : change.address, typeof policy === "string" ? JSON.parse(policy) : undefined);
  }
  return { roles, policies, keyPolicies };
}
