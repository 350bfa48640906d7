/**
 * A monitor's scheduled run: the stack's EventBridge rule for one schedule invokes the handler
 * (asynchronously) with a constant event naming the tests on that schedule (MonitorRun). Each
 * test runs as at deploy time (the same parser, runTest: READY wait, secrets read at run time,
 * TestConnection with throttling retried within its deadline, the diagnosis and the network
 * inspection) and ends in one EMF line: the Failed and Duration metrics, with the reason.
 *
 * | situation                                  | what the run does                                        |
 * | ------------------------------------------ | -------------------------------------------------------- |
 * | stack status *_IN_PROGRESS (a deployment)  | nothing: the deployment tests its connections itself     |
 * | stack status unreadable                    | tests (a monitor that stops when CloudFormation does not answer would miss what it is for) |
 * | a test passes / fails                      | one EMF line: Failed 0 / 1, Duration, Reason on failure  |
 * | a test's properties do not parse           | one EMF line, Failed 1, with the property's reason       |
 * | malformed event                            | one ERROR line; nothing tested                           |
 *
 * It never throws: Lambda retries an asynchronous invocation that fails, which would run every
 * test again. Nothing it does reaches CloudFormation or a deployment: it reads (DescribeStacks,
 * GetConnection, GetSecretValue, TestConnection, EC2 Describe*) and writes log lines, so a
 * failed run cannot fail a deployment, and a run that overlaps one (the status check and the
 * run's start race it) tests a connection the deployment may be changing, which at worst gives
 * one data point of the old or the new connection (docs/decisions.md, 19).
 */
import type { Context } from 'aws-lambda';
import { MONITOR_EVENT_KEY, MONITOR_PACE, MonitorRun } from '../lib/contract/monitor';
import { writeMetrics } from '../core/emf';
import { createLogger, Logger } from '../core/log';
import { buildReason, diagnose } from '../core/reason';
import { Redactor } from '../core/redact';
import { runTest } from '../core/test-connection';
import { parseProperties, subjectOf, TestSettings } from './properties';
import { stackStatus } from './stack-status';

/** An event of a monitor's schedule. */
export interface MonitorEvent {
  readonly [MONITOR_EVENT_KEY]: MonitorRun;
}

/** What the run returns (Lambda records it for an asynchronous invocation; nothing reads it). */
export interface MonitorSummary {
  readonly tested: number;
  readonly failed: number;
  /** Why nothing was tested, when nothing was. */
  readonly skipped?: string;
}

export function isMonitorEvent(event: unknown): event is MonitorEvent {
  return event !== null && typeof event === 'object' && MONITOR_EVENT_KEY in event;
}

export async function runMonitor(event: MonitorEvent, context: Context | undefined): Promise<MonitorSummary> {
  const startedAt = Date.now();
  const redactor = new Redactor();
  const run = event[MONITOR_EVENT_KEY] as Partial<MonitorRun> | null;
  const schedule = typeof run?.Schedule === 'string' ? run.Schedule : 'unknown';
  const log = createLogger({ requestType: 'Scheduled', schedule }, redactor);
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
  const endsAt = startedAt + remaining - MONITOR_PACE.answerMarginSeconds * 1000;

  if (run === null || typeof run !== 'object' || !Array.isArray(run.Tests) || typeof run.StackId !== 'string') {
    log.error('scheduled run: the event is not a monitor event of this library (Tests and StackId expected); nothing tested');
    return { tested: 0, failed: 0, skipped: 'malformed event' };
  }
  const status = await stackStatus(run.StackId, MONITOR_PACE.statusCheckSeconds * 1000, log, 'could not read the stack status; testing anyway');
  if (status !== undefined && status.endsWith('_IN_PROGRESS')) {
    log.info('scheduled run skipped: the stack is being deployed, and the deployment tests its connections itself', { status, tests: run.Tests.length });
    return { tested: 0, failed: 0, skipped: status };
  }

  const tests = run.Tests;
  log.info('scheduled run', { tests: tests.length, version: String(run.Version) });
  const outcomes = await Promise.all(tests.map(async (test, i) => {
    // One start a second: the run's share of Glue's rate limit (MONITOR_PACE).
    await sleep((i * 1000) / MONITOR_PACE.startsPerSecond);
    return testOne(test, schedule, endsAt, redactor);
  }));
  const failed = outcomes.filter((passed) => !passed).length;
  log.info('scheduled run done', { tests: tests.length, failed, durationMs: Date.now() - startedAt });
  return { tested: tests.length, failed };
}

/** One test of the run, ending in its EMF line; true when it passed. */
async function testOne(test: unknown, schedule: string, endsAt: number, redactor: Redactor): Promise<boolean> {
  const startedAt = Date.now();
  const entry = (test !== null && typeof test === 'object' ? test : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const connectionName = text(entry.MetricConnectionName) ?? text(entry.ConnectionName) ?? 'unknown';
  const log: Logger = createLogger({ requestType: 'Scheduled', schedule, connection: connectionName }, redactor);
  let settings: TestSettings;
  try {
    // The deploy-time parser: the run tests with exactly what the custom resource would.
    settings = parseProperties(Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'MetricConnectionName')));
  } catch (e) {
    const reason = buildReason(e, subjectOf(entry), redactor);
    log.error('invalid test settings', { reason });
    writeMetrics({ connectionName, failed: true, durationMs: Date.now() - startedAt, schedule, reason, category: diagnose(e, subjectOf(entry)).category }, redactor);
    return false;
  }
  const budgetMs = Math.min(settings.timeoutSeconds * 1000, endsAt - Date.now());
  const outcome = await runTest(settings, { budgetMs, redactor, log });
  writeMetrics({
    connectionName, failed: !outcome.passed, durationMs: outcome.durationMs, schedule, reason: outcome.reason, category: outcome.category,
  }, redactor);
  return outcome.passed;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
