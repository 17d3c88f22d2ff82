import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { PolicyStatement, policyDocumentStatement } from "./iam-grants";
import { checkName, FUNCTION_NAME } from "./naming-rules";

/** Props of a `ManagedPolicy`. */
export interface ManagedPolicyProps {
  /** The policy's name (1-128 characters; this app's names follow the role names' rule, 1-64 of a-z, A-Z, 0-9, _ and -). */
  readonly policyName: string;
  /** What the policy is for, as its IAM description. */
  readonly description: string;
  /** Its statements, in this order. */
  readonly statements: readonly PolicyStatement[];
}

/**
 * A customer-managed IAM policy (path `/`) built from statements with `aws_iam_policy_document`, so its
 * rendered JSON is in the plan for review: a permissions boundary, or a part of a role's permissions.
 */
export class ManagedPolicy extends Construct {
  /** The policy's document. */
  public readonly document: DataAwsIamPolicyDocument;
  /** The policy. */
  public readonly policy: IamPolicy;
  /** Its ARN (a Terraform reference). */
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: ManagedPolicyProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () => {
        const problems = [checkName("policyName", FUNCTION_NAME, props.policyName)];
        if (props.statements.length === 0) problems.push("`statements` is empty: IAM refuses a policy without a statement; give it the statements it needs");
        return problems.filter((p): p is string => p !== undefined);
      },
    });
    this.document = new DataAwsIamPolicyDocument(this, "document", { statement: props.statements.map(policyDocumentStatement) });
    this.policy = new IamPolicy(this, "policy", { name: props.policyName, description: props.description, policy: this.document.json });
    this.arn = this.policy.arn;
  }
}
