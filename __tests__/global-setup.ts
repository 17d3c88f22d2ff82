/**
 * Runs once before the test files: finds the offline provider mirror, or makes it (a download of
 * about 700 MB, once per machine), here rather than inside a terraform test's `beforeAll`, whose time
 * limit a first download could exceed. The workers inherit `BANDUP_TF_MIRROR`. Skipped when the
 * terraform tests are left out (`npm run test:unit`). A mirror that can be neither found nor made is
 * not an error here: every terraform test then fails with the cause and the fix.
 */
import { findProviderMirror } from "../scripts/lib/terraform-offline";

/** The part of jest's project config read here. */
interface ProjectConfig {
  readonly testPathIgnorePatterns: readonly string[];
}

export default function globalSetup(_globalConfig: unknown, projectConfig: ProjectConfig): void {
  if (projectConfig.testPathIgnorePatterns.some((pattern) => pattern.includes("terraform.test"))) return;
  try {
    process.env.BANDUP_TF_MIRROR = findProviderMirror();
  } catch (error) {
    process.stderr.write(`\n[terraform tests] ${(error as Error).message}\n`);
  }
}
