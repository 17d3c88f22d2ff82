/**
 * A stand-in `terraform` for the tests of the provider mirror: the real `terraform providers mirror`
 * downloads from registry.terraform.io, which is out of reach here. It is a node script placed first
 * on PATH that appends each call (arguments, working directory, the CLI config it was given) to a log
 * and answers like terraform 1.11:
 * - `version -json`: the JSON of `terraform version -json`, with the version from `STANDIN_VERSION`;
 * - `providers mirror -platform=<p> <dir>`: writes the layout real terraform writes (a zip per
 *   platform plus the JSON indexes); fails like real terraform without network when
 *   `STANDIN_MIRROR_EXIT` is set; first waits until the file `STANDIN_RELEASE` exists, when set;
 * - `init`: unzips the provider from the filesystem mirror of its CLI config into
 *   `$TF_DATA_DIR/providers/...`, as real terraform 1.11.4 does from a zipped mirror (checked on
 *   these machines: the unzipped provider lands there as plain files).
 * With `STANDIN_REAL_TERRAFORM` (a path), every call but `providers mirror` goes to that terraform,
 * and the log also records what it printed on stderr.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { delimiter, join } from "path";
import { AWS_PROVIDER_VERSION } from "../../scripts/lib/terraform-offline";

/** One call of the stand-in, as its log records it. */
export interface StandInCall {
  readonly args: string[];
  readonly cwd: string;
  /** TF_CLI_CONFIG_FILE as the call saw it. */
  readonly cliConfigFile: string | null;
  /** That file's content; null when it does not exist. */
  readonly cliConfig: string | null;
  /** The files of the working directory and their content (the configuration `providers mirror` reads). */
  readonly files: Record<string, string>;
  /** What the real terraform printed on stderr, for calls passed on to it. */
  readonly stderr?: string;
}

/** What real terraform 1.11.4 printed here when the registry could not be reached (its resolver address left out). */
export const REGISTRY_UNREACHABLE = `Error: Provider not available

Failed to download registry.terraform.io/hashicorp/aws from its origin
registry: could not connect to registry.terraform.io: failed to request
discovery document: Get
"https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup
registry.terraform.io: no such host.`;

const PROVIDER_BYTES_PREFIX = `stand-in terraform-provider-aws ${AWS_PROVIDER_VERSION} for `;

/** The bytes the stand-in puts in its provider zips: a test finds them in the mirror it was given. */
export function standInProviderBytes(platform: string): string {
  return `${PROVIDER_BYTES_PREFIX}${platform}\n`;
}

/** Writes the stand-in as `<dir>/terraform`; returns the log it appends to. */
export function writeTerraformStandIn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, "calls.jsonl");
  const script = `#!${process.execPath}
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { unzipSync, zipSync, strToU8 } = require(${JSON.stringify(require.resolve("fflate"))});
const args = process.argv.slice(2);
const cliConfigFile = process.env.TF_CLI_CONFIG_FILE ?? null;
const cliConfig = cliConfigFile && fs.existsSync(cliConfigFile) ? fs.readFileSync(cliConfigFile, "utf8") : null;
const files = {};
for (const name of fs.readdirSync(process.cwd())) {
  if (fs.statSync(name).isFile()) files[name] = fs.readFileSync(name, "utf8");
}
const call = { args, cwd: process.cwd(), cliConfigFile, cliConfig, files };
const record = (extra) => fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ ...call, ...extra }) + "\\n");
const real = process.env.STANDIN_REAL_TERRAFORM;
const providers = "registry.terraform.io/hashicorp/aws";
const providerVersion = ${JSON.stringify(AWS_PROVIDER_VERSION)};

if (real && !(args[0] === "providers" && args[1] === "mirror")) {
  const result = spawnSync(real, args, { encoding: "utf8" });
  record({ stderr: result.stderr });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
record({});
if (args[0] === "version" && args[1] === "-json") {
  const version = process.env.STANDIN_VERSION ?? "1.11.4";
  console.log(JSON.stringify({ terraform_version: version, platform: "linux_amd64", provider_selections: {}, terraform_outdated: false }, null, 2));
  process.exit(0);
}
if (args[0] === "providers" && args[1] === "mirror") {
  const release = process.env.STANDIN_RELEASE;
  while (release && !fs.existsSync(release)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  if (process.env.STANDIN_MIRROR_EXIT) {
    process.stderr.write("- Mirroring hashicorp/aws...\\n" + ${JSON.stringify(REGISTRY_UNREACHABLE)} + "\\n");
    process.exit(Number(process.env.STANDIN_MIRROR_EXIT));
  }
  const platform = args.find((a) => a.startsWith("-platform=")).slice("-platform=".length);
  const target = path.join(args[args.length - 1], providers);
  fs.mkdirSync(target, { recursive: true });
  const zip = "terraform-provider-aws_" + providerVersion + "_" + platform + ".zip";
  const bytes = ${JSON.stringify(PROVIDER_BYTES_PREFIX)} + platform + "\\n";
  fs.writeFileSync(path.join(target, zip), zipSync({ ["terraform-provider-aws_v" + providerVersion + "_x5"]: strToU8(bytes), "LICENSE.txt": strToU8("license\\n") }));
  fs.writeFileSync(path.join(target, "index.json"), JSON.stringify({ versions: { [providerVersion]: {} } }));
  fs.writeFileSync(path.join(target, providerVersion + ".json"), JSON.stringify({ archives: { [platform]: { url: zip, hashes: [] } } }));
  process.exit(0);
}
if (args[0] === "init") {
  const mirror = JSON.parse(/path\\s*=\\s*("[^"]*")/.exec(cliConfig)[1]);
  const dataDir = process.env.TF_DATA_DIR ?? ".terraform";
  for (const name of fs.readdirSync(path.join(mirror, providers))) {
    const prefix = "terraform-provider-aws_" + providerVersion + "_";
    const platform = name.startsWith(prefix) && name.endsWith(".zip") ? name.slice(prefix.length, -".zip".length) : undefined;
    if (!platform) continue;
    const into = path.join(dataDir, "providers", providers, providerVersion, platform);
    fs.mkdirSync(into, { recursive: true });
    for (const [file, data] of Object.entries(unzipSync(fs.readFileSync(path.join(mirror, providers, name))))) {
      fs.writeFileSync(path.join(into, file), data, { mode: 0o755 });
    }
  }
  process.exit(0);
}
process.stderr.write("stand-in terraform: no answer for " + args.join(" ") + "\\n");
process.exit(64);
`;
  writeFileSync(join(dir, "terraform"), script);
  chmodSync(join(dir, "terraform"), 0o755);
  return log;
}

/** The calls the stand-in recorded so far. */
export function standInCalls(log: string): StandInCall[] {
  if (!existsSync(log)) return [];
  const text = readFileSync(log, "utf8");
  // A stand-in may be appending a line right now (a record holds the files of its folder: it can be
  // long): only lines that end with their newline are whole.
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StandInCall);
}

/** The real terraform on this process's PATH (for the stand-in to pass calls on to). */
export function realTerraformPath(): string {
  const found = (process.env.PATH ?? "")
    .split(delimiter)
    .map((dir) => join(dir, "terraform"))
    .find((file) => existsSync(file));
  if (!found) throw new Error("terraform is not on PATH; install Terraform >= 1.10 to run the terraform checks");
  return found;
}
