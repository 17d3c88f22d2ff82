import { Testing } from "cdktf";
import { AppValidationError, assertStacksValid } from "../../guardrails/apply";
import { BandupStack } from "../../stacks/bandup-stack";
import { allEnvironments, getEnvironment, stackName } from "../../stacks/environments";

test("assertStacksValid lists the errors of every stack at once, where app.synth() stops at the first", () => {
  const app = Testing.app();
  const dev = new BandupStack(app, "bandup-dev", { environment: getEnvironment("dev") });
  const prod = new BandupStack(app, "bandup-prod", { environment: getEnvironment("prod") });
  // Escape hatches: the guardrails read the synthesized JSON, overrides included.
  dev.tables.evaluations.table.addOverride("point_in_time_recovery.enabled", false);
  prod.tables["flashcard-sets"].table.addOverride("lifecycle.prevent_destroy", false);

  let error: AppValidationError | undefined;
  try {
    assertStacksValid(app);
  } catch (thrown) {
    error = thrown as AppValidationError;
  }
  expect(error).toBeInstanceOf(AppValidationError);
  expect(error!.errors.map((e) => e.split(" error at ")[0])).toEqual(["[bandup-dev] BANDUP-DDB-1", "[bandup-prod] BANDUP-DDB-3"]);
  expect(error!.message).toMatch(/^Synth stopped: 2 validation error\(s\) in the app\n/);
  expect(error!.errors[0]).toContain("table `bandup-evaluations-dev` has point_in_time_recovery.enabled = `false`; it must be true");
  expect(error!.errors[1]).toContain("bandup-flashcard-sets");
});

test("assertStacksValid passes the real stacks", () => {
  const app = Testing.app();
  for (const environment of allEnvironments()) new BandupStack(app, stackName(environment.name), { environment });
  expect(() => assertStacksValid(app)).not.toThrow();
});
