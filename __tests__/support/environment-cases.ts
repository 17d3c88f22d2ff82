/**
 * The environments the stack tests check, derived from the settings: every entry of `ENVIRONMENTS`,
 * and one more added to a copy of them the way the README's "Adding an environment" says. Each
 * comes with what the README promises for it (names, region, protection, retention), worked out
 * here from the documented defaults rather than by the code under test.
 */
import { ENVIRONMENTS, EnvironmentSettings, stackName } from "../../stacks/environments";

/**
 * The design's three environments, which the docs' examples show (the README's gh commands, its tables):
 * an example stays true when an environment is added; every other list comes from `ENVIRONMENTS`.
 */
export const DESIGN_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/** `ENVIRONMENTS` as the design has them, for the docs' examples: the design's three only, as they are set. */
export function designSettings(): Readonly<Record<string, EnvironmentSettings>> {
  return Object.fromEntries(DESIGN_ENVIRONMENTS.map((name) => [name, ENVIRONMENTS[name]]));
}

/**
 * A name for an environment a test adds, that no environment of `ENVIRONMENTS` has: `base`, or `base2`,
 * `base3`... once the settings have one of their own (as after following the docs' recipe with `qa`).
 * Every test that adds a hypothetical environment names it with this.
 */
export function unusedEnvironmentName(base: string): string {
  let name = base;
  for (let i = 2; Object.prototype.hasOwnProperty.call(ENVIRONMENTS, name); i++) name = `${base}${i}`;
  return name;
}

/** The environment a test adds to a copy of the settings: the README's example, under a name no real environment has. */
export const ADDED_ENVIRONMENT: { readonly name: string; readonly settings: EnvironmentSettings } = {
  name: unusedEnvironmentName("qa"),
  settings: { stage: "staging", region: "ap-southeast-1" },
};

/** `ENVIRONMENTS` with `ADDED_ENVIRONMENT` added: a copy, the real settings stay as they are. */
export const SETTINGS_WITH_ADDED_ENVIRONMENT: Readonly<Record<string, EnvironmentSettings>> = {
  ...ENVIRONMENTS,
  [ADDED_ENVIRONMENT.name]: ADDED_ENVIRONMENT.settings,
};

/** What the README says an environment with these settings gets. */
export interface ExpectedEnvironment {
  readonly stack: string;
  /** The stage set, else the name for dev, staging and prod, else prod (the last turn). */
  readonly stage: string;
  readonly region: string;
  readonly protected: boolean;
  /** `""` in prod (the design's names), `-<env>` elsewhere. */
  readonly suffix: string;
  readonly tableNames: { readonly evaluations: string; readonly "flashcard-sets": string };
  readonly logRetentionDays: number;
  readonly modelId: string;
  readonly modelApiKeyParameter: string;
  readonly uploadsBucket: string;
  /** The `Environment` tag: the design's `production` in prod, the environment's name elsewhere. */
  readonly environmentTag: string;
}

export function expectedEnvironment(name: string, settings: EnvironmentSettings): ExpectedEnvironment {
  const isProd = name === "prod";
  const suffix = isProd ? "" : `-${name}`;
  const isProtected = settings.protected ?? isProd;
  return {
    stack: stackName(name),
    stage: settings.stage ?? (["dev", "staging", "prod"].includes(name) ? name : "prod"),
    region: settings.region ?? "us-east-1",
    protected: isProtected,
    suffix,
    tableNames: {
      evaluations: settings.tableNames?.evaluations ?? `bandup-evaluations${suffix}`,
      "flashcard-sets": settings.tableNames?.["flashcard-sets"] ?? `bandup-flashcard-sets${suffix}`,
    },
    logRetentionDays: settings.logRetentionDays ?? (isProtected ? 365 : 30),
    modelId: settings.modelId ?? "gemini-2.5-flash",
    modelApiKeyParameter: settings.modelApiKeyParameter ?? `/bandup/${name}/gemini-api-key`,
    uploadsBucket: settings.uploadsBucket ?? `bandup-uploads${suffix}`,
    environmentTag: settings.environmentTag ?? (isProd ? "production" : name),
  };
}

/** One environment a test checks: its name, settings, what it should get, and whether it is the added one. */
export interface EnvironmentCase {
  readonly name: string;
  readonly settings: EnvironmentSettings;
  readonly expected: ExpectedEnvironment;
  readonly added: boolean;
}

/** Every real environment, then the added one. */
export const ENVIRONMENT_CASES: readonly EnvironmentCase[] = Object.entries(SETTINGS_WITH_ADDED_ENVIRONMENT).map(([name, settings]) => ({
  name,
  settings,
  expected: expectedEnvironment(name, settings),
  added: name === ADDED_ENVIRONMENT.name,
}));
