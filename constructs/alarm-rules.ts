/**
 * Every alarm a BandUp stack sets, as data: the metric and statistic, the threshold, the windows,
 * what a missing datapoint means, whether the clearing is notified, and why. The alarm constructs
 * build from it (`TableAlarms`, `FunctionAlarms`), and the "Alarms" table of docs/operations.md is checked
 * against it. Plain TypeScript, no cdktf.
 */

/** How CloudWatch treats a period without a datapoint. */
export type TreatMissingData = "notBreaching" | "breaching" | "ignore" | "missing";

/** One alarm of each watched resource. */
export interface AlarmRule {
  /** The alarm is named `<stack name>/<watched resource's name>-<nameSuffix>` (`alarmName` in rule-alarm.ts). */
  readonly nameSuffix: string;
  /** What it watches, in words (docs/operations.md and the alarm's description). */
  readonly watches: string;
  /** The CloudWatch statistic over each period. */
  readonly statistic: "Sum" | "Maximum";
  readonly comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";
  /**
   * The threshold. With `relativeTo`, a fraction of that value of the watched resource (the alarm's
   * threshold is computed per resource by `thresholdOf`).
   */
  readonly threshold: number;
  /**
   * `on-demand cap`: the cap in request units per second, times the period (the metric is a Sum of
   * units over the period); `timeout`: the function's timeout in milliseconds (the unit of Duration).
   */
  readonly relativeTo?: "on-demand cap" | "timeout";
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  /**
   * Also notify when the alarm returns to OK. Only for alarms on a state (a queue holding messages,
   * consumption near a cap): for alarms on counts of events, OK only says the last window had none.
   */
  readonly notifyOk: boolean;
  /** Why these choices; the alarm's description starts with it. */
  readonly why: string;
}

/** The rules, by alarm. Each table alarm also applies to the history index (its own alarm, named with the index). */
export const ALARM_RULES = {
  readThrottles: {
    nameSuffix: "read-throttles",
    watches: "ReadThrottleEvents of a table or of its history index",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "Throttled reads in 2 of the last 5 minutes: the SDK retries a lone throttled burst, a repeated one slows every job and history page (a cap reached, or a hot partition). No traffic publishes no datapoint: not breaching.",
  },
  writeThrottles: {
    nameSuffix: "write-throttles",
    watches: "WriteThrottleEvents of a table or of its history index",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "Throttled writes in 2 of the last 5 minutes: a job whose outcome write keeps being throttled can run out of its 10 s outcome reserve and stay processing until its lease passes. No traffic publishes no datapoint: not breaching.",
  },
  systemErrors: {
    nameSuffix: "system-errors",
    watches: "SystemErrors of a table, summed over the operations the functions call (PutItem, GetItem, UpdateItem, Query)",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "DynamoDB answered HTTP 500 in 2 of the last 5 minutes: the SDK retries one, repeated ones are an AWS-side problem worth checking on the AWS Health Dashboard. No request publishes no datapoint: not breaching.",
  },
  readNearCap: {
    nameSuffix: "read-near-cap",
    watches: "ConsumedReadCapacityUnits of a table or index with an on-demand read cap",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 0.8,
    relativeTo: "on-demand cap",
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    notifyOk: true,
    why:
      "Reads averaged 80% of the on-demand cap over a minute, in 2 of the last 3: past the cap DynamoDB throttles instead of billing, so raise the cap or find the loop before users see throttling. OK is sent when it falls back.",
  },
  writeNearCap: {
    nameSuffix: "write-near-cap",
    watches: "ConsumedWriteCapacityUnits of a table or index with an on-demand write cap",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 0.8,
    relativeTo: "on-demand cap",
    periodSeconds: 60,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    notifyOk: true,
    why:
      "Writes averaged 80% of the on-demand cap over a minute, in 2 of the last 3: past the cap DynamoDB throttles instead of billing, so raise the cap or find the loop before outcome writes are throttled. OK is sent when it falls back.",
  },
  functionErrors: {
    nameSuffix: "errors",
    watches: "Errors of a function (invocations that threw, timed out or crashed)",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 5,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "5 failed invocations in 5 minutes: a duplicate delivery of a running job fails each of Lambda's 3 attempts with JobInProgressError, so fewer than 5 can be one harmless duplicate; an event that fails every attempt reaches the dead-letter queue, which has its own alarm. No invocation publishes no datapoint: not breaching.",
  },
  functionThrottles: {
    nameSuffix: "throttles",
    watches: "Throttles of a function",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "Throttled in 3 of the last 5 minutes: Lambda retries a throttled asynchronous event for up to 6 hours, so a short burst only delays jobs; sustained throttling means the concurrency (reserved, or the account's) is too small. No invocation publishes no datapoint: not breaching.",
  },
  durationNearTimeout: {
    nameSuffix: "duration-near-timeout",
    watches: "Duration of a function (its longest invocation of the period)",
    statistic: "Maximum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 0.8,
    relativeTo: "timeout",
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "An invocation used 80% of the timeout: the handler gives up 10 s before the timeout, so the model is answering close to its caps; raise the timeout or look at the model's latency before jobs time out. No invocation publishes no datapoint: not breaching.",
  },
  deadLetters: {
    nameSuffix: "messages-visible",
    watches: "ApproximateNumberOfMessagesVisible of a function's dead-letter queue",
    statistic: "Maximum",
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "ignore",
    notifyOk: true,
    why:
      "An event failed every retry and waits in the dead-letter queue (14 days, then it is lost): read it and invoke again. SQS publishes a queue's metrics only while it is active (a message in it or an API call within 6 hours), at 5-minute intervals in its documentation: a missing datapoint keeps the current state (ignore) rather than clearing an alarm whose messages still wait. OK is sent when the queue is empty.",
  },
  jobsFailed: {
    nameSuffix: "jobs-failed",
    watches: 'jobs recorded failed (the function\'s "job failed" log lines, counted by a log metric filter)',
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 3,
    periodSeconds: 900,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "3 jobs recorded failed in 15 minutes: one can be the user's input (a PDF without text, an unreadable recording), three is a pattern (the model API down, its key revoked, a quota reached). A period without a failure writes no line: not breaching.",
  },
  jobsTimedOut: {
    nameSuffix: "jobs-timed-out",
    watches: 'jobs whose time ran out (the function\'s "job timed out" log lines, counted by a log metric filter)',
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    notifyOk: false,
    why:
      "A job ran out of time (its deadline passed, or its attempt ended without an outcome and a later one took it over): the timeout is too short for the model's answers, or a call hung; every one costs the user a wait of a whole lease. A period without one writes no line: not breaching.",
  },
} as const satisfies Record<string, AlarmRule>;

/** The alarm's threshold for a resource: the rule's own, or its fraction of the resource's cap or timeout. */
export function thresholdOf(rule: AlarmRule, base?: { readonly capPerSecond?: number; readonly timeoutSeconds?: number }): number {
  switch (rule.relativeTo) {
    case undefined:
      return rule.threshold;
    case "on-demand cap":
      if (base?.capPerSecond === undefined) throw new Error(`the ${rule.nameSuffix} alarm needs the on-demand cap`);
      return rule.threshold * base.capPerSecond * rule.periodSeconds;
    case "timeout":
      if (base?.timeoutSeconds === undefined) throw new Error(`the ${rule.nameSuffix} alarm needs the function's timeout`);
      return rule.threshold * base.timeoutSeconds * 1000;
  }
}
