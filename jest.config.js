/**
 * Tests run TypeScript through SWC (no type checking here: `npm test` runs `tsc --noEmit` first, so
 * each test file is not type-checked twice). Files named `*.terraform.test.ts` run the real terraform
 * CLI; `npm run test:unit` leaves them out.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  // The Node 24 binary of the built-zip test (its own package, its own node_modules): not crawled.
  modulePathIgnorePatterns: ["<rootDir>/__tests__/support/node24/node_modules/"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // The provider mirror is found (or made, once) before any test file starts.
  globalSetup: "<rootDir>/__tests__/global-setup.ts",
  testTimeout: 60000,
  // Both cores: most files wait on child processes (terraform, node, esbuild) or I/O.
  maxWorkers: 2,
};
