/**
 * The cdktf app: one stack per environment, `bandup-<env>`. Only wiring here; environments live in
 * stacks/environments.ts, the stack in stacks/bandup-stack.ts.
 */
import { App } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { PROJECT_ROOT } from "./constructs/project-root";
import { assertStacksValid } from "./guardrails/apply";
import { BandupStack } from "./stacks/bandup-stack";
import { BACKEND_CONTEXT_KEY, resolveBackendSettings } from "./stacks/backend";
import { allEnvironments, stackName } from "./stacks/environments";

// `cdktf synth` hands cdktf.json's context to the app in CDKTF_CONTEXT_JSON; `npm run synth` runs the
// app directly (faster), so it reads the same context itself.
const context = process.env.CDKTF_CONTEXT_JSON
  ? JSON.parse(process.env.CDKTF_CONTEXT_JSON)
  : JSON.parse(readFileSync(join(PROJECT_ROOT, "cdktf.json"), "utf8")).context ?? {};

// Settings are resolved (and validated) before the App touches the output folder: a bad setting
// leaves nothing half-written.
const backend = resolveBackendSettings(process.env, context[BACKEND_CONTEXT_KEY]);
const environments = allEnvironments();

const app = new App({ context });
for (const environment of environments) {
  new BandupStack(app, stackName(environment.name), { environment, backend });
}
// Every stack's guardrail errors at once, before anything is written.
assertStacksValid(app);
app.synth();
