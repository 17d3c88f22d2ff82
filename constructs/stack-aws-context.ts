import { TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

const contexts = new WeakMap<TerraformStack, StackAwsContext>();

/**
 * The partition, region and account a stack deploys into, as Terraform references, for the ARNs the
 * constructs build (`arn:${partition}:ssm:${region}:${accountId}:parameter/...`). One set of data
 * sources per stack, created the first time a construct of the stack asks (`StackAwsContext.of(this)`),
 * directly under the stack so their addresses stay `data.aws_partition.partition`, ...
 *
 * The account is the one Terraform deploys with (`aws_caller_identity`, read at plan time): the only
 * account the stack's resources can be in, and no other resource's attribute, so a change to one
 * resource never reaches the ARNs of another. Offline plans in tests answer that call with a local
 * STS stand-in (scripts/lib/sts-stand-in.ts).
 */
export class StackAwsContext {
  /** The context of the stack that holds `scope`. */
  static of(scope: IConstruct): StackAwsContext {
    const stack = TerraformStack.of(scope);
    let context = contexts.get(stack);
    if (!context) {
      context = new StackAwsContext(stack);
      contexts.set(stack, context);
    }
    return context;
  }

  /** `aws`, `aws-cn`, `aws-us-gov`, ... (`data.aws_partition.partition.partition`). */
  public readonly partition: string;
  /**
   * The DNS suffix of the partition's endpoints (`data.aws_partition.partition.dns_suffix`):
   * `amazonaws.com`, but `amazonaws.com.cn` in China; service endpoints are `<service>.<region>.<dnsSuffix>`.
   */
  public readonly dnsSuffix: string;
  /** The provider's region (`data.aws_region.region.name`). */
  public readonly region: string;
  /** The account Terraform deploys into (`data.aws_caller_identity.caller-identity.account_id`). */
  public readonly accountId: string;

  private constructor(stack: TerraformStack) {
    const partition = new DataAwsPartition(stack, "partition");
    this.partition = partition.partition;
    this.dnsSuffix = partition.dnsSuffix;
    this.region = new DataAwsRegion(stack, "region").name;
    this.accountId = new DataAwsCallerIdentity(stack, "caller-identity").accountId;
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`, for a resource of this stack's account and region. */
  arn(service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  /** A service's endpoint in the stack's region, `<service>.<region>.<dnsSuffix>`: what `kms:ViaService` names. */
  serviceEndpoint(service: string): string {
    return `${service}.${this.region}.${this.dnsSuffix}`;
  }

  /** An S3 object ARN: `arn:<partition>:s3:::<bucket>/<key pattern>` (S3 ARNs name neither region nor account). */
  s3ObjectArn(bucket: string, keyPattern: string): string {
    return `arn:${this.partition}:s3:::${bucket}/${keyPattern}`;
  }
}
