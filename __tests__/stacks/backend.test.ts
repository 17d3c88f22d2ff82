import { Testing } from "cdktf";
import { buildBandupApp } from "../../stacks/app";
import { BackendConfigError, resolveBackendSettings } from "../../stacks/backend";
import { meetsMinimumTerraformVersion, REQUIRED_TERRAFORM_VERSION } from "../../stacks/terraform-version";
import { synthEnvironment } from "../support/synth";

describe("backend settings", () => {
  test("defaults to local state", () => {
    expect(resolveBackendSettings({})).toEqual({ type: "local" });
  });

  test("reads S3 settings from environment variables, with defaults for region and prefix", () => {
    expect(resolveBackendSettings({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "bandup-tf-state" })).toEqual({
      type: "s3",
      bucket: "bandup-tf-state",
      region: "us-east-1",
      keyPrefix: "bandup",
    });
  });

  test("reads settings from the cdktf.json context, and variables win over it", () => {
    const context = { type: "s3", bucket: "from-context", region: "eu-west-1", keyPrefix: "infra/bandup" };
    expect(resolveBackendSettings({}, context)).toEqual({
      type: "s3",
      bucket: "from-context",
      region: "eu-west-1",
      keyPrefix: "infra/bandup",
    });
    expect(resolveBackendSettings({ BANDUP_STATE_BUCKET: "from-env" }, context)).toMatchObject({ bucket: "from-env" });
  });

  test("reads HCP Terraform settings", () => {
    expect(resolveBackendSettings({ BANDUP_BACKEND: "hcp", BANDUP_HCP_ORGANIZATION: "bandup" })).toEqual({
      type: "hcp",
      organization: "bandup",
      workspacePrefix: "bandup-",
      hostname: "app.terraform.io",
    });
  });

  test("throws for an unknown backend type", () => {
    expect(() => resolveBackendSettings({ BANDUP_BACKEND: "gcs" })).toThrow(
      "Invalid state backend settings:\n  - `BANDUP_BACKEND` must be one of `local`, `s3`, `hcp`; got `gcs`",
    );
  });

  test("throws when the S3 bucket is missing or malformed, and for a bad region, all at once", () => {
    expect(() => resolveBackendSettings({ BANDUP_BACKEND: "s3", BANDUP_STATE_REGION: "nowhere" })).toThrow(
      "Invalid state backend settings:\n" +
        "  - `BANDUP_STATE_BUCKET` (or `bucket` in the `bandupBackend` context) is required for the s3 backend\n" +
        "  - `BANDUP_STATE_REGION` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; " +
        "got `nowhere`; no known region is close to it: pick one from constructs/aws-partitions.ts",
    );
    expect(() => resolveBackendSettings({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "Bad_Bucket" })).toThrow(
      BackendConfigError,
    );
  });

  test("the state region is one the pinned provider knows (the closest ones for a typo), the state bucket follows S3's rules", () => {
    expect(() => resolveBackendSettings({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "state..bucket", BANDUP_STATE_REGION: "eu-wset-1" })).toThrow(
      "Invalid state backend settings:\n" +
        "  - `BANDUP_STATE_BUCKET` must not contain two adjacent periods (`..`); got `state..bucket`\n" +
        "  - `BANDUP_STATE_REGION` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; " +
        "got `eu-wset-1`; did you mean `eu-west-1`?",
    );
    expect(resolveBackendSettings({ BANDUP_BACKEND: "s3", BANDUP_STATE_BUCKET: "bandup-state", BANDUP_STATE_REGION: "cn-northwest-1" })).toMatchObject({
      region: "cn-northwest-1",
    });
  });

  test("throws when the HCP organization is missing", () => {
    expect(() => resolveBackendSettings({ BANDUP_BACKEND: "hcp" })).toThrow(
      "`BANDUP_HCP_ORGANIZATION` (or `organization` in the `bandupBackend` context) is required for the hcp backend",
    );
  });
});

describe("synthesized backends", () => {
  test("S3: one key per environment, encrypted, with S3-native locking", () => {
    const backend = { type: "s3", bucket: "bandup-tf-state", region: "us-east-1", keyPrefix: "bandup" } as const;
    for (const env of ["dev", "prod"]) {
      expect(synthEnvironment(env, { backend }).json.terraform.backend).toEqual({
        s3: {
          bucket: "bandup-tf-state",
          key: `bandup/${env}/terraform.tfstate`,
          region: "us-east-1",
          encrypt: true,
          use_lockfile: true,
        },
      });
    }
  });

  test("HCP Terraform: one workspace per environment", () => {
    const backend = { type: "hcp", organization: "bandup", workspacePrefix: "bandup-", hostname: "app.terraform.io" } as const;
    expect(synthEnvironment("staging", { backend }).json.terraform.cloud).toEqual({
      hostname: "app.terraform.io",
      organization: "bandup",
      workspaces: { name: "bandup-staging" },
    });
  });

  test("local: an explicit path wins", () => {
    expect(synthEnvironment("dev", { backend: { type: "local", path: "terraform.tfstate" } }).json.terraform.backend).toEqual({
      local: { path: "terraform.tfstate" },
    });
  });
});

describe("required_version", () => {
  test("every stack the app writes (each environment's and the bootstrap) requires terraform >= 1.10, whatever its backend", () => {
    for (const backend of [{ type: "local" }, { type: "s3", bucket: "bandup-tf-state", region: "us-east-1", keyPrefix: "bandup" }] as const) {
      const { stacks, bootstrap } = buildBandupApp({ app: Testing.app(), backend });
      const required = [...stacks, bootstrap].map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)).terraform.required_version]);
      expect(required).toEqual([...stacks, bootstrap].map((stack) => [stack.node.id, ">= 1.10"]));
    }
    expect(REQUIRED_TERRAFORM_VERSION).toBe(">= 1.10");
  });

  test("the version check compares major and minor as numbers", () => {
    expect(["1.10.0", "1.10.5", "1.11.4", "1.100.0", "2.0.0"].filter(meetsMinimumTerraformVersion)).toEqual(["1.10.0", "1.10.5", "1.11.4", "1.100.0", "2.0.0"]);
    expect(["1.9.8", "1.1.0", "0.15.5", "v1.11.4", ""].filter(meetsMinimumTerraformVersion)).toEqual([]);
  });
});
