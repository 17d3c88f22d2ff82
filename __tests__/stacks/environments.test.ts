import { FLASHCARD_GENERATOR, minimumTimeoutSeconds, SPEAKING_EVALUATOR, WRITING_EVALUATOR } from "../../lambda-src/contract/function-definitions";
import {
  allEnvironments,
  ENVIRONMENTS,
  EnvironmentConfigError,
  EnvironmentSettings,
  EnvironmentsConfigError,
  getEnvironment,
  ResolvedEnvironment,
  resolveEnvironment,
  SETTING_NAMES,
  settingsTable,
  sharedNameProblems,
} from "../../stacks/environments";
import { readDoc } from "../support/docs";
import { DESIGN_ENVIRONMENTS } from "../support/environment-cases";

const VALID_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const REGION_RULE = "`region` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got ";
const NO_CLOSE_REGION = "no known region is close to it: pick one from constructs/aws-partitions.ts";

describe("environments", () => {
  test("the design's dev, staging and prod exist, in deployment order; allEnvironments resolves every entry, in order", () => {
    const names = Object.keys(ENVIRONMENTS);
    const design: readonly string[] = DESIGN_ENVIRONMENTS;
    // Environments added later may sit anywhere; the design's three are all there, in this order.
    expect(names.filter((name) => design.includes(name))).toEqual(design);
    expect(allEnvironments().map((e) => e.name)).toEqual(names);
  });

  test("prod keeps the design's table names and is protected", () => {
    expect(getEnvironment("prod")).toEqual({
      name: "prod",
      stage: "prod",
      region: "us-east-1",
      protected: true,
      tableNames: { evaluations: "bandup-evaluations", "flashcard-sets": "bandup-flashcard-sets" },
      tableKmsKeyArn: undefined,
      historyIndexEnabled: true,
      tags: { Project: "bandup", Environment: "production" },
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
      alarms: { topicName: "bandup-alarms", topicKmsKeyArn: undefined, emails: [], dashboardName: "bandup-operations" },
    });
  });

  // Every environment other than prod that sets nothing (dev and staging today) gets the defaults.
  const withDefaults = Object.keys(ENVIRONMENTS).filter((name) => name !== "prod" && Object.keys(ENVIRONMENTS[name]).length === 0);
  test.each(withDefaults)("%s suffixes the table names with the environment and is not protected", (name) => {
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
    const known = Object.keys(ENVIRONMENTS).map((name) => `\`${name}\``).join(", ");
    expect(() => getEnvironment("no-such-environment")).toThrow(
      `Invalid settings for environment \`no-such-environment\`:\n  - unknown environment \`no-such-environment\`; known environments are ${known}. Add it to ENVIRONMENTS in stacks/environments.ts`,
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
      "Invalid settings for environment `prod`:\n  - " + REGION_RULE + "`us-east`; did you mean `us-east-1` or `us-east-2`?",
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
      REGION_RULE + "`mars-1`; " + NO_CLOSE_REGION,
      "`tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `x`",
      "`tableKmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `nope`",
    ]);
  });

  test("allEnvironments lists the problems of every invalid environment at once", () => {
    expect(() => allEnvironments({ dev: { region: "nowhere" }, staging: {}, prod: { tableNames: { evaluations: "x" } } })).toThrow(
      "Invalid settings for environment `dev`:\n" +
        "  - " + REGION_RULE + "`nowhere`; " + NO_CLOSE_REGION + "\n" +
        "Invalid settings for environment `prod`:\n" +
        "  - `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `x`",
    );
  });

  test("allEnvironments validates a custom environment list", () => {
    expect(() => allEnvironments({ dev: {}, qa: { region: "nowhere" } })).toThrow(
      "Invalid settings for environment `qa`:\n  - " + REGION_RULE + "`nowhere`",
    );
  });
});

/** The problems of one environment's settings (none: []). */
function problemsOf(name: string, settings: unknown): readonly string[] {
  try {
    resolveEnvironment(name, settings as EnvironmentSettings);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error.problems;
    throw error;
  }
  return [];
}

/** The problems of every environment of a set, by environment (only those that have some). */
function problemsOfAll(environments: Record<string, unknown>): Record<string, readonly string[]> {
  try {
    allEnvironments(environments as Record<string, EnvironmentSettings>);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return { [error.environment]: error.problems };
    if (error instanceof EnvironmentsConfigError) return Object.fromEntries(error.failures.map((f) => [f.environment, f.problems]));
    throw error;
  }
  return {};
}

describe("region: one the pinned provider knows", () => {
  test.each([
    ["us-esat-1", "did you mean `us-east-1`?"],
    ["us-east-01", "did you mean `us-east-1`?"],
    ["US-EAST-1", "did you mean `us-east-1`?"],
    ["eu-west-4", "did you mean `eu-west-1`, `eu-west-2` or `eu-west-3`?"],
    ["zz-foo-9", NO_CLOSE_REGION],
  ])("refuses %s: %s", (region, hint) => {
    expect(problemsOf("dev", { region })).toEqual([`${REGION_RULE}\`${region}\`; ${hint}`]);
  });

  test("accepts a region of each partition the provider knows, and refuses a well-formed one it does not", () => {
    for (const region of ["il-central-1", "mx-central-1", "cn-northwest-1", "us-gov-east-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"]) {
      expect(problemsOf("dev", { region })).toEqual([]);
    }
    // Shaped like a region, and not one hashicorp/aws 5.100.0 accepts: it fails at plan ("invalid AWS Region").
    expect(problemsOf("dev", { region: "ap-southeast-6" })).toEqual([`${REGION_RULE}\`ap-southeast-6\`; did you mean \`ap-southeast-1\`, \`ap-southeast-2\`, \`ap-southeast-3\`, \`ap-southeast-4\`, \`ap-southeast-5\` or \`ap-southeast-7\`?`]);
  });
});

describe("function timeouts leave room for the model calls and the outcome", () => {
  test("refuses a timeout under the function's minimum, saying what the minimum covers", () => {
    expect(problemsOf("dev", { functions: { "writing-evaluator": { timeoutSeconds: 5 }, "flashcard-generator": { timeoutSeconds: 240 } } })).toEqual([
      "`functions.writing-evaluator.timeoutSeconds` must be at least 100 seconds for the writing-evaluator: its model call may take 90 s " +
        "(`modelCallTimeoutMs`) and recording the job's outcome keeps 10 s more (`outcomeReserveMs`); a shorter timeout cuts the model calls " +
        'short, and under 11 s every job fails with "no time left"; got `5`',
      "`functions.flashcard-generator.timeoutSeconds` must be at least 250 seconds for the flashcard-generator: its 10 model calls, 3 at a " +
        "time, may take 4 x 60 s (`modelCallTimeoutMs`) and recording the job's outcome keeps 10 s more (`outcomeReserveMs`); a shorter " +
        'timeout cuts the model calls short, and under 11 s every job fails with "no time left"; got `240`',
    ]);
  });

  test("accepts each function's minimum, derived from its definition, and refuses one second less", () => {
    for (const definition of [WRITING_EVALUATOR, SPEAKING_EVALUATOR, FLASHCARD_GENERATOR]) {
      const minimum = minimumTimeoutSeconds(definition);
      expect(problemsOf("dev", { functions: { [definition.kind]: { timeoutSeconds: minimum } } })).toEqual([]);
      expect(problemsOf("dev", { functions: { [definition.kind]: { timeoutSeconds: minimum - 1 } } })).toEqual([
        expect.stringContaining(`\`functions.${definition.kind}.timeoutSeconds\` must be at least ${minimum} seconds for the ${definition.kind}: `),
      ]);
    }
  });
});

describe("names environments cannot share", () => {
  const TABLE_CLASH =
    "`tableNames.evaluations`: table `bandup-evaluations` is also a table of environment `dev` in us-east-1, which may be the same AWS " +
    "account (set `accountId` on both if it is not); table names must be unique in an account and region, so give one of them another " +
    "`tableNames.evaluations`";

  test("prod's table names equal to another environment's in the same region: refused on the later one", () => {
    expect(problemsOfAll({ dev: { tableNames: { evaluations: "bandup-evaluations" } }, staging: {}, prod: {} })).toEqual({ prod: [TABLE_CLASH] });
  });

  test("the same account named on both says so; different accounts or regions share nothing", () => {
    const dev = { tableNames: { evaluations: "bandup-evaluations" } };
    expect(problemsOfAll({ dev: { ...dev, accountId: "111111111111" }, prod: { accountId: "111111111111" } })).toEqual({
      prod: [TABLE_CLASH.replace("which may be the same AWS account (set `accountId` on both if it is not)", "the same account (`111111111111`)")],
    });
    expect(problemsOfAll({ dev: { ...dev, accountId: "111111111111" }, prod: { accountId: "222222222222" } })).toEqual({});
    expect(problemsOfAll({ dev: { ...dev, region: "eu-west-1" }, prod: {} })).toEqual({});
  });

  test("function, log group, dead-letter queue and layer names per region; IAM role names in the whole account", () => {
    const prod = getEnvironment("prod");
    // Function names follow the environment's name, so two environments of this app never clash on them; a
    // hand-made twin shows the check.
    const twin: ResolvedEnvironment = { ...prod, name: "prod-twin", tableNames: { evaluations: "twin-evaluations", "flashcard-sets": "twin-flashcard-sets" } };
    const clashes = sharedNameProblems([prod, twin]).get("prod-twin")!;
    const fix = "so rename one of the environments: function names end with the environment's name (none in prod)";
    const account = "which may be the same AWS account (set `accountId` on both if it is not)";
    expect(clashes.filter((p) => p.startsWith("`functions.flashcard-generator`"))).toEqual([
      `\`functions.flashcard-generator\`: Lambda function \`bandup-flashcard-generator\` is also a Lambda function of environment \`prod\` in us-east-1, ${account}; Lambda function names must be unique in an account and region, ${fix}`,
      `\`functions.flashcard-generator\`: log group \`/aws/lambda/bandup-flashcard-generator\` is also a log group of environment \`prod\` in us-east-1, ${account}; log group names must be unique in an account and region, ${fix}`,
      `\`functions.flashcard-generator\`: dead-letter queue \`bandup-flashcard-generator-dead-letters\` is also a dead-letter queue of environment \`prod\` in us-east-1, ${account}; dead-letter queue names must be unique in an account and region, ${fix}`,
      `\`functions.flashcard-generator\`: IAM role \`bandup-flashcard-generator\` is also an IAM role of environment \`prod\` in us-east-1, ${account}; IAM role names must be unique in an account, in every region (IAM is global), ${fix}`,
      `\`functions.flashcard-generator\`: Lambda layer \`bandup-flashcard-generator-dependencies\` is also a Lambda layer of environment \`prod\` in us-east-1, ${account}; Lambda layer names must be unique in an account and region, ${fix}`,
    ]);
    expect(clashes).toHaveLength(3 * 4 + 1);
    // In another region of the same partition only the roles clash: IAM is global in an account.
    const elsewhere = sharedNameProblems([prod, { ...twin, region: "eu-west-1" }]).get("prod-twin")!;
    expect(elsewhere.map((p) => p.split(":")[0])).toEqual(["`functions.writing-evaluator`", "`functions.speaking-evaluator`", "`functions.flashcard-generator`"]);
    expect(elsewhere.every((p) => p.includes(": IAM role `"))).toBe(true);
    // Another partition is another account.
    expect(sharedNameProblems([prod, { ...twin, region: "cn-north-1" }]).get("prod-twin")).toBeUndefined();
  });

  test("an uploads bucket shared by a protected and an unprotected environment is refused; by two unprotected ones it is not", () => {
    expect(problemsOfAll({ dev: { uploadsBucket: "bandup-uploads" }, staging: { uploadsBucket: "bandup-uploads-dev" }, prod: {} })).toEqual({
      prod: [
        "`uploadsBucket` `bandup-uploads` is also the uploads bucket of environment `dev`, and `dev` is not protected while `prod` is: the " +
          "functions of each would read the other's users' recordings and documents; give each its own bucket",
      ],
    });
  });
});

describe("tags", () => {
  test("a null or non-string tag value, an aws: key in any case, and keys and values over AWS's limits: each named, none crashes", () => {
    const long = "v".repeat(257);
    expect(
      problemsOf("dev", { extraTags: { Team: null, "AWS:team": "x", ["k".repeat(129)]: "v", Long: long, Empty: "", "a*b": "c", "": "x", Count: 3 } }),
    ).toEqual([
      "`extraTags.Team` must be a string; got `null`",
      "`extraTags.Count` must be a string; got `3` (a number)",
      "`extraTags` key must not start with `aws:` (in any case): AWS reserves that prefix for its own tags; got `AWS:team`",
      `\`extraTags\` key must be 1-128 characters of letters, digits, spaces and _ . : / = + - @; got \`${"k".repeat(129)}\``,
      `\`extraTags.Long\` must be a string of at most 256 characters of letters, digits, spaces and _ . : / = + - @; got \`${long}\``,
      "`extraTags` key must be 1-128 characters of letters, digits, spaces and _ . : / = + - @; got `a*b`",
      "`extraTags` key must be 1-128 characters of letters, digits, spaces and _ . : / = + - @; got ``",
    ]);
  });

  test("the longest key and value AWS allows, and an empty value, are accepted", () => {
    const tags = { ["k".repeat(128)]: "v".repeat(256), Empty: "" };
    expect(resolveEnvironment("dev", { extraTags: tags }).tags).toEqual({ Project: "bandup", Environment: "dev", ...tags });
  });

  test("prod's Environment tag is the design's `production`, the others' their name; environmentTag sets it", () => {
    expect(getEnvironment("prod").tags.Environment).toBe("production");
    expect(getEnvironment("staging").tags.Environment).toBe("staging");
    expect(resolveEnvironment("prod", { environmentTag: "prod" }).tags).toEqual({ Project: "bandup", Environment: "prod" });
    expect(problemsOf("prod", { environmentTag: "" })).toEqual(["`environmentTag` must be a tag value of 1-256 characters; got ``"]);
    expect(problemsOf("dev", { extraTags: { Environment: "qa" } })).toEqual([
      "`extraTags.Environment` would override a tag this app sets itself; remove it (`environmentTag` sets its value)",
    ]);
  });
});

test("docs/environments.md's settings table documents every setting, and only settings", () => {
  const doc = readDoc("docs/environments.md");
  const table = doc.slice(doc.indexOf("Settings of an environment (`stacks/environments.ts`)")).split("\n\n")[1];
  // `functions.<kind>` documents the `functions` setting.
  const documented = table.split("\n").slice(2).map((line) => /^\| `([a-zA-Z]+)[`.]/.exec(line)?.[1]);
  expect(documented).toEqual(SETTING_NAMES);
});

test("docs/environments.md's settings table is the one the schema renders (stacks/environment-settings.ts, settingsTable)", () => {
  const doc = readDoc("docs/environments.md");
  const table = doc.slice(doc.indexOf("Settings of an environment (`stacks/environments.ts`)")).split("\n\n")[1];
  expect(table).toBe(settingsTable());
});

describe("settings written in plain JavaScript", () => {
  test("every value of the wrong type and every unknown key, with the closest known key", () => {
    expect(
      problemsOf("dev", {
        region: 42,
        protected: "yes",
        tableNames: { evaluations: 7 },
        functions: { "writing-evaluator": { memoryMB: 1024, timeoutSeconds: "120" } },
        tableKmsKeyARN: VALID_KEY,
        extraTags: ["a"],
        modelid: "gemini-2.5-flash",
        colour: "blue",
      }),
    ).toEqual([
      "`region` must be a string; got `42` (a number)",
      "`protected` must be a boolean; got `\"yes\"` (a string)",
      "`tableNames.evaluations` must be a string; got `7` (a number)",
      "`functions.writing-evaluator.memoryMB` is not a function setting; did you mean `memoryMb`?",
      "`functions.writing-evaluator.timeoutSeconds` must be a number; got `\"120\"` (a string)",
      "`tableKmsKeyARN` is not a setting of an environment; did you mean `tableKmsKeyArn`?",
      "`extraTags` must be an object; got `[\"a\"]` (a list)",
      "`modelid` is not a setting of an environment; did you mean `modelId`?",
      "`colour` is not a setting of an environment; the known ones are `region`, `accountId`, `stage`, `protected`, `tableNames`, " +
        "`tableKmsKeyArn`, `historyIndexEnabled`, `environmentTag`, `extraTags`, `logRetentionDays`, `functions`, `modelId`, " +
        "`modelApiKeyParameter`, `uploadsBucket`, `adoptExistingTables`, `pitrRecoveryDays`, `onDemandThroughput`, `tableClass`, " +
        "`replicaRegions`, `replicaKmsKeyArns`, `restore`, `alarmEmails`, `alarmTopicKmsKeyArn`",
    ]);
  });

  test("alarmEmails is a list of strings: a wrong item is named by its index, and the list is left out", () => {
    expect(problemsOf("dev", { alarmEmails: "ops@example.com", alarmTopicKmsKeyArn: 7 })).toEqual([
      "`alarmEmails` must be a list; got `\"ops@example.com\"` (a string)",
      "`alarmTopicKmsKeyArn` must be a string; got `7` (a number)",
    ]);
    expect(problemsOf("dev", { alarmEmails: ["ops@example.com", 7, null, "not-an-address"] })).toEqual([
      "`alarmEmails[1]` must be a string; got `7` (a number)",
      "`alarmEmails[2]` must be a string; got `null`",
    ]);
    expect(problemsOf("dev", { alarmEmail: ["ops@example.com"] })).toEqual([
      "`alarmEmail` is not a setting of an environment; did you mean `alarmEmails`?",
    ]);
  });

  test("settings that are not an object", () => {
    expect(problemsOf("dev", null)).toEqual(["the settings must be an object; got `null`"]);
    expect(problemsOfAll({ dev: {}, qa: 5 })).toEqual({ qa: ["the settings must be an object; got `5` (a number)"] });
  });

  test("accountId is 12 digits", () => {
    expect(problemsOf("dev", { accountId: "1234" })).toEqual(["`accountId` must be a 12-digit AWS account id such as 123456789012; got `1234`"]);
    expect(resolveEnvironment("dev", { accountId: "123456789012" }).accountId).toBe("123456789012");
  });
});

describe("SSM parameter names follow SSM's rules", () => {
  const field = "`modelApiKeyParameter`";
  test.each([
    ["/aws/reference/x", "must not start with `/aws` or `/ssm` (in any case): SSM reserves those names"],
    ["/SSM/x", "must not start with `/aws` or `/ssm` (in any case): SSM reserves those names"],
    ["/a//b", "must not have an empty level (`//` or a trailing /)"],
    ["/a/b/", "must not have an empty level (`//` or a trailing /)"],
    [`/${Array.from({ length: 16 }, (_unused, i) => `l${i}`).join("/")}`, "must have at most 15 levels (SSM's limit); it has 16"],
    [
      `/${"x".repeat(967)}`,
      "must be at most 967 characters: SSM counts its ARN (`arn:aws:ssm:us-east-1:123456789012:parameter`) in its limit of 1011; it has 968",
    ],
  ])("refuses %s", (name, rule) => {
    expect(problemsOf("dev", { modelApiKeyParameter: name })).toEqual([`${field} ${rule}; got \`${name}\``]);
  });

  test("accepts 15 levels and the longest name its ARN leaves room for, which depends on the region", () => {
    expect(problemsOf("dev", { modelApiKeyParameter: `/${Array.from({ length: 15 }, (_unused, i) => `l${i}`).join("/")}` })).toEqual([]);
    expect(problemsOf("dev", { modelApiKeyParameter: `/${"x".repeat(966)}` })).toEqual([]);
    // arn:aws-cn:ssm:cn-northwest-1:... is 8 characters longer than arn:aws:ssm:us-east-1:...
    expect(problemsOf("dev", { region: "cn-northwest-1", modelApiKeyParameter: `/${"x".repeat(966)}` })).toEqual([
      `${field} must be at most 959 characters: SSM counts its ARN (\`arn:aws-cn:ssm:cn-northwest-1:123456789012:parameter\`) in its limit of 1011; it has 967; got \`/${"x".repeat(966)}\``,
    ]);
  });
});

describe("KMS key ARNs use the partition of the environment's region", () => {
  const keyId = "123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  test("a China or GovCloud region with an arn:aws: key is refused, naming the partition its keys are in", () => {
    expect(problemsOf("dev", { region: "cn-north-1", tableKmsKeyArn: `arn:aws:kms:cn-north-1:${keyId}` })).toEqual([
      `\`tableKmsKeyArn\` is in partition \`aws\` but region \`cn-north-1\` is in partition \`aws-cn\`, whose key ARNs start with \`arn:aws-cn:kms:cn-north-1:\`; got \`arn:aws:kms:cn-north-1:${keyId}\``,
    ]);
    expect(problemsOf("dev", { region: "us-gov-west-1", tableKmsKeyArn: `arn:aws:kms:us-east-1:${keyId}` })).toEqual([
      `\`tableKmsKeyArn\` is in partition \`aws\` but region \`us-gov-west-1\` is in partition \`aws-us-gov\`, whose key ARNs start with \`arn:aws-us-gov:kms:us-gov-west-1:\`; got \`arn:aws:kms:us-east-1:${keyId}\``,
      "`tableKmsKeyArn` is in region `us-east-1` but the environment deploys to `us-gov-west-1`; DynamoDB needs a key in the table's region",
    ]);
  });

  test.each([
    ["cn-north-1", "aws-cn"],
    ["us-gov-east-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
  ])("accepts a key of %s in partition %s", (region, partition) => {
    const arn = `arn:${partition}:kms:${region}:${keyId}`;
    expect(resolveEnvironment("dev", { region, tableKmsKeyArn: arn }).tableKmsKeyArn).toBe(arn);
  });
});

describe("S3 bucket names follow S3's rules", () => {
  test.each([
    ["a..b", "must not contain two adjacent periods (`..`)"],
    ["192.168.5.4", "must not be shaped like an IP address"],
    ["xn--abc", "must not start with `xn--`, `sthree-` or `amzn-s3-demo-`: S3 reserves `xn--`"],
    ["sthree-uploads", "must not start with `xn--`, `sthree-` or `amzn-s3-demo-`: S3 reserves `sthree-`"],
    ["amzn-s3-demo-uploads", "must not start with `xn--`, `sthree-` or `amzn-s3-demo-`: S3 reserves `amzn-s3-demo-`"],
    ...["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].map((suffix) => [
      `uploads${suffix}`,
      `must not end with \`-s3alias\`, \`--ol-s3\`, \`.mrap\`, \`--x-s3\` or \`--table-s3\`: S3 reserves \`${suffix}\` for its aliases and special buckets`,
    ]),
    ["ab", "must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -)"],
    ["-uploads", "must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -)"],
    ["u".repeat(64), "must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -)"],
  ])("refuses %s", (bucket, rule) => {
    expect(problemsOf("dev", { uploadsBucket: bucket })).toEqual([`\`uploadsBucket\` ${rule}; got \`${bucket}\``]);
  });

  test.each(["abc", "u".repeat(63), "bandup.uploads-1", "1.2.3.4.5"])("accepts %s", (bucket) => {
    expect(problemsOf("dev", { uploadsBucket: bucket })).toEqual([]);
  });
});

describe("stage", () => {
  test.each([
    ["dev", "dev"],
    ["staging", "staging"],
    ["prod", "prod"],
    // Any other name takes the last turn: it gets a change only after every dev and staging environment.
    ["qa", "prod"],
    ["eu-prod", "prod"],
  ])("%s defaults to stage %s", (name, stage) => {
    expect(resolveEnvironment(name, {}).stage).toBe(stage);
  });

  test("a stage that is set wins over the name", () => {
    expect(resolveEnvironment("qa", { stage: "staging" }).stage).toBe("staging");
    expect(resolveEnvironment("dev", { stage: "prod" }).stage).toBe("prod");
  });

  test("allEnvironments keeps each environment's stage, in the order of the settings", () => {
    expect(allEnvironments({ qa: { stage: "dev" }, dev: {}, "eu-prod": {} }).map((e) => [e.name, e.stage])).toEqual([
      ["qa", "dev"],
      ["dev", "dev"],
      ["eu-prod", "prod"],
    ]);
  });

  test("an unknown stage stops with the environment, the field, the value and the allowed stages", () => {
    expect(() => allEnvironments({ dev: {}, qa: { stage: "testing" as never } })).toThrow(
      new EnvironmentConfigError("qa", ["`stage` must be one of `dev`, `staging`, `prod`; got `testing`"]),
    );
    expect(() => resolveEnvironment("prod", { stage: "Prod" as never })).toThrow(
      "Invalid settings for environment `prod`:\n  - `stage` must be one of `dev`, `staging`, `prod`; got `Prod`",
    );
  });
});

describe("alarm settings", () => {
  function errorOf(run: () => unknown): EnvironmentConfigError {
    try {
      run();
    } catch (error) {
      if (error instanceof EnvironmentConfigError) return error;
    }
    throw new Error("expected an EnvironmentConfigError");
  }

  test.each(["dev", "staging"])("%s: topic and dashboard named with the environment, a key created for the topic, no subscription", (name) => {
    expect(getEnvironment(name).alarms).toEqual({
      topicName: `bandup-alarms-${name}`,
      topicKmsKeyArn: undefined,
      emails: [],
      dashboardName: `bandup-operations-${name}`,
    });
  });

  test("alarmEmails and alarmTopicKmsKeyArn are taken as given", () => {
    const alarms = resolveEnvironment("dev", { alarmEmails: ["ops@example.com", "On.Call+bandup@example.co.uk"], alarmTopicKmsKeyArn: VALID_KEY }).alarms;
    expect(alarms).toMatchObject({ emails: ["ops@example.com", "On.Call+bandup@example.co.uk"], topicKmsKeyArn: VALID_KEY });
  });

  test("throws for malformed addresses, naming each by its index", () => {
    const error = errorOf(() => resolveEnvironment("dev", { alarmEmails: ["ops@example.com", "ops", "a b@example.com", "x@localhost", `${"a".repeat(250)}@example.com`] }));
    expect(error.problems).toEqual([
      "`alarmEmails[1]` must be an email address like ops@example.com; got `ops`",
      "`alarmEmails[2]` must be an email address like ops@example.com; got `a b@example.com`",
      "`alarmEmails[3]` must be an email address like ops@example.com; got `x@localhost`",
      `\`alarmEmails[4]\` must be an email address like ops@example.com; got \`${"a".repeat(250)}@example.com\``,
    ]);
  });

  test("throws for an address listed twice, whatever its case", () => {
    expect(() => resolveEnvironment("dev", { alarmEmails: ["ops@example.com", "oncall@example.com", "OPS@example.com"] })).toThrow(
      "`alarmEmails[2]` repeats `alarmEmails[0]` (`OPS@example.com`); list each address once",
    );
  });

  test("throws for a topic key that is not a key ARN, in another region, or in another partition", () => {
    expect(() => resolveEnvironment("dev", { alarmTopicKmsKeyArn: "alias/aws/sns" })).toThrow(
      "`alarmTopicKmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `alias/aws/sns`",
    );
    expect(() => resolveEnvironment("dev", { region: "eu-west-1", alarmTopicKmsKeyArn: VALID_KEY })).toThrow(
      "`alarmTopicKmsKeyArn` is in region `us-east-1` but the environment deploys to `eu-west-1`; SNS needs a key in the topic's region",
    );
    expect(() => resolveEnvironment("dev", { region: "cn-north-1", alarmTopicKmsKeyArn: "arn:aws:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" })).toThrow(
      "`alarmTopicKmsKeyArn` is in partition `aws` but region `cn-north-1` is in partition `aws-cn`, whose key ARNs start with `arn:aws-cn:kms:cn-north-1:`; got `arn:aws:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`",
    );
  });

  test("accepts a key of the region's own partition", () => {
    const key = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef";
    expect(resolveEnvironment("dev", { region: "us-gov-west-1", alarmTopicKmsKeyArn: key }).alarms.topicKmsKeyArn).toBe(key);
  });
});
