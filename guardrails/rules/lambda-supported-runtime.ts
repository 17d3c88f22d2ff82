import { deprecationDate } from "../lambda-runtimes";
import { Finding, GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

const DAY = 24 * 60 * 60 * 1000;

/** BANDUP-LAMBDA-2: no runtime AWS has deprecated; a warning before the date. */
export const LAMBDA_SUPPORTED_RUNTIME: GuardrailRule = {
  id: "BANDUP-LAMBDA-2",
  family: "Lambda",
  title: "Lambda functions use a runtime AWS still supports",
  severity: "error",
  checkov: "CKV_AWS_363",
  trivy: "—",
  // Checked against the real terraform by __tests__/guardrails/lambda-runtime.terraform.test.ts.
  fix:
    "Move to `nodejs24.x` (`LAMBDA_RUNTIME` in constructs/bandup-function.ts): the pinned hashicorp/aws 5.100.0 rejects it at validate; " +
    'it needs hashicorp/aws 6.x, i.e. CDK Terrain\'s bindings `@cdktn/provider-aws` (docs/cdk-terrain.md). Dates: guardrails/lambda-runtimes.ts.',
  appliesTo: ["aws_lambda_function"],
  check: ({ stack, now, options }) => {
    const findings: Finding[] = [];
    for (const fn of stack.resources("aws_lambda_function")) {
      const runtime = fn.config.runtime;
      if (typeof runtime !== "string") continue; // container images have no runtime
      const date = deprecationDate(runtime);
      if (!date) continue;
      const day = date.toISOString().slice(0, 10);
      if (date.getTime() <= now.getTime()) {
        findings.push(findingAt(fn, `${functionLabel(fn)} uses runtime \`${runtime}\`, deprecated by AWS on ${day}`));
      } else if (date.getTime() - now.getTime() <= options.runtimeWarningDays * DAY) {
        findings.push(
          findingAt(fn, `${functionLabel(fn)} uses runtime \`${runtime}\`, which AWS deprecates on ${day} (in ${Math.ceil((date.getTime() - now.getTime()) / DAY)} days)`, {
            severity: "warning",
          }),
        );
      }
    }
    return findings;
  },
};
