/**
 * The app builder: settings in, stacks out. `main.ts`, `npm run guardrails`, the bench and the test
 * helpers all build their stacks here, so what they check and measure is what `npm run synth` writes.
 */
import { App } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { PROJECT_ROOT } from "../constructs/project-root";
import { BACKEND_CONTEXT_KEY, BackendContext, BackendSettings, resolveBackendSettings } from "./backend";
import { BandupStack, OfflineProviderSettings } from "./bandup-stack";
import { BOOTSTRAP, BOOTSTRAP_STACK_NAME, BootstrapSettings, resolveBootstrapSettings } from "./bootstrap-settings";
import { BootstrapStack } from "./bootstrap-stack";
import { allEnvironments, ENVIRONMENTS, EnvironmentSettings, ResolvedEnvironment, stackName } from "./environments";

// cdktf 0.21's TerraformOutput calls `util.isArray`, which Node.js 22 deprecates at run time
// (DEP0044): every synth with an output printed a DeprecationWarning on stderr. `util.isArray` is an
// alias of `Array.isArray` (Node's docs); the same function without the warning. cdktf is sunset, so no
// upstream fix will come; remove this when the app moves to CDK Terrain with the fix.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("util") as { isArray: (value: unknown) => boolean }).isArray = Array.isArray;

/** Props of `buildBandupApp`. */
export interface BandupAppProps {
  /**
   * Settings of every environment: one stack each, in this order.
   * @default ENVIRONMENTS - the environments of stacks/environments.ts
   */
  readonly environments?: Readonly<Record<string, EnvironmentSettings>>;
  /**
   * The cdktf context of the app.
   * @default - `CDKTF_CONTEXT_JSON` when the cdktf CLI runs the app, else the `context` of cdktf.json
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /**
   * Where each stack keeps its state: one setting for all, or one per environment.
   * @default - resolved from the environment variables and the `bandupBackend` context (stacks/backend.ts)
   */
  readonly backend?: BackendSettings | ((environment: ResolvedEnvironment) => BackendSettings);
  /**
   * The app to add the stacks to (a test's `Testing.app()`, say); `outdir` and `context` then do not apply.
   * @default - a new App writing to `outdir`
   */
  readonly app?: App;
  /**
   * Folder the app synthesizes into.
   * @default - cdktf's default: `CDKTF_OUTDIR`, else `cdktf.out`
   */
  readonly outdir?: string;
  /**
   * Test-only provider settings that let `terraform plan` run offline (see `BandupStack`).
   * @default - none: the provider checks credentials as usual
   */
  readonly offlineProvider?: OfflineProviderSettings;
  /**
   * Settings of the bootstrap stack (`bandup-bootstrap`: state bucket, OIDC provider, roles).
   * @default BOOTSTRAP - the settings of stacks/bootstrap-settings.ts
   */
  readonly bootstrap?: BootstrapSettings;
  /**
   * Leave the validations out of `app.synth()`, for a caller that runs every one of them itself just
   * before (the synth command's `assertStacksValid`): cdktf would otherwise run them, guardrails
   * included, a second time. Does not apply to a given `app`.
   * @default false
   */
  readonly skipValidation?: boolean;
}

/** The app, its stacks in the order of the environments, and the bootstrap stack that serves them. */
export interface BandupApp {
  readonly app: App;
  readonly stacks: readonly BandupStack[];
  /** `bandup-bootstrap`: built after the environment stacks, from them. */
  readonly bootstrap: BootstrapStack;
}

/** The context `cdktf synth` hands the app (`CDKTF_CONTEXT_JSON`), or cdktf.json's own when run directly. */
export function readAppContext(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  if (env.CDKTF_CONTEXT_JSON) return JSON.parse(env.CDKTF_CONTEXT_JSON);
  return JSON.parse(readFileSync(join(PROJECT_ROOT, "cdktf.json"), "utf8")).context ?? {};
}

/**
 * Resolves and validates every setting first (environments, backend, bootstrap), and only then creates
 * the app, one `BandupStack` per environment and, after them, the `BootstrapStack` whose roles are
 * derived from them: a bad setting throws before anything touches the output folder. Nothing is
 * synthesized here.
 */
export function buildBandupApp(props: BandupAppProps = {}): BandupApp {
  const environments = allEnvironments(props.environments ?? ENVIRONMENTS);
  const context = props.context ?? (props.app ? undefined : readAppContext());
  let backendOf: (environment: ResolvedEnvironment) => BackendSettings;
  // The bootstrap keeps its state where the environments do (local, or the bucket once it exists); a
  // per-environment choice (tests) leaves it local.
  let bootstrapBackend: BackendSettings = { type: "local" };
  if (typeof props.backend === "function") {
    backendOf = props.backend;
  } else {
    const backendContext = (context ?? {})[BACKEND_CONTEXT_KEY] ?? props.app?.node.tryGetContext(BACKEND_CONTEXT_KEY);
    const backend = props.backend ?? resolveBackendSettings(process.env, backendContext as BackendContext | undefined);
    backendOf = () => backend;
    bootstrapBackend = backend;
  }
  const backends = environments.map(backendOf);
  const bootstrapSettings = resolveBootstrapSettings(props.bootstrap ?? BOOTSTRAP, environments);

  const app =
    props.app ??
    new App({ context: { ...context }, ...(props.outdir !== undefined && { outdir: props.outdir }), ...(props.skipValidation && { skipValidation: true }) });
  const stacks = environments.map(
    (environment, i) =>
      new BandupStack(app, stackName(environment.name), {
        environment,
        backend: backends[i],
        offlineProvider: props.offlineProvider,
      }),
  );
  const bootstrap = new BootstrapStack(app, BOOTSTRAP_STACK_NAME, {
    settings: bootstrapSettings,
    environmentStacks: stacks,
    backend: bootstrapBackend,
    offlineProvider: props.offlineProvider,
  });
  return { app, stacks, bootstrap };
}
