/**
 * Where the terraform harness finds the offline mirror of hashicorp/aws, and how it makes one when
 * there is none, with a stand-in `terraform` first on PATH (the real `terraform providers mirror`
 * needs registry.terraform.io, out of reach here; `terraform-offline.terraform.test.ts` runs the rest
 * of the path with the real terraform).
 */
import { spawn, spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { hostname, tmpdir } from "os";
import { join } from "path";
import { AWS_PROVIDER_VERSION, findProviderMirror, ProviderMirrorOptions, terraformPlatform, terraformVersion } from "../../scripts/lib/terraform-offline";
import { REGISTRY_UNREACHABLE, standInCalls, standInProviderBytes, writeTerraformStandIn } from "../support/terraform-stand-in";

const PLATFORM = "linux_arm64";
const PROVIDERS = "registry.terraform.io/hashicorp/aws";
const REQUIRED_AWS_PROVIDER_TF = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
`;

interface Sandbox {
  readonly root: string;
  /** The folder on PATH that holds the stand-in `terraform`. */
  readonly bin: string;
  readonly log: string;
  readonly cache: string;
  /** Where the made mirror lands. */
  readonly cachedMirror: string;
  readonly env: NodeJS.ProcessEnv;
  readonly progress: string[];
  readonly options: ProviderMirrorOptions;
}

const sandboxes: string[] = [];
afterEach(() => {
  for (const root of sandboxes.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temporary folder with the stand-in on PATH, an empty cache, and TF_CLI_CONFIG_FILE naming a missing file (as on these machines). */
function sandbox(extraEnv: NodeJS.ProcessEnv = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "tf-mirror-test-"));
  sandboxes.push(root);
  const bin = join(root, "bin");
  const log = writeTerraformStandIn(bin);
  const cache = join(root, "cache");
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: root, TF_CLI_CONFIG_FILE: join(root, "missing.terraformrc"), ...extraEnv };
  const progress: string[] = [];
  return {
    root,
    bin,
    log,
    cache,
    cachedMirror: join(cache, `aws-5.100.0_${PLATFORM}`),
    env,
    progress,
    options: { env, candidates: [], cacheDirectory: cache, platform: PLATFORM, onProgress: (message) => progress.push(message) },
  };
}

/** A mirror root with the provider unpacked, as terraform installs it: `<root>/registry.terraform.io/hashicorp/aws/<version>/<platform>/`. */
function unpackedMirror(root: string, platform = PLATFORM, version = "5.100.0"): string {
  const dir = join(root, PROVIDERS, version, platform);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `terraform-provider-aws_v${version}_x5`), "provider");
  return root;
}

/** A mirror root as `terraform providers mirror` writes it: one zip per platform. */
function packedMirror(root: string, platform = PLATFORM): string {
  mkdirSync(join(root, PROVIDERS), { recursive: true });
  writeFileSync(join(root, PROVIDERS, `terraform-provider-aws_5.100.0_${platform}.zip`), "zip");
  return root;
}

function searched(box: Sandbox, candidates: string[] = []): string {
  return `No offline mirror of hashicorp/aws 5.100.0 for ${PLATFORM} found (BANDUP_TF_MIRROR is not set; searched ${[...candidates, box.cachedMirror].join(", ")})`;
}

describe("terraformPlatform", () => {
  test("names the platform as terraform does: <os>_<arch>", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("linux", "arm64")).toBe("linux_arm64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("win32", "x64")).toBe("windows_amd64");
    expect(terraformPlatform("linux", "ia32")).toBe("linux_386");
  });
});

describe("findProviderMirror: the search order", () => {
  test("BANDUP_TF_MIRROR comes first, before the candidate folders and the cache; terraform is not called", () => {
    const box = sandbox();
    const fromEnv = unpackedMirror(join(box.root, "from-env"));
    const candidate = unpackedMirror(join(box.root, "candidate"));
    unpackedMirror(box.cachedMirror);
    expect(findProviderMirror({ ...box.options, env: { ...box.env, BANDUP_TF_MIRROR: fromEnv }, candidates: [candidate] })).toBe(fromEnv);
    expect(standInCalls(box.log)).toEqual([]);
  });

  test("a BANDUP_TF_MIRROR without the provider is an error with the fix, even when a candidate folder holds it", () => {
    const box = sandbox();
    const wrong = unpackedMirror(join(box.root, "wrong"), "linux_amd64");
    const candidate = unpackedMirror(join(box.root, "candidate"));
    expect(() => findProviderMirror({ ...box.options, env: { ...box.env, BANDUP_TF_MIRROR: wrong }, candidates: [candidate] })).toThrow(
      new Error(
        `BANDUP_TF_MIRROR=${wrong} does not hold hashicorp/aws 5.100.0 for ${PLATFORM} ` +
          `(neither registry.terraform.io/hashicorp/aws/5.100.0/${PLATFORM}/ nor registry.terraform.io/hashicorp/aws/terraform-provider-aws_5.100.0_${PLATFORM}.zip in it). ` +
          "Fix: point it at the folder that holds registry.terraform.io/, or let the tests find or make a mirror: unset BANDUP_TF_MIRROR",
      ),
    );
    expect(standInCalls(box.log)).toEqual([]);
  });

  test("then the first candidate folder that holds the pinned version for this platform, unpacked or zipped", () => {
    const box = sandbox();
    const candidates = [
      join(box.root, "missing"),
      unpackedMirror(join(box.root, "other-platform"), "darwin_arm64"),
      unpackedMirror(join(box.root, "other-version"), PLATFORM, "5.99.0"),
      packedMirror(join(box.root, "zipped")),
      unpackedMirror(join(box.root, "unpacked")),
    ];
    unpackedMirror(box.cachedMirror);
    expect(findProviderMirror({ ...box.options, candidates })).toBe(join(box.root, "zipped"));
    expect(findProviderMirror({ ...box.options, candidates: [candidates[1], candidates[4]] })).toBe(join(box.root, "unpacked"));
    expect(standInCalls(box.log)).toEqual([]);
  });

  test("an empty version folder is no mirror", () => {
    const box = sandbox();
    const empty = join(box.root, "empty");
    mkdirSync(join(empty, PROVIDERS, "5.100.0", PLATFORM), { recursive: true });
    const candidate = unpackedMirror(join(box.root, "candidate"));
    expect(findProviderMirror({ ...box.options, candidates: [empty, candidate] })).toBe(candidate);
  });

  test("then the mirror in the cache folder; terraform is not called", () => {
    const box = sandbox();
    unpackedMirror(box.cachedMirror);
    expect(findProviderMirror({ ...box.options, candidates: [join(box.root, "missing")] })).toBe(box.cachedMirror);
    expect(standInCalls(box.log)).toEqual([]);
    expect(box.progress).toEqual([]);
  });
});

describe("findProviderMirror: making the mirror when there is none", () => {
  test("makes it once with terraform providers mirror, unpacks it into the cache, and reuses it on the next call", () => {
    const box = sandbox();
    const mirror = findProviderMirror(box.options);
    expect(mirror).toBe(box.cachedMirror);

    const calls = standInCalls(box.log);
    const buildFolder = `${escape(box.cache)}/\\.building-${process.pid}-[^/]+`;
    expect(calls.map((c) => c.args)).toEqual([
      ["version", "-json"],
      ["providers", "mirror", `-platform=${PLATFORM}`, expect.stringMatching(new RegExp(`^${buildFolder}/packed$`))],
      ["init", "-backend=false", "-input=false", "-no-color"],
    ]);
    const [version, download, unpack] = calls;
    // Every call runs with a CLI config the harness wrote, never the machine's missing file.
    for (const call of calls) {
      expect(call.cliConfigFile).not.toBe(box.env.TF_CLI_CONFIG_FILE);
      expect(call.cliConfig).not.toBeNull();
    }
    // The download: terraform's defaults (an empty config), from a folder that declares only the pin.
    expect(version.cliConfig).toBe("");
    expect(download.cliConfig).toBe("");
    const packed = download.args[3];
    expect(download.cwd).toMatch(new RegExp(`^${buildFolder}/config$`));
    expect(download.files).toEqual({ "main.tf": REQUIRED_AWS_PROVIDER_TF });
    // The unpacking init: offline, from the downloaded zips only.
    expect(unpack.cwd).toBe(download.cwd);
    expect(unpack.cliConfig).toBe(`provider_installation {
  filesystem_mirror {
    path    = "${packed}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
`);

    // The cache holds the unpacked provider from the download, and nothing else (no lock, no build folder).
    expect(readFileSync(join(mirror, PROVIDERS, "5.100.0", PLATFORM, "terraform-provider-aws_v5.100.0_x5"), "utf8")).toBe(standInProviderBytes(PLATFORM));
    expect(readdirSync(box.cache)).toEqual([`aws-5.100.0_${PLATFORM}`]);
    expect(box.progress).toEqual([
      `No offline mirror of hashicorp/aws 5.100.0 for ${PLATFORM} on this machine: making one in ${box.cachedMirror} ` +
        `with \`terraform providers mirror -platform=${PLATFORM}\` (terraform v1.11.4; downloads the provider once, later runs reuse it)`,
    ]);

    expect(findProviderMirror(box.options)).toBe(mirror);
    expect(standInCalls(box.log)).toHaveLength(3);
    expect(box.progress).toHaveLength(1);
  });

  test("processes that need it at the same moment: one makes it, the others wait for it and use it", async () => {
    const box = sandbox();
    const release = join(box.root, "release");
    const child = join(box.root, "find-mirror.ts");
    writeFileSync(
      child,
      `import { findProviderMirror } from ${JSON.stringify(join(__dirname, "../../scripts/lib/terraform-offline"))};
process.stdout.write(findProviderMirror(${JSON.stringify({ candidates: [], cacheDirectory: box.cache, platform: PLATFORM })}));
`,
    );
    const tsx = join(__dirname, "../../node_modules/tsx/dist/cli.mjs");
    // The stand-in's download blocks until `release` exists, so the others find it under way.
    const env = { ...process.env, ...box.env, PATH: box.bin, STANDIN_RELEASE: release, BANDUP_TF_MIRROR: "" };
    const processes = [1, 2, 3].map(() => {
      const proc = spawn(process.execPath, [tsx, child], { env, stdio: ["ignore", "pipe", "pipe"] });
      const out = { stdout: "", stderr: "", code: undefined as number | null | undefined };
      proc.stdout.on("data", (chunk) => (out.stdout += chunk));
      proc.stderr.on("data", (chunk) => (out.stderr += chunk));
      const exited = new Promise<void>((resolve) => proc.on("close", (code) => ((out.code = code), resolve())));
      return { out, exited };
    });
    const waiting = () => processes.filter((p) => p.out.stderr.includes("Waiting for process")).length;
    const downloads = () => standInCalls(box.log).filter((c) => c.args[0] === "providers").length;
    try {
      await until(() => (downloads() === 1 && waiting() === 2) || downloads() > 1 || processes.some((p) => p.out.code !== undefined));
      expect(downloads()).toBe(1);
      expect(processes.map((p) => p.out.code)).toEqual([undefined, undefined, undefined]);
    } finally {
      writeFileSync(release, "");
      await Promise.all(processes.map((p) => p.exited));
    }

    expect(processes.map((p) => [p.out.code, p.out.stdout])).toEqual([1, 2, 3].map(() => [0, box.cachedMirror]));
    expect(standInCalls(box.log).map((c) => c.args[0])).toEqual(["version", "providers", "init"]);
    const maker = processes.find((p) => p.out.stderr.includes("making one in"))!;
    expect(maker.out.stderr).not.toContain("Waiting");
    for (const p of processes.filter((p) => p !== maker)) {
      expect(p.out.stderr).toMatch(
        new RegExp(`^Waiting for process \\d+ \\(.+\\), which is making the offline mirror of hashicorp/aws ${escape(AWS_PROVIDER_VERSION)} in ${escape(box.cachedMirror)}\\n$`),
      );
    }
    expect(readdirSync(box.cache)).toEqual([`aws-5.100.0_${PLATFORM}`]);
  });

  test("takes over the lock and removes the build folder of a process that died while making it", () => {
    const box = sandbox();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    mkdirSync(box.cache, { recursive: true });
    writeFileSync(`${box.cachedMirror}.lock`, JSON.stringify({ pid: dead, host: hostname() }));
    mkdirSync(join(box.cache, `.building-${dead}-abc123`, "packed"), { recursive: true });
    expect(findProviderMirror(box.options)).toBe(box.cachedMirror);
    expect(standInCalls(box.log).map((c) => c.args[0])).toEqual(["version", "providers", "init"]);
    expect(readdirSync(box.cache)).toEqual([`aws-5.100.0_${PLATFORM}`]);
  });

  test("a lock file it did not write (not its JSON) is taken over, not waited for", () => {
    const box = sandbox();
    mkdirSync(box.cache, { recursive: true });
    writeFileSync(`${box.cachedMirror}.lock`, "");
    expect(findProviderMirror(box.options)).toBe(box.cachedMirror);
    expect(box.progress.filter((m) => m.startsWith("Waiting"))).toEqual([]);
    expect(readdirSync(box.cache)).toEqual([`aws-5.100.0_${PLATFORM}`]);
  });
});

describe("findProviderMirror: when the mirror can be neither found nor made", () => {
  test("the download fails (no network): the error says so, with terraform's output and the fix; nothing is left behind", () => {
    const box = sandbox({ STANDIN_MIRROR_EXIT: "1" });
    const candidate = join(box.root, "missing");
    expect(() => findProviderMirror({ ...box.options, candidates: [candidate] })).toThrow(
      new Error(
        `${searched(box, [candidate])}, and making one failed: \`terraform providers mirror -platform=${PLATFORM}\` exited with 1. ` +
          "It downloads from registry.terraform.io: most likely this machine has no network access.\n" +
          `terraform said:\n- Mirroring hashicorp/aws...\n${REGISTRY_UNREACHABLE}\n` +
          `Fix: run the tests again with network access (once: the mirror is then kept in ${box.cachedMirror}), or point BANDUP_TF_MIRROR at a mirror made elsewhere ` +
          `with \`terraform providers mirror -platform=${PLATFORM} <folder>\` in a folder declaring hashicorp/aws 5.100.0: export BANDUP_TF_MIRROR=<folder>`,
      ),
    );
    expect(readdirSync(box.cache)).toEqual([]);
    // A failure is not remembered: the next call tries again.
    expect(() => findProviderMirror(box.options)).toThrow(/exited with 1/);
    expect(standInCalls(box.log).filter((c) => c.args[0] === "providers")).toHaveLength(2);
  });

  test("no terraform on PATH: the error says so, with the fix", () => {
    const box = sandbox();
    const empty = join(box.root, "empty-bin");
    mkdirSync(empty);
    expect(() => findProviderMirror({ ...box.options, env: { ...box.env, PATH: empty } })).toThrow(
      new Error(
        `${searched(box)}, and none can be made: terraform is not on PATH. ` +
          "Fix: install Terraform >= 1.10 on PATH (https://developer.hashicorp.com/terraform/install); the tests then make the mirror themselves (network access needed once)",
      ),
    );
    expect(existsSync(box.cachedMirror)).toBe(false);
  });

  test("terraform older than 1.10: the error names its version and the fix, and nothing is downloaded", () => {
    const box = sandbox({ STANDIN_VERSION: "1.9.8" });
    expect(() => findProviderMirror(box.options)).toThrow(
      new Error(
        `${searched(box)}, and none can be made: terraform on PATH is v1.9.8, and the tests need 1.10 or later. ` +
          "Fix: install Terraform >= 1.10 on PATH (https://developer.hashicorp.com/terraform/install); the tests then make the mirror themselves (network access needed once)",
      ),
    );
    expect(standInCalls(box.log).map((c) => c.args)).toEqual([["version", "-json"]]);
  });
});

describe("terraformVersion", () => {
  test("runs terraform with a CLI config it wrote, not the machine's missing one", () => {
    const box = sandbox();
    expect(terraformVersion(box.env)).toBe("Terraform v1.11.4");
    const [call] = standInCalls(box.log);
    expect(call.args).toEqual(["version", "-json"]);
    expect(call.cliConfigFile).not.toBe(box.env.TF_CLI_CONFIG_FILE);
    expect(call.cliConfig).toBe("");
  });

  test("throws with the fix when terraform is older than 1.10 or missing", () => {
    expect(() => terraformVersion(sandbox({ STANDIN_VERSION: "1.9.8" }).env)).toThrow(
      new Error(
        "terraform on PATH is v1.9.8, and the tests need 1.10 or later; the terraform checks cannot run. " +
          "Fix: install Terraform >= 1.10 on PATH (https://developer.hashicorp.com/terraform/install)",
      ),
    );
    expect(() => terraformVersion({ PATH: join(sandbox().root, "nothing") })).toThrow(
      new Error(
        "terraform is not on PATH; the terraform checks cannot run. Fix: install Terraform >= 1.10 on PATH (https://developer.hashicorp.com/terraform/install)",
      ),
    );
  });

  test("accepts 1.10 and later versions, including 2.x", () => {
    expect(terraformVersion(sandbox({ STANDIN_VERSION: "1.10.0" }).env)).toBe("Terraform v1.10.0");
    expect(terraformVersion(sandbox({ STANDIN_VERSION: "2.0.0-alpha1" }).env)).toBe("Terraform v2.0.0-alpha1");
  });

  test("`npx tsx scripts/lib/terraform-offline.ts` (what .ci/run runs) stops on a terraform older than the stacks' required_version, before any mirror", () => {
    const box = sandbox({ STANDIN_VERSION: "1.9.8" });
    // A mirror is there: the version alone stops it.
    const mirror = unpackedMirror(join(box.root, "mirror"), terraformPlatform());
    const run = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "../../scripts/lib/terraform-offline.ts")], {
      env: { ...box.env, BANDUP_TF_MIRROR: mirror, PATH: `${box.bin}:${join(process.execPath, "..")}` },
      encoding: "utf8",
    });
    expect([run.status, run.stdout, run.stderr]).toEqual([
      1,
      "",
      "terraform on PATH is v1.9.8, and the tests need 1.10 or later; the terraform checks cannot run. Fix: install Terraform >= 1.10 on PATH (https://developer.hashicorp.com/terraform/install)\n",
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Resolves once `condition` holds (jest's timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}
