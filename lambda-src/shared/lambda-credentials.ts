/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * constructs/lambda-bundle.ts). Lambda always hands a function its role's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, which is the first place the SDK's
 * default chain looks anyway; the rest of that chain (SSO, web identity, INI files, IMDS, and the STS
 * and SSO clients they carry) is never reached there and was a third of each bundle.
 */
export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";
