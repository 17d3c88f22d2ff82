/**
 * Adopting the tables the design created by hand with the AWS CLI: the stack emits `import` blocks,
 * and the real terraform plans imports (plus in-place updates), never a create or a replace.
 * The provider talks to dynalite, which holds tables created exactly as the design's CLI commands do.
 */
import type { Server } from "http";
import type { AddressInfo } from "net";
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OfflineTerraform, TerraformPlanJson } from "../../scripts/lib/terraform-offline";
import { createTableInput, TABLE_DEFINITIONS } from "../../lambda-src/contract/table-definitions";
import { fullSynthEnvironment, synthEnvironment, TerraformJson } from "../support/synth";

// dynalite ships no types: a factory returning an http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite: (options: { createTableMs: number }) => Server = require("dynalite");

test("adoptExistingTables emits one import block per table, by table name", () => {
  const { json } = synthEnvironment("prod", { settings: { protected: true, adoptExistingTables: true } });
  const imports = (json.import as { id: string; to: string }[]).map((i) => [i.to, i.id]).sort();
  const addresses = Object.keys(json.resource.aws_dynamodb_table).map((name) => `aws_dynamodb_table.${name}`);
  expect(imports).toEqual(
    [
      [addresses.find((a) => a.includes("evaluations")), "bandup-evaluations"],
      [addresses.find((a) => a.includes("flashcard-sets")), "bandup-flashcard-sets"],
    ].sort(),
  );
});

test("no import block by default", () => {
  expect(synthEnvironment("prod").json.import).toBeUndefined();
});

describe("an offline plan against tables created with the design's AWS CLI commands", () => {
  let server: Server;
  let plan: TerraformPlanJson;
  let json: TerraformJson;

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    for (const definition of TABLE_DEFINITIONS) {
      // As the design's `aws dynamodb create-table`: keys only, no index, its tags.
      const input = createTableInput(definition, definition.baseName, { withHistoryIndex: false });
      await client.send(
        new CreateTableCommand({
          ...(input as CreateTableCommandInput),
          Tags: [
            { Key: "Project", Value: "bandup" },
            { Key: "Environment", Value: "production" },
          ],
        }),
      );
    }
    client.destroy();

    const synthesized = fullSynthEnvironment("prod", {
      settings: { protected: true, adoptExistingTables: true },
      backend: { type: "local", path: "terraform.tfstate" },
      offlineProvider: { dynamodbEndpoint: endpoint },
    });
    json = synthesized.json;
    const terraform = new OfflineTerraform(synthesized.directory);
    await terraform.init();
    plan = await terraform.plan();
  }, 120_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("imports both tables and updates them in place, creating and replacing nothing", () => {
    const tables = (plan.resource_changes ?? []).filter((c) => c.type === "aws_dynamodb_table");
    expect(tables.map((c) => [c.change.importing?.id, c.change.actions]).sort()).toEqual([
      ["bandup-evaluations", ["update"]],
      ["bandup-flashcard-sets", ["update"]],
    ]);
    for (const change of tables) {
      expect(json.resource.aws_dynamodb_table[change.name].name).toBe(change.change.importing?.id);
    }
  });

  test("the update adds the history index, PITR, protection and tags, keeping the keys", () => {
    const evaluations = (plan.resource_changes ?? []).find((c) => c.change.importing?.id === "bandup-evaluations")!;
    const before = evaluations.change.before as TerraformJson;
    const after = evaluations.change.after as TerraformJson;
    expect(before.global_secondary_index).toEqual([]);
    expect(after.global_secondary_index).toEqual([
      expect.objectContaining({
        name: "user_id-created_at-index",
        hash_key: "user_id",
        range_key: "created_at",
        projection_type: "INCLUDE",
        non_key_attributes: ["error_message", "evaluation_type", "lease_expires_at_ms", "status"],
      }),
    ]);
    expect([before.hash_key, before.range_key]).toEqual(["evaluation_id", "user_id"]);
    expect([after.hash_key, after.range_key]).toEqual(["evaluation_id", "user_id"]);
    // dynalite does not return tags given at CreateTable, so `before.tags` is not asserted; `after` holds
    // exactly the design's own tags (prod's environmentTag is "production"), so adopting retags nothing.
    expect(after.tags).toEqual({ Project: "bandup", Environment: "production" });
    expect(after.point_in_time_recovery).toEqual([{ enabled: true, recovery_period_in_days: 35 }]);
    expect(after.deletion_protection_enabled).toBe(true);
  });
});
