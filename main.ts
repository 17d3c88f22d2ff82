/**
 * The cdktf app: one stack per environment, `bandup-<env>`. Only wiring here; environments live in
 * stacks/environments.ts, the stack in stacks/bandup-stack.ts.
 */
import { App } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { BandupStack } from "./stacks/bandup-stack";
import { BACKEND_CONTEXT_KEY, BackendContext, resolveBackendSettings } from "./stacks/backend";
import { allEnvironments, stackName } from "./stacks/environments";

// `cdktf synth` hands cdktf.json's context to the app in CDKTF_CONTEXT_JSON; `npm run synth` runs the
// app directly (faster), so it reads the same context itself.
const context = process.env.CDKTF_CONTEXT_JSON
  ? undefined
  : JSON.parse(readFileSync(join(__dirname, "cdktf.json"), "utf8")).context;

const app = new App({ context });
const backend = resolveBackendSettings(process.env, app.node.tryGetContext(BACKEND_CONTEXT_KEY) as BackendContext);
for (const environment of allEnvironments()) {
  new BandupStack(app, stackName(environment.name), { environment, backend });
}
app.synth();
