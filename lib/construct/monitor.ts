/**
 * The monitor: a test re-run on a schedule after the deployment, by the stack's handler, with
 * its outcome published as CloudWatch metrics (see lib/contract/monitor.ts for the event and the
 * metrics, lambda/monitor.ts for the run). This module holds the synth-time side: the option's
 * checks, a schedule's shortest interval, the rule of one schedule and the refusal of a
 * schedule Glue's rate limit or the handler's timeout cannot keep.
 */
import { Annotations, Aws, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { MONITOR_EVENT_KEY, MONITOR_EVENT_VERSION, MONITOR_PACE, MonitoredTest, MonitorRun } from '../contract/monitor';
import { TIMEOUT_LIMITS } from '../contract/resource';
import { acknowledge } from '../private/acknowledge';
import { describeValue } from '../private/cfn-values';

/** How a connection test is re-run after the deployment. */
export interface GlueConnectionTestMonitor {
  /**
   * When to re-test the connection, as an EventBridge schedule: `Schedule.rate(...)` or
   * `Schedule.cron(...)`. Each run publishes the test's `metricFailed()` and `metricDuration()`.
   * Tests of a stack on the same schedule share one rule, whose run starts one test a second
   * (Glue's rate limit is shared by the account), so a schedule must leave a run the time to
   * start all its tests and let the last one reach its timeout; a shorter one is refused at synth.
   */
  readonly schedule: events.Schedule;
}

/** A checked monitor option: its expression and its shortest interval. */
export interface CheckedMonitor {
  readonly schedule: events.Schedule;
  readonly expression: string;
  readonly intervalSeconds: number;
  /** Whether the expression is a rate (every run the same interval apart). */
  readonly isRate: boolean;
}

/** The `monitor` option checked, or undefined with the reason in `errors`. */
export function checkMonitor(monitor: unknown, errors: string[]): CheckedMonitor | undefined {
  if (monitor === undefined) return undefined;
  if (monitor === null || typeof monitor !== 'object') {
    errors.push(`monitor: must be an object with a schedule, such as { schedule: events.Schedule.rate(Duration.hours(1)) } (got ${describeValue(monitor)})`);
    return undefined;
  }
  const schedule = (monitor as { schedule?: unknown }).schedule;
  if (!(schedule instanceof events.Schedule)) {
    errors.push(`monitor.schedule: must be an events.Schedule, such as events.Schedule.rate(Duration.hours(1)) (got ${describeValue(schedule)})`);
    return undefined;
  }
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) {
    errors.push('monitor.schedule: must be known at synth (a literal rate or cron, not a token): the rule\'s pace is checked against it');
    return undefined;
  }
  const interval = shortestIntervalSeconds(expression);
  if (typeof interval === 'string') {
    errors.push(`monitor.schedule: ${interval}`);
    return undefined;
  }
  return { schedule, expression, intervalSeconds: interval, isRate: expression.startsWith('rate(') };
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/**
 * The shortest time between two runs of a schedule expression, in seconds, or why it cannot be
 * used. A rate is exact; for a cron it is a lower bound read from the minutes and hours fields
 * (the day fields only ever space runs further apart): several minutes an hour, the smallest
 * gap between them; one minute an hour, the smallest gap between its hours; one hour a day, a day.
 */
export function shortestIntervalSeconds(expression: string): number | string {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (rate) return Number(rate[1]) * UNIT_SECONDS[rate[2]];
  const cron = /^cron\((\S+) (\S+) \S+ \S+ \S+(?: \S+)?\)$/.exec(expression);
  if (!cron) return `must be a rate(...) or cron(...) expression (got "${expression}")`;
  const minutes = fieldValues(cron[1], 0, 59);
  const hours = fieldValues(cron[2], 0, 23);
  if (!minutes || !hours) return `the minutes and hours fields of "${expression}" must be numbers, *, ranges (a-b), steps (a/b, */b) or lists of them`;
  if (minutes.length > 1) return smallestGap(minutes, 60) * 60;
  if (hours.length > 1) return smallestGap(hours, 24) * 3600;
  return 86400;
}

/** The values a cron field takes, or undefined when it is not of the forms read here. */
function fieldValues(field: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === '*' ? min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : (m[1] === '*' || m[3] !== undefined ? max : from);
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from < min || to > max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** The smallest gap between consecutive values of a cycle of `period` (the last to the first wraps round). */
function smallestGap(values: number[], period: number): number {
  let gap = values[0] + period - values[values.length - 1];
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, values[i] - values[i - 1]);
  return gap;
}

/** One monitored test, as the rule of its schedule lists it. */
export interface MonitoredEntry {
  /** The test's construct path, for messages. */
  readonly path: string;
  readonly timeoutSeconds: number;
  /** What the run reads; may hold tokens, which CloudFormation resolves in the rule's input. */
  readonly test: MonitoredTest;
}

/** The tests of one schedule in a stack. */
export interface ScheduleGroup {
  readonly monitor: CheckedMonitor;
  readonly entries: MonitoredEntry[];
}

/** The id of a schedule's rule: readable, and unique per expression. */
export function ruleId(expression: string): string {
  const words = expression.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return `Monitor${words}${simpleHash(expression)}`;
}

function simpleHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6).toUpperCase();
}

/**
 * The rule of one schedule, with the handler as its one target and the schedule's tests as its
 * constant input. The tests are read when the template is made (tests added later are in it).
 */
export function buildScheduleRule(scope: Construct, group: ScheduleGroup, handler: lambda.IFunction, reservedConcurrency?: number): events.Rule {
  const { monitor } = group;
  const rule = new events.Rule(scope, ruleId(monitor.expression), {
    description: `Re-tests Glue connections on ${monitor.expression} (cdk-glue-connection-test monitor)`,
    schedule: monitor.schedule,
  });
  const run: Record<keyof MonitorRun, unknown> = {
    Version: MONITOR_EVENT_VERSION,
    Schedule: monitor.expression,
    StackId: Aws.STACK_ID,
    Tests: Lazy.any({ produce: () => group.entries.map((e) => e.test) }),
  };
  rule.addTarget(new targets.LambdaFunction(handler, {
    event: events.RuleTargetInput.fromObject({ [MONITOR_EVENT_KEY]: run }),
    // A run that cannot be delivered before the next one is due is dropped: the next one covers it.
    maxEventAge: Duration.seconds(Math.min(Math.max(monitor.intervalSeconds, 60), 86400)),
    retryAttempts: 2,
  }));
  rule.node.addValidation({ validate: () => checkScheduleGroup(rule, group) });
  acknowledge(rule, 'Serverless-EventBusDLQ', 'The target\'s input is a constant list of tests: an event EventBridge could not deliver holds nothing '
    + 'a queue could keep for later, and a late run is of no use once the next one is due (the target drops events older than the interval). '
    + 'A run that did not happen is a missing data point of the test\'s metrics, which an alarm sees (treatMissingData).');
  if (reservedConcurrency !== undefined) {
    Annotations.of(rule).addWarningV2('cdk-glue-connection-test:monitorConcurrency',
      `The stack's test handler has ${reservedConcurrency} reserved concurrent executions, and a run of ${monitor.expression} holds one of them while it `
      + 'lasts: a deployment that starts as many tests at once while a run is under way has one of them throttled by Lambda. '
      + 'Reserve one more execution for each monitor schedule of the stack.');
  }
  return rule;
}

/** How long a run of the group's tests may take at the most, and the terms of the sum. */
export function worstCaseRun(group: ScheduleGroup): { seconds: number; starts: number; longestTimeout: number } {
  const starts = (group.entries.length - 1) / MONITOR_PACE.startsPerSecond;
  const longestTimeout = Math.max(...group.entries.map((e) => e.timeoutSeconds));
  return { seconds: MONITOR_PACE.statusCheckSeconds + starts + longestTimeout, starts, longestTimeout };
}

/** The refusals of a schedule whose tests one run cannot test in time, or whose input is too long. */
function checkScheduleGroup(rule: events.Rule, group: ScheduleGroup): string[] {
  const errors: string[] = [];
  const n = group.entries.length;
  if (n === 0) return errors;
  const { expression, intervalSeconds } = group.monitor;
  const { seconds, starts, longestTimeout } = worstCaseRun(group);
  const tests = `${n} test${n === 1 ? '' : 's'} on ${expression} (${listPaths(group)})`;
  const sum = `${MONITOR_PACE.statusCheckSeconds} s to read the stack status + ${starts} s to start them at `
    + `${MONITOR_PACE.startsPerSecond} a second + the longest timeout, ${longestTimeout} s = ${seconds} s`;
  const pace = `(Glue's TestConnection rate limit is per account and region; this library assumes ${MONITOR_PACE.assumedTestConnectionsPerSecond} `
    + `requests a second and a run uses ${MONITOR_PACE.startsPerSecond})`;
  if (seconds > intervalSeconds) {
    errors.push(`monitor.schedule: ${tests}: a run may take ${sum}, longer than the ${intervalSeconds} s between runs, so runs would overlap and `
      + `share Glue's rate limit ${pace}. Use a schedule of at least ${seconds} s, shorter timeouts, or fewer tests on this schedule.`);
  }
  const limit = TIMEOUT_LIMITS.handlerLambdaSeconds - MONITOR_PACE.answerMarginSeconds;
  if (seconds > limit) {
    errors.push(`monitor.schedule: ${tests}: a run may take ${sum}, longer than the ${limit} s one run has (the handler's `
      + `${TIMEOUT_LIMITS.handlerLambdaSeconds} s Lambda timeout less ${MONITOR_PACE.answerMarginSeconds} s to finish) ${pace}. `
      + 'Spread the tests over several schedules, or give them shorter timeouts.');
  }
  const length = longestInputLength(rule);
  if (length > MONITOR_PACE.maxInputCharacters) {
    errors.push(`monitor.schedule: ${tests}: the rule's input may be ${length} characters long (each value CloudFormation fills in `
      + `counted at its longest), over EventBridge's limit of ${MONITOR_PACE.maxInputCharacters} for a target's input. `
      + 'Spread the tests over several schedules.');
  }
  return errors;
}

function listPaths(group: ScheduleGroup): string {
  const paths = group.entries.map((e) => e.path);
  return paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
}

/** The longest value of a pseudo parameter's Ref (a stack's ARN: 128-character name and a UUID). */
const PSEUDO_LENGTHS: Record<string, number> = { 'AWS::AccountId': 12, 'AWS::Region': 25, 'AWS::Partition': 10, 'AWS::URLSuffix': 20, 'AWS::StackId': 256 };

/**
 * The longest the rule's input can be once CloudFormation has resolved it: the literal text, a
 * pseudo parameter at its longest, and any other reference at 255 characters (a Glue
 * connection's name, the longest value a test refers to).
 */
function longestInputLength(rule: events.Rule): number {
  const cfn = rule.node.defaultChild as events.CfnRule;
  // The L1's own (camel-case) view of the targets, resolved.
  const resolved = Stack.of(rule).resolve(cfn.targets) as { input?: unknown }[] | undefined;
  const input = resolved?.[0]?.input;
  const measure = (value: unknown): number => {
    if (typeof value === 'string') return value.length;
    if (value !== null && typeof value === 'object') {
      const join = (value as Record<string, unknown>)['Fn::Join'] as [string, unknown[]] | undefined;
      if (join) return join[1].reduce<number>((sum, part) => sum + measure(part), 0) + join[0].length * Math.max(0, join[1].length - 1);
      const ref = (value as Record<string, unknown>).Ref;
      return typeof ref === 'string' && PSEUDO_LENGTHS[ref] !== undefined ? PSEUDO_LENGTHS[ref] : 255;
    }
    return String(value).length;
  };
  return measure(input);
}

/**
 * The default period of the monitor's metrics: the schedule's interval for a rate (each period
 * then holds one run), within CloudWatch's one minute to one day; five minutes for a cron, as
 * aws-cdk-lib's metrics default to.
 */
export function metricPeriod(monitor: CheckedMonitor): Duration {
  return monitor.isRate ? Duration.seconds(Math.min(Math.max(monitor.intervalSeconds, 60), 86400)) : Duration.minutes(5);
}
