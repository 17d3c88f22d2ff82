/** Helpers for conditional writes shared by both repositories. */

/** True for DynamoDB's answer to a failed ConditionExpression (checked by name: robust across bundles). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** Renders a key for messages, e.g. {"evaluation_id":"eval-1","user_id":"user-1"}. */
export function describeKey(key: Readonly<Record<string, string>>): string {
  return JSON.stringify(key);
}

/** Longest `error_message` stored; longer ones are cut (a failure must still be recordable). */
export const MAX_ERROR_MESSAGE_LENGTH = 4_000;

/** Trims and caps an error message for storage. */
export function storedErrorMessage(message: string): string {
  const trimmed = message.trim();
  return trimmed.length <= MAX_ERROR_MESSAGE_LENGTH ? trimmed : `${trimmed.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
}

/** Current Unix time in whole seconds. */
export const unixSeconds = (): number => Math.floor(Date.now() / 1000);
