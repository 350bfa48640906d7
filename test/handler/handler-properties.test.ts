/**
 * CloudFormation delivers every property as a string: the handler parses each one and refuses
 * what it cannot use, before any AWS call, with a reason that names the property.
 */
import { TestConnectionCommand } from '@aws-sdk/client-glue';
import { allAwsCalls, captureConsole, createEvent, DB_SECRET_ARN, failureOf, glueMock, jdbcDefinition, resetMocks, run } from './handler-helpers';
import { expectMessage } from '../messages';

captureConsole();
afterEach(() => resetMocks());

const FIX = '. Fix: correct the property in the stack (the construct checks it at synth time; was the template edited by hand?).';
const byName = (extra: Record<string, unknown>) => ({ ConnectionName: 'orders-db', ...extra });
const reasonFor = async (properties: Record<string, unknown>) => (await failureOf(createEvent(properties))).message;

describe('the reason of a property the handler cannot use', () => {
  test('golden: a TimeoutSeconds that is not a number is refused', async () => {
    expect(await reasonFor(byName({ TimeoutSeconds: 'abc' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "abc")${FIX}`);
  });

  test.each<[string, Record<string, unknown>, string, string[]]>([
    ['a TimeoutSeconds below 30 s', byName({ TimeoutSeconds: '5' }), 'Glue connection "orders-db" ', ['TimeoutSeconds:', '30 to 600', '(got "5")']],
    ['a TimeoutSeconds above 600 s', byName({ TimeoutSeconds: '601' }), 'Glue connection "orders-db" ', ['TimeoutSeconds:', '30 to 600', '(got "601")']],
    ['a WaitForReady other than "true" or "false"', byName({ WaitForReady: 'yes' }), 'Glue connection "orders-db" ',
      ['WaitForReady:', '"true" or "false"', '(got "yes")']],
    ['an unknown FailureMode', byName({ FailureMode: 'MAYBE' }), 'Glue connection "orders-db" ', ['FailureMode:', 'FAIL_DEPLOYMENT, REPORT_ONLY', '(got "MAYBE")']],
    ['a ConnectionName of 256 characters (the reason names it cut to 255)', { ConnectionName: 'c'.repeat(256) }, `Glue connection "${'c'.repeat(255)}" `,
      ['ConnectionName:', '255', '(got 256)']],
    ['ConnectionName and TestConnectionInput together', { ...jdbcDefinition(), ConnectionName: 'orders-db' }, 'Glue connection "orders-db" ',
      ['ResourceProperties:', 'ConnectionName', 'TestConnectionInput', 'not both']],
    ['neither ConnectionName nor TestConnectionInput', { CatalogId: '111122223333' }, 'Glue connection input ',
      ['ResourceProperties:', 'ConnectionName', 'TestConnectionInput']],
    ['a secret reference whose Target is not a secret member', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/HOST', SecretId: DB_SECRET_ARN, JsonField: 'host' }],
    }), 'Glue connection input (JDBC) ', ['SecretReferences[0].Target:', '"/ConnectionProperties/HOST"', '*PASSWORD*', 'AuthenticationConfiguration']],
    ['a leaf of TestConnectionInput that is not a string', {
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { HOST: 'orders.internal', PORT: 5432, JDBC_ENGINE: 'postgres', SECRET_ID: 'orders-db' },
      },
    }, 'Glue connection input (JDBC) ', ['TestConnectionInput.ConnectionProperties.PORT:', 'string', '(got number)']],
  ])('%s is refused: the reason names the connection, the category, the property and the fix', async (_, properties, subject, [property, ...facts]) => {
    const reason = await reasonFor(properties);

    expect(reason.startsWith(`${subject}could not be tested (configuration): PropertyError: ${property} `)).toBe(true);
    expectMessage(reason, property, ...facts);
    expect(reason.endsWith(FIX)).toBe(true);
  });
});

test('secret references for a test by name are refused: they would fill in nothing', async () => {
  expectMessage(await reasonFor({ ConnectionName: 'orders-db', SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: 'db' }] }),
    'Glue connection "orders-db" could not be tested (configuration): PropertyError: SecretReferences:', 'TestConnectionInput');
});

describe('every bad property is refused before any AWS call, naming the property', () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['TimeoutSeconds "abc"', byName({ TimeoutSeconds: 'abc' }), ['TimeoutSeconds:', '(got "abc")', '30 to 600']],
    ['TimeoutSeconds "5"', byName({ TimeoutSeconds: '5' }), ['TimeoutSeconds:', '(got "5")', '30 to 600']],
    ['TimeoutSeconds "601"', byName({ TimeoutSeconds: '601' }), ['TimeoutSeconds:', '(got "601")', '30 to 600']],
    ['TimeoutSeconds "30.5"', byName({ TimeoutSeconds: '30.5' }), ['TimeoutSeconds:', '(got "30.5")', '30 to 600']],
    ['TimeoutSeconds "-60"', byName({ TimeoutSeconds: '-60' }), ['TimeoutSeconds:', '(got "-60")', '30 to 600']],
    ['a long TimeoutSeconds, shown cut', byName({ TimeoutSeconds: '9'.repeat(100) }),
      ['TimeoutSeconds:', `(got "${'9'.repeat(40)}...")`]],
    ['WaitForReady "yes"', byName({ WaitForReady: 'yes' }), ['WaitForReady:', '(got "yes")']],
    ['WaitForReady "TRUE"', byName({ WaitForReady: 'TRUE' }), ['WaitForReady:', '(got "TRUE")']],
    ['FailureMode "MAYBE"', byName({ FailureMode: 'MAYBE' }), ['FailureMode:', '(got "MAYBE")', 'FAIL_DEPLOYMENT, REPORT_ONLY']],
    ['a ConnectionName of 256 characters', { ConnectionName: 'c'.repeat(256) }, ['ConnectionName:', '(got 256)']],
    ['a ConnectionName on two lines', { ConnectionName: 'orders\ndb' }, ['ConnectionName:']],
    ['a ConnectionName that is not a string', { ConnectionName: ['orders-db'] }, ['ConnectionName:', '(got a list)']],
    ['a CatalogId of 256 characters', byName({ CatalogId: '1'.repeat(256) }), ['CatalogId:', '(got 256)']],
    ['both ConnectionName and TestConnectionInput', { ...jdbcDefinition(), ConnectionName: 'orders-db' },
      ['ResourceProperties:', 'ConnectionName', 'TestConnectionInput', 'not both']],
    ['neither ConnectionName nor TestConnectionInput', {}, ['ResourceProperties:']],
    ['a TestConnectionInput that is not an object', { TestConnectionInput: 'JDBC' }, ['TestConnectionInput:', '(got "JDBC")']],
    ['a TestConnectionInput without ConnectionType', { TestConnectionInput: { ConnectionProperties: { SECRET_ID: 'orders-db' } } },
      ['TestConnectionInput.ConnectionType:', 'JDBC, SALESFORCE']],
    ['a JDBC definition without an address', jdbcDefinition({
      TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { USERNAME: 'app' } },
    }), ['TestConnectionInput.ConnectionProperties:', '(missing HOST, PORT, JDBC_ENGINE)']],
    ['a leaf that is a number', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { PORT: 5432 } } },
      ['TestConnectionInput.ConnectionProperties.PORT:', '(got number)']],
    ['a leaf that is null', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { HOST: null } } },
      ['TestConnectionInput.ConnectionProperties.HOST:', '(got null)']],
    ['a leaf that is a list', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { HOST: ['a', 'b'] } } },
      ['TestConnectionInput.ConnectionProperties.HOST:', '(got a list)']],
    ['SecretReferences that is not a list', jdbcDefinition({ SecretReferences: 'PASSWORD' }), ['SecretReferences:', '(got "PASSWORD")']],
    ['a secret reference Target that is not a secret member', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/HOST', SecretId: DB_SECRET_ARN }],
    }), ['SecretReferences[0].Target:', '"/ConnectionProperties/HOST"']],
    ['a secret reference Target outside TestConnectionInput\'s secret members', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionType', SecretId: DB_SECRET_ARN }],
    }), ['SecretReferences[0].Target:', '"/ConnectionType"']],
    ['a secret reference Target that is not a JSON Pointer', jdbcDefinition({
      SecretReferences: [{ Target: 'ConnectionProperties.PASSWORD', SecretId: DB_SECRET_ARN }],
    }), ['SecretReferences[0].Target:', '"ConnectionProperties.PASSWORD"', '"/"']],
    ['a secret reference without a SecretId', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD' }],
    }), ['SecretReferences[0].SecretId:']],
    ['a secret reference without a Target', jdbcDefinition({
      SecretReferences: [{ SecretId: DB_SECRET_ARN }],
    }), ['SecretReferences[0].Target:']],
    ['a secret reference with a member it does not have', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, Version: 'v1' }],
    }), ['SecretReferences[0].Version:', 'Target, SecretId, JsonField, VersionStage, VersionId']],
  ])('%s', async (_, properties, [property, ...facts]) => {
    const reason = await reasonFor(properties);

    expect(reason).toMatch(/^Glue connection (".*"|input( \(\w+\))?) could not be tested \(configuration\): PropertyError: /);
    expectMessage(reason, property, ...facts);
    expect(reason.endsWith(FIX)).toBe(true);
    expect(allAwsCalls()).toHaveLength(0);
  });

  test('all the problems of one definition come in one reason', async () => {
    const reason = await reasonFor({
      TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { USERNAME: 'app', PORT: 5432 }, AuthenticationConfiguraton: {} },
    });

    expectMessage(reason, 'PropertyError: TestConnectionInput.ConnectionProperties.PORT:', '(got number)');
    expect(reason).toMatch(/; TestConnectionInput\.AuthenticationConfiguraton: [^;]*; did you mean AuthenticationConfiguration\?/);
    expect(reason).toMatch(/; TestConnectionInput\.ConnectionProperties: [^;]*JDBC_CONNECTION_URL/);
    expect(reason).toMatch(/; TestConnectionInput\.ConnectionProperties: [^;]*SECRET_ID/);
  });

  test('a value put inline in a secret reference is refused without being repeated', async () => {
    const reason = await reasonFor(jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, Value: 'inline-plaintext-value' }],
    }));

    expectMessage(reason, 'SecretReferences[0].Value:', 'Target, SecretId');
    expect(reason).not.toContain('inline-plaintext-value');
  });

  test('missing ResourceProperties are refused', async () => {
    const event = { ...createEvent({}), ResourceProperties: undefined } as unknown as Parameters<typeof failureOf>[0];

    expectMessage((await failureOf(event)).message, 'PropertyError: ResourceProperties:', 'object');
  });
});

describe('what is accepted', () => {
  test.each<[string, Record<string, unknown>]>([
    ['TimeoutSeconds "30"', byName({ TimeoutSeconds: '30' })],
    ['TimeoutSeconds "600"', byName({ TimeoutSeconds: '600' })],
    ['an empty TimeoutSeconds (the default)', byName({ TimeoutSeconds: '' })],
    ['WaitForReady "false"', byName({ WaitForReady: 'false' })],
    ['FailureMode "FAIL_DEPLOYMENT"', byName({ FailureMode: 'FAIL_DEPLOYMENT' })],
    ['a ConnectionName of 255 characters', { ConnectionName: 'c'.repeat(255) }],
    ['a ConnectionType Glue may add later', { TestConnectionInput: { ConnectionType: 'SNOWFLAKE', ConnectionProperties: { SECRET_ID: 'x' } } }],
  ])('%s', async (_, properties) => {
    glueMock.on(TestConnectionCommand).resolves({});

    expect((await run(createEvent(properties))).Data?.Result).toBe('PASSED');
  });
});

test('a member TestConnectionInput does not have is refused, not dropped without a word', async () => {
  expectMessage(await reasonFor({
    TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', SECRET_ID: 's' }, Bogus: { Deep: ['junk'] } },
  }), 'Glue connection input (JDBC) could not be tested (configuration): PropertyError: TestConnectionInput.Bogus:',
  'ConnectionType, ConnectionProperties, AuthenticationConfiguration');
});

describe('keys and types beyond the Glue API model pass to Glue as given', () => {
  test.each<[string, Record<string, unknown>]>([
    ['SALESFORCE with INSTANCE_URL, as Glue documents it', {
      ConnectionType: 'SALESFORCE',
      ConnectionProperties: { INSTANCE_URL: 'https://example.my.salesforce.com' },
      AuthenticationConfiguration: { AuthenticationType: 'OAUTH2', SecretArn: DB_SECRET_ARN },
    }],
    ['a key no list has', { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', SECRET_ID: 's', VENDOR_FLAG: 'on' } }],
    ['a ConnectionType the model does not list', { ConnectionType: 'SNOWFLAKE', ConnectionProperties: { SECRET_ID: 's' } }],
    ['ENCRYPTED_PASSWORD, which is ciphertext', {
      ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', USERNAME: 'app', SECRET_ID: 's', ENCRYPTED_PASSWORD: 'AQICAHh' },
    }],
  ])('%s', async (_, input) => {
    glueMock.on(TestConnectionCommand).resolves({});

    expect((await run(createEvent({ TestConnectionInput: input }))).Data?.Result).toBe('PASSED');
    expect(glueMock.commandCalls(TestConnectionCommand)[0].args[0].input).toEqual({ TestConnectionInput: input });
  });
});

test('a misspelled member is refused with its path and the nearest member', async () => {
  expectMessage(await reasonFor({
    TestConnectionInput: {
      ConnectionType: 'SALESFORCE',
      AuthenticationConfiguration: { AuthenticationType: 'OAUTH2', SecretArn: DB_SECRET_ARN, OAuth2Properties: { OAuth2GrantTyp: 'JWT_BEARER' } },
    },
  }), 'PropertyError: TestConnectionInput.AuthenticationConfiguration.OAuth2Properties.OAuth2GrantTyp:', 'OAuth2GrantType?',
  'OAuth2GrantType, OAuth2ClientApplication, TokenUrl, TokenUrlParametersMap, AuthorizationCodeProperties, OAuth2Credentials');
});
