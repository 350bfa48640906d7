/**
 * The canary test of the secrets issue: a stack whose connection test uses every secret-bearing
 * member of TestConnectionInput, each from its own Secrets Manager secret holding its own
 * unique canary value. No canary may appear in cdk.out, in the event, in a log line of the
 * handler or the framework, in a thrown message, in returned data or in anything
 * CloudFormation's response endpoint received; and each canary must arrive, resolved, in the
 * TestConnection request the local Glue received (so resolution really works). When Glue
 * echoes the request in its error message, the reason masks every canary.
 *
 * Each canary has a unique 16-hex-digit core, and the scans look for the core: it survives
 * JSON escaping, URL encoding and cutting, so a leak in any of those forms is found.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretValue, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  AuthenticationType, FailureMode, GlueConnectionTest, OAuth2GrantType, TestConnectionInput, TestConnectionType,
} from '../../../lib';
import { SECRET_AUTHENTICATION_MEMBERS, SECRET_CONNECTION_PROPERTY_KEYS, toPointer } from '../../../lib/contract/request';
import { ServedRequest } from '../../../sim/local-aws';
import { handlerBundleIsStale } from '../../../sim/build-outputs';
import { Deployment, Simulation, startSimulation, synthesize, SynthesizedStack, TestOutcome } from '../../../sim/cloudformation';

jest.setTimeout(60_000);

/** How a member's SecretValue is written, as users write it. */
type Form = 'SecretValue.secretsManager' | 'secretValueFromJson' | 'secretValue';

interface Canary {
  /** Where it goes in TestConnectionInput (a JSON Pointer). */
  readonly target: string;
  readonly value: string;
  /** The unique part the scans look for. */
  readonly core: string;
  readonly form: Form;
  secretArn?: string;
}

const CUSTOM_CREDENTIALS = ['apiKey', 'signingKeyPassphrase'];
const TARGETS = [
  ...SECRET_CONNECTION_PROPERTY_KEYS.map((key) => toPointer(['ConnectionProperties', key])),
  ...SECRET_AUTHENTICATION_MEMBERS.map((member) => toPointer(['AuthenticationConfiguration', ...member])),
  ...CUSTOM_CREDENTIALS.map((key) => toPointer(['AuthenticationConfiguration', 'CustomAuthenticationCredentials', key])),
];
const BASIC_PASSWORD = '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password';
/** Characters that JSON escapes, URL encoding changes, or a shell or SQL would mind. */
const AWKWARD = ['', '"\\/q', "&%+= '", '<>;,}'];

const canaries: Canary[] = TARGETS.map((target, i) => {
  const core = randomBytes(8).toString('hex');
  const forms: Form[] = ['SecretValue.secretsManager', 'secretValueFromJson', 'secretValue'];
  return { target, core, value: `canary-${core}${AWKWARD[i % AWKWARD.length]}`, form: target === BASIC_PASSWORD ? 'secretValueFromJson' : forms[i % forms.length] };
});
const canaryAt = (target: string) => canaries.find((c) => c.target === target) as Canary;

/** The canaries whose core occurs in `text`. */
function leaked(text: string): string[] {
  return canaries.filter((c) => text.includes(c.core)).map((c) => c.target);
}

let sim: Simulation;
let synthesized: SynthesizedStack;

/** The stack: two tests of the same input, one per failure mode, every secret member from its own secret. */
function canaryStack(stack: Stack): Stack {
  const secret = (target: string): SecretValue => {
    const canary = canaryAt(target);
    const arn = canary.secretArn as string;
    const id = `Secret${canaries.indexOf(canary)}`;
    switch (canary.form) {
      case 'SecretValue.secretsManager':
        return SecretValue.secretsManager(arn, { jsonField: 'value' });
      case 'secretValueFromJson':
        return secretsmanager.Secret.fromSecretCompleteArn(stack, id, arn).secretValueFromJson('value');
      case 'secretValue':
        return secretsmanager.Secret.fromSecretCompleteArn(stack, id, arn).secretValue;
    }
  };
  const auth = (...member: string[]) => secret(toPointer(['AuthenticationConfiguration', ...member]));
  const input: TestConnectionInput = {
    connectionType: TestConnectionType.JDBC,
    connectionProperties: { JDBC_CONNECTION_URL: sim.pg.jdbcUrl, USERNAME: sim.pg.user },
    secretConnectionProperties: Object.fromEntries(SECRET_CONNECTION_PROPERTY_KEYS.map((key) => [key, secret(toPointer(['ConnectionProperties', key]))])),
    authenticationConfiguration: {
      authenticationType: AuthenticationType.BASIC,
      basicAuthenticationCredentials: { username: sim.pg.user, password: auth('BasicAuthenticationCredentials', 'Password') },
      customAuthenticationCredentials: Object.fromEntries(CUSTOM_CREDENTIALS.map((key) => [key, auth('CustomAuthenticationCredentials', key)])),
      oAuth2Properties: {
        oAuth2GrantType: OAuth2GrantType.AUTHORIZATION_CODE,
        tokenUrl: 'https://login.example.com/services/oauth2/token',
        oAuth2ClientApplication: { userManagedClientApplicationClientId: 'orders-pipeline' },
        authorizationCodeProperties: { authorizationCode: auth('OAuth2Properties', 'AuthorizationCodeProperties', 'AuthorizationCode'), redirectUri: 'https://app.example.com/cb' },
        oAuth2Credentials: {
          userManagedClientApplicationClientSecret: auth('OAuth2Properties', 'OAuth2Credentials', 'UserManagedClientApplicationClientSecret'),
          accessToken: auth('OAuth2Properties', 'OAuth2Credentials', 'AccessToken'),
          refreshToken: auth('OAuth2Properties', 'OAuth2Credentials', 'RefreshToken'),
          jwtToken: auth('OAuth2Properties', 'OAuth2Credentials', 'JwtToken'),
        },
      },
    },
  };
  new GlueConnectionTest(stack, 'Gate', { testConnectionInput: input });
  new GlueConnectionTest(stack, 'Report', { testConnectionInput: input, failureMode: FailureMode.REPORT_ONLY });
  return stack;
}

beforeAll(async () => {
  if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
  sim = await startSimulation();
  sim.aws.recordBodies = true;
  const secrets = new SecretsManagerClient({ endpoint: sim.aws.endpoint, region: sim.aws.region, credentials: sim.aws.credentials });
  try {
    for (const [i, canary] of canaries.entries()) {
      const secretString = canary.form === 'secretValue' ? canary.value : JSON.stringify({ value: canary.value });
      canary.secretArn = (await secrets.send(new CreateSecretCommand({ Name: `canary-${i}`, SecretString: secretString }))).ARN;
    }
  } finally {
    secrets.destroy();
  }
  // The database accepts the basic-authentication canary: a passing test proves it was resolved.
  await sim.pg.setPassword(canaryAt(BASIC_PASSWORD).value);
  synthesized = synthesize((app) => canaryStack(new Stack(app, 'CanaryStack')));
}, 60_000);

afterEach(() => {
  sim.aws.faults = undefined;
});

afterAll(async () => {
  try {
    // Across the whole file: nothing the response endpoint received or refused holds a canary.
    expect(leaked(JSON.stringify([sim?.responses.received, sim?.responses.rejected]))).toEqual([]);
  } finally {
    synthesized?.remove();
    await sim?.stop();
  }
});

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

/** Everything of one event that must hold no canary: what CloudFormation sent and received, the logs, the thrown error. */
function exposed(outcome: TestOutcome): Record<string, string> {
  const { result } = outcome;
  return {
    event: JSON.stringify(result.event),
    logs: result.logs.map((l) => `${l.source} ${l.stream} ${l.text}`).join('\n'),
    responses: result.responses.map((r) => r.raw).join('\n'),
    frameworkError: result.frameworkError ? `${result.frameworkError.message}\n${result.frameworkError.stack}` : '',
  };
}

function expectNoLeak(outcome: TestOutcome): void {
  for (const [where, text] of Object.entries(exposed(outcome))) {
    expect({ where, leaked: leaked(text) }).toEqual({ where, leaked: [] });
  }
  expect(outcome.result.responses).toHaveLength(1);
  expect(outcome.result.responses[0].violations).toEqual([]);
}

/** The value at a JSON Pointer. */
function at(root: unknown, pointer: string): unknown {
  return pointer.slice(1).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

const testConnectionBodies = (requests: readonly ServedRequest[]) => requests.filter((r) => r.operation === 'TestConnection').map((r) => r.body);

test('the stack uses every secret-bearing member, each as a reference to its own secret', () => {
  const tests = Object.values(synthesized.template.Resources).filter((r) => r.Type === 'Custom::GlueConnectionTest');
  expect(tests).toHaveLength(2);
  for (const resource of tests) {
    const references = (resource.Properties?.SecretReferences ?? []) as { Target: string; SecretId: string; JsonField?: string }[];
    expect(references.map((r) => r.Target).sort()).toEqual([...TARGETS].sort());
    for (const reference of references) {
      const canary = canaryAt(reference.Target);
      expect(reference).toEqual({ Target: canary.target, SecretId: canary.secretArn, ...(canary.form !== 'secretValue' && { JsonField: 'value' }) });
    }
  }
  expect(canaries.length).toBe(SECRET_CONNECTION_PROPERTY_KEYS.length + 6 + 2);
});

test('no canary appears in any file of cdk.out', () => {
  const files = filesUnder(synthesized.outdir);
  expect(files.map((f) => path.relative(synthesized.outdir, f))).toEqual(expect.arrayContaining(['CanaryStack.template.json', 'manifest.json', 'tree.json']));
  const found = files.flatMap((file) => leaked(fs.readFileSync(file, 'latin1')).map((target) => `${path.relative(synthesized.outdir, file)}: ${target}`));
  expect(found).toEqual([]);
});

test('Create: every canary arrives in the TestConnection request, and none anywhere else', async () => {
  const deployment = Deployment.prepare(sim, synthesized);
  sim.aws.clearRequests();
  const { stackStatus, tests } = await deployment.createStack();
  try {
    expect(stackStatus).toBe('CREATE_COMPLETE');
    expect(tests.map((t) => [t.logicalId.replace(/[0-9A-F]{8}$/, ''), t.status, t.data?.Result])).toEqual([['Gate', 'CREATE_COMPLETE', 'PASSED'], ['Report', 'CREATE_COMPLETE', 'PASSED']]);
    tests.forEach(expectNoLeak);

    const bodies = testConnectionBodies(sim.aws.requests);
    expect(bodies).toHaveLength(2);
    // The scan finds every canary where it belongs (JSON-escaped, as sent): it would find a leak.
    expect(leaked(JSON.stringify(bodies)).sort()).toEqual([...TARGETS].sort());
    for (const body of bodies) {
      for (const canary of canaries) {
        expect({ target: canary.target, value: at(body?.TestConnectionInput, canary.target) }).toEqual({ target: canary.target, value: canary.value });
      }
    }
    // Only the TestConnection requests carry them: not GetSecretValue's request, not DescribeStacks, nothing else.
    const others = sim.aws.requests.filter((r) => r.operation !== 'TestConnection');
    expect(others.map((r) => r.operation)).toContain('GetSecretValue');
    expect(leaked(JSON.stringify(others))).toEqual([]);
  } finally {
    await deployment.dispose();
  }
});

test('Glue echoing the credentials in its error: the reason, the logs and the returned data mask every canary', async () => {
  sim.aws.faults = (_service, operation, body) => {
    if (operation !== 'TestConnection') return undefined;
    const input = body.TestConnectionInput as Record<string, unknown>;
    const password = String(at(input, BASIC_PASSWORD));
    const clientSecret = String(at(input, '/AuthenticationConfiguration/OAuth2Properties/OAuth2Credentials/UserManagedClientApplicationClientSecret'));
    return {
      kind: 'error',
      status: 400,
      errorType: 'InvalidInputException',
      message: `Login failed for user 'orders_app' with '${password}' (url ${encodeURIComponent(password)}); `
        + `client ${clientSecret} refused; request: ${JSON.stringify(input)}`,
    };
  };
  const deployment = Deployment.prepare(sim, synthesized);
  try {
    const [gateId, reportId] = deployment.logicalIds();
    const gate = await deployment.sendTestEvent(gateId, 'Create');
    const report = await deployment.sendTestEvent(reportId, 'Create');

    expect(gate.status).toBe('CREATE_FAILED');
    expect(gate.reason).toMatch(/^Glue connection input \(JDBC\) failed its test \(credentials\): InvalidInputException: Login failed for user 'orders_app' with '\*\*\*' \(url \*\*\*\); client \*\*\* refused; request: /);
    expect(report.status).toBe('CREATE_COMPLETE');
    expect(report.data).toMatchObject({ Result: 'FAILED', Reason: expect.stringContaining("with '***' (url ***); client *** refused") });
    expectNoLeak(gate);
    expectNoLeak(report);
    // The handler did log the failure, masked.
    expect(gate.result.logs.some((l) => l.source === 'handler' && l.text.includes('"test failed"') && l.text.includes('***'))).toBe(true);
  } finally {
    await deployment.dispose();
  }
});
