/**
 * Runs the real terraform CLI offline: a CLI config whose `provider_installation` points at a local
 * filesystem mirror of hashicorp/aws, fake credentials, no checkpoint calls. Used by the tests, the
 * benchmarks and the plan-review tests. When no mirror is on the machine, makes one once with
 * `terraform providers mirror` (the only step that needs the network) and keeps it in a cache folder.
 * Fails loudly when terraform is missing or the mirror can be neither found nor made: a check that
 * silently skips is worse than none.
 *
 * Every terraform call here runs with a CLI config this file wrote: some machines point
 * TF_CLI_CONFIG_FILE at a file that does not exist, and terraform then warns on every call.
 *
 *   npx tsx scripts/lib/terraform-offline.ts    # checks terraform's version, prints the mirror root (making the mirror first if needed)
 */
import { execFile, execFileSync } from "child_process";
import { randomBytes } from "crypto";
import { promisify } from "util";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { hostname, tmpdir } from "os";
import { dirname, join } from "path";
import { meetsMinimumTerraformVersion, MINIMUM_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import { sharedStsStandIn } from "./sts-stand-in";

const execFileAsync = promisify(execFile);

/** The provider version the app pins; the mirror must hold exactly this one. */
export const AWS_PROVIDER_VERSION = "5.100.0";

/** Folders searched for the mirror when `BANDUP_TF_MIRROR` is not set (a mirror root holds registry.terraform.io/). */
const MIRROR_CANDIDATES: readonly string[] = [
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  "/usr/local/share/terraform/plugins",
  join(process.env.HOME ?? "/root", ".terraform.d/plugins"),
  join(process.env.HOME ?? "/root", ".local/share/terraform/plugins"),
];

/**
 * Where the mirror this file makes is kept: ignored by git, and outside node_modules because `npm ci`
 * empties node_modules, so every `npm ci && npm test` would download the provider again.
 */
const MIRROR_CACHE_DIRECTORY = join(__dirname, "../../.cache/bandup-tf-mirror");

/** Longest a `terraform providers mirror` download may take, and a second process may wait for it. */
const MIRROR_DOWNLOAD_TIMEOUT_MS = 15 * 60_000;
/** How often a process waiting for another one's mirror looks again. */
const WAIT_POLL_MS = 200;

const INSTALL_TERRAFORM = `install Terraform >= ${MINIMUM_TERRAFORM_VERSION} on PATH (https://developer.hashicorp.com/terraform/install)`;
const AWS_IN_MIRROR = "registry.terraform.io/hashicorp/aws";

/** Where the provider is looked for, and how a missing one is made. */
export interface ProviderMirrorOptions {
  /**
   * Environment the search reads `BANDUP_TF_MIRROR` from, and that terraform runs with when the
   * mirror is made (its `PATH` decides which terraform).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Mirror roots tried in order when `BANDUP_TF_MIRROR` is not set.
   * @default MIRROR_CANDIDATES
   */
  readonly candidates?: readonly string[];
  /**
   * Folder where the mirror made by `terraform providers mirror` is kept and found again.
   * @default MIRROR_CACHE_DIRECTORY (`.cache/bandup-tf-mirror` in the project)
   */
  readonly cacheDirectory?: string;
  /**
   * Terraform platform (`<os>_<arch>`) the mirror must hold the provider for.
   * @default this machine's, from `terraformPlatform()`
   */
  readonly platform?: string;
  /**
   * Receives what the search is doing when it takes long: making the mirror, waiting for another process.
   * @default writes each message to stderr
   */
  readonly onProgress?: (message: string) => void;
}

/** Terraform's name (`<os>_<arch>`) for a Node.js platform and architecture. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = ({ x64: "amd64", ia32: "386" } as Record<string, string>)[arch] ?? arch;
  return `${os}_${cpu}`;
}

/** Whether `root` holds hashicorp/aws at the pinned version for `platform`, unpacked or as terraform's zip. */
function hasAwsProvider(root: string, platform: string): boolean {
  const unpacked = join(root, AWS_IN_MIRROR, AWS_PROVIDER_VERSION, platform);
  const packed = join(root, AWS_IN_MIRROR, `terraform-provider-aws_${AWS_PROVIDER_VERSION}_${platform}.zip`);
  return (existsSync(unpacked) && readdirSync(unpacked).some((name) => name.startsWith("terraform-provider-aws"))) || existsSync(packed);
}

/**
 * The root of the offline provider mirror (the folder that holds registry.terraform.io/), searched in
 * this order: `BANDUP_TF_MIRROR`, the candidate folders, the cache folder; when none holds the pinned
 * provider, makes one in the cache folder with `terraform providers mirror`. Throws with the fix when
 * there is none and none can be made.
 */
export function findProviderMirror(options: ProviderMirrorOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? terraformPlatform();
  const fromEnv = env.BANDUP_TF_MIRROR;
  if (fromEnv) {
    if (!hasAwsProvider(fromEnv, platform)) {
      throw new Error(
        `BANDUP_TF_MIRROR=${fromEnv} does not hold hashicorp/aws ${AWS_PROVIDER_VERSION} for ${platform} ` +
          `(neither ${AWS_IN_MIRROR}/${AWS_PROVIDER_VERSION}/${platform}/ nor ${AWS_IN_MIRROR}/terraform-provider-aws_${AWS_PROVIDER_VERSION}_${platform}.zip in it). ` +
          "Fix: point it at the folder that holds registry.terraform.io/, or let the tests find or make a mirror: unset BANDUP_TF_MIRROR",
      );
    }
    return fromEnv;
  }
  const candidates = options.candidates ?? MIRROR_CANDIDATES;
  const found = candidates.find((root) => hasAwsProvider(root, platform));
  if (found) return found;
  const cacheDirectory = options.cacheDirectory ?? MIRROR_CACHE_DIRECTORY;
  const cached = join(cacheDirectory, `aws-${AWS_PROVIDER_VERSION}_${platform}`);
  if (hasAwsProvider(cached, platform)) return cached;
  const searched = `No offline mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} for ${platform} found (BANDUP_TF_MIRROR is not set; searched ${[...candidates, cached].join(", ")})`;
  return new MirrorMaker(cached, platform, env, searched, options.onProgress ?? ((message) => process.stderr.write(`${message}\n`))).obtain();
}

/** Who holds the lock on making a mirror. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
}

/**
 * Makes the mirror in `root` once, safe when several processes need it at the same moment (jest runs
 * test files in parallel workers): one takes a lock file and builds in a temporary folder next to
 * `root`, then renames it to `root` in one step; the others wait, then use it.
 */
class MirrorMaker {
  private readonly lockFile: string;

  constructor(
    private readonly root: string,
    private readonly platform: string,
    private readonly env: NodeJS.ProcessEnv,
    /** What was searched, the start of every error. */
    private readonly searched: string,
    private readonly onProgress: (message: string) => void,
  ) {
    this.lockFile = `${root}.lock`;
  }

  /** The mirror root, once it holds the provider: made here, or by another process this one waited for. */
  obtain(): string {
    mkdirSync(dirname(this.root), { recursive: true });
    const giveUpAt = Date.now() + MIRROR_DOWNLOAD_TIMEOUT_MS + 60_000;
    let announced: LockHolder | undefined;
    for (;;) {
      if (hasAwsProvider(this.root, this.platform)) return this.root;
      if (this.tryLock()) {
        try {
          // The holder before us may have finished between the check above and the lock.
          if (!hasAwsProvider(this.root, this.platform)) this.make();
          return this.root;
        } finally {
          rmSync(this.lockFile, { force: true });
        }
      }
      const holder = readLockHolder(this.lockFile);
      if (!holder) continue; // released in the meantime
      if (!isAlive(holder)) {
        // Its process died while making the mirror (or the file is not a lock this code wrote): take over.
        if (readLockHolder(this.lockFile)?.pid === holder.pid) rmSync(this.lockFile, { force: true });
        continue;
      }
      if (announced?.pid !== holder.pid) {
        announced = holder;
        this.onProgress(`Waiting for process ${holder.pid} (${holder.host}), which is making the offline mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} in ${this.root}`);
      }
      if (Date.now() > giveUpAt) {
        throw new Error(
          `${this.searched}, and process ${holder.pid} (${holder.host}) has been making one in ${this.root} for longer than a download may take. ` +
            `Fix: stop that process, then remove its lock: rm ${this.lockFile}`,
        );
      }
      sleepSync(WAIT_POLL_MS);
    }
  }

  /** Takes the lock; the lock file appears with its content in one step (a hard link), or not at all. */
  private tryLock(): boolean {
    const claim = `${this.lockFile}.${process.pid}-${randomBytes(4).toString("hex")}`;
    writeFileSync(claim, JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockHolder));
    try {
      linkSync(claim, this.lockFile);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    } finally {
      rmSync(claim, { force: true });
    }
  }

  /** Downloads with `terraform providers mirror`, unpacks with `terraform init`, renames into place. */
  private make(): void {
    const terraform = probeTerraform(this.env);
    if ("problem" in terraform) {
      throw new Error(`${this.searched}, and none can be made: ${terraform.problem}. Fix: ${INSTALL_TERRAFORM}; the tests then make the mirror themselves (network access needed once)`);
    }
    this.removeAbandonedBuilds();
    const mirrorCommand = `terraform providers mirror -platform=${this.platform}`;
    this.onProgress(
      `No offline mirror of hashicorp/aws ${AWS_PROVIDER_VERSION} for ${this.platform} on this machine: making one in ${this.root} ` +
        `with \`${mirrorCommand}\` (terraform v${terraform.version}; downloads the provider once, later runs reuse it)`,
    );
    const work = mkdtempSync(join(dirname(this.root), `${BUILD_PREFIX}${process.pid}-`));
    try {
      const config = join(work, "config");
      mkdirSync(config);
      writeFileSync(join(config, "main.tf"), REQUIRED_AWS_PROVIDER_TF);
      const packed = join(work, "packed");
      // The only call that needs the network: terraform's defaults (the public registry), not the machine's CLI config.
      this.terraform(["providers", "mirror", `-platform=${this.platform}`, packed], { cwd: config, cliConfigFile: emptyCliConfig() }, {
        cause: (failed) =>
          `making one failed: \`${mirrorCommand}\` ${failed}. It downloads from registry.terraform.io: most likely this machine has no network access.`,
        fix:
          `run the tests again with network access (once: the mirror is then kept in ${this.root}), or point BANDUP_TF_MIRROR at a mirror made elsewhere ` +
          `with \`${mirrorCommand} <folder>\` in a folder declaring hashicorp/aws ${AWS_PROVIDER_VERSION}: export BANDUP_TF_MIRROR=<folder>`,
      });
      // `providers mirror` writes zips, and terraform unzips a zipped provider (about 700 MB) into every
      // directory it inits, where it only links an unpacked one. One init from the zips unpacks the
      // provider into .terraform/providers, which is laid out as an unpacked mirror.
      const dataDir = join(config, ".terraform");
      const startAgain = `remove the cache and run the tests again: rm -rf ${dirname(this.root)}`;
      this.terraform(["init", "-backend=false", "-input=false", "-no-color"], { cwd: config, cliConfigFile: writeCliConfig(packed, work), env: { TF_DATA_DIR: dataDir } }, {
        cause: (failed) => `\`${mirrorCommand}\` downloaded it, but unpacking it with \`terraform init\` ${failed}.`,
        fix: startAgain,
      });
      const unpacked = join(dataDir, "providers");
      if (!hasAwsProvider(unpacked, this.platform)) {
        throw new Error(
          `${this.searched}, and \`${mirrorCommand}\` and \`terraform init\` succeeded, but ${unpacked} does not hold hashicorp/aws ${AWS_PROVIDER_VERSION} for ${this.platform}.\nFix: ${startAgain}`,
        );
      }
      try {
        renameSync(unpacked, this.root);
      } catch (error) {
        // A process that took over a lock it wrongly thought dead got there first: its mirror is as good.
        if (!hasAwsProvider(this.root, this.platform)) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** Runs terraform for the build; on failure, throws what was searched, the cause, terraform's output and the fix. */
  private terraform(
    args: string[],
    run: { cwd: string; cliConfigFile: string; env?: NodeJS.ProcessEnv },
    failure: { cause: (failed: string) => string; fix: string },
  ): void {
    const env: NodeJS.ProcessEnv = { ...this.env, ...quietEnv(run.cliConfigFile), ...run.env };
    // A plugin cache would make init link the provider into the cache instead of unpacking it here.
    delete env.TF_PLUGIN_CACHE_DIR;
    try {
      execFileSync("terraform", args, { cwd: run.cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: MIRROR_DOWNLOAD_TIMEOUT_MS });
    } catch (error) {
      const result = error as { code?: string; status?: number | null; signal?: string | null; stderr?: string; stdout?: string; message: string };
      const failed =
        result.code === "ETIMEDOUT"
          ? `did not finish within ${MIRROR_DOWNLOAD_TIMEOUT_MS / 60_000} minutes`
          : result.status != null
            ? `exited with ${result.status}`
            : `failed (${result.signal ?? result.message})`;
      const said = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim();
      throw new Error(`${this.searched}, and ${failure.cause(failed)}${said ? `\nterraform said:\n${said}` : ""}\nFix: ${failure.fix}`);
    }
  }

  /** Removes temporary folders of builds whose process died (killed mid-download). */
  private removeAbandonedBuilds(): void {
    for (const name of readdirSync(dirname(this.root))) {
      const pid = BUILD_FOLDER.exec(name)?.[1];
      if (pid && !isAlive({ pid: Number(pid), host: hostname() })) rmSync(join(dirname(this.root), name), { recursive: true, force: true });
    }
  }
}

const BUILD_PREFIX = ".building-";
const BUILD_FOLDER = /^\.building-(\d+)-/;

/** The configuration `terraform providers mirror` reads: only the provider pin. */
const REQUIRED_AWS_PROVIDER_TF = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "${AWS_PROVIDER_VERSION}"
    }
  }
}
`;

/** The holder of the lock, undefined when there is no lock; a file this code did not write counts as held by no process (pid 0). */
function readLockHolder(lockFile: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, "utf8");
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (typeof holder.pid === "number" && typeof holder.host === "string") return { pid: holder.pid, host: holder.host };
  } catch {
    // not JSON: below
  }
  return { pid: 0, host: hostname() };
}

/** Whether the process is running; a process on another host is taken as running (nothing here can tell). */
function isAlive(holder: LockHolder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

let emptyCliConfigFile: string | undefined;

/** An empty CLI config written here: terraform's defaults, without the warning a missing TF_CLI_CONFIG_FILE gives. */
function emptyCliConfig(): string {
  if (!emptyCliConfigFile || !existsSync(emptyCliConfigFile)) {
    const dir = mkdtempSync(join(tmpdir(), "bandup-tfrc-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    emptyCliConfigFile = join(dir, "empty.tfrc");
    writeFileSync(emptyCliConfigFile, "");
  }
  return emptyCliConfigFile;
}

/** The part of the environment every terraform call of this file gets: its own CLI config, no prompts, no checkpoint calls. */
function quietEnv(cliConfigFile: string): NodeJS.ProcessEnv {
  return { TF_CLI_CONFIG_FILE: cliConfigFile, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

/** The version of the terraform on `env`'s PATH, or why it cannot run the tests. */
function probeTerraform(env: NodeJS.ProcessEnv): { version: string } | { problem: string } {
  let output: string;
  try {
    output = execFileSync("terraform", ["version", "-json"], { env: { ...env, ...quietEnv(emptyCliConfig()) }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as { code?: string; status?: number | null; stderr?: string; message: string };
    if (failure.code === "ENOENT") return { problem: "terraform is not on PATH" };
    return { problem: `\`terraform version -json\` failed (${failure.status != null ? `exit ${failure.status}` : failure.message}): ${(failure.stderr ?? "").trim()}` };
  }
  let version: unknown;
  try {
    version = (JSON.parse(output) as { terraform_version?: unknown }).terraform_version;
  } catch {
    // Terraform before 0.13 has no -json and prints its version line instead.
    version = /^Terraform v(\d+\.\d+\.\d+\S*)/.exec(output)?.[1];
  }
  if (typeof version !== "string" || !/^\d+\.\d+\./.test(version)) {
    return { problem: `\`terraform version -json\` printed no version: ${output.trim().slice(0, 200)}` };
  }
  if (!meetsMinimumTerraformVersion(version)) {
    return { problem: `terraform on PATH is v${version}, and the tests need ${MINIMUM_TERRAFORM_VERSION} or later` };
  }
  return { version };
}

/** The terraform CLI's version line ("Terraform v1.11.4"); throws with the fix when terraform is missing or older than the tests need. */
export function terraformVersion(env: NodeJS.ProcessEnv = process.env): string {
  const terraform = probeTerraform(env);
  if ("problem" in terraform) {
    throw new Error(`${terraform.problem}; the terraform checks cannot run. Fix: ${INSTALL_TERRAFORM}`);
  }
  return `Terraform v${terraform.version}`;
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
    ...quietEnv(cliConfigFile),
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

if (require.main === module) {
  try {
    // The terraform on PATH first: the stacks' required_version (stacks/terraform-version.ts) is its minimum.
    terraformVersion();
    process.stdout.write(`${findProviderMirror()}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
