/**
 * Every error Glue declares for TestConnection (and one it does not) becomes a reason a person
 * can act on: connection, category, Glue's error name and message, and what to do; one line of
 * plain ASCII, at most 1000 characters.
 */
import { InvalidInputException, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { awsError, captureConsole, createEvent, failureOf, glueMock, jdbcDefinition, resetMocks, secretsMock } from './handler-helpers';
import { expectReason } from '../messages';

captureConsole();
afterEach(() => resetMocks());

const BY_NAME = { ConnectionName: 'orders-db' };
const SUBNET = 'subnet-0abc1234def567890';
const GROUP = 'sg-0123456789abcdef0';

async function reasonFor(error: Error, properties: Record<string, unknown> = BY_NAME): Promise<string> {
  glueMock.on(TestConnectionCommand).rejects(error);
  return (await failureOf(createEvent(properties))).message;
}

describe('each error Glue declares for TestConnection', () => {
  test.each([
    // [case, error name, category, Glue's message, what the Fix says]
    ['a wrong password', 'InvalidInputException', 'credentials',
      'Unable to connect: FATAL: password authentication failed for user "app"',
      'the password of database user app is wrong: correct PASSWORD of connection "orders-db"'],
    ['a subnet without a route to S3', 'InvalidInputException', 'network',
      `VPC S3 endpoint validation failed for SubnetId: ${SUBNET}. VPC: vpc-0a1b2c3d4e5f60718. Reason: Could not find S3 endpoint or NAT gateway for subnetId: ${SUBNET} in Vpc vpc-0a1b2c3d4e5f60718.`,
      `add an S3 gateway endpoint to the route table of ${SUBNET}, or a route 0.0.0.0/0 to a NAT gateway.`],
    ['a security group without its self-referencing rule', 'InvalidInputException', 'network',
      `At least one security group must open all ingress ports. To limit traffic, the source security group in your inbound rule can be restricted to the same security group: ${GROUP}`,
      `add to security group ${GROUP} an inbound rule for all TCP ports (0-65535) whose source is the group itself.`],
    ['a refused connection', 'InvalidInputException', 'network',
      'Unable to connect to orders.internal:5432: Connection refused',
      'Glue could not open a TCP connection to orders.internal:5432'],
    ['a host name that does not resolve', 'InvalidInputException', 'DNS',
      'java.net.UnknownHostException: orders.internal: Name or service not known',
      'host name orders.internal does not resolve'],
    ['any other invalid input', 'InvalidInputException', 'unexpected',
      'JDBC_ENGINE_VERSION 3 is not supported for engine postgres',
      "this library's catalogue of Glue failures does not know this message"],
    ['an operation timeout', 'OperationTimeoutException', 'timeout',
      'Test connection timed out',
      "check that the connection's security groups, route table and network ACL let traffic reach it"],
    ['a quota', 'ResourceNumberLimitExceededException', 'Glue service',
      'Maximum number of concurrent test connections reached',
      'a Glue quota is reached'],
    ['a KMS failure', 'GlueEncryptionException', 'permissions',
      'Unable to decrypt the connection password with key alias/glue',
      "let the test handler's role use the KMS key of the catalog's connection passwords (kms:Decrypt)"],
    ['a federated source', 'FederationSourceException', 'configuration',
      'The federated source rejected the request',
      "check the federated source's settings"],
    ['missing permissions', 'AccessDeniedException', 'permissions',
      'User is not authorized to perform: glue:TestConnection',
      "actions: ['glue:TestConnection']"],
    ['a missing connection', 'EntityNotFoundException', 'configuration',
      'Connection with name orders-db is not found',
      'check that connection "orders-db" exists'],
    ['a concurrent change', 'ConflictException', 'Glue service',
      'Another test connection is in progress for orders-db',
      'another operation on the connection was in progress'],
    ['an internal error', 'InternalServiceException', 'Glue service',
      'Internal service error',
      'deploy again'],
    ['an error Glue does not declare', 'SomethingNewException', 'unexpected',
      'A brand new failure',
      "does not know this message"],
  ])('%s (%s) is reported as %s, with a Fix', async (_, name, category, message, fix) => {
    const reason = await reasonFor(awsError(name, message));

    expect(reason.startsWith(`Glue connection "orders-db" failed its test (${category}): ${name}: `)).toBe(true);
    expect(reason).toContain(message.replace(/\.$/, ''));
    expect(reason).toContain(' Fix: ');
    expect(reason.slice(reason.indexOf(' Fix: '))).toContain(fix);
    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/^[\x20-\x7e]*$/);
  });

  test('golden: a subnet without a route to S3: the exact reason names the subnet', async () => {
    const reason = await reasonFor(awsError('InvalidInputException',
      `VPC S3 endpoint validation failed for SubnetId: ${SUBNET}. VPC: vpc-0a1b2c3d4e5f60718.`));

    expect(reason).toBe(`Glue connection "orders-db" failed its test (network): InvalidInputException: VPC S3 endpoint validation failed `
      + `for SubnetId: ${SUBNET}. VPC: vpc-0a1b2c3d4e5f60718. Fix: add an S3 gateway endpoint to the route table of ${SUBNET}, `
      + 'or a route 0.0.0.0/0 to a NAT gateway.');
  });

  test('a security group without its self-referencing rule: the exact reason names the group', async () => {
    const reason = await reasonFor(awsError('InvalidInputException',
      `At least one security group must open all ingress ports. To limit traffic, the source security group in your inbound rule can be restricted to the same security group: ${GROUP}`));

    expectReason(reason, {
      subject: 'Glue connection "orders-db"', category: 'network', error: 'InvalidInputException',
      message: ['At least one security group must open all ingress ports', GROUP], fix: [GROUP, '0-65535'],
    });
  });

  test('a missing connection: the exact reason names the connection and its catalog', async () => {
    const reason = await reasonFor(awsError('EntityNotFoundException', 'Connection with name orders-db is not found'),
      { ...BY_NAME, CatalogId: '111122223333' });

    expectReason(reason, {
      subject: 'Glue connection "orders-db"', category: 'configuration', error: 'EntityNotFoundException',
      message: ['orders-db'], fix: ['connection "orders-db"', 'catalog 111122223333', 'connection prop'],
    });
  });

  test('an undeclared error: the exact reason is "unexpected" and points at the log', async () => {
    const reason = await reasonFor(awsError('SomethingNewException', 'A brand new failure'));

    expectReason(reason, {
      subject: 'Glue connection "orders-db"', category: 'unexpected', error: 'SomethingNewException', message: ['A brand new failure'], fix: ['catalogue'],
    });
  });

  test('the SDK\'s own exception class is told apart by its name like any other', async () => {
    const reason = await reasonFor(new InvalidInputException({ message: 'java.net.UnknownHostException: orders.internal', $metadata: {} }));

    expect(reason).toMatch(/^Glue connection "orders-db" failed its test \(DNS\): InvalidInputException: java\.net\.UnknownHostException: orders\.internal\. Fix: /);
  });

  test('an error without a message still gives a complete reason', async () => {
    const reason = await reasonFor(awsError('InternalServiceException', ''));

    expect(reason).toMatch(/^Glue connection "orders-db" failed its test \(Glue service\): InternalServiceException: \(no message\)\. Fix: /);
  });

  test('a definition without a name is reported by its connection type', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"pw"}' });

    const reason = await reasonFor(awsError('InvalidInputException', 'FATAL: password authentication failed for user "app"'), jdbcDefinition());

    expectReason(reason, {
      subject: 'Glue connection input (JDBC)', category: 'credentials', error: 'InvalidInputException',
      message: ['FATAL: password authentication failed for user "app"'], fix: ['user app', 'PASSWORD', 'SECRET_ID'],
    });
  });
});

describe('the reason\'s limits', () => {
  const huge = (): string => {
    const piece = 'Zeile ünïcödé 🚀 données\r\n\tline two — “quoted” 数据库 ';
    let text = 'Driver said: ';
    while (Buffer.byteLength(text) < 50 * 1024) text += piece;
    return text;
  };

  test('a 50 KB message with emoji, newlines and non-ASCII is cut to a 1000-character ASCII line that ends with the Fix', async () => {
    const reason = await reasonFor(awsError('InvalidInputException', huge()));

    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/^[\x20-\x7e]*$/);
    expect(reason.startsWith('Glue connection "orders-db" failed its test (unexpected): InvalidInputException: Driver said: Zeile ')).toBe(true);
    expect(reason).toMatch(/\.\.\. Fix: this library's catalogue of Glue failures does not know this message, .* then deploy again\.$/);
    expect(reason).not.toMatch(/ {2}/);
  });

  test('a 255-character connection name and a 50 KB message still leave room for the Fix', async () => {
    const name = 'c'.repeat(255);

    const reason = await reasonFor(awsError('EntityNotFoundException', huge()), { ConnectionName: name });

    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/^[\x20-\x7e]*$/);
    expect(reason.startsWith(`Glue connection "${name}" failed its test (configuration): EntityNotFoundException: Driver said: `)).toBe(true);
    expect(reason).toMatch(/\.\.\. Fix: check that connection "c+" exists in this account's catalog in this region, and that the test depends on it \(use the connection prop for one defined in this app\)\.$/);
  });

  // No stopwatch here (a busy machine would flip it): a summariser that backtracks on such a
  // message takes minutes over 100 KB, so the test's own 15 s bound is what catches it.
  test('a 100 KB message of dots and spaces is summarised, not backtracked over', async () => {
    const reason = await reasonFor(awsError('InvalidInputException', 'bad input' + '. '.repeat(50_000) + 'end'));

    expect(reason.length).toBeLessThanOrEqual(1000);
    expect(reason).toMatch(/\.\.\. Fix: /);
  }, 15_000);

  test('a short message is kept whole, with a single full stop', async () => {
    const reason = await reasonFor(awsError('ConflictException', 'Busy...  \n'));

    expectReason(reason, { subject: 'Glue connection "orders-db"', category: 'Glue service', error: 'ConflictException', message: [/^Busy\.$/], fix: ['deploy again'] });
  });
});

test('a connection to Glue lost even after the SDK retried is a Glue service failure, not an unexpected one', async () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { name: 'Error', code: 'ECONNRESET' });
  expect(await reasonFor(reset)).toMatch(/^Glue connection "orders-db" failed its test \(Glue service\): Error: read ECONNRESET\. Fix: the handler lost its connection/);
});
