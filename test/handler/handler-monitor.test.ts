/**
 * A monitor's scheduled run in the handler (lambda/monitor.ts): the event EventBridge sends,
 * each test run by the deploy-time core, one EMF line per test checked field by field, secrets
 * read at run time and never written, a stack being deployed skipped, and a run that never
 * throws (Lambda would retry it).
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetConnectionCommand, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { handler } from '../../lambda';
import { MONITOR_EVENT_KEY, MonitoredTest } from '../../lib/contract/monitor';
import {
  awsError, captureConsole, cloudFormationMock, DB_SECRET_ARN, glueMock, jdbcDefinition, lambdaContext, resetMocks, secretsMock, STACK_ID,
} from './handler-helpers';

const logs = captureConsole();
/** What the handler wrote to stdout itself (the EMF lines), one entry a line. */
const stdout: string[] = [];
beforeEach(() => {
  stdout.length = 0;
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'OrdersStack', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
});
afterEach(() => resetMocks());

const PASSWORD = 'CANARYpw7Qz "quoted"';
const ORDERS: MonitoredTest = { MetricConnectionName: 'orders-db', ConnectionName: 'orders-db', CatalogId: '111122223333', TimeoutSeconds: '60', WaitForReady: 'true' };
// As the construct writes a named test: the dimension is its ConnectionName.
const LEDGER: MonitoredTest = { ConnectionName: 'ledger-db', TimeoutSeconds: '60', WaitForReady: 'false' };

function scheduled(tests: unknown[], schedule = 'rate(1 hour)') {
  return { [MONITOR_EVENT_KEY]: { Version: '1', Schedule: schedule, StackId: STACK_ID, Tests: tests as MonitoredTest[] } };
}

/** The EMF lines written, parsed. */
const metrics = () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>);

/** The EMF metadata every line carries, with the time it was written. */
function emfMetadata(): unknown {
  return {
    Timestamp: expect.any(Number),
    CloudWatchMetrics: [{
      Namespace: 'GlueConnectionTest',
      Dimensions: [['ConnectionName']],
      Metrics: [{ Name: 'Failed', Unit: 'Count' }, { Name: 'Duration', Unit: 'Milliseconds' }],
    }],
  };
}

test('a good and a broken connection: one EMF line each, field by field, with the reason of the failure', async () => {
  glueMock.on(GetConnectionCommand).resolves({ Connection: { Name: 'orders-db', Status: 'READY' } });
  glueMock.on(TestConnectionCommand, { ConnectionName: 'orders-db' }).resolves({});
  glueMock.on(TestConnectionCommand, { ConnectionName: 'ledger-db' })
    .rejects(awsError('InvalidInputException', 'FATAL: password authentication failed for user "app"'));
  const before = Date.now();

  const summary = await handler(scheduled([ORDERS, LEDGER]), lambdaContext());

  expect(summary).toEqual({ tested: 2, failed: 1 });
  const [orders, ledger] = metrics().sort((a, b) => String(a.ConnectionName).localeCompare(String(b.ConnectionName))).reverse();
  expect(orders).toEqual({
    _aws: emfMetadata(), ConnectionName: 'orders-db', Failed: 0, Duration: expect.any(Number),
    level: 'INFO', message: 'scheduled test passed', Result: 'PASSED', Schedule: 'rate(1 hour)',
  });
  expect(ledger).toEqual({
    _aws: emfMetadata(), ConnectionName: 'ledger-db', Failed: 1, Duration: expect.any(Number),
    level: 'ERROR', message: 'scheduled test failed', Result: 'FAILED', Category: 'credentials', Schedule: 'rate(1 hour)',
    Reason: expect.stringMatching(/^Glue connection "ledger-db" failed its test \(credentials\): InvalidInputException: FATAL: password authentication failed/),
  });
  for (const line of [orders, ledger]) {
    const aws = line._aws as { Timestamp: number };
    expect(aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(line.Duration).toBeGreaterThanOrEqual(0);
  }
  // The deploy-time core ran: READY wait for the test that asks it, then TestConnection, as the custom resource sends it.
  expect(glueMock).toHaveReceivedCommandWith(GetConnectionCommand, { Name: 'orders-db', CatalogId: '111122223333', HidePassword: true });
  expect(glueMock.commandCalls(TestConnectionCommand).map((c) => c.args[0].input)).toEqual(expect.arrayContaining([
    { ConnectionName: 'orders-db', CatalogId: '111122223333' }, { ConnectionName: 'ledger-db' },
  ]));
  expect(glueMock.commandCalls(GetConnectionCommand).map((c) => c.args[0].input.Name)).toEqual(['orders-db']);
}, 20_000);

test('a TestConnectionInput: its secret is read at run time, sent to Glue, and never written', async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: PASSWORD }) });
  // Glue echoes the password back in its message.
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', `login failed for app with password ${PASSWORD}`));
  const test = { MetricConnectionName: 'Stack/ByInput', ...jdbcDefinition(), TimeoutSeconds: '60' };

  await handler(scheduled([test]), lambdaContext());

  expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: DB_SECRET_ARN });
  const sent = glueMock.commandCalls(TestConnectionCommand)[0].args[0].input;
  expect(sent.TestConnectionInput?.ConnectionProperties?.PASSWORD).toBe(PASSWORD);
  const [line] = metrics();
  expect(line).toMatchObject({ ConnectionName: 'Stack/ByInput', Failed: 1, Result: 'FAILED' });
  const everything = [...stdout, ...logs.lines].join('\n');
  expect(everything).not.toContain('CANARYpw7Qz');
  expect(everything).toContain('***');
}, 20_000);

test('while the stack is being deployed the run tests nothing and publishes nothing', async () => {
  cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'OrdersStack', StackStatus: 'UPDATE_IN_PROGRESS', CreationTime: new Date() }] });

  const summary = await handler(scheduled([ORDERS, LEDGER]), lambdaContext());

  expect(summary).toEqual({ tested: 0, failed: 0, skipped: 'UPDATE_IN_PROGRESS' });
  expect(glueMock.calls()).toEqual([]);
  expect(stdout).toEqual([]);
  expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: STACK_ID });
  expect(logs.records().map((r) => r.message)).toContainEqual(expect.stringMatching(/^scheduled run skipped/));
});

test('a stack status that cannot be read does not stop the monitor', async () => {
  cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('AccessDeniedException'));
  glueMock.on(TestConnectionCommand).resolves({});

  expect(await handler(scheduled([LEDGER]), lambdaContext())).toEqual({ tested: 1, failed: 0 });
  expect(metrics()).toEqual([expect.objectContaining({ ConnectionName: 'ledger-db', Failed: 0 })]);
  expect(logs.records()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'could not read the stack status; testing anyway' }));
});

test('a test whose settings do not parse is a failed data point naming the property; the others still run', async () => {
  glueMock.on(GetConnectionCommand).resolves({ Connection: { Name: 'orders-db', Status: 'READY' } });
  glueMock.on(TestConnectionCommand).resolves({});

  await handler(scheduled([{ ...LEDGER, TimeoutSeconds: 'soon' }, ORDERS]), lambdaContext());

  const byName = Object.fromEntries(metrics().map((m) => [m.ConnectionName, m]));
  expect(byName['ledger-db']).toMatchObject({ Failed: 1, Category: 'configuration', Reason: expect.stringContaining('TimeoutSeconds') });
  expect(byName['orders-db']).toMatchObject({ Failed: 0 });
}, 20_000);

test('a malformed event is logged, never thrown (Lambda would retry an asynchronous invocation that throws)', async () => {
  const summary = await handler({ [MONITOR_EVENT_KEY]: { Tests: 'all' } } as never, lambdaContext());
  expect(summary).toEqual({ tested: 0, failed: 0, skipped: 'malformed event' });
  expect(glueMock.calls()).toEqual([]);
  expect(logs.records()).toEqual([expect.objectContaining({ level: 'ERROR', requestType: 'Scheduled' })]);
});

test('an error no catalogue entry knows still ends in a data point, and the run answers', async () => {
  glueMock.on(TestConnectionCommand).rejects(new TypeError('socket hang up'));
  await expect(handler(scheduled([LEDGER]), lambdaContext())).resolves.toEqual({ tested: 1, failed: 1 });
  expect(metrics()).toEqual([expect.objectContaining({ ConnectionName: 'ledger-db', Failed: 1, Reason: expect.stringContaining('ledger-db') })]);
});
