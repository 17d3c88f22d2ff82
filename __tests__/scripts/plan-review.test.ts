/**
 * plan:review units that real offline plans cannot produce: sensitive values, imports (need the
 * API), a table leaving its KMS key, and argument handling. The main assertions on real plans are in
 * plan-review.terraform.test.ts.
 *
 * HAND-WRITTEN MINIMAL OBJECTS: every plan literal below is a tiny, hand-made subset of the
 * `terraform show -json` format, only the fields the code under test reads.
 */
import { analysePlans, changedAttributes } from "../../scripts/lib/plan-review/analyse";
import { CliIo, runPlanReview } from "../../scripts/lib/plan-review/cli";
import { parsePlan, PlanResourceChange, stackNameFromFile } from "../../scripts/lib/plan-review/parse";
import { renderMarkdown } from "../../scripts/lib/plan-review/render";

function plan(changes: PlanResourceChange[], stack = "s") {
  return parsePlan(JSON.stringify({ format_version: "1.2", resource_changes: changes }), `${stack}.json`, stack);
}

describe("masking (hand-written minimal change)", () => {
  test("sensitive values show (sensitive), unknown ones (known after apply)", () => {
    const attrs = changedAttributes({
      actions: ["update"],
      before: { password: "old-secret", tags: { a: "1" }, env: { vars: { KEY: "k1", MODE: "x" } } },
      after: { password: "new-secret", tags: { a: "2" }, env: { vars: { KEY: "k2", MODE: "y" } } },
      before_sensitive: { password: true, env: { vars: { KEY: true } } },
      after_sensitive: { password: true, env: { vars: { KEY: true } } },
      after_unknown: { version: true },
    });
    expect(attrs).toEqual([
      { path: "env.vars.KEY", before: "(sensitive)", after: "(sensitive)" },
      { path: "env.vars.MODE", before: '"x"', after: '"y"' },
      { path: "password", before: "(sensitive)", after: "(sensitive)" },
      { path: "tags.a", before: '"1"', after: '"2"' },
      { path: "version", before: "(none)", after: "(known after apply)" },
    ]);
    expect(JSON.stringify(attrs)).not.toMatch(/secret|k1|k2/);
  });

  test("a sensitive value inside an added list element is masked too", () => {
    const [attr] = changedAttributes({
      actions: ["update"],
      before: { rules: [] },
      after: { rules: [{ name: "r", token: "t0ps3cret" }, { name: "q", token: "x" }] },
      after_sensitive: { rules: [{ token: true }, { token: true }] },
    });
    expect(attr).toEqual({ path: "rules", before: "", after: '+ {"name":"r","token":(sensitive)} + {"name":"q","token":(sensitive)}' });
  });
});

describe("analysis (hand-written minimal plans)", () => {
  test("imports are counted from change.importing, and shown as import", () => {
    const review = analysePlans([
      plan([
        { address: "aws_dynamodb_table.t", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["no-op"], before: { name: "t" }, after: { name: "t" }, importing: { id: "t" } } },
        { address: "aws_dynamodb_table.u", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["update"], before: { name: "u", tags: {} }, after: { name: "u", tags: { a: "b" } }, importing: { id: "u" } } },
        { address: "data.aws_region.r", type: "aws_region", mode: "data", change: { actions: ["read"] } },
      ]),
    ]);
    expect(review.totals).toEqual({ create: 0, update: 1, replace: 0, delete: 0, import: 2 });
    const md = renderMarkdown(review);
    expect(md).toContain("| import | `aws_dynamodb_table.t` | `t` |\n| import, update | `aws_dynamodb_table.u` | `u` |\n");
    expect(md).toContain("| s | 0 | 1 | 0 | 0 | 2 |");
    expect(review.exitCode).toBe(0);
  });

  test("a table leaving its KMS key, a deleted log group: flagged; other deletes are not", () => {
    const review = analysePlans([
      plan([
        {
          address: "aws_dynamodb_table.t",
          type: "aws_dynamodb_table",
          change: {
            actions: ["update"],
            before: { name: "t", server_side_encryption: [{ enabled: true, kms_key_arn: "k" }] },
            after: { name: "t", server_side_encryption: [] },
          },
        },
        { address: "aws_cloudwatch_log_group.l", type: "aws_cloudwatch_log_group", change: { actions: ["delete"], before: { name: "/aws/lambda/f" }, after: null } },
        { address: "aws_iam_role.r", type: "aws_iam_role", change: { actions: ["delete"], before: { name: "r" }, after: null } },
      ]),
    ]);
    expect(review.findings.map((f) => [f.address, f.kind])).toEqual([
      ["aws_dynamodb_table.t", "sse-disabled"],
      ["aws_cloudwatch_log_group.l", "delete"],
    ]);
    expect(review.findings[1].message).toBe(
      "`aws_cloudwatch_log_group.l` (log group `/aws/lambda/f`) will be **deleted**: every log event in `/aws/lambda/f` is lost.",
    );
    expect(review.exitCode).toBe(1);
  });
});

describe("input checks (hand-written minimal documents)", () => {
  test.each([
    ["[]", "is JSON but not an object (got an array)"],
    ['{"resource_changes": []}', "has no `format_version` string"],
    ['{"format_version": "1.2"}', "has no `resource_changes` (and no `planned_values`), so it is not a plan"],
    ['{"format_version": "1.2", "resource_changes": {}}', "has a `resource_changes` that is not a list"],
    ['{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a"}]}', "`resource_changes[0]` (a.b) has no `change.actions` list"],
    ['{"format_version": "1.2", "errored": true, "planned_values": {}}', "is a plan that errored"],
  ])("%s", (text, message) => {
    expect(() => parsePlan(text, "p.json", "p")).toThrow(`p.json: ${message}`);
  });

  test("a plan of a configuration without resources (no resource_changes key) is a plan with no changes", () => {
    expect(parsePlan('{"format_version": "1.2", "planned_values": {}}', "p.json", "p").resourceChanges).toEqual([]);
  });

  test("stack names from file names", () => {
    expect(["plans/bandup-dev.json", "bandup-dev.plan.json", "x/bandup-dev.tfplan.json"].map(stackNameFromFile)).toEqual([
      "bandup-dev",
      "bandup-dev",
      "bandup-dev",
    ]);
  });
});

describe("arguments", () => {
  const run = (...argv: string[]) => {
    let err = "";
    let out = "";
    const io: CliIo = {
      readFile: () => '{"format_version": "1.2", "resource_changes": []}',
      writeFile: () => undefined,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    };
    return { code: runPlanReview(argv, io), err, out };
  };

  test("usage errors exit 2", () => {
    expect(run().err).toMatch(/^plan-review: no plan file given\n\nUsage: npm run plan:review/);
    expect(run("--nope", "a.json").code).toBe(2);
    expect(run("--allow-destroy").err).toContain("--allow-destroy needs a value");
    expect(run("--stack", "a.json").err).toContain("--stack needs <name>=<plan.json>; got `a.json`");
    expect(run("a/bandup-dev.json", "b/bandup-dev.json").err).toContain("two plans for stack `bandup-dev`");
  });

  test("--help exits 0", () => {
    const { code, out } = run("--help");
    expect(code).toBe(0);
    expect(out).toContain("Exit codes: 0 no blocking change, 1");
  });
});
