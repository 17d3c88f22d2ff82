/**
 * The synthesized JSON of `bandup-bootstrap`: the state bucket's settings, the OIDC provider, the
 * exact trust of every role, the policies as derived from each environment's stack, the outputs (the
 * GitHub variables the workflows read), the guardrails.
 */
import { Testing } from "cdktf";
import { checkStack } from "../../guardrails";
import { buildBandupApp } from "../../stacks/app";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { BootstrapSettings, resolveBootstrapSettings } from "../../stacks/bootstrap-settings";
import { BootstrapStack, deployRoleName, planRoleName } from "../../stacks/bootstrap-stack";
import { PolicyStatement } from "../../constructs/iam-grants";
import { AWS_PARTITIONS } from "../../constructs/aws-partitions";
import { policySizes, quotaProblems } from "../../stacks/bootstrap-policies";
import { IAM_POLICY_QUOTAS } from "../../stacks/policy-documents";
import { StackAwsContext } from "../../constructs/stack-aws-context";
import { functionBoundaryName, managedPolicyArn } from "../../stacks/bootstrap-names";
import { environmentPermissions } from "../../stacks/deploy-permissions";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";
import { DEPLOY_ROLE_VARIABLE, planRoleVariable, STATE_BUCKET_VARIABLE, STATE_KEY_PREFIX_VARIABLE, STATE_REGION_VARIABLE } from "../../stacks/github-variables";
import { BackendSettings } from "../../stacks/backend";
import { TerraformJson } from "../support/synth";
import { unusedEnvironmentName } from "../support/environment-cases";
import { environmentList } from "../../scripts/lib/environment-list";
import { WORKFLOWS_DIR, workflowFiles } from "../support/workflows";
import { readFileSync } from "fs";
import { join } from "path";

const REPOSITORY = "my-org/bandup-infra";
const PARTITION = "${data.aws_partition.partition.partition}";
const ACCOUNT = "${data.aws_caller_identity.caller-identity.account_id}";
const DNS_SUFFIX = "${data.aws_partition.partition.dns_suffix}";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

interface Built {
  readonly bootstrap: BootstrapStack;
  readonly json: TerraformJson;
}

function build(
  bootstrap: BootstrapSettings = { githubRepository: REPOSITORY },
  environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS,
  backend: BackendSettings = { type: "local" },
): Built {
  const app = buildBandupApp({ app: Testing.app(), environments, backend, bootstrap });
  const json = JSON.parse(Testing.synth(app.bootstrap));
  // Testing.synth drops each block's construct path; toTerraform() keeps it (with tokens unresolved).
  const raw = app.bootstrap.toTerraform();
  for (const mode of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries<TerraformJson>(json[mode] ?? {})) {
      for (const name of Object.keys(byName)) byName[name]["//"] = raw[mode][type][name]["//"];
    }
  }
  return { bootstrap: app.bootstrap, json };
}

const names = Object.keys(ENVIRONMENTS);
const built = build();

/** The resource of a type whose construct path ends with `suffix`. */
function byPath(json: TerraformJson, mode: "resource" | "data", type: string, suffix: string): TerraformJson {
  const matches = Object.values<TerraformJson>(json[mode][type]).filter((r) => r["//"].metadata.path.endsWith(suffix));
  if (matches.length !== 1) throw new Error(`expected one ${type} at ${suffix}, found ${matches.length}`);
  return matches[0];
}

/** The address a `${...}` reference in `value` points to. */
function addressOf(json: TerraformJson, type: string, suffix: string): string {
  const name = Object.entries<TerraformJson>(json.resource[type]).find(([, r]) => r["//"].metadata.path.endsWith(suffix))![0];
  return `${type}.${name}`;
}

describe("the roles of each environment", () => {
  test.each(names)("%s: the deploy role trusts exactly the apply job of deploy-stage.yml on main in its GitHub environment; the plan role the three read-only jobs", (env) => {
    const provider = `\${${addressOf(built.json, "aws_iam_openid_connect_provider", "github-oidc/provider")}.arn}`;
    const workflow = (file: string, ref: string) => `${REPOSITORY}/.github/workflows/${file}@${ref}`;
    const statement = (sid: string, test: string, subjects: string[]) => ({
      sid,
      effect: "Allow",
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [provider] }],
      condition: [
        { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
        { test, variable: "token.actions.githubusercontent.com:sub", values: subjects },
      ],
    });
    expect(byPath(built.json, "data", "aws_iam_policy_document", `${env}-deploy/trust`).statement).toEqual([
      statement("GithubActionsOidc", "StringEquals", [`repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflow("deploy-stage.yml", "refs/heads/main")}`]),
    ]);
    expect(byPath(built.json, "data", "aws_iam_policy_document", `${env}-plan/trust`).statement).toEqual([
      statement("GithubActionsOidc", "StringEquals", [
        `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflow("deploy-stage.yml", "refs/heads/main")}`,
        `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflow("drift.yml", "refs/heads/main")}`,
      ]),
      // The only wildcard: the pull request's number.
      statement("GithubActionsOidcPullRequests", "StringLike", [`repo:${REPOSITORY}:pull_request:job_workflow_ref:${workflow("pr.yml", "refs/pull/*/merge")}`]),
    ]);
    for (const role of ["deploy", "plan"]) {
      const iamRole = byPath(built.json, "resource", "aws_iam_role", `${env}-${role}/role`);
      expect(iamRole.name).toBe(role === "deploy" ? deployRoleName(env) : planRoleName(env));
      expect(iamRole.assume_role_policy).toBe(`\${data.aws_iam_policy_document.${Object.entries<TerraformJson>(built.json.data.aws_iam_policy_document).find(([, d]) => d["//"].metadata.path.endsWith(`${env}-${role}/trust`))![0]}.json}`);
    }
  });

  test.each(names)("%s: the deploy role is bounded by bandup-deploy-boundary-<env>, the plan role by nothing; both boundaries are the bootstrap's managed policies", (env) => {
    const policyRef = (suffix: string) => `\${${addressOf(built.json, "aws_iam_policy", suffix)}.arn}`;
    expect(byPath(built.json, "resource", "aws_iam_role", `${env}-deploy/role`).permissions_boundary).toBe(policyRef(`${env}-deploy-boundary/policy`));
    expect(byPath(built.json, "resource", "aws_iam_role", `${env}-plan/role`).permissions_boundary).toBeUndefined();
    expect(byPath(built.json, "resource", "aws_iam_policy", `${env}-deploy-boundary/policy`).name).toBe(`bandup-deploy-boundary-${env}`);
    expect(byPath(built.json, "resource", "aws_iam_policy", `${env}-function-boundary/policy`).name).toBe(`bandup-boundary-${env}`);
    // Everything fits the role's inline policy on these settings: no managed part is attached.
    expect(Object.values<TerraformJson>(built.json.resource.aws_iam_role_policy_attachment ?? {})).toEqual([]);
  });

  test.each(names)("%s: each policy is the one derived from the environment's stack", (env) => {
    const { bootstrap, json } = built;
    const stack = buildBandupApp({ app: Testing.app(), environments: { [env]: ENVIRONMENTS[env] }, backend: { type: "local" }, bootstrap: { githubRepository: REPOSITORY } }).stacks[0];
    const expected = environmentPermissions(stack, stack.environment, {
      partition: PARTITION,
      accountId: ACCOUNT,
      dnsSuffix: DNS_SUFFIX,
      state: { bucket: `bandup-terraform-state-${ACCOUNT}`, region: "us-east-1", keyPrefix: "bandup" },
    });
    const asDocument = (statements: readonly PolicyStatement[]) =>
      statements.map((s) => ({
        sid: s.sid,
        effect: s.effect ?? "Allow",
        ...(s.actions && { actions: [...s.actions] }),
        ...(s.notActions && { not_actions: [...s.notActions] }),
        resources: [...s.resources],
        ...(s.conditions && { condition: s.conditions.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })) }),
      }));
    expect(byPath(json, "data", "aws_iam_policy_document", `${env}-deploy/policy`).statement).toEqual(asDocument(expected.deploy));
    expect(byPath(json, "data", "aws_iam_policy_document", `${env}-plan/policy`).statement).toEqual(asDocument(expected.plan));
    expect(byPath(json, "data", "aws_iam_policy_document", `${env}-deploy-boundary/document`).statement).toEqual(asDocument(expected.deployBoundary));
    expect(byPath(json, "data", "aws_iam_policy_document", `${env}-function-boundary/document`).statement).toEqual(asDocument(expected.functionBoundary));
    for (const role of ["deploy", "plan"] as const) {
      expect(Object.values<TerraformJson>(json.resource.aws_iam_role_policy).filter((p) => p["//"].metadata.path.endsWith(`${env}-${role}/role-policy`))).toHaveLength(1);
    }
    expect(bootstrap.roles[env].permissions.environment).toBe(env);
    // The state object and lock of this environment, under the prefix stacks/backend.ts writes.
    const deploy = byPath(json, "data", "aws_iam_policy_document", `${env}-deploy/policy`).statement;
    expect(deploy.find((s: TerraformJson) => s.sid === "StateLock").resources).toEqual([`arn:${PARTITION}:s3:::bandup-terraform-state-${ACCOUNT}/bandup/${env}/terraform.tfstate.tflock`]);
  });

  test.each(names)("%s: the alarm topic's key and its alias, in the environment's region, for that topic only", (env) => {
    const key = byPath(built.json, "resource", "aws_kms_key", `${env}-alarm-topic-key/key`);
    const topic = ENVIRONMENTS[env] && buildBandupApp({ app: Testing.app(), environments: { [env]: ENVIRONMENTS[env] }, backend: { type: "local" } }).stacks[0].environment.alarms.topicName;
    expect(key).toMatchObject({ enable_key_rotation: true });
    expect(byPath(built.json, "resource", "aws_kms_alias", `${env}-alarm-topic-key/alias`).name).toBe(`alias/bandup-bootstrap/${topic}`);
    expect(JSON.stringify(byPath(built.json, "data", "aws_iam_policy_document", `${env}-alarm-topic-key/key-policy`).statement)).toContain(
      `"values":["arn:${PARTITION}:sns:us-east-1:${ACCOUNT}:${topic}"]`,
    );
  });

  test("an environment in another region gets its alarm topic's key from a provider of that region; one given by setting gets none", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { json } = build({ githubRepository: REPOSITORY }, { dev: {}, qa: { region: "eu-west-1" }, prod: { protected: true, alarmTopicKmsKeyArn: key } });
    expect(json.provider.aws.map((p: TerraformJson) => [p.alias, p.region])).toEqual([
      [undefined, "us-east-1"],
      ["eu-west-1", "eu-west-1"],
    ]);
    expect(byPath(json, "resource", "aws_kms_key", "qa-alarm-topic-key/key").provider).toBe("aws.eu-west-1");
    expect(byPath(json, "resource", "aws_kms_key", "dev-alarm-topic-key/key").provider).toBeUndefined();
    expect(Object.values<TerraformJson>(json.resource.aws_kms_key)).toHaveLength(2);
  });

  test("an environment added to the settings gets its roles, its policies in its region, and its variables", () => {
    const added = unusedEnvironmentName("qa");
    const { json } = build({ githubRepository: REPOSITORY }, { ...ENVIRONMENTS, [added]: { region: "ap-southeast-1" } });
    expect(Object.values<TerraformJson>(json.resource.aws_iam_role).map((r) => r.name).sort()).toEqual(
      [...names, added].flatMap((e) => [deployRoleName(e), planRoleName(e)]).sort(),
    );
    const tables = byPath(json, "data", "aws_iam_policy_document", `${added}-deploy/policy`).statement.find((s: TerraformJson) => s.sid === "ManageDynamodbTable");
    expect(tables.resources).toEqual([
      `arn:${PARTITION}:dynamodb:ap-southeast-1:${ACCOUNT}:table/bandup-evaluations-${added}`,
      `arn:${PARTITION}:dynamodb:ap-southeast-1:${ACCOUNT}:table/bandup-flashcard-sets-${added}`,
    ]);
    expect(Object.keys(json.output["repository-variables"].value)).toContain(planRoleVariable(added));
    expect(Object.keys(json.output["environment-variables"].value).sort()).toEqual([...names, added].sort());
  });

  test("without githubRepository, the subject comes from the variable github_repository, checked by GitHub's rules", () => {
    const { json } = build({});
    expect(Object.keys(json.variable)).toEqual(["github_repository"]);
    expect(json.variable.github_repository).toMatchObject({ type: "string", nullable: false });
    expect(json.variable.github_repository.validation[0].condition).toBe(
      '${can(regex("^[A-Za-z0-9](-?[A-Za-z0-9])*/[A-Za-z0-9._-]+$", var.github_repository)) && length(split("/", var.github_repository)[0]) <= 39 && length(split("/", var.github_repository)[1]) <= 100 && !contains([".", ".."], split("/", var.github_repository)[1])}',
    );
    const subject = byPath(json, "data", "aws_iam_policy_document", "dev-deploy/trust").statement[0].condition[1];
    expect(subject).toEqual({
      test: "StringEquals",
      variable: "token.actions.githubusercontent.com:sub",
      values: ["repo:${var.github_repository}:environment:dev:job_workflow_ref:${var.github_repository}/.github/workflows/deploy-stage.yml@refs/heads/main"],
    });
    expect(json.output["gh-subject-template-command"].value).toBe(
      "gh api --method PUT repos/${var.github_repository}/actions/oidc/customization/sub -F use_default=false -f 'include_claim_keys[]=repo' -f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'",
    );
    // With the setting, no variable is asked.
    expect(built.json.variable).toBeUndefined();
  });

  test.each([
    [deployRoleName("dev"), "stack `bandup-dev` manages an IAM role named `bandup-deploy-dev`, the name of a bootstrap role; rename that role"],
    [
      "bandup-plan-reports",
      "stack `bandup-dev` manages an IAM role named `bandup-plan-reports`, a name the bootstrap keeps for its roles (role/bandup-deploy-*, role/bandup-plan-*); rename that role",
    ],
  ])("an environment stack's role named %s stops synth", (name, message) => {
    const app = Testing.app();
    const { stacks } = buildBandupApp({ app, environments: { dev: {} }, backend: { type: "local" }, bootstrap: { githubRepository: REPOSITORY } });
    const aws = StackAwsContext.of(stacks[0]);
    // Bounded like the stack's own roles, so only the name is wrong.
    new IamRole(stacks[0], "squatter", { name, assumeRolePolicy: "{}", permissionsBoundary: managedPolicyArn(aws.partition, aws.accountId, functionBoundaryName("dev")) });
    const settings = resolveBootstrapSettings({ githubRepository: REPOSITORY }, [stacks[0].environment]);
    const clash = new BootstrapStack(app, "bandup-bootstrap-clash", { settings, environmentStacks: stacks });
    expect(() => Testing.synth(clash, true)).toThrow(message);
  });
});

describe("IAM's quotas on the policies, checked at synth", () => {
  const key = (region: string, id: number) => `arn:aws:kms:${region}:123456789012:key/${String(id).padStart(8, "0")}-12ab-34cd-56ef-1234567890ab`;
  /** prod's settings with `count` replicas (the partition's first regions), customer keys for the tables, the replicas and the topic. */
  function replicated(count: number, extra: EnvironmentSettings = {}): EnvironmentSettings {
    const regions = AWS_PARTITIONS[0].regions.filter((r) => r !== "us-east-1").slice(0, count);
    return {
      ...ENVIRONMENTS.prod,
      tableKmsKeyArn: key("us-east-1", 1000),
      replicaRegions: regions,
      replicaKmsKeyArns: Object.fromEntries(regions.map((r, i) => [r, key(r, i)])),
      alarmTopicKmsKeyArn: key("us-east-1", 2000),
      ...extra,
    };
  }

  test("prod with three replicas and customer keys: every policy fits, the deploy policy inline", () => {
    const { bootstrap } = build({ githubRepository: REPOSITORY }, { ...ENVIRONMENTS, prod: replicated(3) });
    for (const env of names) {
      const sizes = policySizes(bootstrap.roles[env].literalPolicies);
      expect(sizes.deployParts).toEqual([]);
      expect(sizes.deployInline).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.roleInlinePolicies);
      expect(sizes.plan).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.roleInlinePolicies);
      expect(Math.max(sizes.deployBoundary, sizes.functionBoundary)).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.managedPolicy);
      expect(Math.max(sizes.deployTrust, sizes.planTrust)).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.roleTrustPolicy);
    }
    expect(() => Testing.synth(bootstrap, true)).not.toThrow();
  });

  test("a repository asked at deploy is counted at GitHub's longest: the plan role's trust still fits", () => {
    const { bootstrap } = build({});
    expect(policySizes(bootstrap.roles.dev.literalPolicies).planTrust).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.roleTrustPolicy);
    expect(bootstrap.roles.dev.literalPolicies.planTrust[0].conditions[1].values[0]).toContain(`repo:${"o".repeat(39)}/${"r".repeat(100)}:`);
  });

  test("what does not fit the deploy role's inline policy goes, in order, to managed policies attached to it", () => {
    const { bootstrap, json } = build({ githubRepository: REPOSITORY }, { prod: replicated(15) });
    const { literalPolicies, deployParts, permissions } = bootstrap.roles.prod;
    expect(literalPolicies.deployParts.map((p) => p.name)).toEqual(["bandup-deploy-prod-1", "bandup-deploy-prod-2"]);
    for (const size of policySizes(literalPolicies).deployParts) expect(size).toBeLessThanOrEqual(IAM_POLICY_QUOTAS.managedPolicy);
    // The same statements, inline then in the parts, as derived.
    const inline = byPath(json, "data", "aws_iam_policy_document", "prod-deploy/policy").statement.map((s: TerraformJson) => s.sid);
    const parts = [1, 2].map((n) => byPath(json, "data", "aws_iam_policy_document", `prod-deploy-part-${n}/document`).statement.map((s: TerraformJson) => s.sid));
    expect([...inline, ...parts.flat()]).toEqual(permissions.deploy.map((s) => s.sid));
    expect(deployParts.map((p) => p.policy.nameInput)).toEqual(["bandup-deploy-prod-1", "bandup-deploy-prod-2"]);
    expect(Object.values<TerraformJson>(json.resource.aws_iam_role_policy_attachment).map((a) => a.policy_arn)).toEqual(
      [1, 2].map((n) => `\${${addressOf(json, "aws_iam_policy", `prod-deploy-part-${n}/policy`)}.arn}`),
    );
    expect(() => Testing.synth(bootstrap, true)).not.toThrow();
  });

  test("a policy over its quota stops synth, naming the role or policy, the size, the quota and the fix", () => {
    const long = { tableNames: { evaluations: "e".repeat(200), "flashcard-sets": "f".repeat(200) } };
    const { bootstrap } = build({ githubRepository: REPOSITORY }, { prod: replicated(26, long) });
    const problems = quotaProblems(bootstrap.roles.prod.literalPolicies);
    expect(problems).toEqual([
      expect.stringMatching(/^policy `bandup-deploy-prod-1` \(part of `bandup-deploy-prod`'s permissions\) renders [\d,]+ characters \(whitespace excluded\), over IAM's 6,144 for a managed policy: its statement `TableReplicas` alone does not fit one; fix: fewer replicas \(`replicaRegions`\) or shorter names \(`tableNames`\)$/),
      expect.stringMatching(/^policy `bandup-deploy-prod-2` .* its statement `TableReplicaTables` alone does not fit one/),
      expect.stringMatching(/^role `bandup-plan-prod`: its inline policy renders [\d,]+ characters \(whitespace excluded\), over IAM's 10,240 for a role's inline policies; the plan role reads every resource of the environment: fix: fewer replicas/),
    ]);
    expect(() => Testing.synth(bootstrap, true)).toThrow(problems[2]);
  });
});

describe("the state bucket", () => {
  test("versioned, SSE-S3 by default, every public access blocked, ACLs off, old versions expired after 90 days (10 kept), prevent_destroy", () => {
    const { json } = built;
    const bucket = `\${${addressOf(json, "aws_s3_bucket", "state/bucket")}.id}`;
    expect(byPath(json, "resource", "aws_s3_bucket", "state/bucket")).toMatchObject({
      bucket: `bandup-terraform-state-${ACCOUNT}`,
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(byPath(json, "resource", "aws_s3_bucket_versioning", "state/versioning")).toMatchObject({ bucket, versioning_configuration: { status: "Enabled" } });
    expect(byPath(json, "resource", "aws_s3_bucket_server_side_encryption_configuration", "state/encryption")).toMatchObject({
      bucket,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
    expect(byPath(json, "resource", "aws_s3_bucket_public_access_block", "state/public-access-block")).toMatchObject({
      bucket,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(byPath(json, "resource", "aws_s3_bucket_ownership_controls", "state/ownership")).toMatchObject({ bucket, rule: { object_ownership: "BucketOwnerEnforced" } });
    expect(byPath(json, "resource", "aws_s3_bucket_lifecycle_configuration", "state/lifecycle")).toMatchObject({
      bucket,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrent_version_expiration: [{ noncurrent_days: 90, newer_noncurrent_versions: 10 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        },
      ],
    });
    const arn = `\${${addressOf(json, "aws_s3_bucket", "state/bucket")}.arn}`;
    expect(byPath(json, "data", "aws_iam_policy_document", "state/tls-only").statement).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["s3:*"],
        resources: [arn, `${arn}/*`],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
    expect(byPath(json, "resource", "aws_s3_bucket_policy", "state/policy").bucket).toBe(bucket);
  });

  test("a named bucket with a customer key: SSE-KMS with a bucket key, and the key in both roles' policies, only through S3", () => {
    const { json } = build({ githubRepository: REPOSITORY, stateBucket: "my-org-bandup-state", stateKmsKeyArn: KEY });
    expect(byPath(json, "resource", "aws_s3_bucket", "state/bucket").bucket).toBe("my-org-bandup-state");
    expect(byPath(json, "resource", "aws_s3_bucket_server_side_encryption_configuration", "state/encryption").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
    const deploy = byPath(json, "data", "aws_iam_policy_document", "dev-deploy/policy").statement;
    expect(deploy.find((s: TerraformJson) => s.sid === "WriteState").resources).toEqual([`arn:${PARTITION}:s3:::my-org-bandup-state/bandup/dev/terraform.tfstate`]);
    expect(deploy.find((s: TerraformJson) => s.sid === "StateKey")).toEqual({
      sid: "StateKey",
      effect: "Allow",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [KEY],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`s3.us-east-1.${DNS_SUFFIX}`] }],
    });
  });
});

describe("GitHub's OIDC provider", () => {
  test("created for token.actions.githubusercontent.com with the audience sts.amazonaws.com, and no thumbprint", () => {
    expect(Object.values(built.json.resource.aws_iam_openid_connect_provider)).toEqual([
      expect.objectContaining({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] }),
    ]);
    expect(Object.values<TerraformJson>(built.json.resource.aws_iam_openid_connect_provider)[0].thumbprint_list).toBeUndefined();
  });

  test("an existing provider is reused by its ARN: none is created, the roles trust that ARN", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    const { json } = build({ githubRepository: REPOSITORY, githubOidcProviderArn: arn });
    expect(json.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(byPath(json, "data", "aws_iam_policy_document", "prod-plan/trust").statement[0].principals).toEqual([{ type: "Federated", identifiers: [arn] }]);
  });
});

describe("the outputs: the GitHub variables the workflows read", () => {
  test("repository variables: state bucket, region, key prefix, and one plan role per environment", () => {
    const roleArn = (env: string, role: string) => `\${${addressOf(built.json, "aws_iam_role", `${env}-${role}/role`)}.arn}`;
    expect(built.json.output["repository-variables"].value).toEqual({
      [STATE_BUCKET_VARIABLE]: `bandup-terraform-state-${ACCOUNT}`,
      [STATE_REGION_VARIABLE]: "us-east-1",
      [STATE_KEY_PREFIX_VARIABLE]: "bandup",
      ...Object.fromEntries(names.map((env) => [planRoleVariable(env), roleArn(env, "plan")])),
    });
    expect(built.json.output["environment-variables"].value).toEqual(Object.fromEntries(names.map((env) => [env, { [DEPLOY_ROLE_VARIABLE]: roleArn(env, "deploy") }])));
  });

  test("the gh commands that set each of them, in its repository or GitHub environment", () => {
    const roleArn = (env: string, role: string) => `\${${addressOf(built.json, "aws_iam_role", `${env}-${role}/role`)}.arn}`;
    expect(built.json.output["gh-variable-commands"].value).toEqual([
      `gh variable set BANDUP_STATE_BUCKET --repo ${REPOSITORY} --body "bandup-terraform-state-${ACCOUNT}"`,
      `gh variable set BANDUP_STATE_REGION --repo ${REPOSITORY} --body "us-east-1"`,
      `gh variable set BANDUP_STATE_KEY_PREFIX --repo ${REPOSITORY} --body "bandup"`,
      ...names.map((env) => `gh variable set ${planRoleVariable(env)} --repo ${REPOSITORY} --body "${roleArn(env, "plan")}"`),
      ...names.map((env) => `gh variable set BANDUP_DEPLOY_ROLE_ARN --repo ${REPOSITORY} --env ${env} --body "${roleArn(env, "deploy")}"`),
    ]);
  });

  test("the outputs hold every GitHub variable the workflows read, but the optional BANDUP_ALLOW_DESTROY, BANDUP_ALLOW_LOSS and BANDUP_ALLOW_DRIFT, and nothing else", () => {
    const text = workflowFiles().map((file) => readFileSync(join(WORKFLOWS_DIR, file), "utf8")).join("\n");
    // `vars.NAME`, and `vars[matrix.<field>]` or `vars[fromJSON(inputs.environment).<field>]` where the
    // field is one of npm run environments' entries.
    const named = new Set([...text.matchAll(/\bvars\.([A-Za-z0-9_]+)/g)].map((m) => m[1]));
    const byMatrix = new Set([...text.matchAll(/\bvars\[(?:matrix|fromJSON\(inputs\.environment\))\.(\w+)\]/g)].map((m) => m[1]));
    expect([...byMatrix].sort()).toEqual(["deployRoleVariable", "planRoleVariable"]);
    const { environments } = environmentList();
    const repositoryVariables = new Set([...named, ...environments.map((e) => e.planRoleVariable)]);
    repositoryVariables.delete("BANDUP_ALLOW_DESTROY");
    repositoryVariables.delete("BANDUP_ALLOW_LOSS");
    repositoryVariables.delete("BANDUP_ALLOW_DRIFT");
    expect(Object.keys(built.json.output["repository-variables"].value).sort()).toEqual([...repositoryVariables].sort());
    expect(Object.fromEntries(Object.entries<Record<string, string>>(built.json.output["environment-variables"].value).map(([env, vars]) => [env, Object.keys(vars)]))).toEqual(
      Object.fromEntries(environments.map((e) => [e.githubEnvironment, [e.deployRoleVariable]])),
    );
  });
});

describe("state and guardrails", () => {
  test("local state by default; in the bucket under <prefix>/bootstrap/ once the backend is s3", () => {
    expect(built.json.terraform.backend).toEqual({ local: { path: "../../../terraform.bandup-bootstrap.tfstate" } });
    const { json } = build({ githubRepository: REPOSITORY }, ENVIRONMENTS, { type: "s3", bucket: "my-org-bandup-state", region: "us-east-1", keyPrefix: "bandup" });
    expect(json.terraform.backend).toEqual({
      s3: { bucket: "my-org-bandup-state", key: "bandup/bootstrap/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
    });
  });

  test("passes every guardrail: bucket rules, exact trust, no wildcard, PassRole only towards Lambda", () => {
    const report = checkStack(built.bootstrap);
    expect([...report.errors, ...report.warnings]).toEqual([]);
    const passing = report.rules.filter((r) => r.status === "pass").map((r) => r.ruleId);
    expect(passing).toEqual(expect.arrayContaining(["BANDUP-IAM-1", "BANDUP-IAM-2", "BANDUP-IAM-3", "BANDUP-IAM-7", "BANDUP-IAM-8", "BANDUP-IAM-9", "BANDUP-S3-1", "BANDUP-S3-4", "BANDUP-S3-7"]));
    expect(() => Testing.synth(built.bootstrap, true)).not.toThrow();
  });
});
