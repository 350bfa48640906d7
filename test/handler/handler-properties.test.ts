/**
 * CloudFormation delivers every property as a string: the handler parses each one and refuses
 * what it cannot use, before any AWS call, with a reason that names the property.
 */
import { TestConnectionCommand } from '@aws-sdk/client-glue';
import { allAwsCalls, captureConsole, createEvent, DB_SECRET_ARN, failureOf, glueMock, jdbcDefinition, resetMocks, run } from './handler-helpers';

captureConsole();
afterEach(() => resetMocks());

const FIX = '. Fix: correct the property in the stack (the construct checks it at synth time; was the template edited by hand?).';
const byName = (extra: Record<string, unknown>) => ({ ConnectionName: 'orders-db', ...extra });
const reasonFor = async (properties: Record<string, unknown>) => (await failureOf(createEvent(properties))).message;

describe('exact messages', () => {
  test('golden: a TimeoutSeconds that is not a number is refused', async () => {
    expect(await reasonFor(byName({ TimeoutSeconds: 'abc' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "abc")${FIX}`);
  });

  test('a TimeoutSeconds below 30 s is refused', async () => {
    expect(await reasonFor(byName({ TimeoutSeconds: '5' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "5")${FIX}`);
  });

  test('a TimeoutSeconds above 600 s is refused', async () => {
    expect(await reasonFor(byName({ TimeoutSeconds: '601' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "601")${FIX}`);
  });

  test('a WaitForReady other than "true" or "false" is refused', async () => {
    expect(await reasonFor(byName({ WaitForReady: 'yes' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: WaitForReady: must be "true" or "false" (got "yes")${FIX}`);
  });

  test('an unknown FailureMode is refused with the allowed values', async () => {
    expect(await reasonFor(byName({ FailureMode: 'MAYBE' }))).toBe('Glue connection "orders-db" could not be tested (configuration): '
      + `PropertyError: FailureMode: must be one of FAIL_DEPLOYMENT, REPORT_ONLY (got "MAYBE")${FIX}`);
  });

  test('a ConnectionName of 256 characters is refused', async () => {
    const name = 'c'.repeat(256);

    expect(await reasonFor({ ConnectionName: name })).toBe(`Glue connection "${'c'.repeat(255)}" could not be tested (configuration): `
      + `PropertyError: ConnectionName: must be 1 to 255 characters long (got 256)${FIX}`);
  });

  test('ConnectionName and TestConnectionInput together are refused', async () => {
    expect(await reasonFor({ ...jdbcDefinition(), ConnectionName: 'orders-db' })).toBe('Glue connection "orders-db" could not be tested '
      + '(configuration): PropertyError: ResourceProperties: takes ConnectionName or TestConnectionInput, not both (TestConnection '
      + `rejects a request with both)${FIX}`);
  });

  test('neither ConnectionName nor TestConnectionInput is refused', async () => {
    expect(await reasonFor({ CatalogId: '111122223333' })).toBe('Glue connection input could not be tested (configuration): '
      + 'PropertyError: ResourceProperties: needs a connection to test: give ConnectionName (an existing connection) or '
      + `TestConnectionInput (a definition to test)${FIX}`);
  });

  test('a secret reference whose Target is not a secret member is refused', async () => {
    const properties = jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/HOST', SecretId: DB_SECRET_ARN, JsonField: 'host' }],
    });

    expect(await reasonFor(properties)).toBe('Glue connection input (JDBC) could not be tested (configuration): PropertyError: '
      + 'SecretReferences[0].Target: "/ConnectionProperties/HOST" is not a secret member of TestConnectionInput (a *PASSWORD* '
      + `connection property or a credential of AuthenticationConfiguration)${FIX}`);
  });

  test('a leaf of TestConnectionInput that is not a string is refused with its path', async () => {
    const properties = {
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { HOST: 'orders.internal', PORT: 5432, JDBC_ENGINE: 'postgres', SECRET_ID: 'orders-db' },
      },
    };

    expect(await reasonFor(properties)).toBe('Glue connection input (JDBC) could not be tested (configuration): PropertyError: '
      + `TestConnectionInput.ConnectionProperties.PORT: must be a string (got number)${FIX}`);
  });
});

test('secret references for a test by name are refused: they would fill in nothing', async () => {
  expect(await reasonFor({ ConnectionName: 'orders-db', SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: 'db' }] }))
    .toBe('Glue connection "orders-db" could not be tested (configuration): PropertyError: SecretReferences: fill in members of '
      + `TestConnectionInput, which this test does not have; remove them, or test a TestConnectionInput${FIX}`);
});

describe('every bad property is refused before any AWS call, naming the property', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['TimeoutSeconds "abc"', byName({ TimeoutSeconds: 'abc' }), 'TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "abc")'],
    ['TimeoutSeconds "5"', byName({ TimeoutSeconds: '5' }), 'TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "5")'],
    ['TimeoutSeconds "601"', byName({ TimeoutSeconds: '601' }), 'TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "601")'],
    ['TimeoutSeconds "30.5"', byName({ TimeoutSeconds: '30.5' }), 'TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "30.5")'],
    ['TimeoutSeconds "-60"', byName({ TimeoutSeconds: '-60' }), 'TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "-60")'],
    ['a long TimeoutSeconds, shown cut', byName({ TimeoutSeconds: '9'.repeat(100) }),
      `TimeoutSeconds: must be a whole number of seconds from 30 to 600 (got "${'9'.repeat(40)}...")`],
    ['WaitForReady "yes"', byName({ WaitForReady: 'yes' }), 'WaitForReady: must be "true" or "false" (got "yes")'],
    ['WaitForReady "TRUE"', byName({ WaitForReady: 'TRUE' }), 'WaitForReady: must be "true" or "false" (got "TRUE")'],
    ['FailureMode "MAYBE"', byName({ FailureMode: 'MAYBE' }), 'FailureMode: must be one of FAIL_DEPLOYMENT, REPORT_ONLY (got "MAYBE")'],
    ['a ConnectionName of 256 characters', { ConnectionName: 'c'.repeat(256) }, 'ConnectionName: must be 1 to 255 characters long (got 256)'],
    ['a ConnectionName on two lines', { ConnectionName: 'orders\ndb' }, 'ConnectionName: must be a single line of text'],
    ['a ConnectionName that is not a string', { ConnectionName: ['orders-db'] }, 'ConnectionName: must be a string (got a list)'],
    ['a CatalogId of 256 characters', byName({ CatalogId: '1'.repeat(256) }), 'CatalogId: must be 1 to 255 characters long (got 256)'],
    ['both ConnectionName and TestConnectionInput', { ...jdbcDefinition(), ConnectionName: 'orders-db' },
      'ResourceProperties: takes ConnectionName or TestConnectionInput, not both'],
    ['neither ConnectionName nor TestConnectionInput', {}, 'ResourceProperties: needs a connection to test'],
    ['a TestConnectionInput that is not an object', { TestConnectionInput: 'JDBC' }, 'TestConnectionInput: must be an object (got "JDBC")'],
    ['a TestConnectionInput without ConnectionType', { TestConnectionInput: { ConnectionProperties: { SECRET_ID: 'orders-db' } } },
      'TestConnectionInput.ConnectionType: is required: one of JDBC, SALESFORCE'],
    ['a JDBC definition without an address', jdbcDefinition({
      TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { USERNAME: 'app' } },
    }), 'TestConnectionInput.ConnectionProperties: needs JDBC_CONNECTION_URL, or all of HOST, PORT and JDBC_ENGINE, for a JDBC connection (missing HOST, PORT, JDBC_ENGINE)'],
    ['a leaf that is a number', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { PORT: 5432 } } },
      'TestConnectionInput.ConnectionProperties.PORT: must be a string (got number)'],
    ['a leaf that is null', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { HOST: null } } },
      'TestConnectionInput.ConnectionProperties.HOST: must be a string (got null)'],
    ['a leaf that is a list', { TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { HOST: ['a', 'b'] } } },
      'TestConnectionInput.ConnectionProperties.HOST: must be a string (got a list)'],
    ['SecretReferences that is not a list', jdbcDefinition({ SecretReferences: 'PASSWORD' }), 'SecretReferences: must be a list (got "PASSWORD")'],
    ['a secret reference Target that is not a secret member', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/HOST', SecretId: DB_SECRET_ARN }],
    }), 'SecretReferences[0].Target: "/ConnectionProperties/HOST" is not a secret member of TestConnectionInput'],
    ['a secret reference Target outside TestConnectionInput\'s secret members', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionType', SecretId: DB_SECRET_ARN }],
    }), 'SecretReferences[0].Target: "/ConnectionType" is not a secret member'],
    ['a secret reference Target that is not a JSON Pointer', jdbcDefinition({
      SecretReferences: [{ Target: 'ConnectionProperties.PASSWORD', SecretId: DB_SECRET_ARN }],
    }), 'SecretReferences[0].Target: "ConnectionProperties.PASSWORD" is not a JSON Pointer: it must start with "/"'],
    ['a secret reference without a SecretId', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD' }],
    }), 'SecretReferences[0].SecretId: is required'],
    ['a secret reference without a Target', jdbcDefinition({
      SecretReferences: [{ SecretId: DB_SECRET_ARN }],
    }), 'SecretReferences[0].Target: is required'],
    ['a secret reference with a member it does not have', jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, Version: 'v1' }],
    }), 'SecretReferences[0].Version: is not a member of a secret reference (Target, SecretId, JsonField, VersionStage, VersionId)'],
  ])('%s', async (_, properties, expected) => {
    const reason = await reasonFor(properties);

    expect(reason).toMatch(/^Glue connection (".*"|input( \(\w+\))?) could not be tested \(configuration\): PropertyError: /);
    expect(reason).toContain(expected);
    expect(reason.endsWith(FIX)).toBe(true);
    expect(allAwsCalls()).toHaveLength(0);
  });

  test('all the problems of one definition come in one reason', async () => {
    const reason = await reasonFor({
      TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { USERNAME: 'app', PORT: 5432 }, AuthenticationConfiguraton: {} },
    });

    expect(reason).toContain('PropertyError: TestConnectionInput.ConnectionProperties.PORT: must be a string (got number); '
      + 'TestConnectionInput.AuthenticationConfiguraton: is not a member of TestConnectionInput in the Glue API; did you mean '
      + 'AuthenticationConfiguration? (allowed: ConnectionType, ConnectionProperties, AuthenticationConfiguration); '
      + 'TestConnectionInput.ConnectionProperties: needs JDBC_CONNECTION_URL');
    expect(reason).toContain('; TestConnectionInput.ConnectionProperties: needs USERNAME with PASSWORD, or SECRET_ID, for a JDBC connection');
  });

  test('a value put inline in a secret reference is refused without being repeated', async () => {
    const reason = await reasonFor(jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, Value: 'inline-plaintext-value' }],
    }));

    expect(reason).toContain('SecretReferences[0].Value: is not a member of a secret reference');
    expect(reason).not.toContain('inline-plaintext-value');
  });

  test('missing ResourceProperties are refused', async () => {
    const event = { ...createEvent({}), ResourceProperties: undefined } as unknown as Parameters<typeof failureOf>[0];

    expect((await failureOf(event)).message).toContain('PropertyError: ResourceProperties: must be an object');
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
  expect(await reasonFor({
    TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', SECRET_ID: 's' }, Bogus: { Deep: ['junk'] } },
  })).toBe('Glue connection input (JDBC) could not be tested (configuration): PropertyError: TestConnectionInput.Bogus: is not a member of '
    + `TestConnectionInput in the Glue API (allowed: ConnectionType, ConnectionProperties, AuthenticationConfiguration)${FIX}`);
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
  expect(await reasonFor({
    TestConnectionInput: {
      ConnectionType: 'SALESFORCE',
      AuthenticationConfiguration: { AuthenticationType: 'OAUTH2', SecretArn: DB_SECRET_ARN, OAuth2Properties: { OAuth2GrantTyp: 'JWT_BEARER' } },
    },
  })).toContain('PropertyError: TestConnectionInput.AuthenticationConfiguration.OAuth2Properties.OAuth2GrantTyp: is not a member of '
    + 'OAuth2PropertiesInput in the Glue API; did you mean OAuth2GrantType? (allowed: OAuth2GrantType, OAuth2ClientApplication, TokenUrl, '
    + 'TokenUrlParametersMap, AuthorizationCodeProperties, OAuth2Credentials)');
});
