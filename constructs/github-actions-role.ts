import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { isPullRequestSubjectPattern, TrustedSubjects } from "../stacks/github-oidc-subjects";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./github-oidc-provider";
import { GrantCondition, PolicyStatement, policyDocumentStatement } from "./iam-grants";
import { checkName, ruleProblem, FUNCTION_NAME } from "./naming-rules";

/** Props of a `GithubActionsRole`. */
export interface GithubActionsRoleProps {
  /** The role's name (1-64 characters of a-z, A-Z, 0-9, _ and -). */
  readonly roleName: string;
  /** What the role is for, as its IAM description. */
  readonly description: string;
  /** ARN of the account's GitHub OIDC provider (`GithubOidcProvider.arn`). */
  readonly oidcProviderArn: string;
  /**
   * The `sub` claims a workflow's token may carry (stacks/github-oidc-subjects.ts builds them): exact
   * ones, compared with `StringEquals`, and pull request patterns, compared with `StringLike`, whose
   * only wildcard is the pull request's number.
   */
  readonly subjects: TrustedSubjects;
  /** The role's permissions: its one inline policy, in this order. */
  readonly statements: readonly PolicyStatement[];
  /**
   * Customer-managed policies attached to the role besides (the part of its permissions that does not
   * fit IAM's 10,240 characters of inline policy).
   * @default []
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * ARN of the managed policy that bounds the role (`permissions_boundary`).
   * @default - no boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Longest session, in seconds, a job may ask of this role (`max_session_duration`, 3600-43200): at
   * least the `role-duration-seconds` of every workflow step that assumes it.
   * @default 3600 (IAM's default)
   */
  readonly maxSessionDurationSeconds?: number;
  /**
   * Tags of the role.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * An IAM role that GitHub Actions jobs assume with their OIDC token: the trust policy allows
 * `sts:AssumeRoleWithWebIdentity` from the GitHub OIDC provider only when the token's audience is
 * `sts.amazonaws.com` (`StringEquals`) and its subject is one of `subjects` (one statement comparing the
 * exact subjects with `StringEquals`, one comparing the pull request patterns with `StringLike`: a
 * token matches either). The role holds one inline policy of the given statements, the managed
 * policies given, and the permissions boundary given.
 */
export class GithubActionsRole extends Construct {
  /** The role. */
  public readonly role: IamRole;
  /** The trust policy's document. */
  public readonly trustDocument: DataAwsIamPolicyDocument;
  /** The permissions' document. */
  public readonly policyDocument: DataAwsIamPolicyDocument;
  /** The inline policy. */
  public readonly policy: IamRolePolicy;
  /** The attachments of `managedPolicyArns`, in order. */
  public readonly attachments: readonly IamRolePolicyAttachment[];

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    this.node.addValidation({ validate: () => validateProps(props) });
    const tags = props.tags ?? {};

    this.trustDocument = new DataAwsIamPolicyDocument(this, "trust", {
      statement: trustStatements(props.oidcProviderArn, props.subjects).map((s) => ({
        sid: s.sid,
        effect: "Allow",
        actions: [...s.actions],
        principals: s.principals.map((p) => ({ type: p.type, identifiers: [...p.identifiers] })),
        condition: s.conditions.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
      })),
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: this.trustDocument.json,
      permissionsBoundary: props.permissionsBoundaryArn,
      maxSessionDuration: props.maxSessionDurationSeconds,
      tags,
    });

    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy", { statement: props.statements.map(policyDocumentStatement) });
    this.policy = new IamRolePolicy(this, "role-policy", {
      name: `${props.roleName}-access`,
      role: this.role.id,
      policy: this.policyDocument.json,
    });
    this.attachments = (props.managedPolicyArns ?? []).map(
      (arn, index) => new IamRolePolicyAttachment(this, `managed-policy-${index + 1}`, { role: this.role.name, policyArn: arn }),
    );
  }
}

/** The trust statements of a role GitHub Actions assumes: one per way of comparing the subject. */
export function trustStatements(
  oidcProviderArn: string,
  subjects: TrustedSubjects,
): { sid: string; actions: string[]; principals: { type: string; identifiers: string[] }[]; conditions: GrantCondition[] }[] {
  const statement = (sid: string, test: string, values: readonly string[]) => ({
    sid,
    actions: ["sts:AssumeRoleWithWebIdentity"],
    principals: [{ type: "Federated", identifiers: [oidcProviderArn] }],
    conditions: [
      { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [GITHUB_OIDC_AUDIENCE] },
      { test, variable: `${GITHUB_OIDC_HOST}:sub`, values: [...values] },
    ],
  });
  return [
    ...(subjects.exact.length > 0 ? [statement("GithubActionsOidc", "StringEquals", subjects.exact)] : []),
    ...(subjects.patterns.length > 0 ? [statement("GithubActionsOidcPullRequests", "StringLike", subjects.patterns)] : []),
  ];
}

/** Every problem with the props, each naming the prop, the value and what is allowed. */
function validateProps(props: GithubActionsRoleProps): string[] {
  const problems = [checkName("roleName", FUNCTION_NAME, props.roleName)];
  for (const [index, subject] of props.subjects.exact.entries()) {
    if (!subject.startsWith("repo:") || /[*?]/.test(subject)) {
      problems.push(ruleProblem(`subjects.exact[${index}]`, "an exact `sub` claim starting with `repo:`, with no wildcard", subject));
    }
  }
  for (const [index, pattern] of props.subjects.patterns.entries()) {
    // Tokens (a Terraform variable for the repository) are checked by the variable's own validation.
    if (!isPullRequestSubjectPattern(pattern.replace(/\$\{[^}]*\}/g, "owner/repository"))) {
      problems.push(
        ruleProblem(
          `subjects.patterns[${index}]`,
          "a pull request subject `repo:<owner>/<repo>:pull_request:job_workflow_ref:<owner>/<repo>/.github/workflows/<file>@refs/pull/*/merge` whose only wildcard is the pull request's number",
          pattern,
        ),
      );
    }
  }
  if (props.subjects.exact.length + props.subjects.patterns.length === 0) problems.push("`subjects` is empty: no token could assume the role; give it the subjects of its jobs");
  if (props.statements.length === 0) problems.push("`statements` is empty: the role would grant nothing; give it the statements it needs");
  return problems.filter((problem): problem is string => problem !== undefined);
}
