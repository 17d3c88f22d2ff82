import { BOOTSTRAP, BootstrapConfigError, resolveBootstrapSettings } from "../../stacks/bootstrap-settings";
import { allEnvironments, resolveEnvironment } from "../../stacks/environments";

const environments = allEnvironments();
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** The message `resolveBootstrapSettings` throws, or undefined. */
function problemOf(settings: Parameters<typeof resolveBootstrapSettings>[0], envs = environments): string | undefined {
  try {
    resolveBootstrapSettings(settings, envs);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(BootstrapConfigError);
    return (error as Error).message;
  }
}

test("the project's settings resolve to the backend's defaults: us-east-1, prefix bandup, SSE-S3, a new OIDC provider", () => {
  expect(resolveBootstrapSettings(BOOTSTRAP, environments)).toEqual({
    githubRepository: undefined,
    stateBucket: undefined,
    stateRegion: "us-east-1",
    stateKeyPrefix: "bandup",
    stateKmsKeyArn: undefined,
    githubOidcProviderArn: undefined,
  });
});

test("every setting given is kept as given", () => {
  const settings = {
    githubRepository: "My-Org/bandup.infra_2",
    stateBucket: "my-org-bandup-state",
    stateRegion: "eu-west-1",
    stateKeyPrefix: "teams/bandup",
    stateKmsKeyArn: KEY.replace("us-east-1", "eu-west-1"),
    githubOidcProviderArn: PROVIDER,
  };
  expect(resolveBootstrapSettings(settings, environments)).toEqual(settings);
});

test.each([
  ["no owner", "bandup-infra"],
  ["three parts", "my-org/bandup/infra"],
  ["an owner starting with -", "-my-org/bandup-infra"],
  ["two hyphens in a row", "my--org/bandup-infra"],
  ["an owner of 40 characters", `${"a".repeat(40)}/bandup-infra`],
  ["a repository named ..", "my-org/.."],
  ["a space", "my-org/bandup infra"],
  ["a wildcard", "my-org/*"],
])("`githubRepository` with %s is refused, naming the rule and the value", (_, value) => {
  expect(problemOf({ githubRepository: value })).toBe(
    "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n" +
      "  - `githubRepository` must be `<owner>/<repository>` as GitHub spells them, e.g. `my-org/bandup-infra` " +
      "(owner: a GitHub user or organization name (1-39 letters, digits and single hyphens, not starting or ending with -); " +
      `repository: a GitHub repository name (1-100 characters of letters, digits, . _ -, not . or ..)); got \`${value}\``,
  );
});

test("every problem is listed at once, each naming the field, the value and what is allowed", () => {
  expect(
    problemOf({
      stateBucket: "My_Bucket",
      stateRegion: "mars-1",
      stateKeyPrefix: "/bandup/",
      stateKmsKeyArn: "alias/state",
      githubOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
    }),
  ).toBe(
    [
      "Invalid bootstrap settings (stacks/bootstrap-settings.ts):",
      "  - `stateBucket` must be an S3 bucket name (3-63 characters of a-z, 0-9, . and -); got `My_Bucket`",
      "  - `stateRegion` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got `mars-1`; no known region is close to it: pick one from constructs/aws-partitions.ts",
      "  - `stateKeyPrefix` must be an S3 key prefix without leading or trailing /; got `/bandup/`",
      "  - `stateKmsKeyArn` must be a KMS key ARN like arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias); got `alias/state`",
      "  - `githubOidcProviderArn` must be the ARN of the account's GitHub OIDC provider, arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com; got `arn:aws:iam::123456789012:oidc-provider/gitlab.com`",
    ].join("\n"),
  );
});

test("the state key must be in the bucket's region", () => {
  expect(problemOf({ stateRegion: "eu-west-1", stateKmsKeyArn: KEY })).toBe(
    "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n  - `stateKmsKeyArn` is in region `us-east-1` but the state bucket is in `eu-west-1`; S3 needs a key in the bucket's region",
  );
});

test("an environment named bootstrap is refused: it would share the bootstrap's state key and stack name", () => {
  expect(problemOf({}, [...environments, resolveEnvironment("bootstrap", {})])).toBe(
    "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n" +
      "  - the environment `bootstrap` would share the bootstrap's state key (`bandup/bootstrap/terraform.tfstate`) and stack name (`bandup-bootstrap`); rename the environment in stacks/environments.ts",
  );
});

describe("settings written in plain JavaScript, checked like the environments'", () => {
  const HEADER = "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n";
  /** Settings as a JavaScript file could hold them: any key, any value. */
  const untyped = (settings: Record<string, unknown>) => problemOf(settings as never);

  test("an unknown key is refused with the closest known one, or the list of known ones", () => {
    expect(untyped({ stateBuckt: "my-org-bandup-state", region: "eu-west-1" })).toBe(
      HEADER +
        "  - `stateBuckt` is not a bootstrap setting; did you mean `stateBucket`?\n" +
        "  - `region` is not a bootstrap setting; the known ones are `githubRepository`, `stateBucket`, `stateRegion`, `stateKeyPrefix`, `stateKmsKeyArn`, `githubOidcProviderArn`",
    );
  });

  test("a value of the wrong type is refused once, with its type; the default stands in for the other checks", () => {
    expect(untyped({ stateRegion: 42, githubRepository: null, stateKeyPrefix: ["bandup"] })).toBe(
      HEADER +
        "  - `stateRegion` must be a string; got `42` (a number)\n" +
        "  - `githubRepository` must be a string; got `null`\n" +
        '  - `stateKeyPrefix` must be a string; got `["bandup"]` (a list)',
    );
  });

  test("settings that are not an object are refused", () => {
    expect(problemOf("bandup" as never)).toBe(`${HEADER}  - the settings must be an object; got \`"bandup"\` (a string)`);
  });

  test("a misspelt region gets the closest ones the pinned provider knows", () => {
    expect(problemOf({ stateRegion: "us-esat-1" })).toBe(
      `${HEADER}  - \`stateRegion\` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got \`us-esat-1\`; did you mean \`us-east-1\`?`,
    );
  });
});

describe("one partition for the bucket, its key, the OIDC provider and every environment", () => {
  const HEADER = "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n";
  const china = allEnvironments({ dev: { region: "cn-north-1" } });

  test("a state key of another partition is refused, naming the partition its ARN must start with", () => {
    expect(problemOf({ stateRegion: "cn-north-1", stateKmsKeyArn: KEY.replace("us-east-1", "cn-north-1") }, china)).toBe(
      `${HEADER}  - \`stateKmsKeyArn\` is in partition \`aws\` but region \`cn-north-1\` is in partition \`aws-cn\`, whose key ARNs start with \`arn:aws-cn:kms:cn-north-1:\`; got \`${KEY.replace("us-east-1", "cn-north-1")}\``,
    );
    expect(problemOf({ stateRegion: "cn-north-1", stateKmsKeyArn: KEY.replace("arn:aws:kms:us-east-1", "arn:aws-cn:kms:cn-north-1") }, china)).toBeUndefined();
  });

  test("an OIDC provider of another partition is refused", () => {
    expect(problemOf({ stateRegion: "cn-north-1", githubOidcProviderArn: PROVIDER }, china)).toBe(
      `${HEADER}  - \`githubOidcProviderArn\` is in partition \`aws\` but \`stateRegion\` \`cn-north-1\` is in partition \`aws-cn\`, where the roles are created; give the provider of that partition (\`arn:aws-cn:iam::...\`); got \`${PROVIDER}\``,
    );
    expect(problemOf({ stateRegion: "cn-north-1", githubOidcProviderArn: PROVIDER.replace("arn:aws:", "arn:aws-cn:") }, china)).toBeUndefined();
  });

  test("an environment in another partition than the bootstrap is refused, naming both", () => {
    expect(problemOf({}, allEnvironments({ dev: {}, gov: { region: "us-gov-west-1" } }))).toBe(
      `${HEADER}  - the environment \`gov\` deploys to \`us-gov-west-1\` in partition \`aws-us-gov\`, but \`stateRegion\` \`us-east-1\` puts the bootstrap and its roles in partition \`aws\`; keep \`stateRegion\` and every environment's \`region\` in one partition (the bootstrap's roles serve one account)`,
    );
  });
});
