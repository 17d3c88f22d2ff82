import { PutItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { evaluationsRepositoryFromEnvironment, flashcardSetsRepositoryFromEnvironment } from "../../lambda-src/data";
import { CLIENT_DEFAULTS, createDocumentClient, getDocumentClient } from "../../lambda-src/data/dynamodb-client";
import { bandFromNumber, BANDS, isBand, overallBand, type Band } from "../../lambda-src/shared/bands";
import { answerOverallBand, MalformedModelAnswerError } from "../../lambda-src/model/answer";
import { loadEvaluationsTableName, loadFlashcardSetsTableName } from "../../lambda-src/shared/config";
import { decodeEvaluation, decodeFlashcardSet } from "../../lambda-src/shared/decode";
import { ConfigurationError, describeText, describeUntrusted, InvalidInputError, ItemTooLargeError, MalformedItemError, shortHash } from "../../lambda-src/shared/errors";
import { loadTimeoutSeconds } from "../../lambda-src/shared/function-config";
import { FLASHCARD_GENERATOR, WRITING_EVALUATOR } from "../../lambda-src/contract/function-definitions";
import { itemSizeBytes, MAX_ITEM_SIZE_BYTES, numberSizeBytes } from "../../lambda-src/shared/item-size";
import type { EvaluationKey, FlashcardSetKey } from "../../lambda-src/shared/models";
import { EVALUATIONS_TABLE, FLASHCARD_SETS_TABLE } from "../../lambda-src/contract/table-definitions";
import { ensureItemSize, ensureKey, VISIBLE_ID_RULE } from "../../lambda-src/shared/validation";
import { inputHash } from "../../lambda-src/shared/input-hash";
import { createRedactor, decodeEscapes, redactError } from "../../lambda-src/shared/redact";
import { isWellFormedUnicode } from "../../lambda-src/shared/text";
import { useDynalite } from "../support/dynalite";
import { expectThrow } from "./expect-error";

const db = useDynalite();

describe("bands", () => {
  test("the scale is 0.0 to 9.0 in steps of 0.5, one decimal", () => {
    expect(BANDS).toHaveLength(19);
    expect(BANDS[0]).toBe("0.0");
    expect(BANDS[18]).toBe("9.0");
    expect(["6.5", "7.0", "0.0", "9.0"].every(isBand)).toBe(true);
    expect(["9.5", "7", "6.50", "-0.5", " 6.5", 6.5].some(isBand)).toBe(false);
  });

  test("bandFromNumber formats on-scale numbers and refuses the rest", () => {
    expect(bandFromNumber(7)).toBe("7.0");
    expect(bandFromNumber(6.5)).toBe("6.5");
    expect(bandFromNumber(6.25)).toBeUndefined();
    expect(bandFromNumber(9.5)).toBeUndefined();
    expect(bandFromNumber(6.55)).toBeUndefined();
    expect(bandFromNumber(Number.NaN)).toBeUndefined();
  });
});

describe("the IELTS overall band", () => {
  /** The rule as ielts.org words it, on the mean's fraction (the mean of four half bands ends in .0, .125, ... .875). */
  function byTheRuleText(criteria: readonly Band[]): string {
    const mean = criteria.reduce((sum, band) => sum + Number(band), 0) / 4;
    const whole = Math.floor(mean);
    const fraction = mean - whole;
    // Nearest half band; .25 up to the next half band, .75 up to the next whole band.
    const rounded = fraction < 0.25 ? whole : fraction < 0.75 ? whole + 0.5 : whole + 1;
    return rounded.toFixed(1);
  }

  test.each<[readonly Band[], Band, string]>([
    [["7.0", "7.0", "7.0", "7.0"], "7.0", "7.0"],
    [["6.5", "6.0", "6.0", "6.0"], "6.0", "6.125"],
    [["6.5", "6.5", "6.0", "6.0"], "6.5", "6.25: up to the next half band"],
    [["6.5", "6.5", "6.5", "6.0"], "6.5", "6.375"],
    [["7.0", "6.5", "6.5", "6.5"], "6.5", "6.625"],
    [["7.0", "7.0", "6.5", "6.5"], "7.0", "6.75: up to the next whole band"],
    [["7.0", "7.0", "7.0", "6.5"], "7.0", "6.875"],
    [["0.0", "0.0", "0.0", "0.5"], "0.0", "0.125"],
    [["9.0", "9.0", "9.0", "8.0"], "9.0", "8.75"],
    [["1.0", "1.0", "1.0", "1.0"], "1.0", "1.0"],
  ])("%j gives %s (mean %s)", (criteria, expected) => {
    expect(overallBand(criteria)).toBe(expected);
  });

  test("every one of the 19^4 combinations follows the rule's text", () => {
    let checked = 0;
    for (const a of BANDS) for (const b of BANDS) for (const c of BANDS) for (const d of BANDS) {
      const criteria = [a, b, c, d] as const;
      if (overallBand(criteria) !== byTheRuleText(criteria)) throw new Error(`${criteria.join(", ")}: ${overallBand(criteria)}, the rule says ${byTheRuleText(criteria)}`);
      checked++;
    }
    expect(checked).toBe(19 ** 4);
  });

  const criteria = ["task_achievement_band", "coherence_band", "lexical_band", "grammar_band"];
  const answerWith = (bands: string[], overall: unknown) => Object.fromEntries([...criteria.map((field, i) => [field, bands[i]]), ["overall_band", overall]]);

  test("a model's overall band within half a band of the rule's is replaced by the rule's; the model's is reported", () => {
    expect(answerOverallBand(answerWith(["7.0", "7.0", "6.5", "6.5"], "6.5"), criteria)).toEqual({ band: "7.0", modelBand: "6.5" });
    expect(answerOverallBand(answerWith(["7.0", "7.0", "6.5", "6.5"], 7), criteria)).toEqual({ band: "7.0", modelBand: "7.0" });
    expect(answerOverallBand(answerWith(["7.0", "7.0", "6.5", "6.5"], "7.5"), criteria)).toEqual({ band: "7.0", modelBand: "7.5" });
  });

  test("further off, the answer contradicts itself and is refused", () => {
    expect(() => answerOverallBand(answerWith(["1.0", "1.0", "1.0", "1.0"], "9.0"), criteria)).toThrow(
      new MalformedModelAnswerError(
        "overall_band",
        "must be the mean of the four criteria rounded to the nearest half band as IELTS rounds it (1.0 from 1.0, 1.0, 1.0, 1.0), or within half a band of it",
        "9.0",
      ),
    );
    expect(() => answerOverallBand(answerWith(["7.0", "7.0", "6.5", "6.5"], "8.0"), criteria)).toThrow(MalformedModelAnswerError);
  });
});

describe("item size", () => {
  test("names and values counted as DynamoDB does", () => {
    expect(itemSizeBytes({ a: "é" })).toBe(1 + 2); // UTF-8 bytes, not characters
    expect(numberSizeBytes(1733644800)).toBe(5); // 17336448: 8 significant digits -> 4 + 1
    expect(numberSizeBytes(185)).toBe(3);
    expect(numberSizeBytes(0)).toBe(2);
    expect(itemSizeBytes({ ok: true, n: null })).toBe(2 + 1 + 1 + 1);
    expect(itemSizeBytes({ l: ["ab", 1] })).toBe(1 + 3 + (1 + 2) + (1 + 2));
    expect(itemSizeBytes({ m: { k: "v" } })).toBe(1 + 3 + (1 + 1 + 1));
  });

  test("the limit is inclusive: 409600 bytes pass, 409601 are refused", () => {
    const item = (size: number) => ({ pk: "x".repeat(size - 2) });
    expect(itemSizeBytes(item(MAX_ITEM_SIZE_BYTES))).toBe(409600);
    expect(() => ensureItemSize(item(MAX_ITEM_SIZE_BYTES))).not.toThrow();
    expectThrow(
      () => ensureItemSize(item(MAX_ITEM_SIZE_BYTES + 1)),
      ItemTooLargeError,
      "`item` must be at most 409600 bytes (DynamoDB's 400 KB item limit, attribute names included); got 409601 bytes",
    );
  });

  test("the computed size agrees with the server at the boundary", async () => {
    // An evaluation-shaped item padded to exactly the limit, then one byte over: the server takes the
    // first and refuses the second, as the calculation predicts.
    const put = (item: Record<string, unknown>) => {
      const marshalled: Record<string, AttributeValue> = {};
      for (const [name, value] of Object.entries(item)) {
        marshalled[name] = typeof value === "number" ? { N: String(value) } : { S: String(value) };
      }
      return db().client.send(new PutItemCommand({ TableName: db().evaluationsTable, Item: marshalled }));
    };
    const base = { evaluation_id: "eval-size", user_id: "user-size", status: "processing", created_at: 1733644800, transcript: "" };
    const padding = MAX_ITEM_SIZE_BYTES - itemSizeBytes(base);
    const atLimit = { ...base, transcript: "t".repeat(padding) };
    expect(itemSizeBytes(atLimit)).toBe(MAX_ITEM_SIZE_BYTES);
    await expect(put(atLimit)).resolves.toBeDefined();
    await expect(put({ ...base, transcript: "t".repeat(padding + 1) })).rejects.toMatchObject({
      name: "ValidationException",
      message: "Item size has exceeded the maximum allowed size",
    });
  });
});

describe("decoder", () => {
  const WRITING_ITEM = {
    evaluation_id: "eval-abc123",
    user_id: "user-456",
    evaluation_type: "writing",
    status: "completed",
    overall_band: "7.0",
    task_achievement_band: "7.0",
    coherence_band: "6.5",
    lexical_band: "7.0",
    grammar_band: "6.5",
    feedback: '{"strengths":["a"],"weaknesses":[]}',
    model_used: "gemini-writing_task2",
    created_at: 1733644800,
  };
  const SET_ITEM = {
    set_id: "flashcard-set-123",
    user_id: "user-456",
    document_id: "uploads/documents/user-456/vocab-guide.pdf",
    status: "completed",
    flashcards: '[{"question":"What is...","answer":"..."}]',
    total_cards: 1,
    page_count: 8,
    chunk_count: 24,
    created_at: 1733644800,
  };

  test("decodes the design's items, parsing feedback and flashcards", () => {
    expect(decodeEvaluation(WRITING_ITEM)).toEqual({ ...WRITING_ITEM, feedback: { strengths: ["a"], weaknesses: [] } });
    expect(decodeFlashcardSet(SET_ITEM)).toEqual({ ...SET_ITEM, flashcards: [{ question: "What is...", answer: "..." }] });
  });

  const LABEL = 'malformed evaluation item (evaluation_id "eval-abc123", user_id "user-456")';
  const evaluationCases: [string, Record<string, unknown>, string][] = [
    ["an unknown status", { status: "done" }, `${LABEL}: \`status\` must be one of "processing", "completed", "failed"; got "done"`],
    ["an unknown type", { evaluation_type: "reading" }, `${LABEL}: \`evaluation_type\` must be one of "writing", "speaking"; got "reading"`],
    ["a band off the scale", { overall_band: "9.5" }, `${LABEL}: \`overall_band\` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got "9.5"`],
    ["non-JSON feedback", { feedback: "{oops" }, `${LABEL}: \`feedback\` must be a string holding a JSON object, like "{\\"strengths\\":[],\\"weaknesses\\":[]}"; got "{oops"`],
    ["a speaking field on a writing item", { fluency_band: "6.0" }, `${LABEL}: \`fluency_band\` does not belong to a completed writing evaluation; got "6.0"`],
    ["created_at as a string", { created_at: "1733644800" }, `${LABEL}: \`created_at\` must be Unix time in whole seconds (an integer from 0 to 9999999999); got "1733644800"`],
    ["a missing band", { grammar_band: undefined }, `${LABEL}: \`grammar_band\` must be a band from 0.0 to 9.0 in steps of 0.5 written with one decimal, like "6.5"; got undefined`],
  ];
  test.each(evaluationCases)("rejects an evaluation with %s", (_name, change, message) => {
    const item: Record<string, unknown> = { ...WRITING_ITEM, ...change };
    for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
    expectThrow(() => decodeEvaluation(item), MalformedItemError, message);
  });

  test("rejects results on a processing record", () => {
    const processing = { evaluation_id: "e", user_id: "u", evaluation_type: "speaking", status: "processing", created_at: 1, transcript: "hi" };
    expectThrow(
      () => decodeEvaluation(processing),
      MalformedItemError,
      'malformed evaluation item (evaluation_id "e", user_id "u"): `transcript` does not belong to a processing evaluation; got "hi"',
    );
  });

  const SET_LABEL = 'malformed flashcard set item (set_id "flashcard-set-123", user_id "user-456")';
  const setCases: [string, Record<string, unknown>, string][] = [
    ["flashcards that are not JSON", { flashcards: "[{" }, `${SET_LABEL}: \`flashcards\` must be a string holding a JSON array of {question, answer}; got "[{"`],
    ["a card without a question", { flashcards: '[{"answer":"a"}]' }, `${SET_LABEL}: \`flashcards[0].question\` must be a non-empty string; got undefined`],
    ["total_cards that disagrees", { total_cards: 15 }, `${SET_LABEL}: \`total_cards\` must equal the number of stored flashcards (1); got 15`],
  ];
  test.each(setCases)("rejects a flashcard set with %s", (_name, change, message) => {
    expectThrow(() => decodeFlashcardSet({ ...SET_ITEM, ...change }), MalformedItemError, message);
  });

  test("a non-object item", () => {
    expectThrow(() => decodeEvaluation(null), MalformedItemError, "malformed evaluation item: `item` must be an object; got null");
  });

  test("attributes the code does not know are ignored and left out; the lifecycle's are checked and left out", () => {
    const extra = { ttl: 1765180800, note: { by: "hand" }, input_hash: "a".repeat(64) };
    expect(decodeEvaluation({ ...WRITING_ITEM, ...extra })).toEqual(decodeEvaluation(WRITING_ITEM));
    expect(decodeFlashcardSet({ ...SET_ITEM, ...extra })).toEqual(decodeFlashcardSet(SET_ITEM));
    const processing = { evaluation_id: "e", user_id: "u", evaluation_type: "writing", status: "processing", created_at: 1 };
    expect(decodeEvaluation({ ...processing, lease_holder: "req/1", lease_expires_at_ms: 1733644860000, ttl: 5 })).toEqual(processing);
    expectThrow(
      () => decodeEvaluation({ ...processing, lease_expires_at_ms: "soon" }),
      MalformedItemError,
      'malformed evaluation item (evaluation_id "e", user_id "u"): `lease_expires_at_ms` must be a non-negative integer; got "soon"',
    );
  });
});

describe("redaction", () => {
  const KEY = "AIzaSy-secret/key+1";

  test("the key in every spelling upstream text carries: plain, JSON-escaped, URL-encoded", () => {
    const redact = createRedactor([KEY]);
    expect(redact(`API key not valid: ${KEY}.`)).toBe("API key not valid: [redacted].");
    expect(redact(JSON.stringify({ message: `key=${KEY}` }))).toBe('{"message":"key=[redacted]"}');
    expect(redact(`https://host/v1?key=${encodeURIComponent(KEY)}`)).toBe("https://host/v1?key=[redacted]");
    expect(redact("nothing secret")).toBe("nothing secret");
  });

  test("a key learnt later (read on the first call) is redacted from then on", () => {
    const redact = createRedactor();
    expect(redact(KEY)).toBe(KEY);
    redact.add(KEY);
    expect(redact(`${KEY}${KEY}`)).toBe("[redacted][redacted]");
  });

  test("over decoded strings: \\u escapes (one character or all), percent-encoding of every byte, any letter case", () => {
    const redact = createRedactor([KEY]);
    expect(redact(`key \\u0041${KEY.slice(1)} refused`)).toBe("key [redacted] refused");
    expect(redact([...KEY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""))).toBe("[redacted]");
    expect(redact([...KEY].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(""))).toBe("[redacted]");
    expect(redact(`<p>key=${KEY.toLowerCase()}</p>`)).toBe("<p>key=[redacted]</p>");
    expect(redact(KEY.toUpperCase())).toBe("[redacted]");
  });

  test("base64 runs that hold the key, in either alphabet and at any alignment inside a longer run", () => {
    const redact = createRedactor([KEY]);
    for (const prefix of ["", "x", "xy", "token:"]) {
      const standard = Buffer.from(`${prefix}${KEY} and more`).toString("base64");
      const urlSafe = Buffer.from(`${prefix}${KEY} and more`).toString("base64url");
      expect(redact(`header ${standard} end`)).toBe("header [redacted] end");
      expect(redact(`header ${urlSafe} end`)).toBe("header [redacted] end");
      expect(redact(`glued${standard}`)).toBe("[redacted]");
    }
    // A base64 run without the key stays.
    const harmless = Buffer.from("nothing to see in this one").toString("base64");
    expect(redact(`x ${harmless}`)).toBe(`x ${harmless}`);
  });

  test("a text without the key comes back unchanged, its escapes kept", () => {
    const redact = createRedactor([KEY]);
    expect(redact('got "user\\u200b456" and 100%25')).toBe('got "user\\u200b456" and 100%25');
    expect(decodeEscapes('\\u0041%42')).toBe("AB");
  });

  test("finds a key split over strings: a piece of 10 characters or more", () => {
    const key = "AIzaSy-zip-test-key-0123456789abcdef";
    const redact = createRedactor([key]);
    expect(redact.finds(`part ${key.slice(0, 10)}`)).toBe(true);
    expect(redact.finds(`part ${key.slice(5, 15).toUpperCase()}`)).toBe(true);
    expect(redact.finds(`part ${key.slice(0, 9)}`)).toBe(false);
    expect(redact.finds("a perfectly ordinary sentence")).toBe(false);
    expect(createRedactor().finds(key)).toBe(false);
  });

  test("an error's message, stack and cause chain", () => {
    const redact = createRedactor([KEY]);
    const error = new Error(`outer ${KEY}`, { cause: new Error(`inner ${KEY}`) });
    redactError(error, redact);
    expect(error.message).toBe("outer [redacted]");
    expect(error.stack).not.toContain(KEY);
    expect((error.cause as Error).message).toBe("inner [redacted]");
  });
});

describe("ids", () => {
  test("well-formed Unicode: a lone surrogate is refused, a pair (an emoji) is fine", () => {
    expect(isWellFormedUnicode("victim\uD800")).toBe(false);
    expect(isWellFormedUnicode("\uDC00victim")).toBe(false);
    expect(isWellFormedUnicode("user-\u{1F600}")).toBe(true);
    expect(isWellFormedUnicode("Nguyễn")).toBe(true);
  });

  test("keys with invisible or bidirectional characters are refused on the write side, named and escaped", () => {
    for (const [userId, shown] of [
      ["user\u200b-456", "user\\u200b-456"],
      ["user-\u202e654", "user-\\u202e654"],
      ["\ufeffuser-456", "\\ufeffuser-456"],
      ["user\u3164456", "user\\u3164456"],
    ]) {
      expectThrow(() => ensureKey(EVALUATIONS_TABLE, { evaluation_id: "eval-1", user_id: userId }), InvalidInputError, `\`user_id\` ${VISIBLE_ID_RULE}; got "${shown}"`);
    }
    expect(ensureKey(EVALUATIONS_TABLE, { evaluation_id: "eval-1", user_id: "Nguyễn-\u{1F600}" })).toEqual({ evaluation_id: "eval-1", user_id: "Nguyễn-\u{1F600}" });
  });

  test("user text is described by its length and a short hash; short tokens and numbers are quoted", () => {
    expect(shortHash("abc")).toBe("ba7816bf8f01");
    expect(describeText("My phone is +44 20 7946 0958")).toBe("a string of 28 characters (sha256 " + shortHash("My phone is +44 20 7946 0958") + "…)");
    expect(describeUntrusted("9.7")).toBe('"9.7"');
    expect(describeUntrusted("seven")).toBe('"seven"');
    expect(describeUntrusted(10)).toBe("10");
    expect(describeUntrusted(undefined)).toBe("undefined");
    expect(describeUntrusted("+44 20 7946 0958")).toBe(describeText("+44 20 7946 0958"));
    expect(describeUntrusted(["a"])).toBe("an array of 1 item");
    expect(describeUntrusted({ a: 1, b: 2 })).toBe("an object with 2 fields");
  });

  test("the input hash is stable whatever the fields' order, and differs with the kind or any field", () => {
    const hash = inputHash("writing", { task: "task2", prompt: "p", essay: "e" });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(inputHash("writing", { essay: "e", prompt: "p", task: "task2" })).toBe(hash);
    expect(inputHash("speaking", { task: "task2", prompt: "p", essay: "e" })).not.toBe(hash);
    expect(inputHash("writing", { task: "task2", prompt: "p", essay: "e." })).not.toBe(hash);
  });
});

describe("configuration", () => {
  test("a missing table variable fails naming it", () => {
    expectThrow(
      () => loadEvaluationsTableName({}),
      ConfigurationError,
      "environment variable `DYNAMODB_EVALUATIONS` must name the bandup-evaluations table; got nothing (it is not set)",
    );
    expectThrow(
      () => loadFlashcardSetsTableName({ DYNAMODB_FLASHCARD_SETS: " " }),
      ConfigurationError,
      'environment variable `DYNAMODB_FLASHCARD_SETS` must name the bandup-flashcard-sets table; got " "',
    );
  });

  test("the handler-facing factories fail at construction without their variable", () => {
    const error = expectThrow(
      () => evaluationsRepositoryFromEnvironment({ DYNAMODB_FLASHCARD_SETS: "sets" }),
      ConfigurationError,
      "environment variable `DYNAMODB_EVALUATIONS` must name the bandup-evaluations table; got nothing (it is not set)",
    );
    expect((error as ConfigurationError).variable).toBe("DYNAMODB_EVALUATIONS");
    expectThrow(
      () => flashcardSetsRepositoryFromEnvironment({ DYNAMODB_EVALUATIONS: "evals" }),
      ConfigurationError,
      "environment variable `DYNAMODB_FLASHCARD_SETS` must name the bandup-flashcard-sets table; got nothing (it is not set)",
    );
  });

  test("with the variables set, the names are read and the repositories are built", () => {
    const env = { DYNAMODB_EVALUATIONS: "bandup-evaluations-dev", DYNAMODB_FLASHCARD_SETS: "bandup-flashcard-sets-dev" };
    expect(loadEvaluationsTableName(env)).toBe("bandup-evaluations-dev");
    expect(loadFlashcardSetsTableName(env)).toBe("bandup-flashcard-sets-dev");
    expect(typeof evaluationsRepositoryFromEnvironment(env).startEvaluation).toBe("function");
    expect(typeof flashcardSetsRepositoryFromEnvironment(env).startFlashcardSet).toBe("function");
  });

  test("the variable names are the table definitions' own", () => {
    expect(EVALUATIONS_TABLE.environmentVariable).toBe("DYNAMODB_EVALUATIONS");
    expect(FLASHCARD_SETS_TABLE.environmentVariable).toBe("DYNAMODB_FLASHCARD_SETS");
  });

  test("the client's retries and timeouts are set deliberately, and applied", async () => {
    expect(CLIENT_DEFAULTS).toEqual({
      maxAttempts: 3,
      retryMode: "standard",
      requestHandler: { connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true },
    });
    const client = createDocumentClient({ region: "us-east-1" });
    expect(await client.config.maxAttempts()).toBe(3);
    // The SDK turns the options object into a NodeHttpHandler whose (internal) configProvider holds them.
    const handler = client.config.requestHandler as unknown as { constructor: { name: string }; configProvider: Promise<object> };
    expect(handler.constructor.name).toBe("NodeHttpHandler");
    expect(await handler.configProvider).toMatchObject({ connectionTimeout: 1000, requestTimeout: 5000, throwOnRequestTimeout: true });
    client.destroy();
  });

  test("FUNCTION_TIMEOUT_SECONDS: the deployed timeout; the definition's default when unset; refused when not 1-900 whole seconds", () => {
    expect(loadTimeoutSeconds(WRITING_EVALUATOR, {})).toBe(120);
    expect(loadTimeoutSeconds(FLASHCARD_GENERATOR, { FUNCTION_TIMEOUT_SECONDS: "600" })).toBe(600);
    for (const value of ["0", "901", "12.5", "abc"]) {
      expectThrow(
        () => loadTimeoutSeconds(WRITING_EVALUATOR, { FUNCTION_TIMEOUT_SECONDS: value }),
        ConfigurationError,
        `environment variable \`FUNCTION_TIMEOUT_SECONDS\` must be the function's timeout in whole seconds, 1 to 900; got ${JSON.stringify(value)}`,
      );
    }
  });

  test("one client per container: getDocumentClient returns the same instance", () => {
    expect(getDocumentClient()).toBe(getDocumentClient());
  });
});

describe("model keys match the table definitions", () => {
  test("evaluation and flashcard set keys", () => {
    const evaluationKey: Record<keyof EvaluationKey, true> = { evaluation_id: true, user_id: true };
    const setKey: Record<keyof FlashcardSetKey, true> = { set_id: true, user_id: true };
    expect(Object.keys(evaluationKey)).toEqual([EVALUATIONS_TABLE.partitionKey.name, EVALUATIONS_TABLE.sortKey.name]);
    expect(Object.keys(setKey)).toEqual([FLASHCARD_SETS_TABLE.partitionKey.name, FLASHCARD_SETS_TABLE.sortKey.name]);
  });
});
