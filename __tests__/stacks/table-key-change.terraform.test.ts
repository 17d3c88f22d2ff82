/**
 * One table's change reaches only the functions that use that table: the real terraform, offline,
 * plans a sort-key change of each table against the state of a deployed bandup-dev (built as the
 * plan-review fixtures build it: planned values pushed as state). The table is replaced; every
 * resource and data source of the functions that do not use it stays as it is.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { FUNCTION_DEFINITIONS } from "../../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS, TableKind } from "../../lambda-src/contract/table-definitions";
import { OfflineTerraform, TerraformPlanJson, terraformVersion, writeCliConfig } from "../../scripts/lib/terraform-offline";
import { stateFromPlan, STACK, synthStack } from "../scripts/plan-fixtures";
import { TerraformJson } from "../support/synth";

interface KeyChange {
  /** The planned changes, by address. */
  readonly changes: ReadonlyMap<string, NonNullable<TerraformPlanJson["resource_changes"]>[number]>;
  /** Construct path of every resource and data source of the "after" stack, by address. */
  readonly paths: ReadonlyMap<string, string>;
}

let dir: string;
const plans = new Map<TableKind, KeyChange>();

/** `address → construct path` of every resource and data source in a cdk.tf.json. */
function constructPaths(json: TerraformJson): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [prefix, blocks] of [["", json.resource], ["data.", json.data]] as const) {
    for (const [type, byName] of Object.entries(blocks as TerraformJson)) {
      for (const [name, block] of Object.entries(byName as TerraformJson)) paths.set(`${prefix}${type}.${name}`, block["//"].metadata.path);
    }
  }
  return paths;
}

beforeAll(async () => {
  expect(terraformVersion()).toMatch(/^Terraform v1\.\d+\.\d+/);
  dir = mkdtempSync(join(tmpdir(), "table-key-change-"));
  const cliConfig = writeCliConfig();
  const tf = new OfflineTerraform(dir, cliConfig);
  // The real dev stack, with the app's default settings.
  copyFileSync(synthStack({}), join(dir, "cdk.tf.json"));
  await tf.init();

  // Its state: the planned values pushed as state, re-planned and pushed again until nothing changes
  // (values derived from made-up ARNs are unknown in the first plan). The loop of plan-fixtures.ts's
  // buildRealPlans, which it does not export.
  let planned = await tf.plan("create.tfplan");
  for (let round = 1; ; round++) {
    writeFileSync(join(dir, "pushed.tfstate"), stateFromPlan(planned, round));
    await tf.run(["state", "push", "-lock=false", "-force", "pushed.tfstate"]);
    planned = await tf.plan("same.tfplan", ["-refresh=false"]);
    const pending = (planned.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.join() !== "no-op");
    if (pending.length === 0) break;
    if (round === 3) throw new Error(`the pushed state does not converge: ${pending.map((c) => c.address).join(", ")}`);
  }

  // Each table's sort key changed by an escape hatch, planned in a copy of the initialized folder.
  await Promise.all(
    TABLE_DEFINITIONS.map(async ({ kind }) => {
      const after = synthStack({}, (stack) => {
        stack.tables[kind].table.rangeKey = "created_at";
      });
      const copy = join(dir, `after-${kind}`);
      mkdirSync(copy);
      cpSync(join(dir, ".terraform"), join(copy, ".terraform"), { recursive: true, verbatimSymlinks: true });
      for (const file of [".terraform.lock.hcl", "terraform.tfstate"]) copyFileSync(join(dir, file), join(copy, file));
      copyFileSync(after, join(copy, "cdk.tf.json"));
      const plan = await new OfflineTerraform(copy, cliConfig).plan("key.tfplan", ["-refresh=false"]);
      plans.set(kind, {
        changes: new Map((plan.resource_changes ?? []).map((c) => [c.address, c])),
        paths: constructPaths(JSON.parse(readFileSync(after, "utf8"))),
      });
    }),
  );
}, 240_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(TABLE_DEFINITIONS.map((d) => [d.kind] as const))("a sort-key change of the %s table", (kind) => {
  const users = FUNCTION_DEFINITIONS.filter((f) => f.table === kind).map((f) => f.kind);
  const others = FUNCTION_DEFINITIONS.filter((f) => f.table !== kind).map((f) => f.kind);

  test("replaces that table, forced by range_key, and leaves the other table as it is", () => {
    const { changes, paths } = plans.get(kind)!;
    const tableAt = (path: string) => [...paths].find(([address, p]) => p === path && address.startsWith("aws_dynamodb_table."))![0];
    const table = changes.get(tableAt(`${STACK}/${kind}/table`))!;
    expect(table.change.actions).toEqual(["delete", "create"]);
    expect(table.change.replace_paths).toEqual([["range_key"]]);
    for (const other of TABLE_DEFINITIONS.filter((d) => d.kind !== kind)) {
      expect(changes.get(tableAt(`${STACK}/${other.kind}/table`))!.change.actions).toEqual(["no-op"]);
    }
  });

  test(`changes nothing of the functions that do not use it (${others.join(", ")}): every resource and data source under them`, () => {
    const { changes, paths } = plans.get(kind)!;
    expect(users.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    for (const fn of others) {
      const addresses = [...paths].filter(([, path]) => path.startsWith(`${STACK}/${fn}/`)).map(([address]) => address);
      expect(addresses.filter((a) => a.startsWith("aws_")).map((a) => a.split(".")[0]).sort()).toEqual(
        expect.arrayContaining(["aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy", "aws_lambda_function", "aws_sqs_queue"]),
      );
      for (const address of addresses) {
        const change = changes.get(address);
        // A data source read at plan time has no change; one deferred to apply would show "read".
        if (address.startsWith("data.")) expect(change?.change.actions).toBeUndefined();
        else expect([address, change?.change.actions]).toEqual([address, ["no-op"]]);
      }
    }
  });

  test(`besides the table, only the policies of the functions that use it (${users.join(", ")}) change: the new table ARN is known after apply`, () => {
    const { changes, paths } = plans.get(kind)!;
    const changed = [...changes.values()]
      .filter((c) => c.change.actions.join() !== "no-op" && paths.get(c.address) !== `${STACK}/${kind}/table`)
      .map((c) => [paths.get(c.address), c.change.actions.join()]);
    expect(changed.sort()).toEqual(
      users.flatMap((fn) => [[`${STACK}/${fn}/policy`, "read"], [`${STACK}/${fn}/role-policy`, "update"]]).sort(),
    );
  });
});
