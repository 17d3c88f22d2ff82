/**
 * Keeps a secret (the model API key) out of everything this code stores, throws or logs. Upstream
 * text can carry it: an API error that quotes the key it refused, a proxy that echoes the request
 * URL, a model that repeats what it was sent. Every such text passes through a `Redactor` that
 * knows the secret, in its plain form and in the encoded forms it takes inside JSON and URLs.
 */

/** What replaces a secret. */
export const REDACTED = "[redacted]";

/** Replaces every known secret in a text; `add` teaches it one more. */
export interface Redactor {
  (text: string): string;
  add(secret: string): void;
}

/** The spellings a secret takes in the texts that reach us: plain, JSON-escaped, URL-encoded. */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [...new Set([secret, json, encodeURIComponent(secret), encodeURIComponent(json)])].filter((s) => s.length > 0);
}

/** A redactor; secrets can be added later (the key is read on the first model call). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  let forms: string[] = [];
  const redact = ((text: string): string => {
    let result = text;
    for (const form of forms) result = result.split(form).join(REDACTED);
    return result;
  }) as Redactor;
  redact.add = (secret: string) => {
    if (secret === "") return;
    // Longest first, so a longer spelling is not cut by a shorter one it contains.
    forms = [...new Set([...forms, ...spellings(secret)])].sort((a, b) => b.length - a.length);
  };
  for (const secret of secrets) redact.add(secret);
  return redact;
}

/** The same error with its message, stack, other own strings and `cause` chain redacted in place. */
export function redactError<E>(error: E, redact: (text: string) => string, depth = 0): E {
  if (!(error instanceof Error)) return (typeof error === "string" ? redact(error) : error) as E;
  for (const name of Object.getOwnPropertyNames(error)) {
    const value = (error as unknown as Record<string, unknown>)[name];
    if (name === "cause" && value instanceof Error && depth < 5) {
      redactError(value, redact, depth + 1);
    } else if (typeof value === "string") {
      try {
        (error as unknown as Record<string, unknown>)[name] = redact(value);
      } catch {
        // A read-only property: left as is (message and stack are writable).
      }
    }
  }
  return error;
}
