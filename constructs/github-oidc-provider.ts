import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { checkName, GITHUB_OIDC_PROVIDER_ARN } from "./naming-rules";

/** The issuer of GitHub Actions' OIDC tokens; also the prefix of their claims in IAM conditions. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The audience `aws-actions/configure-aws-credentials` asks GitHub to put in the token. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/** Props of a `GithubOidcProvider`. */
export interface GithubOidcProviderProps {
  /**
   * ARN of the account's existing provider for `token.actions.githubusercontent.com`, to reuse (an
   * account holds one provider per URL, and another stack may already own it).
   * @default - a new provider is created
   */
  readonly existingProviderArn?: string;
}

/**
 * GitHub Actions' OIDC identity provider in IAM (`https://token.actions.githubusercontent.com`, audience
 * `sts.amazonaws.com`), or an existing one reused by ARN. No thumbprint is given: the provider's
 * `thumbprint_list` is optional in hashicorp/aws 5.100.0, and IAM verifies GitHub's JWKS endpoint with
 * its own library of trusted root certificate authorities, using a thumbprint only for an endpoint whose
 * certificate no such CA signed (IAM API reference, CreateOpenIDConnectProvider and
 * UpdateOpenIDConnectProviderThumbprint).
 */
export class GithubOidcProvider extends Construct {
  /** The provider's ARN: the `Federated` principal of the roles' trust policies. */
  public readonly arn: string;
  /** The provider, when this construct created it. */
  public readonly provider?: IamOpenidConnectProvider;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id);
    const existing = props.existingProviderArn;
    this.node.addValidation({
      validate: () => (existing === undefined ? [] : [checkName("existingProviderArn", GITHUB_OIDC_PROVIDER_ARN, existing)].filter((p): p is string => p !== undefined)),
    });
    if (existing !== undefined) {
      this.arn = existing;
      return;
    }
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    this.arn = this.provider.arn;
  }
}
