/**
 * The scheduled run's metrics, as log lines in CloudWatch's embedded metric format (EMF):
 * CloudWatch Logs extracts the metrics from the function's log group itself, so the function
 * needs no `cloudwatch:PutMetricData` grant, only the log permissions it has
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *
 * One line per test and run: the `_aws` metadata (Timestamp in milliseconds since the epoch, one
 * CloudWatchMetrics directive: Namespace, Dimensions as a list of dimension sets, Metrics with
 * Name and Unit) and, at the top level, the dimension's value, each metric's value and the
 * properties a person reads (Result, Category, Reason), which CloudWatch keeps in the log only.
 *
 * The line is written to stdout as it is, not through `console`: the function uses Lambda's JSON
 * log format, in which the Node.js runtime wraps what `console` writes into its own JSON object
 * (the line becomes a string in its `message`), where CloudWatch finds no `_aws` member. That is
 * why the EMF client library needs 4.1.1 or later with the JSON log format
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Libraries.html)
 * and why Powertools' Metrics writes to stdout itself. Like every line the handler writes, it
 * passes through the run's Redactor.
 */
import { MONITOR_METRICS } from '../lib/contract/monitor';
import { Redactor } from './redact';

/** One test's outcome in a scheduled run. */
export interface MonitorRecord {
  /** The dimension's value: the connection's name, or the test's construct path. */
  readonly connectionName: string;
  readonly failed: boolean;
  readonly durationMs: number;
  /** The schedule's expression. */
  readonly schedule: string;
  /** Why the test failed: the reason the deploy-time test would give. */
  readonly reason?: string;
  /** The failure's category (credentials, network, ...). */
  readonly category?: string;
}

/** The EMF document of one outcome, as one line of JSON (not yet redacted). */
export function emfLine(record: MonitorRecord, timestamp = Date.now()): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: MONITOR_METRICS.namespace,
        Dimensions: [[MONITOR_METRICS.dimension]],
        Metrics: [
          { Name: MONITOR_METRICS.failed, Unit: 'Count' },
          { Name: MONITOR_METRICS.duration, Unit: 'Milliseconds' },
        ],
      }],
    },
    [MONITOR_METRICS.dimension]: record.connectionName,
    [MONITOR_METRICS.failed]: record.failed ? 1 : 0,
    [MONITOR_METRICS.duration]: Math.max(0, Math.round(record.durationMs)),
    level: record.failed ? 'ERROR' : 'INFO',
    message: record.failed ? 'scheduled test failed' : 'scheduled test passed',
    Result: record.failed ? 'FAILED' : 'PASSED',
    ...(record.category !== undefined && { Category: record.category }),
    ...(record.reason !== undefined && { Reason: record.reason }),
    Schedule: record.schedule,
  });
}

/** Writes one outcome's EMF line to stdout, redacted. */
export function writeMetrics(record: MonitorRecord, redactor: Redactor, out: (line: string) => void = stdout): void {
  out(redactor.redact(emfLine(record)));
}

function stdout(line: string): void {
  process.stdout.write(`${line}\n`);
}
