/** Writes a file atomically (write a temporary file beside it, then rename); see write-atomically.cjs. */
export declare function writeAtomically(path: string, contents: Uint8Array | string): void;
