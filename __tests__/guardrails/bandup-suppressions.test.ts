/**
 * BandUp's suppressions (guardrails/bandup-suppressions.ts) cover only what they name: the AWS-owned
 * key in unprotected environments and in prod until its key exists, the original of a restore while
 * its protection comes off, unreserved concurrency where no reservation is set. Any other protected environment without a customer key gets the BANDUP-DDB-2
 * error; each proved on a copy of the settings.
 */
import { Testing } from "cdktf";
import { AppValidationError, assertStacksValid, checkStack } from "../../guardrails";
import { BANDUP_SUPPRESSIONS } from "../../guardrails/bandup-suppressions";
import { ALL_RULES } from "../../guardrails/rules";
import { buildBandupApp } from "../../stacks/app";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const [UNPROTECTED_KEY_REASON, PROD_KEY_REASON, , CONCURRENCY_REASON] = BANDUP_SUPPRESSIONS.map((s) => s.reason);

function build(environments: Readonly<Record<string, EnvironmentSettings>>) {
  return buildBandupApp({ app: Testing.app(), environments, backend: { type: "local" } });
}

/** `[rule, path, reason]` of every suppression recorded on a stack. */
function suppressionsOf(environments: Readonly<Record<string, EnvironmentSettings>>, stack: string) {
  const built = build(environments).stacks.find((s) => s.node.id === stack)!;
  return checkStack(built).suppressions.map((s) => [s.ruleId, s.path, s.reason]);
}

/** The validation errors of an app built from `environments` (every stack at once), or [] when none. */
function validationErrors(environments: Readonly<Record<string, EnvironmentSettings>>): string[] {
  try {
    assertStacksValid(build(environments).app);
    return [];
  } catch (error) {
    if (!(error instanceof AppValidationError)) throw error;
    return error.errors.map((e) => e.split("\n")[0]);
  }
}

const ddb2Error = (stack: string, table: string) =>
  `[${stack}] BANDUP-DDB-2 error at ${stack}/${table.includes("flashcard") ? "flashcard-sets" : "evaluations"}/table ` +
  `(aws_dynamodb_table.${table.includes("flashcard") ? "flashcard-sets_table_29875C15" : "evaluations_table_68D57890"}): ` +
  `table \`${table}\` uses the AWS-owned key (server_side_encryption.enabled = nothing (not set)); a customer-managed KMS key is expected`;

test("each suppression names a rule, its scope, and a reason that says why and what ends it", () => {
  const ids = new Set(ALL_RULES.map((r) => r.id));
  for (const suppression of BANDUP_SUPPRESSIONS) {
    expect(ids.has(suppression.ruleId)).toBe(true);
    expect(suppression.reason.length).toBeGreaterThanOrEqual(100);
    expect(suppression.reason).toMatch(/stacks\/environments\.ts/);
  }
  expect(BANDUP_SUPPRESSIONS.map((s) => [s.ruleId, s.environments, s.resources])).toEqual([
    ["BANDUP-DDB-2", { protected: false }, "tables"],
    ["BANDUP-DDB-2", { names: ["prod"] }, "tables"],
    ["BANDUP-DDB-3", { protected: true }, "tables"],
    ["BANDUP-LAMBDA-4", "all", "functions"],
  ]);
});

test("an unprotected environment: the AWS-owned key on its two tables and unreserved concurrency on its three functions, on those resources only", () => {
  expect(suppressionsOf({ dev: {} }, "bandup-dev")).toEqual([
    ["BANDUP-DDB-2", "bandup-dev/evaluations/table", UNPROTECTED_KEY_REASON],
    ["BANDUP-DDB-2", "bandup-dev/flashcard-sets/table", UNPROTECTED_KEY_REASON],
    ["BANDUP-LAMBDA-4", "bandup-dev/writing-evaluator/function", CONCURRENCY_REASON],
    ["BANDUP-LAMBDA-4", "bandup-dev/speaking-evaluator/function", CONCURRENCY_REASON],
    ["BANDUP-LAMBDA-4", "bandup-dev/flashcard-generator/function", CONCURRENCY_REASON],
  ]);
});

test("prod: its own reason for the AWS-owned key, until tableKmsKeyArn is set", () => {
  expect(suppressionsOf({ prod: ENVIRONMENTS.prod }, "bandup-prod").filter(([rule]) => rule === "BANDUP-DDB-2")).toEqual([
    ["BANDUP-DDB-2", "bandup-prod/evaluations/table", PROD_KEY_REASON],
    ["BANDUP-DDB-2", "bandup-prod/flashcard-sets/table", PROD_KEY_REASON],
  ]);
  expect(suppressionsOf({ prod: { ...ENVIRONMENTS.prod, tableKmsKeyArn: KEY } }, "bandup-prod").filter(([rule]) => rule === "BANDUP-DDB-2")).toEqual([]);
  expect(validationErrors({ prod: { ...ENVIRONMENTS.prod, tableKmsKeyArn: KEY } })).toEqual([]);
});

test("a setting that ends a suppression removes it: a customer key, a reserved concurrency", () => {
  const dev: EnvironmentSettings = { tableKmsKeyArn: KEY, functions: { "writing-evaluator": { reservedConcurrency: 2 } } };
  expect(suppressionsOf({ dev }, "bandup-dev").map(([rule, path]) => [rule, path])).toEqual([
    ["BANDUP-LAMBDA-4", "bandup-dev/speaking-evaluator/function"],
    ["BANDUP-LAMBDA-4", "bandup-dev/flashcard-generator/function"],
  ]);
});

test("a protected environment added without a customer key gets the BANDUP-DDB-2 error on both tables", () => {
  expect(validationErrors({ ...ENVIRONMENTS, qa: { protected: true } })).toEqual([
    ddb2Error("bandup-qa", "bandup-evaluations-qa"),
    ddb2Error("bandup-qa", "bandup-flashcard-sets-qa"),
  ]);
  expect(validationErrors({ ...ENVIRONMENTS, qa: { protected: true, tableKmsKeyArn: KEY } })).toEqual([]);
});

test("dev made protected gets the error too: prod's suppression names prod", () => {
  expect(validationErrors({ ...ENVIRONMENTS, dev: { protected: true } })).toEqual([
    ddb2Error("bandup-dev", "bandup-evaluations-dev"),
    ddb2Error("bandup-dev", "bandup-flashcard-sets-dev"),
  ]);
});

test("the real settings pass", () => {
  expect(validationErrors(ENVIRONMENTS)).toEqual([]);
});
