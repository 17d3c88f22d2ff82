import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { suppressGuardrail } from "../../guardrails";
import { buildFixture, check, KEY_ARN, ruleIds } from "./fixtures";

describe("BANDUP-DDB-1 point-in-time recovery", () => {
  test("Compliance: PITR enabled", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: PITR disabled", () => {
    const report = check(buildFixture({ evaluations: { pointInTimeRecovery: { enabled: false } } }));
    expect(ruleIds(report)).toEqual(["BANDUP-DDB-1"]);
    expect(report.errors[0]).toMatchObject({
      path: "test/evaluations",
      address: "aws_dynamodb_table.evaluations",
      message: "table `bandup-evaluations-test` has point_in_time_recovery.enabled = `false`; it must be true",
    });
  });

  test("Noncompliance: an escape hatch (addOverride) cannot slip past", () => {
    const fixture = buildFixture();
    fixture.evaluations.addOverride("point_in_time_recovery.enabled", false);
    expect(ruleIds(check(fixture))).toEqual(["BANDUP-DDB-1"]);
  });
});

describe("BANDUP-DDB-2 customer-managed key", () => {
  test("Compliance: CMK set", () => {
    expect(ruleIds(check(buildFixture({ protected: true })))).toEqual([]);
  });

  test("Noncompliance: AWS-owned key in a protected environment is an error", () => {
    const report = check(buildFixture({ protected: true, evaluations: { serverSideEncryption: undefined } }));
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      ["BANDUP-DDB-2", "table `bandup-evaluations-test` uses the AWS-owned key (server_side_encryption.enabled = nothing (not set)); a customer-managed KMS key is expected"],
    ]);
  });

  test("Noncompliance: AWS-owned key elsewhere is a warning", () => {
    const report = check(buildFixture({ evaluations: { serverSideEncryption: { enabled: true } } }));
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((f) => [f.ruleId, f.message])).toEqual([
      ["BANDUP-DDB-2", "table `bandup-evaluations-test` uses the AWS managed key (kms_key_arn = nothing (not set)); a customer-managed KMS key is expected"],
    ]);
  });
});

describe("BANDUP-DDB-3 deletion protection in protected environments", () => {
  test("Compliance: unprotected environments need neither", () => {
    expect(ruleIds(check(buildFixture({ evaluations: { deletionProtectionEnabled: false } })))).toEqual([]);
  });

  test("Noncompliance: protected table without deletion protection nor prevent_destroy", () => {
    const report = check(buildFixture({ protected: true, evaluations: { deletionProtectionEnabled: false, lifecycle: undefined } }));
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "BANDUP-DDB-3",
        "table `bandup-evaluations-test` is in a protected environment but has deletion_protection_enabled = `false` and lifecycle.prevent_destroy = nothing (not set); both must be true",
      ],
    ]);
  });
});

describe("BANDUP-DDB-4 billing mode", () => {
  test("Compliance: provisioned with autoscaling on read and write", () => {
    const fixture = buildFixture({ evaluations: { billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 } });
    for (const dimension of ["Read", "Write"]) {
      new AppautoscalingTarget(fixture.stack, `scale-${dimension}`, {
        serviceNamespace: "dynamodb",
        scalableDimension: `dynamodb:table:${dimension}CapacityUnits`,
        resourceId: `table/${fixture.evaluations.name}`,
        minCapacity: 1,
        maxCapacity: 10,
      });
    }
    expect(ruleIds(check(fixture))).toEqual([]);
  });

  test("Noncompliance: provisioned without autoscaling", () => {
    const report = check(buildFixture({ evaluations: { billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 5 } }));
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "BANDUP-DDB-4",
        "table `bandup-evaluations-test` has billing_mode = `PROVISIONED` with no autoscaling target for dynamodb:table:ReadCapacityUnits, dynamodb:table:WriteCapacityUnits",
      ],
    ]);
  });
});

describe("BANDUP-DDB-5 key schema and attribute definitions", () => {
  test("Compliance: every key attribute defined, nothing else", () => {
    expect(ruleIds(check(buildFixture()))).toEqual([]);
  });

  test("Noncompliance: a key attribute without definition and a definition no key uses", () => {
    const report = check(
      buildFixture({
        evaluations: {
          attribute: [
            { name: "evaluation_id", type: "S" },
            { name: "user_id", type: "S" },
            { name: "score", type: "N" },
          ],
        },
      }),
    );
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "BANDUP-DDB-5",
        "table `bandup-evaluations-test`: `created_at` (range_key of index `user_id-created_at-index`) has no attribute definition; attribute `score` is defined but no key or index uses it (DynamoDB rejects it)",
      ],
    ]);
  });
});

describe("BANDUP-DDB-6 tags", () => {
  test("Compliance: tags from the table when the provider has no default tags", () => {
    const report = check(buildFixture({ noDefaultTags: true, evaluations: { tags: { Project: "bandup", Environment: "test" } } }));
    expect(report.errors.filter((f) => f.address === "aws_dynamodb_table.evaluations")).toEqual([]);
  });

  test("Noncompliance: neither resource tags nor default tags", () => {
    const report = check(buildFixture({ noDefaultTags: true, evaluations: { tags: { Project: "bandup", Environment: "test" } } }));
    expect(report.errors.map((f) => [f.ruleId, f.message])).toEqual([
      ["BANDUP-DDB-6", "table `bandup-flashcard-sets-test` has no `Project` or `Environment` tag (neither in tags nor in the provider's default_tags)"],
    ]);
  });
});

describe("BANDUP-DDB-7 35 days of point-in-time recovery in protected environments", () => {
  test("Compliance: 35 days, or DynamoDB's default (35) when the window is not set", () => {
    expect(ruleIds(check(buildFixture({ protected: true, evaluations: { pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 35 } } })))).toEqual([]);
    expect(ruleIds(check(buildFixture({ protected: true, evaluations: { pointInTimeRecovery: { enabled: true } } })))).toEqual([]);
  });

  test("Compliance: unprotected environments may keep fewer days", () => {
    expect(ruleIds(check(buildFixture({ evaluations: { pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 7 } } })))).toEqual([]);
  });

  test("Compliance: replicas with point-in-time recovery on", () => {
    const replica = [{ regionName: "us-west-2", kmsKeyArn: KEY_ARN.replace("us-east-1", "us-west-2"), pointInTimeRecovery: true }];
    expect(ruleIds(check(buildFixture({ protected: true, evaluations: { replica, streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" } })))).toEqual([]);
  });

  test("Noncompliance: a shorter window, and a replica without point-in-time recovery", () => {
    const report = check(
      buildFixture({
        protected: true,
        evaluations: { pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 7 }, replica: [{ regionName: "us-west-2", pointInTimeRecovery: false }], streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" },
      }),
    );
    expect(report.errors.map((f) => [f.ruleId, f.address, f.message])).toEqual([
      [
        "BANDUP-DDB-7",
        "aws_dynamodb_table.evaluations",
        "table `bandup-evaluations-test` is in a protected environment but point_in_time_recovery.recovery_period_in_days = `7` and the replica in `us-west-2` has point_in_time_recovery = `false`; protected environments keep 35 days of point-in-time recovery",
      ],
    ]);
  });

  test("Noncompliance: a window that cannot be read at synth", () => {
    const fixture = buildFixture({ protected: true });
    fixture.evaluations.addOverride("point_in_time_recovery.recovery_period_in_days", "${var.days}");
    expect(check(fixture).errors.map((f) => [f.ruleId, f.message])).toEqual([
      [
        "BANDUP-DDB-7",
        "table `bandup-evaluations-test` is in a protected environment but point_in_time_recovery.recovery_period_in_days = `${var.days}`; protected environments keep 35 days of point-in-time recovery",
      ],
    ]);
  });

  test("a suppression with a reason lets a shorter window through", () => {
    const fixture = buildFixture({ protected: true, evaluations: { pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 14 } } });
    suppressGuardrail(fixture.evaluations, "BANDUP-DDB-7", "test data only, rebuilt from the source documents every week");
    const report = check(fixture);
    expect(report.errors).toEqual([]);
    expect(report.suppressions).toEqual([expect.objectContaining({ ruleId: "BANDUP-DDB-7", valid: true, used: true })]);
  });
});
