/**
 * BandupFunction on its own (no BandupStack): given a table and its settings, it wires its whole
 * policy, its variables and its resources itself, and refuses props that cannot deploy.
 */
import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { BandupFunction, BandupFunctionProps } from "../../constructs/bandup-function";
import { BandupTable, BandupTableProps } from "../../constructs/bandup-table";
import { AppValidationError, assertStacksValid } from "../../guardrails/apply";
import { FLASHCARD_GENERATOR, SPEAKING_EVALUATOR, WRITING_EVALUATOR } from "../../lambda-src/contract/function-definitions";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE } from "../../lambda-src/contract/table-definitions";
import { TerraformJson } from "../support/synth";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PARTITION = "${data.aws_partition.partition.partition}";
const REGION = "${data.aws_region.region.name}";
const ACCOUNT = "${data.aws_caller_identity.caller-identity.account_id}";
const DNS_SUFFIX = "${data.aws_partition.partition.dns_suffix}";

type FunctionOptions = Partial<BandupFunctionProps> & { tableProps?: Partial<BandupTableProps> };

/** A stack holding one table (evaluations unless the definition says otherwise) and one function. */
function build(options: FunctionOptions = {}) {
  const { tableProps, ...functionProps } = options;
  const stack = new TerraformStack(Testing.app(), "unit");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const definition = functionProps.definition ?? WRITING_EVALUATOR;
  const tableDefinition = definition.table === "evaluations" ? EVALUATIONS_TABLE : FLASHCARD_SETS_TABLE;
  const table = new BandupTable(stack, tableDefinition.kind, { definition: tableDefinition, tableName: `unit-${tableDefinition.kind}`, ...tableProps });
  const fn = new BandupFunction(stack, definition.kind, {
    definition,
    functionName: `unit-${definition.kind}`,
    table,
    modelId: "gemini-2.5-flash",
    modelApiKeyParameter: "/unit/gemini-api-key",
    ...functionProps,
  });
  return { stack, table, fn };
}

function synth(options: FunctionOptions = {}): { json: TerraformJson; fn: BandupFunction; table: BandupTable } {
  const { stack, fn, table } = build(options);
  return { json: JSON.parse(Testing.synth(stack)), fn, table };
}

/** The synthesized statements of the function's inline policy. */
function statementsOf(json: TerraformJson, fn: BandupFunction): TerraformJson[] {
  return json.data.aws_iam_policy_document[fn.policyDocument.friendlyUniqueId].statement;
}

/** The validation messages of a stack built with these options (no guardrails here: only the constructs' own checks). */
function problemsOf(options: FunctionOptions): string[] {
  const { stack } = build(options);
  try {
    assertStacksValid(stack);
  } catch (error) {
    if (error instanceof AppValidationError) return [...error.errors];
    throw error;
  }
  return [];
}

const ref = (address: string, attribute = "arn") => `\${${address}.${attribute}}`;

describe("BandupFunction", () => {
  test("wires the writing evaluator's whole policy from its table and settings: logs, dead letters, table, index, key parameter", () => {
    const { json, fn, table } = synth();
    expect(statementsOf(json, fn)).toEqual([
      { sid: "WriteOwnLogs", effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${ref(`aws_cloudwatch_log_group.${fn.logGroup.friendlyUniqueId}`)}:*`] },
      { sid: "SendDeadLetters", effect: "Allow", actions: ["sqs:SendMessage"], resources: [ref(`aws_sqs_queue.${fn.deadLetterQueue.friendlyUniqueId}`)] },
      {
        sid: "EvaluationsTableData",
        effect: "Allow",
        actions: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"],
        resources: [ref(`aws_dynamodb_table.${table.table.friendlyUniqueId}`)],
      },
      { sid: "EvaluationsIndexQuery", effect: "Allow", actions: ["dynamodb:Query"], resources: [`${ref(`aws_dynamodb_table.${table.table.friendlyUniqueId}`)}/index/*`] },
      { sid: "ReadModelApiKey", effect: "Allow", actions: ["ssm:GetParameter"], resources: [`arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter/unit/gemini-api-key`] },
    ]);
  });

  test("sets its variables itself: the table's variable from the table, MODEL_ID, MODEL_API_KEY_PARAMETER, its timeout; no UPLOADS_BUCKET", () => {
    const { json, fn } = synth();
    expect(json.resource.aws_lambda_function[fn.function.friendlyUniqueId].environment.variables).toEqual({
      DYNAMODB_EVALUATIONS: "unit-evaluations",
      MODEL_ID: "gemini-2.5-flash",
      MODEL_API_KEY_PARAMETER: "/unit/gemini-api-key",
      // Lambda tells a handler its remaining time, never its timeout: the lease's bound.
      FUNCTION_TIMEOUT_SECONDS: "120",
    });
    expect(json.resource.aws_lambda_function[fn.function.friendlyUniqueId].timeout).toBe(120);
    expect(fn.environmentVariables).toEqual(json.resource.aws_lambda_function[fn.function.friendlyUniqueId].environment.variables);
  });

  test("a function that reads uploads gets UPLOADS_BUCKET and s3:GetObject on its own prefix only", () => {
    const speaking = synth({ definition: SPEAKING_EVALUATOR, uploadsBucket: "unit-uploads" });
    expect(statementsOf(speaking.json, speaking.fn).at(-1)).toEqual({
      sid: "ReadUploads",
      effect: "Allow",
      actions: ["s3:GetObject"],
      resources: [`arn:${PARTITION}:s3:::unit-uploads/uploads/audio/*`],
    });
    expect(speaking.fn.environmentVariables.UPLOADS_BUCKET).toBe("unit-uploads");

    const flashcards = synth({ definition: FLASHCARD_GENERATOR, uploadsBucket: "unit-uploads" });
    const statements = statementsOf(flashcards.json, flashcards.fn);
    expect(statements.map((s) => s.sid)).toEqual(["WriteOwnLogs", "SendDeadLetters", "FlashcardSetsTableData", "FlashcardSetsIndexQuery", "ReadModelApiKey", "ReadUploads"]);
    expect(statements.at(-1)?.resources).toEqual([`arn:${PARTITION}:s3:::unit-uploads/uploads/documents/*`]);
    expect(flashcards.fn.environmentVariables).toEqual({
      DYNAMODB_FLASHCARD_SETS: "unit-flashcard-sets",
      MODEL_ID: "gemini-2.5-flash",
      MODEL_API_KEY_PARAMETER: "/unit/gemini-api-key",
      UPLOADS_BUCKET: "unit-uploads",
      FUNCTION_TIMEOUT_SECONDS: "300",
    });
  });

  test("follows its table: no index statement without the index, the table key only via DynamoDB in the stack's region", () => {
    const { json, fn } = synth({ tableProps: { historyIndexEnabled: false, kmsKeyArn: KEY } });
    const statements = statementsOf(json, fn);
    expect(statements.map((s) => s.sid)).toEqual(["WriteOwnLogs", "SendDeadLetters", "EvaluationsTableData", "EvaluationsTableKey", "ReadModelApiKey"]);
    expect(statements[3]).toEqual({
      sid: "EvaluationsTableKey",
      effect: "Allow",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`dynamodb.${REGION}.${DNS_SUFFIX}`] }],
    });
  });

  test("one set of partition, region and account data sources per stack, however many functions", () => {
    const { stack } = build({ definition: SPEAKING_EVALUATOR, uploadsBucket: "unit-uploads" });
    const table = stack.node.findChild("evaluations") as BandupTable;
    new BandupFunction(stack, "writing-evaluator", {
      definition: WRITING_EVALUATOR,
      functionName: "unit-writing",
      table,
      modelId: "gemini-2.5-flash",
      modelApiKeyParameter: "/unit/gemini-api-key",
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.data.aws_partition)).toEqual(["partition"]);
    expect(Object.keys(json.data.aws_region)).toEqual(["region"]);
    expect(Object.keys(json.data.aws_caller_identity)).toEqual(["caller-identity"]);
  });

  test("refuses props that cannot deploy, every problem at once, each with the construct's path", () => {
    expect(
      problemsOf({
        definition: SPEAKING_EVALUATOR,
        functionName: "unit speaking",
        memoryMb: 64,
        timeoutSeconds: 901,
        reservedConcurrency: -1,
        logRetentionDays: 31,
        modelApiKeyParameter: "unit-key",
      }),
    ).toEqual([
      "[unit/speaking-evaluator] `functionName` must be 1-64 characters of a-z, A-Z, 0-9, _ and -; got `unit speaking`",
      "[unit/speaking-evaluator] `modelApiKeyParameter` must be an SSM parameter path like /bandup/prod/gemini-api-key (letters, digits, _ . - and /); got `unit-key`",
      "[unit/speaking-evaluator] `memoryMb` must be a whole number of MB from 128 to 10240; got `64`",
      "[unit/speaking-evaluator] `timeoutSeconds` must be a whole number of seconds from 1 to 900; got `901`",
      "[unit/speaking-evaluator] `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got `31`",
      "[unit/speaking-evaluator] `reservedConcurrency` must be a whole number >= 0; got `-1`",
      "[unit/speaking-evaluator] `uploadsBucket` is required: the speaking-evaluator reads uploads under `uploads/audio/`",
    ]);
  });

  test("refuses an uploads bucket for a function that reads no uploads, a bad bucket name, and another table", () => {
    expect(problemsOf({ uploadsBucket: "unit-uploads" })).toEqual([
      "[unit/writing-evaluator] `uploadsBucket` must be left out: the writing-evaluator reads no uploads; got `unit-uploads`",
    ]);
    expect(problemsOf({ definition: FLASHCARD_GENERATOR, uploadsBucket: "Unit_Uploads" })).toEqual([
      "[unit/flashcard-generator] `uploadsBucket` must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -); got `Unit_Uploads`",
    ]);
    const { stack } = build();
    const flashcards = new BandupTable(stack, "flashcard-sets", { definition: FLASHCARD_SETS_TABLE, tableName: "unit-flashcard-sets" });
    new BandupFunction(stack, "misplaced", {
      definition: WRITING_EVALUATOR,
      functionName: "unit-misplaced",
      table: flashcards,
      modelId: "gemini-2.5-flash",
      modelApiKeyParameter: "/unit/gemini-api-key",
    });
    expect(() => assertStacksValid(stack)).toThrow(
      "[unit/misplaced] `table` must be the evaluations table (the writing-evaluator reads and writes it); got `flashcard-sets`",
    );
  });

  test("refuses a timeout shorter than its model calls and outcome reserve, and tags AWS refuses", () => {
    expect(problemsOf({ timeoutSeconds: 60, tags: { "aws:owner": "x", Team: "" } })).toEqual([
      "[unit/writing-evaluator] `timeoutSeconds` must be at least 100 seconds for the writing-evaluator: its model call may take 90 s " +
        "(`modelCallTimeoutMs`) and recording the job's outcome keeps 10 s more (`outcomeReserveMs`); a shorter timeout cuts the model " +
        'calls short, and under 11 s every job fails with "no time left"; got `60`',
      "[unit/writing-evaluator] `tags` key must not start with `aws:` (in any case): AWS reserves that prefix for its own tags; got `aws:owner`",
    ]);
    expect(problemsOf({ definition: FLASHCARD_GENERATOR, uploadsBucket: "unit-uploads", timeoutSeconds: 250 })).toEqual([]);
  });

  test("refuses an uploads bucket name S3 reserves or that is shaped like an IP address", () => {
    expect(problemsOf({ definition: SPEAKING_EVALUATOR, uploadsBucket: "10.0.0.1" })).toEqual([
      "[unit/speaking-evaluator] `uploadsBucket` must not be shaped like an IP address; got `10.0.0.1`",
    ]);
  });

  test("the table key is usable only via DynamoDB's endpoint in the stack's region, in the partition's DNS domain", () => {
    const { json, fn } = synth({ tableProps: { kmsKeyArn: KEY } });
    const statement = statementsOf(json, fn).find((s) => s.sid === "EvaluationsTableKey")!;
    // data.aws_partition's dns_suffix: amazonaws.com, amazonaws.com.cn in China (checked against the
    // provider in __tests__/scripts/aws-partitions.terraform.test.ts).
    expect(statement.condition).toEqual([
      { test: "StringEquals", variable: "kms:ViaService", values: ["dynamodb.${data.aws_region.region.name}.${data.aws_partition.partition.dns_suffix}"] },
    ]);
  });
});
