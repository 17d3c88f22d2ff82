/**
 * The pure parts of `npm run check:cdktn` (scripts/lib/cdktn-migration.ts): the package.json of each
 * step, the import rewrite, the edits by hand (against this project's own files, so that a change that
 * leaves an edit with nothing to do fails here, not only in the weekly check), the JSON comparison.
 */
import { readdirSync, readFileSync } from "fs";
import { join, relative } from "path";
import { PROJECT_ROOT } from "../../constructs/project-root";
import {
  applyEdit,
  applyStep2Sources,
  CDKTN_AWS_PROVIDER_VERSION,
  CDKTN_CLI_NODE_RANGE,
  CDKTN_CONSTRUCTS_RANGE,
  CDKTN_PROVIDER_AWS_VERSION,
  CDKTN_VERSION,
  CONSTRUCTS_VERSION,
  CHECK_OWN_TESTS_PATTERN,
  classifyDifference,
  compareStacks,
  comparisonsHold,
  describePackageChange,
  diffJson,
  findLeftovers,
  globToRegExp,
  isCheckOwnFile,
  PackageJson,
  rewriteImports,
  SOURCE_FILE,
  step1PackageJson,
  step1WithoutOverride,
  step2PackageJson,
  STEP2_EDITS,
} from "../../scripts/lib/cdktn-migration";
import { expectMarkedBlock, readDoc } from "../support/docs";

const TODAY: PackageJson = {
  name: "bandup-infra",
  engines: { node: ">=20" },
  dependencies: { "@cdktf/provider-aws": "20.1.0", cdktf: "0.21.0", constructs: "10.4.2", unpdf: "1.6.2" },
  devDependencies: { "@cdktf/hcl2json": "0.21.0", "cdktf-cli": "0.21.0", jest: "29.7.0" },
};

const NOT_SOURCES = new Set(["node_modules", ".git", "cdktf.out", "dist", "coverage", ".terraform", ".work"]);

/**
 * The project's text files that step 2 edits (all but the check's own), path → content, read from
 * disk: the suite also runs in the check's copies, which are not git checkouts.
 */
function projectTexts(dir = PROJECT_ROOT, texts = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!NOT_SOURCES.has(entry.name) && !entry.name.startsWith(".tmp-")) projectTexts(full, texts);
    } else if (entry.isFile()) {
      const path = relative(PROJECT_ROOT, full);
      const bytes = readFileSync(full);
      if (!isCheckOwnFile(path) && !bytes.includes(0)) texts.set(path, bytes.toString("utf8"));
    }
  }
  return texts;
}

describe("step 1, core only", () => {
  test("installs cdktn under the name cdktf with the override, constructs 10.7.2, and keeps the bindings", () => {
    const { packageJson, changes } = step1PackageJson(TODAY);
    expect(packageJson.dependencies).toEqual({
      "@cdktf/provider-aws": "20.1.0",
      cdktf: "npm:cdktn@0.24.0",
      constructs: "10.7.2",
      unpdf: "1.6.2",
    });
    expect(packageJson.overrides).toEqual({ cdktf: "npm:cdktn@0.24.0" });
    expect(packageJson.devDependencies).toEqual(TODAY.devDependencies);
    expect(packageJson.engines).toEqual({ node: ">=20" });
    expect(changes.map(describePackageChange)).toEqual([
      "dependencies.cdktf 0.21.0 → npm:cdktn@0.24.0",
      "dependencies.constructs 10.4.2 → 10.7.2",
      "overrides.cdktf + npm:cdktn@0.24.0",
    ]);
  });

  test("keeps other overrides and leaves its input untouched", () => {
    const withOverride = { ...TODAY, overrides: { semver: "7.7.2" } };
    const before = JSON.stringify(withOverride);
    expect(step1PackageJson(withOverride).packageJson.overrides).toEqual({ semver: "7.7.2", cdktf: "npm:cdktn@0.24.0" });
    expect(JSON.stringify(withOverride)).toBe(before);
  });

  test("without the override: the same dependencies, no overrides field (what npm refuses with ERESOLVE)", () => {
    const withoutOverride = step1WithoutOverride(TODAY);
    expect(withoutOverride.dependencies!.cdktf).toBe("npm:cdktn@0.24.0");
    expect(withoutOverride).not.toHaveProperty("overrides");
    expect(step1WithoutOverride({ ...TODAY, overrides: { semver: "7.7.2" } }).overrides).toEqual({ semver: "7.7.2" });
  });

  test("refuses a package.json without cdktf, naming it", () => {
    const { cdktf: _cdktf, ...others } = TODAY.dependencies!;
    expect(() => step1PackageJson({ ...TODAY, dependencies: others })).toThrow(
      "package.json has no dependency `cdktf`; the move to CDK Terrain starts from a cdktf project (cdktf and @cdktf/provider-aws)",
    );
  });

  test("the project's own package.json is one step 1 applies to", () => {
    const own = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as PackageJson;
    expect(step1PackageJson(own).packageJson.dependencies).toMatchObject({ cdktf: "npm:cdktn@0.24.0", constructs: "10.7.2" });
  });
});

describe("step 2, the provider too", () => {
  test("replaces every cdktf package by its CDK Terrain counterpart, sorted, and asks for Node.js 22.19", () => {
    const { packageJson, changes } = step2PackageJson(TODAY);
    expect(Object.entries(packageJson.dependencies!)).toEqual([
      ["@cdktn/provider-aws", "25.7.0"],
      ["cdktn", "0.24.0"],
      ["constructs", "10.7.2"],
      ["unpdf", "1.6.2"],
    ]);
    expect(Object.entries(packageJson.devDependencies!)).toEqual([
      ["@cdktn/hcl2json", "0.24.0"],
      ["cdktn-cli", "0.24.0"],
      ["jest", "29.7.0"],
    ]);
    expect(packageJson).not.toHaveProperty("overrides");
    expect(packageJson.engines).toEqual({ node: ">=22.19.0" });
    expect(changes.map(describePackageChange)).toEqual([
      "dependencies.cdktf removed (was 0.21.0)",
      "dependencies.cdktn + 0.24.0",
      "dependencies.@cdktf/provider-aws removed (was 20.1.0)",
      "dependencies.@cdktn/provider-aws + 25.7.0",
      "devDependencies.cdktf-cli removed (was 0.21.0)",
      "devDependencies.cdktn-cli + 0.24.0",
      "devDependencies.@cdktf/hcl2json removed (was 0.21.0)",
      "devDependencies.@cdktn/hcl2json + 0.24.0",
      "dependencies.constructs 10.4.2 → 10.7.2",
      "engines.node >=20 → >=22.19.0",
    ]);
  });

  test("from a project that took step 1: the same result, step 1's override gone", () => {
    const afterStep1 = step1PackageJson(TODAY).packageJson;
    const { packageJson, changes } = step2PackageJson(afterStep1);
    expect(packageJson).toEqual(step2PackageJson(TODAY).packageJson);
    expect(changes.map(describePackageChange)).toContain("overrides.cdktf removed (was npm:cdktn@0.24.0)");
    expect(step2PackageJson({ ...afterStep1, overrides: { cdktf: "npm:cdktn@0.24.0", semver: "7.7.2" } }).packageJson.overrides).toEqual({ semver: "7.7.2" });
  });

  test("the CLI and hcl2json are optional; the bindings are not", () => {
    const { devDependencies: _dev, ...withoutDev } = TODAY;
    expect(step2PackageJson(withoutDev).packageJson).not.toHaveProperty("devDependencies");
    const { "@cdktf/provider-aws": _bindings, ...others } = TODAY.dependencies!;
    expect(() => step2PackageJson({ ...TODAY, dependencies: others })).toThrow("package.json has no dependency `@cdktf/provider-aws`");
  });
});

describe("rewriteImports", () => {
  test.each([
    ['import { App, TerraformStack } from "cdktf";', 'import { App, TerraformStack } from "cdktn";'],
    ['import "cdktf/lib/testing/adapters/jest";', 'import "cdktn/lib/testing/adapters/jest";'],
    ['import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";', 'import { DynamodbTable } from "@cdktn/provider-aws/lib/dynamodb-table";'],
    ['new (require("@cdktf/provider-aws/lib/cloudwatch-log-group").CloudwatchLogGroup)(stack, "logs", {', 'new (require("@cdktn/provider-aws/lib/cloudwatch-log-group").CloudwatchLogGroup)(stack, "logs", {'],
    ["import { parse } from '@cdktf/hcl2json';", "import { parse } from '@cdktn/hcl2json';"],
    ['export { Fn } from "cdktf";', 'export { Fn } from "cdktn";'],
    ['const cdktf = await import("cdktf");', 'const cdktf = await import("cdktn");'],
    ["code: ['import \"cdktf\";', 'import \"constructs\";'],", "code: ['import \"cdktn\";', 'import \"constructs\";'],"],
  ])("%s", (before, after) => {
    expect(rewriteImports(before)).toEqual({ text: after, linesChanged: 1 });
  });

  test.each([
    ['const warnings = metadata.filter((m) => m.type === "@cdktf/warn");'],
    ['defaultTags: [{ tags: { ...tags, ManagedBy: "cdktf" } }],'],
    ['import { something } from "cdktf-cli";'],
    ['import { GoogleProvider } from "@cdktf/provider-google/lib/provider";'],
    ['import { x } from "cdktfx";'],
    ["// see cdktf.json and cdktf.out/"],
  ])("leaves alone: %s", (line) => {
    expect(rewriteImports(line)).toEqual({ text: line, linesChanged: 0 });
  });

  test("counts changed lines, not matches", () => {
    const source = 'import { App } from "cdktf";\nimport { AwsProvider } from "@cdktf/provider-aws/lib/provider";\nconst x = 1;\n';
    expect(rewriteImports(source).linesChanged).toBe(2);
  });

  test("leaves no module specifier of cdktf in the project's sources", () => {
    const texts = projectTexts();
    let rewritten = 0;
    const remaining: string[] = [];
    for (const [path, text] of texts) {
      if (!SOURCE_FILE.test(path)) continue;
      const { text: after, linesChanged } = rewriteImports(text);
      rewritten += linesChanged;
      after.split("\n").forEach((line, i) => {
        if (/\b(?:from|import|require\()\s*["'](?:cdktf|@cdktf\/provider-aws|@cdktf\/hcl2json)(?:\/[^"']*)?["']/.test(line)) remaining.push(`${path}:${i + 1}`);
      });
    }
    expect(remaining).toEqual([]);
    expect(rewritten).toBeGreaterThan(40);
  });
});

describe("the edits by hand", () => {
  test("each finds what it edits in this project, with the expected result", () => {
    const texts = projectTexts();
    for (const [path, text] of texts) if (SOURCE_FILE.test(path)) texts.set(path, rewriteImports(text).text);
    const changedBy: Record<string, string[]> = {};
    for (const edit of STEP2_EDITS) {
      const applied = applyEdit(edit, texts);
      expect([edit.name, applied.linesChanged > 0]).toEqual([edit.name, true]);
      for (const [path, text] of applied.changed) texts.set(path, text);
      changedBy[edit.name] = [...applied.changed.keys()];
    }
    expect(changedBy["region data source: `.name` → `.region`"]).toEqual(["constructs/stack-aws-context.ts"]);
    expect(changedBy["offline terraform: AWS_PROVIDER_VERSION"]).toEqual(["scripts/lib/terraform-offline.ts"]);
    expect(changedBy["CI: the mirror it looks for"]).toEqual([".ci/run"]);
    expect(changedBy["workflows: the provider they download"]).toContain(".github/workflows/cdktn-check.yml");
    expect(changedBy["workflows: the provider lock they hold terraform to"]).toEqual([".github/terraform-providers.lock.hcl"]);
    expect(texts.get(".github/terraform-providers.lock.hcl")).toContain('  version     = "6.66.0"\n  constraints = "6.66.0"\n');

    expect(texts.get("constructs/stack-aws-context.ts")).toContain('this.region = new DataAwsRegion(stack, "region").region;');
    expect(texts.get("scripts/lib/terraform-offline.ts")).toContain('export const AWS_PROVIDER_VERSION = "6.66.0";');
    expect(texts.get("__tests__/stacks/bandup-stack.test.ts")).toContain('toEqual({ source: "hashicorp/aws", version: "6.66.0" })');
    const snapshot = texts.get("__tests__/stacks/__snapshots__/bandup-stack.test.ts.snap")!;
    expect(snapshot).not.toContain("5.100.0");
    expect(snapshot).not.toContain("data.aws_region.region.name");
    expect(snapshot).toContain("${data.aws_region.region.region}");
    expect(snapshot).not.toContain('"source": "aws"');
    expect(snapshot).toContain('"source": "hashicorp/aws"');
    const leakTest = texts.get("__tests__/constructs/lambda-bundle.test.ts")!;
    expect(leakTest).toContain('import { App } from "cdktn";');
    expect(leakTest).toContain("pulls in `node_modules\\/cdktn\\/.+`");
    expect(leakTest).toContain("pulls in `node_modules\\/@cdktn\\/provider-aws\\/.+`");
  });

  test("an edit that finds nothing stops the check, naming the edit and the fix", () => {
    const files = new Map([["scripts/lib/terraform-offline.ts", 'export const AWS_PROVIDER_VERSION = "5.99.0";\n']]);
    const edit = STEP2_EDITS.find((e) => e.name === "offline terraform: AWS_PROVIDER_VERSION")!;
    expect(() => applyEdit(edit, files)).toThrow(
      'edit "offline terraform: AWS_PROVIDER_VERSION" found nothing to change in scripts/lib/terraform-offline.ts (looked for /(AWS_PROVIDER_VERSION = ")5\\.100\\.0(")/g); the project changed: update STEP2_EDITS in scripts/lib/cdktn-migration.ts',
    );
  });

  test("the region edit changes the code's data source and references, not other `.name`s", () => {
    const edit = STEP2_EDITS[0];
    const source = [
      'this.region = new DataAwsRegion(stack, "region").name;',
      "/** The provider's region (`data.aws_region.region.name`). */",
      "const table = new DynamodbTable(this, \"t\", { name }).name;",
    ].join("\n");
    const applied = applyEdit(edit, new Map([["constructs/stack-aws-context.ts", source]]));
    expect(applied.changed.get("constructs/stack-aws-context.ts")).toBe(
      [
        'this.region = new DataAwsRegion(stack, "region").region;',
        "/** The provider's region (`data.aws_region.region.region`). */",
        'const table = new DynamodbTable(this, "t", { name }).name;',
      ].join("\n"),
    );
    expect(applied.linesChanged).toBe(2);
  });
});

test("the check's own files stay out of step 2, and so do their tests", () => {
  expect(["scripts/check-cdktn.ts", "scripts/lib/cdktn-migration.ts", "__tests__/scripts/cdktn-report.test.ts", "__tests__/scripts/check-cdktn.test.ts"].filter(isCheckOwnFile)).toHaveLength(4);
  expect(["scripts/lib/project-copy.ts", "scripts/lib/terraform-offline.ts", "__tests__/scripts/plan-review.test.ts", "constructs/lambda-bundle.ts"].filter(isCheckOwnFile)).toEqual([]);
  const ignored = new RegExp(CHECK_OWN_TESTS_PATTERN);
  expect(ignored.test("/tmp/copy/project/__tests__/scripts/cdktn-migration.test.ts")).toBe(true);
  expect(ignored.test("/tmp/copy/project/__tests__/scripts/check-cdktn.test.ts")).toBe(true);
  expect(ignored.test("/tmp/copy/project/__tests__/scripts/project-copy.test.ts")).toBe(false);
});

test.each([
  ["__tests__/**/*.ts", "__tests__/stacks/bandup-stack.test.ts", true],
  ["__tests__/**/*.ts", "__tests__/setup.ts", true],
  ["__tests__/**/*.ts", "scripts/x.ts", false],
  [".github/workflows/*.yml", ".github/workflows/pr.yml", true],
  [".github/workflows/*.yml", ".github/workflows/sub/pr.yml", false],
  ["scripts/lib/cdktn-*.ts", "scripts/lib/cdktn-report.ts", true],
  [".ci/run", ".ci/runner", false],
])("glob %s on %s: %s", (glob, path, matches) => {
  expect(globToRegExp(glob).test(path)).toBe(matches);
});

describe("findLeftovers", () => {
  test("lists code lines that name a cdktf package; skips comments, metadata names and the files that must name it", () => {
    const files = new Map([
      ["bench/lib/variants.ts", '// reads @cdktf/provider-aws\nconst PROVIDER_PACKAGE = "@cdktf/provider-aws";\nconst x = 1;'],
      ["bench/lib/paths.ts", 'const index = join(root, "node_modules/cdktf/lib/index.js");'],
      ["__tests__/guardrails/suppressions.test.ts", 'm.type === "@cdktf/warn"'],
      ["constructs/lambda-bundle.ts", 'const PATTERN = /node_modules\\/(cdktf|@cdktf\\/[^/]+)\\//;'],
      ["README.md", "`@cdktf/provider-aws` 20.1.0"],
      [".github/workflows/pr.yml", "      - run: npx cdktf-cli synth"],
    ]);
    expect(findLeftovers(files)).toEqual([
      { path: "bench/lib/variants.ts", line: 2, text: 'const PROVIDER_PACKAGE = "@cdktf/provider-aws";' },
      { path: "bench/lib/paths.ts", line: 1, text: 'const index = join(root, "node_modules/cdktf/lib/index.js");' },
      { path: ".github/workflows/pr.yml", line: 1, text: "- run: npx cdktf-cli synth" },
    ]);
  });
});

describe("the JSON comparison", () => {
  const today = {
    "//": { metadata: { version: "0.21.0", stackName: "bandup-dev" } },
    terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
    data: { aws_iam_policy_document: { p: { statement: [{ resources: ["arn:${data.aws_region.region.name}:x"] }] } } },
  };

  test("diffJson lists every leaf that differs, added and removed keys included, in document order", () => {
    expect(diffJson({ a: 1, b: { c: [1, 2] }, d: "x" }, { a: 1, b: { c: [1, 3, 4] }, e: null })).toEqual([
      { path: ["b", "c", "1"], before: 2, after: 3 },
      { path: ["b", "c", "2"], before: undefined, after: 4 },
      { path: ["d"], before: "x", after: undefined },
      { path: ["e"], before: undefined, after: null },
    ]);
    expect(diffJson(today, JSON.parse(JSON.stringify(today)))).toEqual([]);
    expect(diffJson({ a: [] }, { a: {} })).toEqual([{ path: ["a"], before: [], after: {} }]);
  });

  test("step 1 explains the metadata version only; step 2 also the provider pin and source and the region attribute", () => {
    const version = { path: ["//", "metadata", "version"], before: "0.21.0", after: "0.24.0" };
    const pin = { path: ["terraform", "required_providers", "aws", "version"], before: "5.100.0", after: "6.66.0" };
    const source = { path: ["terraform", "required_providers", "aws", "source"], before: "aws", after: "hashicorp/aws" };
    const region = { path: ["x"], before: "arn:${data.aws_region.region.name}:y", after: "arn:${data.aws_region.region.region}:y" };
    expect([version, pin, source, region].map((d) => classifyDifference(d, 1))).toEqual(["metadata version", "unexplained", "unexplained", "unexplained"]);
    expect([version, pin, source, region].map((d) => classifyDifference(d, 2))).toEqual([
      "metadata version",
      "provider pin",
      "provider source",
      "region attribute",
    ]);
    expect(classifyDifference({ ...source, after: "someone/aws" }, 2)).toBe("unexplained");
    // The region rename and something else in the same string is not explained by the move.
    expect(classifyDifference({ ...region, after: "arn:${data.aws_region.region.region}:z" }, 2)).toBe("unexplained");
    expect(classifyDifference({ ...pin, after: "6.0.0" }, 2)).toBe("unexplained");
    expect(classifyDifference({ ...version, after: "0.25.0" }, 2)).toBe("unexplained");
  });

  test("compareStacks counts what the move explains and lists the rest; a missing stack fails", () => {
    const after = JSON.parse(JSON.stringify(today));
    after["//"].metadata.version = "0.24.0";
    after.terraform.required_providers.aws.version = "6.66.0";
    after.data.aws_iam_policy_document.p.statement[0].resources[0] = "arn:${data.aws_region.region.region}:x";
    const stepTwo = compareStacks(new Map([["bandup-dev", today]]), new Map([["bandup-dev", after]]), 2);
    expect(stepTwo).toEqual([{ stack: "bandup-dev", explained: { "metadata version": 1, "provider pin": 1, "region attribute": 1 }, unexplained: [] }]);
    expect(comparisonsHold(stepTwo)).toBe(true);

    const stepOne = compareStacks(new Map([["bandup-dev", today]]), new Map([["bandup-dev", after]]), 1);
    expect(stepOne[0].unexplained.map((d) => d.path.join("."))).toEqual([
      "terraform.required_providers.aws.version",
      "data.aws_iam_policy_document.p.statement.0.resources.0",
    ]);
    expect(comparisonsHold(stepOne)).toBe(false);

    const missing = compareStacks(new Map([["bandup-dev", today], ["bandup-prod", today]]), new Map([["bandup-dev", today]]), 1);
    expect(missing.map((c) => [c.stack, c.onlyIn])).toEqual([["bandup-dev", undefined], ["bandup-prod", "today"]]);
    expect(comparisonsHold(missing)).toBe(false);
    expect(comparisonsHold([])).toBe(false);
  });
});

describe("docs/cdk-terrain.md", () => {
  test("gives the lines step 2 changes in this tree, as the check counts them", () => {
    const texts = projectTexts();
    texts.delete("package.json");
    texts.delete("package-lock.json");
    const step2 = applyStep2Sources(texts);
    const files = (paths: Iterable<string>) => [...paths].sort().map((path) => `\`${path}\``).join(", ");
    const body = [
      "| change | lines | files |",
      "|---|---:|---|",
      `| imports (2.) | ${step2.imports.lines} | ${step2.imports.files} files |`,
      ...step2.edits.map((applied) => `| by hand: ${applied.edit.name} | ${applied.linesChanged} | ${files(applied.changed.keys())} |`),
    ].join("\n");
    expectMarkedBlock("docs/cdk-terrain.md", "cdktn step 2 edits", "computed from the tree by __tests__/scripts/cdktn-migration.test.ts; regenerate with UPDATE_DOC_EXAMPLES=1", body);
  });

  test("states no count of changed lines outside that table, and the versions the check installs", () => {
    const doc = readDoc("docs/cdk-terrain.md");
    const outside = doc.slice(0, doc.indexOf("<!-- BEGIN cdktn step 2 edits:")) + doc.slice(doc.indexOf("<!-- END cdktn step 2 edits -->"));
    expect(outside.match(/\d+ lines/g) ?? []).toEqual([]);
    for (const version of [CDKTN_VERSION, CDKTN_PROVIDER_AWS_VERSION, CDKTN_AWS_PROVIDER_VERSION, CONSTRUCTS_VERSION, CDKTN_CONSTRUCTS_RANGE, CDKTN_CLI_NODE_RANGE]) {
      expect([version, doc.includes(version)]).toEqual([version, true]);
    }
  });
});
