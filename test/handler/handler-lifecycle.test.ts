/**
 * The handler's lifecycle: one test per row of the table at the top of lambda/index.ts.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { TestConnectionCommand } from '@aws-sdk/client-glue';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  allAwsCalls, awsError, captureConsole, cloudFormationMock, createEvent, deleteEvent, failureOf, glueMock, jdbcDefinition,
  PHYSICAL_ID, resetMocks, run, secretsMock, STACK_ID, updateEvent,
} from './handler-helpers';
import { expectMessage, expectReason } from '../messages';

const logs = captureConsole();
afterEach(() => resetMocks());

const BY_NAME = { ConnectionName: 'orders-db' };
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function stackStatus(status: string) {
  cloudFormationMock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'OrdersStack', StackId: STACK_ID, StackStatus: status as never, CreationTime: new Date(0) }],
  });
}

describe('Create', () => {
  test('a connection that passes its test answers with a stable physical id and Result PASSED', async () => {
    glueMock.on(TestConnectionCommand).resolves({});
    const before = Date.now();

    const answer = await run(createEvent(BY_NAME));

    expect(answer).toEqual({
      PhysicalResourceId: 'glue-connection-test:OrdersDbTest',
      Data: { Result: 'PASSED', Reason: '', TestedAt: expect.stringMatching(ISO_TIME), DurationMs: expect.stringMatching(/^\d+$/) },
    });
    const testedAt = Date.parse(answer.Data!.TestedAt);
    expect(testedAt).toBeGreaterThanOrEqual(before);
    expect(testedAt).toBeLessThanOrEqual(Date.now());
    expect(Number(answer.Data!.DurationMs)).toBeLessThanOrEqual(Date.now() - before);
    expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 1);
  });

  test('a Create never asks CloudFormation for the stack status', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent(BY_NAME));

    expect(cloudFormationMock.calls()).toHaveLength(0);
  });

  test('a connection that fails its test throws the reason (FAIL_DEPLOYMENT is the default)', async () => {
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Unable to connect: FATAL: password authentication failed for user "app"'));

    const error = await failureOf(createEvent(BY_NAME));

    expectReason(error.message, {
      subject: 'Glue connection "orders-db"', category: 'credentials', error: 'InvalidInputException',
      message: ['FATAL: password authentication failed for user "app"'], fix: ['user app', 'PASSWORD', 'connection "orders-db"'],
    });
  });
});

describe('Update', () => {
  test('an Update tests again and keeps the physical id it was given', async () => {
    stackStatus('UPDATE_IN_PROGRESS');
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(updateEvent(BY_NAME, 'glue-connection-test:NamedBeforeARename'));

    expect(answer.PhysicalResourceId).toBe('glue-connection-test:NamedBeforeARename');
    expect(answer.Data?.Result).toBe('PASSED');
    expect(cloudFormationMock.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: STACK_ID });
    expect(glueMock.commandCalls(TestConnectionCommand)[0].args[0].input).toEqual({ ConnectionName: 'orders-db' });
  });

  test('an Update that fails its test while the stack deploys throws, so the deployment rolls back', async () => {
    stackStatus('UPDATE_IN_PROGRESS');
    glueMock.on(TestConnectionCommand).rejects(awsError('EntityNotFoundException', 'Connection with name orders-db is not found'));

    const error = await failureOf(updateEvent(BY_NAME));

    expect(error.message).toMatch(/^Glue connection "orders-db" failed its test \(configuration\): EntityNotFoundException: /);
  });

  test('an Update while the stack rolls back answers Result SKIPPED and calls neither Glue nor Secrets Manager', async () => {
    stackStatus('UPDATE_ROLLBACK_IN_PROGRESS');
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'would fail'));

    const answer = await run(updateEvent(jdbcDefinition()));

    expect(answer).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: {
        Result: 'SKIPPED',
        Reason: 'The stack is rolling back; the connection was not tested.',
        TestedAt: expect.stringMatching(ISO_TIME),
        DurationMs: expect.stringMatching(/^\d+$/),
      },
    });
    expect(glueMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: STACK_ID });
  });

  test('an Update still tests when the stack status cannot be read, and a WARN line says so', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DescribeStacks'));
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(updateEvent(BY_NAME));

    expect(answer.Data?.Result).toBe('PASSED');
    expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 1);
    expect(logs.records()).toContainEqual(expect.objectContaining({
      level: 'WARN',
      message: 'could not read the stack status; a failure will be reported, not answered FAILED',
      error: 'AccessDenied',
    }));
  });

  test('an Update whose stack status cannot be read cannot fail: a failed test answers SUCCESS with Result FAILED and why', async () => {
    // It may be a rollback: failing it would leave the stack in UPDATE_ROLLBACK_FAILED.
    cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DescribeStacks'));
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'password authentication failed for user "app"'));

    const answer = await run(updateEvent(BY_NAME));

    expect(answer.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(answer.Data?.Result).toBe('FAILED');
    expect(answer.Data?.Reason).toMatch(/^Not failing this Update: the stack status could not be read, so it may be a rollback\. Glue connection "orders-db" failed its test \(credentials\): InvalidInputException: password authentication failed/);
    expect(logs.records()).toContainEqual(expect.objectContaining({
      level: 'ERROR', message: expect.stringContaining('the stack status is unknown, so this Update may be a rollback'),
    }));
  });

  test('an Update whose stack status cannot be read cannot fail on properties that no longer parse either', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    const answer = await run(updateEvent({ ConnectionName: 'orders-db', TimeoutSeconds: 'soon' }));

    expect(answer.Data?.Result).toBe('FAILED');
    expect(answer.Data?.Reason).toMatch(/^Not failing this Update: .*TimeoutSeconds: must be a whole number of seconds/);
    expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 0);
  });

  test('an Update whose stack status was read and is not a rollback still fails on a failed test', async () => {
    stackStatus('UPDATE_IN_PROGRESS');
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'password authentication failed for user "app"'));

    const error = await failureOf(updateEvent(BY_NAME));

    expect(error.message).toMatch(/^Glue connection "orders-db" failed its test \(credentials\)/);
  });

  test('an Update tests when DescribeStacks answers without a stack', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [] });
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(updateEvent(BY_NAME));

    expect(answer.Data?.Result).toBe('PASSED');
    expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 1);
  });
});

describe('Delete', () => {
  test('a Delete answers with its physical id and makes no AWS call at all', async () => {
    const answer = await run(deleteEvent(jdbcDefinition({ WaitForReady: 'true' })));

    expect(answer).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(allAwsCalls()).toHaveLength(0);
    expect(glueMock.calls()).toHaveLength(0);
    expect(secretsMock.calls()).toHaveLength(0);
    expect(cloudFormationMock.calls()).toHaveLength(0);
  });

  test('a Delete succeeds even when its properties could not be parsed', async () => {
    const answer = await run(deleteEvent({ TimeoutSeconds: 'abc', FailureMode: 'MAYBE' }, 'glue-connection-test:Other'));

    expect(answer).toEqual({ PhysicalResourceId: 'glue-connection-test:Other' });
    expect(allAwsCalls()).toHaveLength(0);
  });
});

describe('failure modes', () => {
  test('REPORT_ONLY answers Result FAILED with the reason instead of throwing', async () => {
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Unable to connect: FATAL: password authentication failed for user "app"'));

    const answer = await run(createEvent({ ...BY_NAME, FailureMode: 'REPORT_ONLY' }));

    expect(answer).toEqual({
      PhysicalResourceId: PHYSICAL_ID,
      Data: {
        Result: 'FAILED',
        Reason: 'Glue connection "orders-db" failed its test (credentials): InvalidInputException: Unable to connect: '
          + 'FATAL: password authentication failed for user "app". Fix: the password of database user app is wrong: correct PASSWORD of connection "orders-db", '
          + 'or the secret its SECRET_ID names.',
        TestedAt: expect.stringMatching(ISO_TIME),
        DurationMs: expect.stringMatching(/^\d+$/),
      },
    });
  });

  test('REPORT_ONLY answers Result PASSED with an empty reason when the test passes', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(createEvent({ ...BY_NAME, FailureMode: 'REPORT_ONLY' }));

    expect(answer.Data).toMatchObject({ Result: 'PASSED', Reason: '' });
  });

  test('FAIL_DEPLOYMENT given explicitly throws the reason', async () => {
    glueMock.on(TestConnectionCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform glue:TestConnection'));

    const error = await failureOf(createEvent({ ...BY_NAME, FailureMode: 'FAIL_DEPLOYMENT' }));

    expect(error.message).toMatch(/^Glue connection "orders-db" failed its test \(permissions\): AccessDeniedException: /);
  });

  test('REPORT_ONLY still refuses properties it cannot parse', async () => {
    const error = await failureOf(createEvent({ ...BY_NAME, FailureMode: 'REPORT_ONLY', TimeoutSeconds: 'abc' }));

    expectMessage(error.message, 'PropertyError: TimeoutSeconds:', '30 to 600', '(got "abc")');
    expect(allAwsCalls()).toHaveLength(0);
  });
});

describe('malformed events', () => {
  test('an unknown RequestType is refused with a message that names RequestType', async () => {
    const event = { ...createEvent(BY_NAME), RequestType: 'Replace' } as unknown as CloudFormationCustomResourceEvent;

    const error = await failureOf(event);

    expect(error.message).toBe('RequestType: must be Create, Update or Delete (got "Replace")');
    expect(allAwsCalls()).toHaveLength(0);
  });

  test('a RequestType with control and non-ASCII characters is refused in plain ASCII', async () => {
    const event = { ...createEvent(BY_NAME), RequestType: 'Créate\n🚀' } as unknown as CloudFormationCustomResourceEvent;

    const error = await failureOf(event);

    expect(error.message).toMatch(/^RequestType: must be Create, Update or Delete \(got /);
    expect(error.message).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe('the error the handler throws', () => {
  // The Provider framework appends the error's stack to the reason; a trace tells the reader nothing.
  test.each([
    ['a failed test', () => {
      glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Connection refused'));
      return createEvent(BY_NAME);
    }],
    ['a bad property', () => createEvent({ ...BY_NAME, WaitForReady: 'yes' })],
    ['an unknown RequestType', () => ({ ...createEvent(BY_NAME), RequestType: 'Replace' }) as unknown as CloudFormationCustomResourceEvent],
  ])('has its message as its stack, for %s', async (_, arrange) => {
    const error = await failureOf(arrange());

    expect(error).toBeInstanceOf(Error);
    expect(error.message.length).toBeGreaterThan(0);
    expect(error.stack).toBe(error.message);
  });
});

describe('log levels', () => {
  /** The level fields of the lines written through one console method. */
  const levelsWrittenBy = (method: 'log' | 'info' | 'warn' | 'error') =>
    (console[method] as jest.Mock).mock.calls.map((args) => (JSON.parse(String(args[0])) as { level: string }).level);

  test('each line is written with the console method of its level, which Lambda\'s JSON log format takes the level from', async () => {
    // WARN (status unreadable), INFO (calling TestConnection), ERROR (test failed), in one event.
    cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied'));
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'password authentication failed for user "app"'));

    await run(updateEvent(BY_NAME));

    expect(levelsWrittenBy('error')).toContain('ERROR');
    expect(levelsWrittenBy('warn')).toEqual(['WARN']);
    expect(levelsWrittenBy('info').length).toBeGreaterThan(0);
    expect(new Set(levelsWrittenBy('info'))).toEqual(new Set(['INFO']));
    expect(new Set(levelsWrittenBy('error'))).toEqual(new Set(['ERROR']));
    expect(levelsWrittenBy('log')).toEqual([]);
  });
});
