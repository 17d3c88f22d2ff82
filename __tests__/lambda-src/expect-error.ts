/** Asserts a rejection's class and its exact message (jest's toThrow(string) only checks a substring). */
export async function expectRejection(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => Error,
  message: string,
): Promise<Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect((caught as Error).message).toBe(message);
  return caught as Error;
}

/** The same for a synchronous call. */
export function expectThrow(fn: () => unknown, errorClass: abstract new (...args: never[]) => Error, message: string): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect((caught as Error).message).toBe(message);
  return caught as Error;
}
