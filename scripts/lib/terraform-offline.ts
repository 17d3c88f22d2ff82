/**
 * Runs the real terraform CLI offline: a CLI config whose `provider_installation` points at a local
 * filesystem mirror of hashicorp/aws, fake credentials, no checkpoint calls. Used by the tests, the
 * benchmarks and the plan-review tests. Fails loudly when terraform or the mirror is missing: a check
 * that silently skips is worse than none.
 */
import { execFile, execFileSync } from "child_process";
import { promisify } from "util";
import { existsSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { sharedStsStandIn } from "./sts-stand-in";

const execFileAsync = promisify(execFile);

/** The provider version the app pins; the mirror must hold exactly this one. */
export const AWS_PROVIDER_VERSION = "5.100.0";

/** Folders searched for the mirror when `BANDUP_TF_MIRROR` is not set (a mirror root holds registry.terraform.io/). */
const MIRROR_CANDIDATES = [
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  join(process.env.HOME ?? "/root", ".terraform.d/plugins"),
  join(process.env.HOME ?? "/root", ".local/share/terraform/plugins"),
];

function hasAwsProvider(root: string): boolean {
  return existsSync(join(root, "registry.terraform.io/hashicorp/aws", AWS_PROVIDER_VERSION));
}

/** The root of the offline provider mirror; throws with the fix when there is none. */
export function findProviderMirror(): string {
  const fromEnv = process.env.BANDUP_TF_MIRROR;
  if (fromEnv) {
    if (!hasAwsProvider(fromEnv)) {
      throw new Error(
        `BANDUP_TF_MIRROR=${fromEnv} does not hold registry.terraform.io/hashicorp/aws/${AWS_PROVIDER_VERSION}; point it at the folder that holds registry.terraform.io/`,
      );
    }
    return fromEnv;
  }
  const found = MIRROR_CANDIDATES.find(hasAwsProvider);
  if (!found) {
    throw new Error(
      `No offline mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} found in ${MIRROR_CANDIDATES.join(", ")}. ` +
        "Set BANDUP_TF_MIRROR to the folder that holds registry.terraform.io/ (find / -name 'terraform-provider-aws*'). " +
        "The terraform checks cannot run without it.",
    );
  }
  return found;
}

/** The terraform CLI's version line; throws when terraform is not on PATH. */
export function terraformVersion(): string {
  try {
    return execFileSync("terraform", ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } })
      .split("\n")[0];
  } catch (error) {
    throw new Error(`terraform is not on PATH (${(error as Error).message}); install Terraform >= 1.10 to run the terraform checks`);
  }
}

/** Writes a CLI config that installs hashicorp/* providers from the mirror only; returns its path. */
export function writeCliConfig(mirror: string = findProviderMirror(), dir?: string): string {
  const folder = dir ?? mkdtempSync(join(tmpdir(), "bandup-tfrc-"));
  const file = join(folder, "terraform.rc");
  writeFileSync(
    file,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
`,
  );
  return file;
}

/**
 * Environment for an offline terraform run: the CLI config, fake credentials, no prompts, and the STS
 * stand-in's endpoint (`sharedStsStandIn()`) for the stacks' `data.aws_caller_identity`.
 */
export function offlineTerraformEnv(cliConfigFile: string, stsEndpoint?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(stsEndpoint !== undefined && { AWS_ENDPOINT_URL_STS: stsEndpoint }),
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_ACCESS_KEY_ID: "AKIAOFFLINETESTONLY00",
    AWS_SECRET_ACCESS_KEY: "offline-test-secret",
    AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** One working directory that holds a synthesized stack, and the terraform commands run in it. */
export class OfflineTerraform {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    /** The folder that holds cdk.tf.json. */
    readonly workingDirectory: string,
    cliConfigFile: string = writeCliConfig(),
  ) {
    this.env = offlineTerraformEnv(cliConfigFile);
  }

  /** Runs `terraform <args>`; rejects with terraform's own output when it fails. */
  async run(args: string[]): Promise<string> {
    const sts = await sharedStsStandIn();
    try {
      const { stdout } = await execFileAsync("terraform", args, {
        cwd: this.workingDirectory,
        env: { ...this.env, AWS_ENDPOINT_URL_STS: sts.endpoint },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      return stdout;
    } catch (error) {
      const failure = error as { code?: number | string; stderr?: string; stdout?: string; message: string };
      if (failure.code === "ENOENT") {
        throw new Error("terraform could not start: it is not on PATH");
      }
      throw new Error(
        `terraform ${args.join(" ")} failed in ${this.workingDirectory} (exit ${failure.code}):\n${failure.stderr ?? ""}\n${failure.stdout ?? failure.message}`,
      );
    }
  }

  async init(): Promise<void> {
    await this.run(["init", "-input=false", "-no-color"]);
  }

  /** `terraform validate -json`, parsed. */
  async validate(): Promise<{ valid: boolean; error_count: number; warning_count: number; diagnostics: unknown[] }> {
    return JSON.parse(await this.run(["validate", "-json", "-no-color"]));
  }

  /** Plans into `planFile` and returns `terraform show -json` of it, parsed. */
  async plan(planFile = "tfplan", extraArgs: string[] = []): Promise<TerraformPlanJson> {
    await this.run(["plan", "-input=false", "-no-color", "-lock=false", `-out=${planFile}`, ...extraArgs]);
    return JSON.parse(await this.run(["show", "-json", planFile]));
  }
}

/** The part of `terraform show -json <plan>` that the checks read. */
export interface TerraformPlanJson {
  format_version: string;
  resource_changes?: {
    address: string;
    type: string;
    name: string;
    mode: string;
    change: {
      actions: string[];
      before: unknown;
      after: unknown;
      replace_paths?: unknown[];
      importing?: { id: string };
    };
    action_reason?: string;
  }[];
  planned_values?: unknown;
  [key: string]: unknown;
}
