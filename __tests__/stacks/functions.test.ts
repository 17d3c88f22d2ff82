/** The three functions in every environment's synthesized JSON: IAM, environment, logs, code. */
import { ENVIRONMENT_CASES } from "../support/environment-cases";
import { resourceNamed, resourcesOfType, synthEnvironment, TerraformJson } from "../support/synth";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TABLE_ACTIONS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"];

/** `${aws_dynamodb_table.<name>.arn}` of the table with that physical name. */
function tableArnRef(json: TerraformJson, tableName: string): string {
  const [address] = Object.entries(resourcesOfType(json, "aws_dynamodb_table")).find(([, t]) => t.name === tableName)!;
  return `\${aws_dynamodb_table.${address}.arn}`;
}

/** The policy document data source behind a function's role policy. */
function policyOf(json: TerraformJson, functionName: string): TerraformJson[] {
  const rolePolicy = resourceNamed(json, "aws_iam_role_policy", `${functionName}-access`);
  const documentName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(rolePolicy.policy)![1];
  return json.data.aws_iam_policy_document[documentName].statement;
}

function logGroupArnRef(json: TerraformJson, functionName: string): string {
  const [address] = Object.entries(resourcesOfType(json, "aws_cloudwatch_log_group")).find(
    ([, g]) => g.name === `/aws/lambda/${functionName}`,
  )!;
  return `\${aws_cloudwatch_log_group.${address}.arn}`;
}

function queueArnRef(json: TerraformJson, functionName: string): string {
  const [address] = Object.entries(resourcesOfType(json, "aws_sqs_queue")).find(([, q]) => q.name === `${functionName}-dead-letters`)!;
  return `\${aws_sqs_queue.${address}.arn}`;
}

/** The account id: the account Terraform deploys with, never read off another resource's attribute. */
const ACCOUNT = "${data.aws_caller_identity.caller-identity.account_id}";

/** Every environment of the settings, and one added to a copy of them (support/environment-cases.ts). */
const CASES = ENVIRONMENT_CASES.map((c) => [c.added ? `${c.expected.stack}, added to a copy of the settings` : c.expected.stack, c] as const);

describe.each(CASES)("functions of %s", (_title, { name: env, settings, expected }) => {
  const { json } = synthEnvironment(env, { settings });
  const { suffix, logRetentionDays: retention } = expected;
  const evaluationsTable = expected.tableNames.evaluations;
  const flashcardTable = expected.tableNames["flashcard-sets"];
  const functions = {
    writing: `bandup-writing-evaluator${suffix}`,
    speaking: `bandup-speaking-evaluator${suffix}`,
    flashcards: `bandup-flashcard-generator${suffix}`,
  };
  // Partition, region and account from the provider's data sources.
  const modelKeyArn = `arn:\${data.aws_partition.partition.partition}:ssm:\${data.aws_region.region.name}:${ACCOUNT}:parameter${expected.modelApiKeyParameter}`;

  test("declares exactly the three functions, on nodejs22.x arm64", () => {
    const declared = Object.values(resourcesOfType(json, "aws_lambda_function"));
    expect(declared.map((f) => f.function_name).sort()).toEqual(Object.values(functions).sort());
    for (const fn of declared) {
      expect(fn).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler" });
      expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(fn.filename).toMatch(/^assets\/.+\.zip$/);
    }
  });

  test("each evaluator gets DYNAMODB_EVALUATIONS = its stack's evaluations table, and nothing of the other table", () => {
    for (const name of [functions.writing, functions.speaking]) {
      const variables = resourceNamed(json, "aws_lambda_function", name).environment.variables;
      expect(variables.DYNAMODB_EVALUATIONS).toBe(evaluationsTable);
      expect(variables.DYNAMODB_FLASHCARD_SETS).toBeUndefined();
      expect(variables.MODEL_ID).toBe(expected.modelId);
      expect(variables.MODEL_API_KEY_PARAMETER).toBe(expected.modelApiKeyParameter);
    }
    expect(resourceNamed(json, "aws_lambda_function", functions.writing).environment.variables.UPLOADS_BUCKET).toBeUndefined();
    expect(resourceNamed(json, "aws_lambda_function", functions.speaking).environment.variables.UPLOADS_BUCKET).toBe(expected.uploadsBucket);
  });

  test("the flashcard generator gets DYNAMODB_FLASHCARD_SETS = its stack's flashcard table", () => {
    const flashcards = resourceNamed(json, "aws_lambda_function", functions.flashcards);
    expect(flashcards.environment.variables).toEqual({
      DYNAMODB_FLASHCARD_SETS: flashcardTable,
      MODEL_ID: expected.modelId,
      MODEL_API_KEY_PARAMETER: expected.modelApiKeyParameter,
      UPLOADS_BUCKET: expected.uploadsBucket,
      FUNCTION_TIMEOUT_SECONDS: String(flashcards.timeout),
    });
  });

  test("each function's FUNCTION_TIMEOUT_SECONDS is its own timeout (the leases' bound)", () => {
    for (const name of [functions.writing, functions.speaking, functions.flashcards]) {
      const fn = resourceNamed(json, "aws_lambda_function", name);
      expect(fn.environment.variables.FUNCTION_TIMEOUT_SECONDS).toBe(String(fn.timeout));
    }
  });

  test("only the flashcard generator has a layer: unpdf (PDF.js), kept out of its zip", () => {
    const layers = Object.entries(resourcesOfType(json, "aws_lambda_layer_version"));
    expect(layers).toHaveLength(1);
    const [address, layer] = layers[0];
    expect(layer).toMatchObject({
      layer_name: `${functions.flashcards}-dependencies`,
      description: "unpdf@1.6.2",
      compatible_runtimes: ["nodejs22.x"],
      compatible_architectures: ["arm64"],
    });
    expect(layer.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(resourceNamed(json, "aws_lambda_function", functions.flashcards).layers).toEqual([
      `\${aws_lambda_layer_version.${address}.arn}`,
    ]);
    expect(resourceNamed(json, "aws_lambda_function", functions.writing).layers).toBeUndefined();
    expect(resourceNamed(json, "aws_lambda_function", functions.speaking).layers).toBeUndefined();
  });

  test("the writing evaluator's policy: its logs, the evaluations table and its index, the API key; nothing else", () => {
    const table = tableArnRef(json, evaluationsTable);
    expect(policyOf(json, functions.writing)).toEqual([
      {
        sid: "WriteOwnLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${logGroupArnRef(json, functions.writing)}:*`],
      },
      { sid: "SendDeadLetters", effect: "Allow", actions: ["sqs:SendMessage"], resources: [queueArnRef(json, functions.writing)] },
      { sid: "EvaluationsTableData", effect: "Allow", actions: TABLE_ACTIONS, resources: [table] },
      { sid: "EvaluationsIndexQuery", effect: "Allow", actions: ["dynamodb:Query"], resources: [`${table}/index/*`] },
      { sid: "ReadModelApiKey", effect: "Allow", actions: ["ssm:GetParameter"], resources: [modelKeyArn] },
    ]);
  });

  test("the speaking evaluator's policy adds the audio prefix of the uploads bucket", () => {
    const statements = policyOf(json, functions.speaking);
    const table = tableArnRef(json, evaluationsTable);
    expect(statements.map((s) => s.sid)).toEqual([
      "WriteOwnLogs",
      "SendDeadLetters",
      "EvaluationsTableData",
      "EvaluationsIndexQuery",
      "ReadModelApiKey",
      "ReadUploads",
    ]);
    expect(statements[2].resources).toEqual([table]);
    expect(statements[5]).toEqual({
      sid: "ReadUploads",
      effect: "Allow",
      actions: ["s3:GetObject"],
      resources: [`arn:\${data.aws_partition.partition.partition}:s3:::${expected.uploadsBucket}/uploads/audio/*`],
    });
  });

  test("the flashcard generator's policy: the flashcard table only, its index, the documents prefix", () => {
    const statements = policyOf(json, functions.flashcards);
    const table = tableArnRef(json, flashcardTable);
    expect(statements.slice(2)).toEqual([
      { sid: "FlashcardSetsTableData", effect: "Allow", actions: TABLE_ACTIONS, resources: [table] },
      { sid: "FlashcardSetsIndexQuery", effect: "Allow", actions: ["dynamodb:Query"], resources: [`${table}/index/*`] },
      { sid: "ReadModelApiKey", effect: "Allow", actions: ["ssm:GetParameter"], resources: [modelKeyArn] },
      {
        sid: "ReadUploads",
        effect: "Allow",
        actions: ["s3:GetObject"],
        resources: [`arn:\${data.aws_partition.partition.partition}:s3:::${expected.uploadsBucket}/uploads/documents/*`],
      },
    ]);
    // Not even through an expression: a change to the evaluations table must not reach this policy.
    const evaluationsAddress = tableArnRef(json, evaluationsTable).slice(2, -"}".length - ".arn".length);
    expect(JSON.stringify(statements)).not.toContain(evaluationsAddress);
  });

  test("no statement has a bare * action or resource", () => {
    for (const name of Object.values(functions)) {
      for (const statement of policyOf(json, name)) {
        for (const action of statement.actions) expect(action).not.toMatch(/(^\*$|:\*$)/);
        for (const resource of statement.resources) expect(resource).not.toBe("*");
      }
    }
  });

  test("each role trusts lambda.amazonaws.com only and carries its one policy", () => {
    for (const name of Object.values(functions)) {
      const role = resourceNamed(json, "aws_iam_role", name);
      const trustName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(role.assume_role_policy)![1];
      expect(json.data.aws_iam_policy_document[trustName].statement).toEqual([
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ]);
      const fn = resourceNamed(json, "aws_lambda_function", name);
      const roleAddress = Object.entries(resourcesOfType(json, "aws_iam_role")).find(([, r]) => r.name === name)![0];
      expect(fn.role).toBe(`\${aws_iam_role.${roleAddress}.arn}`);
      expect(resourceNamed(json, "aws_iam_role_policy", `${name}-access`).role).toBe(`\${aws_iam_role.${roleAddress}.id}`);
    }
    expect(Object.keys(resourcesOfType(json, "aws_iam_role_policy"))).toHaveLength(3);
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  test(`log groups /aws/lambda/<function> keep logs ${retention} days and the functions log there`, () => {
    for (const name of Object.values(functions)) {
      expect(resourceNamed(json, "aws_cloudwatch_log_group", `/aws/lambda/${name}`).retention_in_days).toBe(retention);
      expect(resourceNamed(json, "aws_lambda_function", name).logging_config.log_group).toMatch(
        /^\$\{aws_cloudwatch_log_group\.[^.]+\.name\}$/,
      );
    }
  });

  test("failed asynchronous events go to the function's own encrypted dead-letter queue, kept 14 days", () => {
    for (const name of Object.values(functions)) {
      expect(resourceNamed(json, "aws_sqs_queue", `${name}-dead-letters`)).toMatchObject({
        message_retention_seconds: 1209600,
        sqs_managed_sse_enabled: true,
      });
      expect(resourceNamed(json, "aws_lambda_function", name).dead_letter_config).toEqual({ target_arn: queueArnRef(json, name) });
    }
  });

  test("outputs function names and ARNs and role ARNs", () => {
    for (const kind of ["writing-evaluator", "speaking-evaluator", "flashcard-generator"]) {
      expect(json.output[`${kind}-function-name`].value).toMatch(/^\$\{aws_lambda_function\.[^.]+\.function_name\}$/);
      expect(json.output[`${kind}-function-arn`].value).toMatch(/^\$\{aws_lambda_function\.[^.]+\.arn\}$/);
      expect(json.output[`${kind}-role-arn`].value).toMatch(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
    }
  });
});

describe("function options", () => {
  test("without the history index, no index statement (and no index/* resource)", () => {
    const { json } = synthEnvironment("dev", { settings: { historyIndexEnabled: false } });
    const statements = policyOf(json, "bandup-writing-evaluator-dev");
    expect(statements.map((s) => s.sid)).toEqual(["WriteOwnLogs", "SendDeadLetters", "EvaluationsTableData", "ReadModelApiKey"]);
    expect(JSON.stringify(statements)).not.toContain("/index/");
  });

  test("a customer table key adds KMS Decrypt and GenerateDataKey through DynamoDB only", () => {
    const { json } = synthEnvironment("prod", { settings: { protected: true, tableKmsKeyArn: KEY } });
    const statements = policyOf(json, "bandup-flashcard-generator");
    expect(statements.find((s) => s.sid === "FlashcardSetsTableKey")).toEqual({
      sid: "FlashcardSetsTableKey",
      effect: "Allow",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [KEY],
      // DynamoDB's endpoint in the stack's region: dynamodb.cn-north-1.amazonaws.com.cn in China.
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: ["dynamodb.${data.aws_region.region.name}.${data.aws_partition.partition.dns_suffix}"] },
      ],
    });
  });

  test("memory, timeout, reserved concurrency and retention come from the environment settings", () => {
    const { json } = synthEnvironment("dev", {
      settings: { logRetentionDays: 90, functions: { "writing-evaluator": { memoryMb: 768, timeoutSeconds: 150, reservedConcurrency: 4 } } },
    });
    expect(resourceNamed(json, "aws_lambda_function", "bandup-writing-evaluator-dev")).toMatchObject({
      memory_size: 768,
      timeout: 150,
      reserved_concurrent_executions: 4,
    });
    expect(resourceNamed(json, "aws_lambda_function", "bandup-speaking-evaluator-dev")).toMatchObject({ memory_size: 1024, timeout: 180 });
    expect(resourceNamed(json, "aws_lambda_function", "bandup-speaking-evaluator-dev").reserved_concurrent_executions).toBeUndefined();
    expect(resourceNamed(json, "aws_cloudwatch_log_group", "/aws/lambda/bandup-writing-evaluator-dev").retention_in_days).toBe(90);
  });
});
