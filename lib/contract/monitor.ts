/**
 * The monitor's contract between the construct (`lib/`) and the handler (`lambda/`, `core/`):
 * the event a monitor's schedule sends the stack's handler, the metrics the handler writes in
 * CloudWatch's embedded metric format, and the pace a scheduled run keeps with Glue.
 *
 * This module imports nothing from aws-cdk-lib: esbuild inlines it into the handler bundle.
 */
import type { ResourceProperties } from './resource';

/**
 * The one key of a scheduled run's event. EventBridge hands the target's constant input to the
 * function as the event ("Input": "Valid JSON text passed to the target", EventBridge API
 * Reference, Target), so the handler tells it from a CloudFormation event by this key.
 */
export const MONITOR_EVENT_KEY = 'GlueConnectionTestMonitor';

/** The version of the event's shape, for a handler that meets an event of another release. */
export const MONITOR_EVENT_VERSION = '1';

/**
 * The properties of a test that a scheduled run reads: those the deploy-time test is made of
 * (the handler parses them with the same parser). Secret members are references, never values.
 */
export const MONITORED_PROPERTIES = [
  'ConnectionName', 'CatalogId', 'TestConnectionInput', 'SecretReferences', 'TimeoutSeconds', 'WaitForReady', 'NetworkInspection',
] as const;

/** One test of a scheduled run. */
export type MonitoredTest = Pick<ResourceProperties, typeof MONITORED_PROPERTIES[number]> & {
  /**
   * The value of the metrics' `ConnectionName` dimension (see MONITOR_METRICS) when it is not
   * `ConnectionName`: given only for a test of a TestConnectionInput, so that a connection's name
   * (up to 255 characters) is not in the rule's input twice.
   */
  readonly MetricConnectionName?: string;
};

/** What the event of a scheduled run holds under MONITOR_EVENT_KEY. */
export interface MonitorRun {
  readonly Version: string;
  /** The schedule's expression, for the log. */
  readonly Schedule: string;
  /** The stack that holds the tests: a run while it is being deployed is skipped. */
  readonly StackId: string;
  readonly Tests: MonitoredTest[];
}

/**
 * The metrics of a scheduled run, one data point of each per test and run. The namespace is the
 * library's own (a custom namespace may not start with "AWS/"); the dimension names the
 * connection, or, for a test of a TestConnectionInput (which names none), the test's construct
 * path.
 */
export const MONITOR_METRICS = {
  namespace: 'GlueConnectionTest',
  dimension: 'ConnectionName',
  /** 1 when the test failed, 0 when it passed (Count). */
  failed: 'Failed',
  /** How long the test took (Milliseconds). */
  duration: 'Duration',
} as const;

/**
 * How a scheduled run shares Glue's rate limit. Glue publishes no per-operation rates; they are
 * per account and region, shared with everything else the account runs ("AWS Glue API requests
 * are throttled for AWS accounts on a per-Region basis",
 * https://repost.aws/knowledge-center/glue-throttling-rate-exceeded). The project assumes
 * TestConnection at 2 requests a second (the local Glue's DEFAULT_GLUE_RATE_LIMITS, the load
 * suite); a run starts at most one test a second, half of it, and leaves the rest to deployments
 * and other callers. A throttled call is retried within its test's deadline (core/aws.ts).
 */
export const MONITOR_PACE = {
  /** TestConnection requests a second the project assumes Glue admits per account and region. */
  assumedTestConnectionsPerSecond: 2,
  /** Tests a run starts a second. */
  startsPerSecond: 1,
  /** The budget of the stack-status check that comes before the tests. */
  statusCheckSeconds: 5,
  /** What the handler keeps back from its Lambda timeout to finish the run's last lines. */
  answerMarginSeconds: 10,
  /** EventBridge's limit on a target's constant input ("Input": maximum length 8192, EventBridge API Reference, Target). */
  maxInputCharacters: 8192,
} as const;
