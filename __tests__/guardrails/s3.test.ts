/**
 * The S3 bucket rules, on a stack with one bucket configured resource by resource as StateBucket does
 * (compliant), each test breaking one thing; and on StateBucket itself.
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock, S3BucketPublicAccessBlockConfig } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { applyGuardrails, checkStack, StackReport } from "../../guardrails";
import { StateBucket } from "../../constructs/state-bucket";
import { NOW, ruleIds } from "./fixtures";

interface BucketOptions {
  readonly protected?: boolean;
  readonly versioning?: "Enabled" | "Suspended" | null;
  readonly encryption?: string | null;
  readonly publicAccessBlock?: Partial<S3BucketPublicAccessBlockConfig> | null;
  readonly ownership?: string | null;
  readonly lifecycle?: boolean;
  readonly policy?: (bucket: S3Bucket) => DataAwsIamPolicyDocumentStatement[];
  readonly preventDestroy?: boolean;
  /** Configure the bucket by its literal name instead of a reference. */
  readonly byName?: boolean;
}

function tlsOnly(bucket: S3Bucket): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: ["s3:*"],
      resources: [bucket.arn, `${bucket.arn}/*`],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    },
  ];
}

function bucketStack(options: BucketOptions = {}): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucket = new S3Bucket(stack, "bucket", { bucket: "bandup-state-test", lifecycle: options.preventDestroy === false ? undefined : { preventDestroy: true } });
  const ref = options.byName ? "bandup-state-test" : bucket.id;
  if (options.versioning !== null) new S3BucketVersioningA(stack, "versioning", { bucket: ref, versioningConfiguration: { status: options.versioning ?? "Enabled" } });
  if (options.encryption !== null) {
    new S3BucketServerSideEncryptionConfigurationA(stack, "encryption", { bucket: ref, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: options.encryption ?? "AES256" } }] });
  }
  if (options.publicAccessBlock !== null) {
    new S3BucketPublicAccessBlock(stack, "pab", { bucket: ref, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...options.publicAccessBlock });
  }
  if (options.ownership !== null) new S3BucketOwnershipControls(stack, "ownership", { bucket: ref, rule: { objectOwnership: options.ownership ?? "BucketOwnerEnforced" } });
  if (options.lifecycle !== false) {
    new S3BucketLifecycleConfiguration(stack, "lifecycle", {
      bucket: ref,
      rule: [{ id: "old-versions", status: "Enabled", filter: [{ prefix: "" }], noncurrentVersionExpiration: [{ noncurrentDays: 90 }] }],
    });
  }
  const document = new DataAwsIamPolicyDocument(stack, "tls", { statement: (options.policy ?? tlsOnly)(bucket) });
  new S3BucketPolicy(stack, "policy", { bucket: ref, policy: document.json });
  applyGuardrails(stack, { protected: options.protected ?? true, now: NOW, warnings: "none" });
  return stack;
}

const check = (options?: BucketOptions): StackReport => checkStack(bucketStack(options));
const messages = (report: StackReport) => [...report.errors, ...report.warnings].map((f) => [f.ruleId, f.message]);

test("Compliance: StateBucket passes every S3 rule, with SSE-S3 and with a customer key", () => {
  for (const kmsKeyArn of [undefined, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]) {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new StateBucket(stack, "state", { bucketName: "bandup-state-test", kmsKeyArn });
    applyGuardrails(stack, { protected: true, now: NOW, warnings: "none" });
    const report = checkStack(stack);
    expect(ruleIds(report)).toEqual([]);
    expect(report.rules.filter((r) => r.ruleId.startsWith("BANDUP-S3-")).map((r) => [r.ruleId, r.status])).toEqual(
      ["1", "2", "3", "4", "5", "6", "7"].map((n) => [`BANDUP-S3-${n}`, "pass"]),
    );
  }
});

test("Compliance: configuration resources may name the bucket by its literal name", () => {
  expect(ruleIds(check({ byName: true }))).toEqual([]);
});

describe("BANDUP-S3-1 versioning", () => {
  test("Noncompliance: no versioning resource (and then no lifecycle rule is required)", () => {
    expect(messages(check({ versioning: null }))).toEqual([["BANDUP-S3-1", "bucket `bandup-state-test` has no versioning with status `Enabled`"]]);
  });

  test("Noncompliance: versioning suspended", () => {
    expect(ruleIds(check({ versioning: "Suspended" }))).toEqual(["BANDUP-S3-1"]);
  });
});

describe("BANDUP-S3-2 default encryption", () => {
  test("Compliance: SSE-KMS", () => {
    expect(ruleIds(check({ encryption: "aws:kms" }))).toEqual([]);
  });

  test("Noncompliance: no encryption configuration", () => {
    expect(messages(check({ encryption: null }))).toEqual([
      ["BANDUP-S3-2", "bucket `bandup-state-test` has no default encryption (sse_algorithm not set); it must be one of AES256, aws:kms, aws:kms:dsse"],
    ]);
  });
});

describe("BANDUP-S3-3 public access block", () => {
  test("Noncompliance: no public access block", () => {
    expect(messages(check({ publicAccessBlock: null }))).toEqual([["BANDUP-S3-3", "bucket `bandup-state-test` has no aws_s3_bucket_public_access_block"]]);
  });

  test("Noncompliance: public policies allowed", () => {
    const report = check({ publicAccessBlock: { blockPublicPolicy: false, restrictPublicBuckets: false } });
    expect(messages(report)).toEqual([
      ["BANDUP-S3-3", "the public access block of bucket `bandup-state-test` leaves `block_public_policy`, `restrict_public_buckets` off"],
    ]);
    expect(report.errors[0].path).toBe("test/pab");
  });
});

describe("BANDUP-S3-4 TLS only", () => {
  test("Noncompliance: a bucket policy that denies nothing over plain HTTP", () => {
    const report = check({ policy: (b) => [{ effect: "Deny", principals: [{ type: "*", identifiers: ["*"] }], actions: ["s3:DeleteBucket"], resources: [b.arn] }] });
    expect(messages(report)).toEqual([
      ["BANDUP-S3-4", "bucket `bandup-state-test` has no bucket policy denying every action on the bucket and its objects when `aws:SecureTransport` is false"],
    ]);
  });

  test("Noncompliance: the deny covers the bucket but not its objects", () => {
    const report = check({ policy: (b) => tlsOnly(b).map((s) => ({ ...s, resources: [b.arn] })) });
    expect(ruleIds(report)).toEqual(["BANDUP-S3-4"]);
  });

  test("Noncompliance: the condition is the wrong way round (denies TLS requests)", () => {
    const report = check({ policy: (b) => tlsOnly(b).map((s) => ({ ...s, condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["true"] }] })) });
    expect(ruleIds(report)).toEqual(["BANDUP-S3-4"]);
  });
});

describe("BANDUP-S3-5 ACLs disabled", () => {
  test("Noncompliance: ownership ObjectWriter", () => {
    expect(messages(check({ ownership: "ObjectWriter" }))).toEqual([
      ["BANDUP-S3-5", "bucket `bandup-state-test` has no ownership controls with `BucketOwnerEnforced`; ACLs stay on"],
    ]);
  });
});

describe("BANDUP-S3-6 noncurrent versions expire", () => {
  test("Noncompliance: versioned, no lifecycle rule", () => {
    expect(messages(check({ lifecycle: false }))).toEqual([
      ["BANDUP-S3-6", "bucket `bandup-state-test` is versioned but no enabled lifecycle rule expires its noncurrent versions"],
    ]);
  });
});

describe("BANDUP-S3-7 prevent_destroy", () => {
  test("Noncompliance: a protected stack's bucket without prevent_destroy", () => {
    expect(messages(check({ preventDestroy: false }))).toEqual([
      ["BANDUP-S3-7", "bucket `bandup-state-test` has no lifecycle.prevent_destroy; a plan could delete it"],
    ]);
  });

  test("Compliance: not required outside protected stacks", () => {
    expect(ruleIds(check({ preventDestroy: false, protected: false }))).toEqual([]);
  });
});
