import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./github-oidc-provider";
import { GrantStatement } from "./iam-grants";
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
   * The exact `sub` claim a workflow's token must carry, such as `repo:my-org/bandup-infra:environment:dev`
   * or `repo:my-org/bandup-infra:pull_request`. Compared with `StringEquals`: no wildcard reaches it.
   */
  readonly subject: string;
  /** The role's permissions: its one inline policy, in this order. */
  readonly statements: readonly GrantStatement[];
  /**
   * Tags of the role.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/**
 * An IAM role that one kind of GitHub Actions job assumes with its OIDC token: the trust policy allows
 * `sts:AssumeRoleWithWebIdentity` from the GitHub OIDC provider only when the token's audience is
 * `sts.amazonaws.com` and its subject is exactly `subject` (`StringEquals` on both claims), and the
 * role holds one inline policy of the given statements.
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

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    this.node.addValidation({ validate: () => validateProps(props) });
    const tags = props.tags ?? {};

    this.trustDocument = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "GithubActionsOidc",
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [props.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [GITHUB_OIDC_AUDIENCE] },
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [props.subject] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: this.trustDocument.json,
      tags,
    });

    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy", {
      statement: props.statements.map((s) => ({
        sid: s.sid,
        effect: "Allow",
        actions: [...s.actions],
        resources: [...s.resources],
        condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
      })),
    });
    this.policy = new IamRolePolicy(this, "role-policy", {
      name: `${props.roleName}-access`,
      role: this.role.id,
      policy: this.policyDocument.json,
    });
  }
}

/** Every problem with the props, each naming the prop, the value and what is allowed. */
function validateProps(props: GithubActionsRoleProps): string[] {
  const problems = [checkName("roleName", FUNCTION_NAME, props.roleName)];
  if (!props.subject.startsWith("repo:") || /[*?]/.test(props.subject)) {
    problems.push(ruleProblem("subject", "an exact `sub` claim starting with `repo:`, with no wildcard", props.subject));
  }
  if (props.statements.length === 0) problems.push("`statements` is empty: the role would grant nothing; give it the statements it needs");
  return problems.filter((problem): problem is string => problem !== undefined);
}
