/**
 * plan:review on REAL plans of the BandUp stack, made by the real terraform offline (see
 * plan-fixtures.ts): a fresh stack, no changes, an in-place update (tag + GSI), a replacement (the
 * evaluations table's sort key changed), an update that turns point-in-time recovery off, and an odd
 * plan with a sensitive variable and a setting unknown until apply. docs/plan-review.md's example is
 * the review of the replacement, rendered again here.
 */
import { spawnSync } from "child_process";
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { analysePlans } from "../../scripts/lib/plan-review/analyse";
import { CliIo, runPlanReview } from "../../scripts/lib/plan-review/cli";
import { parsePlan } from "../../scripts/lib/plan-review/parse";
import { expectMarkedBlock } from "../support/docs";
import MarkdownIt from "markdown-it";
import { CLASSIFICATION, HOLDS_NOTHING, isBlockRule } from "../../scripts/lib/plan-review/classification";
import { ruleFor } from "../../scripts/lib/plan-review/classify";
import { visible } from "../../scripts/lib/plan-review/markdown";
import { OfflineTerraform, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { buildRealPlans, HOSTILE, HOSTILE_TAG, PROD_STACK, RealPlans, SECRET, STACK } from "./plan-fixtures";

const EVALUATIONS = "aws_dynamodb_table.evaluations_table_68D57890";
const FLASHCARDS = "aws_dynamodb_table.flashcard-sets_table_29875C15";

let plans: RealPlans;
// About ten terraform runs on the whole dev stack, four of them side by side: 60-70 s on this 2-core
// machine at load 1-6, over 120 s when other work shares it. The limit is for a hang, not a speed check.
beforeAll(async () => {
  plans = await buildRealPlans();
}, 300_000);
afterAll(() => {
  if (plans) rmSync(plans.dir, { recursive: true, force: true });
});

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const io: CliIo = {
    readFile: (path) => readFileSync(path, "utf8"),
    writeFile: (path, text) => writeFileSync(path, text),
    appendFile: (path, text) => appendFileSync(path, text),
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
  };
  const code = runPlanReview(argv, io);
  return { code, out, err };
}

function lines(markdown: string): string[] {
  return markdown.split("\n");
}

/** The `| Action | Resource | Name |` rows of the Markdown. */
function actionRows(markdown: string): string[] {
  return lines(markdown).filter((l) => /^\| (create|update|replace|delete|import)/.test(l));
}

/** The counts row of a stack in the summary table. */
function countsRow(markdown: string, stack = STACK): string | undefined {
  return lines(markdown).find((l) => l.startsWith(`| \`${stack}\` |`));
}

/** The counts the rows imply (function resources come and go with the stack: counted, not hard-coded). */
function expectCountsMatchRows(markdown: string, expected: { replace: number; delete: number; import: number }): void {
  const rows = actionRows(markdown);
  const n = (action: string): number => rows.filter((r) => r.startsWith(`| ${action} |`)).length;
  expect(countsRow(markdown)).toBe(
    `| \`${STACK}\` | ${n("create")} | ${n("update")} | ${expected.replace} | ${expected.delete} | ${expected.import} |`,
  );
}

describe("a fresh stack (all creates)", () => {
  test("lists every resource as create, both tables by name, and passes", () => {
    const { code, out, err } = cli("--stack", `${STACK}=${plans.create}`);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(lines(out).slice(0, 6)).toEqual(["<!-- bandup-plan-review -->", "", "## Terraform plan review", "", "✅ **No change loses data or access.**", ""]);
    expect(actionRows(out)).toEqual(expect.arrayContaining([
      `| create | \`${EVALUATIONS}\` | \`bandup-evaluations-dev\` |`,
      `| create | \`${FLASHCARDS}\` | \`bandup-flashcard-sets-dev\` |`,
    ]));
    expect(actionRows(out).every((r) => r.startsWith("| create |"))).toBe(true);
    expectCountsMatchRows(out, { replace: 0, delete: 0, import: 0 });
    // Creates list no attribute changes.
    expect(out).not.toContain("Changed attributes");
  });
});

describe("no changes", () => {
  test("the before stack against its own state says so", () => {
    const { code, out } = cli("--stack", `${STACK}=${plans.noChange}`);
    expect(code).toBe(0);
    expect(countsRow(out)).toBe(`| \`${STACK}\` | 0 | 0 | 0 | 0 | 0 |`);
    expect(out).toContain(`### \`${STACK}\`\n\n**Plan:** 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to import\n\nNo changes.\n`);
  });
});

describe("an in-place change: a tag and the history index (GSI) added", () => {
  test("both tables are updates with the changed attributes, and the review passes", () => {
    const { code, out } = cli("--stack", `${STACK}=${plans.update}`);
    expect(code).toBe(0);
    expect(actionRows(out)).toEqual(expect.arrayContaining([
      `| update | \`${EVALUATIONS}\` | \`bandup-evaluations-dev\` |`,
      `| update | \`${FLASHCARDS}\` | \`bandup-flashcard-sets-dev\` |`,
    ]));
    expectCountsMatchRows(out, { replace: 0, delete: 0, import: 0 });
    const section = out.slice(out.indexOf(`**\`${EVALUATIONS}\`** (update)`));
    expect(lines(section).slice(0, 9)).toEqual([
      `**\`${EVALUATIONS}\`** (update)`,
      "",
      "| Attribute | Before | After |",
      "|---|---|---|",
      '| `attribute` |  | `+ {"name":"created_at","type":"N"}` |',
      '| `global_secondary_index` |  | `+ {"hash_key":"user_id","name":"user_id-created_at-index","non_key_attributes":["error_message","evaluation_type","lease_expires_at_ms","status"],"on_demand_throughput":[{"max_read_request_units":128…` |',
      '| `tags.Team` | (none) | `"learning"` |',
      '| `tags_all.Team` | (none) | `"learning"` |',
      "",
    ]);
  });
});

describe("a replacement: the evaluations table's sort key changed", () => {
  const finding =
    `- ⛔ **\`${STACK}\`**: \`${EVALUATIONS}\` (table \`bandup-evaluations-dev\`) will be **replaced**, forced by \`range_key\`. ` +
    'The key schema changes (`range_key`: `"user_id"` → `"created_at"`); DynamoDB cannot change a table\'s keys in place, ' +
    "so Terraform destroys the table and creates a new, empty one: every item in `bandup-evaluations-dev` is lost.";

  test("is flagged with the table's name, the forcing attribute and why the data is lost; exit 1", () => {
    const { code, out, err } = cli("--stack", `${STACK}=${plans.replace}`);
    expect(code).toBe(1);
    expect(lines(out)[4]).toBe("⛔ **1 blocking change loses data or access.** Each is listed below with the entry that accepts it, if it is intended.");
    expect(lines(out)).toContain(finding);
    expect(actionRows(out)).toContain(`| replace | \`${EVALUATIONS}\` | \`bandup-evaluations-dev\` |`);
    expect(actionRows(out).filter((r) => r.startsWith("| replace |"))).toHaveLength(1);
    expectCountsMatchRows(out, { replace: 1, delete: 0, import: 0 });
    expect(lines(out)).toEqual(expect.arrayContaining([
      `**\`${EVALUATIONS}\`** (replace; replacement forced by \`range_key\`)`,
      '| `range_key` | `"user_id"` | `"created_at"` |',
      '| `attribute` | `- {"name":"user_id","type":"S"}` | `+ {"name":"created_at","type":"N"}` |',
      '| `arn` | `"arn:aws:dynamodb:us-east-1:123456789012:table/bandup-evaluations-dev"` | (known after apply) |',
    ]));
    expect(err).toBe(`plan-review: 1 blocking change(s): ${STACK}:${EVALUATIONS} (replace)\n`);
    expect(lines(out)[lines(out).indexOf(finding) + 1]).toBe(`  If intended, accept it with \`--allow-destroy ${STACK}:${EVALUATIONS}\`.`);
  });

  test("--allow-destroy <stack>:<address> lets it through, still reported; an address without its stack is refused", () => {
    const { code, out, err } = cli("--stack", `${STACK}=${plans.replace}`, "--allow-destroy", `${STACK}:${EVALUATIONS}`);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(lines(out)[4]).toBe("⚠️ **1 change that loses data or access is accepted explicitly.**");
    expect(lines(out)).toContain(finding.replace(`- ⛔ **\`${STACK}\`**:`, `- ⚠️ accepted by \`--allow-destroy ${STACK}:${EVALUATIONS}\`: **\`${STACK}\`**:`));
    const unscoped = cli("--stack", `${STACK}=${plans.replace}`, "--allow-destroy", EVALUATIONS);
    expect([unscoped.code, unscoped.out]).toEqual([2, ""]);
    expect(unscoped.err).toMatch(/^plan-review: --allow-destroy `aws_dynamodb_table\.evaluations_table_68D57890` names no stack: write <stack>:<address>/);
  });

  test("<stack>:<address> allows it in that stack only; an entry that matches nothing is noted", () => {
    const other = cli("--stack", `${STACK}=${plans.replace}`, "--allow-destroy", `bandup-prod:${EVALUATIONS}`);
    expect(other.code).toBe(1);
    expect(lines(other.out)).toContain(`Note: \`--allow-destroy bandup-prod:${EVALUATIONS}\` matched no blocking change.`);
  });

  test("--json gives the documented document", () => {
    const { code, out } = cli("--json", "--stack", `${STACK}=${plans.replace}`);
    expect(code).toBe(1);
    const doc = JSON.parse(out);
    expect(doc.schemaVersion).toBe(3);
    expect(doc.exitCode).toBe(1);
    expect(doc.totals.replace).toBe(1);
    expect(doc.totals.delete).toBe(0);
    expect(doc.findings.filter((f: { blocking: boolean }) => f.blocking)).toEqual([
      {
        stack: STACK,
        address: EVALUATIONS,
        type: "aws_dynamodb_table",
        name: "bandup-evaluations-dev",
        kind: "replace",
        blocking: true,
        attributes: ["range_key"],
        message: finding.replace(`- ⛔ **\`${STACK}\`**: `, ""),
        accept: { flag: "--allow-destroy", entry: `${STACK}:${EVALUATIONS}` },
        allowed: false,
      },
    ]);
    const table = doc.stacks[0].resources.find((r: { address: string }) => r.address === EVALUATIONS);
    expect(table).toMatchObject({
      action: "replace",
      actions: ["delete", "create"],
      importing: false,
      actionReason: "replace_because_cannot_update",
      replacePaths: ["range_key"],
    });
    expect(table.attributes).toContainEqual({ path: "range_key", before: '"user_id"', after: '"created_at"' });
    expect(doc.stacks[0]).toMatchObject({ stack: STACK, file: plans.replace });
  });

  test("several stacks in one comment; names from the file names", () => {
    const { code, out } = cli("--stack", `bandup-staging=${plans.update}`, "--stack", `bandup-dev=${plans.replace}`);
    expect(code).toBe(1);
    expect(countsRow(out, "bandup-staging")).toMatch(/^\| `bandup-staging` \| \d+ \| \d+ \| 0 \| 0 \| 0 \|$/);
    expect(countsRow(out, "bandup-dev")).toMatch(/^\| `bandup-dev` \| \d+ \| \d+ \| 1 \| 0 \| 0 \|$/);
    const named = join(plans.dir, "bandup-dev.json");
    writeFileSync(named, readFileSync(plans.replace));
    expect(countsRow(cli(named).out, "bandup-dev")).toMatch(/\| 1 \| 0 \| 0 \|$/);
  });
});

describe("an update that turns point-in-time recovery off", () => {
  test("is flagged, naming the table and the attribute", () => {
    const { code, out } = cli("--stack", `${STACK}=${plans.pitrOff}`);
    expect(code).toBe(1);
    expect(lines(out)).toContain(
      `- ⛔ **\`${STACK}\`**: \`${EVALUATIONS}\` (table \`bandup-evaluations-dev\`): **point-in-time recovery is turned off** (\`point_in_time_recovery[0].enabled\`: \`true\` → \`false\`): DynamoDB deletes the table's continuous backups: it can no longer be restored to an earlier time.`,
    );
    expect(lines(out)).toContain("| `point_in_time_recovery[0].enabled` | `true` | `false` |");
    expect(actionRows(out)).toContain(`| update | \`${EVALUATIONS}\` | \`bandup-evaluations-dev\` |`);
  });
});

describe("an odd plan: a sensitive variable in a sort key, a tag, a TTL block, an environment variable and a queue name", () => {
  const QUEUE = "aws_sqs_queue.flashcard-generator_dead-letters_1DEB7D7B";

  test("the plan holds the secret in clear text; no output of the review does", () => {
    expect(readFileSync(plans.odd, "utf8")).toContain(SECRET);
    for (const format of [[], ["--json"]]) {
      const { code, out, err } = cli(...format, "--stack", `${STACK}=${plans.odd}`);
      expect(code).toBe(1);
      expect(out).not.toContain(SECRET);
      expect(err).not.toContain(SECRET);
    }
  });

  test("each sensitive value, and the provider's unmarked copy in tags_all, shows (sensitive)", () => {
    const { out } = cli("--stack", `${STACK}=${plans.odd}`);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        "| `range_key` | (sensitive) | (sensitive) |",
        "| `attribute` | (sensitive) | (sensitive) |",
        "| `tags.Secret` | (none) | (sensitive) |",
        "| `tags_all.Secret` | (none) | (sensitive) |",
        '| `ttl` |  | `+ {"attribute_name":(sensitive),"enabled":true}` |',
        "| `environment[0].variables.TEAM_SECRET` | (none) | (sensitive) |",
        `| replace | \`${QUEUE}\` | (sensitive) |`,
        "| `name` | (sensitive) | (sensitive) |",
      ]),
    );
  });

  test("the key change, the queue's replacement and TTL turned on over a secret attribute block, masked; PITR unknown until apply needs review, not blocking", () => {
    const { out, err } = cli("--stack", `${STACK}=${plans.odd}`);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        `- ⛔ **\`${STACK}\`**: \`${EVALUATIONS}\` (table \`bandup-evaluations-dev\`) will be **replaced**, forced by \`range_key\`. The key schema changes (\`range_key\`: (sensitive) → (sensitive)); DynamoDB cannot change a table's keys in place, so Terraform destroys the table and creates a new, empty one: every item in \`bandup-evaluations-dev\` is lost.`,
        `- ⛔ **\`${STACK}\`**: \`${QUEUE}\` (queue (sensitive)) will be **replaced**, forced by \`name\`. Terraform destroys it and creates a new one: every message in it is lost (a dead-letter queue holds the events that failed every retry).`,
        `  If intended, accept it with \`--allow-destroy ${STACK}:${QUEUE}\`.`,
        "| `point_in_time_recovery[0].enabled` | `true` | (known after apply) |",
      ]),
    );
    expect(err).toBe(`plan-review: 3 blocking change(s): ${STACK}:${EVALUATIONS} (replace), ${STACK}:${FLASHCARDS} (loss of ttl.enabled), ${STACK}:${QUEUE} (replace)\n`);
    expect(lines(out)).toContain(
      `- ⛔ **\`${STACK}\`**: \`${FLASHCARDS}\` (table \`bandup-flashcard-sets-dev\`): **TTL (time to live) is turned on** (\`ttl[0].enabled\`: \`null\` → \`true\`; \`attribute_name\` = (sensitive)): DynamoDB deletes every item whose TTL attribute holds a time (Unix seconds) in the past, usually within a few days; an attribute that holds a creation time, such as \`created_at\`, expires every item.`,
    );
    expect(out).toContain("**needs review**: `point_in_time_recovery[0].enabled`: unknown until apply, so the review cannot tell whether point-in-time recovery is turned off");
    expect(out).not.toContain("point-in-time recovery is turned off** (");
  });
});

describe("docs/plan-review.md's example", () => {
  /** The block's body: the review of the real sort-key plan, as the code renders it now. */
  function renderedExample(): string {
    const version = JSON.parse(readFileSync(plans.replace, "utf8")).terraform_version;
    return [
      `Rendered from the real plan of that change, made offline by terraform ${version} against a made-up prior state (account 123456789012):`,
      "",
      "````markdown",
      cli("--stack", `${STACK}=${plans.replace}`).out.trimEnd(),
      "````",
    ].join("\n");
  }

  test("is what the review renders now from the real plan of that change", () => {
    expectMarkedBlock(
      "docs/plan-review.md",
      "plan-review example",
      "rendered by __tests__/scripts/plan-review.terraform.test.ts; regenerate it with UPDATE_DOC_EXAMPLES=1 (see docs/tests.md)",
      renderedExample(),
    );
  });
});

describe("not a plan", () => {
  test("`terraform show -json` of a state: exit 2, naming the file", () => {
    const { code, out, err } = cli(plans.stateShow);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(
      `plan-review: ${plans.stateShow}: is \`terraform show -json\` of a state (it has \`values\` but no \`planned_values\`/\`resource_changes\`), not of a plan; pass the output of \`terraform show -json <planfile>\`\n`,
    );
  });

  test("a state file, invalid JSON, a missing file: exit 2", () => {
    expect(cli(plans.stateFile).err).toContain(`${plans.stateFile}: is a Terraform state file`);
    const broken = join(plans.dir, "broken.json");
    writeFileSync(broken, readFileSync(plans.create, "utf8").slice(0, 100));
    const invalid = cli(plans.create, broken);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(new RegExp(`^plan-review: ${broken}: is not valid JSON \\(`));
    const missing = cli(join(plans.dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${join(plans.dir, "nope.json")}: cannot be read (ENOENT`);
  });
});

describe("the command itself (tsx scripts/plan-review.ts)", () => {
  const run = (...args: string[]) =>
    spawnSync(join(__dirname, "../../node_modules/.bin/tsx"), [join(__dirname, "../../scripts/plan-review.ts"), ...args], {
      encoding: "utf8",
    });

  test("exit 1 on the replacement, 0 when allowed, 2 on a state; --output writes the file", () => {
    const blocked = run("--stack", `${STACK}=${plans.replace}`);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain("will be **replaced**, forced by `range_key`");
    const output = join(plans.dir, "comment.md");
    const allowed = run("--output", output, "--allow-destroy", `${STACK}:${EVALUATIONS}`, "--stack", `${STACK}=${plans.replace}`);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toBe("");
    expect(readFileSync(output, "utf8")).toContain("⚠️ **1 change that loses data or access is accepted explicitly.**");
    expect(run(plans.stateShow).status).toBe(2);
  });
});

test("the parsed real plan and the analysis agree with terraform's own action lists", () => {
  const plan = parsePlan(readFileSync(plans.replace, "utf8"), plans.replace, STACK);
  const review = analysePlans([plan]);
  const table = review.stacks[0].resources.find((r) => r.address === EVALUATIONS)!;
  expect(table.actions).toEqual(["delete", "create"]);
  expect(review.exitCode).toBe(1);
});

describe("a real prod plan with five losses (and names carrying Markdown): each one blocks on its own, naming its attribute", () => {
  interface Loss {
    readonly label: string;
    /** Finds the resource by its type and name in the plan. */
    readonly type: string;
    readonly name: string;
    readonly attribute: string;
    /** The finding's words, from the bold part to the values. */
    readonly says: string;
  }
  const LOSSES: readonly Loss[] = [
    { label: "deletion protection dropped", type: "aws_dynamodb_table", name: "bandup-evaluations", attribute: "deletion_protection_enabled", says: "**deletion protection is turned off** (`deletion_protection_enabled`: `true` → `null`): the provider sends DeletionProtectionEnabled=false" },
    { label: "TTL on over created_at", type: "aws_dynamodb_table", name: "bandup-evaluations", attribute: "ttl.enabled", says: '**TTL (time to live) is turned on** (`ttl[0].enabled`: `null` → `true`; `attribute_name` = `"created_at"`)' },
    { label: "recovery window 35 → 1", type: "aws_dynamodb_table", name: "bandup-flashcard-sets", attribute: "point_in_time_recovery.recovery_period_in_days", says: "**the point-in-time recovery window is shortened** (`point_in_time_recovery[0].recovery_period_in_days`: `35` → `1`)" },
    { label: "log retention 365 → 1", type: "aws_cloudwatch_log_group", name: "/aws/lambda/bandup-writing-evaluator", attribute: "retention_in_days", says: "**log retention is shortened** (`retention_in_days`: `365` → `1`): log events older than the new period are deleted" },
    { label: "queue retention 14 days → 60 s", type: "aws_sqs_queue", name: "bandup-flashcard-generator-dead-letters", attribute: "message_retention_seconds", says: "**message retention is shortened** (`message_retention_seconds`: `1209600` → `60`)" },
  ];

  /** The address of a resource of the plan, by its type and name. */
  function addressOf(type: string, name: string): string {
    const plan = JSON.parse(readFileSync(plans.prodLosses, "utf8"));
    const found = plan.resource_changes.filter((rc: { type: string; change: { after?: { name?: string } } }) => rc.type === type && rc.change.after?.name === name);
    expect(found).toHaveLength(1);
    return found[0].address;
  }
  const entry = (loss: Loss): string => `${PROD_STACK}:${addressOf(loss.type, loss.name)}:${loss.attribute}`;

  test.each(LOSSES.map((loss) => [loss.label, loss]))("%s: exit 1 naming the attribute, the others accepted", (_label, loss) => {
    const others = LOSSES.filter((l) => l !== loss).flatMap((l) => ["--allow-loss", entry(l)]);
    const { code, out, err } = cli("--stack", `${PROD_STACK}=${plans.prodLosses}`, ...others);
    expect(code).toBe(1);
    expect(err).toBe(`plan-review: 1 blocking change(s): ${PROD_STACK}:${addressOf(loss.type, loss.name)} (loss of ${loss.attribute})\n`);
    const blocking = lines(out).filter((l) => l.startsWith("- ⛔ "));
    expect(blocking).toHaveLength(1);
    expect(blocking[0]).toContain(loss.says);
    expect(lines(out)[lines(out).indexOf(blocking[0]) + 1]).toBe(`  If intended, accept it with \`--allow-loss ${entry(loss)}\`.`);
  });

  test("all five accepted: exit 0, each still reported as accepted", () => {
    const { code, out } = cli("--stack", `${PROD_STACK}=${plans.prodLosses}`, ...LOSSES.flatMap((l) => ["--allow-loss", entry(l)]));
    expect(code).toBe(0);
    expect(lines(out).filter((l) => l.startsWith("- ⚠️ accepted by `--allow-loss "))).toHaveLength(5);
  });

  test("the issue's case: a protection drop and names carrying Markdown and HTML render with the tables and every change visible", () => {
    const { out } = cli("--stack", `${PROD_STACK}=${plans.prodLosses}`);
    const parser = new MarkdownIt({ html: true, linkify: true });
    const tokens = parser.parse(out, {});
    const inline = tokens.flatMap((t) => (t.type === "inline" ? (t.children ?? []) : [t]));
    // No HTML but the comment's own, no link, no image, no mention or issue number outside code.
    const html = inline.filter((t) => t.type === "html_block" || t.type === "html_inline").map((t) => t.content.trim());
    expect(html).toEqual(["<!-- bandup-plan-review -->", expect.stringMatching(/^<details><summary>Changed attributes \(\d+ resources\)<\/summary>$/), "</details>"]);
    expect(inline.filter((t) => ["link_open", "image"].includes(t.type))).toEqual([]);
    for (const t of inline.filter((t) => t.type === "text")) expect(t.content).not.toMatch(/@octocat|#1|[<>|`]/);
    // Every blocking finding is a list item; the protection drop among them.
    const items = tokens.filter((t) => t.type === "list_item_open").length;
    expect(items).toBe(lines(out).filter((l) => /^- (⛔|🔎)/.test(l)).length);
    expect(out).toContain(LOSSES[0].says);
    // The resource table keeps its rows and columns; the renamed filter's row holds its name once, as code.
    const rows: string[][] = [];
    let row: string[] | undefined;
    tokens.forEach((t, i) => {
      if (t.type === "tr_open") row = [];
      else if (t.type === "tr_close") rows.push(row!);
      else if (t.type === "td_open" || t.type === "th_open") row!.push((tokens[i + 1].children ?? []).map((c) => `${c.type}:${c.content}`).join(""));
    });
    const actionRowCount = actionRows(out).length;
    expect(actionRowCount).toBeGreaterThan(5);
    expect(rows.filter((r) => r.length === 3 && /^text:(update|replace|create|delete)/.test(r[0]))).toHaveLength(actionRowCount);
    // The renamed filter's new name, in its attribute table's After cell: once, as code, the row whole.
    expect(rows.filter((r) => r[0] === "code_inline:name" && r[2] === `code_inline:${visible(JSON.stringify(HOSTILE), 200)}`)).toHaveLength(1);
    expect(rows.filter((r) => r[2] === `code_inline:${visible(JSON.stringify(HOSTILE_TAG), 200)}`).length).toBeGreaterThanOrEqual(1);
    for (const r of rows) expect(r.length === 3 || r.length === 6).toBe(true);
  });
});

describe("the classification table and the pinned provider's schema (terraform providers schema -json, offline)", () => {
  interface SchemaBlock {
    attributes?: Record<string, { nested_type?: SchemaBlock }>;
    block_types?: Record<string, { nesting_mode: string; max_items?: number; block: SchemaBlock }>;
  }
  let schemas: Record<string, { block: SchemaBlock }>;
  beforeAll(async () => {
    // One run in the plans' initialized folder (the pinned provider is there): no second init.
    const json = JSON.parse(await new OfflineTerraform(plans.dir, writeCliConfig()).run(["providers", "schema", "-json"]));
    schemas = json.provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas;
  }, 120_000);

  /** Every attribute path of a schema block, and every block that holds more than one element. */
  function pathsOf(block: SchemaBlock, prefix = ""): { attributes: string[]; multiBlocks: string[]; blocks: string[] } {
    const out = { attributes: [] as string[], multiBlocks: [] as string[], blocks: [] as string[] };
    for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
      out.attributes.push(`${prefix}${name}`);
      if (attribute.nested_type) {
        const inner = pathsOf(attribute.nested_type, `${prefix}${name}.`);
        out.attributes.push(...inner.attributes);
      }
    }
    for (const [name, nested] of Object.entries(block.block_types ?? {})) {
      out.blocks.push(`${prefix}${name}`);
      if (!(nested.nesting_mode === "single" || nested.max_items === 1)) out.multiBlocks.push(`${prefix}${name}`);
      const inner = pathsOf(nested.block, `${prefix}${name}.`);
      out.attributes.push(...inner.attributes);
      out.multiBlocks.push(...inner.multiBlocks);
      out.blocks.push(...inner.blocks);
    }
    return out;
  }

  test("every attribute of every classified type is classified, every block of several elements has its rule, and the table names nothing the schema lacks", () => {
    const unclassified: string[] = [];
    const stale: string[] = [];
    for (const [type, classification] of Object.entries(CLASSIFICATION)) {
      const schema = schemas[type];
      if (schema === undefined) {
        stale.push(`${type} (no such resource type)`);
        continue;
      }
      const { attributes, multiBlocks, blocks } = pathsOf(schema.block);
      for (const path of attributes) {
        const rule = ruleFor(type, path);
        if (rule === undefined || isBlockRule(rule)) unclassified.push(`${type}.${path}`);
      }
      for (const path of multiBlocks) {
        const rule = ruleFor(type, path);
        if (rule === undefined) unclassified.push(`${type}.${path} (a block of several elements: how its elements match and what removing one does)`);
      }
      for (const path of Object.keys(classification.attributes)) {
        if (!attributes.includes(path) && !blocks.includes(path)) stale.push(`${type}.${path}`);
      }
    }
    expect({ unclassified, stale }).toEqual({ unclassified: [], stale: [] });
  });

  test("no attribute is classified safe as a whole subtree (an attribute added inside it would pass unreviewed)", () => {
    const safeSubtrees = Object.entries(CLASSIFICATION).flatMap(([type, c]) =>
      Object.entries(c.attributes).filter(([, rule]) => !isBlockRule(rule) && rule.subtree && rule.class === "safe").map(([path]) => `${type}.${path}`),
    );
    expect(safeSubtrees).toEqual([]);
  });

  test("every resource type the real plans create is classified or listed as holding nothing", () => {
    const types = new Set<string>();
    for (const file of [plans.create, plans.prodLosses]) {
      for (const rc of JSON.parse(readFileSync(file, "utf8")).resource_changes) if (rc.mode === "managed") types.add(rc.type);
    }
    expect([...types].filter((t) => !Object.hasOwn(CLASSIFICATION, t) && !Object.hasOwn(HOLDS_NOTHING, t))).toEqual([]);
  });
});
