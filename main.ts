/**
 * The cdktf app: one stack per environment, `bandup-<env>` (stacks/app.ts builds them from
 * stacks/environments.ts). Only wiring here.
 */
import { assertStacksValid } from "./guardrails/apply";
import { buildBandupApp } from "./stacks/app";

const { app } = buildBandupApp();
// Every stack's guardrail errors at once, before anything is written.
assertStacksValid(app);
app.synth();
