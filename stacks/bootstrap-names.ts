/**
 * The names of what the bootstrap creates in IAM for each environment, in one place (no cdktf
 * import): the environment stacks name their functions' permissions boundary by it, without a
 * reference across stacks.
 */

/** Name of the deploy role of an environment. */
export function deployRoleName(environment: string): string {
  return `bandup-deploy-${environment}`;
}

/** Name of the read-only plan role of an environment. */
export function planRoleName(environment: string): string {
  return `bandup-plan-${environment}`;
}

/**
 * Name of the permissions boundary of an environment's function roles (a customer-managed policy):
 * the most any of its functions may ever do. Every role an environment stack creates carries it, and
 * the deploy role may write a role only while it does.
 */
export function functionBoundaryName(environment: string): string {
  return `bandup-boundary-${environment}`;
}

/** Name of the permissions boundary of an environment's deploy role (a customer-managed policy). */
export function deployBoundaryName(environment: string): string {
  return `bandup-deploy-boundary-${environment}`;
}

/**
 * Name of the `index`th (1-based) customer-managed policy holding the part of an environment's deploy
 * permissions that does not fit in the role's inline policy.
 */
export function deployPolicyPartName(environment: string, index: number): string {
  return `bandup-deploy-${environment}-${index}`;
}

/** The ARN of a customer-managed policy of the account (path `/`). */
export function managedPolicyArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${name}`;
}
