/**
 * The settings that decide how the tables are operated (stacks/environments.ts, resolveTableOperations):
 * recovery window, cost caps, class, replicas and the restore of a table. Defaults per environment,
 * overrides, and one test per validation rule with its exact message.
 */
import {
  DEFAULT_THROUGHPUT_CAPS,
  EnvironmentConfigError,
  EnvironmentSettings,
  functionTableName,
  getEnvironment,
  resolveEnvironment,
} from "../../stacks/environments";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const WEST_KEY = "arn:aws:kms:us-west-2:123456789012:key/2234abcd-12ab-34cd-56ef-1234567890ab";
const EU_KEY = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";

/** The problems `resolveEnvironment` reports for these settings (none: []). */
function problemsOf(name: string, settings: EnvironmentSettings): readonly string[] {
  try {
    resolveEnvironment(name, settings);
    return [];
  } catch (error) {
    if (!(error instanceof EnvironmentConfigError)) throw error;
    return error.problems;
  }
}

describe("defaults", () => {
  test.each(["dev", "staging"])("%s: 7 days of PITR, the default caps on every table and index, STANDARD, no replicas, no restore", (name) => {
    expect(getEnvironment(name)).toMatchObject({
      pitrRecoveryDays: 7,
      onDemandThroughput: {
        evaluations: { table: { maxReadRequestUnits: 1000, maxWriteRequestUnits: 400 }, historyIndex: { maxReadRequestUnits: 128, maxWriteRequestUnits: 400 } },
        "flashcard-sets": { table: { maxReadRequestUnits: 1000, maxWriteRequestUnits: 400 }, historyIndex: { maxReadRequestUnits: 128, maxWriteRequestUnits: 400 } },
      },
      tableClass: "STANDARD",
      replicas: [],
      tableStreamEnabled: false,
      restore: undefined,
    });
  });

  test("prod (protected): 35 days of PITR and no caps (no on_demand_throughput block at all)", () => {
    const prod = getEnvironment("prod");
    expect(prod.pitrRecoveryDays).toBe(35);
    expect(prod.onDemandThroughput).toEqual({
      evaluations: { table: undefined, historyIndex: undefined },
      "flashcard-sets": { table: undefined, historyIndex: undefined },
    });
  });

  test("the protection decides, not the name: an unprotected prod gets 7 days and caps, a protected dev 35 and none", () => {
    expect(resolveEnvironment("prod", { protected: false })).toMatchObject({ pitrRecoveryDays: 7, onDemandThroughput: { evaluations: { table: DEFAULT_THROUGHPUT_CAPS.table } } });
    expect(resolveEnvironment("dev", { protected: true })).toMatchObject({ pitrRecoveryDays: 35, onDemandThroughput: { evaluations: { table: undefined } } });
  });
});

describe("pitrRecoveryDays and tableClass", () => {
  test("set per environment", () => {
    expect(resolveEnvironment("prod", { pitrRecoveryDays: 14, tableClass: "STANDARD_INFREQUENT_ACCESS" })).toMatchObject({
      pitrRecoveryDays: 14,
      tableClass: "STANDARD_INFREQUENT_ACCESS",
    });
  });

  test.each([0, 36, 7.5])("refuses %s days", (days) => {
    expect(problemsOf("dev", { pitrRecoveryDays: days })).toEqual([`\`pitrRecoveryDays\` must be a whole number of days from 1 to 35; got \`${days}\``]);
  });

  test("refuses a table class DynamoDB does not have", () => {
    expect(problemsOf("dev", { tableClass: "INFREQUENT" as never })).toEqual(["`tableClass` must be one of STANDARD, STANDARD_INFREQUENT_ACCESS; got `INFREQUENT`"]);
  });
});

describe("onDemandThroughput", () => {
  test("one unit of one table set: the other unit and the other tables keep their defaults", () => {
    const { onDemandThroughput } = resolveEnvironment("dev", { onDemandThroughput: { evaluations: { table: { maxWriteRequestUnits: 800 } } } });
    expect(onDemandThroughput.evaluations).toEqual({ table: { maxReadRequestUnits: 1000, maxWriteRequestUnits: 800 }, historyIndex: DEFAULT_THROUGHPUT_CAPS.historyIndex });
    expect(onDemandThroughput["flashcard-sets"]).toEqual(DEFAULT_THROUGHPUT_CAPS);
  });

  test("`false` turns one cap off, or every cap of the environment", () => {
    expect(resolveEnvironment("staging", { onDemandThroughput: { "flashcard-sets": { historyIndex: false } } }).onDemandThroughput["flashcard-sets"]).toEqual({
      table: DEFAULT_THROUGHPUT_CAPS.table,
      historyIndex: false,
    });
    expect(resolveEnvironment("dev", { onDemandThroughput: false }).onDemandThroughput).toEqual({
      evaluations: { table: false, historyIndex: false },
      "flashcard-sets": { table: false, historyIndex: false },
    });
  });

  test("a protected environment takes caps too, both units given", () => {
    expect(resolveEnvironment("prod", { onDemandThroughput: { evaluations: { table: { maxReadRequestUnits: 4000, maxWriteRequestUnits: 2000 } } } }).onDemandThroughput.evaluations).toEqual({
      table: { maxReadRequestUnits: 4000, maxWriteRequestUnits: 2000 },
      historyIndex: undefined,
    });
  });

  test("refuses one unit where there is no default to complete it", () => {
    expect(problemsOf("prod", { onDemandThroughput: { evaluations: { historyIndex: { maxReadRequestUnits: 50 } } } })).toEqual([
      "`onDemandThroughput.evaluations.historyIndex.maxWriteRequestUnits` is required: onDemandThroughput.evaluations.historyIndex has no default cap in this environment, so give both units (or `false`)",
    ]);
  });

  test("refuses a cap below 1 or not whole, and a table the app does not have", () => {
    expect(
      problemsOf("dev", {
        onDemandThroughput: { evaluations: { table: { maxReadRequestUnits: 0 }, historyIndex: { maxWriteRequestUnits: 1.5 } }, users: {} } as never,
      }),
    ).toEqual([
      "`onDemandThroughput.evaluations.table.maxReadRequestUnits` must be a whole number of request units per second, 1 or more; got `0`",
      "`onDemandThroughput.evaluations.historyIndex.maxWriteRequestUnits` must be a whole number of request units per second, 1 or more; got `1.5`",
      "`onDemandThroughput.users` is not a table of this app; the tables are `evaluations`, `flashcard-sets`",
    ]);
  });
});

describe("replicaRegions and replicaKmsKeyArns", () => {
  test("replicas in the listed regions; the stream is on whenever the setting is there, even empty", () => {
    expect(resolveEnvironment("dev", { replicaRegions: ["us-west-2", "eu-west-1"] })).toMatchObject({
      replicas: [{ region: "us-west-2", kmsKeyArn: undefined }, { region: "eu-west-1", kmsKeyArn: undefined }],
      tableStreamEnabled: true,
    });
    expect(resolveEnvironment("dev", { replicaRegions: [] })).toMatchObject({ replicas: [], tableStreamEnabled: true });
  });

  test("with a customer key, each replica gets the key of its region", () => {
    expect(
      resolveEnvironment("prod", { tableKmsKeyArn: KEY, replicaRegions: ["us-west-2", "eu-west-1"], replicaKmsKeyArns: { "us-west-2": WEST_KEY, "eu-west-1": EU_KEY } }).replicas,
    ).toEqual([
      { region: "us-west-2", kmsKeyArn: WEST_KEY },
      { region: "eu-west-1", kmsKeyArn: EU_KEY },
    ]);
  });

  test.each<[string, EnvironmentSettings, string]>([
    ["the environment's own region", { replicaRegions: ["us-east-1"] }, "`replicaRegions[0]` is `us-east-1`, the environment's own region; a replica must be in another region"],
    ["an unknown region", { replicaRegions: ["us-west-9"] }, "`replicaRegions[0]` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got `us-west-9`; did you mean `us-west-1` or `us-west-2`?"],
    ["a region of another partition", { replicaRegions: ["cn-north-1"] }, "`replicaRegions[0]` is `cn-north-1`, in partition `aws-cn`; the environment is in `aws` and a global table cannot span partitions"],
    ["a region twice", { replicaRegions: ["us-west-2", "us-west-2"] }, "`replicaRegions[1]` repeats `us-west-2`; list each region once"],
    [
      "a replica without a key when the tables have one",
      { tableKmsKeyArn: KEY, replicaRegions: ["us-west-2"] },
      "`replicaKmsKeyArns.us-west-2` is required: the tables have a customer key (`tableKmsKeyArn`), so the replica in `us-west-2` needs a key of that region",
    ],
    [
      "a replica key without a table key",
      { replicaRegions: ["us-west-2"], replicaKmsKeyArns: { "us-west-2": WEST_KEY } },
      "`replicaKmsKeyArns.us-west-2` is set but `tableKmsKeyArn` is not; replicas use the tables' kind of key: set `tableKmsKeyArn` or remove the replica keys",
    ],
    [
      "a key for a region without a replica",
      { tableKmsKeyArn: KEY, replicaRegions: [], replicaKmsKeyArns: { "us-west-2": WEST_KEY } },
      "`replicaKmsKeyArns.us-west-2` names a region that is not in `replicaRegions`; add the region or remove the key",
    ],
    [
      "a key of another region",
      { tableKmsKeyArn: KEY, replicaRegions: ["us-west-2"], replicaKmsKeyArns: { "us-west-2": EU_KEY } },
      "`replicaKmsKeyArns.us-west-2` is in region `eu-west-1` but its replica is in `us-west-2`; DynamoDB needs a key in the table's region",
    ],
    [
      "a key of another partition",
      { tableKmsKeyArn: KEY, replicaRegions: ["us-west-2"], replicaKmsKeyArns: { "us-west-2": WEST_KEY.replace("arn:aws:", "arn:aws-cn:") } },
      `\`replicaKmsKeyArns.us-west-2\` is in partition \`aws-cn\` but region \`us-west-2\` is in partition \`aws\`, whose key ARNs start with \`arn:aws:kms:us-west-2:\`; got \`${WEST_KEY.replace("arn:aws:", "arn:aws-cn:")}\``,
    ],
    [
      "a key alias",
      { tableKmsKeyArn: KEY, replicaRegions: ["us-west-2"], replicaKmsKeyArns: { "us-west-2": "alias/bandup" } },
      "`replicaKmsKeyArns.us-west-2` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `alias/bandup`",
    ],
  ])("refuses %s", (_name, settings, message) => {
    expect(problemsOf("dev", settings)).toEqual([message]);
  });

  test("in a GovCloud environment, a replica in the other GovCloud region is fine, a commercial one is not", () => {
    expect(problemsOf("dev", { region: "us-gov-west-1", replicaRegions: ["us-gov-east-1"] })).toEqual([]);
    expect(problemsOf("dev", { region: "us-gov-west-1", replicaRegions: ["us-east-1"] })).toEqual([
      "`replicaRegions[0]` is `us-east-1`, in partition `aws`; the environment is in `aws-us-gov` and a global table cannot span partitions",
    ]);
  });
});

describe("restore", () => {
  const AT = "2026-11-20T08:30:00Z";

  test("step 1: a new table named after the original, the functions still on the original", () => {
    const environment = resolveEnvironment("dev", { restore: { table: "evaluations", pointInTime: AT } });
    expect(environment.restore).toEqual({
      table: "evaluations",
      sourceTableName: "bandup-evaluations-dev",
      pointInTime: AT,
      tableName: "bandup-evaluations-dev-restored",
      switchFunctions: false,
      original: "keep",
    });
    expect(functionTableName(environment, "evaluations")).toBe("bandup-evaluations-dev");
  });

  test("step 2: the functions of that table use the restored one; the other table's do not change", () => {
    const environment = resolveEnvironment("prod", { restore: { table: "flashcard-sets", pointInTime: "latest", tableName: "bandup-flashcard-sets-20261120", switchFunctions: true } });
    expect(functionTableName(environment, "flashcard-sets")).toBe("bandup-flashcard-sets-20261120");
    expect(functionTableName(environment, "evaluations")).toBe("bandup-evaluations");
  });

  test("step 3: unprotect (protected environments) and retire, once the functions are switched", () => {
    expect(resolveEnvironment("prod", { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "unprotect" } }).restore?.original).toBe("unprotect");
    expect(resolveEnvironment("dev", { restore: { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "retire" } }).restore?.original).toBe("retire");
  });

  test.each<[string, EnvironmentSettings["restore"], string]>([
    ["a table the app does not have", { table: "users" as never, pointInTime: AT }, "`restore.table` must be one of evaluations, flashcard-sets; got `users`"],
    ["the name of an existing table", { table: "evaluations", pointInTime: AT, tableName: "bandup-flashcard-sets-dev" }, "`restore.tableName` is `bandup-flashcard-sets-dev`, the name of a table of this environment; a restore creates a new table"],
    ["a bad table name", { table: "evaluations", pointInTime: AT, tableName: "ab" }, "`restore.tableName` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`"],
    ["a local time", { table: "evaluations", pointInTime: "2026-11-20 08:30" }, '`restore.pointInTime` must be an RFC 3339 time in UTC such as "2026-11-20T08:30:00Z", or "latest"; got `2026-11-20 08:30`'],
    ["a day the calendar does not have", { table: "evaluations", pointInTime: "2026-02-30T08:30:00Z" }, "`restore.pointInTime` must be a date and time that exist on the calendar; got `2026-02-30T08:30:00Z`"],
    ["an original retired while the functions use it", { table: "evaluations", pointInTime: AT, original: "retire" }, "`restore.original` is `retire` but the functions still use `bandup-evaluations-dev`; set `restore.switchFunctions: true` first (and deploy it)"],
    ["unprotect where nothing is protected", { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "unprotect" }, "`restore.original` is `unprotect` but `dev` is not protected: its tables have no deletion protection to turn off; use `retire`"],
    ["an unknown step", { table: "evaluations", pointInTime: AT, switchFunctions: true, original: "delete" as never }, "`restore.original` must be one of keep, unprotect, retire; got `delete`"],
  ])("refuses %s", (_name, restore, message) => {
    expect(problemsOf("dev", { restore })).toEqual([message]);
  });

  test("refuses a time in the future (DynamoDB restores only to a past time)", () => {
    const [problem] = problemsOf("dev", { restore: { table: "evaluations", pointInTime: "2999-01-01T00:00:00Z" } });
    expect(problem).toMatch(
      /^`restore\.pointInTime` must be a past time \(DynamoDB restores only to a time within the recovery window; it is now \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\); got `2999-01-01T00:00:00Z`$/,
    );
  });
});

describe("settings written in plain JavaScript", () => {
  test("every value of the wrong type and every unknown key of the table settings, with the closest known key", () => {
    expect(
      problemsOf("dev", {
        pitrRecoveryDays: "35",
        tableClass: 1,
        onDemandThroughput: { evaluations: { table: { maxReadRequestUnits: "1000" }, historyIndx: false }, "flashcard-sets": true },
        replicaRegions: ["us-west-2", 7],
        replicaKmsKeyArns: { "us-west-2": null },
        restore: { table: "evaluations", pointInTime: "latest", switchFunction: true },
      } as never),
    ).toEqual([
      "`pitrRecoveryDays` must be a number; got `\"35\"` (a string)",
      "`tableClass` must be a string; got `1` (a number)",
      "`onDemandThroughput.evaluations.table.maxReadRequestUnits` must be a number; got `\"1000\"` (a string)",
      "`onDemandThroughput.evaluations.historyIndx` is not a throughput setting of a table; did you mean `historyIndex`?",
      "`onDemandThroughput.flashcard-sets` must be an object; got `true` (a boolean)",
      "`replicaRegions[1]` must be a string; got `7` (a number)",
      "`replicaKmsKeyArns.us-west-2` must be a string; got `null`",
      "`restore.switchFunction` is not a restore setting; did you mean `switchFunctions`?",
    ]);
  });

  test("`onDemandThroughput` and a cap are an object or `false`; `replicaRegions` is a list", () => {
    expect(problemsOf("dev", { onDemandThroughput: true, replicaRegions: "us-west-2" } as never)).toEqual([
      "`onDemandThroughput` must be an object or `false`; got `true` (a boolean)",
      "`replicaRegions` must be a list; got `\"us-west-2\"` (a string)",
    ]);
    expect(problemsOf("dev", { onDemandThroughput: { evaluations: { table: 400 } } } as never)).toEqual([
      "`onDemandThroughput.evaluations.table` must be an object or `false`; got `400` (a number)",
    ]);
  });

  test("a restore without its table or time names what is missing", () => {
    expect(problemsOf("dev", { restore: {} } as never)).toEqual([
      "`restore.table` is required: a restore names the table to restore and the time to restore it to",
      "`restore.pointInTime` is required: a restore names the table to restore and the time to restore it to",
    ]);
  });
});

test("every problem of the section is reported at once, with the environment's name", () => {
  expect(() => resolveEnvironment("staging", { pitrRecoveryDays: 40, tableClass: "X" as never, replicaRegions: ["us-east-1"] })).toThrow(
    "Invalid settings for environment `staging`:\n" +
      "  - `pitrRecoveryDays` must be a whole number of days from 1 to 35; got `40`\n" +
      "  - `tableClass` must be one of STANDARD, STANDARD_INFREQUENT_ACCESS; got `X`\n" +
      "  - `replicaRegions[0]` is `us-east-1`, the environment's own region; a replica must be in another region",
  );
});
