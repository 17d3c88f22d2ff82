/**
 * plan:review units that real offline plans cannot produce: sensitive values in every shape, imports
 * (need the API), every action list terraform writes, the findings on resources this stack does not
 * plan (KMS keys, table items), values unknown until apply, long lists, input checks and argument
 * handling. The main assertions on real plans are in plan-review.terraform.test.ts; the exit codes
 * of the command as a process in plan-review.cli.test.ts.
 *
 * HAND-WRITTEN MINIMAL OBJECTS: every plan literal below is a tiny, hand-made subset of the
 * `terraform show -json` format, only the fields the code under test reads.
 */
import { Testing } from "cdktf";
import { analysePlans, changedAttributes } from "../../scripts/lib/plan-review/analyse";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { CLASSIFICATION, HOLDS_NOTHING } from "../../scripts/lib/plan-review/classification";
import { classificationDoc } from "../../scripts/lib/plan-review/classification-doc";
import { classifyAttribute, classifyChange } from "../../scripts/lib/plan-review/classify";
import { buildBandupApp } from "../../stacks/app";
import { ENVIRONMENTS } from "../../stacks/environments";
import { CliIo, runPlanReview } from "../../scripts/lib/plan-review/cli";
import { parsePlan, PlanResourceChange, stackNameFromFile } from "../../scripts/lib/plan-review/parse";
import { renderJson, renderMarkdown } from "../../scripts/lib/plan-review/render";
import { MIN_CONTAINED_SECRET, Secrets, SubstringMatcher } from "../../scripts/lib/plan-review/secrets";

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
    expect(md).toContain("| `s` | 0 | 1 | 0 | 0 | 2 |");
    expect(review.exitCode).toBe(0);
  });

  test("a table leaving its KMS key, a deleted log group: blocking; a deleted role: needs review", () => {
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
    expect(review.findings.map((f) => [f.address, f.kind, f.attributes, f.blocking])).toEqual([
      ["aws_dynamodb_table.t", "loss", ["server_side_encryption.enabled"], true],
      ["aws_dynamodb_table.t", "loss", ["server_side_encryption.kms_key_arn"], true],
      ["aws_cloudwatch_log_group.l", "delete", [], true],
      ["aws_iam_role.r", "delete", [], false],
    ]);
    expect(review.findings.map((f) => f.message.text).slice(2)).toEqual([
      "`aws_cloudwatch_log_group.l` (log group `/aws/lambda/f`) will be **deleted**: every log event in `/aws/lambda/f` is lost.",
      "`aws_iam_role.r` (role `r`) will be **deleted**: whatever assumes it (a function, a CI job) loses the access it grants.",
    ]);
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
      appendFile: () => undefined,
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    };
    return { code: runPlanReview(argv, io), err, out };
  };

  test("usage errors exit 2", () => {
    expect(run().err).toBe("plan-review: no plan file given; run with --help for the usage\n");
    expect(run("--nope", "a.json").code).toBe(2);
    expect(run("--allow-destroy").err).toContain("--allow-destroy needs a value");
    expect(run("--stack", "a.json").err).toContain("--stack needs <name>=<plan.json>; got `a.json`");
    expect(run("a/bandup-dev.json", "b/bandup-dev.json").err).toContain("two plans for stack `bandup-dev`");
  });

  test("a comment whose summary alone passes the limit (2,000 stacks): exit 2 with one line, not a crash", () => {
    const stacks = Array.from({ length: 2000 }, (_, i) => ["--stack", `bandup-stack-${i}=p${i}.json`]).flat();
    const { code, err, out } = run(...stacks);
    expect([code, out]).toEqual([2, ""]);
    expect(err).toMatch(/^plan-review: the review is too large to write: the comment's summary alone is \d+ characters, over the 65000 a comment can hold with its note: review fewer stacks in one comment\n$/);
  });

  test("--help exits 0", () => {
    const { code, out } = run("--help");
    expect(code).toBe(0);
    expect(out).toContain("Exit codes: 0 nothing blocking (findings that need review are listed), 1");
  });
});

/** A hand-made `resource_changes` entry of a managed resource. */
function rc(type: string, name: string, change: PlanResourceChange["change"]): PlanResourceChange {
  return { address: `${type}.${name}`, type, name, mode: "managed", change };
}

describe("sensitive values are masked everywhere (hand-written minimal plans)", () => {
  const SECRET = "hunter2-secret-value";
  const table = rc("aws_dynamodb_table", "t", {
    actions: ["delete", "create"],
    before: { name: "t", range_key: "user_id", tags: { Team: "a" }, tags_all: { Team: "a" } },
    after: { name: "t", range_key: SECRET, tags: { Team: SECRET }, tags_all: { Team: SECRET } },
    before_sensitive: {},
    // Terraform marks what the configuration made sensitive, not the provider's copy in `tags_all`.
    after_sensitive: { range_key: true, tags: { Team: true } },
    replace_paths: [["range_key"]],
  });
  const fn = rc("aws_lambda_function", "f", {
    actions: ["update"],
    before: { function_name: "f", environment: [{ variables: { MODE: "a", TOKEN: "old-token-123" } }], layers: ["l1"] },
    after: { function_name: "f", environment: [{ variables: { MODE: "b", TOKEN: SECRET } }], layers: ["l1", SECRET] },
    before_sensitive: { environment: [{ variables: { TOKEN: true } }] },
    after_sensitive: { environment: [{ variables: { TOKEN: true } }], layers: [false, true] },
  });
  const queue = rc("aws_sqs_queue", "q", {
    actions: ["delete"],
    before: { name: SECRET, arn: `arn:aws:sqs:us-east-1:123456789012:${SECRET}` },
    after: null,
    before_sensitive: { name: true },
    after_sensitive: false,
  });
  const review = analysePlans([plan([table, fn, queue], "bandup-dev")]);
  const outputs = [renderMarkdown(review), renderJson(review)];

  test("no output holds the secret, nor the value that was sensitive before", () => {
    for (const text of outputs) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain("old-token-123");
      expect(text).not.toContain("hunter2");
    }
  });

  test("the key-schema finding, the resource table and the attribute table say (sensitive)", () => {
    const md = renderMarkdown(review);
    expect(review.findings.map((f) => f.message.text)).toEqual([
      "`aws_dynamodb_table.t` (table `t`) will be **replaced**, forced by `range_key`. The key schema changes (`range_key`: (sensitive) → (sensitive)); DynamoDB cannot change a table's keys in place, so Terraform destroys the table and creates a new, empty one: every item in `t` is lost.",
      "`aws_lambda_function.f` (function `f`) **needs review**: `environment[0].variables`: the tables and settings the function uses: a wrong table name sends its results elsewhere.",
      "`aws_sqs_queue.q` (queue (sensitive)) will be **deleted**: every message in it is lost (a dead-letter queue holds the events that failed every retry).",
    ]);
    expect(md).toContain("| delete | `aws_sqs_queue.q` | (sensitive) |");
    expect(md).toContain("| `range_key` | (sensitive) | (sensitive) |");
    expect(md).toContain("| `tags.Team` | (sensitive) | (sensitive) |");
    // The provider's copy, unmarked in the plan, is masked as a copy of a sensitive value.
    expect(md).toContain("| `tags_all.Team` | (sensitive) | (sensitive) |");
    // Inside a block, a map member; in a list, the one element marked.
    expect(md).toContain("| `environment[0].variables.MODE` | `\"a\"` | `\"b\"` |");
    expect(md).toContain("| `environment[0].variables.TOKEN` | (sensitive) | (sensitive) |");
    expect(md).toContain("| `layers` |  | `+ (sensitive)` |");
  });

  test("--json: names, attributes and messages masked the same way", () => {
    const doc = JSON.parse(renderJson(review));
    const q = doc.stacks[0].resources.find((r: { address: string }) => r.address === "aws_sqs_queue.q");
    expect(q.name).toBe("(sensitive)");
    const t = doc.stacks[0].resources.find((r: { address: string }) => r.address === "aws_dynamodb_table.t");
    expect(t.attributes).toContainEqual({ path: "range_key", before: "(sensitive)", after: "(sensitive)" });
  });

  test("a value sensitive on one side only is masked on both, as terraform's own plan output does", () => {
    expect(
      changedAttributes({
        actions: ["update"],
        before: { password: "was-public", note: "x" },
        after: { password: "now-secret", note: "y" },
        after_sensitive: { password: true },
      }),
    ).toEqual([
      { path: "note", before: '"x"', after: '"y"' },
      { path: "password", before: "(sensitive)", after: "(sensitive)" },
    ]);
  });

  test("a wholly sensitive block, and a sensitive value unknown until apply", () => {
    expect(
      changedAttributes({
        actions: ["update"],
        before: { ttl: [{ attribute_name: "old-ttl-field", enabled: true }], token: "old-value" },
        after: { ttl: [{ attribute_name: "new-ttl-field", enabled: true }] },
        before_sensitive: { ttl: true, token: true },
        after_sensitive: { ttl: true, token: true },
        after_unknown: { token: true },
      }),
    ).toEqual([
      { path: "token", before: "(sensitive)", after: "(known after apply)" },
      { path: "ttl", before: "(sensitive)", after: "(sensitive)" },
    ]);
  });

  test("the marks of the prior state's and the planned values' sensitive_values count too", () => {
    const parsed = parsePlan(
      JSON.stringify({
        format_version: "1.2",
        resource_changes: [rc("aws_ssm_parameter", "p", { actions: ["update"], before: { name: "p", value: "old-param-value" }, after: { name: "p", value: "new-param-value" } })],
        prior_state: { values: { root_module: { resources: [{ address: "aws_ssm_parameter.p", sensitive_values: { value: true } }] } } },
        planned_values: { root_module: { child_modules: [], resources: [{ address: "aws_ssm_parameter.p", sensitive_values: { value: true } }] } },
      }),
      "p.json",
      "p",
    );
    const text = renderMarkdown(analysePlans([parsed]));
    expect(text).toContain("| `value` | (sensitive) | (sensitive) |");
    expect(text).not.toMatch(/param-value/);
  });

  test("a secret used as a map key is redacted in the attribute path", () => {
    const keyed = analysePlans([
      plan([
        rc("aws_ssm_parameter", "p", { actions: ["create"], after: { value: "hunter2-map-key" }, after_sensitive: { value: true } }),
        rc("aws_dynamodb_table", "t", { actions: ["update"], before: { name: "t", tags: {} }, after: { name: "t", tags: { "hunter2-map-key": "x" } } }),
      ]),
    ]);
    expect(keyed.stacks[0].resources[1].attributes).toEqual([{ path: 'tags."(sensitive)"', before: "(none)", after: '"x"' }]);
    expect(renderMarkdown(keyed) + renderJson(keyed)).not.toContain("hunter2");
  });

  test("invalid JSON: the message quotes no part of the text", () => {
    expect(() => parsePlan(`{"password": hunter2-${SECRET}}`, "p.json", "p")).toThrow(
      "p.json: is not valid JSON (unexpected token); pass the output of `terraform show -json <planfile>`",
    );
  });
});

describe("copies of secrets", () => {
  test("SubstringMatcher finds any of many strings inside a text", () => {
    const matcher = new SubstringMatcher(["he", "she", "his", "hers", "secret-1"]);
    expect(["ushers", "this", "a secret-1 b", "she"].map((t) => matcher.matches(t))).toEqual([true, true, true, true]);
    expect(["", "secret-", "hx", "s"].map((t) => matcher.matches(t))).toEqual([false, false, false, false]);
  });

  test("SubstringMatcher gives the parts of a text the strings cover, merged", () => {
    const matcher = new SubstringMatcher(["secret", "cret-2", "abcabd"]);
    expect(matcher.ranges("x secret-2 y secret abcabcabd")).toEqual([[2, 10], [13, 19], [23, 29]]);
    expect(matcher.ranges("secre cret-")).toEqual([]);
    expect(new SubstringMatcher([]).ranges("anything")).toEqual([]);
  });

  test("a multi-MB secret is matched exactly: one code unit less, or one changed, is no match", () => {
    const secret = Array.from({ length: 3_000_000 }, (_, i) => String.fromCharCode(65 + ((i * 7919) % 26))).join("");
    const matcher = new SubstringMatcher([secret]);
    expect(matcher.matches(`arn:${secret}:x`)).toBe(true);
    expect(matcher.matches(secret.slice(1))).toBe(false);
    expect(matcher.matches(`${secret.slice(0, 1_500_000)}!${secret.slice(1_500_001)}`)).toBe(false);
  });

  test("redaction: a whole secret, a long secret inside a text, a short secret as an instance key", () => {
    const secrets = new Secrets([
      rc("aws_x", "a", { actions: ["create"], after: { long: "s3cr3t-8b1d", short: "ab" }, after_sensitive: { long: true, short: true } }),
    ]);
    expect(secrets.redact("ab")).toBe("(sensitive)");
    expect(secrets.redact("xaby")).toBe("xaby");
    expect(secrets.redact("arn:aws:sqs:us-east-1:1:s3cr3t-8b1d-dead-letters")).toBe("arn:aws:sqs:us-east-1:1:(sensitive)-dead-letters");
    expect(secrets.redactAddress('aws_sqs_queue.q["ab"]')).toBe("aws_sqs_queue.q[(sensitive)]");
    expect(secrets.redactAddress('aws_sqs_queue.q["abc"]')).toBe('aws_sqs_queue.q["abc"]');
    expect(secrets.redactAddress('module.m["s3cr3t-8b1d"].aws_x.y')).toBe("module.m[(sensitive)].aws_x.y");
  });

  test("a copy is masked when equal to a secret, or when it contains a secret of 6 characters or more", () => {
    const secrets = new Secrets([
      rc("aws_x", "a", { actions: ["create"], after: { long: "abcdef", short: "ab" }, after_sensitive: { long: true, short: true } }),
    ]);
    const marked = secrets.markCopies(
      rc("aws_y", "b", {
        actions: ["update"],
        before: { arn: "arn:x:abcdef", eq: "ab", contains_short: "xaby", list: ["ok", "abcdef"] },
        after: { arn: "arn:x:abcdef", eq: "ab", contains_short: "xaby", list: ["ok", "abcdef"] },
      }),
    );
    expect(marked.change.before_sensitive).toEqual({ arn: true, eq: true, list: [undefined, true] });
    expect(marked.change.after_sensitive).toEqual({ arn: true, eq: true, list: [undefined, true] });
    expect(MIN_CONTAINED_SECRET).toBe(6);
  });
});

describe("every action list terraform 1.11 writes is reviewed", () => {
  // terraform's actionString (internal/command/jsonplan/plan.go): these nine, and nothing else.
  test.each([
    [["no-op"], "no-op", undefined, 0],
    [["create"], "create", "| create | `aws_dynamodb_table.t` | `t` |", 0],
    [["read"], "read", "| read | `aws_dynamodb_table.t` | `t` |", 0],
    [["update"], "update", "| update | `aws_dynamodb_table.t` | `t` |", 0],
    [["delete", "create"], "replace", "| replace | `aws_dynamodb_table.t` | `t` |", 1],
    [["create", "delete"], "replace", "| replace | `aws_dynamodb_table.t` | `t` |", 1],
    [["delete"], "delete", "| delete | `aws_dynamodb_table.t` | `t` |", 1],
    [["forget"], "forget", "| forget | `aws_dynamodb_table.t` | `t` |", 0],
    [["create", "forget"], "replace", "| replace (old one forgotten) | `aws_dynamodb_table.t` | `t` |", 1],
  ])("%j on a table: %s", (actions, action, row, exitCode) => {
    const review = analysePlans([
      plan([rc("aws_dynamodb_table", "t", { actions, before: actions[0] === "create" && actions.length === 1 ? null : { name: "t" }, after: actions.includes("create") || actions[0] !== "delete" ? { name: "t" } : null })]),
    ]);
    expect(review.exitCode).toBe(exitCode);
    const resources = review.stacks[0].resources;
    if (row === undefined) expect(resources).toEqual([]);
    else {
      expect(resources.map((r) => [r.action, r.actions])).toEqual([[action, actions]]);
      expect(renderMarkdown(review)).toContain(row);
    }
  });

  test("create then forget: the finding says the old table is left in place and the new one starts empty", () => {
    const review = analysePlans([
      plan([rc("aws_dynamodb_table", "t", { actions: ["create", "forget"], before: { name: "t", range_key: "a" }, after: { name: "t", range_key: "b" }, replace_paths: [["range_key"]] })]),
    ]);
    expect(review.findings.map((f) => f.message.text)).toEqual([
      "`aws_dynamodb_table.t` (table `t`) will be **replaced**, forced by `range_key`. Terraform creates a new one and forgets the old one (`destroy = false`): the old table stays in AWS with its data, no longer managed by Terraform, and the new one starts empty.",
    ]);
  });

  test("forget alone loses nothing: listed, not flagged", () => {
    const review = analysePlans([plan([rc("aws_kms_key", "k", { actions: ["forget"], before: { key_id: "k-1" }, after: null })])]);
    expect(review.findings).toEqual([]);
    expect(renderMarkdown(review)).toContain("| forget | `aws_kms_key.k` | `k-1` |");
  });
});

describe("what loses data or access is flagged, with the address, the loss and the entry that accepts it", () => {
  const changes: PlanResourceChange[] = [
        rc("aws_sqs_queue", "dlq", { actions: ["delete"], before: { name: "bandup-writing-evaluator-dev-dead-letters" }, after: null }),
        rc("aws_sqs_queue", "dlq2", { actions: ["delete", "create"], before: { name: "q2", fifo_queue: false }, after: { name: "q2", fifo_queue: true }, replace_paths: [["fifo_queue"]] }),
        rc("aws_kms_key", "key", { actions: ["delete"], before: { key_id: "1234abcd", deletion_window_in_days: 30, is_enabled: true }, after: null }),
        rc("aws_kms_key", "off", { actions: ["update"], before: { key_id: "5678", is_enabled: true }, after: { key_id: "5678", is_enabled: false } }),
        rc("aws_dynamodb_table_item", "item", { actions: ["delete"], before: { table_name: "bandup-evaluations-dev", hash_key: "evaluation_id", item: "{}" }, after: null }),
        rc("aws_dynamodb_table", "t", { actions: ["update"], before: { name: "t", deletion_protection_enabled: true }, after: { name: "t", deletion_protection_enabled: false } }),
  ];
  const review = analysePlans([plan(changes, "bandup-dev")]);

  test("each finding, in plan order", () => {
    expect(review.findings.map((f) => [f.address, f.kind, f.attributes, f.accept])).toEqual([
      ["aws_sqs_queue.dlq", "delete", [], { flag: "--allow-destroy", entry: "bandup-dev:aws_sqs_queue.dlq" }],
      ["aws_sqs_queue.dlq2", "replace", ["fifo_queue"], { flag: "--allow-destroy", entry: "bandup-dev:aws_sqs_queue.dlq2" }],
      ["aws_kms_key.key", "delete", [], { flag: "--allow-destroy", entry: "bandup-dev:aws_kms_key.key" }],
      ["aws_kms_key.off", "loss", ["is_enabled"], { flag: "--allow-loss", entry: "bandup-dev:aws_kms_key.off:is_enabled" }],
      ["aws_dynamodb_table_item.item", "delete", [], { flag: "--allow-destroy", entry: "bandup-dev:aws_dynamodb_table_item.item" }],
      ["aws_dynamodb_table.t", "loss", ["deletion_protection_enabled"], { flag: "--allow-loss", entry: "bandup-dev:aws_dynamodb_table.t:deletion_protection_enabled" }],
    ]);
    expect(review.findings.map((f) => f.message.text)).toEqual([
      "`aws_sqs_queue.dlq` (queue `bandup-writing-evaluator-dev-dead-letters`) will be **deleted**: every message in `bandup-writing-evaluator-dev-dead-letters` is lost (a dead-letter queue holds the events that failed every retry).",
      "`aws_sqs_queue.dlq2` (queue `q2`) will be **replaced**, forced by `fifo_queue`. Terraform destroys it and creates a new one: every message in `q2` is lost (a dead-letter queue holds the events that failed every retry).",
      "`aws_kms_key.key` (KMS key `1234abcd`) will be **deleted**: the key is unusable at once (pending deletion) and AWS deletes it after 30 days (`deletion_window_in_days`): nothing it encrypts can be decrypted, a table that uses it becomes inaccessible and is archived after seven days, and once the key is deleted that data is lost for good.",
      "`aws_kms_key.off` (KMS key `5678`): **the key is turned off** (`is_enabled`: `true` → `false`): nothing encrypted with it can be decrypted until it is enabled again, and a table that uses it becomes inaccessible at once and is archived after seven days.",
      "`aws_dynamodb_table_item.item` (item of table `bandup-evaluations-dev`) will be **deleted**: the item is deleted from `bandup-evaluations-dev`, with every attribute the application wrote to it.",
      "`aws_dynamodb_table.t` (table `t`): **deletion protection is turned off** (`deletion_protection_enabled`: `true` → `false`): the provider sends DeletionProtectionEnabled=false: from then on a plan, or anyone allowed dynamodb:DeleteTable, can delete the table and every item in it.",
    ]);
    expect(review.exitCode).toBe(1);
  });

  test("the comment gives each blocking finding the entry that accepts it", () => {
    const md = renderMarkdown(review);
    expect(md).toContain(
      "- ⛔ **`bandup-dev`**: `aws_kms_key.off` (KMS key `5678`): **the key is turned off** (`is_enabled`: `true` → `false`): nothing encrypted with it can be decrypted until it is enabled again, and a table that uses it becomes inaccessible at once and is archived after seven days.\n" +
        "  If intended, accept it with `--allow-loss bandup-dev:aws_kms_key.off:is_enabled`.\n",
    );
    expect(md.match(/^ {2}If intended, accept it with `--allow-(destroy|loss) bandup-dev:[^`]+`\.$/gm)).toHaveLength(6);
  });

  test("those entries let every one of them through, each only its own", () => {
    const entries = (flag: string) => review.findings.filter((f) => f.accept?.flag === flag).map((f) => f.accept!.entry);
    const again = (allowDestroy: string[], allowLoss: string[]) => analysePlans([plan(changes, "bandup-dev")], { allowDestroy, allowLoss });
    const all = again(entries("--allow-destroy"), entries("--allow-loss"));
    expect([all.exitCode, all.unusedAllows]).toEqual([0, []]);
    // The destroy entries do not accept the losses of the same addresses, nor the reverse.
    expect(again(entries("--allow-destroy"), []).findings.filter((f) => !f.allowed).map((f) => f.kind)).toEqual(["loss", "loss"]);
    expect(again([], entries("--allow-loss")).findings.filter((f) => !f.allowed).map((f) => f.kind)).toEqual(["delete", "replace", "delete", "delete"]);
  });

  test("a KMS key that stays enabled, a table whose protection stays on: not flagged", () => {
    const quiet = analysePlans([
      plan([
        rc("aws_kms_key", "k", { actions: ["update"], before: { key_id: "k", is_enabled: true, description: "a" }, after: { key_id: "k", is_enabled: true, description: "b" } }),
        rc("aws_dynamodb_table", "t", { actions: ["update"], before: { name: "t", deletion_protection_enabled: false }, after: { name: "t", deletion_protection_enabled: true } }),
      ]),
    ]);
    expect(quiet.findings).toEqual([]);
  });
});

describe("values unknown until apply are shown as unknown, never as turned off: a finding to review, not blocking", () => {
  test.each([
    ["point_in_time_recovery (the block)", { point_in_time_recovery: [{ enabled: true }] }, {}, { point_in_time_recovery: true }, "point_in_time_recovery"],
    ["point_in_time_recovery[0].enabled", { point_in_time_recovery: [{ enabled: true }] }, { point_in_time_recovery: [{}] }, { point_in_time_recovery: [{ enabled: true }] }, "point_in_time_recovery[0].enabled"],
    ["server_side_encryption[0].enabled", { server_side_encryption: [{ enabled: true, kms_key_arn: "k" }] }, { server_side_encryption: [{ kms_key_arn: "k" }] }, { server_side_encryption: [{ enabled: true }] }, "server_side_encryption[0].enabled"],
    ["deletion_protection_enabled", { deletion_protection_enabled: true }, {}, { deletion_protection_enabled: true }, "deletion_protection_enabled"],
  ])("%s", (_label, before, after, afterUnknown, path) => {
    const review = analysePlans([
      plan([rc("aws_dynamodb_table", "t", { actions: ["update"], before: { name: "t", ...before }, after: { name: "t", ...after }, after_unknown: afterUnknown })]),
    ]);
    expect(review.findings.map((f) => [f.kind, f.blocking, f.attributes])).toEqual([["review", false, [path]]]);
    expect(review.findings[0].message.text).toMatch(/unknown until apply/);
    expect(review.exitCode).toBe(0);
    expect(review.stacks[0].resources[0].attributes).toContainEqual(expect.objectContaining({ path, after: "(known after apply)" }));
  });

  test("a KMS key's is_enabled unknown until apply", () => {
    const review = analysePlans([
      plan([rc("aws_kms_key", "k", { actions: ["update"], before: { key_id: "k", is_enabled: true }, after: { key_id: "k" }, after_unknown: { is_enabled: true } })]),
    ]);
    expect(review.findings.map((f) => [f.kind, f.blocking, f.attributes])).toEqual([["review", false, ["is_enabled"]]]);
  });
});

describe("long lists (hand-written minimal plan)", () => {
  test("20,000 elements all replaced: every one listed removed and added once", () => {
    const size = 20_000;
    const before = Array.from({ length: size }, (_, i) => ({ cidr: `10.0.${i}`, note: `old-${i}` }));
    const after = Array.from({ length: size }, (_, i) => ({ note: `new-${i}`, cidr: `10.0.${i}` }));
    const [change] = changedAttributes({ actions: ["update"], before: { entries: before }, after: { entries: after } });
    expect(change.path).toBe("entries");
    expect(change.before.match(/- \{/g)).toHaveLength(size);
    expect(change.after.match(/\+ \{/g)).toHaveLength(size);
    expect(change.after.startsWith('+ {"note":"new-0","cidr":"10.0.0"} + {"note":"new-1"')).toBe(true);
  });

  test("the same elements with other key order or nulls are equal; reordered lists say so", () => {
    expect(
      changedAttributes({
        actions: ["update"],
        before: { s: [{ a: 1, b: null }, { c: [1, { d: 2 }] }] },
        after: { s: [{ c: [1, { d: 2 }] }, { a: 1 }] },
      }),
    ).toEqual([{ path: "s", before: "(same elements)", after: "(reordered)" }]);
  });
});

describe("member names that are also Object.prototype's (hand-written minimal change)", () => {
  test("a map key __proto__ keeps its mark; constructor unknown until apply shows as unknown", () => {
    const change = JSON.parse(
      '{"actions": ["update"], "before": {"tags": {}}, "after": {"tags": {"__proto__": "hunter2-proto"}}, "after_unknown": {"constructor": true}}',
    );
    const parsed = parsePlan(
      JSON.stringify({
        format_version: "1.2",
        resource_changes: [{ address: "aws_x.a", type: "aws_x", mode: "managed", change }],
        planned_values: { root_module: { resources: [JSON.parse('{"address": "aws_x.a", "sensitive_values": {"tags": {"__proto__": true}}}')] } },
      }),
      "p.json",
      "p",
    );
    const review = analysePlans([parsed]);
    expect(review.stacks[0].resources[0].attributes).toEqual([
      { path: "constructor", before: "(none)", after: "(known after apply)" },
      { path: "tags.__proto__", before: "(none)", after: "(sensitive)" },
    ]);
    expect(renderJson(review)).not.toContain("hunter2");
  });

  test("a resource type named constructor is no stateful type", () => {
    const review = analysePlans([plan([rc("constructor", "c", { actions: ["delete"], before: { name: "c" }, after: null })])]);
    expect([review.exitCode, review.findings]).toEqual([0, []]);
  });
});

describe("restores and replicas (hand-written minimal plans)", () => {
  const restored = (actions: string[]): PlanResourceChange => ({
    address: "aws_dynamodb_table.evaluations-restored_table_1",
    type: "aws_dynamodb_table",
    mode: "managed",
    change: {
      actions,
      before: { name: "bandup-evaluations-dev-restored", restore_source_name: "bandup-evaluations-dev", restore_date_time: "2026-11-20T08:30:00Z" },
      after: { name: "bandup-evaluations-dev-restored", restore_source_name: "bandup-evaluations-dev", restore_date_time: "2026-11-20T08:30:00Z" },
    },
  });
  const deleted = (name: string, address = "aws_dynamodb_table.evaluations_table_1"): PlanResourceChange => ({
    address,
    type: "aws_dynamodb_table",
    mode: "managed",
    change: { actions: ["delete"], before: { name, arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}` }, after: null },
  });

  test("deleting the table another one was restored from is named the retired original of a restore; --allow-destroy lets it through", () => {
    const plans = () => [plan([restored(["no-op"]), deleted("bandup-evaluations-dev")], "bandup-dev")];
    const review = analysePlans(plans());
    expect(review.findings.map((f) => [f.kind, f.message.text])).toEqual([
      [
        "delete",
        "`aws_dynamodb_table.evaluations_table_1` (table `bandup-evaluations-dev`) will be **deleted**: it is the **retired original of a restore** (the table `bandup-evaluations-dev-restored` was restored from it and the stack keeps it); every item in `bandup-evaluations-dev` is lost, with its point-in-time backups, so check that `bandup-evaluations-dev-restored` holds what you need first.",
      ],
    ]);
    expect(review.exitCode).toBe(1);
    const allowed = analysePlans(plans(), { allowDestroy: ["bandup-dev:aws_dynamodb_table.evaluations_table_1"] });
    expect([allowed.exitCode, allowed.findings[0].allowed, allowed.unusedAllows]).toEqual([0, true, []]);
  });

  test("restore_source_table_arn matches by the deleted table's ARN", () => {
    const byArn = restored(["no-op"]);
    const values = { name: "copy", restore_source_table_arn: "arn:aws:dynamodb:us-east-1:123456789012:table/orig" };
    const review = analysePlans([plan([{ ...byArn, change: { ...byArn.change, before: values, after: values } }, deleted("orig")])]);
    expect(review.findings[0].message.text).toContain("it is the **retired original of a restore** (the table `copy` was restored from it");
  });

  test("a table no other table was restored from is an ordinary delete", () => {
    const review = analysePlans([plan([restored(["no-op"]), deleted("bandup-flashcard-sets-dev", "aws_dynamodb_table.flashcard-sets_table_1")])]);
    expect(review.findings[0].message.text).toBe(
      "`aws_dynamodb_table.flashcard-sets_table_1` (table `bandup-flashcard-sets-dev`) will be **deleted**: every item in `bandup-flashcard-sets-dev` is lost.",
    );
  });

  test("a sensitive name of the restored table is not printed", () => {
    const hidden = restored(["no-op"]);
    const review = analysePlans([
      plan([{ ...hidden, change: { ...hidden.change, before_sensitive: { name: true }, after_sensitive: { name: true } } }, deleted("bandup-evaluations-dev")]),
    ]);
    expect(review.findings[0].message.text).toContain("(the table (sensitive) was restored from it");
    expect(JSON.stringify(renderJson(review))).not.toContain("bandup-evaluations-dev-restored");
  });

  test("removing a replica region is flagged (an update that deletes the replica's items there); adding one is not", () => {
    const table = (replicas: string[]) => ({ name: "t", replica: replicas.map((region_name) => ({ region_name, point_in_time_recovery: true })) });
    const review = analysePlans([
      plan([
        { address: "aws_dynamodb_table.t", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["update"], before: table(["us-west-2", "eu-west-1"]), after: table(["eu-west-1", "ap-southeast-1"]) } },
        { address: "aws_dynamodb_table.u", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["update"], before: { ...table([]), name: "u" }, after: { ...table(["us-west-2"]), name: "u" } } },
        { address: "aws_dynamodb_table.v", type: "aws_dynamodb_table", mode: "managed", change: { actions: ["update"], before: { ...table(["us-west-2"]), name: "v" }, after: { name: "v" }, after_unknown: { replica: true } } },
      ]),
    ]);
    expect(review.findings.map((f) => [f.address, f.kind, f.blocking, f.attributes, f.message.text])).toEqual([
      [
        "aws_dynamodb_table.t",
        "loss",
        true,
        ["replica"],
        "`aws_dynamodb_table.t` (table `t`): **replica `us-west-2` is removed** (`replica`): DynamoDB deletes the replica table in that region and every item in it (the table in its own region keeps its items); `prevent_destroy` does not stop it, this is an update.",
      ],
      // Unknown until apply: the review cannot tell which replicas go, and says so without blocking.
      [
        "aws_dynamodb_table.v",
        "review",
        false,
        ["replica"],
        "`aws_dynamodb_table.v` (table `v`) **needs review**: `replica`: unknown until apply: the review cannot tell which elements are removed or added.",
      ],
    ]);
  });
});

describe("the classifier: a pure function of (type, attribute path, before, after)", () => {
  test.each([
    ["aws_dynamodb_table", "deletion_protection_enabled", true, null, "loss"],
    ["aws_dynamodb_table", "deletion_protection_enabled", true, false, "loss"],
    ["aws_dynamodb_table", "deletion_protection_enabled", false, true, "safe"],
    ["aws_dynamodb_table", "deletion_protection_enabled", null, true, "safe"],
    ["aws_dynamodb_table", "point_in_time_recovery.enabled", true, false, "loss"],
    ["aws_dynamodb_table", "point_in_time_recovery.recovery_period_in_days", 35, 1, "loss"],
    ["aws_dynamodb_table", "point_in_time_recovery.recovery_period_in_days", null, 7, "loss"],
    ["aws_dynamodb_table", "point_in_time_recovery.recovery_period_in_days", 7, 35, "safe"],
    ["aws_dynamodb_table", "ttl.enabled", false, true, "loss"],
    ["aws_dynamodb_table", "ttl.enabled", true, false, "safe"],
    ["aws_dynamodb_table", "server_side_encryption.kms_key_arn", "arn:a", "arn:b", "loss"],
    ["aws_dynamodb_table", "server_side_encryption.kms_key_arn", null, "arn:b", "safe"],
    ["aws_dynamodb_table", "tags", { a: "1" }, { a: "2" }, "safe"],
    ["aws_cloudwatch_log_group", "retention_in_days", 365, 1, "loss"],
    ["aws_cloudwatch_log_group", "retention_in_days", 0, 3653, "loss"],
    ["aws_cloudwatch_log_group", "retention_in_days", 30, 0, "safe"],
    ["aws_cloudwatch_log_group", "retention_in_days", 30, null, "safe"],
    ["aws_sqs_queue", "message_retention_seconds", 1209600, 60, "loss"],
    ["aws_sqs_queue", "message_retention_seconds", null, 60, "loss"],
    ["aws_kms_key", "is_enabled", true, false, "loss"],
    ["aws_kms_key", "policy", "{}", "{ }", "review"],
    ["aws_s3_bucket", "force_destroy", false, true, "loss"],
    ["aws_s3_bucket_versioning", "versioning_configuration.status", "Enabled", "Suspended", "loss"],
    ["aws_s3_bucket_public_access_block", "block_public_policy", true, false, "loss"],
    ["aws_iam_role_policy", "policy", "{}", '{"a":1}', "review"],
    // Deny by default: an attribute the table does not know, of a classified type.
    ["aws_dynamodb_table", "warm_throughput.read_units_per_second", 1, 2, "review"],
    // A type the table does not know is not classified at all (not stateful): review, never safe.
    ["aws_s3_object", "content", "a", "b", "review"],
  ])("%s %s: %j → %j is %s", (type, path, before, after, expected) => {
    expect(classifyAttribute(type, path, before, after).class).toBe(expected);
  });

  test("conditions read the block and the resource: TTL's attribute matters only while TTL is on; the stream only under replicas", () => {
    expect(classifyAttribute("aws_dynamodb_table", "ttl.attribute_name", "expires_at", "created_at", { element: { after: { enabled: true } } }).class).toBe("loss");
    expect(classifyAttribute("aws_dynamodb_table", "ttl.attribute_name", "expires_at", "created_at", { element: { after: { enabled: false } } }).class).toBe("safe");
    const replicas = { after: { replica: [{ region_name: "us-west-2" }] } };
    expect(classifyAttribute("aws_dynamodb_table", "stream_enabled", true, false, { resource: replicas }).class).toBe("loss");
    expect(classifyAttribute("aws_dynamodb_table", "stream_enabled", true, false, { resource: { after: {} } }).class).toBe("review");
    expect(classifyAttribute("aws_dynamodb_table", "point_in_time_recovery.enabled", true, undefined, { afterUnknown: true }).class).toBe("review");
  });

  test("a change is walked by the table's paths: elements of a block matched by their key, removals and additions by the block's rule", () => {
    const verdicts = classifyChange("aws_dynamodb_table", {
      before: { global_secondary_index: [{ name: "a", hash_key: "u" }, { name: "b", hash_key: "u" }], point_in_time_recovery: [{ enabled: true, recovery_period_in_days: 35 }] },
      after: { global_secondary_index: [{ name: "b", hash_key: "v" }, { name: "c", hash_key: "u" }], point_in_time_recovery: [{ enabled: true, recovery_period_in_days: 14 }] },
    });
    expect(verdicts.map((v) => [v.path, v.at, v.class, v.event ?? null])).toEqual([
      ["global_secondary_index", 'global_secondary_index["a"]', "loss", "removed"],
      ["global_secondary_index.hash_key", 'global_secondary_index["b"].hash_key', "review", null],
      ["global_secondary_index", 'global_secondary_index["c"]', "safe", "added"],
      ["point_in_time_recovery.recovery_period_in_days", "point_in_time_recovery[0].recovery_period_in_days", "loss", null],
    ]);
  });

  test("every resource type the app synthesizes (the environments and the bootstrap) is classified or listed as holding nothing", () => {
    const app = buildBandupApp({ app: Testing.app(), environments: ENVIRONMENTS, backend: { type: "local" }, bootstrap: { githubRepository: "bandup/bandup-infra" } });
    const types = new Set<string>();
    for (const stack of [...app.stacks, app.bootstrap]) for (const type of Object.keys(JSON.parse(Testing.synth(stack)).resource ?? {})) types.add(type);
    expect(types.size).toBeGreaterThan(10);
    expect([...types].filter((t) => !Object.hasOwn(CLASSIFICATION, t) && !Object.hasOwn(HOLDS_NOTHING, t))).toEqual([]);
  });
});

describe("docs/plan-review-classification.md", () => {
  const DOC = join(__dirname, "../../docs/plan-review-classification.md");

  test("is what the classification table says now (UPDATE_CLASSIFICATION_DOC=1 rewrites it)", () => {
    const expected = classificationDoc();
    if (process.env.UPDATE_CLASSIFICATION_DOC === "1") writeFileSync(DOC, expected);
    expect(readFileSync(DOC, "utf8")).toBe(expected);
  });

  test("lists every blocking rule of the table with its reason", () => {
    const doc = readFileSync(DOC, "utf8");
    for (const [type, classification] of Object.entries(CLASSIFICATION)) {
      expect(doc).toContain(`## \`${type}\``);
      for (const [path, rule] of Object.entries(classification.attributes)) {
        const loss = "block" in rule ? rule.removed : rule;
        if (loss.class === "loss") expect(doc).toContain(`| \`${path}\`: `);
      }
    }
  });
});
