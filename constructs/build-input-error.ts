/**
 * Thrown when a file or package that a build needs is not there (a Lambda entry module, a layer's
 * npm package): a mistake in the project, not a bug of the app, so the synth prints the message alone.
 */
export class BuildInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildInputError";
  }
}
