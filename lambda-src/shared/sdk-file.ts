/**
 * Where the AWS SDK's modules are at run time. In a Lambda bundle, `BANDUP_SDK_FILE` is defined by
 * the bundler (constructs/lambda-bundle.ts: `sdk.js` beside `index.js`, holding the client modules
 * the function uses and the SDK they import); each loader of an SDK module writes
 *
 *   typeof BANDUP_SDK_FILE === "string" ? requireSdkFile<typeof import("./x-client")>() : import("./x-client")
 *
 * so that in the bundle the `import()` is dead code (not bundled) and `sdk.js` is required on the
 * first request, not at cold start; elsewhere (tests, tsx) the module is imported as it is.
 */
import { createRequire } from "node:module";

declare global {
  /** Defined by the Lambda bundler only: the path of the SDK file relative to the bundle's `index.js`. */
  const BANDUP_SDK_FILE: string | undefined;
}

/** The SDK file's exports (every SDK module of the function), as the loader's module type `T`. */
export function requireSdkFile<T>(): Promise<T> {
  return Promise.resolve(createRequire(__filename)(BANDUP_SDK_FILE as string) as T);
}
