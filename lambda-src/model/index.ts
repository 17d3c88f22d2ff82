/** The model port, its Gemini implementation and the answer checks, in one import. */
export * from "./model-client";
export * from "./gemini-client";
export * from "./answer";
export * from "./from-environment";
