/**
 * `npm run permissions -- --json` (the bootstrap's policies, derived in-process) and what the plan
 * review makes of two of them (`--permissions-base`, `--permissions-head`): a role or boundary that a
 * pull request lets do more is a blocking finding, "deploy `bandup-bootstrap` first". The settings
 * changes here are the ones that grow an environment's deploy policy (alarm emails, replicas, an
 * environment added); the commands run in-process, their I/O stubbed.
 */
import { runPlanReview } from "../../scripts/lib/plan-review/cli";
import { parsePermissionsJson, PermissionGain, permissionGains, PermissionsJson } from "../../scripts/lib/plan-review/permission-changes";
import { permissionsCommand } from "../../scripts/permissions";
import { BootstrapSettings } from "../../stacks/bootstrap-settings";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";

const REPOSITORY = "my-org/bandup-infra";

function permissions(environments: Readonly<Record<string, EnvironmentSettings>> = ENVIRONMENTS, bootstrap: BootstrapSettings = { githubRepository: REPOSITORY }): string {
  let out = "";
  permissionsCommand(["--json"], (text) => (out += text), { environments, bootstrap });
  return out;
}

const base = permissions();
const parsed = (text: string): PermissionsJson => parsePermissionsJson(text, "--permissions-head", "head.json");
const gainsOf = (head: string): PermissionGain[] => permissionGains(parsed(base), parsed(head));

describe("npm run permissions -- --json", () => {
  test("every environment's deploy and plan roles, deploy boundary and function boundary, the account as a placeholder; the same output every run", () => {
    const json = parsed(base);
    expect(json.account).toBe("<account-id>");
    expect(Object.entries(json.policies).map(([name, e]) => [name, e.kind, e.environment])).toEqual(
      Object.keys(ENVIRONMENTS).flatMap((env) => [
        [`bandup-deploy-${env}`, "deploy-role", env],
        [`bandup-plan-${env}`, "plan-role", env],
        [`bandup-deploy-boundary-${env}`, "deploy-boundary", env],
        [`bandup-boundary-${env}`, "function-boundary", env],
      ]),
    );
    expect(permissions()).toBe(base);
  });

  test("without --json: each document's size against IAM's quota", () => {
    let out = "";
    permissionsCommand([], (text) => (out += text), { bootstrap: { githubRepository: REPOSITORY } });
    const sizes = parsed(base).policies["bandup-deploy-dev"] as unknown as { sizes: number[] };
    expect(out.split("\n")[0]).toMatch(/^role or policy +document +characters +IAM's quota$/);
    expect(out).toMatch(new RegExp(`^bandup-deploy-dev +inline policy +${sizes.sizes[0]} +10240$`, "m"));
  });
});

describe("what a pull request's policies gain over its base's", () => {
  test("the same settings: nothing", () => {
    expect(gainsOf(permissions())).toEqual([]);
  });

  test("alarm emails for dev: its deploy role gains Subscribe on its topic (and the subscription calls), its plan role the listing; no other environment", () => {
    const gains = gainsOf(permissions({ ...ENVIRONMENTS, dev: { alarmEmails: ["oncall@example.org"] } }));
    const topic = "arn:aws:sns:us-east-1:<account-id>:bandup-alarms-dev";
    expect(gains.map((g) => g.name)).toEqual(["bandup-deploy-dev", "bandup-plan-dev", "bandup-deploy-boundary-dev"]);
    expect(gains[0].gains).toEqual(
      expect.arrayContaining([`allows sns:Subscribe on ${topic}`, "allows sns:SetSubscriptionAttributes on *", "allows sns:Unsubscribe on *"]),
    );
    expect(gains[1].gains).toEqual(expect.arrayContaining([`allows sns:ListSubscriptionsByTopic on ${topic}`, "allows sns:GetSubscriptionAttributes on *"]));
  });

  test("replicas for prod: its roles gain the replica calls and the tables in the replica's region; an added environment is new", () => {
    const gains = gainsOf(permissions({ ...ENVIRONMENTS, prod: { ...ENVIRONMENTS.prod, replicaRegions: ["us-west-2"] }, qa: {} }));
    const deploy = gains.find((g) => g.name === "bandup-deploy-prod")!;
    expect(deploy.gains).toEqual(
      expect.arrayContaining([
        "allows dynamodb:CreateTableReplica on arn:aws:dynamodb:us-west-2:<account-id>:table/bandup-evaluations",
        "allows dynamodb:CreateTable on arn:aws:dynamodb:us-west-2:<account-id>:table/bandup-evaluations",
        "allows iam:CreateServiceLinkedRole on arn:aws:iam::<account-id>:role/aws-service-role/replication.dynamodb.amazonaws.com/AWSServiceRoleForDynamoDBReplication when StringEquals iam:AWSServiceName=replication.dynamodb.amazonaws.com",
      ]),
    );
    expect(gains.filter((g) => g.isNew).map((g) => g.name)).toEqual(["bandup-deploy-qa", "bandup-plan-qa", "bandup-deploy-boundary-qa", "bandup-boundary-qa"]);
    expect(gains.filter((g) => !g.isNew && !g.name.endsWith("-prod"))).toEqual([]);
  });

  test("what the head no longer grants is no gain; a denial it drops is one", () => {
    const withEmails = permissions({ ...ENVIRONMENTS, dev: { alarmEmails: ["oncall@example.org"] } });
    expect(permissionGains(parsed(withEmails), parsed(base))).toEqual([]);
    const head = JSON.parse(base);
    head.policies["bandup-deploy-boundary-dev"].documents[0].Statement = head.policies["bandup-deploy-boundary-dev"].documents[0].Statement.filter(
      (s: { Sid: string }) => s.Sid !== "DenyKeyCreation",
    );
    expect(permissionGains(parsed(base), parsed(JSON.stringify(head)))).toEqual([
      { name: "bandup-deploy-boundary-dev", kind: "deploy-boundary", isNew: false, gains: ["no longer denies kms:CreateKey on *"] },
    ]);
  });

  test("a subject the trust gains is one: another repository's token", () => {
    const gains = gainsOf(permissions(ENVIRONMENTS, { githubRepository: "my-org/other" }));
    expect(gains.map((g) => g.name)).toEqual(Object.keys(ENVIRONMENTS).flatMap((env) => [`bandup-deploy-${env}`, `bandup-plan-${env}`]));
    expect(gains[0].gains).toEqual([
      expect.stringContaining(
        "for sub StringEquals repo:my-org/other:environment:dev:job_workflow_ref:my-org/other/.github/workflows/deploy-stage.yml@refs/heads/main when StringEquals token.actions.githubusercontent.com:aud=sts.amazonaws.com",
      ),
    ]);
  });
});

describe("plan:review --permissions-base <file> --permissions-head <file>", () => {
  const PLAN = JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] });
  function review(args: string[], files: Record<string, string>) {
    let stdout = "";
    let stderr = "";
    const status = runPlanReview(args, {
      readFile: (path) => {
        if (!(path in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
        return files[path];
      },
      writeFile: () => undefined,
      appendFile: () => undefined,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { status, stdout, stderr };
  }
  const head = permissions({ ...ENVIRONMENTS, dev: { alarmEmails: ["oncall@example.org"] } });

  test("a role that would allow more: exit 1, the finding first in the review, one line each on stderr", () => {
    const { status, stdout, stderr } = review(["--permissions-base", "base.json", "--permissions-head", "head.json", "bandup-dev.json"], {
      "base.json": base,
      "head.json": head,
      "bandup-dev.json": PLAN,
    });
    expect(status).toBe(1);
    expect(stdout.startsWith("## Bootstrap permissions\n\n**Blocking:** 3 role(s) or policy(ies) of `bandup-bootstrap` would allow more than IAM holds.")).toBe(true);
    expect(stdout).toContain("- `bandup-deploy-dev` (deploy-role) gains:\n  - `allows sns:ListSubscriptionsByTopic on arn:aws:sns:us-east-1:<account-id>:bandup-alarms-dev`\n  - `allows sns:Subscribe on arn:aws:sns:us-east-1:<account-id>:bandup-alarms-dev`");
    expect(stderr.split("\n")[0]).toMatch(/^plan-review: deploy `bandup-bootstrap` first: bandup-deploy-dev gains allows .*; and \d+ more$/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(3);
  });

  test("the same policies: no finding, the review's own exit code", () => {
    const { status, stdout, stderr } = review(["--permissions-base", "base.json", "--permissions-head", "head.json", "bandup-dev.json"], {
      "base.json": base,
      "head.json": base,
      "bandup-dev.json": PLAN,
    });
    expect([status, stdout.includes("Bootstrap permissions"), stderr]).toEqual([0, false, ""]);
  });

  test.each([
    ["only one of the flags", ["--permissions-head", "head.json", "bandup-dev.json"], "plan-review: --permissions-base and --permissions-head go together: give both JSON files; run with --help for the usage"],
    ["a file that is not JSON", ["--permissions-base", "plan.txt", "--permissions-head", "head.json", "bandup-dev.json"], "plan-review: --permissions-base plan.txt: not JSON ("],
    ["JSON of something else", ["--permissions-base", "bandup-dev.json", "--permissions-head", "head.json", "bandup-dev.json"], "plan-review: --permissions-base bandup-dev.json: not the JSON of `npm run -s permissions -- --json`"],
    ["a missing file", ["--permissions-base", "gone.json", "--permissions-head", "head.json", "bandup-dev.json"], "plan-review: --permissions-base gone.json: cannot be read (ENOENT"],
  ])("%s: exit 2, one line naming the flag and the file", (_, args, message) => {
    const { status, stdout, stderr } = review(args, { "head.json": head, "plan.txt": "plan", "bandup-dev.json": PLAN });
    expect([status, stdout]).toEqual([2, ""]);
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
