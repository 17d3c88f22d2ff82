import {
  allEnvironments,
  ENVIRONMENTS,
  EnvironmentConfigError,
  getEnvironment,
  resolveEnvironment,
} from "../../stacks/environments";

const VALID_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("environments", () => {
  test("dev, staging and prod exist, in deployment order", () => {
    expect(Object.keys(ENVIRONMENTS)).toEqual(["dev", "staging", "prod"]);
    expect(allEnvironments().map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
  });

  test("prod keeps the design's table names and is protected", () => {
    expect(getEnvironment("prod")).toEqual({
      name: "prod",
      region: "us-east-1",
      protected: true,
      tableNames: { evaluations: "bandup-evaluations", "flashcard-sets": "bandup-flashcard-sets" },
      tableKmsKeyArn: undefined,
      historyIndexEnabled: true,
      tags: { Project: "bandup", Environment: "prod" },
      logRetentionDays: 365,
      functions: {
        "writing-evaluator": { functionName: "bandup-writing-evaluator", memoryMb: 512, timeoutSeconds: 120, reservedConcurrency: undefined },
        "speaking-evaluator": { functionName: "bandup-speaking-evaluator", memoryMb: 1024, timeoutSeconds: 180, reservedConcurrency: undefined },
        "flashcard-generator": { functionName: "bandup-flashcard-generator", memoryMb: 1024, timeoutSeconds: 300, reservedConcurrency: undefined },
      },
      modelId: "gemini-2.5-flash",
      modelApiKeyParameter: "/bandup/prod/gemini-api-key",
      uploadsBucket: "bandup-uploads",
      adoptExistingTables: false,
      pitrRecoveryDays: 35,
      onDemandThroughput: {
        evaluations: { table: undefined, historyIndex: undefined },
        "flashcard-sets": { table: undefined, historyIndex: undefined },
      },
      tableClass: "STANDARD",
      replicas: [],
      tableStreamEnabled: false,
      restore: undefined,
    });
  });

  test.each(["dev", "staging"])("%s suffixes the table names with the environment and is not protected", (name) => {
    const environment = getEnvironment(name);
    expect(environment.tableNames).toEqual({
      evaluations: `bandup-evaluations-${name}`,
      "flashcard-sets": `bandup-flashcard-sets-${name}`,
    });
    expect(environment.protected).toBe(false);
    expect(environment.tags).toEqual({ Project: "bandup", Environment: name });
    expect(environment.logRetentionDays).toBe(30);
    expect(Object.values(environment.functions).map((f) => f.functionName)).toEqual([
      `bandup-writing-evaluator-${name}`,
      `bandup-speaking-evaluator-${name}`,
      `bandup-flashcard-generator-${name}`,
    ]);
    expect(environment.modelApiKeyParameter).toBe(`/bandup/${name}/gemini-api-key`);
    expect(environment.uploadsBucket).toBe(`bandup-uploads-${name}`);
  });

  test("function settings override the defaults one by one", () => {
    const environment = resolveEnvironment("dev", {
      functions: { "speaking-evaluator": { memoryMb: 2048, reservedConcurrency: 5 } },
      logRetentionDays: 14,
    });
    expect(environment.functions["speaking-evaluator"]).toEqual({
      functionName: "bandup-speaking-evaluator-dev",
      memoryMb: 2048,
      timeoutSeconds: 180,
      reservedConcurrency: 5,
    });
    expect(environment.functions["writing-evaluator"].memoryMb).toBe(512);
    expect(environment.logRetentionDays).toBe(14);
  });

  test("explicit false wins over the prod default (?? not ||)", () => {
    expect(resolveEnvironment("prod", { protected: false, historyIndexEnabled: false })).toMatchObject({
      protected: false,
      historyIndexEnabled: false,
    });
  });

  test("extra tags are added next to Project and Environment", () => {
    expect(resolveEnvironment("dev", { extraTags: { Owner: "platform", CostCenter: "ielts-01" } }).tags).toEqual({
      Project: "bandup",
      Environment: "dev",
      Owner: "platform",
      CostCenter: "ielts-01",
    });
  });
});

describe("environment validation", () => {
  function errorOf(run: () => unknown): EnvironmentConfigError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(EnvironmentConfigError);
      return error as EnvironmentConfigError;
    }
    throw new Error("expected an EnvironmentConfigError");
  }

  test("throws for an unknown environment, naming it and the known ones", () => {
    expect(() => getEnvironment("qa")).toThrow(
      "Invalid settings for environment `qa`:\n  - unknown environment `qa`; known environments are `dev`, `staging`, `prod`. Add it to ENVIRONMENTS in stacks/environments.ts",
    );
  });

  test("does not treat Object.prototype members as environments", () => {
    expect(() => getEnvironment("toString")).toThrow("unknown environment `toString`");
  });

  test("throws when a table name is too short", () => {
    expect(() => resolveEnvironment("dev", { tableNames: { evaluations: "ab" } })).toThrow(
      "Invalid settings for environment `dev`:\n  - `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`",
    );
  });

  test("throws when a table name is empty", () => {
    expect(() => resolveEnvironment("staging", { tableNames: { "flashcard-sets": "" } })).toThrow(
      "environment `staging`:\n  - `tableNames.flashcard-sets` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got ``",
    );
  });

  test("throws when a table name has a character DynamoDB rejects", () => {
    expect(() => resolveEnvironment("dev", { tableNames: { evaluations: "bandup evaluations" } })).toThrow(
      "`tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `bandup evaluations`",
    );
  });

  test("throws when a table name is longer than 255 characters, and accepts exactly 255", () => {
    expect(() => resolveEnvironment("dev", { tableNames: { evaluations: "a".repeat(256) } })).toThrow(
      `got \`${"a".repeat(256)}\``,
    );
    expect(resolveEnvironment("dev", { tableNames: { evaluations: "a".repeat(255) } }).tableNames.evaluations).toBe(
      "a".repeat(255),
    );
  });

  test("throws for an environment name that would make a default table name invalid", () => {
    expect(() => resolveEnvironment("Dev Env", {})).toThrow(
      "the environment name must be 1-20 characters of a-z, 0-9 and -, starting with a letter; got `Dev Env`",
    );
  });

  test("throws when both tables get the same name", () => {
    expect(() =>
      resolveEnvironment("dev", { tableNames: { evaluations: "shared", "flashcard-sets": "shared" } }),
    ).toThrow("`tableNames` gives both tables the same name `shared`");
  });

  test("throws for a table kind that does not exist", () => {
    expect(() => resolveEnvironment("dev", { tableNames: { users: "bandup-users" } as never })).toThrow(
      "`tableNames.users` is not a table of this app; the tables are `evaluations`, `flashcard-sets`",
    );
  });

  test("throws for an invalid region", () => {
    expect(() => resolveEnvironment("prod", { region: "us-east" })).toThrow(
      "Invalid settings for environment `prod`:\n  - `region` must be an AWS region code such as us-east-1 or ap-southeast-1; got `us-east`",
    );
  });

  test.each(["ap-southeast-1", "eu-central-2", "us-gov-west-1", "cn-north-1"])("accepts region %s", (region) => {
    expect(resolveEnvironment("dev", { region }).region).toBe(region);
  });

  test("throws for a malformed KMS key ARN, and for an alias ARN", () => {
    expect(() => resolveEnvironment("prod", { tableKmsKeyArn: "my-key" })).toThrow(
      "`tableKmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `my-key`",
    );
    expect(() =>
      resolveEnvironment("prod", { tableKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/bandup" }),
    ).toThrow("got `arn:aws:kms:us-east-1:123456789012:alias/bandup`");
  });

  test("throws for a KMS key in another region than the tables", () => {
    expect(() => resolveEnvironment("prod", { region: "eu-west-1", tableKmsKeyArn: VALID_KEY })).toThrow(
      "`tableKmsKeyArn` is in region `us-east-1` but the environment deploys to `eu-west-1`; DynamoDB needs a key in the table's region",
    );
  });

  test("accepts a single-region and a multi-Region key ARN", () => {
    expect(resolveEnvironment("prod", { tableKmsKeyArn: VALID_KEY }).tableKmsKeyArn).toBe(VALID_KEY);
    const mrk = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef";
    expect(resolveEnvironment("prod", { tableKmsKeyArn: mrk }).tableKmsKeyArn).toBe(mrk);
  });

  test("rejects extra tags that would override Project or Environment", () => {
    expect(() => resolveEnvironment("dev", { extraTags: { Environment: "production" } })).toThrow(
      "`extraTags.Environment` would override a tag this app sets itself; remove it",
    );
  });

  test("throws for a log retention CloudWatch does not accept", () => {
    expect(() => resolveEnvironment("dev", { logRetentionDays: 31 })).toThrow(
      "`logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got `31`",
    );
  });

  test("throws for function memory, timeout and concurrency out of Lambda's range", () => {
    const error = errorOf(() =>
      resolveEnvironment("dev", {
        functions: {
          "writing-evaluator": { memoryMb: 64 },
          "flashcard-generator": { timeoutSeconds: 901, reservedConcurrency: -1 },
        },
      }),
    );
    expect(error.problems).toEqual([
      "`functions.writing-evaluator.memoryMb` must be a whole number of MB from 128 to 10240; got `64`",
      "`functions.flashcard-generator.timeoutSeconds` must be a whole number of seconds from 1 to 900; got `901`",
      "`functions.flashcard-generator.reservedConcurrency` must be a whole number >= 0; got `-1`",
    ]);
  });

  test("throws for an unknown function", () => {
    expect(() => resolveEnvironment("dev", { functions: { "reading-evaluator": {} } as never })).toThrow(
      "`functions.reading-evaluator` is not a function of this app; the functions are `writing-evaluator`, `speaking-evaluator`, `flashcard-generator`",
    );
  });

  test("throws for a malformed model id, SSM parameter name and uploads bucket", () => {
    const error = errorOf(() =>
      resolveEnvironment("dev", { modelId: "Gemini Pro", modelApiKeyParameter: "gemini-key", uploadsBucket: "Uploads" }),
    );
    expect(error.problems).toEqual([
      "`modelId` must be a model id of a-z, 0-9, . _ - such as gemini-2.5-flash; got `Gemini Pro`",
      "`modelApiKeyParameter` must be an SSM parameter path like /bandup/prod/gemini-api-key (letters, digits, _ . - and /); got `gemini-key`",
      "`uploadsBucket` must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -); got `Uploads`",
    ]);
  });

  test("collects every problem and throws once", () => {
    const error = errorOf(() =>
      resolveEnvironment("dev", { region: "mars-1", tableNames: { evaluations: "x" }, tableKmsKeyArn: "nope" }),
    );
    expect(error.environment).toBe("dev");
    expect(error.problems).toEqual([
      "`region` must be an AWS region code such as us-east-1 or ap-southeast-1; got `mars-1`",
      "`tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `x`",
      "`tableKmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `nope`",
    ]);
  });

  test("allEnvironments lists the problems of every invalid environment at once", () => {
    expect(() => allEnvironments({ dev: { region: "nowhere" }, staging: {}, prod: { tableNames: { evaluations: "x" } } })).toThrow(
      "Invalid settings for environment `dev`:\n" +
        "  - `region` must be an AWS region code such as us-east-1 or ap-southeast-1; got `nowhere`\n" +
        "Invalid settings for environment `prod`:\n" +
        "  - `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `x`",
    );
  });

  test("allEnvironments validates a custom environment list", () => {
    expect(() => allEnvironments({ dev: {}, qa: { region: "nowhere" } })).toThrow(
      "Invalid settings for environment `qa`:\n  - `region` must be an AWS region code",
    );
  });
});
