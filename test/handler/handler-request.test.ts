/**
 * The exact request the handler sends to Glue, and how it reads the referenced secrets from
 * Secrets Manager and writes each at its target in TestConnectionInput.
 */
import { GetConnectionCommand, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  allAwsCalls, awsError, captureConsole, createEvent, DB_SECRET_ARN, failureOf, glueMock, jdbcDefinition, resetMocks, run,
  secretsMock,
} from './handler-helpers';
import { expectReason } from '../messages';

captureConsole();
afterEach(() => resetMocks());

const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`;

/** The TestConnection request the handler sent. */
function sentInput() {
  expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 1);
  return glueMock.commandCalls(TestConnectionCommand)[0].args[0].input;
}

describe('a connection tested by name', () => {
  test('sends ConnectionName and CatalogId and nothing else', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({ ConnectionName: 'orders-db', CatalogId: '111122223333' }));

    expect(sentInput()).toEqual({ ConnectionName: 'orders-db', CatalogId: '111122223333' });
    expect(Object.entries(sentInput()).filter(([, v]) => v !== undefined).map(([k]) => k)).toEqual(['ConnectionName', 'CatalogId']);
  });

  test('sends only ConnectionName when no CatalogId is given, and reads no secret', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({ ConnectionName: 'orders-db', CatalogId: '' }));

    expect(sentInput()).toEqual({ ConnectionName: 'orders-db' });
    expect(secretsMock.calls()).toHaveLength(0);
    expect(glueMock.commandCalls(GetConnectionCommand)).toHaveLength(0);
  });

  test('ignores the properties that are only for the construct (ServiceTimeout, fingerprint, nonce)', async () => {
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({
      ConnectionName: 'orders-db', ServiceTimeout: '390', ConnectionFingerprint: '3f2a', RetestNonce: '1700000000000', TimeoutSeconds: '300',
    }));

    expect(sentInput()).toEqual({ ConnectionName: 'orders-db' });
  });
});

describe('a definition tested with TestConnectionInput', () => {
  test('reads the JSON key of the secret and writes it at the PASSWORD connection property', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'app', password: 'pw-from-json-key' }) });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({ ...jdbcDefinition(), CatalogId: '111122223333' }));

    expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: DB_SECRET_ARN });
    expect(sentInput()).toEqual({
      CatalogId: '111122223333',
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: {
          JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders',
          USERNAME: 'app',
          PASSWORD: 'pw-from-json-key',
        },
      },
    });
  });

  test('uses the whole SecretString when the reference names no JsonField', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"not": "parsed"} is the password' });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent(jdbcDefinition({
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN }],
    })));

    expect(sentInput().TestConnectionInput?.ConnectionProperties?.PASSWORD).toBe('{"not": "parsed"} is the password');
  });

  test('passes VersionStage and VersionId through to GetSecretValue', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"staged"}' });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent(jdbcDefinition({
      SecretReferences: [{
        Target: '/ConnectionProperties/PASSWORD', SecretId: DB_SECRET_ARN, JsonField: 'password',
        VersionStage: 'AWSPENDING', VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      }],
    })));

    expect(secretsMock.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: DB_SECRET_ARN, VersionStage: 'AWSPENDING', VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    });
    expect(sentInput().TestConnectionInput?.ConnectionProperties?.PASSWORD).toBe('staged');
  });

  test('writes CustomAuthenticationCredentials values under their own keys, JSON Pointer escapes decoded', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: secretArn('api-key') }).resolves({ SecretString: 'api-key-value' });
    secretsMock.on(GetSecretValueCommand, { SecretId: secretArn('tenant') }).resolves({ SecretString: '{"id":"tenant-value"}' });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({
      TestConnectionInput: {
        ConnectionType: 'SALESFORCE',
        AuthenticationConfiguration: { AuthenticationType: 'CUSTOM' },
      },
      SecretReferences: [
        { Target: '/AuthenticationConfiguration/CustomAuthenticationCredentials/apiKey', SecretId: secretArn('api-key') },
        { Target: '/AuthenticationConfiguration/CustomAuthenticationCredentials/tenant~1id~0v2', SecretId: secretArn('tenant'), JsonField: 'id' },
      ],
    }));

    expect(sentInput()).toEqual({
      TestConnectionInput: {
        ConnectionType: 'SALESFORCE',
        AuthenticationConfiguration: {
          AuthenticationType: 'CUSTOM',
          CustomAuthenticationCredentials: { 'apiKey': 'api-key-value', 'tenant/id~v2': 'tenant-value' },
        },
      },
    });
  });

  test('writes a custom credential named __proto__ as data, not as the prototype', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'proto-value' });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({
      TestConnectionInput: { ConnectionType: 'SALESFORCE', AuthenticationConfiguration: { AuthenticationType: 'CUSTOM' } },
      SecretReferences: [{ Target: '/AuthenticationConfiguration/CustomAuthenticationCredentials/__proto__', SecretId: secretArn('proto') }],
    }));

    const credentials = sentInput().TestConnectionInput?.AuthenticationConfiguration?.CustomAuthenticationCredentials as object;
    expect(Object.getPrototypeOf(credentials)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(credentials, '__proto__')?.value).toBe('proto-value');
    expect(Object.keys(credentials)).toEqual(['__proto__']);
  });

  test('writes the OAuth2 credentials and the authorization code into OAuth2Properties, beside what the template gave', async () => {
    const values: Record<string, string> = {
      'client-secret': 'client-secret-value', 'access-token': 'access-token-value', 'refresh-token': 'refresh-token-value',
      'jwt-token': 'jwt-token-value', 'authorization-code': 'authorization-code-value',
    };
    for (const [name, value] of Object.entries(values)) {
      secretsMock.on(GetSecretValueCommand, { SecretId: secretArn(name) }).resolves({ SecretString: JSON.stringify({ value }) });
    }
    glueMock.on(TestConnectionCommand).resolves({});
    const oauth = '/AuthenticationConfiguration/OAuth2Properties';

    await run(createEvent({
      TestConnectionInput: {
        ConnectionType: 'SALESFORCE',
        ConnectionProperties: { INSTANCE_ID: 'orders' },
        AuthenticationConfiguration: {
          AuthenticationType: 'OAUTH2',
          OAuth2Properties: {
            OAuth2GrantType: 'AUTHORIZATION_CODE',
            TokenUrl: 'https://login.salesforce.com/services/oauth2/token',
            OAuth2ClientApplication: { UserManagedClientApplicationClientId: 'client-id' },
            AuthorizationCodeProperties: { RedirectUri: 'https://app.example.com/callback' },
          },
        },
      },
      SecretReferences: [
        { Target: `${oauth}/OAuth2Credentials/UserManagedClientApplicationClientSecret`, SecretId: secretArn('client-secret'), JsonField: 'value' },
        { Target: `${oauth}/OAuth2Credentials/AccessToken`, SecretId: secretArn('access-token'), JsonField: 'value' },
        { Target: `${oauth}/OAuth2Credentials/RefreshToken`, SecretId: secretArn('refresh-token'), JsonField: 'value' },
        { Target: `${oauth}/OAuth2Credentials/JwtToken`, SecretId: secretArn('jwt-token'), JsonField: 'value' },
        { Target: `${oauth}/AuthorizationCodeProperties/AuthorizationCode`, SecretId: secretArn('authorization-code'), JsonField: 'value' },
      ],
    }));

    expect(sentInput()).toEqual({
      TestConnectionInput: {
        ConnectionType: 'SALESFORCE',
        ConnectionProperties: { INSTANCE_ID: 'orders' },
        AuthenticationConfiguration: {
          AuthenticationType: 'OAUTH2',
          OAuth2Properties: {
            OAuth2GrantType: 'AUTHORIZATION_CODE',
            TokenUrl: 'https://login.salesforce.com/services/oauth2/token',
            OAuth2ClientApplication: { UserManagedClientApplicationClientId: 'client-id' },
            AuthorizationCodeProperties: { RedirectUri: 'https://app.example.com/callback', AuthorizationCode: 'authorization-code-value' },
            OAuth2Credentials: {
              UserManagedClientApplicationClientSecret: 'client-secret-value',
              AccessToken: 'access-token-value',
              RefreshToken: 'refresh-token-value',
              JwtToken: 'jwt-token-value',
            },
          },
        },
      },
    });
    expect(secretsMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId).sort())
      .toEqual(Object.keys(values).map(secretArn).sort());
  });

  test('every secret-bearing member gets its own secret value at its own place', async () => {
    // The ENCRYPTED_* keys hold ciphertext, not secrets: no secret is written there.
    const passwordKeys = ['PASSWORD', 'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_SASL_PLAIN_PASSWORD',
      'KAFKA_SASL_SCRAM_PASSWORD'];
    const auth = ['AuthenticationConfiguration'];
    const targets: string[][] = [
      ...passwordKeys.map((k) => ['ConnectionProperties', k]),
      [...auth, 'BasicAuthenticationCredentials', 'Password'],
      [...auth, 'OAuth2Properties', 'OAuth2Credentials', 'UserManagedClientApplicationClientSecret'],
      [...auth, 'OAuth2Properties', 'OAuth2Credentials', 'AccessToken'],
      [...auth, 'OAuth2Properties', 'OAuth2Credentials', 'RefreshToken'],
      [...auth, 'OAuth2Properties', 'OAuth2Credentials', 'JwtToken'],
      [...auth, 'OAuth2Properties', 'AuthorizationCodeProperties', 'AuthorizationCode'],
      [...auth, 'CustomAuthenticationCredentials', 'apiKey'],
    ];
    const canary = (i: number) => `canary-${i}-${targets[i].join('.')}`;
    targets.forEach((_, i) => {
      secretsMock.on(GetSecretValueCommand, { SecretId: secretArn(`s${i}`) }).resolves({ SecretString: JSON.stringify({ value: canary(i) }) });
    });
    glueMock.on(TestConnectionCommand).resolves({});

    await run(createEvent({
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app' },
        AuthenticationConfiguration: { AuthenticationType: 'BASIC', BasicAuthenticationCredentials: { Username: 'app' } },
      },
      SecretReferences: targets.map((t, i) => ({ Target: '/' + t.join('/'), SecretId: secretArn(`s${i}`), JsonField: 'value' })),
    }));

    const sent = sentInput().TestConnectionInput as unknown as Record<string, unknown>;
    targets.forEach((path, i) => {
      const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], sent);
      expect([path.join('.'), value]).toEqual([path.join('.'), canary(i)]);
    });
    expect((sent.AuthenticationConfiguration as Record<string, Record<string, string>>).BasicAuthenticationCredentials)
      .toEqual({ Username: 'app', Password: canary(passwordKeys.length) });
  });

  test('leaves the event untouched: the resolved secret is written into a copy', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"must-not-reach-the-event"}' });
    glueMock.on(TestConnectionCommand).resolves({});
    const event = createEvent(jdbcDefinition());
    const before = JSON.stringify(event);

    await run(event);

    expect(JSON.stringify(event)).toBe(before);
    expect(sentInput().TestConnectionInput?.ConnectionProperties?.PASSWORD).toBe('must-not-reach-the-event');
  });
});

describe('a secret that cannot be read', () => {
  test('fails the test as a permissions problem naming the target and the secret, without calling Glue', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException',
      `User: arn:aws:sts::111122223333:assumed-role/handler is not authorized to perform: secretsmanager:GetSecretValue on resource: ${DB_SECRET_ARN}`));

    const error = await failureOf(createEvent(jdbcDefinition()));

    expectReason(error.message, {
      subject: 'Glue connection input (JDBC)', category: 'permissions', error: 'SecretError',
      message: ['TestConnectionInput.ConnectionProperties.PASSWORD', DB_SECRET_ARN, 'AccessDeniedException'],
      fix: [DB_SECRET_ARN, 'secretsmanager:GetSecretValue', 'secret.grantRead(test)'],
    });
    expect(glueMock.calls()).toHaveLength(0);
  });

  test('a missing secret is a configuration problem', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."));

    const error = await failureOf(createEvent(jdbcDefinition()));

    expectReason(error.message, {
      subject: 'Glue connection input (JDBC)', category: 'configuration', error: 'SecretError', message: [DB_SECRET_ARN], fix: [DB_SECRET_ARN],
    });
  });

  test('a JsonField the secret does not hold is a configuration problem that names the key', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"app"}' });

    const error = await failureOf(createEvent(jdbcDefinition()));

    expectReason(error.message, {
      subject: 'Glue connection input (JDBC)', category: 'configuration', error: 'SecretError',
      message: ['TestConnectionInput.ConnectionProperties.PASSWORD', DB_SECRET_ARN, '"password"'],
    });
    expect(glueMock.calls()).toHaveLength(0);
  });

  test('a binary secret is refused: only SecretString is supported', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });

    const error = await failureOf(createEvent(jdbcDefinition()));

    expect(error.message).toContain('the secret has no SecretString (binary secrets are not supported)');
    expect(allAwsCalls()).toHaveLength(1);
  });
});
