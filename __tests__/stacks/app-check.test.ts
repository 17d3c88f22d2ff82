/**
 * The app-level check (stacks/app.ts, `checkBandupApp`): what `npm run synth` runs before it writes
 * anything and what `npm run environments` runs before it lists anything, so that the PR workflow's
 * first job refuses what synth would refuse. Every problem in one round: each environment's settings,
 * the names environments share, the bootstrap's settings against every environment, the backend, and
 * the validations of every stack that could be built (guardrails, constructs' own checks).
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { environmentsCommand } from "../../scripts/lib/environment-list";
import { expectedFailureMessage } from "../../scripts/lib/run-command";
import { AppProblemsError, BandupAppProps, checkBandupApp } from "../../stacks/app";
import { ENVIRONMENTS, EnvironmentSettings } from "../../stacks/environments";
import { unusedEnvironmentName } from "../support/environment-cases";

const BOOTSTRAP_FIX = "Fix: edit `BOOTSTRAP` in stacks/bootstrap-settings.ts (or the environment it names in stacks/environments.ts).";
const ENVIRONMENTS_FIX = "Fix: edit `ENVIRONMENTS` in stacks/environments.ts.";
const NAMED_BOOTSTRAP =
  "  - the environment `bootstrap` would share the bootstrap's state key (`bandup/bootstrap/terraform.tfstate`) and stack name (`bandup-bootstrap`); " +
  "rename the environment in stacks/environments.ts";

/** What `npm run environments -- --json` prints on stderr (run in-process) for these settings, or undefined when it succeeds. */
function environmentsFailure(settings: Readonly<Record<string, EnvironmentSettings>>): string | undefined {
  let failure: unknown;
  try {
    environmentsCommand(["--json"], { stdout: () => undefined, stderr: () => undefined }, settings);
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) return undefined;
  const message = expectedFailureMessage(failure);
  if (message === undefined) throw failure;
  return message;
}

/** The error `checkBandupApp` throws for these props (the app is built in a temporary folder). */
function checkFailure(props: BandupAppProps): unknown {
  const outdir = mkdtempSync(join(tmpdir(), "bandup-check-"));
  try {
    checkBandupApp({ backend: { type: "local" }, ...props, outdir, context: {} });
  } catch (error) {
    return error;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  return undefined;
}

describe("npm run environments refuses what synth refuses", () => {
  test("an environment named `bootstrap`: the bootstrap's check of the environments", () => {
    expect(environmentsFailure({ ...ENVIRONMENTS, bootstrap: {} })).toBe(`Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n${NAMED_BOOTSTRAP}\n${BOOTSTRAP_FIX}`);
  });

  test("an environment in a region the bootstrap refuses (another partition than the state bucket)", () => {
    const gov = unusedEnvironmentName("gov");
    expect(environmentsFailure({ ...ENVIRONMENTS, [gov]: { region: "us-gov-west-1" } })).toBe(
      "Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n" +
        `  - the environment \`${gov}\` deploys to \`us-gov-west-1\` in partition \`aws-us-gov\`, but \`stateRegion\` \`us-east-1\` puts the bootstrap and its roles ` +
        "in partition `aws`; keep `stateRegion` and every environment's `region` in one partition (the bootstrap's roles serve one account)\n" +
        BOOTSTRAP_FIX,
    );
  });

  test("a setting whose stack the guardrails refuse: a protected environment without a customer key (BANDUP-DDB-2 on both tables)", () => {
    const name = unusedEnvironmentName("vault");
    const message = environmentsFailure({ ...ENVIRONMENTS, [name]: { protected: true } });
    expect(message).toMatch(/^Synth stopped: 2 validation error\(s\) in the app\n\n/);
    expect(message!.match(/^\[[^\]]+\] [A-Z0-9-]+/gm)).toEqual([`[bandup-${name}] BANDUP-DDB-2`, `[bandup-${name}] BANDUP-DDB-2`]);
  });

  test("the real settings pass, and the list is what it was", () => {
    expect(environmentsFailure(ENVIRONMENTS)).toBeUndefined();
  });
});

describe("every problem in one round", () => {
  test("an environment's own problem, the bootstrap's problem with it, and another stack's guardrail error, together, each with its fix", () => {
    const vault = unusedEnvironmentName("vault");
    const message = environmentsFailure({ ...ENVIRONMENTS, bootstrap: { logRetentionDays: 31 }, [vault]: { protected: true } });
    const [environments, bootstrap, validation, ...rest] = message!.split("\n\n");
    // The validation's heading, then each finding after a blank line.
    expect(environments).toBe(
      "Invalid settings for environment `bootstrap`:\n" +
        "  - `logRetentionDays` must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653; got `31`\n" +
        ENVIRONMENTS_FIX,
    );
    expect(bootstrap).toBe(`Invalid bootstrap settings (stacks/bootstrap-settings.ts):\n${NAMED_BOOTSTRAP}\n${BOOTSTRAP_FIX}`);
    expect(validation).toBe("Synth stopped: 2 validation error(s) in the app");
    expect(rest.map((finding) => finding.split(" error at ")[0])).toEqual([`[bandup-${vault}] BANDUP-DDB-2`, `[bandup-${vault}] BANDUP-DDB-2`]);
  });

  test("checkBandupApp throws the parts as one error, in the order settings, bootstrap, stacks", () => {
    const vault = unusedEnvironmentName("vault");
    const error = checkFailure({ environments: { ...ENVIRONMENTS, bootstrap: { logRetentionDays: 31 }, [vault]: { protected: true } } });
    expect(error).toBeInstanceOf(AppProblemsError);
    expect((error as AppProblemsError).errors.map((e) => e.name)).toEqual(["EnvironmentConfigError", "BootstrapConfigError", "AppValidationError"]);
  });

  test("one kind of problem: that error alone, as before", () => {
    const error = checkFailure({ environments: { ...ENVIRONMENTS, dev: { tableNames: { evaluations: "ab" } } } });
    expect(expectedFailureMessage(error)).toBe(
      "Invalid settings for environment `dev`:\n  - `tableNames.evaluations` must be 3-255 characters of a-z, A-Z, 0-9, _ . -; got `ab`\n" + ENVIRONMENTS_FIX,
    );
  });

  test("an unknown region is reported once in the whole round: no replica, key, bootstrap or shared-name problem follows from it", () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const error = checkFailure({ environments: { ...ENVIRONMENTS, dev: { region: "us-east", replicaRegions: ["us-west-2"], alarmTopicKmsKeyArn: key } } });
    expect(expectedFailureMessage(error)).toBe(
      "Invalid settings for environment `dev`:\n" +
        "  - `region` must be a region the pinned AWS provider (hashicorp/aws 5.100.0) knows, such as us-east-1 or ap-southeast-1; got `us-east`; did you mean `us-east-1` or `us-east-2`?\n" +
        ENVIRONMENTS_FIX,
    );
  });
});
