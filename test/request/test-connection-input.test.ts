/**
 * The construct's TestConnectionInput props, as a TypeScript user and as a JavaScript user
 * (no compiler between them and the props) write them: one table behind the props, keys and
 * types beyond the Glue API model taken with a warning, ENCRYPTED_PASSWORD taken as the
 * ciphertext it is, and wrong calls answered with the prop's path and what to pass.
 */
import { SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import {
  AuthenticationConfiguration, AuthenticationType, AuthorizationCodeProperties, BasicAuthenticationCredentials,
  GlueConnectionTest, OAuth2ClientApplication, OAuth2Credentials, OAuth2GrantType, OAuth2Properties, TestConnectionInput, TestConnectionType,
} from '../../lib';
import * as library from '../../lib';
import {
  AUTHENTICATION_TYPES, isSecretTarget, OAUTH2_GRANT_TYPES, SECRET_AUTHENTICATION_MEMBERS, SECRET_CONNECTION_PROPERTY_KEYS, TEST_CONNECTION_REQUEST,
} from '../../lib/contract/request';
import { nearest } from '../../lib/private/text';
import { propPathOf } from '../../lib/request/test-connection-input';
import { newStack, testProperties } from '../helpers';
import { expectMessage } from '../messages';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';
const PASSWORD = SecretValue.secretsManager(ARN, { jsonField: 'password' });

function synth(input: unknown): { stack: Stack; template: Template } {
  const stack = newStack();
  new GlueConnectionTest(stack, 'Test', { testConnectionInput: input as TestConnectionInput });
  return { stack, template: Template.fromStack(stack) };
}

function errorOf(input: unknown): string {
  try {
    synth(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));

// ---- The public interfaces are the table's props, level for level (checked by tsc) ----
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Assert<T extends true> = T;
type Props<R> = R extends { readonly members: infer M }
  ? { [K in keyof M]: M[K] extends { readonly prop: infer P } ? P | (M[K] extends { readonly secretProp: infer S } ? S : never) : never }[keyof M]
  : never;
type Member<R, K extends string> = R extends { readonly members: infer M } ? K extends keyof M ? M[K] : never : never;
type Input = Member<typeof TEST_CONNECTION_REQUEST, 'TestConnectionInput'>;
type Auth = Member<Input, 'AuthenticationConfiguration'>;
type OAuth2 = Member<Auth, 'OAuth2Properties'>;
export type PublicInterfaceChecks = [
  Assert<Equal<keyof TestConnectionInput, Props<Input>>>,
  Assert<Equal<keyof AuthenticationConfiguration, Props<Auth>>>,
  Assert<Equal<keyof OAuth2Properties, Props<OAuth2>>>,
  Assert<Equal<keyof OAuth2ClientApplication, Props<Member<OAuth2, 'OAuth2ClientApplication'>>>>,
  Assert<Equal<keyof AuthorizationCodeProperties, Props<Member<OAuth2, 'AuthorizationCodeProperties'>>>>,
  Assert<Equal<keyof OAuth2Credentials, Props<Member<OAuth2, 'OAuth2Credentials'>>>>,
  Assert<Equal<keyof BasicAuthenticationCredentials, Props<Member<Auth, 'BasicAuthenticationCredentials'>>>>,
  Assert<Equal<`${AuthenticationType}`, (typeof AUTHENTICATION_TYPES)[number]>>,
  Assert<Equal<`${OAuth2GrantType}`, (typeof OAUTH2_GRANT_TYPES)[number]>>,
];

describe('one table', () => {
  test('prop paths and secret members come from it', () => {
    expect(propPathOf(['TestConnectionInput', 'ConnectionProperties', 'PASSWORD'])).toBe('testConnectionInput.secretConnectionProperties.PASSWORD');
    expect(propPathOf(['TestConnectionInput', 'ConnectionProperties', 'HOST'])).toBe('testConnectionInput.connectionProperties.HOST');
    expect(propPathOf(['TestConnectionInput', 'AuthenticationConfiguration', 'OAuth2Properties', 'OAuth2ClientApplication',
      'AWSManagedClientApplicationReference'])).toBe('testConnectionInput.authenticationConfiguration.oAuth2Properties.oAuth2ClientApplication.awsManagedClientApplicationReference');
    expect(SECRET_AUTHENTICATION_MEMBERS).toEqual([
      ['OAuth2Properties', 'AuthorizationCodeProperties', 'AuthorizationCode'],
      ['OAuth2Properties', 'OAuth2Credentials', 'UserManagedClientApplicationClientSecret'],
      ['OAuth2Properties', 'OAuth2Credentials', 'AccessToken'],
      ['OAuth2Properties', 'OAuth2Credentials', 'RefreshToken'],
      ['OAuth2Properties', 'OAuth2Credentials', 'JwtToken'],
      ['BasicAuthenticationCredentials', 'Password'],
    ]);
    expect(isSecretTarget(['AuthenticationConfiguration', 'CustomAuthenticationCredentials', 'apiKey'])).toBe(true);
    expect(isSecretTarget(['AuthenticationConfiguration', 'CustomAuthenticationCredentials', ''])).toBe(false);
    expect(isSecretTarget(['AuthenticationConfiguration', 'BasicAuthenticationCredentials', 'Username'])).toBe(false);
    expect(isSecretTarget(['ConnectionProperties', 'PASSWORD'])).toBe(true);
  });

  test('a likely typo gets the nearest name; a different word gets none', () => {
    expect(nearest('HSOT', ['HOST', 'PORT'])).toBe('HOST');
    expect(nearest('host', ['HOST', 'PORT'])).toBe('HOST');
    expect(nearest('AuthenticationConfiguraton', ['ConnectionType', 'AuthenticationConfiguration'])).toBe('AuthenticationConfiguration');
    expect(nearest('HOSTNAME', ['HOST', 'PORT'])).toBeUndefined();
    expect(nearest('INSTANCE_URL', ['INSTANCE_ID'])).toBeUndefined();
  });
});

describe('keys and types beyond the Glue API model', () => {
  test('SALESFORCE with INSTANCE_URL, as Glue documents it, synthesizes without a warning', () => {
    const { stack, template } = synth({
      connectionType: TestConnectionType.SALESFORCE,
      connectionProperties: { INSTANCE_URL: 'https://example.my.salesforce.com' },
      authenticationConfiguration: { authenticationType: AuthenticationType.OAUTH2, secretArn: ARN },
    });

    expect((testProperties(template).TestConnectionInput as { ConnectionProperties: unknown }).ConnectionProperties)
      .toEqual({ INSTANCE_URL: 'https://example.my.salesforce.com' });
    expect(warningsOf(stack)).toEqual([]);
  });

  test('a key the model does not list is passed on with a warning that suggests the nearest key', () => {
    const { stack, template } = synth({
      connectionType: TestConnectionType.JDBC,
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', SECRET_ID: 'orders-db', JDBC_ENFORCE_SSl: 'true', VENDOR_FLAG: 'x' },
    });

    expect((testProperties(template).TestConnectionInput as { ConnectionProperties: Record<string, string> }).ConnectionProperties)
      .toMatchObject({ JDBC_ENFORCE_SSl: 'true', VENDOR_FLAG: 'x' });
    // The warning id (what a user acknowledges), the key and the suggestion: not the sentence.
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      '^testConnectionInput\\.connectionProperties\\.JDBC_ENFORCE_SSl: .*JDBC_ENFORCE_SSL.*\\[ack: cdk-glue-connection-test:unknownConnectionPropertyKey\\]$'));
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      '^testConnectionInput.connectionProperties.VENDOR_FLAG: is not a ConnectionPropertyKey of the Glue API model; it is passed'));
  });

  test('a ConnectionType the model does not list is passed on with a warning that suggests the nearest type', () => {
    const { stack, template } = synth({ connectionType: TestConnectionType.of('JDBCC'), connectionProperties: { SECRET_ID: 'orders-db' } });

    expect(testProperties(template).TestConnectionInput).toMatchObject({ ConnectionType: 'JDBCC' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      '^testConnectionInput.connectionType: is "JDBCC", which is not a ConnectionType of the Glue API model; did you mean JDBC\\?; '
      + 'it is passed to Glue as given, though TestConnection is documented for JDBC and SALESFORCE only'));
  });
});

describe('TestConnectionType', () => {
  test('is named apart from aws-cdk-lib\'s glue.ConnectionType, so both import without an alias', () => {
    expect(library.TestConnectionType).toBe(TestConnectionType);
    expect(library).not.toHaveProperty('ConnectionType');
  });

  test('an object with a string name, as aws-cdk-lib\'s glue.ConnectionType is, is taken from JavaScript', () => {
    // The shape of glue.ConnectionType (aws-cdk-lib releases newer than the peer floor have it): a `name`.
    const cdkConnectionType = { name: 'JDBC' } as unknown as TestConnectionType;
    const { template } = synth({ connectionType: cdkConnectionType, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', SECRET_ID: 'orders-db' } });

    expect(testProperties(template).TestConnectionInput).toMatchObject({ ConnectionType: 'JDBC' });
  });
});

describe('ENCRYPTED_PASSWORD holds ciphertext, not a password', () => {
  test('it is taken among the plain connection properties', () => {
    const { stack, template } = synth({
      connectionType: TestConnectionType.JDBC,
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', USERNAME: 'app', ENCRYPTED_PASSWORD: 'AQICAHh...' },
      secretConnectionProperties: { PASSWORD },
    });

    expect((testProperties(template).TestConnectionInput as { ConnectionProperties: Record<string, string> }).ConnectionProperties.ENCRYPTED_PASSWORD)
      .toBe('AQICAHh...');
    expect(warningsOf(stack)).toEqual([]);
  });

  test('a tested connection that keeps it draws no plain-text warning; a PASSWORD beside it still does', () => {
    const stack = newStack();
    const conn = new glue.CfnConnection(stack, 'Conn', {
      catalogId: stack.account,
      connectionInput: {
        name: 'orders-db',
        connectionType: 'JDBC',
        connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', USERNAME: 'app', ENCRYPTED_PASSWORD: 'AQICAHh...' },
      },
    });
    new GlueConnectionTest(stack, 'Test', { connection: conn });
    expect(warningsOf(stack)).toEqual([]);

    const other = newStack();
    const plain = new glue.CfnConnection(other, 'Conn', {
      catalogId: other.account,
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { USERNAME: 'app', PASSWORD: 'p', ENCRYPTED_PASSWORD: 'c' } },
    });
    new GlueConnectionTest(other, 'Test', { connection: plain });
    expect(warningsOf(other)).toEqual([expect.stringContaining('keeps PASSWORD as plain text')]);
  });

  test('the secret members are the passwords in plain text only', () => {
    expect(SECRET_CONNECTION_PROPERTY_KEYS).toEqual([
      'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_SASL_PLAIN_PASSWORD', 'KAFKA_SASL_SCRAM_PASSWORD', 'PASSWORD',
    ]);
  });
});

describe('calls from JavaScript, without a compiler to check them', () => {
  const jdbc = { connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', SECRET_ID: 'orders-db' } };

  test('connectionType given as its name works as the class does', () => {
    const { template } = synth({ connectionType: 'JDBC', ...jdbc });
    expect(testProperties(template).TestConnectionInput).toMatchObject({ ConnectionType: 'JDBC' });
  });

  test('a connectionType of another type says what to pass, not that it is missing', () => {
    expectMessage(errorOf({ connectionType: 5, ...jdbc }), 'GlueConnectionTest TestStack/Test: testConnectionInput.connectionType:',
      'TestConnectionType.JDBC', "TestConnectionType.of('NAME')", '(got number)');
  });

  test('a misspelled prop is refused with its path and the nearest prop', () => {
    expectMessage(errorOf({ connectionType: 'JDBC', conectionProperties: jdbc.connectionProperties, ...jdbc }),
      'GlueConnectionTest TestStack/Test: testConnectionInput.conectionProperties:', 'connectionProperties?',
      'connectionType, connectionProperties, secretConnectionProperties, authenticationConfiguration');
    expectMessage(errorOf({
      connectionType: TestConnectionType.SALESFORCE,
      authenticationConfiguration: { secretArn: ARN, oAuth2Properties: { tokenURL: 'https://login.example.com/token' } },
    }), 'testConnectionInput.authenticationConfiguration.oAuth2Properties.tokenURL:', 'tokenUrl?');
    expect(errorOf({ connectionType: 'JDBC', ...jdbc, secretConnectionProperties: { PASWORD: PASSWORD } }))
      .toMatch(/testConnectionInput\.secretConnectionProperties\.PASWORD: .*PASSWORD\?/);
  });

  test('values of the wrong type are named, all at once', () => {
    const message = errorOf({
      connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db/orders', SECRET_ID: 'orders-db', PORT: 5432 },
      authenticationConfiguration: { authenticationType: 'basic', basicAuthenticationCredentials: 'app:pw' },
    });

    expect(message.split('\n')).toEqual([
      'GlueConnectionTest TestStack/Test: ',
      '  - testConnectionInput.connectionProperties.PORT: must be a string (got number)',
      '  - testConnectionInput.authenticationConfiguration.basicAuthenticationCredentials: must be an object (got a string)',
      '  - testConnectionInput.authenticationConfiguration.authenticationType: must be one of BASIC, CUSTOM, IAM, OAUTH2 (got "basic")',
    ]);
    expect(errorOf({ connectionType: 'JDBC', connectionProperties: 'HOST=db' }))
      .toMatch(/testConnectionInput\.connectionProperties: .*\(got a string\)/);
    expect(errorOf('JDBC')).toMatch(/testConnectionInput: .*\(got a string\)/);
  });
});
