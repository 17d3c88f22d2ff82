/**
 * Keeps a secret (the model API key) out of everything this code stores, throws or logs. Upstream
 * text can carry it: an API error that quotes the key it refused, a proxy that echoes the request
 * URL, a model that repeats what it was sent. Every such text passes through a `Redactor` that
 * knows the secret.
 *
 * Redaction runs over decoded strings only: a parsed JSON string, an error's message, a log field,
 * never a raw body or a JSON text (whose escapes would hide the key and whose structure a
 * replacement could break). Within a string it first decodes what can still hide the key: `\uXXXX`
 * and `\xXX` escapes (a string escaped twice), percent-encoding; then it replaces the key in any
 * letter case, and every base64 run (standard or URL-safe alphabet, at any alignment) whose decoded
 * bytes hold it. A string that holds no secret comes back unchanged.
 */

/** What replaces a secret. */
export const REDACTED = "[redacted]";

/** Replaces every known secret in a text; `add` teaches it one more; `finds` says whether a text holds one. */
export interface Redactor {
  (text: string): string;
  add(secret: string): void;
  /**
   * Whether `text` holds a secret in any spelling the redactor replaces, or a piece of one at least
   * `FRAGMENT_LENGTH` characters long (a secret split over several strings).
   */
  finds(text: string): boolean;
}

/** Shortest piece of a secret `finds` reports: 10 characters of a random key appear by chance in no text. */
export const FRAGMENT_LENGTH = 10;

/** `text` with `\uXXXX` / `\xXX` escapes and percent-encoded runs decoded (a run that does not decode is kept). */
export function decodeEscapes(text: string): string {
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g, (_match, u: string | undefined, x: string | undefined) =>
    String.fromCharCode(parseInt(u ?? x ?? "", 16)),
  );
  return unescaped.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Runs of base64 characters (either alphabet) long enough to hold a secret's 10 characters. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{14,}={0,2}/g;

/** The texts a base64 run may decode to: from each of its first 4 characters (the run may start mid-quantum). */
function base64Decodings(run: string): string[] {
  const decodings: string[] = [];
  for (let offset = 0; offset < 4 && run.length - offset >= 8; offset++) {
    decodings.push(Buffer.from(run.slice(offset).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1").toLowerCase());
  }
  return decodings;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A redactor; secrets can be added later (the key is read on the first model call). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const known: string[] = [];
  let pattern: RegExp | undefined;

  const holdsInBase64 = (run: string) => base64Decodings(run).some((decoded) => known.some((secret) => decoded.includes(secret.toLowerCase())));

  /** `decoded` with every secret replaced (the same string when it holds none). */
  const replaceIn = (decoded: string): string =>
    decoded.replace(pattern!, REDACTED).replace(BASE64_RUN, (run) => (holdsInBase64(run) ? REDACTED : run));

  // A text that holds no secret is returned as it is, its escapes kept (a message may show
  // `\u200b` on purpose); one that does is returned decoded, each secret replaced.
  const redact = ((text: string): string => {
    if (pattern === undefined) return text;
    const decoded = decodeEscapes(text);
    const replaced = replaceIn(decoded);
    return replaced === decoded ? text : replaced;
  }) as Redactor;

  redact.add = (secret: string) => {
    if (secret === "" || known.includes(secret)) return;
    known.push(secret);
    // Longest first, so a longer secret is not cut by a shorter one it contains.
    known.sort((a, b) => b.length - a.length);
    pattern = new RegExp(known.map(escapeRegExp).join("|"), "gi");
  };

  redact.finds = (text: string): boolean => {
    if (pattern === undefined) return false;
    const decoded = decodeEscapes(text);
    if (replaceIn(decoded) !== decoded) return true;
    const lower = decoded.toLowerCase();
    return known.some((secret) => {
      const key = secret.toLowerCase();
      if (key.length < FRAGMENT_LENGTH) return false;
      for (let i = 0; i + FRAGMENT_LENGTH <= key.length; i++) if (lower.includes(key.slice(i, i + FRAGMENT_LENGTH))) return true;
      return false;
    });
  };

  for (const secret of secrets) redact.add(secret);
  return redact;
}

/** Every string of a value (a parsed JSON answer, a log line's fields) passed through `redact`, keys too. */
export function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redact));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [redact(name), redactStrings(item, redact)]));
  }
  return value;
}

/** Every string of a value (keys too), depth first: what `Redactor.finds` looks through. */
export function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, into);
  else if (typeof value === "object" && value !== null) {
    for (const [name, item] of Object.entries(value)) {
      into.push(name);
      stringsOf(item, into);
    }
  }
  return into;
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
