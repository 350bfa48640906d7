/**
 * The typed mirror of Glue's TestConnectionInput, in CDK's camelCase, and its rendering into
 * the custom resource's properties. Secret-bearing members take `SecretValue`; they leave the
 * template only as references (see `secret-reference.ts`).
 */
import { SecretValue, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { SECRET_AUTHENTICATION_MEMBERS, SECRET_CONNECTION_PROPERTY_KEYS, TestConnectionInputShape, toPointer } from './contract';
import { locateSecret, SecretLocation } from './secret-reference';

/**
 * The type of a connection to test. TestConnection is documented for `JDBC` and `SALESFORCE`;
 * `ConnectionType.of()` takes any other type Glue may accept, with a synth-time warning.
 */
export class ConnectionType {
  /** A JDBC database. */
  public static readonly JDBC = new ConnectionType('JDBC');
  /** Salesforce, with an AuthenticationConfiguration. */
  public static readonly SALESFORCE = new ConnectionType('SALESFORCE');

  /** A connection type by its Glue API name, e.g. `ConnectionType.of('KAFKA')`. */
  public static of(name: string): ConnectionType {
    return new ConnectionType(name);
  }

  private constructor(
    /** The Glue API name of the type. */
    public readonly name: string,
  ) {}
}

/** How the connection authenticates (Glue's `AuthenticationType`). */
export enum AuthenticationType {
  /** User name and password. */
  BASIC = 'BASIC',
  /** OAuth 2.0. */
  OAUTH2 = 'OAUTH2',
  /** Custom credentials, a map of named values. */
  CUSTOM = 'CUSTOM',
  /** AWS IAM. */
  IAM = 'IAM',
}

/** The OAuth 2.0 grant type (Glue's `OAuth2GrantType`). */
export enum OAuth2GrantType {
  /** Authorization code grant. */
  AUTHORIZATION_CODE = 'AUTHORIZATION_CODE',
  /** Client credentials grant. */
  CLIENT_CREDENTIALS = 'CLIENT_CREDENTIALS',
  /** JWT bearer grant. */
  JWT_BEARER = 'JWT_BEARER',
}

/**
 * A connection definition to test without creating it (Glue's `TestConnectionInput`).
 */
export interface TestConnectionInput {
  /** The type of the connection. */
  readonly connectionType: ConnectionType;

  /**
   * The connection's properties that are not secret, by Glue's ConnectionPropertyKey names
   * (`HOST`, `PORT`, `JDBC_ENGINE`, `JDBC_CONNECTION_URL`, `USERNAME`, `SECRET_ID`, ...).
   * Every `*PASSWORD*` key belongs in `secretConnectionProperties`.
   *
   * @default - no properties
   */
  readonly connectionProperties?: { [key: string]: string };

  /**
   * The connection's secret properties (`PASSWORD` and every other `*PASSWORD*` key), as
   * Secrets Manager references: the handler reads them at deploy time, so they never enter the
   * template, an event or a log.
   *
   * @example { PASSWORD: secret.secretValueFromJson('password') }
   * @default - no secret properties
   */
  readonly secretConnectionProperties?: { [key: string]: SecretValue };

  /**
   * How the connection authenticates; required for SALESFORCE.
   *
   * @default - none
   */
  readonly authenticationConfiguration?: AuthenticationConfiguration;
}

/** Glue's `AuthenticationConfigurationInput`, for a TestConnection request. */
export interface AuthenticationConfiguration {
  /**
   * The authentication type.
   *
   * @default - Glue's default for the connection type
   */
  readonly authenticationType?: AuthenticationType;

  /**
   * A Secrets Manager secret that holds the credentials; Glue reads it itself. The handler is
   * granted `secretsmanager:GetSecretValue` on it, since Glue acts with the caller's permissions.
   *
   * @default - none
   */
  readonly secretArn?: string;

  /**
   * The KMS key that encrypts the credentials; the handler is granted `kms:Decrypt` on it.
   *
   * @default - none
   */
  readonly kmsKeyArn?: string;

  /**
   * OAuth 2.0 settings, when `authenticationType` is `OAUTH2`.
   *
   * @default - none
   */
  readonly oAuth2Properties?: OAuth2Properties;

  /**
   * User name and password, when `authenticationType` is `BASIC`.
   *
   * @default - none
   */
  readonly basicAuthenticationCredentials?: BasicAuthenticationCredentials;

  /**
   * Named credentials, when `authenticationType` is `CUSTOM`; every value is a secret.
   *
   * @default - none
   */
  readonly customAuthenticationCredentials?: { [key: string]: SecretValue };
}

/** Glue's `OAuth2PropertiesInput`. */
export interface OAuth2Properties {
  /**
   * The grant type.
   *
   * @default - none
   */
  readonly oAuth2GrantType?: OAuth2GrantType;

  /**
   * The client application.
   *
   * @default - none
   */
  readonly oAuth2ClientApplication?: OAuth2ClientApplication;

  /**
   * The URL of the provider's authentication server, to exchange an authorization code for an
   * access token.
   *
   * @default - none
   */
  readonly tokenUrl?: string;

  /**
   * Parameters added to the token `GET` request.
   *
   * @default - none
   */
  readonly tokenUrlParametersMap?: { [key: string]: string };

  /**
   * The authorization code grant's properties.
   *
   * @default - none
   */
  readonly authorizationCodeProperties?: AuthorizationCodeProperties;

  /**
   * The OAuth 2.0 credentials; every member is a secret.
   *
   * @default - none
   */
  readonly oAuth2Credentials?: OAuth2Credentials;
}

/** Glue's `OAuth2ClientApplication`. */
export interface OAuth2ClientApplication {
  /**
   * The client id of a user-managed client application.
   *
   * @default - none
   */
  readonly userManagedClientApplicationClientId?: string;

  /**
   * The reference to an AWS-managed client application.
   *
   * @default - none
   */
  readonly awsManagedClientApplicationReference?: string;
}

/** Glue's `AuthorizationCodeProperties`. */
export interface AuthorizationCodeProperties {
  /**
   * The single-use authorization code.
   *
   * @default - none
   */
  readonly authorizationCode?: SecretValue;

  /**
   * The redirect URI the authorization server sent the user to.
   *
   * @default - none
   */
  readonly redirectUri?: string;
}

/** Glue's `OAuth2Credentials`; every member is a secret. */
export interface OAuth2Credentials {
  /**
   * The client secret of a user-managed client application.
   *
   * @default - none
   */
  readonly userManagedClientApplicationClientSecret?: SecretValue;

  /**
   * The access token.
   *
   * @default - none
   */
  readonly accessToken?: SecretValue;

  /**
   * The refresh token.
   *
   * @default - none
   */
  readonly refreshToken?: SecretValue;

  /**
   * The JSON Web Token.
   *
   * @default - none
   */
  readonly jwtToken?: SecretValue;
}

/** Glue's `BasicAuthenticationCredentials`. */
export interface BasicAuthenticationCredentials {
  /**
   * The user name.
   *
   * @default - none
   */
  readonly username?: string;

  /**
   * The password.
   *
   * @default - none
   */
  readonly password?: SecretValue;
}

/** A secret of the input, located, with where it goes. */
export interface LocatedSecret extends SecretLocation {
  readonly Target: string;
}

/** TestConnectionInput as the custom resource carries it: without its secrets. */
export interface RenderedInput {
  readonly input: TestConnectionInputShape;
  readonly secrets: LocatedSecret[];
  /** Where secrets were given, including those refused below: the input's rules count them as present. */
  readonly secretTargets: string[];
  /** Problems found while rendering, each naming the prop; reported with the other errors. */
  readonly errors: string[];
}

const PROP = 'testConnectionInput';

/** Renders the typed input into the API's shape, taking every secret out as a reference. */
export function renderTestConnectionInput(scope: IConstruct, input: TestConnectionInput): RenderedInput {
  const secrets: LocatedSecret[] = [];
  const secretTargets: string[] = [];
  const errors: string[] = [];
  const secret = (value: unknown, apiPath: string[], property: string): undefined => {
    if (value === undefined) return undefined;
    secretTargets.push(toPointer(apiPath));
    try {
      secrets.push({ Target: toPointer(apiPath), ...locateSecret(value, property) });
    } catch (e) {
      errors.push((e as Error).message);
    }
    return undefined;
  };

  const props = input.connectionProperties;
  if (props && !Token.isUnresolved(props)) {
    for (const [key, value] of Object.entries(props)) {
      if (SECRET_CONNECTION_PROPERTY_KEYS.includes(key)) {
        errors.push(`${PROP}.connectionProperties.${key}: holds a secret as a plain string, which would be written into the template; `
          + `move it to ${PROP}.secretConnectionProperties.${key} and pass SecretValue.secretsManager(secretArn, { jsonField }), or set SECRET_ID`);
      } else if (JSON.stringify(Stack.of(scope).resolve(value)).includes('{{resolve:')) {
        errors.push(`${PROP}.connectionProperties.${key}: holds a CloudFormation dynamic reference, which CloudFormation would resolve into the event the handler receives; `
          + `pass secrets through ${PROP}.secretConnectionProperties`);
      }
    }
  }
  for (const [key, value] of Object.entries(input.secretConnectionProperties ?? {})) {
    if (!SECRET_CONNECTION_PROPERTY_KEYS.includes(key)) {
      errors.push(`${PROP}.secretConnectionProperties.${key}: is not a secret connection property; `
        + `allowed keys are ${SECRET_CONNECTION_PROPERTY_KEYS.join(', ')}; put other properties in ${PROP}.connectionProperties`);
      continue;
    }
    secret(value, ['ConnectionProperties', key], `${PROP}.secretConnectionProperties.${key}`);
  }

  const auth = input.authenticationConfiguration;
  const authPath = (...rest: string[]) => ['AuthenticationConfiguration', ...rest];
  const authProp = (...rest: string[]) => [`${PROP}.authenticationConfiguration`, ...rest].join('.');
  for (const member of SECRET_AUTHENTICATION_MEMBERS) {
    secret(valueAt(auth, member.map(camelCase)), authPath(...member), authProp(...member.map(camelCase)));
  }
  for (const [key, value] of Object.entries(auth?.customAuthenticationCredentials ?? {})) {
    secret(value, authPath('CustomAuthenticationCredentials', key), authProp('customAuthenticationCredentials', key));
  }

  const oauth = auth?.oAuth2Properties;
  const app = oauth?.oAuth2ClientApplication;
  const rendered: TestConnectionInputShape = prune({
    ConnectionType: input.connectionType?.name,
    ConnectionProperties: props,
    AuthenticationConfiguration: auth && {
      AuthenticationType: auth.authenticationType,
      SecretArn: auth.secretArn,
      KmsKeyArn: auth.kmsKeyArn,
      OAuth2Properties: oauth && {
        OAuth2GrantType: oauth.oAuth2GrantType,
        OAuth2ClientApplication: app && {
          UserManagedClientApplicationClientId: app.userManagedClientApplicationClientId,
          AWSManagedClientApplicationReference: app.awsManagedClientApplicationReference,
        },
        TokenUrl: oauth.tokenUrl,
        TokenUrlParametersMap: oauth.tokenUrlParametersMap,
        AuthorizationCodeProperties: oauth.authorizationCodeProperties && {
          RedirectUri: oauth.authorizationCodeProperties.redirectUri,
        },
      },
      BasicAuthenticationCredentials: auth.basicAuthenticationCredentials && {
        Username: auth.basicAuthenticationCredentials.username,
      },
    },
  });
  return { input: rendered, secrets, secretTargets, errors };
}

/**
 * The camelCase name of an API member, as CDK's L1 property types spell it
 * (`OAuth2Properties` -> `oAuth2Properties`, `AWSManaged...` -> `awsManaged...`).
 */
export function camelCase(apiName: string): string {
  const upper = /^[A-Z]+(?=[A-Z][a-z])/.exec(apiName)?.[0];
  return upper && upper.length > 1
    ? upper.toLowerCase() + apiName.slice(upper.length)
    : apiName.charAt(0).toLowerCase() + apiName.slice(1);
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

/** Drops undefined members and objects left empty, so the template shows only what was given. */
function prune<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Token.isUnresolved(value) || Array.isArray(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, prune(v)] as const)
    .filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && !Token.isUnresolved(v) && Object.keys(v).length === 0));
  return Object.fromEntries(entries) as T;
}
