import { GuardrailRule } from "../types";
import { block } from "../terraform-json";
import { bucketLabel, configurationsOf } from "../s3-buckets";
import { findingAt } from "./helpers";

/** BANDUP-S3-5: ACLs are off: the bucket owner owns every object (`BucketOwnerEnforced`). */
export const S3_OWNERSHIP_ENFORCED: GuardrailRule = {
  id: "BANDUP-S3-5",
  family: "S3",
  title: "S3 buckets disable ACLs (object ownership BucketOwnerEnforced)",
  severity: "error",
  checkov: "CKV2_AWS_65",
  trivy: "—",
  fix: "Add an aws_s3_bucket_ownership_controls for the bucket with `rule.object_ownership = \"BucketOwnerEnforced\"` (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack.resources("aws_s3_bucket").flatMap((bucket) =>
      configurationsOf(stack, bucket, "aws_s3_bucket_ownership_controls").some((c) => block(c.config.rule)?.object_ownership === "BucketOwnerEnforced")
        ? []
        : [findingAt(bucket, `${bucketLabel(bucket)} has no ownership controls with \`BucketOwnerEnforced\`; ACLs stay on`)],
    ),
};
