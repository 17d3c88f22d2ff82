/**
 * guardrails/hcl-expression.ts against @cdktf/hcl2json, HashiCorp's own HCL parser compiled to
 * WebAssembly: for every `jsonencode` shape cdktf writes, the synchronous hand-made parser must read
 * the same JSON that hcl2json reads. (hcl2json is asynchronous and adds about 1.5 s to a synth, which
 * is why the guardrails keep their own parser; this test is what keeps it honest.)
 */
import { Fn, Testing, TerraformOutput, TerraformStack } from "cdktf";
import { parse } from "@cdktf/hcl2json";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { parseJsonencode } from "../../guardrails/hcl-expression";

/** What cdktf writes for `Fn.jsonencode(value)`, read back from the synthesized JSON (an output's value). */
function synthesizedJsonencode(build: (stack: TerraformStack, table: DynamodbTable) => unknown): string {
  const stack = new TerraformStack(Testing.app(), "hcl");
  const table = new DynamodbTable(stack, "t", { name: "t", hashKey: "id", attribute: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" });
  new TerraformOutput(stack, "value", { value: Fn.jsonencode(build(stack, table)) });
  return JSON.parse(Testing.synth(stack)).output.value.value;
}

/** hcl2json's reading of the expression inside `${jsonencode(...)}`. */
async function readWithHcl2json(text: string): Promise<unknown> {
  expect(text.startsWith("${jsonencode(") && text.endsWith(")}")).toBe(true);
  const inner = text.slice("${jsonencode(".length, -")}".length);
  const parsed = await parse("expression.tf", `locals {\n  value = ${inner}\n}\n`);
  return parsed.locals[0].value;
}

const CASES: [string, (stack: TerraformStack, table: DynamodbTable) => unknown][] = [
  ["a policy with nested objects and lists", () => ({
    Version: "2012-10-17",
    Statement: [{ Sid: "Read", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"] }],
  })],
  ["references, alone and inside strings", (_stack, table) => ({
    Statement: [{ Effect: "Allow", Action: "dynamodb:Query", Resource: [table.arn, `${table.arn}/index/*`] }],
  })],
  ["function calls", (_stack, table) => ({
    Account: Fn.element(Fn.split(":", table.arn), 4),
    Joined: Fn.join(",", ["a", table.name]),
  })],
  ["numbers, booleans and null", () => ({ Count: 3, Ratio: 0.5, Negative: -2, Enabled: true, Disabled: false, Nothing: null })],
  ["a literal `${` that Terraform must not interpolate ($${ escape)", () => ({ Template: "literal ${not.a.reference}", Key: "${aws:username}" })],
  // Not `"` nor `\`: cdktf 0.21 writes them unescaped inside jsonencode (`"say "hi""`), which neither
  // terraform nor hcl2json can parse, so no valid stack holds them.
  ["newlines and tabs in strings", () => ({ Lines: "one\ntwo\ttab", Unicode: "Ngọc Ánh 🎧" })],
  ["keys that are not identifiers", () => ({ "kms:ViaService": "dynamodb.us-east-1.amazonaws.com", "aws:SourceArn": "x", "with space": 1 })],
  ["deeply nested lists of objects", (_stack, table) => ({ a: [[{ b: [{ c: [table.name, 1, [true]] }] }]] })],
  ["an empty object and an empty list", () => ({ Empty: {}, None: [] })],
];

describe("parseJsonencode reads what @cdktf/hcl2json reads", () => {
  test.each(CASES)("%s", async (_name, build) => {
    const text = synthesizedJsonencode(build);
    const expected = await readWithHcl2json(text);
    expect(parseJsonencode(text)).toEqual(expected);
  });

  test("gives undefined for text that is not a jsonencode expression", () => {
    expect(parseJsonencode('{"Version":"2012-10-17"}')).toBeUndefined();
    expect(parseJsonencode("${jsonencode({a = )}")).toBeUndefined();
    expect(parseJsonencode("${jsonencode({a = 1}) extra}")).toBeUndefined();
  });
});
