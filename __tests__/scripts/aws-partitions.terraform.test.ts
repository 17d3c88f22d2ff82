/**
 * constructs/aws-partitions.ts against the pinned provider itself: the file is what
 * scripts/update-aws-regions.ts reads out of the mirror's provider binary today, and the provider, run
 * by the real terraform offline, accepts the regions of the list and refuses a typo of one, with the
 * DNS suffix the list gives. Fails (never skips) when terraform or the mirror is missing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { AWS_PARTITIONS } from "../../constructs/aws-partitions";
import { partitionOfRegion } from "../../constructs/naming-rules";
import { AWS_PROVIDER_VERSION, findProviderMirror, OfflineTerraform, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { AWS_PARTITIONS_FILE, generatePartitionsModule } from "../../scripts/update-aws-regions";

/** A configuration with one provider (and its aws_partition data source) per region; nothing else. */
function partitionProbe(regions: Record<string, string>): OfflineTerraform {
  const directory = mkdtempSync(join(tmpdir(), "bandup-partitions-"));
  const config = {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION } } },
    // The provider checks the region against its list when it is configured, at plan; the skip_* settings
    // only keep it from calling AWS (no credential or account lookups).
    provider: {
      aws: Object.entries(regions).map(([alias, region]) => ({
        alias,
        region,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: "true",
      })),
    },
    data: { aws_partition: Object.fromEntries(Object.keys(regions).map((alias) => [alias, { provider: `aws.${alias}` }])) },
    output: Object.fromEntries(Object.keys(regions).map((alias) => [alias, { value: `\${data.aws_partition.${alias}}` }])),
  };
  writeFileSync(join(directory, "main.tf.json"), JSON.stringify(config, null, 2));
  return new OfflineTerraform(directory, cliConfig);
}

let cliConfig: string;
let accepted: Record<string, { partition: string; dns_suffix: string }>;
let refusal: string;

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  cliConfig = writeCliConfig();
  const valid = partitionProbe({ china: "cn-north-1", govcloud: "us-gov-west-1" });
  const typo = partitionProbe({ typo: "us-esat-1" });
  await Promise.all([
    (async () => {
      await valid.init();
      const plan = await valid.plan();
      const outputs = (plan.planned_values as { outputs: Record<string, { value: { partition: string; dns_suffix: string } }> }).outputs;
      accepted = Object.fromEntries(Object.entries(outputs).map(([alias, output]) => [alias, output.value]));
    })(),
    (async () => {
      await typo.init();
      refusal = await typo.plan().then(
        () => "planned",
        (error: Error) => error.message,
      );
    })(),
  ]);
}, 180_000);

test("the committed list is exactly what the mirror's provider binary holds (regenerate with scripts/update-aws-regions.ts)", () => {
  expect(findProviderMirror()).toBeTruthy();
  expect(generatePartitionsModule()).toBe(readFileSync(AWS_PARTITIONS_FILE, "utf8"));
});

test("the list holds the commercial, China and GovCloud partitions with their DNS suffixes", () => {
  expect(AWS_PARTITIONS.map((p) => [p.id, p.dnsSuffix])).toEqual(
    expect.arrayContaining([
      ["aws", "amazonaws.com"],
      ["aws-cn", "amazonaws.com.cn"],
      ["aws-us-gov", "amazonaws.com"],
    ]),
  );
  expect(partitionOfRegion("us-east-1")?.id).toBe("aws");
  expect(partitionOfRegion("cn-north-1")?.id).toBe("aws-cn");
  expect(partitionOfRegion("us-gov-west-1")?.id).toBe("aws-us-gov");
});

test("the provider accepts regions of the list and resolves their partition and DNS suffix as the list says", () => {
  expect(accepted).toEqual({
    china: expect.objectContaining({ partition: "aws-cn", dns_suffix: "amazonaws.com.cn" }),
    govcloud: expect.objectContaining({ partition: "aws-us-gov", dns_suffix: "amazonaws.com" }),
  });
  for (const [alias, region] of [["china", "cn-north-1"], ["govcloud", "us-gov-west-1"]]) {
    expect([accepted[alias].partition, accepted[alias].dns_suffix]).toEqual([partitionOfRegion(region)?.id, partitionOfRegion(region)?.dnsSuffix]);
  }
});

test("the provider refuses a region the list does not hold, as the settings do", () => {
  expect(refusal).toContain("invalid AWS Region: us-esat-1");
  expect(partitionOfRegion("us-esat-1")).toBeUndefined();
});
