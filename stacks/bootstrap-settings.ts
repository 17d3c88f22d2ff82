/**
 * Settings of the bootstrap stack (`bandup-bootstrap`): what must exist in an AWS account before the
 * first deploy from GitHub Actions (the state bucket, GitHub's OIDC provider, a deploy role and a plan
 * role per environment), in one typed module, validated like the environments' settings.
 */
import {
  BUCKET_NAME,
  checkKmsKeyArnForRegion,
  checkName,
  checkRegion,
  GITHUB_OIDC_PROVIDER_ARN,
  GITHUB_OIDC_PROVIDER_ARN_PATTERN,
  GITHUB_OWNER,
  GITHUB_REPOSITORY_NAME,
  partitionOfRegion,
  ruleProblem,
  STATE_KEY_PREFIX,
} from "../constructs/naming-rules";
import * as v from "valibot";
import { DEFAULT_REGION, ResolvedEnvironment, stackName } from "./environments";
import { checkSettings, fields, string } from "./settings-schema";

/**
 * The bootstrap's settings, declared once (stacks/settings-schema.ts): their type and their check of
 * types and keys come from here; the rules that follow are in `resolveBootstrapSettings`.
 */
export const BOOTSTRAP_SETTINGS = fields(
  {
    /**
     * The GitHub repository whose workflows assume the roles, `<owner>/<repository>`, spelled as GitHub
     * spells it (the token's `sub` claim carries it, and IAM compares it case-sensitively).
     * @default - asked at deploy time: the Terraform variable `github_repository`
     * (`cdktf deploy bandup-bootstrap --var=github_repository=<owner>/<repository>`), checked by the same rules
     */
    githubRepository: v.optional(string()),
    /**
     * Name of the S3 bucket that holds every environment's state. Bucket names are global: pick one no
     * other account uses.
     * @default - "bandup-terraform-state-<account id>", unique to the account
     */
    stateBucket: v.optional(string()),
    /**
     * Region of the state bucket, and of the bootstrap stack's provider (IAM is global).
     * @default "us-east-1" - the default of `BANDUP_STATE_REGION` (stacks/backend.ts)
     */
    stateRegion: v.optional(string()),
    /**
     * Key prefix of the state objects: each environment's state is `<prefix>/<env>/terraform.tfstate`, as
     * stacks/backend.ts writes it, and the bootstrap's own `<prefix>/bootstrap/terraform.tfstate`.
     * @default "bandup" - the default of `BANDUP_STATE_KEY_PREFIX`
     */
    stateKeyPrefix: v.optional(string()),
    /**
     * ARN of a customer-managed KMS key (in `stateRegion`) that encrypts the state bucket by default.
     * @default - SSE-S3 (AES-256 with keys S3 manages)
     */
    stateKmsKeyArn: v.optional(string()),
    /**
     * ARN of the account's existing IAM OIDC provider for `token.actions.githubusercontent.com`, to reuse
     * instead of creating one (an account can hold only one provider per URL).
     * @default - the bootstrap creates the provider
     */
    githubOidcProviderArn: v.optional(string()),
  },
  { what: "bootstrap setting" },
);

/** Settings of the bootstrap stack as written by hand; every field is optional. */
export type BootstrapSettings = v.InferOutput<typeof BOOTSTRAP_SETTINGS>;

/** The bootstrap settings with defaults applied and every value validated. */
export interface ResolvedBootstrapSettings {
  /** `<owner>/<repository>`; undefined when it is asked at deploy time. */
  readonly githubRepository?: string;
  /** The bucket's name; undefined for the default, `bandup-terraform-state-<account id>`. */
  readonly stateBucket?: string;
  readonly stateRegion: string;
  readonly stateKeyPrefix: string;
  readonly stateKmsKeyArn?: string;
  readonly githubOidcProviderArn?: string;
}

/** The bootstrap settings of this project. Leave a field out to use its default. */
export const BOOTSTRAP: Readonly<BootstrapSettings> = {};

/** The bootstrap's own state key is `<prefix>/<this>/terraform.tfstate`, so no environment may take the name. */
export const BOOTSTRAP_STATE_NAME = "bootstrap";

/** The bootstrap stack's name, `bandup-bootstrap`: `cdktf deploy bandup-bootstrap`. */
export const BOOTSTRAP_STACK_NAME = stackName(BOOTSTRAP_STATE_NAME);

/** Thrown when the bootstrap settings are invalid; the message lists every problem. */
export class BootstrapConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BootstrapConfigError";
  }
}

/** The problem with an `<owner>/<repository>` value, or undefined. */
export function checkGithubRepository(field: string, value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length !== 2 || !GITHUB_OWNER.test(parts[0]) || !GITHUB_REPOSITORY_NAME.test(parts[1])) {
    return ruleProblem(
      field,
      `\`<owner>/<repository>\` as GitHub spells them, e.g. \`my-org/bandup-infra\` (owner: ${GITHUB_OWNER.description}; repository: ${GITHUB_REPOSITORY_NAME.description})`,
      value,
    );
  }
  return undefined;
}

/**
 * Applies the defaults to the bootstrap settings and validates them against the environments they
 * serve. Collects every problem and throws one `BootstrapConfigError` naming the field, the value and
 * the fix.
 */
export function resolveBootstrapSettings(
  settingsAsWritten: BootstrapSettings,
  environments: readonly Pick<ResolvedEnvironment, "name" | "region">[],
): ResolvedBootstrapSettings {
  const problems: string[] = [];
  const report = (problem: string | undefined): void => void (problem !== undefined && problems.push(problem));
  // Settings may be plain JavaScript: a value of the wrong type or an unknown key is reported here and
  // left out, so the checks below see only strings (a default stands in for a wrong value).
  const { settings, typeProblems } = checkSettings(BOOTSTRAP_SETTINGS, settingsAsWritten);
  typeProblems.forEach(report);

  if (settings.githubRepository !== undefined) report(checkGithubRepository("githubRepository", settings.githubRepository));
  if (settings.stateBucket !== undefined) report(checkName("stateBucket", BUCKET_NAME, settings.stateBucket));
  const stateRegion = settings.stateRegion ?? DEFAULT_REGION;
  report(checkRegion("stateRegion", stateRegion));
  // Where the bucket and the roles are created (undefined for a region the provider does not know, reported above).
  const bootstrapPartition = partitionOfRegion(stateRegion);
  const stateKeyPrefix = settings.stateKeyPrefix ?? "bandup";
  report(checkName("stateKeyPrefix", STATE_KEY_PREFIX, stateKeyPrefix));

  const keyArn = settings.stateKmsKeyArn;
  if (keyArn !== undefined) {
    checkKmsKeyArnForRegion("stateKmsKeyArn", keyArn, stateRegion, { where: "the state bucket is in", why: "S3 needs a key in the bucket's region" }).forEach(report);
  }
  const providerArn = settings.githubOidcProviderArn;
  if (providerArn !== undefined) {
    const match = GITHUB_OIDC_PROVIDER_ARN_PATTERN.exec(providerArn);
    if (!match) {
      report(checkName("githubOidcProviderArn", GITHUB_OIDC_PROVIDER_ARN, providerArn));
    } else if (bootstrapPartition !== undefined && match[1] !== bootstrapPartition.id) {
      // The roles are created in the bootstrap's partition; IAM cannot trust a provider of another one.
      report(
        `\`githubOidcProviderArn\` is in partition \`${match[1]}\` but \`stateRegion\` \`${stateRegion}\` is in partition \`${bootstrapPartition.id}\`, where the roles are created; give the provider of that partition (\`arn:${bootstrapPartition.id}:iam::...\`); got \`${providerArn}\``,
      );
    }
  }

  for (const environment of environments) {
    if (environment.name === BOOTSTRAP_STATE_NAME) {
      report(
        `the environment \`${environment.name}\` would share the bootstrap's state key (\`${stateKeyPrefix}/${BOOTSTRAP_STATE_NAME}/terraform.tfstate\`) and stack name (\`${stackName(environment.name)}\`); rename the environment in stacks/environments.ts`,
      );
    }
    const partition = partitionOfRegion(environment.region);
    if (bootstrapPartition !== undefined && partition !== undefined && partition.id !== bootstrapPartition.id) {
      // Its roles are IAM roles of the bootstrap's partition: they can act on nothing in another one.
      report(
        `the environment \`${environment.name}\` deploys to \`${environment.region}\` in partition \`${partition.id}\`, but \`stateRegion\` \`${stateRegion}\` puts the bootstrap and its roles in partition \`${bootstrapPartition.id}\`; keep \`stateRegion\` and every environment's \`region\` in one partition (the bootstrap's roles serve one account)`,
      );
    }
  }

  if (problems.length > 0) throw new BootstrapConfigError(problems);
  return {
    githubRepository: settings.githubRepository,
    stateBucket: settings.stateBucket,
    stateRegion,
    stateKeyPrefix,
    stateKmsKeyArn: keyArn,
    githubOidcProviderArn: settings.githubOidcProviderArn,
  };
}
