import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { FunctionDefinition } from "../lambda-src/shared/function-definitions";
import { BandupTable } from "./bandup-table";
import { LOGS_WRITE_ACTIONS, PolicyStatement, SQS_SEND_MESSAGE_ACTIONS } from "./iam-actions";
import { BundleOptions, LambdaBundle } from "./lambda-bundle";
import { NodeModulesLayer } from "./node-modules-layer";

/** The runtime of every function: the newest Node.js LTS that Lambda runs. */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** How a function's code is bundled: the packages of its layer stay out of the zip. */
export function bundleOptionsOf(definition: FunctionDefinition): BundleOptions {
  return { external: definition.layerPackages ?? [] };
}

/** Props of a `BandupFunction`. */
export interface BandupFunctionProps {
  /** Which of the design's functions this is (entry, table, defaults). */
  readonly definition: FunctionDefinition;
  /** The function's name; its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** The table the function reads and writes: its name goes into the function's environment. */
  readonly table: BandupTable;
  /**
   * Statements of the function's policy besides logging; the table grant comes from
   * `BandupTable.grantDataAccess()`.
   */
  readonly statements: readonly PolicyStatement[];
  /**
   * Environment variables besides the table variable (which comes from `table`, never typed twice).
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory in MB (128-10240).
   * @default - the definition's `defaultMemoryMb`
   */
  readonly memoryMb?: number;
  /**
   * Timeout in seconds (1-900).
   * @default - the definition's `defaultTimeoutSeconds`
   */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency: caps the function (and the model bill) and guarantees it capacity.
   * @default - none, the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * Days CloudWatch keeps the function's logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Tags of the function, its role and log group.
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/** Days a failed asynchronous event waits in the dead-letter queue: SQS's maximum. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * One of BandUp's Lambda functions: its code bundled from lambda-src/, a role only Lambda can assume
 * with a least-privilege inline policy, its own log group with a retention, and a dead-letter queue
 * for asynchronous invocations that fail every retry (the handler records failures it can see in the
 * table; the queue keeps the events it could not, such as timeouts and crashes).
 */
export class BandupFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly policyDocument: DataAwsIamPolicyDocument;
  public readonly code: LambdaBundle;
  public readonly deadLetterQueue: SqsQueue;
  /** The layer of the definition's `layerPackages`, when it has any. */
  public readonly dependencyLayer?: NodeModulesLayer;

  constructor(scope: Construct, id: string, props: BandupFunctionProps) {
    super(scope, id);
    const { definition, functionName, table } = props;
    const tags = props.tags ?? {};

    const layerPackages = definition.layerPackages ?? [];
    this.code = new LambdaBundle(this, "code", { entry: definition.entry, ...bundleOptionsOf(definition) });
    if (layerPackages.length > 0) {
      this.dependencyLayer = new NodeModulesLayer(this, "dependencies", {
        layerName: `${functionName}-dependencies`,
        packages: layerPackages,
        compatibleRuntimes: [LAMBDA_RUNTIME],
      });
    }

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${functionName}`,
      retentionInDays: props.logRetentionDays ?? 30,
      tags,
    });

    this.deadLetterQueue = new SqsQueue(this, "dead-letters", {
      name: `${functionName}-dead-letters`,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
      tags,
    });

    const assumeRole = new DataAwsIamPolicyDocument(this, "assume-role", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: functionName,
      description: `Execution role of the ${functionName} Lambda function`,
      assumeRolePolicy: assumeRole.json,
      tags,
    });

    const statements: PolicyStatement[] = [
      // Stream ARNs are `<log group ARN>:log-stream:<name>`: the wildcard stays inside this log group.
      { sid: "WriteOwnLogs", actions: LOGS_WRITE_ACTIONS, resources: [`${this.logGroup.arn}:*`] },
      { sid: "SendDeadLetters", actions: SQS_SEND_MESSAGE_ACTIONS, resources: [this.deadLetterQueue.arn] },
      ...props.statements,
    ];
    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy", {
      statement: statements.map((s) => ({
        sid: s.sid,
        effect: "Allow",
        actions: [...s.actions],
        resources: [...s.resources],
        condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
      })),
    });
    const policy = new IamRolePolicy(this, "role-policy", {
      name: `${functionName}-access`,
      role: this.role.id,
      policy: this.policyDocument.json,
    });

    this.function = new LambdaFunction(this, "function", {
      functionName,
      description: `BandUp ${definition.kind}`,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      layers: this.dependencyLayer ? [this.dependencyLayer.layer.arn] : undefined,
      filename: this.code.asset.path,
      sourceCodeHash: this.code.sourceCodeHash,
      memorySize: props.memoryMb ?? definition.defaultMemoryMb,
      timeout: props.timeoutSeconds ?? definition.defaultTimeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      environment: {
        variables: {
          [table.definition.environmentVariable]: table.tableName,
          ...props.environment,
        },
      },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      tags,
      // The role must be able to write logs before the first invocation.
      dependsOn: [this.logGroup, policy],
    });
  }
}
