/**
 * IAM policies as the synthesized stack writes them, normalized to statements: from
 * `aws_iam_policy_document` data sources (`${data.aws_iam_policy_document.x.json}`), from JSON strings
 * (`JSON.stringify`, literals) and from `Fn.jsonencode` expressions. Also follows a Lambda function's
 * role to every policy that reaches it.
 */
import { parseJsonencode } from "./hcl-expression";
import { blocks, Json, StackModel, TfBlock, wholeReference } from "./terraform-json";

/** One statement, normalized: lists are arrays, Effect defaults to Allow. */
export interface NormalizedStatement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly hasCondition: boolean;
  /** Every condition, one entry per operator, key and values (`StringEquals`, `iam:PassedToService`, [...]). */
  readonly conditions: readonly StatementCondition[];
  /** Principals of a resource or trust policy, by type (`Federated`, `Service`, `AWS`, `*`). */
  readonly principals: readonly { readonly type: string; readonly identifiers: readonly string[] }[];
  /** `Sid`, when the statement has one, for messages. */
  readonly sid?: string;
}

/** One condition of a statement. */
export interface StatementCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** A policy document and where it is written. */
export interface PolicyDocument {
  /** The block whose text holds the statements (a policy document data source, or the policy resource). */
  readonly source: TfBlock;
  /** The resource that applies the document (aws_iam_policy, aws_iam_role_policy, aws_iam_role...). */
  readonly owner: TfBlock;
  readonly statements: readonly NormalizedStatement[];
  /** Set when the document could not be read at synth (e.g. it comes from a variable). */
  readonly unreadable?: string;
  /** Set for AWS managed policies attached by ARN: their statements are not in the stack. */
  readonly managedPolicyArn?: string;
}

/** Resources whose `policy` attribute is an identity policy. */
const POLICY_RESOURCES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/** The resource types `allPolicyDocuments` reads documents from (roles for their inline policies): what an identity-policy rule applies to. */
export const POLICY_DOCUMENT_TYPES: readonly string[] = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_role", "aws_iam_user_policy", "aws_iam_group_policy"];

function list(value: Json): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

function jsonConditions(condition: Json): StatementCondition[] {
  if (condition === undefined || condition === null || typeof condition !== "object") return [];
  return Object.entries<Json>(condition).flatMap(([test, byKey]) =>
    Object.entries<Json>(byKey ?? {}).map(([variable, values]) => ({
      test,
      variable,
      // `"aws:SecureTransport": false` is written as a boolean as often as a string.
      values: (Array.isArray(values) ? values : [values]).filter((v: unknown) => typeof v === "string" || typeof v === "boolean").map(String),
    })),
  );
}

function jsonPrincipals(principal: Json): { type: string; identifiers: string[] }[] {
  if (principal === undefined || principal === null) return [];
  if (principal === "*") return [{ type: "*", identifiers: ["*"] }];
  if (typeof principal !== "object") return [];
  return Object.entries<Json>(principal).map(([type, identifiers]) => ({ type, identifiers: list(identifiers) }));
}

function fromJsonStatement(statement: Json): NormalizedStatement {
  return {
    effect: statement?.Effect === "Deny" ? "Deny" : "Allow",
    actions: list(statement?.Action),
    notActions: list(statement?.NotAction),
    resources: list(statement?.Resource),
    notResources: list(statement?.NotResource),
    hasCondition: statement?.Condition !== undefined && Object.keys(statement.Condition ?? {}).length > 0,
    conditions: jsonConditions(statement?.Condition),
    principals: jsonPrincipals(statement?.Principal),
    sid: typeof statement?.Sid === "string" ? statement.Sid : undefined,
  };
}

function fromDataStatement(statement: Json): NormalizedStatement {
  return {
    effect: statement?.effect === "Deny" ? "Deny" : "Allow",
    actions: list(statement?.actions),
    notActions: list(statement?.not_actions),
    resources: list(statement?.resources),
    notResources: list(statement?.not_resources),
    hasCondition: blocks(statement?.condition).length > 0,
    conditions: blocks(statement?.condition).map((c) => ({
      test: typeof c?.test === "string" ? c.test : "",
      variable: typeof c?.variable === "string" ? c.variable : "",
      values: list(c?.values),
    })),
    principals: blocks(statement?.principals).map((p) => ({ type: typeof p?.type === "string" ? p.type : "", identifiers: list(p?.identifiers) })),
    sid: typeof statement?.sid === "string" ? statement.sid : undefined,
  };
}

/** Caches documents per stack model: several rules read the same policies. */
const cache = new WeakMap<StackModel, Map<string, { source: TfBlock; statements: NormalizedStatement[]; unreadable?: string }>>();

/** Reads one policy string (`policy = ...`) into statements. */
export function readPolicy(
  stack: StackModel,
  owner: TfBlock,
  policy: unknown,
  seen: Set<string> = new Set(),
): { source: TfBlock; statements: NormalizedStatement[]; unreadable?: string } {
  if (typeof policy !== "string") return { source: owner, statements: [], unreadable: "the policy is not a string" };
  let byText = cache.get(stack);
  if (!byText) cache.set(stack, (byText = new Map()));
  const key = `${owner.address}\u0000${policy}`;
  const cached = byText.get(key);
  if (cached) return cached;

  let result: { source: TfBlock; statements: NormalizedStatement[]; unreadable?: string };
  const reference = wholeReference(policy);
  if (reference) {
    const target = stack.get(reference.address);
    if (target?.type === "aws_iam_policy_document" && target.mode === "data" && !seen.has(target.address)) {
      seen.add(target.address);
      const statements = blocks(target.config.statement).map(fromDataStatement);
      let unreadable: string | undefined;
      for (const included of [...list(target.config.source_policy_documents), ...list(target.config.override_policy_documents)]) {
        const other = readPolicy(stack, target, included, seen);
        statements.push(...other.statements);
        unreadable ??= other.unreadable;
      }
      if (target.config.source_json !== undefined || target.config.override_json !== undefined) {
        for (const included of [target.config.source_json, target.config.override_json].filter((v) => v !== undefined)) {
          const other = readPolicy(stack, target, included, seen);
          statements.push(...other.statements);
          unreadable ??= other.unreadable;
        }
      }
      result = { source: target, statements, unreadable };
    } else if (target?.type === "aws_iam_policy" && reference.attribute === "policy") {
      result = readPolicy(stack, target, target.config.policy, seen);
    } else {
      result = { source: owner, statements: [], unreadable: `the policy is ${policy}, which guardrails cannot read at synth` };
    }
  } else {
    let document: Json = parseJsonencode(policy);
    if (document === undefined && !policy.startsWith("${")) {
      try {
        document = JSON.parse(policy);
      } catch {
        document = undefined;
      }
    }
    if (document === undefined || typeof document !== "object" || document === null) {
      result = { source: owner, statements: [], unreadable: `the policy is neither JSON nor an aws_iam_policy_document reference: ${policy.slice(0, 80)}` };
    } else {
      result = { source: owner, statements: blocks(document.Statement).map(fromJsonStatement) };
    }
  }
  byText.set(key, result);
  return result;
}

/** Every identity policy document of the stack (not trust policies). */
export function allPolicyDocuments(stack: StackModel): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  for (const type of POLICY_RESOURCES) {
    for (const owner of stack.resources(type)) {
      documents.push({ owner, ...readPolicy(stack, owner, owner.config.policy) });
    }
  }
  for (const role of stack.resources("aws_iam_role")) {
    for (const inline of blocks(role.config.inline_policy)) {
      if (inline?.policy !== undefined) documents.push({ owner: role, ...readPolicy(stack, role, inline.policy) });
    }
  }
  return documents;
}

/** True when `value` names the role: a reference to its name/id/arn, or its literal name or ARN. */
function namesRole(stack: StackModel, value: unknown, role: TfBlock): boolean {
  if (stack.referenced(value, "aws_iam_role", ["name", "id", "arn", "unique_id"]) === role) return true;
  const roleName = role.config.name;
  if (typeof value !== "string" || typeof roleName !== "string" || roleName.includes("${")) return false;
  return value === roleName || value.endsWith(`:role/${roleName}`);
}

/** Reads a managed policy ARN: a policy of this stack (its document), or an AWS managed policy. */
function attachedPolicy(stack: StackModel, owner: TfBlock, policyArn: unknown): PolicyDocument {
  const policy = stack.referenced(policyArn, "aws_iam_policy", ["arn", "id"]);
  if (policy) return { owner: policy, ...readPolicy(stack, policy, policy.config.policy) };
  const byArn = typeof policyArn === "string" ? stack.resources("aws_iam_policy").find((p) => typeof p.config.name === "string" && policyArn.endsWith(`:policy/${p.config.name}`)) : undefined;
  if (byArn) return { owner: byArn, ...readPolicy(stack, byArn, byArn.config.policy) };
  return { owner, source: owner, statements: [], managedPolicyArn: typeof policyArn === "string" ? policyArn : String(policyArn) };
}

/** Every policy document that applies to a role: inline, role policies, attachments, managed ARNs. */
export function rolePolicies(stack: StackModel, role: TfBlock): PolicyDocument[] {
  const documents: PolicyDocument[] = [];
  for (const inline of blocks(role.config.inline_policy)) {
    if (inline?.policy !== undefined) documents.push({ owner: role, ...readPolicy(stack, role, inline.policy) });
  }
  for (const arn of list(role.config.managed_policy_arns)) documents.push(attachedPolicy(stack, role, arn));
  for (const rolePolicy of stack.resources("aws_iam_role_policy")) {
    if (namesRole(stack, rolePolicy.config.role, role)) {
      documents.push({ owner: rolePolicy, ...readPolicy(stack, rolePolicy, rolePolicy.config.policy) });
    }
  }
  for (const attachment of stack.resources("aws_iam_role_policy_attachment")) {
    if (namesRole(stack, attachment.config.role, role)) documents.push(attachedPolicy(stack, attachment, attachment.config.policy_arn));
  }
  for (const attachment of stack.resources("aws_iam_policy_attachment")) {
    if (list(attachment.config.roles).some((r) => namesRole(stack, r, role))) {
      documents.push(attachedPolicy(stack, attachment, attachment.config.policy_arn));
    }
  }
  return documents;
}

/** The role of a Lambda function (`role = ${aws_iam_role.x.arn}` or the role's literal ARN). */
export function functionRole(stack: StackModel, fn: TfBlock): TfBlock | undefined {
  const byReference = stack.referenced(fn.config.role, "aws_iam_role", ["arn"]);
  if (byReference) return byReference;
  return stack.resources("aws_iam_role").find((role) => namesRole(stack, fn.config.role, role));
}

/**
 * An IAM wildcard pattern (`*` any run of characters, `?` one character) as a RegExp matching the
 * whole string. Actions compare case-insensitively (`flags` "i"); resource names such as table names do not.
 */
export function iamWildcard(pattern: string, flags = ""): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, flags);
}

/** True when an IAM action pattern (`dynamodb:Query`, `dynamodb:*`, `*`, `dynamodb:Q*`) matches `action`. */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === "*" || iamWildcard(pattern, "i").test(action);
}

/** Describes a statement for messages: `statement "Sid"` or `statement #2`. */
export function describeStatement(document: PolicyDocument, statement: NormalizedStatement): string {
  const index = document.statements.indexOf(statement) + 1;
  return statement.sid ? `statement \`${statement.sid}\`` : `statement #${index}`;
}

