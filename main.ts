/**
 * The cdktf app: one stack per environment, `bandup-<env>` (stacks/app.ts builds them from
 * stacks/environments.ts). Only wiring here: scripts/lib/synth-app.ts checks, writes, summarizes, and
 * reports a failure once, without a stack trace unless it is a bug.
 */
import { runSynth } from "./scripts/lib/synth-app";
import { buildBandupApp } from "./stacks/app";

// runSynth checks every validation of the app itself before it synthesizes (all stacks' errors at once).
runSynth(() => buildBandupApp({ skipValidation: true }));
