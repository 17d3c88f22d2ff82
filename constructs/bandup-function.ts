import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { FUNCTION_ENVIRONMENT, FunctionDefinition } from "../lambda-src/contract/function-definitions";
import { BandupTable } from "./bandup-table";
import { GrantStatement, LOGS_WRITE_ACTIONS, S3_READ_OBJECT_ACTIONS, SQS_SEND_MESSAGE_ACTIONS, SSM_READ_PARAMETER_ACTIONS } from "./iam-grants";
import { BundleOptions, LambdaBundle } from "./lambda-bundle";
import {
  BUCKET_NAME,
  checkFunctionTimeout,
  checkLogRetentionDays,
  checkName,
  checkTags,
  checkWholeNumber,
  deadLetterQueueName,
  dependencyLayerName,
  FUNCTION_NAME,
  functionLogGroupName,
  LAMBDA_LIMITS,
  MODEL_ID,
  ruleProblem,
  SSM_PARAMETER_NAME,
} from "./naming-rules";
import { NodeModulesLayer } from "./node-modules-layer";
import { StackAwsContext } from "./stack-aws-context";

/** The runtime of every function: the newest Node.js LTS that Lambda runs. */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** How a function's code is bundled: the packages of its layer stay out of the zip. */
export function bundleOptionsOf(definition: FunctionDefinition): BundleOptions {
  return { external: definition.layerPackages ?? [] };
}

/** Props of a `BandupFunction`. */
export interface BandupFunctionProps {
  /** Which of the design's functions this is: entry, table kind, uploads prefix, layer, defaults. */
  readonly definition: FunctionDefinition;
  /** The function's name (1-64 characters of a-z, A-Z, 0-9, _ and -); also its role's name, its log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /**
   * The table the function reads and writes; it must be the table kind the definition names. The
   * function gets the table's data grant (`BandupTable.grantDataAccess()`: the table, Query on its
   * indexes, its customer key) and the table's name in the table's variable (`DYNAMODB_EVALUATIONS`, ...).
   */
  readonly table: BandupTable;
  /** Gemini model id the function calls, in `MODEL_ID`. */
  readonly modelId: string;
  /**
   * Name of the SSM SecureString parameter that holds the model API key, in `MODEL_API_KEY_PARAMETER`;
   * the function may read this one parameter (`ssm:GetParameter`) and no other.
   */
  readonly modelApiKeyParameter: string;
  /**
   * Bucket of the uploads, for a definition that reads uploads (`uploadsPrefix`): in `UPLOADS_BUCKET`,
   * with `s3:GetObject` on `<bucket>/<uploadsPrefix>*` only. Required for such a definition and
   * refused for the others.
   * @default - none: the function reads no uploads
   */
  readonly uploadsBucket?: string;
  /**
   * Memory in MB (128-10240).
   * @default - the definition's `defaultMemoryMb`
   */
  readonly memoryMb?: number;
  /**
   * Timeout in seconds (1-900), at least `minimumTimeoutSeconds(definition)`: the time of the
   * definition's model calls at their cap (`modelCallTimeoutMs`) and its outcome reserve (`outcomeReserveMs`).
   * @default - the definition's `defaultTimeoutSeconds`
   */
  readonly timeoutSeconds?: number;
  /**
   * Reserved concurrency: caps the function (and the model bill) and guarantees it capacity.
   * @default - none, the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /**
   * Days CloudWatch keeps the function's logs (a value CloudWatch accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * ARN of the managed policy that bounds the function's role (`permissions_boundary`): the most the
   * role may ever do, whatever its inline policy says. The environment stacks give the bootstrap's
   * `bandup-boundary-<env>`, without which their deploy role may not write the role.
   * @default - no boundary
   */
  readonly permissionsBoundaryArn?: string;
  /**
   * Tags of the function, its role, log group and dead-letter queue (keys of 1-128 characters, values
   * of at most 256, no key starting with `aws:`).
   * @default {}
   */
  readonly tags?: Record<string, string>;
}

/** Days a failed asynchronous event waits in the dead-letter queue: SQS's maximum. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * One of BandUp's Lambda functions, wired from what it is given: its code bundled from lambda-src/,
 * a role only Lambda can assume with one least-privilege inline policy (its logs, its dead-letter
 * queue, its table's data grant, its model API key parameter, its uploads prefix), its variables
 * (the table's, `MODEL_ID`, `MODEL_API_KEY_PARAMETER`, `UPLOADS_BUCKET`, `FUNCTION_TIMEOUT_SECONDS`), its own log group with a
 * retention, and a dead-letter queue for asynchronous invocations that fail every retry (the handler
 * records the failures it can see in the table; the queue keeps what it could not, such as timeouts
 * and crashes). Its props are checked at synth, each problem naming the construct's path.
 */
export class BandupFunction extends Construct {
  /** The Lambda function (`nodejs22.x`, arm64, handler `index.handler`, JSON logs). */
  public readonly function: LambdaFunction;
  /** Its execution role, assumable by `lambda.amazonaws.com` only, named like the function. */
  public readonly role: IamRole;
  /** `/aws/lambda/<functionName>`, created before the function so its retention applies from the first log. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The role's one inline policy, as a policy document (its statements are listed in constructs/README.md). */
  public readonly policyDocument: DataAwsIamPolicyDocument;
  /** The function's code: the esbuild bundle of the definition's entry, as a zip asset. */
  public readonly code: LambdaBundle;
  /** `<functionName>-dead-letters`: asynchronous events that failed every retry, kept 14 days, SSE on. */
  public readonly deadLetterQueue: SqsQueue;
  /** The layer of the definition's `layerPackages`, when it has any. */
  public readonly dependencyLayer?: NodeModulesLayer;
  /** The function's environment variables. */
  public readonly environmentVariables: Readonly<Record<string, string>>;
  /** The function's name (a plain string, known at synth). */
  public readonly functionName: string;
  /** The function's timeout in seconds. */
  public readonly timeoutSeconds: number;
  /** The dead-letter queue's name (a plain string, known at synth). */
  public readonly deadLetterQueueName: string;

  constructor(scope: Construct, id: string, props: BandupFunctionProps) {
    super(scope, id);
    const { definition, functionName, table } = props;
    const tags = props.tags ?? {};
    // Reported at synth with this construct's path (cdktf and assertStacksValid prefix it).
    this.node.addValidation({ validate: () => validateProps(props) });
    this.functionName = functionName;
    this.timeoutSeconds = props.timeoutSeconds ?? definition.defaultTimeoutSeconds;
    this.deadLetterQueueName = deadLetterQueueName(functionName);
    this.environmentVariables = {
      [table.definition.environmentVariable]: table.tableName,
      [FUNCTION_ENVIRONMENT.modelId]: props.modelId,
      [FUNCTION_ENVIRONMENT.modelApiKeyParameter]: props.modelApiKeyParameter,
      ...(definition.uploadsPrefix !== undefined && props.uploadsBucket !== undefined && { [FUNCTION_ENVIRONMENT.uploadsBucket]: props.uploadsBucket }),
      // The handler's leases end within the timeout (Lambda gives it its remaining time, not this).
      [FUNCTION_ENVIRONMENT.timeoutSeconds]: String(this.timeoutSeconds),
    };

    const layerPackages = definition.layerPackages ?? [];
    this.code = new LambdaBundle(this, "code", { entry: definition.entry, ...bundleOptionsOf(definition) });
    if (layerPackages.length > 0) {
      this.dependencyLayer = new NodeModulesLayer(this, "dependencies", {
        layerName: dependencyLayerName(functionName),
        packages: layerPackages,
        compatibleRuntimes: [LAMBDA_RUNTIME],
      });
    }

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: functionLogGroupName(functionName),
      retentionInDays: props.logRetentionDays ?? 30,
      tags,
    });

    this.deadLetterQueue = new SqsQueue(this, "dead-letters", {
      name: this.deadLetterQueueName,
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
      permissionsBoundary: props.permissionsBoundaryArn,
      tags,
    });

    const statements: GrantStatement[] = [
      // Stream ARNs are `<log group ARN>:log-stream:<name>`: the wildcard stays inside this log group.
      { sid: "WriteOwnLogs", actions: LOGS_WRITE_ACTIONS, resources: [`${this.logGroup.arn}:*`] },
      { sid: "SendDeadLetters", actions: SQS_SEND_MESSAGE_ACTIONS, resources: [this.deadLetterQueue.arn] },
      ...table.grantDataAccess(),
      ...this.configurationGrants(props),
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
      timeout: this.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterConfig: { targetArn: this.deadLetterQueue.arn },
      environment: { variables: this.environmentVariables },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      tags,
      // The role must be able to write logs before the first invocation.
      dependsOn: [this.logGroup, policy],
    });
  }

  /** What the function may read besides its table: the model API key parameter, and its uploads prefix. */
  private configurationGrants(props: BandupFunctionProps): GrantStatement[] {
    const aws = StackAwsContext.of(this);
    const statements: GrantStatement[] = [
      { sid: "ReadModelApiKey", actions: SSM_READ_PARAMETER_ACTIONS, resources: [aws.arn("ssm", `parameter${props.modelApiKeyParameter}`)] },
    ];
    const prefix = props.definition.uploadsPrefix;
    if (prefix !== undefined && props.uploadsBucket !== undefined) {
      statements.push({ sid: "ReadUploads", actions: S3_READ_OBJECT_ACTIONS, resources: [aws.s3ObjectArn(props.uploadsBucket, `${prefix}*`)] });
    }
    return statements;
  }
}

/** Every problem with a function's props, each naming the prop, the value and what is allowed. */
function validateProps(props: BandupFunctionProps): string[] {
  const { definition } = props;
  const { memoryMb, timeoutSeconds } = LAMBDA_LIMITS;
  const timeout = props.timeoutSeconds ?? definition.defaultTimeoutSeconds;
  const problems = [
    checkName("functionName", FUNCTION_NAME, props.functionName),
    checkName("modelId", MODEL_ID, props.modelId),
    checkName("modelApiKeyParameter", SSM_PARAMETER_NAME, props.modelApiKeyParameter),
    checkWholeNumber("memoryMb", props.memoryMb ?? definition.defaultMemoryMb, memoryMb.min, memoryMb.max, "MB"),
    checkWholeNumber("timeoutSeconds", timeout, timeoutSeconds.min, timeoutSeconds.max, "seconds") ?? checkFunctionTimeout("timeoutSeconds", definition, timeout),
    checkLogRetentionDays("logRetentionDays", props.logRetentionDays ?? 30),
    ...checkTags("tags", props.tags ?? {}),
  ];
  if (props.reservedConcurrency !== undefined && (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 0)) {
    problems.push(ruleProblem("reservedConcurrency", "a whole number >= 0", props.reservedConcurrency));
  }
  if (props.table.definition.kind !== definition.table) {
    problems.push(ruleProblem("table", `the ${definition.table} table (the ${definition.kind} reads and writes it)`, props.table.definition.kind));
  }
  if (definition.uploadsPrefix === undefined) {
    if (props.uploadsBucket !== undefined) {
      problems.push(ruleProblem("uploadsBucket", `left out: the ${definition.kind} reads no uploads`, props.uploadsBucket));
    }
  } else if (props.uploadsBucket === undefined) {
    problems.push(`\`uploadsBucket\` is required: the ${definition.kind} reads uploads under \`${definition.uploadsPrefix}\``);
  } else {
    problems.push(checkName("uploadsBucket", BUCKET_NAME, props.uploadsBucket));
  }
  return problems.filter((problem): problem is string => problem !== undefined);
}
