import { Construct } from "constructs";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AlarmTopicKey } from "../constructs/alarm-topic-key";
import { GithubActionsRole } from "../constructs/github-actions-role";
import { GithubOidcProvider } from "../constructs/github-oidc-provider";
import { ManagedPolicy } from "../constructs/managed-policy";
import { alarmTopicKeyAlias, GITHUB_OWNER, GITHUB_REPOSITORY_NAME } from "../constructs/naming-rules";
import { StackAwsContext } from "../constructs/stack-aws-context";
import { StateBucket } from "../constructs/state-bucket";
import { applyGuardrails } from "../guardrails/apply";
import { StackModel } from "../guardrails/terraform-json";
import { addBackend, BackendSettings } from "./backend";
import type { BandupStack, OfflineProviderSettings } from "./bandup-stack";
import { deployRoleName, planRoleName } from "./bootstrap-names";
import { environmentPolicies, EnvironmentPolicies, literalTarget, quotaProblems } from "./bootstrap-policies";
import { BOOTSTRAP_STATE_NAME, ResolvedBootstrapSettings } from "./bootstrap-settings";
import { BOOTSTRAP_IAM_PATTERNS, EnvironmentPermissions, permissionsOf } from "./deploy-permissions";
import { deployRoleSubjects, planRoleSubjects, subjectTemplateCommand } from "./github-oidc-subjects";
import { DEPLOY_ROLE_VARIABLE, planRoleVariable, STATE_BUCKET_VARIABLE, STATE_KEY_PREFIX_VARIABLE, STATE_REGION_VARIABLE } from "./github-variables";

export { deployRoleName, planRoleName } from "./bootstrap-names";

/** The deploy roles' longest session: deploy-stage.yml's apply job asks for it (role-duration-seconds: 7200). */
export const DEPLOY_SESSION_SECONDS = 7200;

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

/** What the bootstrap creates for one environment. */
export interface EnvironmentRoles {
  /** Assumed by the apply job of `deploy-stage.yml` on main, in the GitHub environment of the same name. */
  readonly deploy: GithubActionsRole;
  /** Assumed by the read-only plan jobs (pull requests, the deploy's plan, drift). */
  readonly plan: GithubActionsRole;
  /** `bandup-boundary-<env>`: the permissions boundary of the environment's function roles. */
  readonly functionBoundary: ManagedPolicy;
  /** `bandup-deploy-boundary-<env>`: the deploy role's permissions boundary. */
  readonly deployBoundary: ManagedPolicy;
  /** `bandup-deploy-<env>-<n>`: the deploy permissions that do not fit in the role's inline policy (usually none). */
  readonly deployParts: readonly ManagedPolicy[];
  /** The key of the environment's alarm topic, unless its settings give one (`alarmTopicKmsKeyArn`). */
  readonly alarmTopicKey?: AlarmTopicKey;
  /** The statements of all of them, as derived from the environment's stack. */
  readonly permissions: EnvironmentPermissions;
  /** The same policies with the account as a placeholder: what synth measured against IAM's quotas. */
  readonly literalPolicies: EnvironmentPolicies;
}

/**
 * What an empty AWS account needs before the first deploy from GitHub Actions, deployed once by an
 * administrator (`cdktf deploy bandup-bootstrap`), and again whenever an environment's policies grow:
 * the state bucket, GitHub's OIDC provider, and per environment a deploy role (trusting only the apply
 * job of the deploy workflow on main, in that GitHub environment) with its permissions boundary, a
 * plan role (trusting only the read-only plan jobs), the permissions boundary of the environment's
 * function roles, and the key of its alarm topic; every policy derived from the environment's own
 * stack and measured against IAM's quotas at synth. Its outputs are the GitHub variables the workflows
 * read, the `gh` commands that set them, and the one that sets the repository's OIDC subject template.
 */
export class BootstrapStack extends TerraformStack {
  /** The state bucket. */
  public readonly stateBucket: StateBucket;
  /** GitHub's OIDC provider, created or reused. */
  public readonly oidcProvider: GithubOidcProvider;
  /** `<owner>/<repository>`: the setting, or the Terraform variable asked at deploy time. */
  public readonly githubRepository: string;
  /** What the bootstrap creates for each environment, by environment name. */
  public readonly roles: Readonly<Record<string, EnvironmentRoles>>;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const { settings } = props;
    addBackend(this, BOOTSTRAP_STATE_NAME, props.backend ?? { type: "local" });

    const offline = props.offlineProvider;
    const providerSettings = {
      defaultTags: [{ tags: { Project: "bandup", Component: "bootstrap", ManagedBy: "cdktf" } }],
      ...(offline && { skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true", skipRegionValidation: true }),
    };
    new AwsProvider(this, "aws", { region: settings.stateRegion, ...providerSettings });
    // IAM is global; the alarm topics' keys are made in their environment's region.
    const providers = new Map<string, AwsProvider>();
    const providerOf = (region: string): AwsProvider | undefined => {
      if (region === settings.stateRegion) return undefined;
      let provider = providers.get(region);
      if (!provider) {
        provider = new AwsProvider(this, `aws-${region}`, { alias: region, region, ...providerSettings });
        providers.set(region, provider);
      }
      return provider;
    };

    this.githubRepository = settings.githubRepository ?? this.repositoryVariable();
    this.stateBucket = new StateBucket(this, "state", { bucketName: settings.stateBucket, kmsKeyArn: settings.stateKmsKeyArn });
    this.oidcProvider = new GithubOidcProvider(this, "github-oidc", { existingProviderArn: settings.githubOidcProviderArn });

    const aws = StackAwsContext.of(this);
    const literal = literalTarget(settings);
    const roles: Record<string, EnvironmentRoles> = {};
    const problems: string[] = [];
    const ours = new Set(props.environmentStacks.flatMap((s) => [deployRoleName(s.environment.name), planRoleName(s.environment.name)]));
    for (const stack of props.environmentStacks) {
      const { environment } = stack;
      const env = environment.name;
      // One read of the environment stack's synthesized JSON serves the policies and the name check.
      const model = new StackModel(stack.node.id, stack.toTerraform());
      problems.push(...roleNameClashes(model, ours));
      // Measured with the placeholder account (same length as any account id), laid out the same with
      // Terraform's references: the split into managed parts is the literal policies'.
      const literalPolicies = environmentPolicies(permissionsOf(model, environment, literal), literal.repository, literal.oidcProviderArn);
      problems.push(...quotaProblems(literalPolicies));
      const permissions = permissionsOf(model, environment, {
        partition: aws.partition,
        accountId: aws.accountId,
        dnsSuffix: aws.dnsSuffix,
        state: { bucket: this.stateBucket.bucketName, region: settings.stateRegion, keyPrefix: settings.stateKeyPrefix, kmsKeyArn: settings.stateKmsKeyArn },
      });
      const policies = environmentPolicies(
        permissions,
        this.githubRepository,
        this.oidcProvider.arn,
        literalPolicies.deployParts.map((part) => part.statements.map((s) => s.sid)),
      );

      const functionBoundary = new ManagedPolicy(this, `${env}-function-boundary`, {
        policyName: policies.functionBoundary.name,
        description: `The most any function role of bandup-${env} may do (its permissions boundary)`,
        statements: policies.functionBoundary.statements,
      });
      const deployBoundary = new ManagedPolicy(this, `${env}-deploy-boundary`, {
        policyName: policies.deployBoundary.name,
        description: `The most ${policies.deployRole} may do (its permissions boundary)`,
        statements: policies.deployBoundary.statements,
      });
      const deployParts = policies.deployParts.map(
        (part, index) =>
          new ManagedPolicy(this, `${env}-deploy-part-${index + 1}`, {
            policyName: part.name,
            description: `Part ${index + 1} of what ${policies.deployRole} may do (beyond its inline policy)`,
            statements: part.statements,
          }),
      );
      const alarmTopicKey =
        environment.alarms.topicKmsKeyArn === undefined
          ? new AlarmTopicKey(this, `${env}-alarm-topic-key`, {
              topicName: environment.alarms.topicName,
              region: environment.region,
              partition: aws.partition,
              accountId: aws.accountId,
              aliasName: alarmTopicKeyAlias(environment.alarms.topicName),
              provider: providerOf(environment.region),
            })
          : undefined;
      roles[env] = {
        permissions,
        literalPolicies,
        functionBoundary,
        deployBoundary,
        deployParts,
        alarmTopicKey,
        deploy: new GithubActionsRole(this, `${env}-deploy`, {
          roleName: policies.deployRole,
          description: `Deploys bandup-${env}: the apply job of deploy-stage.yml on main, in the GitHub environment ${env}`,
          oidcProviderArn: this.oidcProvider.arn,
          subjects: deployRoleSubjects(this.githubRepository, env),
          statements: policies.deployInline,
          managedPolicyArns: deployParts.map((part) => part.arn),
          permissionsBoundaryArn: deployBoundary.arn,
          // deploy-stage.yml's apply job asks for 7200 s (role-duration-seconds): longer than its 90-minute timeout.
          maxSessionDurationSeconds: DEPLOY_SESSION_SECONDS,
        }),
        plan: new GithubActionsRole(this, `${env}-plan`, {
          roleName: policies.planRole,
          description: `Plans bandup-${env} read-only: pull requests, the deploy's plan job, drift checks`,
          oidcProviderArn: this.oidcProvider.arn,
          subjects: planRoleSubjects(this.githubRepository),
          statements: policies.plan,
        }),
      };
    }
    this.roles = roles;
    this.node.addValidation({ validate: () => problems });

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
    new TerraformOutput(this, "gh-subject-template-command", {
      value: subjectTemplateCommand(this.githubRepository),
      description:
        "The gh CLI command that sets the repository's OIDC subject template to repo, context and job_workflow_ref (a repository administrator runs it once): the roles trust only subjects of that form",
    });
  }
}

/**
 * The bootstrap's roles must not share a name with a role an environment stack manages (its deploy
 * role could then rewrite itself), nor match the names the deploy boundaries keep for the bootstrap.
 */
function roleNameClashes(model: StackModel, ours: ReadonlySet<string>): string[] {
  const reserved = BOOTSTRAP_IAM_PATTERNS.filter((p) => p.startsWith("role/")).map((p) => new RegExp(`^${p.slice("role/".length).replace(/[-]/g, "\\-").replace("*", ".*")}$`));
  return model
    .resources("aws_iam_role")
    .filter((role) => typeof role.config.name === "string" && (ours.has(role.config.name) || reserved.some((r) => r.test(role.config.name))))
    .map((role) =>
      ours.has(role.config.name)
        ? `stack \`${model.stackName}\` manages an IAM role named \`${role.config.name}\`, the name of a bootstrap role; rename that role`
        : `stack \`${model.stackName}\` manages an IAM role named \`${role.config.name}\`, a name the bootstrap keeps for its roles (${BOOTSTRAP_IAM_PATTERNS.filter((p) => p.startsWith("role/")).join(", ")}); rename that role`,
    );
}
