/** The app as `npm run synth` and `cdktf synth` run it (scripts/synth.cjs): a child process, every environment, errors on stderr. */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const ROOT = join(__dirname, "..");

function runApp(env: NodeJS.ProcessEnv) {
  const outdir = mkdtempSync(join(tmpdir(), "bandup-synth-"));
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/synth.cjs")], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: "", ...env },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

test("synthesizes every environment into <outdir>/stacks/bandup-<env>/cdk.tf.json", () => {
  const { status, stderr, outdir } = runApp({});
  expect(stderr).not.toMatch(/Error/);
  expect(status).toBe(0);
  for (const env of ["dev", "staging", "prod"]) {
    const file = join(outdir, "stacks", `bandup-${env}`, "cdk.tf.json");
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))["//"].metadata.stackName).toBe(`bandup-${env}`);
  }
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  // The environments, and the bootstrap stack that serves them (`cdktf deploy bandup-bootstrap`).
  expect(Object.keys(manifest.stacks).sort()).toEqual(["bandup-bootstrap", "bandup-dev", "bandup-prod", "bandup-staging"]);
  expect(JSON.parse(readFileSync(join(outdir, "stacks", "bandup-bootstrap", "cdk.tf.json"), "utf8")).terraform.backend).toEqual({
    local: { path: "../../../terraform.bandup-bootstrap.tfstate" },
  });
});

test("uses the S3 backend named by the environment variables", () => {
  const { status, outdir } = runApp({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "bandup-state" });
  expect(status).toBe(0);
  const json = JSON.parse(readFileSync(join(outdir, "stacks/bandup-staging/cdk.tf.json"), "utf8"));
  expect(json.terraform.backend.s3).toMatchObject({ bucket: "bandup-state", key: "bandup/staging/terraform.tfstate" });
  const bootstrap = JSON.parse(readFileSync(join(outdir, "stacks/bandup-bootstrap/cdk.tf.json"), "utf8"));
  expect(bootstrap.terraform.backend.s3).toMatchObject({ bucket: "bandup-state", key: "bandup/bootstrap/terraform.tfstate" });
});

test("stops with the backend error and writes no stack for a bad setting", () => {
  const { status, stderr, outdir } = runApp({ BANDUP_BACKEND: "s3" });
  expect(status).not.toBe(0);
  expect(stderr).toContain("`BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend");
  expect(existsSync(join(outdir, "stacks"))).toBe(false);
});

test("compiles the app once, and again only when a source's content no longer matches the manifest", () => {
  const output = join(ROOT, "dist/app/main.js");
  const manifestPath = `${output}.inputs.json`;
  expect(runApp({}).status).toBe(0);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining(["main.ts", "stacks/bandup-stack.ts", "constructs/bandup-table.ts"]));
  expect(Object.keys(manifest.inputs).filter((file) => file.startsWith("node_modules/"))).toEqual([]);
  const compiledAt = statSync(output).mtimeMs;

  expect(runApp({}).status).toBe(0);
  expect(statSync(output).mtimeMs).toBe(compiledAt);

  // As if main.ts had been edited since the last compile.
  writeFileSync(manifestPath, JSON.stringify({ inputs: { ...manifest.inputs, "main.ts": "0".repeat(40) } }));
  expect(runApp({}).status).toBe(0);
  expect(statSync(output).mtimeMs).toBeGreaterThan(compiledAt);
  expect(JSON.parse(readFileSync(manifestPath, "utf8"))).toEqual(manifest);
});
