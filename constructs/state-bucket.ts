import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { BUCKET_NAME, checkName, checkWholeNumber, KMS_KEY_ARN } from "./naming-rules";
import { StackAwsContext } from "./stack-aws-context";

/**
 * Days a replaced version of a state object is kept. A state version is replaced by every apply; the
 * old ones are what a team restores when an apply or a hand edit corrupted the state. 90 days covers a
 * quarter of releases, longer than a broken state goes unnoticed in an environment deployed on every
 * push, and the newest `STATE_NONCURRENT_VERSIONS_KEPT` are kept whatever their age (below).
 */
export const STATE_NONCURRENT_VERSION_DAYS = 90;

/**
 * Noncurrent versions kept whatever their age: an environment that is rarely deployed (prod, say)
 * keeps its last 10 states even after 90 quiet days.
 */
export const STATE_NONCURRENT_VERSIONS_KEPT = 10;

/** Props of a `StateBucket`. */
export interface StateBucketProps {
  /**
   * The bucket's name (3-63 characters of a-z, 0-9, `.` and `-`; global across AWS).
   * @default - "bandup-terraform-state-<account id>", from the stack's `aws_caller_identity`
   */
  readonly bucketName?: string;
  /**
   * ARN of a customer-managed KMS key (in the bucket's region) for default encryption (SSE-KMS, with
   * an S3 bucket key to keep KMS requests few).
   * @default - SSE-S3 (AES-256)
   */
  readonly kmsKeyArn?: string;
  /**
   * Days a noncurrent version of an object is kept (S3 lifecycle `noncurrent_days`).
   * @default STATE_NONCURRENT_VERSION_DAYS (90)
   */
  readonly noncurrentVersionDays?: number;
  /**
   * Noncurrent versions of an object kept whatever their age (`newer_noncurrent_versions`, 1-100).
   * @default STATE_NONCURRENT_VERSIONS_KEPT (10)
   */
  readonly noncurrentVersionsKept?: number;
}

/**
 * The S3 bucket that holds Terraform state: versioned, encrypted by default (SSE-S3 or a customer
 * key), every public access blocked, ACLs disabled (bucket owner enforced), reachable over TLS only
 * (a bucket policy denies `aws:SecureTransport = false`), old state versions expired by a lifecycle
 * rule, and Terraform's `prevent_destroy` on the bucket.
 */
export class StateBucket extends Construct {
  /** The bucket. */
  public readonly bucket: S3Bucket;
  /** The bucket's name: the prop, or the default built from the account (known at plan either way). */
  public readonly bucketName: string;
  /** The bucket's ARN (a Terraform reference). */
  public readonly bucketArn: string;
  /** The TLS-only bucket policy's document. */
  public readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: StateBucketProps = {}) {
    super(scope, id);
    this.node.addValidation({ validate: () => validateProps(props) });
    const aws = StackAwsContext.of(this);

    // The name is known at plan (a setting, or the account read by the stack's data source), not read
    // off the bucket: policies that name the bucket are then rendered in the plan for review.
    this.bucketName = props.bucketName ?? `bandup-terraform-state-${aws.accountId}`;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: this.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    this.bucketArn = this.bucket.arn;

    const versioning = new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });

    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        props.kmsKeyArn === undefined
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true },
      ],
    });

    const publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });

    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });

    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [
            {
              noncurrentDays: props.noncurrentVersionDays ?? STATE_NONCURRENT_VERSION_DAYS,
              newerNoncurrentVersions: props.noncurrentVersionsKept ?? STATE_NONCURRENT_VERSIONS_KEPT,
            },
          ],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
      // Lifecycle rules on noncurrent versions need versioning on first.
      dependsOn: [versioning],
    });

    this.policyDocument = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: this.policyDocument.json,
      // S3 refuses a bucket policy while the public access block is being written.
      dependsOn: [publicAccessBlock],
    });
  }
}

/** Every problem with the props, each naming the prop, the value and what is allowed. */
function validateProps(props: StateBucketProps): string[] {
  const problems = [
    props.bucketName === undefined ? undefined : checkName("bucketName", BUCKET_NAME, props.bucketName),
    props.kmsKeyArn === undefined ? undefined : checkName("kmsKeyArn", KMS_KEY_ARN, props.kmsKeyArn),
    props.noncurrentVersionDays === undefined ? undefined : checkWholeNumber("noncurrentVersionDays", props.noncurrentVersionDays, 1, 36500, "days"),
    props.noncurrentVersionsKept === undefined ? undefined : checkWholeNumber("noncurrentVersionsKept", props.noncurrentVersionsKept, 1, 100, "versions"),
  ];
  return problems.filter((problem): problem is string => problem !== undefined);
}
