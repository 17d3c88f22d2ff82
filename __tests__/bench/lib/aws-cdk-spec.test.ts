import { Testing } from "cdktf";
import { interpolated, NOT_BUILT_TYPES, referenceOf, StackSpec, stackSpecOf } from "../../../bench/lib/aws-cdk-spec";
import { buildBandupApp } from "../../../stacks/app";

/** The spec of every stack of the default app, zips named by their path in the stack's folder. */
function defaultAppSpecs(): { spec: StackSpec; json: Record<string, any> }[] {
  const { stacks } = buildBandupApp({ app: Testing.app(), backend: { type: "local" } });
  return stacks.map((stack) => {
    const json = JSON.parse(Testing.synth(stack));
    return { spec: stackSpecOf(stack.node.id, json, (filename) => `zips/${filename}`), json };
  });
}

describe("referenceOf and interpolated", () => {
  test("resource attributes become references to the resource by its Terraform name", () => {
    expect(referenceOf("aws_dynamodb_table.evaluations_table_68D57890.arn", "here")).toEqual({ ref: "tableArn", id: "evaluations_table_68D57890" });
    expect(referenceOf("aws_cloudwatch_log_group.writing-evaluator_logs_3D9C9F1D.name", "here")).toEqual({ ref: "logGroupName", id: "writing-evaluator_logs_3D9C9F1D" });
    expect(referenceOf("data.aws_region.region.name", "here")).toEqual({ ref: "region" });
    expect(referenceOf("data.aws_caller_identity.current.account_id", "here")).toEqual({ ref: "account" });
  });

  test("the account read off an ARN is the stack's account", () => {
    expect(referenceOf('element(split(":", aws_dynamodb_table.evaluations_table_68D57890.arn), 4)', "here")).toEqual({ ref: "account" });
  });

  test("a string keeps its literal text around the references, in order", () => {
    expect(interpolated("arn:${data.aws_partition.partition.partition}:s3:::uploads/audio/*", "here")).toEqual(["arn:", { ref: "partition" }, ":s3:::uploads/audio/*"]);
    expect(interpolated("${aws_sqs_queue.q_1.arn}", "here")).toEqual([{ ref: "queueArn", id: "q_1" }]);
    expect(interpolated("plain", "here")).toEqual(["plain"]);
  });

  test("a reference the AWS CDK app cannot resolve is an error naming it and where it was", () => {
    expect(() => referenceOf("aws_s3_bucket.uploads.arn", "bandup-dev aws_iam_role_policy.p")).toThrow(
      "bandup-dev aws_iam_role_policy.p: the AWS CDK app cannot resolve `${aws_s3_bucket.uploads.arn}`; teach bench/lib/aws-cdk-spec.ts this reference",
    );
  });
});

describe("stackSpecOf on the default app's stacks", () => {
  const specs = defaultAppSpecs();

  test("one spec per stack, each in the stack's region", () => {
    expect(specs.length).toBeGreaterThan(0);
    for (const { spec, json } of specs) expect(spec.region).toBe(json.provider.aws[0].region);
  });

  test("the two tables of the design with their keys, history index, PITR and its window, caps, class and protection", () => {
    for (const { spec, json } of specs) {
      const keys = spec.tables.map((t) => ({ partitionKey: t.partitionKey, sortKey: t.sortKey, indexes: t.globalIndexes }));
      const caps = (block: { max_read_request_units: number; max_write_request_units: number } | undefined) => ({
        maxReadRequestUnits: block?.max_read_request_units,
        maxWriteRequestUnits: block?.max_write_request_units,
      });
      const history = (identity: string, tableId: string) => [
        {
          indexName: "user_id-created_at-index",
          partitionKey: { name: "user_id", type: "S" },
          sortKey: { name: "created_at", type: "N" },
          projection: "INCLUDE",
          nonKeyAttributes: [identity, "status", "error_message", "lease_expires_at_ms"],
          ...caps(json.resource.aws_dynamodb_table[tableId].global_secondary_index[0].on_demand_throughput),
        },
      ];
      expect(keys).toEqual([
        { partitionKey: { name: "evaluation_id", type: "S" }, sortKey: { name: "user_id", type: "S" }, indexes: history("evaluation_type", spec.tables[0].id) },
        { partitionKey: { name: "set_id", type: "S" }, sortKey: { name: "user_id", type: "S" }, indexes: history("document_id", spec.tables[1].id) },
      ]);
      for (const table of spec.tables) {
        const resource = json.resource.aws_dynamodb_table[table.id];
        expect(table).toMatchObject({
          tableName: resource.name,
          pointInTimeRecovery: true,
          recoveryPeriodInDays: resource.point_in_time_recovery.recovery_period_in_days,
          tableClass: "STANDARD",
          ...caps(resource.on_demand_throughput),
          deletionProtection: resource.deletion_protection_enabled,
          tags: resource.tags,
        });
      }
    }
  });

  test("three functions on nodejs22.x arm64, each wired to its own role, log group, queue and zip", () => {
    for (const { spec, json } of specs) {
      expect(spec.functions).toHaveLength(3);
      for (const fn of spec.functions) {
        const resource = json.resource.aws_lambda_function[fn.id];
        expect(fn).toMatchObject({ runtime: "nodejs22.x", architecture: "arm64", handler: "index.handler", memoryMb: resource.memory_size, timeoutSeconds: resource.timeout, zip: `zips/${resource.filename}` });
        expect(spec.roles.map((r) => r.id)).toContain(fn.roleId);
        expect(spec.logGroups.find((g) => g.id === fn.logGroupId)?.logGroupName).toBe(`/aws/lambda/${fn.functionName}`);
        expect(spec.queues.find((q) => q.id === fn.deadLetterQueueId)?.queueName).toBe(`${fn.functionName}-dead-letters`);
        expect(Object.keys(fn.environment).sort()).toEqual(Object.keys(resource.environment.variables).sort());
      }
      expect(spec.functions.filter((f) => f.layerIds.length > 0).map((f) => f.functionName)).toEqual([expect.stringMatching(/^bandup-flashcard-generator/)]);
    }
  });

  test("each role's inline policy keeps its statements, with the table, log group, queue and account as references", () => {
    for (const { spec } of specs) {
      expect(spec.roles).toHaveLength(3);
      for (const role of spec.roles) {
        expect(role.assumedBy).toBe("lambda.amazonaws.com");
        expect(role.inlinePolicies).toHaveLength(1);
        const statements = role.inlinePolicies[0].statements;
        const fn = spec.functions.find((f) => f.roleId === role.id)!;
        expect(statements.find((s) => s.sid === "WriteOwnLogs")?.resources).toEqual([[{ ref: "logGroupArn", id: fn.logGroupId }, ":*"]]);
        expect(statements.find((s) => s.sid === "SendDeadLetters")?.resources).toEqual([[{ ref: "queueArn", id: fn.deadLetterQueueId }]]);
        const tableResources = statements.flatMap((s) => s.resources).filter((r) => typeof r[0] === "object" && r[0].ref === "tableArn");
        expect(tableResources.length).toBeGreaterThan(0);
        const apiKey = statements.find((s) => s.sid === "ReadModelApiKey")!.resources[0];
        expect(apiKey.filter((part) => typeof part === "object")).toEqual([{ ref: "partition" }, { ref: "region" }, { ref: "account" }]);
      }
    }
  });

  test("the monitoring it does not build is counted by type, with the outputs that name it, and left out of the outputs", () => {
    for (const { spec, json } of specs) {
      const counted = Object.fromEntries(NOT_BUILT_TYPES.filter((type) => json.resource[type]).map((type) => [type, Object.keys(json.resource[type]).length]));
      expect(counted.aws_cloudwatch_metric_alarm).toBeGreaterThan(0);
      expect(spec.notBuilt).toEqual({ ...counted, output: 1 });
      // The topic's ARN is not built; the dashboard's name is a plain string and stays an output.
      expect(spec.outputs.map((o) => o.id)).not.toContain("alarm-topic-arn");
      expect(spec.outputs.map((o) => o.id)).toContain("dashboard-name");
      expect(spec.outputs).toHaveLength(Object.keys(json.output).length - 1);
    }
  });

  test("an attribute the AWS CDK app does not build is an error, never dropped", () => {
    const { json } = specs[0];
    const [id, table] = Object.entries(json.resource.aws_dynamodb_table)[0] as [string, object];
    const withTtl = { ...json, resource: { ...json.resource, aws_dynamodb_table: { [id]: { ...table, ttl: { attribute_name: "expires_at", enabled: true } } } } };
    expect(() => stackSpecOf("bandup-x", withTtl, (f) => f)).toThrow(
      `bandup-x aws_dynamodb_table.${id}: the AWS CDK app does not build \`ttl\`; teach bench/lib/aws-cdk-spec.ts and bench/aws-cdk-app/app.ts`,
    );
    const withBucket = { ...json, resource: { ...json.resource, aws_s3_bucket: { uploads: { bucket: "b" } } } };
    expect(() => stackSpecOf("bandup-x", withBucket, (f) => f)).toThrow("bandup-x: the AWS CDK app does not build aws_s3_bucket");
  });
});
