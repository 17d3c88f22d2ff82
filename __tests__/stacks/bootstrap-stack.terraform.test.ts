/**
 * The real terraform on `bandup-bootstrap`, offline: init against the provider mirror, validate, and a
 * plan whose policies are rendered with the account the STS stand-in reports. Then the state as the
 * roles reach it: Terraform's S3 backend run against s3rver, every request it makes checked against
 * the deploy and plan policies. The documented move of the bootstrap's own state into the bucket is
 * bootstrap-walk.terraform.test.ts, which runs the whole walk as the doc writes it.
 * Fails (never skips) when terraform or the mirror is missing.
 */
import { Testing } from "cdktf";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { GrantStatement } from "../../constructs/iam-grants";
import { actionMatches, iamWildcard } from "../../guardrails/iam-policies";
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { OFFLINE_ACCOUNT_ID } from "../../scripts/lib/sts-stand-in";
import { buildBandupApp } from "../../stacks/app";
import { BackendSettings } from "../../stacks/backend";
import { BootstrapSettings } from "../../stacks/bootstrap-settings";
import { environmentPermissions, EnvironmentPermissions } from "../../stacks/deploy-permissions";
import { ENVIRONMENTS } from "../../stacks/environments";
import { ProxiedRequest } from "../support/recording-proxy";
import { useS3rver } from "../support/s3rver";
import { fullSynthEnvironment, TerraformJson } from "../support/synth";

const REPOSITORY = "my-org/bandup-infra";
const names = Object.keys(ENVIRONMENTS);
const cliConfig = writeCliConfig();

/** A full synth of the bootstrap (with every environment's stack) into a fresh folder; its working directory. */
function synthBootstrap(bootstrap: BootstrapSettings, backend: BackendSettings): string {
  const { bootstrap: stack } = buildBandupApp({ app: Testing.app(), backend, bootstrap, offlineProvider: {} });
  return join(Testing.fullSynth(stack), "stacks", stack.node.id);
}

/** The planned value of one resource's attribute. */
function planned(plan: TerraformPlanJson, addressPrefix: string, attribute: string): unknown {
  const change = (plan.resource_changes ?? []).find((c) => c.address.startsWith(addressPrefix));
  if (!change) throw new Error(`no planned change for ${addressPrefix}`);
  return (change.change.after as Record<string, unknown>)[attribute];
}

describe("terraform on bandup-bootstrap", () => {
  let validation: Awaited<ReturnType<OfflineTerraform["validate"]>>;
  let plan: TerraformPlanJson;
  let terraform: OfflineTerraform;

  beforeAll(async () => {
    expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
    // The project's settings: the repository asked at deploy time, the bucket named after the account.
    terraform = new OfflineTerraform(synthBootstrap({}, { type: "local", path: "terraform.tfstate" }), cliConfig);
    await terraform.init();
    validation = await terraform.validate();
    plan = await terraform.plan("tfplan", [`-var=github_repository=${REPOSITORY}`]);
  }, 300_000);

  test("validates with no errors and no warnings", () => {
    expect(validation).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test("plans the bucket and its six settings, the OIDC provider, and a deploy and a plan role with their policies per environment", () => {
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
        ...names.flatMap(() => ["aws_iam_role create", "aws_iam_role create", "aws_iam_role_policy create", "aws_iam_role_policy create"]),
      ].sort(),
    );
    expect(planned(plan, "aws_s3_bucket.state_bucket", "bucket")).toBe(`bandup-terraform-state-${OFFLINE_ACCOUNT_ID}`);
    expect(planned(plan, "aws_iam_openid_connect_provider.", "url")).toBe("https://token.actions.githubusercontent.com");
    expect(planned(plan, "aws_iam_openid_connect_provider.", "client_id_list")).toEqual(["sts.amazonaws.com"]);
  });

  test("renders each role's policy in the plan, for review: the derived statements with the deploying account, within IAM's 10,240 characters", () => {
    const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, bootstrap: {} });
    for (const stack of stacks) {
      const expected = environmentPermissions(stack, stack.environment, {
        partition: "aws",
        accountId: OFFLINE_ACCOUNT_ID,
        state: { bucket: `bandup-terraform-state-${OFFLINE_ACCOUNT_ID}`, region: "us-east-1", keyPrefix: "bandup" },
      });
      for (const role of ["deploy", "plan"] as const) {
        const policy = planned(plan, `aws_iam_role_policy.${stack.environment.name}-${role}_role-policy`, "policy");
        expect(typeof policy).toBe("string");
        const document = JSON.parse(policy as string);
        expect(document.Statement.map((s: TerraformJson) => s.Sid)).toEqual(expected[role].map((s) => s.sid));
        for (const statement of expected[role]) {
          const rendered = document.Statement.find((s: TerraformJson) => s.Sid === statement.sid);
          expect([statement.sid, [rendered.Action].flat().sort(), [rendered.Resource].flat().sort()]).toEqual([statement.sid, [...statement.actions].sort(), [...statement.resources].sort()]);
        }
        // The quota counts a role's inline policies without whitespace.
        expect(JSON.stringify(document).length).toBeLessThan(10_240);
      }
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

/** What an S3 request needs in IAM: the action, the resource, and the condition keys it carries. */
interface S3Access {
  readonly request: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string>>;
}

function s3Access(request: ProxiedRequest, bucket: string): S3Access {
  const url = new URL(request.path, "http://s3rver");
  const [, pathBucket, ...keyParts] = url.pathname.split("/");
  expect(pathBucket).toBe(bucket);
  const key = decodeURIComponent(keyParts.join("/"));
  const label = `${request.method} ${decodeURIComponent(url.pathname)}${url.search}`;
  if (key === "") {
    if ((request.method === "GET" && url.searchParams.has("list-type")) || request.method === "HEAD") {
      return { request: label, action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": url.searchParams.get("prefix") ?? "" } };
    }
    throw new Error(`a bucket request this test does not map to IAM yet: ${label}`);
  }
  const action = { GET: "s3:GetObject", HEAD: "s3:GetObject", PUT: "s3:PutObject", DELETE: "s3:DeleteObject" }[request.method];
  if (action === undefined) throw new Error(`an object request this test does not map to IAM yet: ${label}`);
  return { request: label, action, resource: `arn:aws:s3:::${bucket}/${key}`, context: {} };
}

/** True when an Allow statement grants the access (action, resource, and every StringEquals condition met). */
function allows(statements: readonly GrantStatement[], access: S3Access): boolean {
  return statements.some(
    (s) =>
      s.actions.some((a) => actionMatches(a, access.action)) &&
      s.resources.some((r) => iamWildcard(r).test(access.resource)) &&
      (s.conditions ?? []).every((c) => c.test === "StringEquals" && access.context[c.variable] !== undefined && c.values.includes(access.context[c.variable])),
  );
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

describe("the state in S3, as the roles reach it (Terraform's S3 backend against s3rver)", () => {
  const BUCKET = "bandup-state-offline";
  const s3 = useS3rver(BUCKET);
  const settings: BackendSettings = { type: "s3", bucket: BUCKET, region: "us-east-1", keyPrefix: "bandup" };
  let dev: { terraform: OfflineTerraform; directory: string; permissions: EnvironmentPermissions };

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

  /** Every request since the test began, as IAM sees it, and whether each policy allows it. */
  function accesses(): (S3Access & { deploy: boolean; plan: boolean })[] {
    return s3()
      .requests()
      .map((r) => s3Access(r, BUCKET))
      .map((a) => ({ ...a, deploy: allows(dev.permissions.deploy, a), plan: allows(dev.permissions.plan, a) }));
  }

  beforeAll(async () => {
    const { stack, directory } = fullSynthEnvironment("dev", { backend: settings, offlineProvider: {} });
    dev = {
      directory,
      terraform: new OfflineTerraform(directory, cliConfig),
      permissions: environmentPermissions(stack, stack.environment, { partition: "aws", accountId: OFFLINE_ACCOUNT_ID, state: { bucket: BUCKET, region: "us-east-1", keyPrefix: "bandup" } }),
    };
  });

  test("terraform init: every request is allowed to the plan role and to the deploy role", async () => {
    await dev.terraform.run(["init", "-input=false", "-no-color", `-backend-config=${s3rverBackendConfig()}`]);
    const seen = accesses();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((a) => !a.deploy || !a.plan)).toEqual([]);
  }, 120_000);

  test("a deploy writes the state with its lock (state push): allowed to the deploy role, refused to the plan role", async () => {
    const local = join(dev.directory, "pushed.tfstate");
    writeFileSync(local, stateFile("dev"));
    await dev.terraform.run(["state", "push", "-no-color", local]);
    const seen = accesses();
    expect(seen.filter((a) => !a.deploy)).toEqual([]);
    expect(seen.map((a) => a.action)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]));
    expect(seen.filter((a) => a.resource.endsWith(".tflock")).map((a) => a.action)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:DeleteObject"]));
    expect(seen.filter((a) => a.action === "s3:PutObject" && a.resource === `arn:aws:s3:::${BUCKET}/bandup/dev/terraform.tfstate`)).toHaveLength(1);
    expect(seen.filter((a) => !a.plan).length).toBeGreaterThan(0);
    // `encrypt = true` without a KMS key: the backend asks for SSE-S3 on every write (see the README on `stateKmsKeyArn`).
    const writes = s3().requests().filter((r) => r.method === "PUT");
    expect(writes.map((r) => r.headers["x-amz-server-side-encryption"])).toEqual(writes.map(() => "AES256"));
  }, 120_000);

  test("a PR plan (plan -lock=false): every request is allowed to the plan role, and none writes", async () => {
    await dev.terraform.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=pr.tfplan"]);
    const seen = accesses();
    expect(seen.map((a) => a.action)).toContain("s3:GetObject");
    expect(seen.filter((a) => !a.plan)).toEqual([]);
    expect(seen.filter((a) => a.action !== "s3:GetObject" && a.action !== "s3:ListBucket")).toEqual([]);
  }, 180_000);
});
