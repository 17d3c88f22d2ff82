/**
 * Where each environment keeps its Terraform state: local files by default (synth and tests need no
 * cloud), an S3 bucket, or HCP Terraform workspaces. Chosen by environment variables, which win, or by
 * the `bandupBackend` context in cdktf.json:
 *
 * | variable                      | meaning                                   | default            |
 * |-------------------------------|-------------------------------------------|--------------------|
 * | `BANDUP_BACKEND`              | `local`, `s3` or `hcp`                    | `local`            |
 * | `BANDUP_STATE_BUCKET`         | S3 bucket (s3)                            | required for s3    |
 * | `BANDUP_STATE_REGION`         | region of the bucket (s3)                 | `us-east-1`        |
 * | `BANDUP_STATE_KEY_PREFIX`     | key prefix; key is `<prefix>/<env>/terraform.tfstate` | `bandup` |
 * | `BANDUP_HCP_ORGANIZATION`     | HCP Terraform organization (hcp)          | required for hcp   |
 * | `BANDUP_HCP_WORKSPACE_PREFIX` | workspace is `<prefix><env>` (hcp)        | `bandup-`          |
 * | `BANDUP_HCP_HOSTNAME`         | HCP Terraform / Enterprise host (hcp)     | `app.terraform.io` |
 */
import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack } from "cdktf";
import { BUCKET_NAME, checkName, checkRegion, STATE_KEY_PREFIX } from "../constructs/naming-rules";
import { REQUIRED_TERRAFORM_VERSION } from "./terraform-version";

export type BackendSettings =
  | {
      readonly type: "local";
      /**
       * State file, relative to the stack's working directory (`cdktf.out/stacks/<stack>`).
       * @default "../../../terraform.<stack name>.tfstate" - in the project root, as cdktf's own default,
       * so the state survives a new synth (which replaces cdktf.out)
       */
      readonly path?: string;
    }
  | { readonly type: "s3"; readonly bucket: string; readonly region: string; readonly keyPrefix: string }
  | {
      readonly type: "hcp";
      readonly organization: string;
      readonly workspacePrefix: string;
      readonly hostname: string;
    };

/** The context key in cdktf.json that may hold backend settings (same fields as the variables). */
export const BACKEND_CONTEXT_KEY = "bandupBackend";

/** Backend settings as they may appear in cdktf.json context. */
export interface BackendContext {
  readonly type?: string;
  readonly bucket?: string;
  readonly region?: string;
  readonly keyPrefix?: string;
  readonly organization?: string;
  readonly workspacePrefix?: string;
  readonly hostname?: string;
}

/** Thrown for a backend setting that is missing or malformed. */
export class BackendConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid state backend settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BackendConfigError";
  }
}

const HCP_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Reads the backend settings from environment variables (which win) and the cdktf.json context.
 * Collects every problem and throws one `BackendConfigError`.
 */
export function resolveBackendSettings(env: NodeJS.ProcessEnv, context: BackendContext = {}): BackendSettings {
  const pick = (variable: string, field: keyof BackendContext): string | undefined => {
    const fromEnv = env[variable];
    return fromEnv !== undefined && fromEnv !== "" ? fromEnv : context[field];
  };
  const type = pick("BANDUP_BACKEND", "type") ?? "local";
  const problems: string[] = [];
  switch (type) {
    case "local":
      return { type };
    case "s3": {
      const bucket = pick("BANDUP_STATE_BUCKET", "bucket");
      const region = pick("BANDUP_STATE_REGION", "region") ?? "us-east-1";
      const keyPrefix = pick("BANDUP_STATE_KEY_PREFIX", "keyPrefix") ?? "bandup";
      if (bucket === undefined) {
        problems.push("`BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend");
      } else {
        const problem = checkName("BANDUP_STATE_BUCKET", BUCKET_NAME, bucket);
        if (problem) problems.push(problem);
      }
      const regionProblem = checkRegion("BANDUP_STATE_REGION", region);
      if (regionProblem) problems.push(regionProblem);
      const keyPrefixProblem = checkName("BANDUP_STATE_KEY_PREFIX", STATE_KEY_PREFIX, keyPrefix);
      if (keyPrefixProblem) problems.push(keyPrefixProblem);
      if (problems.length > 0) throw new BackendConfigError(problems);
      return { type, bucket: bucket!, region, keyPrefix };
    }
    case "hcp": {
      const organization = pick("BANDUP_HCP_ORGANIZATION", "organization");
      const workspacePrefix = pick("BANDUP_HCP_WORKSPACE_PREFIX", "workspacePrefix") ?? "bandup-";
      const hostname = pick("BANDUP_HCP_HOSTNAME", "hostname") ?? "app.terraform.io";
      if (organization === undefined) {
        problems.push("`BANDUP_HCP_ORGANIZATION` (or `organization` in the `bandupBackend` context) is required for the hcp backend");
      } else if (!HCP_NAME.test(organization)) {
        problems.push(`\`BANDUP_HCP_ORGANIZATION\` must be letters, digits, _ and -; got \`${organization}\``);
      }
      if (!HCP_NAME.test(workspacePrefix)) {
        problems.push(`\`BANDUP_HCP_WORKSPACE_PREFIX\` must be letters, digits, _ and -; got \`${workspacePrefix}\``);
      }
      if (problems.length > 0) throw new BackendConfigError(problems);
      return { type, organization: organization!, workspacePrefix, hostname };
    }
    default:
      throw new BackendConfigError([`\`BANDUP_BACKEND\` must be one of \`local\`, \`s3\`, \`hcp\`; got \`${type}\``]);
  }
}

/** The S3 key of an environment's state: `<prefix>/<env>/terraform.tfstate` (its lock is `<key>.tflock`). */
export function stateKey(keyPrefix: string, environment: string): string {
  return `${keyPrefix}/${environment}/terraform.tfstate`;
}

/** The S3 key of the lock object Terraform's S3-native locking (`use_lockfile`) writes beside a state. */
export function lockKey(keyPrefix: string, environment: string): string {
  return `${stateKey(keyPrefix, environment)}.tflock`;
}

/**
 * Declares the stack's backend for one environment (its own state file, key or workspace) and the
 * terraform the stack needs (`required_version`: the S3 backend's `use_lockfile` needs 1.10).
 */
export function addBackend(stack: TerraformStack, environment: string, settings: BackendSettings): void {
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  switch (settings.type) {
    case "local":
      new LocalBackend(stack, { path: settings.path ?? `../../../terraform.${stack.node.id}.tfstate` });
      return;
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: settings.bucket,
        key: stateKey(settings.keyPrefix, environment),
        region: settings.region,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend props predate it.
      backend.addOverride("use_lockfile", true);
      return;
    }
    case "hcp":
      new CloudBackend(stack, {
        hostname: settings.hostname,
        organization: settings.organization,
        workspaces: new NamedCloudWorkspace(`${settings.workspacePrefix}${environment}`),
      });
      return;
  }
}
