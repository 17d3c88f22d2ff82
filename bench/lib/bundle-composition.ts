/**
 * What a Lambda bundle is made of: the same esbuild builds as constructs/lambda-bundle.ts (options
 * copied from there; keep them in step): index.js, and sdk.js with the SDK modules it loads on first
 * use, their metafiles grouped by package: bytes each package contributes to the two files.
 */
import { buildSync, type BuildOptions, type Metafile } from "esbuild";
import { join } from "path";
import type * as LambdaBundleModule from "../../constructs/lambda-bundle";

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

export function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1];
  const project = /^(lambda-src\/[^/]+)\//.exec(input);
  return project ? project[1] : input;
}

export function bundleComposition(
  projectRoot: string,
  entry: string,
  options: { external?: readonly string[]; environmentCredentialsOnly?: boolean } = {},
): PackageShare[] {
  // Required here, not imported: the bench's bundles step loads constructs/lambda-bundle.ts itself,
  // first, with its build cache off (bench/steps/bundles.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SDK_FILE, SDK_MODULES } = require("../../constructs/lambda-bundle") as typeof LambdaBundleModule;
  const common: BuildOptions = {
    absWorkingDir: projectRoot,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    treeShaking: true,
    external: [...(options.external ?? [])],
    alias:
      options.environmentCredentialsOnly ?? true
        ? { "@aws-sdk/credential-provider-node": "./lambda-src/shared/lambda-credentials.ts" }
        : {},
    legalComments: "none",
    write: false,
    metafile: true,
    logLevel: "silent",
  };
  const result = buildSync({
    ...common,
    entryPoints: [join(projectRoot, "lambda-src", entry)],
    outfile: "index.js",
    define: { BANDUP_SDK_FILE: JSON.stringify(`./${SDK_FILE}`) },
  });
  const metafiles: Metafile[] = [result.metafile!];
  const loaded = Object.keys(result.metafile!.inputs);
  const sdkModules = Object.entries(SDK_MODULES).filter(([, loader]) => loaded.includes(loader)).map(([module]) => module);
  if (sdkModules.length > 0) {
    const sdk = buildSync({
      ...common,
      stdin: { contents: sdkModules.map((module) => `export * from "./${module}";`).join("\n"), resolveDir: projectRoot, sourcefile: "sdk-modules.ts", loader: "ts" },
      outfile: SDK_FILE,
    });
    metafiles.push(sdk.metafile!);
  }
  const shares = new Map<string, number>();
  for (const output of metafiles.flatMap((metafile) => Object.values(metafile.outputs))) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (input === "<stdin>") continue;
      const name = packageOf(input);
      shares.set(name, (shares.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...shares.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}
