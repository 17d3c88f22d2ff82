/**
 * The terraform CLI the stacks need, in one place (no cdktf import): the synthesized configuration's
 * `terraform.required_version`, so that an older terraform stops at `init` with its own "Unsupported
 * Terraform Core version" instead of failing later on an argument it does not know; the tests' check of
 * the terraform on PATH (scripts/lib/terraform-offline.ts); `.ci/run`'s check; the version the
 * workflows install (a test holds each workflow's `TERRAFORM_VERSION` to it).
 *
 * Why 1.10: the S3 backend's native state lock (`use_lockfile`, stacks/backend.ts) came with
 * terraform 1.10; an older terraform rejects the argument.
 */

/** The oldest terraform the stacks run with, `<major>.<minor>`. */
export const MINIMUM_TERRAFORM_VERSION = "1.10";

/** `terraform.required_version` of every synthesized stack. */
export const REQUIRED_TERRAFORM_VERSION = `>= ${MINIMUM_TERRAFORM_VERSION}`;

/** Whether a terraform version (`1.11.4`, `2.0.0`) is `MINIMUM_TERRAFORM_VERSION` or later. */
export function meetsMinimumTerraformVersion(version: string): boolean {
  const parts = /^(\d+)\.(\d+)\./.exec(version);
  if (!parts) return false;
  const [major, minor] = [Number(parts[1]), Number(parts[2])];
  const [needMajor, needMinor] = MINIMUM_TERRAFORM_VERSION.split(".").map(Number);
  return major > needMajor || (major === needMajor && minor >= needMinor);
}
