import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { GithubActionsRole } from "../constructs/github-actions-role";
import { GithubOidcProvider } from "../constructs/github-oidc-provider";
import { GITHUB_OWNER, GITHUB_REPOSITORY_NAME } from "../constructs/naming-rules";
import { StackAwsContext } from "../constructs/stack-aws-context";
import { StateBucket } from "../constructs/state-bucket";
import { applyGuardrails } from "../guardrails/apply";
import { StackModel } from "../guardrails/terraform-json";
import { addBackend, BackendSettings } from "./backend";
import type { BandupStack, OfflineProviderSettings } from "./bandup-stack";
import { BOOTSTRAP_STATE_NAME, ResolvedBootstrapSettings } from "./bootstrap-settings";
import { EnvironmentPermissions, permissionsOf } from "./deploy-permissions";
import { DEPLOY_ROLE_VARIABLE, planRoleVariable, STATE_BUCKET_VARIABLE, STATE_KEY_PREFIX_VARIABLE, STATE_REGION_VARIABLE } from "./github-variables";

/** Name of the deploy role of an environment. */
export function deployRoleName(environment: string): string {
  return `bandup-deploy-${environment}`;
}

/** Name of the read-only plan role of an environment. */
export function planRoleName(environment: string): string {
  return `bandup-plan-${environment}`;
}

/** The Terraform variable asked at deploy time when `githubRepository` is not set. */
export const GITHUB_REPOSITORY_VARIABLE = "github_repository";

/** Props of a `BootstrapStack`. */
export interface BootstrapStackProps {
  /** The bootstrap settings, resolved and validated by `stacks/bootstrap-settings.ts`. */
  readonly settings: ResolvedBootstrapSettings;
  /** Every environment's stack: each gets a deploy role and a plan role, with policies derived from it. */
  readonly environmentStacks: readonly BandupStack[];
  /**
   * Where the bootstrap keeps its own state. Local first (the bucket does not exist yet); moved into
   * the bucket, at `<prefix>/bootstrap/terraform.tfstate`, once it does (docs/deploying.md).
   * @default { type: "local" }
   */
  readonly backend?: BackendSettings;
  /**
   * Test-only provider settings that let `terraform plan` run offline (see `BandupStack`).
   * @default - none: the provider checks credentials as usual
   */
  readonly offlineProvider?: OfflineProviderSettings;
}

/** The roles of one environment. */
export interface EnvironmentRoles {
  /** Assumed by the deploy job of the GitHub environment of the same name. */
  readonly deploy: GithubActionsRole;
  /** Assumed by pull requests' plan jobs; reads only. */
  readonly plan: GithubActionsRole;
  /** The statements of both, as derived from the environment's stack. */
  readonly permissions: EnvironmentPermissions;
}

/**
 * What an empty AWS account needs before the first deploy from GitHub Actions, deployed once by an
 * administrator (`cdktf deploy bandup-bootstrap`): the state bucket, GitHub's OIDC provider, and per
 * environment a deploy role (trusting only that GitHub environment's jobs) and a plan role (trusting
 * only the repository's pull requests), each with a policy derived from the environment's own stack.
 * Its outputs are the GitHub variables the workflows read, and the `gh` commands that set them.
 */
export class BootstrapStack extends TerraformStack {
  /** The state bucket. */
  public readonly stateBucket: StateBucket;
  /** GitHub's OIDC provider, created or reused. */
  public readonly oidcProvider: GithubOidcProvider;
  /** `<owner>/<repository>`: the setting, or the Terraform variable asked at deploy time. */
  public readonly githubRepository: string;
  /** The roles of each environment, by environment name. */
  public readonly roles: Readonly<Record<string, EnvironmentRoles>>;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { settings } = props;
    addBackend(this, BOOTSTRAP_STATE_NAME, props.backend ?? { type: "local" });

    const offline = props.offlineProvider;
    new AwsProvider(this, "aws", {
      region: settings.stateRegion,
      defaultTags: [{ tags: { Project: "bandup", Component: "bootstrap", ManagedBy: "cdktf" } }],
      ...(offline && { skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true", skipRegionValidation: true }),
    });

    this.githubRepository = settings.githubRepository ?? this.repositoryVariable();
    this.stateBucket = new StateBucket(this, "state", { bucketName: settings.stateBucket, kmsKeyArn: settings.stateKmsKeyArn });
    this.oidcProvider = new GithubOidcProvider(this, "github-oidc", { existingProviderArn: settings.githubOidcProviderArn });

    const aws = StackAwsContext.of(this);
    const roles: Record<string, EnvironmentRoles> = {};
    const clashes: string[] = [];
    const ours = new Set(props.environmentStacks.flatMap((s) => [deployRoleName(s.environment.name), planRoleName(s.environment.name)]));
    for (const stack of props.environmentStacks) {
      const { environment } = stack;
      // One read of the environment stack's synthesized JSON serves the policies and the name check.
      const model = new StackModel(stack.node.id, stack.toTerraform());
      clashes.push(...roleNameClashes(model, ours));
      const permissions = permissionsOf(model, environment, {
        partition: aws.partition,
        accountId: aws.accountId,
        state: { bucket: this.stateBucket.bucketName, region: settings.stateRegion, keyPrefix: settings.stateKeyPrefix, kmsKeyArn: settings.stateKmsKeyArn },
      });
      roles[environment.name] = {
        permissions,
        deploy: new GithubActionsRole(this, `${environment.name}-deploy`, {
          roleName: deployRoleName(environment.name),
          description: `Deploys bandup-${environment.name} from the GitHub environment ${environment.name}`,
          oidcProviderArn: this.oidcProvider.arn,
          subject: `repo:${this.githubRepository}:environment:${environment.name}`,
          statements: permissions.deploy,
        }),
        plan: new GithubActionsRole(this, `${environment.name}-plan`, {
          roleName: planRoleName(environment.name),
          description: `Plans bandup-${environment.name} read-only for pull requests`,
          oidcProviderArn: this.oidcProvider.arn,
          subject: `repo:${this.githubRepository}:pull_request`,
          statements: permissions.plan,
        }),
      };
    }
    this.roles = roles;
    this.node.addValidation({ validate: () => clashes });

    this.addOutputs(settings);
    applyGuardrails(this, { protected: true }); // last: guardrails check the finished stack at synth
  }

  /** `github_repository`, asked at deploy time, checked by GitHub's owner and repository rules. */
  private repositoryVariable(): string {
    const variable = new TerraformVariable(this, GITHUB_REPOSITORY_VARIABLE, {
      type: "string",
      description: "The GitHub repository whose workflows assume the roles: <owner>/<repository>, spelled as GitHub spells it",
      nullable: false,
      validation: [
        {
          // GITHUB_OWNER and GITHUB_REPOSITORY_NAME (constructs/naming-rules.ts), in RE2.
          condition:
            `\${can(regex("^[A-Za-z0-9](-?[A-Za-z0-9])*/[A-Za-z0-9._-]+$", var.${GITHUB_REPOSITORY_VARIABLE})) ` +
            `&& length(split("/", var.${GITHUB_REPOSITORY_VARIABLE})[0]) <= 39 ` +
            `&& length(split("/", var.${GITHUB_REPOSITORY_VARIABLE})[1]) <= 100 ` +
            `&& !contains([".", ".."], split("/", var.${GITHUB_REPOSITORY_VARIABLE})[1])}`,
          errorMessage:
            `\`${GITHUB_REPOSITORY_VARIABLE}\` must be \`<owner>/<repository>\` as GitHub spells them, e.g. \`my-org/bandup-infra\` ` +
            `(owner: ${GITHUB_OWNER.description}; repository: ${GITHUB_REPOSITORY_NAME.description}); ` +
            `got "\${var.${GITHUB_REPOSITORY_VARIABLE}}". Set it with --var=${GITHUB_REPOSITORY_VARIABLE}=<owner>/<repository>, or set githubRepository in stacks/bootstrap-settings.ts.`,
        },
      ],
    });
    return variable.stringValue;
  }

  /**
   * The handoff: every GitHub variable the workflows read, with its value, and the `gh variable set`
   * commands that set them (repository variables, and one variable in each GitHub environment).
   */
  private addOutputs(settings: ResolvedBootstrapSettings): void {
    const repositoryVariables: Record<string, string> = {
      [STATE_BUCKET_VARIABLE]: this.stateBucket.bucketName,
      [STATE_REGION_VARIABLE]: settings.stateRegion,
      [STATE_KEY_PREFIX_VARIABLE]: settings.stateKeyPrefix,
    };
    const environmentVariables: Record<string, Record<string, string>> = {};
    for (const [environment, roles] of Object.entries(this.roles)) {
      repositoryVariables[planRoleVariable(environment)] = roles.plan.role.arn;
      environmentVariables[environment] = { [DEPLOY_ROLE_VARIABLE]: roles.deploy.role.arn };
    }
    new TerraformOutput(this, "repository-variables", {
      value: repositoryVariables,
      description: "GitHub repository variables the workflows read (Settings > Secrets and variables > Actions > Variables)",
    });
    new TerraformOutput(this, "environment-variables", {
      value: environmentVariables,
      description: "Variables of each GitHub environment (Settings > Environments > <env>)",
    });
    const commands = [
      ...Object.entries(repositoryVariables).map(([name, value]) => `gh variable set ${name} --repo ${this.githubRepository} --body "${value}"`),
      ...Object.entries(environmentVariables).flatMap(([environment, variables]) =>
        Object.entries(variables).map(([name, value]) => `gh variable set ${name} --repo ${this.githubRepository} --env ${environment} --body "${value}"`),
      ),
    ];
    new TerraformOutput(this, "gh-variable-commands", {
      value: commands,
      description: "The gh CLI commands that set every variable above (create the GitHub environments first)",
    });
  }
}

/** The bootstrap's roles must not share a name with a role an environment stack manages (its deploy role could then rewrite itself). */
function roleNameClashes(model: StackModel, ours: ReadonlySet<string>): string[] {
  return model
    .resources("aws_iam_role")
    .filter((role) => typeof role.config.name === "string" && ours.has(role.config.name))
    .map((role) => `stack \`${model.stackName}\` manages an IAM role named \`${role.config.name}\`, the name of a bootstrap role; rename that role`);
}
