import { isToken, show } from "../terraform-json";
import { GuardrailRule } from "../types";
import { findingAt } from "./helpers";

/** BANDUP-ALARM-4: every alarm notifies someone: actions enabled, and at least one alarm action. */
export const ALARM_ACTIONS: GuardrailRule = {
  id: "BANDUP-ALARM-4",
  family: "Alarms",
  title: "CloudWatch alarms have actions enabled and at least one alarm action",
  severity: "error",
  checkov: "CKV_AWS_319",
  trivy: "—",
  fix: "Give the alarm `alarm_actions` = [the environment's alarm topic ARN] and leave `actions_enabled` true (createRuleAlarm in constructs/rule-alarm.ts does).",
  appliesTo: ["aws_cloudwatch_metric_alarm"],
  check: ({ stack }) =>
    stack.resources("aws_cloudwatch_metric_alarm").flatMap((alarm) => {
      const name = typeof alarm.config.alarm_name === "string" ? `alarm \`${alarm.config.alarm_name}\`` : `alarm ${alarm.address}`;
      const enabled = alarm.config.actions_enabled;
      if (enabled === false || enabled === "false") return [findingAt(alarm, `${name} has actions_enabled = false: it changes state and notifies no one`)];
      const actions = alarm.config.alarm_actions;
      const listed = Array.isArray(actions) ? actions.filter((a) => typeof a === "string" && a !== "") : isToken(actions) ? [actions] : [];
      if (listed.length === 0) return [findingAt(alarm, `${name} has alarm_actions = ${show(actions)}: it changes state and notifies no one`)];
      return [];
    }),
};
