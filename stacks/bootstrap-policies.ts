/**
 * Every policy the bootstrap writes for one environment, laid out as IAM holds them (the deploy role's
 * inline policy and, when it does not fit, managed parts; its boundary; the plan role's policy; the
 * functions' boundary; both roles' trust), and the same for the whole app with the account left as a
 * placeholder: what synth measures against IAM's quotas, and what `npm run permissions -- --json`
 * prints for a pull request's review to compare. No cdktf import: a stack model is all it reads.
 */
import type { PolicyStatement } from "../constructs/iam-grants";
import { GITHUB_OIDC_HOST } from "../constructs/github-oidc-provider";
import { trustStatements } from "../constructs/github-actions-role";
import { partitionOfRegion } from "../constructs/naming-rules";
import { StackModel } from "../guardrails/terraform-json";
import { deployBoundaryName, deployPolicyPartName, deployRoleName, functionBoundaryName, planRoleName } from "./bootstrap-names";
import type { ResolvedBootstrapSettings } from "./bootstrap-settings";
import { EnvironmentPermissions, PermissionTarget, permissionsOf } from "./deploy-permissions";
import { deployRoleSubjects, planRoleSubjects } from "./github-oidc-subjects";
import { IAM_POLICY_QUOTAS, packStatements, policySize, renderedPolicy, renderedTrust, TrustStatement } from "./policy-documents";

/** A customer-managed policy the bootstrap creates. */
export interface NamedPolicy {
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** The policies of one environment's roles and functions. */
export interface EnvironmentPolicies {
  readonly environment: string;
  readonly deployRole: string;
  readonly planRole: string;
  readonly deployTrust: readonly TrustStatement[];
  readonly planTrust: readonly TrustStatement[];
  /** The deploy role's inline policy. */
  readonly deployInline: readonly PolicyStatement[];
  /** The rest of the deploy role's permissions, in managed policies attached to it (none while the inline policy holds them all). */
  readonly deployParts: readonly NamedPolicy[];
  /** The deploy role's permissions boundary. */
  readonly deployBoundary: NamedPolicy;
  /** The plan role's inline policy. */
  readonly plan: readonly PolicyStatement[];
  /** The permissions boundary of the environment's function roles. */
  readonly functionBoundary: NamedPolicy;
}

/**
 * The environment's policies as the bootstrap writes them. `split` gives the sids of each managed part
 * of the deploy policy (the layout measured on the literal policies, applied to the ones with Terraform
 * references); without it, the statements are packed here.
 */
export function environmentPolicies(
  permissions: EnvironmentPermissions,
  repository: string,
  oidcProviderArn: string,
  split?: readonly (readonly string[])[],
): EnvironmentPolicies {
  const environment = permissions.environment;
  let inline: PolicyStatement[];
  let parts: PolicyStatement[][];
  if (split === undefined) {
    ({ inline, managed: parts } = packStatements(permissions.deploy));
  } else {
    const inParts = new Set(split.flat());
    inline = permissions.deploy.filter((s) => !inParts.has(s.sid));
    parts = split.map((sids) => permissions.deploy.filter((s) => sids.includes(s.sid)));
  }
  return {
    environment,
    deployRole: deployRoleName(environment),
    planRole: planRoleName(environment),
    deployTrust: trustStatements(oidcProviderArn, deployRoleSubjects(repository, environment)),
    planTrust: trustStatements(oidcProviderArn, planRoleSubjects(repository)),
    deployInline: inline,
    deployParts: parts.map((statements, index) => ({ name: deployPolicyPartName(environment, index + 1), statements })),
    deployBoundary: { name: deployBoundaryName(environment), statements: permissions.deployBoundary },
    plan: permissions.plan,
    functionBoundary: { name: functionBoundaryName(environment), statements: permissions.functionBoundary },
  };
}

/**
 * The account in the literal policies: 12 characters, as every account id, so their sizes are the
 * sizes IAM will count.
 */
export const ACCOUNT_PLACEHOLDER = "<account-id>";

/** The longest `<owner>/<repository>` GitHub allows (39 and 100 characters): the trust's size when the repository is asked at deploy. */
export const LONGEST_REPOSITORY = `${"o".repeat(39)}/${"r".repeat(100)}`;

/** What the literal policies name: the bootstrap's partition, the placeholder account, the state bucket. */
export function literalTarget(settings: ResolvedBootstrapSettings): PermissionTarget & { readonly oidcProviderArn: string; readonly repository: string } {
  const partition = partitionOfRegion(settings.stateRegion);
  if (partition === undefined) throw new Error(`stateRegion \`${settings.stateRegion}\` is not a region the pinned provider knows`);
  return {
    partition: partition.id,
    accountId: ACCOUNT_PLACEHOLDER,
    dnsSuffix: partition.dnsSuffix,
    state: {
      bucket: settings.stateBucket ?? `bandup-terraform-state-${ACCOUNT_PLACEHOLDER}`,
      region: settings.stateRegion,
      keyPrefix: settings.stateKeyPrefix,
      kmsKeyArn: settings.stateKmsKeyArn,
    },
    oidcProviderArn: settings.githubOidcProviderArn ?? `arn:${partition.id}:iam::${ACCOUNT_PLACEHOLDER}:oidc-provider/${GITHUB_OIDC_HOST}`,
    repository: settings.githubRepository ?? LONGEST_REPOSITORY,
  };
}

/** The repository in the policies `npm run permissions` prints when the settings leave it to deploy time. */
export const REPOSITORY_PLACEHOLDER = "<owner>/<repository>";

/**
 * Every environment's policies with the literal target, for review: the repository of the settings,
 * else `REPOSITORY_PLACEHOLDER` (synth measures the trust with the longest one instead).
 */
export function literalPolicies(
  environments: readonly { readonly model: StackModel; readonly environment: { readonly name: string; readonly region: string } }[],
  settings: ResolvedBootstrapSettings,
): EnvironmentPolicies[] {
  const target = literalTarget(settings);
  const repository = settings.githubRepository ?? REPOSITORY_PLACEHOLDER;
  return environments.map(({ model, environment }) => environmentPolicies(permissionsOf(model, environment, target), repository, target.oidcProviderArn));
}

/** The size of each document the bootstrap writes for an environment, as IAM counts it. */
export interface PolicySizes {
  readonly deployInline: number;
  readonly deployParts: readonly number[];
  readonly deployBoundary: number;
  readonly deployTrust: number;
  readonly plan: number;
  readonly planTrust: number;
  readonly functionBoundary: number;
}

export function policySizes(policies: EnvironmentPolicies): PolicySizes {
  return {
    deployInline: policySize(renderedPolicy(policies.deployInline)),
    deployParts: policies.deployParts.map((p) => policySize(renderedPolicy(p.statements))),
    deployBoundary: policySize(renderedPolicy(policies.deployBoundary.statements)),
    deployTrust: policySize(renderedTrust(policies.deployTrust)),
    plan: policySize(renderedPolicy(policies.plan)),
    planTrust: policySize(renderedTrust(policies.planTrust)),
    functionBoundary: policySize(renderedPolicy(policies.functionBoundary.statements)),
  };
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * Every document over IAM's quota, each problem naming the role or policy, the size, the quota and the
 * fix. Sizes are of the literal policies: exact but for a repository asked at deploy, counted at its
 * longest.
 */
export function quotaProblems(policies: EnvironmentPolicies): string[] {
  const sizes = policySizes(policies);
  const q = IAM_POLICY_QUOTAS;
  const problems: string[] = [];
  const over = (size: number, quota: number) => size > quota;
  if (over(sizes.deployInline, q.roleInlinePolicies)) {
    problems.push(
      `role \`${policies.deployRole}\`: its inline policy renders ${count(sizes.deployInline)} characters (whitespace excluded), over IAM's ${count(q.roleInlinePolicies)} for a role's inline policies; ` +
        "the bootstrap moves what does not fit into managed policies, so this is a bug in stacks/policy-documents.ts (packStatements)",
    );
  }
  if (policies.deployParts.length > q.managedPoliciesPerRole) {
    problems.push(
      `role \`${policies.deployRole}\`: its permissions need ${policies.deployParts.length} managed policies besides its inline policy, over IAM's default of ${q.managedPoliciesPerRole} per role; ` +
        "fix: fewer resource types or replicas in the environment, or ask AWS to raise \"Managed policies per role\" and this check with it",
    );
  }
  for (const [index, size] of sizes.deployParts.entries()) {
    if (over(size, q.managedPolicy)) {
      const part = policies.deployParts[index];
      problems.push(
        `policy \`${part.name}\` (part of \`${policies.deployRole}\`'s permissions) renders ${count(size)} characters (whitespace excluded), over IAM's ${count(q.managedPolicy)} for a managed policy: ` +
          `its statement \`${part.statements[0].sid}\` alone does not fit one; fix: fewer replicas (\`replicaRegions\`) or shorter names (\`tableNames\`)`,
      );
    }
  }
  if (over(sizes.deployBoundary, q.managedPolicy)) {
    problems.push(
      `policy \`${policies.deployBoundary.name}\` (the boundary of \`${policies.deployRole}\`) renders ${count(sizes.deployBoundary)} characters (whitespace excluded), over IAM's ${count(q.managedPolicy)} for a managed policy; ` +
        "it lists every action of the deploy policy and the resources it names outside the account: fix: fewer resource types in the environment",
    );
  }
  if (over(sizes.functionBoundary, q.managedPolicy)) {
    problems.push(
      `policy \`${policies.functionBoundary.name}\` (the boundary of the environment's function roles) renders ${count(sizes.functionBoundary)} characters, over IAM's ${count(q.managedPolicy)} for a managed policy; ` +
        "it holds every statement of the functions' policies: fix: fewer distinct grants in the functions' policies",
    );
  }
  if (over(sizes.plan, q.roleInlinePolicies)) {
    problems.push(
      `role \`${policies.planRole}\`: its inline policy renders ${count(sizes.plan)} characters (whitespace excluded), over IAM's ${count(q.roleInlinePolicies)} for a role's inline policies; ` +
        "the plan role reads every resource of the environment: fix: fewer replicas (`replicaRegions`) or shorter names (`tableNames`)",
    );
  }
  for (const [role, size] of [
    [policies.deployRole, sizes.deployTrust],
    [policies.planRole, sizes.planTrust],
  ] as const) {
    if (over(size, q.roleTrustPolicy)) {
      problems.push(
        `role \`${role}\`: its trust policy renders ${count(size)} characters, over IAM's default ${count(q.roleTrustPolicy)} for a role's trust policy; ` +
          "fix: set `githubRepository` in stacks/bootstrap-settings.ts (a repository asked at deploy is counted at GitHub's longest), or ask AWS to raise \"Role trust policy length\"",
      );
    }
  }
  return problems;
}

/** One role or managed policy in `npm run permissions -- --json`. */
export interface PermissionsEntry {
  /** `deploy-role`, `plan-role`, `deploy-boundary`, `function-boundary`. */
  readonly kind: string;
  readonly environment: string;
  /** For a role: who may assume it (the trust's statements). */
  readonly trust?: object;
  /** The policy, as Terraform renders it; for a role, its inline policy and its managed parts, one document each. */
  readonly documents: readonly object[];
  /** Each document's size as IAM counts it. */
  readonly sizes: readonly number[];
}

/**
 * The bootstrap's policies, by role and policy name, in a stable order (environments as in the
 * settings, the statements as derived): what a pull request's review compares with its base's.
 */
export function permissionsJson(policies: readonly EnvironmentPolicies[]): { readonly account: string; readonly policies: Readonly<Record<string, PermissionsEntry>> } {
  const entries: Record<string, PermissionsEntry> = {};
  for (const p of policies) {
    const documents = [renderedPolicy(p.deployInline), ...p.deployParts.map((part) => renderedPolicy(part.statements))];
    entries[p.deployRole] = { kind: "deploy-role", environment: p.environment, trust: renderedTrust(p.deployTrust), documents, sizes: documents.map(policySize) };
    const plan = renderedPolicy(p.plan);
    entries[p.planRole] = { kind: "plan-role", environment: p.environment, trust: renderedTrust(p.planTrust), documents: [plan], sizes: [policySize(plan)] };
    for (const [kind, policy] of [
      ["deploy-boundary", p.deployBoundary],
      ["function-boundary", p.functionBoundary],
    ] as const) {
      const document = renderedPolicy(policy.statements);
      entries[policy.name] = { kind, environment: p.environment, documents: [document], sizes: [policySize(document)] };
    }
  }
  return { account: ACCOUNT_PLACEHOLDER, policies: entries };
}
