/**
 * The names of the GitHub Actions variables the workflows read, in one place: the bootstrap stack
 * prints their values, `npm run environments` lists them, and the workflows read them.
 */

/** Repository variable: the S3 bucket that holds every environment's state. */
export const STATE_BUCKET_VARIABLE = "BANDUP_STATE_BUCKET";
/** Repository variable: the region of the state bucket. */
export const STATE_REGION_VARIABLE = "BANDUP_STATE_REGION";
/** Repository variable: the key prefix of the state objects (`<prefix>/<env>/terraform.tfstate`). */
export const STATE_KEY_PREFIX_VARIABLE = "BANDUP_STATE_KEY_PREFIX";
/** Variable of each GitHub environment (one per BandUp environment): that environment's deploy role ARN. */
export const DEPLOY_ROLE_VARIABLE = "BANDUP_DEPLOY_ROLE_ARN";

/** Repository variable holding the read-only plan role ARN of an environment: `BANDUP_PLAN_ROLE_ARN_<ENV>`. */
export function planRoleVariable(environment: string): string {
  return `BANDUP_PLAN_ROLE_ARN_${environment.toUpperCase().replace(/-/g, "_")}`;
}
