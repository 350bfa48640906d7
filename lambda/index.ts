/**
 * The onEvent handler of `Custom::GlueConnectionTest`, called by the Provider framework, which
 * sends CloudFormation the answer: SUCCESS with what this returns, FAILED with the message of
 * what this throws.
 *
 * | event                            | what the handler does                                          |
 * | -------------------------------- | -------------------------------------------------------------- |
 * | Create                           | parse -> wait for READY (if asked) -> secrets -> TestConnection |
 * | Update                           | as Create; the physical id stays the same                      |
 * | Update, stack rolling back       | SUCCESS without testing (Result SKIPPED)                       |
 * | Update, stack status unreadable  | as Update, but a failure answers SUCCESS with Result FAILED    |
 * | Delete                           | SUCCESS without any AWS call                                   |
 * | test fails, FAIL_DEPLOYMENT      | throw the reason: the deployment fails and rolls back          |
 * | test fails, REPORT_ONLY          | SUCCESS with Result FAILED and the reason as attributes        |
 * | bad properties (any mode)        | throw a reason that names the property                         |
 * | a monitor's scheduled event      | re-test the schedule's connections, metrics to the log (monitor.ts) |
 *
 * The handler answers before its own deadline (the test's TimeoutSeconds, capped by the
 * Lambda's remaining time), never logs the event (its ResponseURL is a presigned URL) and
 * masks every secret it resolved in everything it writes.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { FailureMode, MAX_REASON_LENGTH, ResultData, TestResult } from '../lib/contract/resource';
import { createLogger, Logger } from '../core/log';
import { buildReason, clean } from '../core/reason';
import { Redactor } from '../core/redact';
import { runTest } from '../core/test-connection';
import { isMonitorEvent, MonitorEvent, MonitorSummary, runMonitor } from './monitor';
import { parseProperties, subjectOf, TestSettings } from './properties';
import { stackStatus } from './stack-status';

/** Time kept back from the Lambda's remaining time, to answer before Lambda stops us. */
const ANSWER_MARGIN_MS = 10_000;
/** How long an Update may spend finding out whether the stack is rolling back (at most half its time). */
const ROLLBACK_CHECK_MS = 20_000;

export interface HandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: ResultData;
}

// The custom resource's signature last: it is the one `Parameters<typeof handler>` reads.
export function handler(event: MonitorEvent, context: Context): Promise<MonitorSummary>;
export function handler(event: CloudFormationCustomResourceEvent, context: Context): Promise<HandlerResponse>;
export async function handler(event: CloudFormationCustomResourceEvent | MonitorEvent, context: Context): Promise<HandlerResponse | MonitorSummary> {
  // EventBridge's constant input for a monitor's schedule; CloudFormation's events have no such key.
  if (isMonitorEvent(event)) return runMonitor(event, context);
  return customResource(event, context);
}

async function customResource(event: CloudFormationCustomResourceEvent, context: Context): Promise<HandlerResponse> {
  const startedAt = Date.now();
  const redactor = new Redactor();
  const log = createLogger({
    requestType: String(event?.RequestType),
    logicalResourceId: String(event?.LogicalResourceId),
    requestId: String(event?.RequestId),
  }, redactor);
  const data = (result: TestResult, reason = ''): ResultData => ({
    Result: result, Reason: reason, TestedAt: new Date().toISOString(), DurationMs: String(Date.now() - startedAt),
  });

  switch (event?.RequestType) {
    case 'Delete':
      log.info('delete: a connection test leaves nothing behind');
      return { PhysicalResourceId: event.PhysicalResourceId };
    case 'Create':
    case 'Update':
      break;
    default:
      // clean(): the reason is plain ASCII, whatever a malformed event carries.
      throw answer(clean(`RequestType: must be Create, Update or Delete (got ${JSON.stringify(String((event as { RequestType?: unknown })?.RequestType)).slice(0, 40)})`));
  }

  const physicalResourceId = event.RequestType === 'Update' ? event.PhysicalResourceId : `glue-connection-test:${event.LogicalResourceId}`;
  return createOrUpdate(event, context, { startedAt, redactor, log, data, physicalResourceId });
}

interface Invocation {
  readonly startedAt: number;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly data: (result: TestResult, reason?: string) => ResultData;
  readonly physicalResourceId: string;
}

async function createOrUpdate(
  event: Exclude<CloudFormationCustomResourceEvent, { RequestType: 'Delete' }>, context: Context,
  { startedAt, redactor, log, data, physicalResourceId }: Invocation,
): Promise<HandlerResponse> {
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;

  // Before the properties are even read: a rollback restores properties that may no longer parse.
  let mayBeRollback = false;
  if (event.RequestType === 'Update') {
    const status = await stackStatus(event.StackId, Math.min(ROLLBACK_CHECK_MS, (remaining - ANSWER_MARGIN_MS) / 2), log);
    if (status === 'UPDATE_ROLLBACK_IN_PROGRESS') {
      log.info('update during rollback: not testing, so the rollback can finish');
      return { PhysicalResourceId: physicalResourceId, Data: data(TestResult.SKIPPED, 'The stack is rolling back; the connection was not tested.') };
    }
    mayBeRollback = status === undefined;
  }
  // A failure that must not fail this event: see stackStatus.
  const reportOnly = (reason: string): HandlerResponse => {
    log.error('the stack status is unknown, so this Update may be a rollback: the failure is reported, not answered FAILED', { reason });
    return { PhysicalResourceId: physicalResourceId, Data: data(TestResult.FAILED, `${STATUS_UNKNOWN_NOTE} ${reason}`.slice(0, MAX_REASON_LENGTH)) };
  };

  let settings: TestSettings;
  try {
    settings = parseProperties(event.ResourceProperties);
  } catch (e) {
    const reason = buildReason(e, subjectOf(event.ResourceProperties), redactor);
    log.error('invalid properties', { reason });
    if (mayBeRollback) return reportOnly(reason);
    throw answer(reason);
  }
  const outcome = await runTest(settings, {
    budgetMs: Math.min(settings.timeoutSeconds * 1000, remaining - (Date.now() - startedAt) - ANSWER_MARGIN_MS), redactor, log,
  });
  if (outcome.passed) {
    log.info('test passed', { durationMs: Date.now() - startedAt, ...outcome.retries });
    return { PhysicalResourceId: physicalResourceId, Data: data(TestResult.PASSED) };
  }
  const reason = outcome.reason ?? '';
  log.error('test failed', {
    category: outcome.category, entry: outcome.entry, error: outcome.error, reason, durationMs: Date.now() - startedAt, ...outcome.retries,
  });
  if (settings.failureMode === FailureMode.REPORT_ONLY) {
    return { PhysicalResourceId: physicalResourceId, Data: data(TestResult.FAILED, reason) };
  }
  if (mayBeRollback) return reportOnly(reason);
  throw answer(reason);
}

/** Prefixed to the Reason of a failure that an unknown stack status kept from failing the Update. */
const STATUS_UNKNOWN_NOTE = 'Not failing this Update: the stack status could not be read, so it may be a rollback.';

/**
 * The error the framework turns into the FAILED reason. Its stack is the message alone: the
 * framework appends the Lambda's stack trace to the reason, and a trace tells the reader nothing.
 */
function answer(reason: string): Error {
  const error = new Error(reason);
  error.stack = reason;
  return error;
}
