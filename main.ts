/**
 * The cdktf app: one stack per environment, `bandup-<env>` (stacks/app.ts builds them from
 * stacks/environments.ts). Only wiring here: stacks/app.ts checks, scripts/lib/synth-app.ts writes, summarizes, and
 * reports a failure once, without a stack trace unless it is a bug.
 */
import { runSynth } from "./scripts/lib/synth-app";
import { checkBandupApp } from "./stacks/app";

// checkBandupApp runs every check of the app before anything is written, every problem in one round
// (the settings', the bootstrap's, every stack's validations): `npm run environments` runs the same.
runSynth(() => checkBandupApp({ skipValidation: true }));
