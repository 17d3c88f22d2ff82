/**
 * What a Lambda bundle is made of: the same esbuild build as constructs/lambda-bundle.ts (options
 * copied from there; keep them in step), with its metafile grouped by package: bytes each package
 * contributes to index.js.
 */
import { buildSync } from "esbuild";
import { join } from "path";

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
  const result = buildSync({
    entryPoints: [join(projectRoot, "lambda-src", entry)],
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
    outfile: "index.js",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile!.outputs).find((o) => o.entryPoint !== undefined)!;
  const shares = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    shares.set(name, (shares.get(name) ?? 0) + bytesInOutput);
  }
  return [...shares.entries()].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}
