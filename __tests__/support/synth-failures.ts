/**
 * Test-only entry, never part of the app: the app's own synth command (`runSynth`, what main.ts runs)
 * on the real app builder, with one failure injected in code, chosen by the first argument.
 * __tests__/main.test.ts compiles it the way scripts/synth.cjs compiles main.ts and runs it with plain
 * node, so the real settings and sources stay untouched.
 */
import { LambdaBundle } from "../../constructs/lambda-bundle";
import { NodeModulesLayer } from "../../constructs/node-modules-layer";
import { runSynth } from "../../scripts/lib/synth-app";
import { BandupApp, buildBandupApp, checkBandupApp } from "../../stacks/app";
import { BandupStack } from "../../stacks/bandup-stack";
import { ENVIRONMENTS } from "../../stacks/environments";

function stackOf(built: BandupApp, name: string): BandupStack {
  return built.stacks.find((stack) => stack.node.id === name) as BandupStack;
}

/** The failures, by the name the tests pass. */
const SCENARIOS: Readonly<Record<string, () => BandupApp>> = {
  /** A table name AWS refuses, in a copy of the settings, checked as main.ts checks the app. */
  "bad-setting": () => checkBandupApp({ skipValidation: true, environments: { ...ENVIRONMENTS, dev: { tableNames: { evaluations: "ab" } } } }),
  /** Point-in-time recovery turned off by an escape hatch: a BANDUP-DDB-1 error. */
  "guardrail-error": () => {
    const built = buildBandupApp();
    stackOf(built, "bandup-dev").tables.evaluations.table.addOverride("point_in_time_recovery.enabled", false);
    return built;
  },
  "missing-lambda-entry": () => {
    const built = buildBandupApp();
    new LambdaBundle(stackOf(built, "bandup-dev"), "missing", { entry: "no-such-function/index.ts" });
    return built;
  },
  "missing-layer-package": () => {
    const built = buildBandupApp();
    new NodeModulesLayer(stackOf(built, "bandup-dev"), "missing", { layerName: "missing", packages: ["no-such-package"], compatibleRuntimes: ["nodejs22.x"] });
    return built;
  },
  /** A bug: a stack that does not exist, used as if it did. */
  bug: () => {
    const built = buildBandupApp();
    stackOf(built, "bandup-nowhere").tables.evaluations.table.addOverride("billing_mode", "PROVISIONED"); // THE BUG
    return built;
  },
};

const scenario = process.argv[2];
const build = SCENARIOS[scenario];
if (build === undefined) throw new Error(`unknown scenario \`${scenario}\`; known: ${Object.keys(SCENARIOS).join(", ")}`);
runSynth(build);
