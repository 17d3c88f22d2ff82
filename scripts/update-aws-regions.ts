/**
 * `npx tsx scripts/update-aws-regions.ts`: reads the AWS partitions and regions out of the pinned
 * hashicorp/aws provider binary in the offline mirror (scripts/lib/provider-partitions.ts) and writes
 * constructs/aws-partitions.ts, the list the settings validate regions and ARNs with. Run it after
 * changing the provider version, and commit the result.
 */
import { join } from "path";
import { PROJECT_ROOT } from "../constructs/project-root";
import { providerBinaryIn, readProviderBinary, renderPartitionsModule } from "./lib/provider-partitions";
import { AWS_PROVIDER_VERSION, findProviderMirror } from "./lib/terraform-offline";
import { writeAtomically } from "./lib/write-atomically.cjs";

/** Where the generated list lives. */
export const AWS_PARTITIONS_FILE = join(PROJECT_ROOT, "constructs/aws-partitions.ts");

/** The text constructs/aws-partitions.ts should hold, read from the mirror's provider binary. */
export function generatePartitionsModule(mirror: string = findProviderMirror()): string {
  const binary = providerBinaryIn(mirror, AWS_PROVIDER_VERSION);
  return renderPartitionsModule(readProviderBinary(binary.path), { version: AWS_PROVIDER_VERSION, binaryName: binary.binaryName });
}

if (require.main === module) {
  const text = generatePartitionsModule();
  writeAtomically(AWS_PARTITIONS_FILE, text);
  console.log(`wrote ${AWS_PARTITIONS_FILE}`);
}
