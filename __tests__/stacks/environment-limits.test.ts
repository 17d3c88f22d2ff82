/**
 * Settings that pass a shape check and that AWS would refuse at apply, or that collide with another
 * environment's resources (issue 25, "settings AWS would refuse stop synth"): tags per resource, tag
 * keys that differ only in case, keys the app sets itself, derived names (restored and replica tables),
 * an unknown region reported once, alarm emails by a real address rule, customer keys of another
 * account. Each with its exact message.
 */
import {
  allEnvironments,
  EnvironmentConfigError,
  EnvironmentSettings,
  EnvironmentsConfigError,
  MAX_TAGS_PER_RESOURCE,
  resolveEnvironment,
} from "../../stacks/environments";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const WEST_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/2234abcd-12ab-34cd-56ef-1234567890ab`;
const REGION_RULE = "`region` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got ";

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

/** `count` tags `Tag1`... `TagN`. */
function manyTags(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_unused, i) => [`Tag${i + 1}`, "x"]));
}

describe("tags per resource: AWS allows 50, the app's own and the provider's default tags count", () => {
  test("AWS's limit is 50 tags per resource", () => {
    expect(MAX_TAGS_PER_RESOURCE).toBe(50);
  });

  test("every resource carries Project, Environment and ManagedBy, so 47 extra tags fit and 48 do not (the stack creates no key: the bootstrap does)", () => {
    expect(problemsOf("dev", { extraTags: manyTags(47) })).toEqual([]);
    expect(problemsOf("dev", { extraTags: manyTags(48) })).toEqual([
      "`extraTags` has 48 tags, and this app puts 3 more on every resource (`Project`, `Environment` and `ManagedBy`): 51 tags, where AWS allows 50 per resource; keep at most 47 extra tags",
    ]);
  });

  test("with a customer key for the topic: the same, 47 fit", () => {
    expect(problemsOf("dev", { alarmTopicKmsKeyArn: KEY, extraTags: manyTags(47) })).toEqual([]);
    expect(problemsOf("dev", { alarmTopicKmsKeyArn: KEY, extraTags: manyTags(48) })).toEqual([
      "`extraTags` has 48 tags, and this app puts 3 more on every resource (`Project`, `Environment` and `ManagedBy`): 51 tags, where AWS allows 50 per resource; keep at most 47 extra tags",
    ]);
  });
});

describe("tag keys: unique whatever their case, none the app sets itself", () => {
  test("ManagedBy (the provider's default tag) and BandupStack (the owner tag of the keys earlier versions created) are refused, not silently overwritten", () => {
    expect(problemsOf("dev", { extraTags: { ManagedBy: "terraform", BandupStack: "bandup-prod" } })).toEqual([
      "`extraTags.ManagedBy` would override a tag this app sets itself; remove it",
      "`extraTags.BandupStack` would override a tag this app sets itself; remove it (the owner tag of the KMS keys earlier versions of the stacks created)",
    ]);
  });

  test("a key that differs only in case from one of the app's, or from another extra tag, is refused: IAM compares tag keys case-insensitively", () => {
    expect(problemsOf("dev", { extraTags: { project: "x", Owner: "a", owner: "b", managedby: "me" } })).toEqual([
      "`extraTags.project` differs only in case from `Project`, a tag this app sets itself; IAM compares tag keys case-insensitively, so the functions' roles cannot carry both: remove it",
      "`extraTags.owner` differs only in case from `extraTags.Owner`; IAM compares tag keys case-insensitively, so the functions' roles cannot carry both: keep one",
      "`extraTags.managedby` differs only in case from `ManagedBy`, a tag this app sets itself; IAM compares tag keys case-insensitively, so the functions' roles cannot carry both: remove it",
    ]);
  });
});

describe("derived names in the check of what environments cannot share", () => {
  const AT = "2026-11-20T08:30:00Z";
  const ACCOUNT_NOTE = "which may be the same AWS account (set `accountId` on both if it is not)";

  test("the table a restore creates is also the table of an environment named <env>-restored", () => {
    expect(problemsOfAll({ dev: { restore: { table: "evaluations", pointInTime: AT } }, "dev-restored": {} })).toEqual({
      "dev-restored": [
        "`tableNames.evaluations`: table `bandup-evaluations-dev-restored` is also the table the restore of environment `dev` creates (`restore.tableName`) " +
          `in us-east-1, ${ACCOUNT_NOTE}; table names must be unique in an account and region, so change \`tableNames.evaluations\` here or \`restore.tableName\` in \`dev\``,
      ],
    });
    // The other way round, the problem is the restore's.
    expect(problemsOfAll({ "dev-restored": {}, dev: { restore: { table: "evaluations", pointInTime: AT } } })).toEqual({
      dev: [
        "`restore.tableName`: table `bandup-evaluations-dev-restored` (the table the restore creates) is also a table of environment `dev-restored` " +
          `in us-east-1, ${ACCOUNT_NOTE}; table names must be unique in an account and region, so change \`restore.tableName\` here or \`tableNames.evaluations\` in \`dev-restored\``,
      ],
    });
  });

  test("a replica's table in its region is also the table of an environment at home there", () => {
    const design = { evaluations: "bandup-evaluations", "flashcard-sets": "bandup-flashcard-sets" };
    expect(problemsOfAll({ prod: { replicaRegions: ["eu-west-1"] }, "eu-prod": { region: "eu-west-1", tableNames: design } })).toEqual({
      "eu-prod": ["evaluations", "flashcard-sets"].map(
        (kind) =>
          `\`tableNames.${kind}\`: table \`bandup-${kind}\` is also a replica table of environment \`prod\` (\`replicaRegions\`) in eu-west-1, ${ACCOUNT_NOTE}; ` +
          `table names must be unique in an account and region, so change \`tableNames.${kind}\` here or \`replicaRegions\` in \`prod\``,
      ),
    });
    // Accounts known apart share nothing.
    expect(
      problemsOfAll({
        prod: { accountId: ACCOUNT, replicaRegions: ["eu-west-1"] },
        "eu-prod": { region: "eu-west-1", accountId: OTHER_ACCOUNT, tableNames: design },
      }),
    ).toEqual({});
  });

  test("an environment with a problem of its own is still checked against the others, in the same round", () => {
    expect(problemsOfAll({ dev: { tableNames: { evaluations: "bandup-evaluations" }, logRetentionDays: 31 }, prod: {} })).toEqual({
      dev: ["`logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got `31`"],
      prod: [
        "`tableNames.evaluations`: table `bandup-evaluations` is also a table of environment `dev` in us-east-1, which may be the same AWS account (set `accountId` " +
          "on both if it is not); table names must be unique in an account and region, so give one of them another `tableNames.evaluations`",
      ],
    });
  });
});

describe("an unknown region is reported once, without the problems it would cause downstream", () => {
  test("no partition `undefined`, no key 'in another region' than a region that does not exist", () => {
    expect(
      problemsOf("dev", {
        region: "us-east",
        tableKmsKeyArn: KEY,
        replicaRegions: ["us-west-2"],
        replicaKmsKeyArns: { "us-west-2": WEST_KEY },
        alarmTopicKmsKeyArn: KEY,
      }),
    ).toEqual([`${REGION_RULE}\`us-east\`; did you mean \`us-east-1\` or \`us-east-2\`?`]);
  });

  test("two environments in the same unknown region: each reports its region, neither reports a shared name", () => {
    const region = `${REGION_RULE}\`nowhere\`; no known region is close to it: pick one from constructs/aws-partitions.ts`;
    const shared = { region: "nowhere", tableNames: { evaluations: "shared-table" } };
    expect(problemsOfAll({ dev: shared, staging: shared })).toEqual({ dev: [region], staging: [region] });
  });
});

describe("alarm emails: an address SNS can deliver to", () => {
  const RULE =
    "must be an address HTML's `<input type=email>` accepts, narrowed to RFC 5321/5322: a local part of letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ " +
    "with single dots between them, at most 64 characters, then @ and a domain of two or more labels of letters, digits and - (not at either end)";

  test.each([
    ["a,b@c.de", "`,` is not allowed before the @"],
    ["<script>@x.io", "`<` is not allowed before the @"],
    ["ops@exa_mple.com", "`_` is not allowed in the domain"],
    ["ops@-example.com", "a domain label cannot start or end with -, nor be longer than 63 characters"],
    [".ops@example.com", "a dot cannot start or end the local part, nor follow another"],
    ["ops.@example.com", "a dot cannot start or end the local part, nor follow another"],
    [`${"o".repeat(65)}@example.com`, "the local part has 65 characters"],
  ])("refuses %s: %s", (address, why) => {
    expect(problemsOf("dev", { alarmEmails: [address] })).toEqual([`\`alarmEmails[0]\` ${RULE}: ${why}; got \`${address}\``]);
  });

  test.each(["ops@example.com", "On.Call+bandup@example.co.uk", "o'neil@example.ie", "ops@xn--bcher-kva.example", `${"o".repeat(64)}@example.com`])("accepts %s", (address) => {
    expect(problemsOf("dev", { alarmEmails: [address] })).toEqual([]);
  });
});

describe("customer keys of another account than the environment's", () => {
  const CROSS_ACCOUNT =
    "KMS lets a key serve another account only when the key's own policy, in its account, allows this environment's roles and services, and this app " +
    "can neither write nor check that policy";

  test("each key whose account is not `accountId` is refused, saying why", () => {
    const foreign = (arn: string) => arn.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`);
    expect(
      problemsOf("dev", {
        accountId: ACCOUNT,
        tableKmsKeyArn: foreign(KEY),
        replicaRegions: ["us-west-2"],
        replicaKmsKeyArns: { "us-west-2": foreign(WEST_KEY) },
        alarmTopicKmsKeyArn: foreign(KEY),
      }),
    ).toEqual(
      ["tableKmsKeyArn", "replicaKmsKeyArns.us-west-2", "alarmTopicKmsKeyArn"].map(
        (field) => `\`${field}\` is a key of account \`${OTHER_ACCOUNT}\` but \`accountId\` is \`${ACCOUNT}\`: use a key of \`${ACCOUNT}\`. ${CROSS_ACCOUNT}`,
      ),
    );
    expect(problemsOf("dev", { accountId: ACCOUNT, tableKmsKeyArn: KEY, alarmTopicKmsKeyArn: KEY })).toEqual([]);
  });

  test("without `accountId`, keys of two accounts are refused: an environment deploys to one account", () => {
    expect(problemsOf("dev", { tableKmsKeyArn: KEY, alarmTopicKmsKeyArn: KEY.replace(`:${ACCOUNT}:`, `:${OTHER_ACCOUNT}:`) })).toEqual([
      `\`alarmTopicKmsKeyArn\` is a key of account \`${OTHER_ACCOUNT}\` but \`tableKmsKeyArn\` is a key of \`${ACCOUNT}\`: an environment deploys to one account, ` +
        `so at least one of them is another account's. ${CROSS_ACCOUNT}; set \`accountId\` and use keys of that account`,
    ]);
  });
});
