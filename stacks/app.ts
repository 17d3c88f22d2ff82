/**
 * The app builder: settings in, stacks out. `main.ts`, `npm run guardrails`, the bench and the test
 * helpers all build their stacks here, so what they check and measure is what `npm run synth` writes.
 */
import { App } from "cdktf";
import { readFileSync } from "fs";
import { join } from "path";
import { BuildInputError } from "../constructs/build-input-error";
import { PROJECT_ROOT } from "../constructs/project-root";
import { AppValidationError, assertStacksValid } from "../guardrails/apply";
import { BACKEND_CONTEXT_KEY, BackendConfigError, BackendContext, BackendSettings, resolveBackendSettings } from "./backend";
import { BandupStack, OfflineProviderSettings } from "./bandup-stack";
import { BOOTSTRAP, BOOTSTRAP_STACK_NAME, BootstrapConfigError, BootstrapSettings, ResolvedBootstrapSettings, resolveBootstrapSettings } from "./bootstrap-settings";
import { BootstrapStack } from "./bootstrap-stack";
import { ENVIRONMENTS, EnvironmentSettings, ResolvedEnvironment, resolveEnvironments, stackName } from "./environments";

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
   * before (the synth command's `checkBandupApp`): cdktf would otherwise run them, guardrails
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

/** Every setting of the app resolved, each kind's problems as the error that kind throws. */
interface AppSettings {
  readonly environments: readonly ResolvedEnvironment[];
  /** The backend of each environment's stack; undefined when the backend settings are wrong. */
  readonly backendOf?: (environment: ResolvedEnvironment) => BackendSettings;
  readonly bootstrapBackend: BackendSettings;
  /** Undefined when the bootstrap settings are wrong. */
  readonly bootstrap?: ResolvedBootstrapSettings;
  readonly context?: Readonly<Record<string, unknown>>;
  /** In this order: the environments', the backend's, the bootstrap's. */
  readonly errors: readonly Error[];
  /** The environments without a problem of their own. */
  readonly validEnvironments: readonly ResolvedEnvironment[];
}

/** Resolves every setting, each kind even when another is wrong: the bootstrap is checked against every environment, valid or not. */
function resolveAppSettings(props: BandupAppProps): AppSettings {
  const errors: Error[] = [];
  const environments = resolveEnvironments(props.environments ?? ENVIRONMENTS);
  if (environments.error !== undefined) errors.push(environments.error);
  const context = props.context ?? (props.app ? undefined : readAppContext());
  let backendOf: AppSettings["backendOf"];
  // The bootstrap keeps its state where the environments do (local, or the bucket once it exists); a
  // per-environment choice (tests) leaves it local.
  let bootstrapBackend: BackendSettings = { type: "local" };
  if (typeof props.backend === "function") {
    backendOf = props.backend;
  } else {
    const backendContext = (context ?? {})[BACKEND_CONTEXT_KEY] ?? props.app?.node.tryGetContext(BACKEND_CONTEXT_KEY);
    try {
      const backend = props.backend ?? resolveBackendSettings(process.env, backendContext as BackendContext | undefined);
      backendOf = () => backend;
      bootstrapBackend = backend;
    } catch (error) {
      if (!(error instanceof BackendConfigError)) throw error;
      errors.push(error);
    }
  }
  let bootstrap: ResolvedBootstrapSettings | undefined;
  try {
    bootstrap = resolveBootstrapSettings(props.bootstrap ?? BOOTSTRAP, environments.resolved);
  } catch (error) {
    if (!(error instanceof BootstrapConfigError)) throw error;
    errors.push(error);
  }
  return { environments: environments.resolved, validEnvironments: environments.valid, backendOf, bootstrapBackend, bootstrap, context, errors };
}

/** The app and its stacks for these environments, and the bootstrap stack when its settings are given. */
function createApp(
  props: BandupAppProps,
  settings: Pick<AppSettings, "context" | "bootstrapBackend">,
  environments: readonly ResolvedEnvironment[],
  backendOf: (environment: ResolvedEnvironment) => BackendSettings,
  bootstrapSettings: ResolvedBootstrapSettings | undefined,
): { app: App; stacks: BandupStack[]; bootstrap?: BootstrapStack } {
  const backends = environments.map(backendOf);
  const app =
    props.app ??
    new App({
      context: { ...settings.context },
      ...(props.outdir !== undefined && { outdir: props.outdir }),
      ...(props.skipValidation && { skipValidation: true }),
    });
  const stacks = environments.map(
    (environment, i) =>
      new BandupStack(app, stackName(environment.name), {
        environment,
        backend: backends[i],
        offlineProvider: props.offlineProvider,
      }),
  );
  const bootstrap =
    bootstrapSettings &&
    new BootstrapStack(app, BOOTSTRAP_STACK_NAME, {
      settings: bootstrapSettings,
      environmentStacks: stacks,
      backend: settings.bootstrapBackend,
      offlineProvider: props.offlineProvider,
    });
  return { app, stacks, bootstrap };
}

/**
 * Resolves and validates every setting first (environments, backend, bootstrap: every problem of all
 * three at once), and only then creates the app, one `BandupStack` per environment and, after them, the
 * `BootstrapStack` whose roles are derived from them: a bad setting throws before anything touches the
 * output folder. Nothing is synthesized here, and the stacks' own validations do not run
 * (`checkBandupApp` runs them).
 */
export function buildBandupApp(props: BandupAppProps = {}): BandupApp {
  const settings = resolveAppSettings(props);
  if (settings.errors.length > 0) throw oneError(settings.errors);
  const built = createApp(props, settings, settings.environments, settings.backendOf!, settings.bootstrap);
  return { app: built.app, stacks: built.stacks, bootstrap: built.bootstrap! };
}

/** Apps whose every validation `checkBandupApp` has run: `validateBandupApp` does not run them again. */
const checkedApps = new WeakSet<App>();

/**
 * Every check synth runs: the validations of every construct of the app (each stack's guardrails, each
 * construct's checks of its props, and whatever validation a stack or construct adds), all stacks' at
 * once, as one `AppValidationError`. The synth command (scripts/lib/synth-app.ts) runs it before it
 * writes; for an app `checkBandupApp` returned it does nothing more: that one is checked already.
 */
export function validateBandupApp(built: BandupApp): void {
  if (checkedApps.has(built.app)) return;
  assertStacksValid(built.app);
}

/**
 * Thrown by `checkBandupApp` and `buildBandupApp` when problems of more than one kind were found: the
 * environments', the backend's, the bootstrap's settings, the stacks' validations. Each part keeps the
 * error its kind throws alone (and its own fix, scripts/lib/run-command.ts).
 */
export class AppProblemsError extends Error {
  constructor(readonly errors: readonly Error[]) {
    super(errors.map((e) => e.message.trimEnd()).join("\n\n"));
    this.name = "AppProblemsError";
  }
}

function oneError(errors: readonly Error[]): Error {
  return errors.length === 1 ? errors[0] : new AppProblemsError(errors);
}

/**
 * The app-level check: every problem that would stop synth, in one round, and the app when there is
 * none. `npm run synth` (main.ts) runs it before it writes, `npm run environments` before it lists, so
 * the workflows' first job refuses what synth refuses, a check added to a stack's validation included.
 * When some settings are wrong, the stacks of the environments that are right (and the bootstrap's,
 * when its settings are right) are still built and validated, and their problems reported with the
 * settings' ones: one `AppProblemsError`, or the one error when only one kind was found.
 */
export function checkBandupApp(props: BandupAppProps = {}): BandupApp {
  const settings = resolveAppSettings(props);
  if (settings.errors.length === 0) {
    const built = createApp(props, settings, settings.environments, settings.backendOf!, settings.bootstrap);
    const app: BandupApp = { app: built.app, stacks: built.stacks, bootstrap: built.bootstrap! };
    validateBandupApp(app);
    checkedApps.add(app.app);
    return app;
  }
  const errors = [...settings.errors];
  try {
    // The backend only says where state is kept: a wrong one does not keep the stacks from being checked.
    const built = createApp(props, settings, settings.validEnvironments, settings.backendOf ?? (() => ({ type: "local" })), settings.bootstrap);
    assertStacksValid(built.app);
  } catch (error) {
    if (!(error instanceof AppValidationError || error instanceof BuildInputError)) throw error;
    errors.push(error);
  }
  throw oneError(errors);
}
