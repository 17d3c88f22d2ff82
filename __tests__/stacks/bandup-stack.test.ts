import { mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { assertStacksValid } from "../../guardrails/apply";
import { buildBandupApp } from "../../stacks/app";
import { ADDED_ENVIRONMENT, ENVIRONMENT_CASES, EnvironmentCase, SETTINGS_WITH_ADDED_ENVIRONMENT } from "../support/environment-cases";
import { resourceNamed, resourcesOfType, synthEnvironment } from "../support/synth";

/**
 * The snapshot should change with the infrastructure, not with every edit of lambda-src/ nor with the
 * layout of the JSON text (cdktf writes an empty block as `{\n}`, CDK Terrain as `{}`): the JSON is
 * written again with `JSON.stringify`, then the code hashes are replaced.
 */
function withoutCodeHashes(synthesized: string): string {
  return JSON.stringify(JSON.parse(synthesized), null, 2)
    .replace(/"source_code_hash": "[A-Za-z0-9+/=]+"/g, '"source_code_hash": "<code hash>"')
    .replace(/([/-])[0-9a-f]{16}(\/|\.zip)/g, "$1<code hash>$2");
}

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/**
 * The checks of one environment's stack; `snapshot` for the real environments only (the added one is
 * not part of the app).
 */
function describeStack(title: string, { name, settings, expected }: EnvironmentCase, snapshot: boolean): void {
  describe(title, () => {
    const { json, synthesized } = synthEnvironment(name, { settings });
    const { evaluations, "flashcard-sets": flashcardSets } = expected.tableNames;

    test("pins the AWS provider to 5.100.0", () => {
      expect(json.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
    });

    test("configures the provider with the environment's region and default tags, and no test-only settings", () => {
      expect(json.provider.aws).toEqual([
        {
          region: expected.region,
          default_tags: [{ tags: { Project: "bandup", Environment: expected.environmentTag, ManagedBy: "cdktf" } }],
        },
      ]);
    });

    test("declares exactly the two tables, with the environment's names", () => {
      const tables = Object.values(resourcesOfType(json, "aws_dynamodb_table")).map((t) => t.name);
      expect(tables.sort()).toEqual([evaluations, flashcardSets].sort());
    });

    test.each([
      [evaluations, "evaluation_id", "evaluation_type"],
      [flashcardSets, "set_id", "document_id"],
    ])("table %s: keys, attributes, billing, GSI, PITR, class, caps, tags", (tableName, partitionKey, identity) => {
      const table = resourceNamed(json, "aws_dynamodb_table", tableName);
      expect(table.hash_key).toBe(partitionKey);
      expect(table.range_key).toBe("user_id");
      expect(table.billing_mode).toBe("PAY_PER_REQUEST");
      expect(table.attribute).toEqual([
        { name: partitionKey, type: "S" },
        { name: "user_id", type: "S" },
        { name: "created_at", type: "N" },
      ]);
      // Caps on by default outside protected environments (docs/operations.md, "Cost caps"), none when protected.
      const indexCaps = expected.protected ? {} : { on_demand_throughput: { max_read_request_units: 128, max_write_request_units: 400 } };
      expect(table.global_secondary_index).toEqual([
        {
          name: "user_id-created_at-index",
          hash_key: "user_id",
          range_key: "created_at",
          projection_type: "INCLUDE",
          non_key_attributes: [identity, "status", "error_message", "lease_expires_at_ms"],
          ...indexCaps,
        },
      ]);
      expect(table.on_demand_throughput).toEqual(expected.protected ? undefined : { max_read_request_units: 1000, max_write_request_units: 400 });
      expect(table.point_in_time_recovery).toEqual({ enabled: true, recovery_period_in_days: expected.protected ? 35 : 7 });
      expect(table.table_class).toBe("STANDARD");
      expect(table.server_side_encryption).toBeUndefined();
      expect(table.tags).toEqual({ Project: "bandup", Environment: expected.environmentTag });
      // No replicas, no stream, no restore by default.
      for (const attribute of ["replica", "stream_enabled", "stream_view_type", "restore_source_name", "restore_date_time", "restore_to_latest_time"]) {
        expect(table[attribute]).toBeUndefined();
      }
    });

    test(`${expected.protected ? "protects" : "does not protect"} the tables (deletion protection, prevent_destroy)`, () => {
      for (const table of Object.values(resourcesOfType(json, "aws_dynamodb_table"))) {
        expect(table.deletion_protection_enabled).toBe(expected.protected);
        expect(table.lifecycle?.prevent_destroy ?? false).toBe(expected.protected);
      }
    });

    test("outputs the table names and ARNs", () => {
      expect(json.output["evaluations-table-name"].value).toBe(evaluations);
      expect(json.output["flashcard-sets-table-name"].value).toBe(flashcardSets);
      expect(json.output["evaluations-table-arn"].value).toMatch(/^\$\{aws_dynamodb_table\.evaluations_table_[0-9A-F]{8}\.arn\}$/);
    });

    test("keeps its state in a local file of its own by default", () => {
      expect(json.terraform.backend).toEqual({ local: { path: `../../../terraform.${expected.stack}.tfstate` } });
    });

    if (snapshot) {
      test("matches the snapshot (Lambda code hashes replaced by a placeholder)", () => {
        expect(withoutCodeHashes(synthesized)).toMatchSnapshot();
      });
    }
  });
}

for (const environment of ENVIRONMENT_CASES) {
  if (environment.added) {
    describeStack(`stack ${environment.expected.stack}, added to a copy of the settings`, environment, false);
  } else {
    describeStack(`stack ${environment.expected.stack}`, environment, true);
  }
}

test(`the app built from a copy of the settings with ${ADDED_ENVIRONMENT.name} added has its stack, passes every validation and synthesizes it`, () => {
  const outdir = mkdtempSync(join(tmpdir(), "bandup-added-environment-"));
  const { app, stacks } = buildBandupApp({ environments: SETTINGS_WITH_ADDED_ENVIRONMENT, backend: { type: "local" }, outdir });
  expect(stacks.map((stack) => stack.node.id)).toEqual(ENVIRONMENT_CASES.map((c) => c.expected.stack));
  expect(() => assertStacksValid(app)).not.toThrow();
  app.synth();
  const added = ENVIRONMENT_CASES.find((c) => c.added)!.expected;
  const json = JSON.parse(readFileSync(join(outdir, "stacks", added.stack, "cdk.tf.json"), "utf8"));
  expect(json.provider.aws[0].region).toBe("ap-southeast-1");
  expect(Object.values(resourcesOfType(json, "aws_dynamodb_table")).map((t) => t.name).sort()).toEqual(
    [`bandup-evaluations-${ADDED_ENVIRONMENT.name}`, `bandup-flashcard-sets-${ADDED_ENVIRONMENT.name}`].sort(),
  );
});

describe("stack options", () => {
  test("without the history index, no GSI and no created_at attribute", () => {
    const { json } = synthEnvironment("dev", { settings: { historyIndexEnabled: false } });
    for (const table of Object.values(resourcesOfType(json, "aws_dynamodb_table"))) {
      expect(table.global_secondary_index).toBeUndefined();
      expect(table.attribute.map((a: { name: string }) => a.name)).not.toContain("created_at");
    }
  });

  test("a customer KMS key encrypts both tables", () => {
    const { json } = synthEnvironment("prod", { settings: { protected: true, tableKmsKeyArn: KEY } });
    for (const table of Object.values(resourcesOfType(json, "aws_dynamodb_table"))) {
      expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: KEY });
    }
  });

  test("the region of the environment reaches the provider", () => {
    const { json } = synthEnvironment("dev", { settings: { region: "ap-southeast-1" } });
    expect(json.provider.aws[0].region).toBe("ap-southeast-1");
  });

  test("an environment's accountId pins the provider to that account; none by default", () => {
    expect(synthEnvironment("prod", { settings: { protected: true, accountId: "123456789012" } }).json.provider.aws[0].allowed_account_ids).toEqual([
      "123456789012",
    ]);
    expect(synthEnvironment("prod").json.provider.aws[0].allowed_account_ids).toBeUndefined();
  });

  test("offline provider settings appear only when asked for, with the dynalite endpoint", () => {
    const { json } = synthEnvironment("dev", { offlineProvider: { dynamodbEndpoint: "http://127.0.0.1:4567" } });
    expect(json.provider.aws[0]).toMatchObject({
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
      skip_region_validation: true,
      endpoints: [{ dynamodb: "http://127.0.0.1:4567" }],
    });
  });
});

describe("table settings of an environment in the JSON", () => {
  test("recovery window, class and caps (one unit set, one index cap off) reach both tables as set", () => {
    const { json } = synthEnvironment("staging", {
      settings: {
        pitrRecoveryDays: 14,
        tableClass: "STANDARD_INFREQUENT_ACCESS",
        onDemandThroughput: { evaluations: { table: { maxWriteRequestUnits: 800 }, historyIndex: false } },
      },
    });
    const evaluations = resourceNamed(json, "aws_dynamodb_table", "bandup-evaluations-staging");
    const flashcards = resourceNamed(json, "aws_dynamodb_table", "bandup-flashcard-sets-staging");
    for (const table of [evaluations, flashcards]) {
      expect(table.point_in_time_recovery).toEqual({ enabled: true, recovery_period_in_days: 14 });
      expect(table.table_class).toBe("STANDARD_INFREQUENT_ACCESS");
    }
    expect(evaluations.on_demand_throughput).toEqual({ max_read_request_units: 1000, max_write_request_units: 800 });
    expect(evaluations.global_secondary_index[0].on_demand_throughput).toEqual({ max_read_request_units: -1, max_write_request_units: -1 });
    expect(flashcards.on_demand_throughput).toEqual({ max_read_request_units: 1000, max_write_request_units: 400 });
    expect(flashcards.global_secondary_index[0].on_demand_throughput).toEqual({ max_read_request_units: 128, max_write_request_units: 400 });
  });

  test("`onDemandThroughput: false` writes DynamoDB's no-maximum on every table and index", () => {
    const { json, stack } = synthEnvironment("dev", { settings: { onDemandThroughput: false } });
    for (const table of Object.values(resourcesOfType(json, "aws_dynamodb_table"))) {
      expect(table.on_demand_throughput).toEqual({ max_read_request_units: -1, max_write_request_units: -1 });
      expect(table.global_secondary_index[0].on_demand_throughput).toEqual({ max_read_request_units: -1, max_write_request_units: -1 });
    }
    expect(stack.allTables.map((t) => [t.onDemandThroughput, t.historyIndexOnDemandThroughput])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  test("the caps the stack sets are exposed on the tables, for alarms", () => {
    const { stack } = synthEnvironment("dev");
    expect(stack.tables.evaluations.onDemandThroughput).toEqual({ maxReadRequestUnits: 1000, maxWriteRequestUnits: 400 });
    expect(stack.tables["flashcard-sets"].historyIndexOnDemandThroughput).toEqual({ maxReadRequestUnits: 128, maxWriteRequestUnits: 400 });
  });
});
