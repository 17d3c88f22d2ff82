/**
 * Reads the HCL object expression that cdktf's `Fn.jsonencode(...)` synthesizes
 * (`${jsonencode({"Version" = "2012-10-17", "Statement" = [{"Resource" = aws_dynamodb_table.t.arn}]})}`)
 * into plain JSON. Bare expressions (references, function calls) become `${...}` strings, as they
 * would appear in a JSON-string policy. Returns undefined when the text is not such an expression.
 */
import { Json } from "./terraform-json";

const PREFIX = "${jsonencode(";
const SUFFIX = ")}";

/** Parses `${jsonencode(<hcl>)}`; undefined when `value` has another shape or does not parse. */
export function parseJsonencode(value: string): Json | undefined {
  if (!value.startsWith(PREFIX) || !value.endsWith(SUFFIX)) return undefined;
  const parser = new HclParser(value.slice(PREFIX.length, value.length - SUFFIX.length));
  try {
    const result = parser.value();
    parser.skipSpace();
    return parser.atEnd() ? result : undefined;
  } catch {
    return undefined;
  }
}

class HclParser {
  private position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.position])) this.position++;
  }

  value(): Json {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === "{") return this.object();
    if (char === "[") return this.array();
    if (char === '"') return this.string();
    return this.bare();
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.position] !== char) throw new Error(`expected ${char} at ${this.position}`);
    this.position++;
  }

  private object(): Json {
    this.expect("{");
    const result: Record<string, Json> = {};
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === "}") break;
      const key = this.text[this.position] === '"' ? this.string() : this.identifier();
      this.skipSpace();
      const separator = this.text[this.position];
      if (separator !== "=" && separator !== ":") throw new Error(`expected = at ${this.position}`);
      this.position++;
      result[key] = this.value();
      this.skipSpace();
      if (this.text[this.position] === ",") this.position++;
    }
    this.expect("}");
    return result;
  }

  private array(): Json[] {
    this.expect("[");
    const result: Json[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] === "]") break;
      result.push(this.value());
      this.skipSpace();
      if (this.text[this.position] === ",") this.position++;
    }
    this.expect("]");
    return result;
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.position));
    if (!match) throw new Error(`expected a key at ${this.position}`);
    this.position += match[0].length;
    return match[0];
  }

  /** A quoted string; `${...}` interpolations are kept as they are. */
  private string(): string {
    this.position++; // opening quote
    let result = "";
    while (!this.atEnd()) {
      const char = this.text[this.position];
      if (char === "\\") {
        const next = this.text[this.position + 1];
        result += next === "n" ? "\n" : next === "t" ? "\t" : next;
        this.position += 2;
      } else if (char === '"') {
        this.position++;
        return result;
      } else if (char === "$" && this.text[this.position + 1] === "{") {
        const end = this.matching(this.position + 1);
        result += this.text.slice(this.position, end + 1);
        this.position = end + 1;
      } else {
        result += char;
        this.position++;
      }
    }
    throw new Error("unterminated string");
  }

  /** Index of the bracket closing the one at `start`, skipping quoted text. */
  private matching(start: number): number {
    let depth = 0;
    for (let i = start; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === '"') {
        for (i++; i < this.text.length && this.text[i] !== '"'; i++) if (this.text[i] === "\\") i++;
      } else if (char === "{" || char === "(" || char === "[") depth++;
      else if (char === "}" || char === ")" || char === "]") {
        depth--;
        if (depth === 0) return i;
      }
    }
    throw new Error("unbalanced brackets");
  }

  /** A literal (number, true, false, null) or an expression, which becomes a `${...}` string. */
  private bare(): Json {
    const start = this.position;
    while (!this.atEnd()) {
      const char = this.text[this.position];
      if (char === "," || char === "}" || char === "]") break;
      if (char === "(" || char === "[" || char === "{") this.position = this.matching(this.position) + 1;
      else if (char === '"') this.string();
      else this.position++;
    }
    const expression = this.text.slice(start, this.position).trim();
    if (expression === "") throw new Error(`expected a value at ${start}`);
    if (expression === "true") return true;
    if (expression === "false") return false;
    if (expression === "null") return null;
    if (/^-?\d+(\.\d+)?$/.test(expression)) return Number(expression);
    return `\${${expression}}`;
  }
}
