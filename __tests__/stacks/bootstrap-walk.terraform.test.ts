/**
 * "From an empty AWS account to the first deploy", followed literally: the code blocks the doc marks
 * with `<!-- walk -->`, in the doc's order, in ONE bash session, in ONE copy of the project, as a person
 * would paste them. What the walk talks to is local:
 *
 * - S3 is s3rver (the state bucket, and the uploads buckets the walk creates), reached by terraform's
 *   S3 backend and by the AWS CLI through `AWS_ENDPOINT_URL_S3`, with path-style addressing (a
 *   backend-config file through `TF_CLI_ARGS_init`, an AWS CLI config file: settings only a local stand-in
 *   needs, given by the environment, never by editing a command);
 * - SSM is the project's SSM stand-in (PutParameter, what `aws ssm put-parameter` calls), STS the
 *   offline STS stand-in (account 123456789012, the doc's example);
 * - terraform runs offline against the provider mirror.
 *
 * What cannot run here has a stand-in on PATH that says what it does instead: `npx cdktf deploy
 * bandup-bootstrap` (an apply against AWS) synthesizes, runs `terraform init` in the stack's folder
 * with the local backend, as cdktf does, and leaves the state an apply would leave (the outputs the
 * stack declares, resolved for the example account); `npm ci` does nothing (the copy links the
 * project's node_modules); `gh` checks that each command has a form it knows (`gh variable set`, `gh
 * api`) and records it. Everything else is the real command. The plan of step 5 cannot show "No
 * changes" here (the stand-in state holds no resource, and no real account answers a refresh): the
 * test checks that it planned from the state that step 5 moved into the bucket.
 *
 * Fails (never skips) when terraform, the mirror or the AWS CLI is missing.
 */
import { execFileSync, spawn } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { Testing } from "cdktf";
import { environmentList } from "../../scripts/lib/environment-list";
import { copyProjectFiles, projectFiles } from "../../scripts/lib/project-copy";
import { OFFLINE_ACCOUNT_ID, sharedStsStandIn } from "../../scripts/lib/sts-stand-in";
import { offlineTerraformEnv, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { buildBandupApp } from "../../stacks/app";
import { useS3rver } from "../support/s3rver";
import { useSsmStandIn } from "../support/ssm-stand-in";
import { TerraformJson } from "../support/synth";

const ROOT = join(__dirname, "../..");
const DOC = "docs/deploying.md";
const SECTION = "## From an empty AWS account to the first deploy";
const REPOSITORY = "my-org/bandup-infra";
const STATE_BUCKET = `bandup-terraform-state-${OFFLINE_ACCOUNT_ID}`;
const API_KEY = "AIza-walk-test-key";

/** The walk's section of the doc. */
function walkSection(): string {
  const text = readFileSync(join(ROOT, DOC), "utf8");
  const start = text.indexOf(SECTION);
  if (start < 0) throw new Error(`${DOC} has no section "${SECTION}"`);
  const next = text.slice(start + SECTION.length).search(/\n#{2,3} /);
  return next < 0 ? text.slice(start) : text.slice(start, start + SECTION.length + next);
}

/** The code of every block marked `<!-- walk -->`, de-indented, in order. */
function walkBlocks(): string[] {
  return [...walkSection().matchAll(/^( *)<!-- walk -->\n\1```bash\n([\s\S]*?)\n\1```/gm)].map(([, indent, code]) =>
    code
      .split("\n")
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join("\n"),
  );
}

/** The state `cdktf deploy bandup-bootstrap` leaves: its outputs, resolved for the example account and repository. */
function deployedBootstrapState(): string {
  const { bootstrap } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
  const json: TerraformJson = JSON.parse(Testing.synth(bootstrap));
  const roles: Record<string, TerraformJson> = json.resource.aws_iam_role;
  const resolved = JSON.stringify(json.output)
    .replace(/\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}/g, OFFLINE_ACCOUNT_ID)
    .replace(/\$\{var\.github_repository\}/g, REPOSITORY)
    .replace(/\$\{aws_iam_role\.([^.]+)\.arn\}/g, (_, name: string) => `arn:aws:iam::${OFFLINE_ACCOUNT_ID}:role/${roles[name].name}`)
    .replace(/\$\{aws_s3_bucket\.[\w-]+\.(?:bucket|id)\}/g, STATE_BUCKET);
  if (resolved.includes("${")) throw new Error(`an output of bandup-bootstrap this test cannot resolve: ${/\$\{[^}]*\}/.exec(resolved)![0]}`);
  const outputs = Object.fromEntries(
    Object.entries(JSON.parse(resolved) as Record<string, { value: unknown; sensitive?: boolean }>).map(([name, output]) => [
      name,
      { value: output.value, type: JSON.parse(JSON.stringify(typeOf(output.value))), ...(output.sensitive && { sensitive: true }) },
    ]),
  );
  return JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 7, lineage: "5f0c8d2e-7a41-4b3e-9c1d-2e8f6a4b9d17", outputs, resources: [], check_results: null });
}

/** Terraform's type of a JSON value, as a state records an output's. */
function typeOf(value: unknown): unknown {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", value.map(typeOf)];
  if (value !== null && typeof value === "object") return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOf(v)]))];
  throw new Error(`an output value this test cannot type: ${JSON.stringify(value)}`);
}

const s3 = useS3rver(STATE_BUCKET);
const ssm = useSsmStandIn({}, { writable: true });

describe("the walk from an empty AWS account, as the doc writes it", () => {
  let work: string;
  let copy: string;
  let bin: string;
  let ghLog: string;
  let run: { code: number; stdout: string; stderr: string };
  /** What reached s3rver during the walk (the proxy forgets it when a test starts). */
  let seen: { method: string; path: string }[];

  beforeAll(async () => {
    expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
    const aws = (() => {
      try {
        return execFileSync("aws", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      } catch {
        throw new Error("the AWS CLI (`aws`) is not on PATH: the walk's step 6 needs it; install it (pip install awscli, or AWS's installer)");
      }
    })();
    expect(aws).toMatch(/^aws-cli\//);

    work = mkdtempSync(join(tmpdir(), "bandup-walk-"));
    copy = join(work, "project");
    copyProjectFiles(ROOT, copy, projectFiles(ROOT));
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    bin = join(work, "bin");
    mkdirSync(bin);
    ghLog = join(work, "gh.log");
    writeFileSync(ghLog, "");
    const deployedState = join(work, "deployed.tfstate");
    writeFileSync(deployedState, deployedBootstrapState());

    const realNpm = execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
    const realNpx = execFileSync("sh", ["-c", "command -v npx"], { encoding: "utf8" }).trim();
    const script = (name: string, text: string) => {
      writeFileSync(join(bin, name), text, { mode: 0o755 });
    };
    script("npm", `#!/bin/sh\n# npm ci: the copy links the project's installed node_modules.\n[ "$*" = ci ] && exit 0\nexec "${realNpm}" "$@"\n`);
    script(
      "npx",
      [
        "#!/bin/sh",
        'case "$*" in',
        '  "cdktf deploy bandup-bootstrap --var=github_repository="*)',
        "    # What cdktf deploy does before its apply: synth, then terraform init in the stack's folder (local backend).",
        '    npm run synth || exit 1',
        '    TF_CLI_ARGS_init= terraform -chdir=cdktf.out/stacks/bandup-bootstrap init -input=false > /dev/null || exit 1',
        "    # What its apply leaves: the state, outputs included, in the project root.",
        `    cp "${deployedState}" terraform.bandup-bootstrap.tfstate`,
        "    exit 0 ;;",
        "esac",
        `exec "${realNpx}" "$@"`,
        "",
      ].join("\n"),
    );
    script(
      "gh",
      [
        "#!/bin/sh",
        `printf '%s\\n' "$*" >> "${ghLog}"`,
        'case "$1 $2" in',
        '  "variable set")',
        '    echo "$*" | grep -Eq "^variable set [A-Z][A-Z0-9_]* --repo [A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+( --env [a-z][a-z0-9-]*)? --body .+$" && exit 0 ;;',
        "  api*)",
        '    echo "$*" | grep -Eq "^api( (--method|-X) [A-Z]+| (-f|-F|--field|--raw-field|--input|-H) [^ ]+)* /?repos/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[^ ]+( (-f|-F|--field|--raw-field|--input|-H) [^ ]+)*$" && exit 0 ;;',
        "esac",
        'echo "gh stand-in: not a command of the walk: gh $*" >&2',
        "exit 99",
        "",
      ].join("\n"),
    );

    const backendConfig = join(work, "s3rver.s3.tfbackend");
    writeFileSync(
      backendConfig,
      [
        `endpoints = { s3 = "${s3().endpoint}" }`,
        "use_path_style = true",
        "skip_credentials_validation = true",
        "skip_requesting_account_id = true",
        "skip_metadata_api_check = true",
        "skip_s3_checksum = true",
        "",
      ].join("\n"),
    );
    const awsConfig = join(work, "aws-config");
    writeFileSync(awsConfig, "[default]\ns3 =\n    addressing_style = path\n");
    const sts = await sharedStsStandIn();

    const env: NodeJS.ProcessEnv = {
      ...offlineTerraformEnv(writeCliConfig()),
      PATH: `${bin}:${process.env.PATH}`,
      // s3rver's credentials; the STS stand-in and the SSM stand-in take any.
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: join(work, "no-credentials"),
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_ENDPOINT_URL_S3: s3().endpoint,
      AWS_ENDPOINT_URL_SSM: ssm().url,
      TF_CLI_ARGS_init: `-backend-config=${backendConfig}`,
      BANDUP_BACKEND: "",
      BANDUP_STATE_BUCKET: "",
    };
    const file = join(work, "walk.sh");
    writeFileSync(file, walkBlocks().join("\n"));
    run = await new Promise((resolve, reject) => {
      const child = spawn("bash", ["--noprofile", "--norc", "-e", file], { cwd: copy, env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      // What the person types at step 6's prompt.
      child.stdin.end(`${API_KEY}\n`);
    });
    seen = s3()
      .requests()
      .map((r) => ({ method: r.method, path: decodeURIComponent(new URL(r.path, "http://s3rver").pathname) }));
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("the doc marks the steps' blocks: bootstrap, variables, the state's move, the key and the buckets", () => {
    const blocks = walkBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const all = blocks.join("\n");
    for (const command of [
      "npx cdktf deploy bandup-bootstrap --var=github_repository=my-org/bandup-infra",
      "output -json gh-variable-commands | jq -r '.[]' | sh",
      "init -input=false -migrate-state -force-copy",
      "aws ssm put-parameter",
      "aws s3 mb",
    ]) {
      expect([command, all.includes(command)]).toEqual([command, true]);
    }
  });

  test("runs through, every step, in one shell and one folder", () => {
    expect([run.code, run.stderr.match(/^(Error|.*error).*$/im)?.[0]]).toEqual([0, undefined]);
  });

  test("step 4: the bootstrap's gh commands ran, each of a form gh takes, one per variable", () => {
    const calls = readFileSync(ghLog, "utf8").split("\n").filter(Boolean);
    const { environments } = environmentList();
    expect(calls).toEqual(
      expect.arrayContaining([
        `variable set BANDUP_STATE_BUCKET --repo ${REPOSITORY} --body ${STATE_BUCKET}`,
        ...environments.map((e) => `variable set ${e.planRoleVariable} --repo ${REPOSITORY} --body arn:aws:iam::${OFFLINE_ACCOUNT_ID}:role/bandup-plan-${e.name}`),
        ...environments.map((e) => `variable set BANDUP_DEPLOY_ROLE_ARN --repo ${REPOSITORY} --env ${e.name} --body arn:aws:iam::${OFFLINE_ACCOUNT_ID}:role/bandup-deploy-${e.name}`),
      ]),
    );
  });

  test("step 5: the state moved into the bucket under bandup/bootstrap/, the plan read it from there, the local file is gone", async () => {
    const keys = seen.map((r) => `${r.method} ${r.path}`);
    expect(keys).toContain(`PUT /${STATE_BUCKET}/bandup/bootstrap/terraform.tfstate`);
    const object = await s3().client.send(new GetObjectCommand({ Bucket: STATE_BUCKET, Key: "bandup/bootstrap/terraform.tfstate" }));
    const stored = await object.Body!.transformToString();
    expect(Object.keys(JSON.parse(stored).outputs)).toEqual(Object.keys(JSON.parse(deployedBootstrapState()).outputs));
    // The plan came after the move and read the moved state.
    const lastPut = keys.lastIndexOf(`PUT /${STATE_BUCKET}/bandup/bootstrap/terraform.tfstate`);
    expect(keys.slice(lastPut + 1)).toContain(`GET /${STATE_BUCKET}/bandup/bootstrap/terraform.tfstate`);
    // eslint-disable-next-line no-control-regex
    expect(run.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(existsSync(join(copy, "terraform.bandup-bootstrap.tfstate"))).toBe(false);
  });

  test("step 6: each environment's model API key is a SecureString holding the key typed, and its uploads bucket exists", () => {
    const { environments } = environmentList();
    expect(ssm().written).toEqual(Object.fromEntries(environments.map((e) => [e.modelApiKeyParameter, { type: "SecureString", value: API_KEY }])));
    const buckets = seen.filter((r) => r.method === "PUT" && /^\/[^/]+\/?$/.test(r.path)).map((r) => r.path.replace(/\//g, ""));
    expect(buckets.sort()).toEqual(environments.map((e) => e.uploadsBucket).sort());
    expect(run.stdout + run.stderr).not.toContain(API_KEY);
  });

  test("the prerequisites name every tool the walk calls", () => {
    const section = walkSection();
    const prerequisites = section.slice(section.indexOf("**Prerequisites.**"), section.indexOf("1. **Settings.**"));
    const shell = new Set(["export", "read", "echo", "while", "do", "done", "rm", "sh", "cd", "if", "then", "fi", "for"]);
    const commands = new Set(
      walkBlocks()
        .join("\n")
        .split("\n")
        .flatMap((line) => line.replace(/#.*$/, "").split(/\||;|&&/))
        .map((part) => part.trim().split(/\s+/)[0])
        .filter((word) => word && /^[a-z]/.test(word) && !shell.has(word)),
    );
    // gh: step 4's commands come out of terraform's output.
    commands.add("gh");
    expect([...commands].sort()).toEqual(["aws", "gh", "jq", "npm", "npx", "terraform"]);
    for (const command of commands) expect([command, prerequisites.includes(`\`${command}\``)]).toEqual([command, true]);
  });
});
