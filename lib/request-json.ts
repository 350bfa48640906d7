/**
 * The `--cli-input-json` entry point: a TestConnection request as JSON (what
 * `aws glue test-connection --generate-cli-skeleton` describes), turned into typed props.
 * Secret members must be `{{resolve:secretsmanager:...}}` references; they become
 * `SecretValue.secretsManager(...)` and so leave the template as references only.
 */
import { SecretValue } from 'aws-cdk-lib';
import { SECRET_CONNECTION_PROPERTY_KEYS, TestConnectionInputShape } from './contract';
import { parseDynamicReference, SECRET_FIX } from './secret-reference';
import { AuthenticationType, ConnectionType, OAuth2GrantType, TestConnectionInput } from './test-connection-input';

/** The request members of the JSON, as props of GlueConnectionTest. */
export interface RequestJsonProps {
  readonly connectionName?: string;
  readonly catalogId?: string;
  readonly testConnectionInput?: TestConnectionInput;
}

const REQUEST_MEMBERS = ['ConnectionName', 'CatalogId', 'TestConnectionInput'];

/** Parses the request JSON; throws an error that names the member for anything it cannot take. */
export function propsFromRequestJson(json: string): RequestJsonProps {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(json);
  } catch (e) {
    throw new Error(`requestJson: is not valid JSON (${(e as Error).message})`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new Error('requestJson: must be a JSON object with ConnectionName, CatalogId and/or TestConnectionInput');
  }
  const unknown = Object.keys(request).filter((k) => !REQUEST_MEMBERS.includes(k));
  if (unknown.length > 0) {
    throw new Error(`requestJson: unknown member(s) ${unknown.join(', ')}; allowed are ${REQUEST_MEMBERS.join(', ')}`);
  }
  const input = request.TestConnectionInput as TestConnectionInputShape | undefined;
  return {
    connectionName: request.ConnectionName as string | undefined,
    catalogId: request.CatalogId as string | undefined,
    testConnectionInput: input === undefined ? undefined : typedInput(input),
  };
}

function typedInput(input: TestConnectionInputShape): TestConnectionInput {
  const where = 'requestJson.TestConnectionInput';
  const plain: Record<string, string> = {};
  const secret: Record<string, SecretValue> = {};
  for (const [key, value] of Object.entries(input.ConnectionProperties ?? {})) {
    if (SECRET_CONNECTION_PROPERTY_KEYS.includes(key)) secret[key] = secretOf(value, `${where}.ConnectionProperties.${key}`)!;
    else plain[key] = value;
  }
  const auth = input.AuthenticationConfiguration;
  const oauth = auth?.OAuth2Properties;
  const a = (path: string) => `${where}.AuthenticationConfiguration.${path}`;
  return {
    connectionType: ConnectionType.of(input.ConnectionType as string),
    connectionProperties: Object.keys(plain).length > 0 ? plain : undefined,
    secretConnectionProperties: Object.keys(secret).length > 0 ? secret : undefined,
    authenticationConfiguration: auth && {
      authenticationType: auth.AuthenticationType as AuthenticationType | undefined,
      secretArn: auth.SecretArn,
      kmsKeyArn: auth.KmsKeyArn,
      basicAuthenticationCredentials: auth.BasicAuthenticationCredentials && {
        username: auth.BasicAuthenticationCredentials.Username,
        password: secretOf(auth.BasicAuthenticationCredentials.Password, a('BasicAuthenticationCredentials.Password')),
      },
      customAuthenticationCredentials: auth.CustomAuthenticationCredentials && Object.fromEntries(
        Object.entries(auth.CustomAuthenticationCredentials).map(([k, v]) => [k, secretOf(v, a(`CustomAuthenticationCredentials.${k}`))!])),
      oAuth2Properties: oauth && {
        oAuth2GrantType: oauth.OAuth2GrantType as OAuth2GrantType | undefined,
        oAuth2ClientApplication: oauth.OAuth2ClientApplication && {
          userManagedClientApplicationClientId: oauth.OAuth2ClientApplication.UserManagedClientApplicationClientId,
          awsManagedClientApplicationReference: oauth.OAuth2ClientApplication.AWSManagedClientApplicationReference,
        },
        tokenUrl: oauth.TokenUrl,
        tokenUrlParametersMap: oauth.TokenUrlParametersMap,
        authorizationCodeProperties: oauth.AuthorizationCodeProperties && {
          redirectUri: oauth.AuthorizationCodeProperties.RedirectUri,
          authorizationCode: secretOf(oauth.AuthorizationCodeProperties.AuthorizationCode, a('OAuth2Properties.AuthorizationCodeProperties.AuthorizationCode')),
        },
        oAuth2Credentials: oauth.OAuth2Credentials && {
          userManagedClientApplicationClientSecret: secretOf(oauth.OAuth2Credentials.UserManagedClientApplicationClientSecret, a('OAuth2Properties.OAuth2Credentials.UserManagedClientApplicationClientSecret')),
          accessToken: secretOf(oauth.OAuth2Credentials.AccessToken, a('OAuth2Properties.OAuth2Credentials.AccessToken')),
          refreshToken: secretOf(oauth.OAuth2Credentials.RefreshToken, a('OAuth2Properties.OAuth2Credentials.RefreshToken')),
          jwtToken: secretOf(oauth.OAuth2Credentials.JwtToken, a('OAuth2Properties.OAuth2Credentials.JwtToken')),
        },
      },
    },
  };
}

/** A secret member's value: a dynamic reference becomes a SecretValue; anything else is refused. */
function secretOf(value: unknown, member: string): SecretValue | undefined {
  if (value === undefined) return undefined;
  const location = typeof value === 'string' ? parseDynamicReference(value, member) : undefined;
  if (!location) {
    throw new Error(`${member}: holds a plain value; in request JSON a secret must be a reference, {{resolve:secretsmanager:secret-arn:SecretString:json-key}}, or ${SECRET_FIX}`);
  }
  return SecretValue.secretsManager(location.SecretId, {
    jsonField: location.JsonField, versionStage: location.VersionStage, versionId: location.VersionId,
  });
}
