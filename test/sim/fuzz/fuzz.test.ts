/**
 * The fuzz suite (issue 5, item 7): property-based, with fast-check at a fixed, recorded seed.
 *
 * Malformed events and properties (a wrong RequestType, missing fields, wrong types, huge
 * strings, nested junk, unicode and emoji, lone surrogates, control characters) and Glue errors
 * with fuzzed names and messages (through the local Glue's fault hook) go to the bundled handler
 * (assets/handler/index.js; `npm run bundle`): the bulk directly, as Lambda calls it (a JSON copy
 * of the event and a Lambda-like context), and a smaller number through aws-cdk-lib's Provider
 * framework code (sim/provider-framework.ts).
 *
 * The properties:
 * - every event gets exactly one answer: the handler resolves or rejects with an Error (never
 *   hangs, never crashes without one), and through the framework exactly one well-formed
 *   answer reaches the response endpoint;
 * - a property the handler cannot use: FAILED, with a reason that names the property;
 * - a Delete (whatever its properties) and an Update while the stack rolls back: SUCCESS;
 * - a Glue error, whatever its name and message: FAILED (SUCCESS with Result FAILED in
 *   REPORT_ONLY), a reason that names the connection, and never the secret the handler resolved;
 * - a name Glue accepts (its NameString pattern, supplementary characters such as emoji
 *   included) is not refused as a property: Glue answers for it;
 * - every reason (thrown, or Data.Reason) is printable ASCII of at most MAX_REASON_LENGTH
 *   characters, and the thrown error's stack is its message (the framework appends the stack).
 *
 * FUZZ_SEED, FUZZ_RUNS (direct) and FUZZ_FRAMEWORK_RUNS change the run (HANDLER_BUNDLE, the
 * bundle: a deliberately broken one shows the suite catches what it should); on a failure fast-check
 * prints the seed and the path that replays the counterexample.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import fc from 'fast-check';
import { MAX_REASON_LENGTH, TIMEOUT_LIMITS } from '../../../lib/contract/resource';
import { TEST_CONNECTION_INPUT } from '../../../lib/contract/request';
import { freePort } from '../../../sim/lifecycle';
import { Fault, LocalAws, startLocalAws } from '../../../sim/local-aws';
import { createProviderFramework, DEFAULT_HANDLER_BUNDLE, ProviderFramework, RequestType } from '../../../sim/provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from '../../../sim/response-endpoint';
import { createSecret } from '../../../sim/seed';

const number = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number (got ${JSON.stringify(value)})`);
  return Number(value);
};
const FUZZ_SEED = number('FUZZ_SEED', 7_052_026);
// CI size: 500 direct runs (about 15 s) explore every kind of case dozens of times at the recorded
// seed; a deeper run is one variable away (FUZZ_RUNS=20000 FUZZ_SEED=$RANDOM npx jest test/fuzz).
const DIRECT_RUNS = number('FUZZ_RUNS', 500);
const FRAMEWORK_RUNS = number('FUZZ_FRAMEWORK_RUNS', 200);
/** The bundle under test; HANDLER_BUNDLE points the suite at another (e.g. a deliberately broken one). */
const BUNDLE = process.env.HANDLER_BUNDLE || DEFAULT_HANDLER_BUNDLE;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Glue's NameString pattern (botocore's glue service-2.json), read as code points. */
const GLUE_NAME = /^[\u0020-\uD7FF\uE000-\uFFFD\t\u{10000}-\u{10FFFF}]*$/u;
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
/** The error codes the SDK retries as throttling, with long back-offs: not what this suite is for. */
const THROTTLING_CODES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestThrottledException', 'TooManyRequestsException',
  'ProvisionedThroughputExceededException', 'TransactionInProgressException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'LimitExceededException', 'RequestThrottled', 'SlowDown', 'PriorRequestNotComplete', 'EC2ThrottledException']);

type Handler = (event: unknown, context: Context) => Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }>;

let aws: LocalAws;
let endpoint: ResponseEndpoint;
let framework: ProviderFramework;
let handler: Handler;
let secretArn: string;
let secretValue: string;
let closedPort: number;
const savedEnv = { ...process.env };
/** The fault every Glue request of the current case gets (cases run one at a time). */
let glueFault: Fault | undefined;
/** Everything the directly called handler writes. */
const handlerLines: string[] = [];

const STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/fuzz/4f1c';
const ROLLING_BACK_STACK = 'arn:aws:cloudformation:us-east-1:123456789012:stack/fuzz-rolling-back/9e2d';

beforeAll(async () => {
  // No Glue rate limit: thousands of events one after another are this suite's way to explore
  // inputs; the rate-limited Glue is the load suite's subject (test/sim/load).
  [aws, endpoint, closedPort] = await Promise.all([startLocalAws({ glueRateLimits: {} }), startResponseEndpoint(), freePort()]);
  secretValue = `fuzz-Secret-${Math.random().toString(36).slice(2)}!`;
  secretArn = await createSecret(aws, 'fuzz-credentials', { username: 'app', password: secretValue });
  aws.setStackStatus(STACK, 'UPDATE_IN_PROGRESS');
  aws.setStackStatus(ROLLING_BACK_STACK, 'UPDATE_ROLLBACK_IN_PROGRESS');
  aws.faults = (service) => (service === 'glue' ? glueFault : undefined);
  framework = createProviderFramework({ localAws: aws, responseEndpoint: endpoint, handlerTimeoutSeconds: 60, handlerBundle: BUNDLE });

  // The direct calls: the Lambda environment, then the bundle, as a cold start would load it.
  for (const key of Object.keys(process.env)) if (/^AWS_ENDPOINT_URL_|^AWS_PROFILE$|^AWS_SESSION_TOKEN$/.test(key)) delete process.env[key];
  Object.assign(process.env, aws.env());
  // Every console method: the handler writes each level with its own (core/log.ts).
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      handlerLines.push(args.map(String).join(' '));
    });
  }
  handler = (require(BUNDLE) as { handler: Handler }).handler;
}, 60_000);

afterAll(async () => {
  jest.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  if (aws) aws.faults = undefined;
  await Promise.all([aws?.stop(), endpoint?.stop()]);
});

// ---------------------------------------------------------------------------------------------
// Generators

/** Any JSON value: what a hand-edited template could put anywhere. */
const junk = fc.jsonValue({ maxDepth: 4 });
/** Strings as people and tools make them: unicode, emoji, control characters, long runs. */
const wildString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\n', '\u0000', '\ud800', 'x\udfffy', '💥'.repeat(300), 'é'.repeat(2000), 'a'.repeat(70_000), 'password=hunter2'),
);
const notAString = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.array(junk, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 }));

/** A base the mutations start from: a test by name, or of a definition with a secret reference. */
function baseProperties(byInput: boolean): Record<string, unknown> {
  return byInput
    ? {
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: `jdbc:postgresql://127.0.0.1:${closedPort}/orders`, USERNAME: 'app' },
      },
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: secretArn, JsonField: 'password' }],
    }
    : { ConnectionName: 'orders-db' };
}

/** A string Glue would refuse as a NameString: too long, or outside its pattern. */
const badName = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 256, maxLength: 400 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\n', '\r', '\u0000', '\u001f', '\ud800', '\udc00', '\ufffe', '\uffff'), fc.string({ maxLength: 10 }))
    .map(([a, c, b]) => a + c + b),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => !GLUE_NAME.test(s)),
  fc.constant('x'.repeat(70_000)),
);

const validTimeout = (v: unknown) => {
  const text = typeof v === 'number' ? String(v) : v;
  return typeof text === 'string' && /^\d{1,6}$/.test(text) && Number(text) >= TIMEOUT_LIMITS.minSeconds && Number(text) <= TIMEOUT_LIMITS.maxSeconds;
};
const absent = (v: unknown) => v === undefined || v === null || v === '';

/** [the property a reason must name, a mutation of the base that breaks it]. */
type Mutation = [string, (props: Record<string, unknown>) => Record<string, unknown>];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.oneof(notAString, badName).map((v): Mutation => ['ConnectionName', (p) => ({ ...p, TestConnectionInput: undefined, SecretReferences: undefined, ConnectionName: v })]),
  fc.oneof(notAString, badName).map((v): Mutation => ['CatalogId', (p) => ({ ...p, CatalogId: v })]),
  fc.oneof(junk, wildString).filter((v) => !absent(v) && !validTimeout(v)).map((v): Mutation => ['TimeoutSeconds', (p) => ({ ...p, TimeoutSeconds: v })]),
  fc.oneof(junk, wildString).filter((v) => !absent(v) && v !== 'FAIL_DEPLOYMENT' && v !== 'REPORT_ONLY').map((v): Mutation => ['FailureMode', (p) => ({ ...p, FailureMode: v })]),
  fc.oneof(junk, wildString).filter((v) => !absent(v) && !['true', 'false', true, false].includes(v as never)).map((v): Mutation => ['WaitForReady', (p) => ({ ...p, WaitForReady: v })]),
  fc.oneof(notAString.filter((v) => typeof v !== 'object' || Array.isArray(v)), wildString.filter((s) => s !== ''))
    .map((v): Mutation => ['TestConnectionInput', (p) => ({ ...baseProperties(true), ...p, ConnectionName: undefined, TestConnectionInput: v })]),
  // Nested junk where the API wants a string.
  fc.tuple(fc.constantFrom('ConnectionType', 'ConnectionProperties.USERNAME', 'ConnectionProperties.JDBC_CONNECTION_URL', 'AuthenticationConfiguration.AuthenticationType',
    'AuthenticationConfiguration.BasicAuthenticationCredentials.Username', 'AuthenticationConfiguration.OAuth2Properties.TokenUrl'),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(junk, { maxLength: 3 })))
    .map(([path, v]): Mutation => ['TestConnectionInput', (p) => {
      const input = structuredClone(baseProperties(true).TestConnectionInput) as Record<string, unknown>;
      const keys = path.split('.');
      let node = input;
      for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
      node[keys[keys.length - 1]] = v;
      return { ...baseProperties(true), ...p, ConnectionName: undefined, TestConnectionInput: input };
    }]),
  // A member TestConnectionInput does not have (unknown ConnectionProperties keys pass to Glue: it accepts more than its model lists).
  fc.oneof(wildString, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }))
    .filter((k) => k !== '' && !Object.keys(TEST_CONNECTION_INPUT.members).includes(k) && k !== '__proto__')
    .map((key): Mutation => ['TestConnectionInput', (p) => {
      const input = structuredClone(baseProperties(true).TestConnectionInput) as Record<string, unknown>;
      input[key] = 'x';
      return { ...baseProperties(true), ...p, ConnectionName: undefined, TestConnectionInput: input };
    }]),
  fc.oneof(
    fc.oneof(fc.integer(), fc.boolean(), wildString.filter((s) => s !== ''), fc.dictionary(fc.string({ maxLength: 5 }), junk, { maxKeys: 2 })).map((v) => v as unknown),
    fc.array(fc.oneof(fc.integer(), fc.constant(null), fc.string(), fc.array(junk, { maxLength: 2 })), { minLength: 1, maxLength: 3 }),
    fc.constantFrom<Record<string, unknown>[]>(
      [{ Target: '/ConnectionProperties/PASSWORD', SecretId: 'x', Extra: 'y' }],
      [{ Target: '/ConnectionProperties/PASSWORD', SecretId: 7 }],
      [{ SecretId: 'x' }],
      [{ Target: 'ConnectionProperties/PASSWORD', SecretId: 'x' }],
      [{ Target: '/ConnectionProperties/USERNAME', SecretId: 'x' }],
      [{ Target: '/ConnectionProperties/JDBC_CONNECTION_URL', SecretId: 'x' }],
      [{ Target: '/ConnectionProperties/PASSWORD' }],
      [{ Target: '/AuthenticationConfiguration/SecretArn', SecretId: 'x' }],
    ),
  ).map((v): Mutation => ['SecretReferences', (p) => ({ ...baseProperties(true), ...p, ConnectionName: undefined, SecretReferences: v })]),
  // Both, or neither, of the two ways to name what to test.
  fc.constant<Mutation>(['TestConnectionInput', (p) => ({ ...baseProperties(true), ...p, ConnectionName: 'orders-db' })]),
  fc.constant<Mutation>(['ConnectionName', (p) => ({ ...p, ConnectionName: undefined, TestConnectionInput: undefined, SecretReferences: undefined })]),
);

/** Extra properties a template may carry that the handler must ignore. */
const extras = fc.dictionary(fc.constantFrom('ServiceTimeout', 'ConnectionFingerprint', 'RetestNonce', 'Zzz', '💥'), fc.oneof(fc.string(), junk), { maxKeys: 3 });

/** A Glue error name: printable ASCII (it travels in a header too), sometimes namespaced. */
const errorName = fc.oneof(
  fc.constantFrom('InvalidInputException', 'EntityNotFoundException', 'AccessDeniedException', 'InternalServiceException', 'FrobnicationException', 'X', 'Error', 'SyntaxError', 'TypeError', '__proto__', 'constructor'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).map((s) => `com.amazonaws.glue#${s}`),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).map((s) => `${s}:http://internal.amazon.com/coral/`),
).filter((name) => name.trim() !== '' && !THROTTLING_CODES.has(name.split('#').pop()!.split(':')[0]));
const glueMessage = (secret: () => string) => fc.oneof(
  wildString,
  fc.string({ unit: 'binary', maxLength: 3000 }),
  fc.constant(0).map(() => `login failed: password=${secret()}; user app`),
  fc.constant(0).map(() => `echo: ${secret()}`),
  fc.constant('{"nested": {"json": ["in", "a", "message"]}}'),
);

/** One fuzz case: the event, and what must come of it. */
type Case =
  | { kind: 'request-type'; event: Record<string, unknown> }
  | { kind: 'delete'; event: Record<string, unknown> }
  | { kind: 'rollback'; event: Record<string, unknown> }
  | { kind: 'bad-property'; property: string; event: Record<string, unknown> }
  | { kind: 'not-an-object'; event: Record<string, unknown> }
  | { kind: 'glue-error'; event: Record<string, unknown>; fault: Fault; reportOnly: boolean; connectionName?: string; masked: boolean }
  | { kind: 'glue-name'; event: Record<string, unknown>; connectionName: string };

function event(requestType: unknown, properties: unknown, stackId = STACK): Record<string, unknown> {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:fuzz-framework',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/fuzz?X-Amz-Signature=FUZZCANARY',
    StackId: stackId,
    RequestId: 'fuzz-request',
    LogicalResourceId: 'OrdersDbTest',
    ResourceType: 'Custom::GlueConnectionTest',
    ResourceProperties: properties,
    ...(requestType !== 'Create' && { PhysicalResourceId: 'glue-connection-test:OrdersDbTest' }),
  };
}

const requestType = fc.constantFrom('Create', 'Update');
/** A name (or catalog id) Glue accepts: 1 to 255 code points of its pattern, emoji and all; often long. */
const glueName = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 255 }),
  fc.string({ unit: 'grapheme-composite', minLength: 200, maxLength: 255 }),
  fc.constantFrom('orders-📦', 'x'.repeat(255), '💥'.repeat(255), ' leading and trailing ', 'tab\there'),
).map((s) => [...s].map((c) => (GLUE_NAME.test(c) ? c : 'x')).join('')).filter((s) => [...s].length <= 255);
const cases = (forFramework: boolean): fc.Arbitrary<Case> => fc.oneof(
  // A RequestType CloudFormation never sends.
  ...(forFramework ? [] : [fc.oneof(junk, wildString).filter((t) => !['Create', 'Update', 'Delete'].includes(t as string))
    .map((t): Case => ({ kind: 'request-type', event: event(t, baseProperties(false)) }))]),
  // A Delete, whatever its properties.
  fc.oneof(junk, mutation.map(([, m]) => m(baseProperties(false))))
    .filter((p) => !forFramework || (p !== null && typeof p === 'object' && !Array.isArray(p)))
    .map((p): Case => ({ kind: 'delete', event: event('Delete', p) })),
  // An Update while the stack rolls back, whatever its properties.
  fc.oneof(junk, mutation.map(([, m]) => m(baseProperties(false))))
    .filter((p) => !forFramework || (p !== null && typeof p === 'object' && !Array.isArray(p)))
    .map((p): Case => ({ kind: 'rollback', event: event('Update', p, ROLLING_BACK_STACK) })),
  // One property broken, on either base, with extras the handler ignores: the bulk of the runs.
  {
    weight: 4,
    arbitrary: fc.tuple(requestType, fc.boolean(), mutation, extras).map(([type, byInput, [property, m], extra]): Case => ({
      kind: 'bad-property', property, event: event(type, m({ ...extra, ...baseProperties(byInput) })),
    })),
  },
  // ResourceProperties that are no object at all.
  ...(forFramework ? [] : [fc.tuple(requestType, fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.array(junk, { maxLength: 3 })))
    .map(([type, p]): Case => ({ kind: 'not-an-object', event: event(type, p) }))]),
  // Valid properties; Glue answers with a fuzzed error.
  // By name, the name and the catalog are fuzzed too (valid, up to Glue's 255 characters): the
  // reason repeats them in its head and its Fix.
  { weight: 2, arbitrary: fc.tuple(requestType, fc.boolean(), fc.boolean(), errorName, glueMessage(() => secretValue), fc.constantFrom(400, 400, 400, 403, 404, 409, 500, 501, 503),
    fc.option(glueName, { freq: 2 }), fc.option(glueName, { freq: 2 }))
    .map(([type, byInput, reportOnly, name, message, status, connectionName, catalogId]): Case => ({
      kind: 'glue-error',
      event: event(type, {
        ...baseProperties(byInput),
        ...(!byInput && connectionName !== null && { ConnectionName: connectionName }),
        ...(catalogId !== null && { CatalogId: catalogId }),
        ...(reportOnly && { FailureMode: 'REPORT_ONLY' }),
      }),
      fault: { kind: 'error', status, errorType: name, message },
      reportOnly,
      connectionName: byInput ? undefined : connectionName ?? 'orders-db',
      // The handler masks the secrets it resolved (byInput), and any `password=...` pair; a
      // secret Glue read itself (by name, SECRET_ID) and echoes bare is unknown to it.
      masked: byInput || message.includes(`password=${secretValue}`),
    })) },
  // A name Glue accepts, however unusual: Glue (the local one: "not found") answers for it.
  fc.tuple(requestType, glueName)
    .map(([type, name]): Case => ({ kind: 'glue-name', event: event(type, { ConnectionName: name }), connectionName: name })),
);

// ---------------------------------------------------------------------------------------------
// Checks

/** What one case came to: the handler's answer or what it threw. */
type Answer = { ok: true; value: { PhysicalResourceId: string; Data?: Record<string, string> } } | { ok: false; error: Error };

/** A name as a reason shows it: every character outside printable ASCII one '?' (a rough model of clean()). */
const asciiOf = (name: string) => name.replace(/[\r\n\t\f\v]+/g, ' ').replace(/[^\x20-\x7e]/gu, '?').replace(/ {2,}/g, ' ').trim();

/** Whether the case's answer and logs must not hold the secret. */
const mustMask = (c: Case) => c.kind !== 'glue-error' || c.masked;

function checkReason(c: Case, reason: string, where: string): void {
  if (!PRINTABLE_ASCII.test(reason)) throw new Error(`${where} is not printable ASCII: ${JSON.stringify(reason.slice(0, 200))}`);
  if (reason.length > MAX_REASON_LENGTH) throw new Error(`${where} is ${reason.length} characters (limit ${MAX_REASON_LENGTH})`);
  if (reason.length === 0) throw new Error(`${where} is empty`);
  if (mustMask(c) && reason.includes(secretValue)) throw new Error(`${where} contains the secret`);
}

/** The reason of a failed test, whichever way the answer carries it; undefined when it passed. */
function failureReason(answer: Answer, reportOnly: boolean): string | undefined {
  if (!answer.ok) return answer.error.message;
  if (reportOnly && answer.value.Data?.Result === 'FAILED') return answer.value.Data.Reason;
  return undefined;
}

function check(c: Case, answer: Answer): void {
  if (!answer.ok) {
    if (!(answer.error instanceof Error)) throw new Error(`the handler threw a non-Error: ${String(answer.error)}`);
    checkReason(c, answer.error.message, 'the thrown reason');
    if (answer.error.stack !== answer.error.message) throw new Error('the thrown error carries a stack trace, which the framework would append to the reason');
  } else if (answer.value.Data?.Reason) {
    checkReason(c, answer.value.Data.Reason, 'Data.Reason');
  }
  const expectFailure = (mustName: string[]) => {
    const reason = failureReason(answer, false);
    if (reason === undefined) throw new Error(`expected FAILED, got SUCCESS ${JSON.stringify(answer.ok && answer.value)}`);
    for (const name of mustName) if (!reason.includes(name)) throw new Error(`the reason does not name ${name}: ${reason}`);
  };
  switch (c.kind) {
    case 'request-type':
      return expectFailure(['RequestType']);
    case 'not-an-object':
      return expectFailure(['ResourceProperties']);
    case 'bad-property':
      return expectFailure([c.property]);
    case 'delete':
      if (!answer.ok) throw new Error(`a Delete failed: ${answer.error.message}`);
      if (answer.value.PhysicalResourceId !== c.event.PhysicalResourceId) throw new Error(`a Delete changed the physical id to ${answer.value.PhysicalResourceId}`);
      return;
    case 'rollback':
      if (!answer.ok) throw new Error(`a rollback Update failed: ${answer.error.message}`);
      if (answer.value.Data?.Result !== 'SKIPPED') throw new Error(`a rollback Update was tested: ${JSON.stringify(answer.value.Data)}`);
      return;
    case 'glue-error': {
      if (c.reportOnly && !answer.ok) throw new Error(`REPORT_ONLY answered FAILED: ${answer.error.message}`);
      const reason = failureReason(answer, c.reportOnly);
      if (reason === undefined) throw new Error('a Glue error passed the test');
      const named = c.connectionName ? `Glue connection "${asciiOf(c.connectionName)}` : 'Glue connection input (JDBC) failed its test';
      if (!reason.startsWith(named.slice(0, 120))) {
        throw new Error(`the reason does not say which connection failed: ${reason}`);
      }
      return;
    }
    case 'glue-name': {
      const reason = failureReason(answer, false);
      if (reason === undefined) throw new Error('a connection that does not exist passed');
      if (!reason.includes('EntityNotFoundException')) throw new Error(`a name Glue accepts was not sent to Glue: ${reason}`);
      return;
    }
  }
}

function lambdaContext(): Context {
  const deadline = Date.now() + 60_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'fuzz-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fuzz-handler',
    memoryLimitInMB: '256',
    awsRequestId: 'fuzz',
    logGroupName: '/aws/lambda/fuzz-handler',
    logStreamName: 'fuzz',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const counts: Record<string, number> = {};
const bump = (key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

test(`${DIRECT_RUNS} malformed events and Glue errors, straight to the bundled handler (fast-check seed ${FUZZ_SEED})`, async () => {
  await fc.assert(fc.asyncProperty(cases(false), async (c) => {
    glueFault = c.kind === 'glue-error' ? c.fault : undefined;
    handlerLines.length = 0;
    // As Lambda delivers it: a JSON copy (a lone surrogate survives as an escape).
    const delivered = JSON.parse(JSON.stringify(c.event)) as CloudFormationCustomResourceEvent;
    let answer: Answer;
    try {
      answer = { ok: true, value: await handler(delivered, lambdaContext()) };
    } catch (e) {
      answer = { ok: false, error: e as Error };
    } finally {
      glueFault = undefined;
    }
    bump(`${c.kind}: ${answer.ok ? 'SUCCESS' : 'FAILED'}`);
    check(c, answer);
    for (const line of handlerLines) {
      if (mustMask(c) && line.includes(secretValue)) throw new Error(`a log line contains the secret: ${line.slice(0, 200)}`);
      if (line.includes('FUZZCANARY')) throw new Error('a log line contains the ResponseURL');
    }
  }), { seed: FUZZ_SEED, numRuns: DIRECT_RUNS, endOnFailure: true });
  process.stdout.write(`\nfuzz (direct, seed ${FUZZ_SEED}, ${DIRECT_RUNS} runs): ${Object.entries(counts).sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
}, 110_000);

test(`${FRAMEWORK_RUNS} of them through the Provider framework: exactly one well-formed answer each (fast-check seed ${FUZZ_SEED})`, async () => {
  const frameworkCounts: Record<string, number> = {};
  await fc.assert(fc.asyncProperty(cases(true), async (c) => {
    glueFault = c.kind === 'glue-error' ? c.fault : undefined;
    const e = c.event;
    const result = await framework.sendEvent({
      requestType: e.RequestType as RequestType,
      logicalResourceId: e.LogicalResourceId as string,
      resourceProperties: e.ResourceProperties as Record<string, unknown>,
      physicalResourceId: e.PhysicalResourceId as string | undefined,
      stackId: e.StackId as string,
      stackStatus: e.StackId === ROLLING_BACK_STACK ? 'UPDATE_ROLLBACK_IN_PROGRESS' : undefined,
    }).finally(() => {
      glueFault = undefined;
    });
    if (result.frameworkError) throw new Error(`the framework failed: ${result.frameworkError.message}`);
    if (result.responses.length !== 1) throw new Error(`${result.responses.length} answers`);
    const [response] = result.responses;
    if (response.violations.length > 0) throw new Error(`malformed answer: ${response.violations.join('; ')}`);
    if (mustMask(c) && response.raw.includes(secretValue)) throw new Error('the answer contains the secret');
    const body = response.body!;
    const data = body.Data as Record<string, string> | undefined;
    frameworkCounts[`${c.kind}: ${String(body.Status)}`] = (frameworkCounts[`${c.kind}: ${String(body.Status)}`] ?? 0) + 1;
    // The handler's answer, as the framework passed it on.
    const reason = String(body.Reason ?? '');
    const answer: Answer = body.Status === 'SUCCESS'
      ? { ok: true, value: { PhysicalResourceId: String(body.PhysicalResourceId), Data: data } }
      : { ok: false, error: Object.assign(new Error(reason.split('\n')[0]), { stack: reason.split('\n')[0] }) };
    check(c, answer);
    if (!/^[\x00-\x7f]*$/.test(reason)) throw new Error('the Reason is not ASCII');
    if (body.Status === 'FAILED') {
      const expected = e.RequestType === 'Create' ? CREATE_FAILED_MARKER : e.PhysicalResourceId;
      if (body.PhysicalResourceId !== expected) throw new Error(`FAILED with physical id ${String(body.PhysicalResourceId)}, expected ${String(expected)}`);
    }
  }), { seed: FUZZ_SEED, numRuns: FRAMEWORK_RUNS, endOnFailure: true });
  process.stdout.write(`fuzz (framework, seed ${FUZZ_SEED}, ${FRAMEWORK_RUNS} runs): ${Object.entries(frameworkCounts).sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
}, 110_000);
