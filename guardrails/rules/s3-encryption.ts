import { GuardrailRule } from "../types";
import { block, blocks, show } from "../terraform-json";
import { bucketLabel, configurationsOf } from "../s3-buckets";
import { findingAt } from "./helpers";

const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** BANDUP-S3-2: buckets encrypt new objects by default (SSE-S3 or SSE-KMS). */
export const S3_ENCRYPTION: GuardrailRule = {
  id: "BANDUP-S3-2",
  family: "S3",
  title: "S3 buckets have default server-side encryption",
  severity: "error",
  checkov: "CKV_AWS_19",
  trivy: "AVD-AWS-0088",
  fix: "Add an aws_s3_bucket_server_side_encryption_configuration for the bucket with `sse_algorithm` AES256 or aws:kms (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack.resources("aws_s3_bucket").flatMap((bucket) => {
      const rules = [
        ...blocks(block(bucket.config.server_side_encryption_configuration)?.rule),
        ...configurationsOf(stack, bucket, "aws_s3_bucket_server_side_encryption_configuration").flatMap((c) => blocks(c.config.rule)),
      ];
      const algorithms = rules.map((r) => block(r?.apply_server_side_encryption_by_default)?.sse_algorithm);
      return algorithms.some((a) => typeof a === "string" && ALGORITHMS.includes(a))
        ? []
        : [findingAt(bucket, `${bucketLabel(bucket)} has no default encryption (sse_algorithm ${algorithms.length === 0 ? "not set" : algorithms.map(show).join(", ")}); it must be one of ${ALGORITHMS.join(", ")}`)];
    }),
};
