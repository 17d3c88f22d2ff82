import { GuardrailRule } from "../types";
import { block, blocks } from "../terraform-json";
import { bucketLabel, configurationsOf, isVersioned } from "../s3-buckets";
import { findingAt } from "./helpers";

/** BANDUP-S3-6: a versioned bucket expires its noncurrent versions: they are not kept (and paid) forever. */
export const S3_NONCURRENT_EXPIRATION: GuardrailRule = {
  id: "BANDUP-S3-6",
  family: "S3",
  title: "Versioned S3 buckets expire noncurrent versions with a lifecycle rule",
  severity: "error",
  checkov: "CKV2_AWS_61",
  trivy: "—",
  fix: "Add an aws_s3_bucket_lifecycle_configuration for the bucket with an enabled rule holding `noncurrent_version_expiration` (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack
      .resources("aws_s3_bucket")
      .filter((bucket) => isVersioned(stack, bucket))
      .flatMap((bucket) => {
        const rules = configurationsOf(stack, bucket, "aws_s3_bucket_lifecycle_configuration").flatMap((c) => blocks(c.config.rule));
        const expiring = rules.some((r) => r?.status === "Enabled" && block(r.noncurrent_version_expiration)?.noncurrent_days !== undefined);
        return expiring ? [] : [findingAt(bucket, `${bucketLabel(bucket)} is versioned but no enabled lifecycle rule expires its noncurrent versions`)];
      }),
};
