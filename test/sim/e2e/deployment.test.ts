/**
 * The deployment simulation: the example app (bin/example-stack.ts), synthesized, deployed to
 * the local AWS by the small CloudFormation of deploy.ts (moto's EC2 and Secrets Manager, the
 * local Glue, a real PostgreSQL), its Custom::GlueConnectionTest events run through
 * aws-cdk-lib's own Provider framework code and the handler bundle from cdk.out. Each test
 * asserts what reached CloudFormation's response endpoint: exactly one well-formed answer, its
 * Status, its Reason.
 */
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'crypto';
import { freePort } from '../../../sim/lifecycle';
import {
  Deployment, deployExampleApp, exampleVariants, ExampleAppOptions, logicalIdsOfType, Simulation, StackOperation,
  startSimulation, SynthesizedStack, synthesizeExampleApp, TestOutcome,
} from '../../../sim/cloudformation';
import { handlerBundleIsStale } from '../../../sim/build-outputs';

const TEST_ID = 'OrdersDbTest53795AF3';
const CONNECTION = 'orders-db';
const FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

jest.setTimeout(60_000);

let sim: Simulation;
/** The example app as written, synthesized once for the tests that deploy it unchanged. */
let asWritten: SynthesizedStack | undefined;
/** Clean-ups of the running test, run after it whatever happened (last first). */
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
  sim = await startSimulation();
}, 60_000);

afterEach(async () => {
  sim.aws.faults = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  try {
    // Nothing the framework sent was refused by the S3 stand-in (signature, expiry, Content-Length).
    expect(sim?.responses.rejected ?? []).toEqual([]);
  } finally {
    asWritten?.remove();
    await sim?.stop();
  }
});

/** The example app, synthesized against the simulation's database; without options, the shared as-written one. */
function synth(options?: ExampleAppOptions): SynthesizedStack {
  if (!options) return (asWritten ??= synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port }));
  const stack = synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port, ...options });
  cleanups.push(() => stack.remove());
  return stack;
}

async function deploy(stack: SynthesizedStack, options: { databaseAdoptsSecret?: boolean } = {}): Promise<{ deployment: Deployment; operation: StackOperation }> {
  const deployed = await deployExampleApp(sim, stack, options);
  cleanups.push(() => deployed.deployment.dispose());
  return deployed;
}

/** The one answer the event got: well-formed, with no secret in it or in the logs. */
function answerOf(outcome: TestOutcome): Record<string, unknown> {
  const { result } = outcome;
  expect(result.frameworkError).toBeUndefined();
  expect(result.responses).toHaveLength(1);
  expect(result.responses[0].violations).toEqual([]);
  const seen = JSON.stringify([result.responses, result.logs]);
  expect(seen).not.toContain(sim.pg.password);
  // Nobody logged the presigned ResponseURL (the framework logs it as "...", or its path with "?***").
  expect(seen).not.toContain('X-Amz-Signature');
  return result.responses[0].body as Record<string, unknown>;
}

/** The Glue operations the handler called during the event. */
/** The Glue calls the test made that Glue admitted (a call its rate limit throttled is retried: not counted). */
const glueCalls = (outcome: TestOutcome) => outcome.awsRequests.filter((r) => r.service === 'glue' && !r.rateLimited).map((r) => r.operation);

/** The physical id CloudFormation got for the first created resource of a type. */
function createdId(operation: StackOperation, type: string): string {
  const event = operation.events.find((e) => e.type === type && e.status === 'CREATE_COMPLETE');
  if (!event?.physicalId) throw new Error(`no ${type} was created`);
  return event.physicalId;
}

/** A failed Create: one FAILED answer with the framework's marker, the stack rolled back, the gated job never created. */
function expectFailedCreate(operation: StackOperation): string {
  expect(operation.stackStatus).toBe('ROLLBACK_COMPLETE');
  expect(operation.neverCreated).toEqual(['OrdersEtl']);
  const [test] = operation.tests;
  expect(test.status).toBe('CREATE_FAILED');
  const answer = answerOf(test);
  expect(answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: FAILED_MARKER, LogicalResourceId: TEST_ID });
  // The rollback's Delete of the failed test is answered by the framework alone.
  expect(operation.rollback.map((r) => [r.requestType, r.status, answerOf(r).Status])).toEqual([['Delete', 'DELETE_COMPLETE', 'SUCCESS']]);
  expect(operation.rollback[0].awsRequests).toEqual([]);
  expect(test.reason).toBe(answer.Reason);
  return answer.Reason as string;
}

test('the event carries the template\'s properties, resolved as CloudFormation resolves them', async () => {
  const stack = synth();
  expect(stack.template.Resources[TEST_ID].Properties).toMatchObject({
    ConnectionName: { Ref: 'OrdersDb' }, CatalogId: { Ref: 'AWS::AccountId' }, ServiceToken: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
  });
  const { operation } = await deploy(stack);
  const [test] = operation.tests;
  expect(test.result.event).toMatchObject({
    RequestType: 'Create',
    LogicalResourceId: TEST_ID,
    ResourceType: 'Custom::GlueConnectionTest',
    ResourceProperties: {
      ServiceToken: expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:/),
      ServiceTimeout: '390',
      ConnectionName: CONNECTION,
      CatalogId: sim.aws.accountId,
      FailureMode: 'FAIL_DEPLOYMENT',
      TimeoutSeconds: '300',
      WaitForReady: 'true',
      ConnectionFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
    },
  });
});

test('good credentials: SUCCESS, Result PASSED, and the gated job may be created', async () => {
  const { operation } = await deploy(synth());

  expect(operation.stackStatus).toBe('CREATE_COMPLETE');
  const [test] = operation.tests;
  expect(test.status).toBe('CREATE_COMPLETE');
  expect(answerOf(test)).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: `glue-connection-test:${TEST_ID}`,
    LogicalResourceId: TEST_ID,
    Data: { Result: 'PASSED', Reason: '', TestedAt: expect.any(String), DurationMs: expect.stringMatching(/^\d+$/) },
  });
  // Waited for READY, then tested: by name, in the catalog of the stack's account.
  expect(glueCalls(test)).toEqual(['GetConnection', 'TestConnection']);
});

test('wrong password: FAILED with a (credentials) reason that says what to fix', async () => {
  // The database never adopted the password CloudFormation generated into the secret.
  const { operation } = await deploy(synth(), { databaseAdoptsSecret: false });

  const reason = expectFailedCreate(operation);
  expect(reason).toMatch(new RegExp('^Glue connection "orders-db" failed its test \\(credentials\\): InvalidInputException: '
    + 'FATAL: password authentication failed for user "orders_app"\\. Fix: the password of database user orders_app is wrong: correct PASSWORD of connection "orders-db"'));
  expect(reason).toMatch(/\n\nLogs: \/aws\/lambda\/GlueConnectionTest-Handler-\w+\n$/);
});

test('database port closed: FAILED with a (network) reason naming host and port', async () => {
  const closedPort = await freePort();
  const { operation } = await deploy(synth({ databasePort: closedPort }));

  const reason = expectFailedCreate(operation);
  expect(reason).toMatch(/^Glue connection "orders-db" failed its test \(network\): InvalidInputException: /);
  // pgjdbc's own wording, and the catalogue's fix with the host and port from it.
  expect(reason).toContain(`Connection to 127.0.0.1:${closedPort} refused. Check that the hostname and port are correct`);
  expect(reason).toContain(`Fix: nothing accepts connections at 127.0.0.1:${closedPort}: check the host and port in JDBC_CONNECTION_URL`);
});

test('security group without the self-referencing rule: FAILED with a (network) reason naming the group', async () => {
  const stack = synth({ customize: exampleVariants.withoutSelfReferencingRule });
  expect(logicalIdsOfType(stack.template, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
  const { operation } = await deploy(stack);

  const groupId = createdId(operation, 'AWS::EC2::SecurityGroup');
  const reason = expectFailedCreate(operation);
  expect(reason).toMatch(/^Glue connection "orders-db" failed its test \(network\): InvalidInputException: At least one security group must open all ingress ports/);
  // The network inspection read the group's rules from EC2 and names the one to change.
  expect(reason).toContain(`Fix: add to ${groupId} an inbound rule: All TCP, ports 0-65535, source ${groupId} itself.`);
});

test('subnet without an S3 route: FAILED with a (network) reason naming the subnet and its route table', async () => {
  const stack = synth({ customize: exampleVariants.withoutS3Route });
  expect(logicalIdsOfType(stack.template, 'AWS::EC2::VPCEndpoint')).toEqual([]);
  const { operation } = await deploy(stack);

  const subnetId = createdId(operation, 'AWS::EC2::Subnet');
  const reason = expectFailedCreate(operation);
  expect(reason).toMatch(new RegExp(`^Glue connection "orders-db" failed its test \\(network\\): InvalidInputException: VPC S3 endpoint validation failed for SubnetId: ${subnetId}\\.`));
  // The network inspection found the subnet's route table in EC2 and names it.
  const routeTableId = createdId(operation, 'AWS::EC2::RouteTable');
  expect(reason).toContain(`Fix: add an S3 gateway endpoint (com.amazonaws.us-east-1.s3) to route table ${routeTableId}, or a 0.0.0.0/0 route to a NAT gateway.`);
});

test('connection missing: FAILED with a reason naming the connection', async () => {
  const { operation } = await deploy(synth({ customize: exampleVariants.testsConnectionNamed('orders-db-old') }));

  const reason = expectFailedCreate(operation);
  expect(reason).toMatch(/^Glue connection "orders-db-old" failed its test \(configuration\): EntityNotFoundException: Connection orders-db-old not found\./);
  expect(reason).toContain('Fix: check that connection "orders-db-old" exists in catalog 123456789012');
  expect(glueCalls(operation.tests[0])).toEqual(['GetConnection']);
});

test('Update with changed credentials re-tests: FAILED while the secret is stale, SUCCESS once it is not; the physical id stays', async () => {
  const { deployment, operation: created } = await deploy(synth());
  const physicalId = answerOf(created.tests[0]).PhysicalResourceId;
  expect(physicalId).toBe(`glue-connection-test:${TEST_ID}`);

  // The database's password changes; the secret still holds the old one. The user changes the connection.
  const newPassword = randomBytes(18).toString('base64url');
  await sim.pg.setPassword(newPassword);
  const v2 = synth({ customize: exampleVariants.connectionDescription('orders database, v2') });
  const failed = await deployment.updateStack(v2);

  expect(failed.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(failed.events.map((e) => [e.logicalId, e.status, e.rollback ?? false])).toEqual([
    ['OrdersDb', 'UPDATE_COMPLETE', false], [TEST_ID, 'UPDATE_FAILED', false], ['OrdersDb', 'UPDATE_COMPLETE', true], [TEST_ID, 'UPDATE_COMPLETE', true],
  ]);
  const [update] = failed.tests;
  expect(update.result.event).toMatchObject({ RequestType: 'Update', PhysicalResourceId: physicalId });
  const { ResourceProperties: next, OldResourceProperties: old } = update.result.event as Record<string, Record<string, string>>;
  expect(next.ConnectionFingerprint).not.toBe(old.ConnectionFingerprint);
  expect(answerOf(update)).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId });
  expect(update.reason).toMatch(/^Glue connection "orders-db" failed its test \(credentials\): InvalidInputException: FATAL: password authentication failed/);
  expect(glueCalls(update)).toEqual(['GetConnection', 'TestConnection']);

  // The user puts the database's password into the secret and deploys again.
  const secrets = new SecretsManagerClient({ endpoint: sim.aws.endpoint, region: sim.aws.region, credentials: sim.aws.credentials });
  try {
    const [secretId] = deployment.logicalIds('AWS::SecretsManager::Secret');
    const current = JSON.parse(await deployment.secretString(secretId)) as Record<string, string>;
    await secrets.send(new PutSecretValueCommand({ SecretId: deployment.physicalId(secretId), SecretString: JSON.stringify({ ...current, password: newPassword }) }));
  } finally {
    secrets.destroy();
  }
  const passed = await deployment.updateStack(v2);

  expect(passed.stackStatus).toBe('UPDATE_COMPLETE');
  const [retest] = passed.tests;
  expect(retest.status).toBe('UPDATE_COMPLETE');
  expect(answerOf(retest)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId, Data: { Result: 'PASSED' } });
  expect(glueCalls(retest)).toEqual(['GetConnection', 'TestConnection']);
});

test('Delete succeeds with Glue stopped, and makes no Glue call', async () => {
  const { deployment, operation } = await deploy(synth());
  const physicalId = operation.tests[0].physicalResourceId;

  sim.aws.faults = (service) => (service === 'glue' ? { kind: 'reset' } : undefined);
  const deleted = await deployment.sendTestEvent(TEST_ID, 'Delete', { stackStatus: 'DELETE_IN_PROGRESS' });

  expect(deleted.status).toBe('DELETE_COMPLETE');
  expect(answerOf(deleted)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId });
  expect(deleted.awsRequests).toEqual([]);

  // With Glue back, CloudFormation deletes the rest of the stack; the test is gone already.
  sim.aws.faults = undefined;
  const rest = await deployment.deleteStack();
  expect(rest.tests).toEqual([]);
  expect(rest.events.map((e) => e.logicalId)).toContain('OrdersDb');
});

test('REPORT_ONLY: SUCCESS with Data.Result FAILED and the reason; the deployment goes on', async () => {
  const { operation } = await deploy(synth({ customize: exampleVariants.reportOnly }), { databaseAdoptsSecret: false });

  expect(operation.stackStatus).toBe('CREATE_COMPLETE');
  const [test] = operation.tests;
  expect(test.properties.FailureMode).toBe('REPORT_ONLY');
  const answer = answerOf(test);
  expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `glue-connection-test:${TEST_ID}`, Data: { Result: 'FAILED' } });
  expect((answer.Data as Record<string, string>).Reason).toMatch(/^Glue connection "orders-db" failed its test \(credentials\): InvalidInputException: FATAL: password authentication failed/);
});

test('Update during rollback: SUCCESS (Result SKIPPED) without a Glue call, though a test would fail', async () => {
  const { deployment } = await deploy(synth());
  await sim.pg.setPassword(randomBytes(18).toString('base64url'));

  const { rollback, stackStatus } = await deployment.updateStack(synth({ customize: exampleVariants.connectionDescription('orders database, v2') }));

  expect(stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(rollback).toHaveLength(1);
  const [restore] = rollback;
  expect(restore.result.event).toMatchObject({ RequestType: 'Update', PhysicalResourceId: `glue-connection-test:${TEST_ID}` });
  expect(restore.status).toBe('UPDATE_COMPLETE');
  expect(answerOf(restore)).toMatchObject({ Status: 'SUCCESS', Data: { Result: 'SKIPPED', Reason: 'The stack is rolling back; the connection was not tested.' } });
  // The handler read the stack's status, which said UPDATE_ROLLBACK_IN_PROGRESS, and stopped there.
  expect(restore.awsRequests.map((r) => `${r.service}:${r.operation}`)).toEqual(['cloudformation:DescribeStacks']);
});
