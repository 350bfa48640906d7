/**
 * Secrets stay in Secrets Manager: every secret-bearing member of TestConnectionInput leaves
 * the template only as a reference, plain values fail the synth, and the handler may read
 * exactly the referenced secrets.
 */
import { CfnParameter, CfnResource, SecretValue, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AuthenticationType, GlueConnectionTest, OAuth2GrantType, TestConnectionInput, TestConnectionType } from '../../lib';
import { handlerStatements, newStack, testProperties } from '../helpers';
import { expectMessage } from '../messages';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';

function jdbc(password: unknown, extra: Record<string, string> = {}): TestConnectionInput {
  return {
    connectionType: TestConnectionType.JDBC,
    connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app', ...extra },
    secretConnectionProperties: { PASSWORD: password as SecretValue },
  };
}

function errorOf(input: TestConnectionInput | ((stack: Stack) => TestConnectionInput)): string {
  const stack = newStack();
  try {
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: typeof input === 'function' ? input(stack) : input });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

/** Every secret-bearing member of TestConnectionInput, each from its own secret. */
function everySecretMember(stack: Stack): { input: TestConnectionInput; targets: string[] } {
  const secret = (name: string) => secretsmanager.Secret.fromSecretCompleteArn(stack, name,
    `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${name}-AbCdEf`).secretValueFromJson('value');
  // The ENCRYPTED_* keys hold ciphertext, not secrets (see the ENCRYPTED_PASSWORD tests).
  const passwordKeys = ['PASSWORD', 'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_SASL_PLAIN_PASSWORD',
    'KAFKA_SASL_SCRAM_PASSWORD'];
  const input: TestConnectionInput = {
    connectionType: TestConnectionType.JDBC,
    connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app' },
    secretConnectionProperties: Object.fromEntries(passwordKeys.map((k) => [k, secret(k.toLowerCase().replace(/_/g, '-'))])),
    authenticationConfiguration: {
      authenticationType: AuthenticationType.OAUTH2,
      basicAuthenticationCredentials: { username: 'app', password: secret('basic-password') },
      customAuthenticationCredentials: { apiKey: secret('custom-api-key') },
      oAuth2Properties: {
        oAuth2GrantType: OAuth2GrantType.AUTHORIZATION_CODE,
        tokenUrl: 'https://login.example.com/services/oauth2/token',
        authorizationCodeProperties: { authorizationCode: secret('authorization-code'), redirectUri: 'https://app.example.com/cb' },
        oAuth2Credentials: {
          userManagedClientApplicationClientSecret: secret('client-secret'),
          accessToken: secret('access-token'),
          refreshToken: secret('refresh-token'),
          jwtToken: secret('jwt-token'),
        },
      },
    },
  };
  const targets = [
    ...passwordKeys.map((k) => `/ConnectionProperties/${k}`),
    '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password',
    '/AuthenticationConfiguration/OAuth2Properties/OAuth2Credentials/UserManagedClientApplicationClientSecret',
    '/AuthenticationConfiguration/OAuth2Properties/OAuth2Credentials/AccessToken',
    '/AuthenticationConfiguration/OAuth2Properties/OAuth2Credentials/RefreshToken',
    '/AuthenticationConfiguration/OAuth2Properties/OAuth2Credentials/JwtToken',
    '/AuthenticationConfiguration/OAuth2Properties/AuthorizationCodeProperties/AuthorizationCode',
    '/AuthenticationConfiguration/CustomAuthenticationCredentials/apiKey',
  ];
  return { input, targets };
}

describe('secret members', () => {
  test('every secret-bearing member becomes a reference, and no dynamic reference reaches the template', () => {
    const stack = newStack();
    const { input, targets } = everySecretMember(stack);
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: input });
    const template = Template.fromStack(stack);
    const props = testProperties(template);
    const references = props.SecretReferences as { Target: string; SecretId: string; JsonField: string }[];
    expect(references.map((r) => r.Target).sort()).toEqual([...targets].sort());
    for (const r of references) {
      expect(r.SecretId).toMatch(/^arn:aws:secretsmanager:eu-west-1:111122223333:secret:[a-z0-9-]+-AbCdEf$/);
      expect(r.JsonField).toBe('value');
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:');
    // The non-secret members stay where the API has them.
    expect(props.TestConnectionInput).toEqual({
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app' },
      AuthenticationConfiguration: {
        AuthenticationType: 'OAUTH2',
        BasicAuthenticationCredentials: { Username: 'app' },
        OAuth2Properties: {
          OAuth2GrantType: 'AUTHORIZATION_CODE',
          TokenUrl: 'https://login.example.com/services/oauth2/token',
          AuthorizationCodeProperties: { RedirectUri: 'https://app.example.com/cb' },
        },
      },
    });
  });

  test('a secret construct in the stack is referenced by its ARN, with version stage and id', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Creds');
    new GlueConnectionTest(stack, 'Test', {
      testConnectionInput: jdbc(SecretValue.secretsManager(secret.secretArn, { jsonField: 'password', versionStage: 'AWSPREVIOUS' })),
    });
    expect(testProperties(Template.fromStack(stack)).SecretReferences).toEqual([{
      Target: '/ConnectionProperties/PASSWORD', SecretId: { Ref: stack.getLogicalId(secret.node.defaultChild as never) },
      JsonField: 'password', VersionStage: 'AWSPREVIOUS',
    }]);
  });

  test('secret.secretValue references the whole SecretString', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Creds');
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: jdbc(secret.secretValue) });
    expect(testProperties(Template.fromStack(stack)).SecretReferences).toEqual([{
      Target: '/ConnectionProperties/PASSWORD', SecretId: { Ref: stack.getLogicalId(secret.node.defaultChild as never) },
    }]);
  });
});

describe('plain values are synth-time errors', () => {
  /** The fix every one of these messages names. */
  const FIX = 'SecretValue.secretsManager(secretArn, { jsonField })';
  const PASSWORD_PROP = 'GlueConnectionTest TestStack/Test: testConnectionInput.secretConnectionProperties.PASSWORD:';

  test('SecretValue.unsafePlainText', () => {
    const message = errorOf(jdbc(SecretValue.unsafePlainText('hunter2')));
    expectMessage(message, PASSWORD_PROP, 'plain-text', FIX);
    expect(message).not.toContain('hunter2');
  });

  test('a plain string where a secret goes', () => {
    const message = errorOf(jdbc('hunter2'));
    expectMessage(message, PASSWORD_PROP, 'SecretValue', 'plain string', FIX);
    expect(message).not.toContain('hunter2');
  });

  test('a password among the plain connection properties', () => {
    expectMessage(errorOf({
      connectionType: TestConnectionType.JDBC,
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', USERNAME: 'app', PASSWORD: 'hunter2' },
    }), 'GlueConnectionTest TestStack/Test: testConnectionInput.connectionProperties.PASSWORD:',
    'testConnectionInput.secretConnectionProperties.PASSWORD', FIX, 'SECRET_ID');
  });

  test('an SSM SecureString parameter', () => {
    expectMessage(errorOf(jdbc(SecretValue.ssmSecure('/orders/db/password'))), PASSWORD_PROP, 'SSM SecureString', 'Secrets Manager', FIX);
  });

  test('a NoEcho CloudFormation parameter', () => {
    expectMessage(errorOf((stack) => jdbc(SecretValue.cfnParameter(new CfnParameter(stack, 'Pw', { noEcho: true })))),
      PASSWORD_PROP, 'Secrets Manager reference', FIX);
  });

  test('a resource attribute', () => {
    expect(errorOf((stack) => jdbc(SecretValue.resourceAttribute(new CfnResource(stack, 'R', { type: 'Custom::Vault' }).getAtt('Password').toString()))))
      .toContain('testConnectionInput.secretConnectionProperties.PASSWORD: ');
  });

  test('an unwrapped dynamic reference in a plain property', () => {
    expectMessage(errorOf((stack) => ({
      connectionType: TestConnectionType.JDBC,
      connectionProperties: {
        JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders',
        USERNAME: new secretsmanager.Secret(stack, 'S').secretValueFromJson('username').unsafeUnwrap(),
        SECRET_ID: 'orders-db',
      },
    })), 'GlueConnectionTest TestStack/Test: testConnectionInput.connectionProperties.USERNAME:', 'dynamic reference',
    'testConnectionInput.secretConnectionProperties');
  });

  test('a plain secret among the authentication credentials, naming each member', () => {
    const message = errorOf({
      connectionType: TestConnectionType.SALESFORCE,
      authenticationConfiguration: {
        basicAuthenticationCredentials: { password: SecretValue.unsafePlainText('p') },
        oAuth2Properties: { oAuth2Credentials: { accessToken: SecretValue.unsafePlainText('t') } },
        customAuthenticationCredentials: { apiKey: SecretValue.unsafePlainText('k') },
      },
    });
    for (const member of ['basicAuthenticationCredentials.password', 'oAuth2Properties.oAuth2Credentials.accessToken', 'customAuthenticationCredentials.apiKey']) {
      expectMessage(message, `testConnectionInput.authenticationConfiguration.${member}:`, 'plain-text');
    }
  });

  test('a secret property that is not a password', () => {
    expectMessage(errorOf({
      connectionType: TestConnectionType.JDBC,
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', SECRET_ID: 's' },
      secretConnectionProperties: { HOST: SecretValue.secretsManager(ARN) },
    }), 'testConnectionInput.secretConnectionProperties.HOST:',
    'KAFKA_CLIENT_KEYSTORE_PASSWORD, KAFKA_CLIENT_KEY_PASSWORD, KAFKA_SASL_PLAIN_PASSWORD, KAFKA_SASL_SCRAM_PASSWORD, PASSWORD');
  });
});

describe('the handler may read exactly the referenced secrets', () => {
  const getSecretValue = (stack: Stack) =>
    handlerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'secretsmanager:GetSecretValue');
  const decrypt = (stack: Stack) =>
    handlerStatements(Template.fromStack(stack)).filter((s) => s.Action === 'kms:Decrypt');

  test('one secret', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: jdbc(SecretValue.secretsManager(ARN, { jsonField: 'password' })) });
    expect(getSecretValue(stack)).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: ARN }]);
  });

  test('several secrets, and the ones Glue reads itself (SECRET_ID, SecretArn)', () => {
    const stack = newStack();
    const a = new secretsmanager.Secret(stack, 'A');
    const b = new secretsmanager.Secret(stack, 'B');
    new GlueConnectionTest(stack, 'One', { testConnectionInput: jdbc(a.secretValueFromJson('password')) });
    new GlueConnectionTest(stack, 'Two', {
      testConnectionInput: {
        connectionType: TestConnectionType.SALESFORCE,
        authenticationConfiguration: { secretArn: b.secretArn, authenticationType: AuthenticationType.OAUTH2 },
      },
    });
    new GlueConnectionTest(stack, 'Three', {
      testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', SECRET_ID: 'orders-db' } },
    });
    const resources = getSecretValue(stack).flatMap((s) => [s.Resource].flat());
    expect(resources).toEqual([
      { Ref: stack.getLogicalId(a.node.defaultChild as never) },
      { Ref: stack.getLogicalId(b.node.defaultChild as never) },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111122223333:secret:orders-db-??????']] },
    ]);
  });

  test('a secret with a customer managed key gets kms:Decrypt on that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const secret = new secretsmanager.Secret(stack, 'Creds', { encryptionKey: key });
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: jdbc(secret.secretValueFromJson('password')) });
    expect(decrypt(stack)).toEqual([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] } }]);
  });

  test('an imported secret by partial ARN gets the random-suffix wildcard', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretPartialArn(stack, 'Imported', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db');
    new GlueConnectionTest(stack, 'Test', { testConnectionInput: jdbc(secret.secretValueFromJson('password')) });
    expect(getSecretValue(stack)).toEqual([{
      Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-??????',
    }]);
  });

  test('a KmsKeyArn given to Glue gets kms:Decrypt', () => {
    const stack = newStack();
    const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    new GlueConnectionTest(stack, 'Test', {
      testConnectionInput: {
        connectionType: TestConnectionType.SALESFORCE,
        authenticationConfiguration: { secretArn: ARN, kmsKeyArn: keyArn },
      },
    });
    expect(decrypt(stack)).toEqual([{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn }]);
    expect(getSecretValue(stack)).toEqual([{ Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: ARN }]);
  });
});

describe('request JSON, as `aws glue test-connection --cli-input-json` takes it', () => {
  const skeleton = (password: string) => JSON.stringify({
    CatalogId: '111122223333',
    TestConnectionInput: {
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'app', PASSWORD: password },
      AuthenticationConfiguration: {
        AuthenticationType: 'BASIC',
        BasicAuthenticationCredentials: { Username: 'app', Password: `{{resolve:secretsmanager:${ARN}:SecretString:password}}` },
      },
    },
  });

  test('turns secret references into SecretReferences', () => {
    const stack = newStack();
    GlueConnectionTest.fromRequestJson(stack, 'Test', skeleton(`{{resolve:secretsmanager:${ARN}:SecretString:password::}}`));
    const props = testProperties(Template.fromStack(stack));
    expect(props.CatalogId).toBe('111122223333');
    expect(props.SecretReferences).toEqual([
      { Target: '/ConnectionProperties/PASSWORD', SecretId: ARN, JsonField: 'password' },
      { Target: '/AuthenticationConfiguration/BasicAuthenticationCredentials/Password', SecretId: ARN, JsonField: 'password' },
    ]);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('{{resolve:');
  });

  test('refuses a plain secret value, naming the member', () => {
    expect(() => GlueConnectionTest.fromRequestJson(newStack(), 'Test', skeleton('hunter2')))
      .toThrow(/^requestJson\.TestConnectionInput\.ConnectionProperties\.PASSWORD: .*\{\{resolve:secretsmanager:/);
  });

  test('refuses members the request does not have, and JSON that does not parse', () => {
    expect(() => GlueConnectionTest.fromRequestJson(newStack(), 'Test', '{"ConnectionName":"a","Name":"b"}'))
      .toThrow(/^requestJson\.Name: .*ConnectionName, CatalogId, TestConnectionInput/);
    expect(() => GlueConnectionTest.fromRequestJson(newStack(), 'Test', '{"ConnectionName":')).toThrow(/^requestJson: is not valid JSON/);
  });

  test('tests a connection by name', () => {
    const stack = newStack();
    GlueConnectionTest.fromRequestJson(stack, 'Test', '{"ConnectionName":"orders-db"}');
    expect(testProperties(Template.fromStack(stack)).ConnectionName).toBe('orders-db');
  });
});

describe('a secret named with IAM wildcards', () => {
  test.each([
    ['SecretValue.secretsManager of "prod/*"', () => jdbc(SecretValue.secretsManager('prod/*', { jsonField: 'password' }))],
    ['SECRET_ID "*"', () => ({ connectionType: TestConnectionType.JDBC, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: '*' } })],
    ['SECRET_ID "orders-db-??????"', () => ({ connectionType: TestConnectionType.JDBC, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db-??????' } })],
  ])('is refused, not granted as a pattern: %s', (_, input) => {
    expect(errorOf(input as () => TestConnectionInput)).toMatch(/holds \* or \?, which no Secrets Manager secret name or ARN contains/);
  });
});
