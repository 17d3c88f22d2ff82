/**
 * The exit codes of plan:review are a contract (CI decides on them): 0 nothing flagged, 1 a flagged
 * change, 2 a usage or input problem with exactly one line on stderr naming the flag or file, and
 * never a stack trace. Each path is run as a child process (see support/plan-review-cli.ts).
 *
 * HAND-WRITTEN MINIMAL OBJECTS: the plan files below are tiny, hand-made subsets of the
 * `terraform show -json` format; real plans are in plan-review.terraform.test.ts.
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildPlanReviewCli, runPlanReviewCli } from "../support/plan-review-cli";

let cli: string;
let dir: string;

const TABLE = "aws_dynamodb_table.t";

/** A plan with one change of the table `t`. */
function tablePlan(change: Record<string, unknown>): string {
  return JSON.stringify({ format_version: "1.2", resource_changes: [{ address: TABLE, type: "aws_dynamodb_table", mode: "managed", change }] });
}

const FILES: Record<string, string> = {
  "bandup-dev.json": JSON.stringify({ format_version: "1.2", planned_values: {}, resource_changes: [] }),
  "deleted.json": tablePlan({ actions: ["delete"], before: { name: "t" }, after: null }),
  "broken.json": '{"format_version": "1.2", "resource_changes": [',
  "array.json": "[]",
  "state.json": JSON.stringify({ version: 4, serial: 1, lineage: "x", resources: [] }),
  "errored.json": JSON.stringify({ format_version: "1.2", errored: true, planned_values: {} }),
  "actions.json": tablePlan({ actions: ["explode"] }),
  "paths-string.json": tablePlan({ actions: ["delete", "create"], before: {}, after: {}, replace_paths: "range_key" }),
  "paths-entry.json": tablePlan({ actions: ["delete", "create"], before: {}, after: {}, replace_paths: [["hash_key"], "range_key"] }),
  "before-string.json": tablePlan({ actions: ["update"], before: "t", after: {} }),
  "deep.json": tablePlan({ actions: ["update"], before: {}, after: { x: JSON.parse("[".repeat(300) + "]".repeat(300)) } }),
  "format-0.json": JSON.stringify({ format_version: "0.2", resource_changes: [] }),
  "format-2.json": JSON.stringify({ format_version: "2.0", resource_changes: [] }),
  // A replace_paths entry that quotes a secret: the plan marks the same value sensitive.
  "paths-secret.json": tablePlan({
    actions: ["delete", "create"],
    before: { name: "t", range_key: "hunter2-range-key" },
    after: { name: "t", range_key: "x" },
    before_sensitive: { range_key: true },
    replace_paths: [["range_key"], "hunter2-range-key"],
  }),
  "secret-address.json": JSON.stringify({
    format_version: "1.2",
    resource_changes: [
      { address: 'aws_sqs_queue.q["hunter2-queue-key"]', type: "aws_sqs_queue", mode: "managed", action_reason: "because hunter2-queue-key", change: { actions: ["delete"], before: { name: "hunter2-queue-key" }, after: null, before_sensitive: { name: true } } },
    ],
  }),
  // Deeper than the call stack of any recursive walk (JSON.parse itself does not recurse).
  "deep-paths.json": `{"format_version": "1.2", "resource_changes": [{"address": "${TABLE}", "type": "aws_dynamodb_table", "change": {"actions": ["delete", "create"], "replace_paths": [${"[".repeat(200_000)}${"]".repeat(200_000)}]}}]}`,
};

beforeAll(() => {
  cli = buildPlanReviewCli();
  dir = mkdtempSync(join(tmpdir(), "plan-review-cases-"));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, "folder.json"));
  mkdirSync(join(dir, "out"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const USAGE_HINT = "; run with --help for the usage";
const HOW = "; pass the output of `terraform show -json <planfile>`";

describe("exit 2: one line on stderr naming the flag or file, nothing on stdout, no stack trace", () => {
  test.each([
    ["no plan", [], `no plan file given${USAGE_HINT}`],
    ["an unknown option", ["--nope", "bandup-dev.json"], `unknown option --nope${USAGE_HINT}`],
    ["a flag without its value", ["bandup-dev.json", "--allow-destroy"], `--allow-destroy needs a value${USAGE_HINT}`],
    ["--output without its value", ["bandup-dev.json", "--output="], `--output needs a value${USAGE_HINT}`],
    ["a value given to a flag that takes none", ["--json=yes", "bandup-dev.json"], `--json takes no value; got \`--json=yes\`${USAGE_HINT}`],
    ["--stack without name=file", ["--stack", "bandup-dev.json"], `--stack needs <name>=<plan.json>; got \`bandup-dev.json\`${USAGE_HINT}`],
    ["an empty argument", ["bandup-dev.json", ""], `an empty argument where a plan file name was expected${USAGE_HINT}`],
    [
      "two plans for one stack",
      ["bandup-dev.json", "--stack", "bandup-dev=deleted.json"],
      "two plans for stack `bandup-dev` (bandup-dev.json and deleted.json); name them with --stack <name>=<file>",
    ],
    ["a missing file", ["nope.json"], "nope.json: cannot be read (ENOENT: no such file or directory, open 'nope.json')"],
    ["a folder", ["folder.json"], "folder.json: cannot be read (EISDIR: illegal operation on a directory, read): it is a folder; pass the plan JSON file"],
    [
      "a path through a file",
      ["bandup-dev.json/plan.json"],
      "bandup-dev.json/plan.json: cannot be read (ENOTDIR: not a directory, open 'bandup-dev.json/plan.json'): a part of its path is a file, not a folder",
    ],
    ["invalid JSON", ["broken.json"], `broken.json: is not valid JSON (Unexpected end of JSON input)${HOW}`],
    ["JSON that is not an object", ["array.json"], `array.json: is JSON but not an object (got an array)${HOW}`],
    ["a state file", ["state.json"], `state.json: is a Terraform state file (it has \`version\`, \`serial\`, \`lineage\`, \`resources\`), not a plan${HOW}`],
    ["a plan that errored", ["errored.json"], "errored.json: is a plan that errored (`errored: true`): fix the plan errors first"],
    [
      "an action list terraform does not write",
      ["actions.json"],
      'actions.json: `resource_changes[0]` (aws_dynamodb_table.t) has `change.actions` ["explode"], which terraform 1.11 does not write (known: ["no-op"], ["create"], ["read"], ["update"], ["delete","create"], ["create","delete"], ["delete"], ["forget"], ["create","forget"])',
    ],
    [
      "replace_paths that is not a list",
      ["paths-string.json"],
      'paths-string.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.replace_paths` that is a string, not a list of paths',
    ],
    [
      "a replace_paths entry that is not a list",
      ["paths-entry.json"],
      'paths-entry.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.replace_paths[1]` that is "range_key", not a list of attribute names and indexes such as ["range_key"]',
    ],
    [
      "a before value that is not an object",
      ["before-string.json"],
      "before-string.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.before` that is a string, not an object or null",
    ],
    ["values nested too deep", ["deep.json"], "deep.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.after` nested deeper than 256 levels"],
    [
      "replace_paths nested deeper than any call stack",
      ["deep-paths.json"],
      "deep-paths.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.replace_paths` nested deeper than 256 levels",
    ],
    [
      "--output that is a folder",
      ["--output", "out", "deleted.json"],
      "--output out: cannot be written (EISDIR: illegal operation on a directory, open 'out'): it is a folder; give a file name such as plan-review.md",
    ],
    ["--output that is one of the plans", ["--output", "./deleted.json", "deleted.json"], "--output ./deleted.json is also a plan to review; give another file"],
    [
      "a plan format of major version 0",
      ["format-0.json"],
      'format-0.json: has `format_version` "0.2"; this review reads format 1.x (terraform 1.x writes 1.2), and another major version may mean other things by the same fields',
    ],
    [
      "a plan format of major version 2",
      ["format-2.json"],
      'format-2.json: has `format_version` "2.0"; this review reads format 1.x (terraform 1.x writes 1.2), and another major version may mean other things by the same fields',
    ],
    [
      "the replace_paths message quotes no secret",
      ["paths-secret.json"],
      'paths-secret.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.replace_paths[1]` that is "(sensitive)", not a list of attribute names and indexes such as ["range_key"]',
    ],
    [
      "an --allow-destroy entry without its stack",
      ["--allow-destroy", TABLE, "deleted.json"],
      `--allow-destroy \`${TABLE}\` names no stack: write <stack>:<address>, e.g. --allow-destroy bandup-prod:aws_dynamodb_table.evaluations_table_68D57890 (the stack is the plan file's name without .json, or the name given with --stack)${USAGE_HINT}`,
    ],
    [
      "an --allow-destroy entry whose colon is inside a for_each key",
      ["--allow-destroy", 'aws_sqs_queue.q["a:b"]', "deleted.json"],
      `--allow-destroy \`aws_sqs_queue.q["a:b"]\` names no stack: write <stack>:<address>, e.g. --allow-destroy bandup-prod:aws_dynamodb_table.evaluations_table_68D57890 (the stack is the plan file's name without .json, or the name given with --stack)${USAGE_HINT}`,
    ],
    [
      "an --allow-loss entry without its attribute",
      ["--allow-loss", `deleted:${TABLE}`, "deleted.json"],
      `--allow-loss \`deleted:${TABLE}\` is not <stack>:<address>:<attribute>: write all three, e.g. --allow-loss bandup-prod:aws_dynamodb_table.evaluations_table_68D57890:deletion_protection_enabled (the entry the finding names)${USAGE_HINT}`,
    ],
    [
      "an --allow-loss entry naming an attribute that cannot lose",
      ["--allow-loss", `deleted:${TABLE}:tags`, "deleted.json"],
      `--allow-loss \`deleted:${TABLE}:tags\`: aws_dynamodb_table has no attribute \`tags\` that can lose data or access (those that can: deletion_protection_enabled, stream_enabled, global_secondary_index, point_in_time_recovery.enabled, point_in_time_recovery.recovery_period_in_days, replica, replica.kms_key_arn, replica.point_in_time_recovery, server_side_encryption.enabled, server_side_encryption.kms_key_arn, ttl.enabled, ttl.attribute_name)${USAGE_HINT}`,
    ],
    [
      "--full-output that is one of the plans",
      ["--full-output", "deleted.json", "deleted.json"],
      "--full-output deleted.json is also a plan to review; give another file",
    ],
    [
      "--output into a missing folder",
      ["--output", "missing/review.md", "bandup-dev.json"],
      "--output missing/review.md: cannot be written (ENOENT: no such file or directory, open 'missing/review.md'): its folder does not exist; create it first",
    ],
  ])("%s", (_label, args, message) => {
    const { status, stdout, stderr } = runPlanReviewCli(cli, args, dir);
    expect({ status, stdout, stderr }).toEqual({ status: 2, stdout: "", stderr: `plan-review: ${message}\n` });
  });
});

describe("exit 0 and 1", () => {
  test("0: a plan without changes; the review on stdout, nothing on stderr", () => {
    const { status, stdout, stderr } = runPlanReviewCli(cli, ["bandup-dev.json"], dir);
    expect([status, stderr]).toEqual([0, ""]);
    expect(stdout).toContain("✅ **No change loses data or access.**");
  });

  test("0: --help", () => {
    const { status, stdout, stderr } = runPlanReviewCli(cli, ["--help"], dir);
    expect([status, stderr]).toEqual([0, ""]);
    expect(stdout).toMatch(/^Usage: npm run plan:review/);
  });

  test("1: a flagged change, one line on stderr naming it; --output holds the review", () => {
    const { status, stdout, stderr } = runPlanReviewCli(cli, ["--output", "out/review.md", "deleted.json"], dir);
    expect({ status, stdout, stderr }).toEqual({ status: 1, stdout: "", stderr: `plan-review: 1 blocking change(s): deleted:${TABLE} (delete)\n` });
    expect(readFileSync(join(dir, "out/review.md"), "utf8")).toContain("If intended, accept it with `--allow-destroy deleted:aws_dynamodb_table.t`.");
  });

  test("a secret in an address, a for_each key and action_reason reaches no output", () => {
    const { status, stdout, stderr } = runPlanReviewCli(cli, ["--full-output", "out/secret-full.md", "secret-address.json"], dir);
    const json = runPlanReviewCli(cli, ["--json", "secret-address.json"], dir);
    expect([status, json.status]).toEqual([1, 1]);
    for (const text of [stdout, stderr, json.stdout, json.stderr, readFileSync(join(dir, "out/secret-full.md"), "utf8")]) expect(text).not.toContain("hunter2");
    expect(stderr).toBe("plan-review: 1 blocking change(s): secret-address:aws_sqs_queue.q[(sensitive)] (delete)\n");
    expect(JSON.parse(json.stdout).stacks[0].resources[0]).toMatchObject({ address: "aws_sqs_queue.q[(sensitive)]", actionReason: "because (sensitive)" });
  });

  test("--full-output holds the whole review; the comment holds the findings first within the limit", () => {
    const many = join(dir, "many.json");
    // 400 tables deleted, each with a long name: far more than a comment holds.
    const changes = Array.from({ length: 400 }, (_, i) => ({
      address: `aws_dynamodb_table.t${i}`,
      type: "aws_dynamodb_table",
      mode: "managed",
      change: { actions: ["delete"], before: { name: `table-${i}-${"x".repeat(150)}` }, after: null },
    }));
    writeFileSync(many, JSON.stringify({ format_version: "1.2", resource_changes: changes }));
    const { status } = runPlanReviewCli(cli, ["--output", "out/many.md", "--full-output", "out/many-full.md", "many.json"], dir);
    expect(status).toBe(1);
    const comment = readFileSync(join(dir, "out/many.md"), "utf8");
    const full = readFileSync(join(dir, "out/many-full.md"), "utf8");
    expect(comment.length).toBeLessThanOrEqual(65_000);
    expect(comment.length).toBeGreaterThan(60_000);
    // Findings come first: the comment cut inside them leaves every resource row out, and says so.
    const shown = comment.match(/^- ⛔ /gm)!.length;
    expect(shown).toBeGreaterThan(50);
    expect(comment).toContain(`… **Cut to fit a GitHub comment** (65,000 characters): ${400 - shown} findings and 400 resources left out here.`);
    expect(comment).not.toContain("| delete |");
    // Long values inside findings are shortened; the whole review has every finding and row.
    expect(comment).toContain("`table-0-" + "x".repeat(120 - 9) + "…`");
    expect(full.match(/^- ⛔ /gm)).toHaveLength(400);
    expect(full.match(/^\| delete \|/gm)).toHaveLength(400);
    expect(full).not.toContain("Cut to fit");
  });

  test("0: the same change allowed", () => {
    const { status, stderr } = runPlanReviewCli(cli, ["--allow-destroy", `deleted:${TABLE}`, "deleted.json"], dir);
    expect([status, stderr]).toEqual([0, ""]);
  });

  test("a reader that stops early (| head) leaves the review's exit code, not a crash's 1", () => {
    const big = join(dir, "big.json");
    const changes = Array.from({ length: 2000 }, (_, i) => ({ address: `aws_s3_object.o${i}`, type: "aws_s3_object", mode: "managed", change: { actions: ["create"], after: { key: `k${i}` } } }));
    writeFileSync(big, JSON.stringify({ format_version: "1.2", resource_changes: changes }));
    const piped = spawnSync("bash", ["-c", `node ${JSON.stringify(cli)} --json big.json | head -c 10 > /dev/null; echo "status=\${PIPESTATUS[0]}"`], { cwd: dir, encoding: "utf8" });
    expect([piped.stdout, piped.stderr]).toEqual(["status=0\n", ""]);
  });
});

test("npm run plan:review (tsx, as the workflows run it) gives the same one line and exit 2", () => {
  const root = join(__dirname, "..", "..");
  const run = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "scripts", "plan-review.ts"), "paths-entry.json"], { cwd: dir, encoding: "utf8" });
  expect([run.status, run.stdout]).toEqual([2, ""]);
  expect(run.stderr).toBe(
    'plan-review: paths-entry.json: `resource_changes[0]` (aws_dynamodb_table.t) has a `change.replace_paths[1]` that is "range_key", not a list of attribute names and indexes such as ["range_key"]\n',
  );
});
