import { show } from "../terraform-json";
import { GuardrailRule } from "../types";
import { findingAt, functionLabel } from "./helpers";

/** BANDUP-LAMBDA-4: functions reserve their concurrency (or a suppression says why not). */
export const LAMBDA_RESERVED_CONCURRENCY: GuardrailRule = {
  id: "BANDUP-LAMBDA-4",
  family: "Lambda",
  title: "Lambda functions set reserved concurrency",
  severity: "error",
  checkov: "CKV_AWS_115",
  trivy: "—",
  fix: "Set reservedConcurrentExecutions on the function, or suppress BANDUP-LAMBDA-4 on it with the reason (e.g. a dev account's concurrency quota is too small to reserve).",
  appliesTo: ["aws_lambda_function"],
  check: ({ stack }) =>
    stack.resources("aws_lambda_function").flatMap((fn) => {
      const value = fn.config.reserved_concurrent_executions;
      const numeric = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
      return typeof numeric === "number" && numeric >= 0
        ? []
        : [findingAt(fn, `${functionLabel(fn)} has reserved_concurrent_executions = ${show(value)}; one function can use the whole account's concurrency`)];
    }),
};
