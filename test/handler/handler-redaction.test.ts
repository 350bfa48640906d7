/**
 * Redaction in depth (issue 3.6): a secret the handler resolved never appears in what it
 * throws, returns or logs, even when Glue echoes it back; credential-shaped `key=value` pairs
 * are masked too; and the presigned ResponseURL is never logged.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler, HandlerResponse } from '../../lambda';
import { buildReason } from '../../core/reason';
import { Redactor } from '../../core/redact';
import {
  awsError, captureConsole, cloudFormationMock, createEvent, DB_SECRET_ARN, deleteEvent, glueMock, jdbcDefinition, lambdaContext,
  LOGICAL_ID, resetMocks, RESPONSE_URL, RESPONSE_URL_SIGNATURE, secretsMock, updateEvent,
} from './handler-helpers';

const logs = captureConsole();
afterEach(() => resetMocks());

/** A secret whose raw, JSON-escaped and URL-encoded forms all differ; its core is easy to spot. */
const CORE = 'CANARY7f3k';
const CANARY = `${CORE} "quoted" / wörd & more`;
const JSON_FORM = JSON.stringify(CANARY).slice(1, -1);
const URL_FORM = encodeURIComponent(CANARY);

/** Everything the handler produced for one event: what it threw or returned, and every console line. */
async function everything(event: CloudFormationCustomResourceEvent): Promise<{ text: string; thrown?: Error; answer?: HandlerResponse }> {
  let thrown: Error | undefined;
  let answer: HandlerResponse | undefined;
  try {
    answer = await handler(event, lambdaContext());
  } catch (e) {
    thrown = e as Error;
  }
  const text = [thrown?.message, thrown?.stack, JSON.stringify(answer), ...logs.lines].join('\n');
  return { text, thrown, answer };
}

function expectNoCanary(text: string): void {
  expect(text.toLowerCase()).not.toContain(CORE.toLowerCase());
  expect(text).not.toContain(JSON_FORM);
  expect(text).not.toContain(URL_FORM);
}

describe('a resolved secret that Glue echoes back', () => {
  const echo = `Login failed for user 'app'. Request was {"ConnectionProperties":{"USERNAME":"app","CREDENTIAL":"${JSON_FORM}"}}; `
    + `url jdbc:postgresql://orders.internal:5432/orders?user=app&auth=${URL_FORM}; raw value '${CANARY}'`;

  beforeEach(() => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: CANARY }) });
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', echo));
  });

  test('reaches Glue, but appears in neither the thrown reason nor any log line, in any of its forms', async () => {
    const { text, thrown } = await everything(createEvent(jdbcDefinition()));

    expect(glueMock.commandCalls(TestConnectionCommand)[0].args[0].input.TestConnectionInput?.ConnectionProperties?.PASSWORD).toBe(CANARY);
    expect(thrown?.message).toMatch(/^Glue connection input \(JDBC\) failed its test \(credentials\): InvalidInputException: Login failed for user 'app'\./);
    expect(thrown?.message).toContain('"CREDENTIAL":"***"');
    expect(thrown?.message).toContain('auth=***;');
    expect(thrown?.message).toContain("raw value '***'");
    expect(logs.lines.length).toBeGreaterThan(0);
    expectNoCanary(text);
  });

  test('appears in neither the returned data nor any log line in REPORT_ONLY mode', async () => {
    const { text, answer } = await everything(createEvent(jdbcDefinition({ FailureMode: 'REPORT_ONLY' })));

    expect(answer?.Data?.Result).toBe('FAILED');
    expect(answer?.Data?.Reason).toContain("raw value '***'");
    expectNoCanary(text);
  });

  test('is masked before the message is cut, so no part of it survives at the cut', async () => {
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'x'.repeat(780) + CANARY + 'y'.repeat(2000)));

    const { text, thrown } = await everything(createEvent(jdbcDefinition()));

    expect(thrown?.message.length).toBeLessThanOrEqual(1000);
    expect(text).not.toContain('CANARY');
    expect(text.toLowerCase()).not.toContain('canary');
  });
});

test('a secret that contains another is masked whole', async () => {
  const short = 'sh0rtSecret';
  const long = `${short}-and-its-tail-9q`;
  secretsMock.on(GetSecretValueCommand, { SecretId: DB_SECRET_ARN }).resolves({ SecretString: short });
  secretsMock.on(GetSecretValueCommand, { SecretId: 'basic' }).resolves({ SecretString: long });
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', `rejected ${long} and ${short}`));

  const { text, thrown } = await everything(createEvent({
    TestConnectionInput: {
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app' },
      AuthenticationConfiguration: { AuthenticationType: 'BASIC', BasicAuthenticationCredentials: { Username: 'app' } },
    },
    SecretReferences: [
      { Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN },
      { Target: '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password', SecretId: 'basic' },
    ],
  }));

  expect(thrown?.message).toContain('rejected *** and ***.');
  expect(text).not.toContain('and-its-tail-9q');
  expect(text).not.toContain(short);
});

test('a password in a JDBC URL that Glue echoes is masked, for a connection whose secret Glue read itself', async () => {
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException',
    'Invalid JDBC URL jdbc:postgresql://orders.internal:5432/orders?user=app&password=hunter2&ssl=true: connection refused'));

  const { text, thrown } = await everything(createEvent({ ConnectionName: 'orders-db' }));

  expect(thrown?.message).toContain('jdbc:postgresql://orders.internal:5432/orders?user=app&password=***&ssl=true');
  expect(text).not.toContain('hunter2');
});

test('a secret ARN in a reason stays readable: it names a secret, it holds none', async () => {
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', `Unable to read the secret of SECRET_ID ${DB_SECRET_ARN}`));

  const { thrown } = await everything(createEvent({ ConnectionName: 'orders-db' }));

  expect(thrown?.message).toContain(`SECRET_ID ${DB_SECRET_ARN}.`);
});

describe('the ResponseURL, a presigned URL that can answer for the stack', () => {
  test.each<[string, () => CloudFormationCustomResourceEvent]>([
    ['a Create that passes', () => {
      glueMock.on(TestConnectionCommand).resolves({});
      return createEvent({ ConnectionName: 'orders-db' });
    }],
    ['a Create that fails', () => {
      glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Connection refused'));
      return createEvent({ ConnectionName: 'orders-db' });
    }],
    ['an Update during rollback', () => {
      cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'OrdersStack', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', CreationTime: new Date(0) }] });
      return updateEvent({ ConnectionName: 'orders-db' });
    }],
    ['an Update whose stack status cannot be read', () => {
      cloudFormationMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', `cannot describe; callback ${RESPONSE_URL}`));
      glueMock.on(TestConnectionCommand).resolves({});
      return updateEvent({ ConnectionName: 'orders-db' });
    }],
    ['a Delete', () => deleteEvent({ ConnectionName: 'orders-db' })],
    ['bad properties', () => createEvent({ ConnectionName: 'orders-db', TimeoutSeconds: 'abc' })],
    ['an unknown RequestType', () => ({ ...createEvent({ ConnectionName: 'orders-db' }), RequestType: 'Replace' }) as unknown as CloudFormationCustomResourceEvent],
  ])('is in no log line for %s', async (_, arrange) => {
    await everything(arrange());

    const written = logs.lines.join('\n');
    expect(written).not.toContain(RESPONSE_URL_SIGNATURE);
    expect(written).not.toContain('cloudformation-custom-resource-response');
    expect(written).not.toContain('X-Amz-Signature');
  });
});

test('every log line is one JSON object that carries the event\'s identity', async () => {
  glueMock.on(TestConnectionCommand).resolves({});

  await everything(createEvent({ ConnectionName: 'orders-db' }));

  expect(logs.lines.length).toBeGreaterThan(0);
  for (const record of logs.records()) {
    expect(record).toMatchObject({
      level: expect.stringMatching(/^(INFO|WARN|ERROR)$/),
      message: expect.any(String),
      requestType: 'Create',
      logicalResourceId: LOGICAL_ID,
      requestId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
    });
  }
  expect(logs.records()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'test passed' }));
});

test('echoed JSON credentials are masked, while prose about the PASSWORD property stays readable', async () => {
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException',
    'Bad request {"Username":"app","Password":"hunter2"}; ConnectionProperties.PASSWORD: must be set'));

  const { text, thrown } = await everything(createEvent({ ConnectionName: 'orders-db' }));

  expect(thrown?.message).toContain('{"Username":"app","Password":"***"}; ConnectionProperties.PASSWORD: must be set');
  expect(text).not.toContain('hunter2');
});

describe('the reason built from a message that carries a secret', () => {
  const SECRET = 'Zq8xW3vKp2Lm9Nr4';
  /** Whether any 6 characters of the secret in a row appear in the text. */
  const leaks = (text: string) => [...Array(SECRET.length - 5).keys()].some((i) => text.includes(SECRET.slice(i, i + 6)));

  test('is masked in the fix before the fix is cut, so no part of the secret survives at the cut', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    // "No suitable driver found for <url>": the fix repeats the URL. The padding puts the secret
    // across the fix's 600-character cut, which applies when a network inspection ran.
    const url = `jdbc:postgres://h:5432/${'a'.repeat(545)}${SECRET}`;
    const error = Object.assign(new Error(`No suitable driver found for ${url}`), { name: 'InvalidInputException' });
    const reason = buildReason(error, { connectionName: 'orders-db' }, redactor, { gaps: [] });
    expect(reason).toContain('Fix: no driver accepts URL jdbc:postgres://h:5432/aaa');
    expect(leaks(reason)).toBe(false);
  });

  test('is masked in the error name, which an endpoint controls as much as the message', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const reason = buildReason(Object.assign(new Error('refused'), { name: SECRET }), { connectionName: 'orders-db' }, redactor);
    expect(reason).toMatch(/^Glue connection "orders-db" failed its test/);
    expect(leaks(reason)).toBe(false);
  });
});
