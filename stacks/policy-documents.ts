/**
 * IAM policy documents as Terraform's `aws_iam_policy_document` renders them, and IAM's quotas on
 * their size, so that every policy the bootstrap writes is measured at synth, before an apply could
 * fail on it. Plain TypeScript, no cdktf import.
 *
 * The quotas (IAM User Guide, "IAM and AWS STS quotas"): a role's inline policies together, 10,240
 * characters; a managed policy, 6,144; a role's trust policy, 2,048 by default (4,096 at most on
 * request); 10 managed policies attached to a role by default. IAM does not count whitespace: the
 * size of a document is the length of its minified JSON.
 */
import type { GrantCondition, PolicyStatement } from "../constructs/iam-grants";

/** IAM's quotas on policy sizes, in characters without whitespace, and on attachments. */
export const IAM_POLICY_QUOTAS = {
  /** A role's inline policies together. */
  roleInlinePolicies: 10_240,
  /** One customer-managed policy. */
  managedPolicy: 6_144,
  /** A role's trust policy (the default; AWS raises it to 4,096 on request). */
  roleTrustPolicy: 2_048,
  /** Managed policies attached to one role (the default; AWS raises it to 20 on request). */
  managedPoliciesPerRole: 10,
} as const;

/** A principal of a trust statement. */
export interface DocumentPrincipal {
  readonly type: string;
  readonly identifiers: readonly string[];
}

/** A statement of a trust policy: who may assume the role, under which conditions. */
export interface TrustStatement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly principals: readonly DocumentPrincipal[];
  readonly conditions: readonly GrantCondition[];
}

/** One string for one value, a list for several: how Terraform writes `Action`, `Resource`, principals and condition values. */
function oneOrMany(values: readonly string[]): string | string[] {
  return values.length === 1 ? values[0] : [...values];
}

function renderedConditions(conditions: readonly GrantCondition[] | undefined): Record<string, Record<string, string | string[]>> | undefined {
  if (conditions === undefined || conditions.length === 0) return undefined;
  const byTest: Record<string, Record<string, string | string[]>> = {};
  for (const condition of conditions) (byTest[condition.test] ??= {})[condition.variable] = oneOrMany(condition.values);
  return byTest;
}

/** A permissions policy as Terraform renders it (`Version`, then each statement's Sid, Effect, Action or NotAction, Resource, Condition). */
export function renderedPolicy(statements: readonly PolicyStatement[]): object {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid !== "" && { Sid: s.sid }),
      Effect: s.effect ?? "Allow",
      ...(s.actions !== undefined && { Action: oneOrMany(s.actions) }),
      ...(s.notActions !== undefined && { NotAction: oneOrMany(s.notActions) }),
      Resource: oneOrMany(s.resources),
      ...(renderedConditions(s.conditions) !== undefined && { Condition: renderedConditions(s.conditions) }),
    })),
  };
}

/** A trust policy as Terraform renders it. */
export function renderedTrust(statements: readonly TrustStatement[]): object {
  return {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid !== "" && { Sid: s.sid }),
      Effect: "Allow",
      Action: oneOrMany(s.actions),
      Principal: Object.fromEntries(s.principals.map((p) => [p.type, oneOrMany(p.identifiers)])),
      ...(renderedConditions(s.conditions) !== undefined && { Condition: renderedConditions(s.conditions) }),
    })),
  };
}

/** The size IAM counts: the document's characters without whitespace (its minified JSON). */
export function policySize(document: object): number {
  return JSON.stringify(document).length;
}

/**
 * The deploy statements split into what fits in the role's inline policy and, in order, managed
 * policies of at most `managedPolicy` characters each: a statement goes where the one before it went
 * or after, so the inline policy keeps the first statements. A statement that alone does not fit a
 * managed policy gets one of its own, over the quota, for the quota check to report.
 */
export function packStatements<T extends PolicyStatement>(
  statements: readonly T[],
  quotas: { readonly inline: number; readonly managed: number } = { inline: IAM_POLICY_QUOTAS.roleInlinePolicies, managed: IAM_POLICY_QUOTAS.managedPolicy },
): { inline: T[]; managed: T[][] } {
  const inline: T[] = [];
  const managed: T[][] = [];
  for (const statement of statements) {
    if (managed.length === 0 && policySize(renderedPolicy([...inline, statement])) <= quotas.inline) {
      inline.push(statement);
      continue;
    }
    const last = managed.at(-1);
    if (last !== undefined && policySize(renderedPolicy([...last, statement])) <= quotas.managed) {
      last.push(statement);
      continue;
    }
    managed.push([statement]);
  }
  return { inline, managed };
}
