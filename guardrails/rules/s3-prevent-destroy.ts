import { GuardrailRule } from "../types";
import { block, isTrue } from "../terraform-json";
import { bucketLabel } from "../s3-buckets";
import { findingAt } from "./helpers";

/** BANDUP-S3-7: in a protected stack, Terraform refuses to destroy a bucket (the state of every environment lives there). */
export const S3_PREVENT_DESTROY: GuardrailRule = {
  id: "BANDUP-S3-7",
  family: "S3",
  title: "S3 buckets of protected stacks have lifecycle.prevent_destroy",
  severity: "error",
  checkov: "—",
  trivy: "—",
  fix: "Set `lifecycle: { preventDestroy: true }` on the bucket (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  protectedOnly: true,
  check: ({ stack, protected: isProtected }) =>
    isProtected
      ? stack
          .resources("aws_s3_bucket")
          .filter((bucket) => !isTrue(block(bucket.config.lifecycle)?.prevent_destroy))
          .map((bucket) => findingAt(bucket, `${bucketLabel(bucket)} has no lifecycle.prevent_destroy; a plan could delete it`))
      : [],
};
