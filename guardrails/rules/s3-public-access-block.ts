import { GuardrailRule } from "../types";
import { isTrue } from "../terraform-json";
import { bucketLabel, configurationsOf } from "../s3-buckets";
import { findingAt } from "./helpers";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

/** BANDUP-S3-3: every public access of a bucket is blocked, by its own public access block. */
export const S3_PUBLIC_ACCESS_BLOCK: GuardrailRule = {
  id: "BANDUP-S3-3",
  family: "S3",
  title: "S3 buckets block every public access",
  severity: "error",
  checkov: "CKV2_AWS_6, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56",
  trivy: "AVD-AWS-0094, AVD-AWS-0086, AVD-AWS-0087, AVD-AWS-0091, AVD-AWS-0093",
  fix: "Add an aws_s3_bucket_public_access_block for the bucket with all four flags true (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack.resources("aws_s3_bucket").flatMap((bucket) => {
      const blocks = configurationsOf(stack, bucket, "aws_s3_bucket_public_access_block");
      if (blocks.length === 0) return [findingAt(bucket, `${bucketLabel(bucket)} has no aws_s3_bucket_public_access_block`)];
      const off = FLAGS.filter((flag) => !blocks.some((b) => isTrue(b.config[flag])));
      return off.length === 0 ? [] : [findingAt(blocks[0], `the public access block of ${bucketLabel(bucket)} leaves ${off.map((f) => `\`${f}\``).join(", ")} off`, { relatedPaths: [bucket.path] })];
    }),
};
