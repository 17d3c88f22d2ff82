/**
 * Drift (issue 28): the real terraform, offline, refreshing the dev stack's tables against dynalite
 * (the provider's DynamoDB endpoint). The tables are created in dynalite as the stack declares them,
 * the state holds them, and `terraform apply -refresh-only` writes what dynalite reports into it (the
 * state an apply leaves). Then the tables are changed by hand with the SDK, as someone would in the
 * console: a tag changed, the billing mode switched, a table deleted. `terraform plan -refresh-only`
 * shows it in `resource_drift`, and the plan review reads it.
 *
 * dynalite has no point-in-time recovery and no deletion protection (it answers neither
 * DescribeContinuousBackups nor DeletionProtectionEnabled), so the drift that turns them off is edited
 * into the real plan's `resource_drift` entry, the rest of the plan as terraform wrote it.
 */
import type { Server } from "http";
import type { AddressInfo } from "net";
import { CreateTableCommand, CreateTableCommandInput, DeleteTableCommand, DynamoDBClient, TagResourceCommand, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { writeFileSync } from "fs";
import { join } from "path";
import { createTableInput, TABLE_DEFINITIONS } from "../../lambda-src/contract/table-definitions";
import { runPlanReview } from "../../scripts/lib/plan-review/cli";
import { OfflineTerraform, TerraformPlanJson } from "../../scripts/lib/terraform-offline";
import { buildPlanReviewCli, runPlanReviewCli } from "../support/plan-review-cli";
import { fullSynthEnvironment } from "../support/synth";
import { stateFromPlan } from "./plan-fixtures";

// dynalite ships no types: a factory returning an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: { createTableMs: number; updateTableMs: number; deleteTableMs: number }) => Server = require("dynalite");

const STACK = "bandup-dev";
const EVALUATIONS = "bandup-evaluations-dev";
const FLASHCARD_SETS = "bandup-flashcard-sets-dev";

interface Drift {
  address: string;
  type: string;
  change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> | null };
}

/** Runs the review in-process on plan files; returns its exit code, the Markdown and stderr. */
function review(files: Record<string, string>, extra: string[] = []): { status: number; markdown: string; stderr: string } {
  let markdown = "";
  let stderr = "";
  const args = [...Object.entries(files).flatMap(([stack, file]) => ["--stack", `${stack}=${file}`]), ...extra];
  const status = runPlanReview(args, {
    readFile: (path) => require("fs").readFileSync(path, "utf8"),
    writeFile: () => undefined,
    appendFile: () => undefined,
    stdout: (text) => (markdown += text),
    stderr: (text) => (stderr += text),
  });
  return { status, markdown, stderr };
}

describe("drift made by hand against dynalite, after an apply-like state", () => {
  let server: Server;
  let terraform: OfflineTerraform;
  let directory: string;
  let clean: { status: number; plan: TerraformPlanJson };
  let drifted: { status: number; plan: TerraformPlanJson };
  let normal: TerraformPlanJson;
  let tableAddress: Record<string, string>;

  /** `terraform plan -refresh-only -detailed-exitcode`: its exit status (0 nothing, 2 drift) and the plan. */
  async function refreshOnlyPlan(file: string): Promise<{ status: number; plan: TerraformPlanJson }> {
    let status = 0;
    try {
      await terraform.run(["plan", "-input=false", "-no-color", "-lock=false", "-refresh-only", "-detailed-exitcode", `-out=${file}`]);
    } catch (error) {
      const exit = /\(exit (\d+)\)/.exec((error as Error).message)?.[1];
      if (exit !== "2") throw error;
      status = 2;
    }
    const plan = JSON.parse(await terraform.run(["show", "-json", file])) as TerraformPlanJson;
    writeFileSync(join(directory, `${file}.json`), JSON.stringify(plan));
    return { status, plan };
  }

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const synthesized = fullSynthEnvironment("dev", {
      backend: { type: "local", path: "terraform.tfstate" },
      offlineProvider: { dynamodbEndpoint: endpoint },
    });
    directory = synthesized.directory;
    terraform = new OfflineTerraform(directory);
    await terraform.init();

    // The tables as an apply leaves them: in dynalite as the stack declares them, and in the state.
    const first = await terraform.plan("first");
    const state = JSON.parse(stateFromPlan(first));
    state.resources = state.resources.filter((r: { type: string }) => r.type === "aws_dynamodb_table");
    const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    tableAddress = {};
    for (const resource of state.resources) {
      const attributes = resource.instances[0].attributes;
      const definition = TABLE_DEFINITIONS.find((d) => attributes.name === `${d.baseName}-dev`)!;
      await client.send(
        new CreateTableCommand({
          ...(createTableInput(definition, attributes.name, { withHistoryIndex: true }) as CreateTableCommandInput),
          Tags: Object.entries(attributes.tags_all as Record<string, string>).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      attributes.arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${attributes.name}`;
      tableAddress[attributes.name] = `aws_dynamodb_table.${resource.name}`;
    }
    writeFileSync(join(directory, "terraform.tfstate"), JSON.stringify(state));
    // What dynalite reports becomes the state, as after an apply.
    await terraform.run(["apply", "-input=false", "-no-color", "-lock=false", "-refresh-only", "-auto-approve"]);
    clean = await refreshOnlyPlan("clean");

    // By hand, outside Terraform.
    await client.send(new TagResourceCommand({ ResourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${EVALUATIONS}`, Tags: [{ Key: "Environment", Value: "hand-edited" }] }));
    await client.send(
      new UpdateTableCommand({
        TableName: EVALUATIONS,
        BillingMode: "PROVISIONED",
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "user_id-created_at-index", ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } } }],
      }),
    );
    await client.send(new DeleteTableCommand({ TableName: FLASHCARD_SETS }));
    client.destroy();
    drifted = await refreshOnlyPlan("drifted");
    normal = await terraform.plan("normal");
    writeFileSync(join(directory, "normal.json"), JSON.stringify(normal));
  }, 300_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  test("right after the apply-like state: the refresh-only plan has no resource_drift, and the review says so", () => {
    expect(clean.plan.resource_drift).toBeUndefined();
    // -detailed-exitcode still says 2: a refresh-only plan counts output changes too, and the outputs of
    // what this state leaves out (the functions, their roles, the topic) stay unknown. So drift.yml
    // decides "drift" on resource_drift, not on the exit code.
    const outputs = Object.entries(clean.plan.output_changes as Record<string, { actions: string[] }>).filter(([, c]) => c.actions[0] !== "no-op").map(([name]) => name);
    expect(clean.status).toBe(2);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.filter((name) => !/function|role|topic/.test(name))).toEqual([]);
    const { status, markdown } = review({ [STACK]: join(directory, "clean.json") });
    expect(status).toBe(0);
    expect(markdown).toContain("A refresh-only plan: what changed outside Terraform since the last apply; it changes nothing in AWS.");
    expect(markdown).toContain("Nothing changed outside Terraform.");
    expect(markdown).toContain("✅ **No change loses data or access.**");
  });

  test("the refresh-only plan shows the hand-made changes in resource_drift (exit 2) and plans nothing else", () => {
    expect(drifted.status).toBe(2);
    expect(drifted.plan.resource_changes).toBeUndefined();
    const drift = drifted.plan.resource_drift as Drift[];
    expect(drift.map((d) => [d.address, d.change.actions])).toEqual(
      [
        [tableAddress[EVALUATIONS], ["update"]],
        [tableAddress[FLASHCARD_SETS], ["delete"]],
      ].sort(),
    );
    const evaluations = drift.find((d) => d.address === tableAddress[EVALUATIONS])!.change;
    expect([evaluations.before.billing_mode, evaluations.after!.billing_mode]).toEqual(["PAY_PER_REQUEST", "PROVISIONED"]);
    expect([(evaluations.before.tags as Record<string, string>).Environment, (evaluations.after!.tags as Record<string, string>).Environment]).toEqual(["dev", "hand-edited"]);
  });

  test("the review of that plan: the deleted table blocks (exit 1) with what an apply would do; the billing mode needs review; the tag is listed", () => {
    const { status, markdown, stderr } = review({ [STACK]: join(directory, "drifted.json") });
    expect(status).toBe(1);
    expect(markdown).toContain("⛔ **1 change made outside Terraform loses data or access.**");
    expect(markdown).toContain(
      `\`${tableAddress[FLASHCARD_SETS]}\` (table \`${FLASHCARD_SETS}\`) **was deleted outside Terraform**: every item in \`${FLASHCARD_SETS}\` is lost. An apply of the configuration would create it again, empty: what it held is not brought back; remove it from the code to adopt its deletion.`,
    );
    expect(markdown).toContain(`accept it with \`--allow-drift ${STACK}:${tableAddress[FLASHCARD_SETS]}\`.`);
    expect(markdown).toContain(`\`${tableAddress[EVALUATIONS]}\` (table \`${EVALUATIONS}\`) **was changed outside Terraform** and needs review: \`billing_mode\`: on-demand or provisioned`);
    expect(markdown).toContain(`| changed | \`${tableAddress[EVALUATIONS]}\` | \`${EVALUATIONS}\` |`);
    expect(markdown).toContain(`| deleted | \`${tableAddress[FLASHCARD_SETS]}\` | \`${FLASHCARD_SETS}\` |`);
    expect(markdown).toContain('| `tags.Environment` | `"dev"` | `"hand-edited"` |');
    expect(stderr).toContain(`${STACK}:${tableAddress[FLASHCARD_SETS]} (drift)`);
    // Accepted, the drift no longer blocks.
    expect(review({ [STACK]: join(directory, "drifted.json") }, ["--allow-drift", `${STACK}:${tableAddress[FLASHCARD_SETS]}`]).status).toBe(0);
  });

  test("the normal plan holds the same drift and what its apply does: the table created again, the billing mode set back", () => {
    const drift = (normal.resource_drift as Drift[]).map((d) => [d.address, d.change.actions]);
    expect(drift).toEqual((drifted.plan.resource_drift as Drift[]).map((d) => [d.address, d.change.actions]));
    const planned = Object.fromEntries((normal.resource_changes ?? []).filter((c) => c.type === "aws_dynamodb_table").map((c) => [c.address, c.change.actions]));
    expect(planned).toEqual({ [tableAddress[EVALUATIONS]]: ["update"], [tableAddress[FLASHCARD_SETS]]: ["create"] });
    const { status, markdown } = review({ [STACK]: join(directory, "normal.json") });
    expect(status).toBe(1);
    expect(markdown).toContain(`**was deleted outside Terraform**: every item in \`${FLASHCARD_SETS}\` is lost. This plan's apply creates it again, empty: what it held is not brought back.`);
  });

  describe("a real plan with deletion protection and point-in-time recovery turned off outside Terraform (edited in: dynalite has neither)", () => {
    let edited: string;

    beforeAll(() => {
      const plan = JSON.parse(JSON.stringify(drifted.plan));
      const entry = (plan.resource_drift as Drift[]).find((d) => d.address === tableAddress[EVALUATIONS])!;
      entry.change.before.deletion_protection_enabled = true;
      entry.change.before.point_in_time_recovery = [{ enabled: true, recovery_period_in_days: 7 }];
      entry.change.after!.deletion_protection_enabled = false;
      entry.change.after!.point_in_time_recovery = [{ enabled: false, recovery_period_in_days: 7 }];
      edited = join(directory, "edited.json");
      writeFileSync(edited, JSON.stringify(plan));
    });

    test("npm run plan:review exits 1 naming the table, the attribute and 'outside Terraform', and what the next apply would do", () => {
      const cli = buildPlanReviewCli();
      const run = runPlanReviewCli(cli, ["--stack", `${STACK}=${edited}`], directory);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain(
        `\`${tableAddress[EVALUATIONS]}\` (table \`${EVALUATIONS}\`): **deletion protection was turned off outside Terraform** (\`deletion_protection_enabled\`: \`true\` → \`false\`)`,
      );
      expect(run.stdout).toContain(
        `\`${tableAddress[EVALUATIONS]}\` (table \`${EVALUATIONS}\`): **point-in-time recovery was turned off outside Terraform** (\`point_in_time_recovery[0].enabled\`: \`true\` → \`false\`): DynamoDB deletes the table's continuous backups: it can no longer be restored to an earlier time. An apply of the configuration would set it back to \`true\` (the value Terraform last applied), unless the code adopts the change.`,
      );
      expect(run.stdout).toContain("⛔ **3 changes made outside Terraform lose data or access.**");
      expect(run.stderr).toContain("plan-review: 3 blocking change(s)");
    });

    test("each is accepted by its own --allow-drift entry, and only by it", () => {
      const entries = [
        `${STACK}:${tableAddress[EVALUATIONS]}:deletion_protection_enabled`,
        `${STACK}:${tableAddress[EVALUATIONS]}:point_in_time_recovery.enabled`,
        `${STACK}:${tableAddress[FLASHCARD_SETS]}`,
      ];
      expect(review({ [STACK]: edited }, entries.flatMap((e) => ["--allow-drift", e])).status).toBe(0);
      for (const left of entries) {
        const others = entries.filter((e) => e !== left).flatMap((e) => ["--allow-drift", e]);
        expect([left, review({ [STACK]: edited }, others).status]).toEqual([left, 1]);
      }
      // --allow-loss accepts changes a plan makes, not those made outside Terraform.
      const asLoss = review({ [STACK]: edited }, ["--allow-loss", entries[0], "--allow-loss", entries[1], "--allow-drift", entries[2]]);
      expect(asLoss.status).toBe(1);
      expect(asLoss.markdown).toContain(`Note: \`--allow-loss ${entries[0]}\` matched no blocking change.`);
    });

    test("--json: the drift, the refresh-only flag and the drift findings (schemaVersion 3)", () => {
      let out = "";
      const status = runPlanReview(["--json", "--stack", `${STACK}=${edited}`], {
        readFile: (path) => require("fs").readFileSync(path, "utf8"),
        writeFile: () => undefined,
        appendFile: () => undefined,
        stdout: (text) => (out += text),
        stderr: () => undefined,
      });
      expect(status).toBe(1);
      const doc = JSON.parse(out);
      expect(doc.schemaVersion).toBe(3);
      expect(doc.stacks[0].refreshOnly).toBe(true);
      expect(doc.stacks[0].drift.map((d: { address: string; action: string }) => [d.address, d.action])).toEqual([
        [tableAddress[EVALUATIONS], "update"],
        [tableAddress[FLASHCARD_SETS], "delete"],
      ]);
      expect(doc.findings.filter((f: { kind: string; blocking: boolean }) => f.kind === "drift" && f.blocking).map((f: { accept: { entry: string } }) => f.accept.entry)).toEqual([
        `${STACK}:${tableAddress[EVALUATIONS]}:deletion_protection_enabled`,
        `${STACK}:${tableAddress[EVALUATIONS]}:point_in_time_recovery.enabled`,
        `${STACK}:${tableAddress[FLASHCARD_SETS]}`,
      ]);
    });
  });
});
