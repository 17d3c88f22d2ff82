import { GuardrailRule } from "../types";
import { bucketLabel, isVersioned } from "../s3-buckets";
import { findingAt } from "./helpers";

/** BANDUP-S3-1: buckets keep the versions of their objects (a bad state write can be undone). */
export const S3_VERSIONING: GuardrailRule = {
  id: "BANDUP-S3-1",
  family: "S3",
  title: "S3 buckets have versioning enabled",
  severity: "error",
  checkov: "CKV_AWS_21",
  trivy: "AVD-AWS-0090",
  fix: "Add an aws_s3_bucket_versioning for the bucket with `versioning_configuration.status = \"Enabled\"` (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack
      .resources("aws_s3_bucket")
      .filter((bucket) => !isVersioned(stack, bucket))
      .map((bucket) => findingAt(bucket, `${bucketLabel(bucket)} has no versioning with status \`Enabled\``)),
};
