import { GuardrailRule } from "../types";
import { actionMatches, readPolicy } from "../iam-policies";
import { bucketLabel, configurationsOf } from "../s3-buckets";
import { findingAt } from "./helpers";

/** BANDUP-S3-4: the bucket policy denies every request that does not come over TLS. */
export const S3_TLS_ONLY: GuardrailRule = {
  id: "BANDUP-S3-4",
  family: "S3",
  title: "S3 bucket policies deny requests without TLS (aws:SecureTransport = false)",
  severity: "error",
  checkov: "CKV_AWS_379",
  trivy: "—",
  fix: "Give the bucket an aws_s3_bucket_policy with a Deny of `s3:*` to `*` on the bucket and `<bucket>/*` when `Bool aws:SecureTransport = false` (StateBucket does).",
  appliesTo: ["aws_s3_bucket"],
  check: ({ stack }) =>
    stack.resources("aws_s3_bucket").flatMap((bucket) => {
      const statements = configurationsOf(stack, bucket, "aws_s3_bucket_policy").flatMap((policy) => readPolicy(stack, policy, policy.config.policy).statements);
      const denies = statements.some(
        (s) =>
          s.effect === "Deny" &&
          s.actions.some((a) => actionMatches(a, "s3:GetObject") && actionMatches(a, "s3:PutObject") && actionMatches(a, "s3:ListBucket")) &&
          s.principals.some((p) => p.identifiers.includes("*")) &&
          s.resources.some((r) => !r.endsWith("/*")) &&
          s.resources.some((r) => r.endsWith("/*")) &&
          s.conditions.some((c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && c.values.length === 1 && c.values[0] === "false"),
      );
      return denies ? [] : [findingAt(bucket, `${bucketLabel(bucket)} has no bucket policy denying every action on the bucket and its objects when \`aws:SecureTransport\` is false`)];
    }),
};
