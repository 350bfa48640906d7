/**
 * Concurrency (issue 5, item 8): 50 connection tests in one stack, answered in parallel against
 * the local simulation, each with its own result.
 *
 * Every test has its own PostgreSQL role (parallel_01 ... parallel_50) and its own secret, so a
 * mix-up cannot pass unnoticed: a test given another's credentials fails to log in, and a wrong
 * password's reason names the role it was for. Glue's answers are delayed so that the tests
 * finish in the reverse of the order they started in.
 *
 * - Through aws-cdk-lib's Provider framework (sendConcurrent): CloudFormation sends the events
 *   of independent resources at once; the framework invokes the handler for each, and Lambda
 *   runs concurrent invocations in separate containers (the framework runner does the same).
 * - Straight into ONE loaded handler bundle, 50 invocations at once: stricter than Lambda (which
 *   never runs two invocations in one container at a time), it shows that no module state
 *   (clients, redaction, deadlines, logging context) is shared in a way that mixes them up. The
 *   tests there resolve their own secrets (SecretReferences), and the local Glue checks that each
 *   request carried its own password.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { MAX_REASON_LENGTH } from '../../../lib/contract/resource';
import { LocalAws, startLocalAws } from '../../../sim/local-aws';
import { Pg, startPostgres } from '../../../sim/postgres';
import { createProviderFramework, DEFAULT_HANDLER_BUNDLE, EventResult, ProviderFramework } from '../../../sim/provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from '../../../sim/response-endpoint';
import { seedDeployment } from '../../../sim/seed';

const COUNT = 50;
/** The bundle under test; HANDLER_BUNDLE points the suite at another (e.g. a deliberately broken one). */
const BUNDLE = process.env.HANDLER_BUNDLE || DEFAULT_HANDLER_BUNDLE;
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/parallel-stack/3c9a7e10';
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

interface TestCase {
  readonly index: number;
  readonly logicalId: string;
  readonly connectionName: string;
  readonly user: string;
  readonly password: string;
  /** What the test's secret holds: the role's password, or a wrong one. */
  readonly secretPassword: string;
  readonly good: boolean;
  readonly reportOnly: boolean;
  /** The secret with the test's credentials (`{username, password}`). */
  secretArn: string;
  /** Marks the test's own TestConnectionInput (the JDBC URL's query), for the local Glue. */
  readonly marker: string;
}

type Handler = (event: unknown, context: Context) => Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }>;

let aws: LocalAws;
let pg: Pg;
let endpoint: ResponseEndpoint;
let framework: ProviderFramework;
const cases: TestCase[] = [];
const savedEnv = { ...process.env };
/** What each TestConnection request carried, by the test's marker or connection name. */
const seenPasswords = new Map<string, string[]>();

const pad = (i: number) => String(i).padStart(2, '0');

beforeAll(async () => {
  // No rate limit here: this suite orders the answers by Glue's delays to show that none is
  // mixed up, which throttling would reorder at random. test/sim/load runs the rate-limited case.
  [aws, pg, endpoint] = await Promise.all([startLocalAws({ glueRateLimits: {} }), startPostgres(), startResponseEndpoint()]);
  for (let i = 1; i <= COUNT; i++) {
    const good = i % 3 !== 0; // 34 good, 16 with a wrong password
    const user = `parallel_${pad(i)}`;
    const password = `pw-${pad(i)}-${Math.random().toString(36).slice(2)}`;
    cases.push({
      index: i,
      logicalId: `ConnectionTest${pad(i)}`,
      connectionName: `parallel-${pad(i)}-${good ? 'good' : 'wrong-password'}`,
      user,
      password,
      secretPassword: good ? password : `wrong-${pad(i)}-${Math.random().toString(36).slice(2)}`,
      good,
      reportOnly: i % 5 === 0,
      secretArn: '',
      marker: `ApplicationName=parallel-${pad(i)}`,
    });
  }
  await Promise.all(cases.map((c) => pg.createRole(c.user, c.password)));
  // Seeded in parallel too: a third of the connections in a VPC of their own.
  await Promise.all(cases.map(async (c) => {
    const { secretArn } = await seedDeployment(aws, {
      connectionName: c.connectionName, jdbcUrl: pg.jdbcUrl, username: c.user, password: c.secretPassword, network: c.index % 3 === 1 ? {} : false,
    });
    c.secretArn = secretArn!;
  }));
  // Glue answers late, and the later the earlier a test started: they finish in reverse order.
  aws.faults = (service, operation, body) => {
    if (service !== 'glue' || operation !== 'TestConnection') return undefined;
    const input = body.TestConnectionInput as { ConnectionProperties?: Record<string, string>; AuthenticationConfiguration?: { BasicAuthenticationCredentials?: { Password?: string } } } | undefined;
    const url = input?.ConnectionProperties?.JDBC_CONNECTION_URL ?? '';
    const test = cases.find((c) => c.connectionName === body.ConnectionName || url.endsWith(`?${c.marker}`));
    if (!test) return undefined;
    const key = typeof body.ConnectionName === 'string' ? body.ConnectionName : test.marker;
    seenPasswords.set(key, [...(seenPasswords.get(key) ?? []), input?.AuthenticationConfiguration?.BasicAuthenticationCredentials?.Password ?? '(by name)']);
    return { kind: 'delay', ms: (COUNT - test.index) * 15 };
  };
  framework = createProviderFramework({ localAws: aws, responseEndpoint: endpoint, handlerTimeoutSeconds: 120, handlerBundle: BUNDLE });
}, 120_000);

afterAll(async () => {
  if (aws) aws.faults = undefined;
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  jest.restoreAllMocks();
  await Promise.all([aws?.stop(), pg?.stop(), endpoint?.stop()]);
});

/** The names of every other test's connection and role, none of which a test's answer may name. */
function others(c: TestCase): string[] {
  return cases.filter((o) => o !== c).flatMap((o) => [`"${o.connectionName}"`, `"${o.user}"`]);
}

/** The checks every framework answer gets: one, well-formed, for this event, plain ASCII. */
function onlyAnswer(result: EventResult, c: TestCase) {
  expect(result.frameworkError).toBeUndefined();
  expect(result.responses).toHaveLength(1);
  const [response] = result.responses;
  expect(response.violations).toEqual([]);
  expect(response.logicalResourceId).toBe(c.logicalId);
  expect(response.body?.LogicalResourceId).toBe(c.logicalId);
  expect(response.body?.RequestId).toBe(result.event.RequestId);
  for (const secret of cases.flatMap((o) => [o.password, o.secretPassword])) expect(response.raw).not.toContain(secret);
  // Every line the handler wrote during this event carries this event's identity.
  const lines = result.logs.filter((l) => l.source === 'handler').map((l) => JSON.parse(l.text) as Record<string, unknown>);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatchObject({ requestId: result.event.RequestId, logicalResourceId: c.logicalId });
  return response.body!;
}

test(`${COUNT} Creates in one stack, in parallel through the Provider framework: each answer is its own test's`, async () => {
  const started = Date.now();
  const results = await Promise.all(cases.map((c) => framework.sendConcurrent({
    requestType: 'Create',
    logicalResourceId: c.logicalId,
    stackId: STACK_ID,
    resourceProperties: { ConnectionName: c.connectionName, ...(c.reportOnly && { FailureMode: 'REPORT_ONLY' }), ConnectionFingerprint: `fp-${c.index}` },
  })));
  const wallMs = Date.now() - started;

  const finished = [...results].sort((a, b) => a.durationMs - b.durationMs).map((r) => r.event.LogicalResourceId);
  results.forEach((result, i) => {
    const c = cases[i];
    const body = onlyAnswer(result, c);
    const data = body.Data as Record<string, string> | undefined;
    if (c.good) {
      expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `glue-connection-test:${c.logicalId}` });
      expect(data).toMatchObject({ Result: 'PASSED', Reason: '' });
      return;
    }
    const reason = c.reportOnly ? data?.Reason ?? '' : String(body.Reason).split('\n')[0];
    if (c.reportOnly) {
      expect(body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `glue-connection-test:${c.logicalId}` });
      expect(data?.Result).toBe('FAILED');
    } else {
      expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' });
    }
    expect(reason.startsWith(`Glue connection "${c.connectionName}" failed its test (credentials): InvalidInputException: FATAL: password authentication failed for user "${c.user}"`)).toBe(true);
    expect(reason).toMatch(PRINTABLE_ASCII);
    expect(reason.length).toBeLessThanOrEqual(MAX_REASON_LENGTH);
    for (const other of others(c)) expect(reason).not.toContain(other);
  });

  // They overlapped (not one after another), in separate handler containers, and the delays
  // made the late starters finish first.
  const serialMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  expect(wallMs).toBeLessThan(serialMs / 5);
  expect(framework.handlerContainers).toBeGreaterThan(COUNT / 2);
  expect(finished.indexOf(cases[COUNT - 1].logicalId)).toBeLessThan(finished.indexOf(cases[0].logicalId));
  for (const c of cases) expect(seenPasswords.get(c.connectionName)).toEqual(['(by name)']);
  process.stdout.write(`\nconcurrency: ${COUNT} Creates through the framework in ${wallMs} ms (${serialMs} ms if one after another), ${framework.handlerContainers} handler containers\n`);
}, 60_000);

test(`${COUNT} Updates and Deletes at once, rollback Updates among them: each keeps its own physical id and result`, async () => {
  const rollingBack = 'arn:aws:cloudformation:us-east-1:123456789012:stack/parallel-rolling-back/77aa01';
  const results = await Promise.all(cases.map((c) => {
    const physicalResourceId = `glue-connection-test:${c.logicalId}`;
    const resourceProperties = { ConnectionName: c.connectionName, ConnectionFingerprint: `fp-${c.index}-v2` };
    switch (c.index % 3) {
      case 0: return framework.sendConcurrent({ requestType: 'Delete', logicalResourceId: c.logicalId, stackId: STACK_ID, stackStatus: 'UPDATE_IN_PROGRESS', physicalResourceId, resourceProperties });
      case 1: return framework.sendConcurrent({
        requestType: 'Update', logicalResourceId: c.logicalId, stackId: STACK_ID, stackStatus: 'UPDATE_IN_PROGRESS', physicalResourceId, resourceProperties, oldResourceProperties: { ...resourceProperties, ConnectionFingerprint: 'v1' },
      });
      default: return framework.sendConcurrent({
        requestType: 'Update', logicalResourceId: c.logicalId, stackId: rollingBack, stackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS', physicalResourceId, resourceProperties, oldResourceProperties: resourceProperties,
      });
    }
  }));
  results.forEach((result, i) => {
    const c = cases[i];
    const body = onlyAnswer(result, c);
    expect(body.PhysicalResourceId).toBe(`glue-connection-test:${c.logicalId}`);
    const data = body.Data as Record<string, string> | undefined;
    if (c.index % 3 === 0) {
      expect(body.Status).toBe('SUCCESS'); // a Delete
    } else if (c.index % 3 === 2) {
      expect(body.Status).toBe('SUCCESS'); // a rollback: not tested
      expect(data?.Result).toBe('SKIPPED');
    } else if (c.good) {
      expect(body.Status).toBe('SUCCESS');
      expect(data?.Result).toBe('PASSED');
    } else {
      expect(body.Status).toBe('FAILED');
      expect(String(body.Reason)).toContain(`Glue connection "${c.connectionName}" failed its test (credentials)`);
      expect(String(body.Reason)).toContain(`"${c.user}"`);
      for (const other of others(c)) expect(String(body.Reason)).not.toContain(other);
    }
  });
}, 60_000);

test(`${COUNT} invocations at once in ONE handler module, each resolving its own secret`, async () => {
  // The Lambda environment, then the bundle, as one container would load it.
  for (const key of Object.keys(process.env)) if (/^AWS_ENDPOINT_URL_|^AWS_PROFILE$|^AWS_SESSION_TOKEN$/.test(key)) delete process.env[key];
  Object.assign(process.env, aws.env());
  const lines: string[] = [];
  // Every console method: the handler writes each level with its own (core/log.ts).
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  const { handler } = require(BUNDLE) as { handler: Handler };
  const context = (): Context => {
    const deadline = Date.now() + 120_000;
    return {
      callbackWaitsForEmptyEventLoop: true, functionName: 'parallel', functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:parallel', memoryLimitInMB: '256', awsRequestId: 'parallel',
      logGroupName: '/aws/lambda/parallel', logStreamName: 'parallel', getRemainingTimeInMillis: () => deadline - Date.now(),
      done: () => undefined, fail: () => undefined, succeed: () => undefined,
    };
  };
  const event = (c: TestCase): CloudFormationCustomResourceEvent => ({
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:parallel-framework',
    ResponseURL: 'https://example.invalid/response',
    StackId: STACK_ID,
    RequestId: `request-${pad(c.index)}`,
    LogicalResourceId: c.logicalId,
    ResourceType: 'Custom::GlueConnectionTest',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:parallel-framework',
      ...(c.reportOnly && { FailureMode: 'REPORT_ONLY' }),
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: `${pg.jdbcUrl}?${c.marker}` },
        AuthenticationConfiguration: { AuthenticationType: 'BASIC', BasicAuthenticationCredentials: { Username: c.user } },
      },
      SecretReferences: [{ Target: '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password', SecretId: c.secretArn, JsonField: 'password' }],
    } as never,
  });

  const outcomes = await Promise.all(cases.map((c) => handler(event(c), context()).then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  )));

  outcomes.forEach((outcome, i) => {
    const c = cases[i];
    // The local Glue saw this test's own password, once.
    expect(seenPasswords.get(c.marker)).toEqual([c.secretPassword]);
    if (c.good) {
      expect(outcome).toEqual({ ok: true, value: { PhysicalResourceId: `glue-connection-test:${c.logicalId}`, Data: expect.objectContaining({ Result: 'PASSED' }) } });
      return;
    }
    let reason: string;
    if (c.reportOnly) {
      expect(outcome.ok).toBe(true);
      reason = outcome.ok ? outcome.value.Data!.Reason : '';
    } else {
      expect(outcome.ok).toBe(false);
      reason = outcome.ok ? '' : outcome.error.message;
    }
    expect(reason.startsWith(`Glue connection input (JDBC) failed its test (credentials): InvalidInputException: FATAL: password authentication failed for user "${c.user}"`)).toBe(true);
    for (const other of others(c)) expect(reason).not.toContain(other);
    for (const secret of cases.flatMap((o) => [o.password, o.secretPassword])) expect(reason).not.toContain(secret);
  });
  // Every log line is one event's, and none holds any test's secret.
  const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const c of cases) {
    const own = records.filter((r) => r.requestId === `request-${pad(c.index)}`);
    expect(own.length).toBeGreaterThan(0);
    for (const r of own) expect(r.logicalResourceId).toBe(c.logicalId);
  }
  for (const line of lines) for (const secret of cases.flatMap((o) => [o.password, o.secretPassword])) expect(line).not.toContain(secret);
}, 60_000);
