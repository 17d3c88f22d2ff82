/**
 * Which resources configure an S3 bucket: since hashicorp/aws 4, versioning, encryption, the public
 * access block, ownership controls, lifecycle rules and the bucket policy are resources of their own,
 * each naming its bucket (`bucket = ${aws_s3_bucket.x.id}`, or the bucket's literal name).
 */
import { block, StackModel, TfBlock, wholeReference } from "./terraform-json";

/** True when `value` names the bucket: a reference to its `id`/`bucket`, or its literal name. */
export function namesBucket(value: unknown, bucket: TfBlock): boolean {
  const reference = wholeReference(value);
  if (reference) return reference.address === bucket.address && (reference.attribute === "id" || reference.attribute === "bucket");
  return typeof value === "string" && typeof bucket.config.bucket === "string" && !bucket.config.bucket.includes("${") && value === bucket.config.bucket;
}

/** The resources of `type` that configure the bucket. */
export function configurationsOf(stack: StackModel, bucket: TfBlock, type: string): TfBlock[] {
  return stack.resources(type).filter((r) => namesBucket(r.config.bucket, bucket));
}

/** `bucket \`name\`` (or its address when the name is computed), for messages. */
export function bucketLabel(bucket: TfBlock): string {
  return typeof bucket.config.bucket === "string" ? `bucket \`${bucket.config.bucket}\`` : `bucket ${bucket.address}`;
}

/** True when the bucket keeps versions: a versioning resource with status `Enabled`, or the inline block of provider 3. */
export function isVersioned(stack: StackModel, bucket: TfBlock): boolean {
  const inline = block(bucket.config.versioning)?.enabled;
  if (inline === true || inline === "true") return true;
  return configurationsOf(stack, bucket, "aws_s3_bucket_versioning").some((v) => block(v.config.versioning_configuration)?.status === "Enabled");
}
