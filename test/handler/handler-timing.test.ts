/**
 * Time: waiting for the connection to be READY before testing it, and the handler's own
 * deadline, which makes it answer before its Lambda timeout whatever Glue does.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetConnectionCommand, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { handler } from '../../lambda';
import { Deadline } from '../../core/deadline';
import {
  captureConsole, cloudFormationMock, createEvent, failureOf, glueMock, jdbcDefinition, lambdaContext, resetMocks, run, secretsMock,
  updateEvent,
} from './handler-helpers';
import { expectReason } from '../messages';

const output = captureConsole();
afterEach(() => {
  resetMocks();
  jest.useRealTimers();
});

const WAIT = { ConnectionName: 'orders-db', CatalogId: '111122223333', WaitForReady: 'true' };

function statuses(...values: (string | undefined)[]) {
  const behaviour = glueMock.on(GetConnectionCommand);
  for (const status of values) {
    behaviour.resolvesOnce({ Connection: { Name: 'orders-db', ConnectionType: 'JDBC', ...(status ? { Status: status as never } : {}) } });
  }
}

/** The names of the Glue commands sent, in order. */
function glueCommands(): string[] {
  return glueMock.calls().map((call) => (call.args[0] as object).constructor.name);
}

/** A call that never answers (as a TestConnection stuck in a VPC without a route would). */
const never = () => new Promise<never>(() => undefined);

describe('waiting for READY', () => {
  test('WaitForReady polls GetConnection until READY, then tests once', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    statuses('IN_PROGRESS', 'IN_PROGRESS', 'READY');
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(createEvent(WAIT));

    expect(answer.Data?.Result).toBe('PASSED');
    expect(glueCommands()).toEqual(['GetConnectionCommand', 'GetConnectionCommand', 'GetConnectionCommand', 'TestConnectionCommand']);
    for (const call of glueMock.commandCalls(GetConnectionCommand)) {
      expect(call.args[0].input).toEqual({ Name: 'orders-db', CatalogId: '111122223333', HidePassword: true });
    }
    expect(glueMock.commandCalls(TestConnectionCommand)[0].args[0].input).toEqual({ ConnectionName: 'orders-db', CatalogId: '111122223333' });
  });

  test('the polls back off exponentially: 500 ms, then 1 s, at most (full jitter)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    statuses('IN_PROGRESS', 'IN_PROGRESS', 'READY');
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = run(createEvent(WAIT));
    await jest.advanceTimersByTimeAsync(0);
    expect(glueCommands()).toEqual(['GetConnectionCommand']);
    await jest.advanceTimersByTimeAsync(495); // t = 495 ms
    expect(glueCommands()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10); // t = 505 ms: the first back-off (~500 ms) is over
    expect(glueCommands()).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(985); // t = 1490 ms
    expect(glueCommands()).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(20); // t = 1510 ms: the second back-off (~1000 ms) is over

    expect((await answer).Data?.Result).toBe('PASSED');
    expect(glueCommands()).toEqual(['GetConnectionCommand', 'GetConnectionCommand', 'GetConnectionCommand', 'TestConnectionCommand']);
  });

  test('a FAILED status ends the test with Glue\'s StatusReason, without calling TestConnection', async () => {
    glueMock.on(GetConnectionCommand).resolves({
      Connection: { Name: 'orders-db', Status: 'FAILED', StatusReason: 'The security group sg-0123456789abcdef0 does not exist' },
    });

    const error = await failureOf(createEvent(WAIT));

    expectReason(error.message, {
      subject: 'Glue connection "orders-db"', category: 'configuration', error: 'ConnectionStatusFailed',
      message: ['FAILED', 'The security group sg-0123456789abcdef0 does not exist'], fix: ['connection "orders-db"'],
    });
    expect(glueMock.commandCalls(TestConnectionCommand)).toHaveLength(0);
  });

  test('a connection without a Status (an older connection type) is tested at once', async () => {
    statuses(undefined);
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent(WAIT));

    expect(glueCommands()).toEqual(['GetConnectionCommand', 'TestConnectionCommand']);
  });

  test('without WaitForReady the connection is tested without asking for its status', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({ ConnectionName: 'orders-db', WaitForReady: 'false' }));

    expect(glueCommands()).toEqual(['TestConnectionCommand']);
  });

  test('WaitForReady does not apply to a definition, which has no status to wait for', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"pw"}' });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent(jdbcDefinition({ WaitForReady: 'true' })));

    expect(glueCommands()).toEqual(['TestConnectionCommand']);
  });

  test('a connection that never becomes READY fails at the deadline, naming what it waited for', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    glueMock.on(GetConnectionCommand).resolves({ Connection: { Name: 'orders-db', Status: 'IN_PROGRESS' } });

    const failure = failureOf(createEvent({ ...WAIT, TimeoutSeconds: '30' }));
    await jest.advanceTimersByTimeAsync(30_000);
    const error = await failure;

    expect(error.message).toMatch(/^Glue connection "orders-db" failed its test \(timeout\): DeadlineExceeded: timed out after 30 s waiting for connection "orders-db" to become READY\. Fix: /);
    expect(glueMock.commandCalls(GetConnectionCommand).length).toBeGreaterThan(3);
    expect(glueMock.commandCalls(TestConnectionCommand)).toHaveLength(0);
  });
});

describe('the deadline', () => {
  test('a TestConnection that never answers fails well before Lambda\'s timeout: the budget is the remaining time less 10 s', async () => {
    glueMock.on(TestConnectionCommand).callsFake(never);
    // 10.05 s left: a budget of 50 ms, which the reason states ("after 0 s"); without it the
    // test would wait for a TestConnection that never answers, until its own bound.
    const error = await failureOf(createEvent({ ConnectionName: 'orders-db', TimeoutSeconds: '30' }), lambdaContext(10_050));

    expect(error.message).toContain('timed out after 0 s waiting for Glue TestConnection');
    expect(error.message).toMatch(/^Glue connection "orders-db" failed its test \(timeout\): DeadlineExceeded: timed out after 0 s waiting for Glue TestConnection\. Fix: /);
    expect(error.stack).toBe(error.message);
  });

  test('with time to spare, the deadline is TimeoutSeconds: not a moment before', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    glueMock.on(TestConnectionCommand).callsFake(never);
    let settled = false;

    const failure = failureOf(createEvent({ ConnectionName: 'orders-db', TimeoutSeconds: '30' }), lambdaContext(660_000))
      .finally(() => { settled = true; });
    await jest.advanceTimersByTimeAsync(29_999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await failure;

    expectReason(error.message, {
      subject: 'Glue connection "orders-db"', category: 'timeout', error: 'DeadlineExceeded', message: ['30 s', 'Glue TestConnection'], fix: ['Glue TestConnection', '30 s'],
    });
  });

  test('the default deadline is 300 s', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    glueMock.on(TestConnectionCommand).callsFake(never);
    let settled = false;

    const failure = failureOf(createEvent({ ConnectionName: 'orders-db' })).finally(() => { settled = true; });
    await jest.advanceTimersByTimeAsync(299_999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);

    expect((await failure).message).toContain('timed out after 300 s waiting for Glue TestConnection');
  });

  test('the SDK request is given an abort signal, which the deadline aborts', async () => {
    glueMock.on(TestConnectionCommand).callsFake(never);

    await failureOf(createEvent({ ConnectionName: 'orders-db', TimeoutSeconds: '30' }), lambdaContext(10_020));

    const [, options] = glueMock.commandCalls(TestConnectionCommand)[0].args as unknown[] as [unknown, { abortSignal?: AbortSignal }?];
    expect(options?.abortSignal).toBeDefined();
    expect(options?.abortSignal?.aborted).toBe(true);
  });

  test('a secret read that never answers is bounded by the deadline too', async () => {
    secretsMock.on(GetSecretValueCommand).callsFake(never);

    const error = await failureOf(createEvent(jdbcDefinition({ TimeoutSeconds: '30' })), lambdaContext(10_020));

    expect(error.message).toMatch(/^Glue connection input \(JDBC\) failed its test \(timeout\): DeadlineExceeded: timed out after 0 s waiting for secret arn:aws:secretsmanager:/);
    expect(glueMock.calls()).toHaveLength(0);
  });

  test('an Update whose stack status never comes is tested as a deployment once the rollback check gives up', async () => {
    cloudFormationMock.on(DescribeStacksCommand).callsFake(never);
    glueMock.on(TestConnectionCommand).resolves({});
    const answer = await handler(updateEvent({ ConnectionName: 'orders-db', TimeoutSeconds: '30' }), lambdaContext(10_600));

    expect(answer.Data?.Result).toBe('PASSED');
    expect(glueMock.commandCalls(TestConnectionCommand)).toHaveLength(1);
    expect(output.lines.some((l) => l.includes('"level":"WARN"') && l.includes('could not read the stack status'))).toBe(true);
  });

  test('an Update during rollback whose properties no longer parse still succeeds', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date() }] });

    const answer = await handler(updateEvent({ ConnectionName: 'orders-db', TimeoutSeconds: 'not-a-number' }), lambdaContext());

    expect(answer.Data?.Result).toBe('SKIPPED');
    expect(glueMock.calls()).toHaveLength(0);
  });

  test('a step that would start after the deadline is not started at all', async () => {
    const deadline = new Deadline(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const step = jest.fn(async () => 'late');

    await expect(deadline.run('a late step', step)).rejects.toThrow('timed out after 0 s waiting for a late step');
    expect(step).not.toHaveBeenCalled();
    deadline.dispose();
  });

  test('in REPORT_ONLY mode the deadline answers Result FAILED instead of throwing', async () => {
    glueMock.on(TestConnectionCommand).callsFake(never);

    const answer = await handler(createEvent({ ConnectionName: 'orders-db', TimeoutSeconds: '30', FailureMode: 'REPORT_ONLY' }), lambdaContext(10_020));

    expect(answer.Data?.Result).toBe('FAILED');
    expect(answer.Data?.Reason).toContain('timed out after 0 s waiting for Glue TestConnection');
  });

  test('an answer in time leaves no timer behind', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({ ConnectionName: 'orders-db' }));

    expect(jest.getTimerCount()).toBe(0);
  });
});
