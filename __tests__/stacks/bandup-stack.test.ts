import { resourceNamed, resourcesOfType, synthEnvironment } from "../support/synth";

/** The snapshot should change with the infrastructure, not with every edit of lambda-src/. */
function withoutCodeHashes(synthesized: string): string {
  return synthesized
    .replace(/"source_code_hash": "[A-Za-z0-9+/=]+"/g, '"source_code_hash": "<code hash>"')
    .replace(/([/-])[0-9a-f]{16}(\/|\.zip)/g, "$1<code hash>$2");
}

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const EXPECTED_NAMES: Record<string, [string, string]> = {
  dev: ["bandup-evaluations-dev", "bandup-flashcard-sets-dev"],
  staging: ["bandup-evaluations-staging", "bandup-flashcard-sets-staging"],
  prod: ["bandup-evaluations", "bandup-flashcard-sets"],
};

describe.each(Object.entries(EXPECTED_NAMES))("stack bandup-%s", (env, [evaluations, flashcardSets]) => {
  const { json, synthesized } = synthEnvironment(env);
  const isProd = env === "prod";

  test("pins the AWS provider to 5.100.0", () => {
    expect(json.terraform.required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
  });

  test("configures the provider with the environment's region and default tags, and no test-only settings", () => {
    expect(json.provider.aws).toEqual([
      {
        region: "us-east-1",
        default_tags: [{ tags: { Project: "bandup", Environment: env, ManagedBy: "cdktf" } }],
      },
    ]);
  });

  test("declares exactly the two tables, with the environment's names", () => {
    const tables = Object.values(resourcesOfType(json, "aws_dynamodb_table")).map((t) => t.name);
    expect(tables.sort()).toEqual([evaluations, flashcardSets]);
  });

  test.each([
    [evaluations, "evaluation_id", "evaluation_type"],
    [flashcardSets, "set_id", "document_id"],
  ])("table %s: keys, attributes, billing, GSI, PITR, class, caps, tags", (name, partitionKey, identity) => {
    const table = resourceNamed(json, "aws_dynamodb_table", name);
    expect(table.hash_key).toBe(partitionKey);
    expect(table.range_key).toBe("user_id");
    expect(table.billing_mode).toBe("PAY_PER_REQUEST");
    expect(table.attribute).toEqual([
      { name: partitionKey, type: "S" },
      { name: "user_id", type: "S" },
      { name: "created_at", type: "N" },
    ]);
    // Caps on by default outside protected environments (README, "Cost caps"), none in prod.
    const indexCaps = isProd ? {} : { on_demand_throughput: { max_read_request_units: 128, max_write_request_units: 400 } };
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
    expect(table.on_demand_throughput).toEqual(isProd ? undefined : { max_read_request_units: 1000, max_write_request_units: 400 });
    expect(table.point_in_time_recovery).toEqual({ enabled: true, recovery_period_in_days: isProd ? 35 : 7 });
    expect(table.table_class).toBe("STANDARD");
    expect(table.server_side_encryption).toBeUndefined();
    expect(table.tags).toEqual({ Project: "bandup", Environment: env });
    // No replicas, no stream, no restore by default.
    for (const attribute of ["replica", "stream_enabled", "stream_view_type", "restore_source_name", "restore_date_time", "restore_to_latest_time"]) {
      expect(table[attribute]).toBeUndefined();
    }
  });

  test(`${isProd ? "protects" : "does not protect"} the tables (deletion protection, prevent_destroy)`, () => {
    for (const table of Object.values(resourcesOfType(json, "aws_dynamodb_table"))) {
      expect(table.deletion_protection_enabled).toBe(isProd);
      expect(table.lifecycle?.prevent_destroy ?? false).toBe(isProd);
    }
  });

  test("outputs the table names and ARNs", () => {
    expect(json.output["evaluations-table-name"].value).toBe(evaluations);
    expect(json.output["flashcard-sets-table-name"].value).toBe(flashcardSets);
    expect(json.output["evaluations-table-arn"].value).toMatch(/^\$\{aws_dynamodb_table\.evaluations_table_[0-9A-F]{8}\.arn\}$/);
  });

  test("keeps its state in a local file of its own by default", () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../terraform.bandup-${env}.tfstate` } });
  });

  test("matches the snapshot (Lambda code hashes replaced by a placeholder)", () => {
    expect(withoutCodeHashes(synthesized)).toMatchSnapshot();
  });
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
