/**
 * The typed mirror of Glue's TestConnectionInput, in CDK's camelCase, and its rendering into
 * the custom resource's properties. Secret-bearing members take `SecretValue`; they leave the
 * template only as references (see `secret-reference.ts`).
 */
import { SecretValue, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { didYouMean } from '../private/text';
import { isPlainObject, kindOf } from '../private/cfn-values';
import {
  isSecretKey, MemberRule, StructureRule, TEST_CONNECTION_INPUT, TEST_CONNECTION_REQUEST, TestConnectionInputShape, toPointer,
} from '../contract/request';
import { locateSecret, SecretLocation } from './secret-reference';

/**
 * The type of a connection to test. TestConnection is documented for `JDBC` and `SALESFORCE`;
 * `TestConnectionType.of()` takes any other type Glue may accept, with a synth-time warning.
 * From JavaScript, the type's name as a string (`'JDBC'`) is taken as well, and so is any object
 * with a string `name`, such as aws-cdk-lib's `glue.ConnectionType` where your aws-cdk-lib has it.
 *
 * Named apart from aws-cdk-lib's `glue.ConnectionType` (the type of a connection to create,
 * stable in aws-cdk-lib only from releases newer than this library's peer floor), so that a
 * file can import both without an alias.
 *
 * @example
 * const jdbc = TestConnectionType.JDBC;
 * const kafka = TestConnectionType.of('KAFKA');
 */
export class TestConnectionType {
  /** A JDBC database. */
  public static readonly JDBC = new TestConnectionType('JDBC');
  /** Salesforce, with an AuthenticationConfiguration. */
  public static readonly SALESFORCE = new TestConnectionType('SALESFORCE');

  /**
   * A connection type by its Glue API name, e.g. `TestConnectionType.of('KAFKA')`.
   *
   * @param name the type's name in the Glue API
   */
  public static of(name: string): TestConnectionType {
    return new TestConnectionType(name);
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
  /** Refresh token grant. */
  REFRESH_TOKEN = 'REFRESH_TOKEN',
}

/**
 * A connection definition to test without creating it (Glue's `TestConnectionInput`).
 */
export interface TestConnectionInput {
  /** The type of the connection. */
  readonly connectionType: TestConnectionType;

  /**
   * The connection's properties that are not secret, by Glue's ConnectionPropertyKey names
   * (`HOST`, `PORT`, `JDBC_ENGINE`, `JDBC_CONNECTION_URL`, `USERNAME`, `SECRET_ID`,
   * `INSTANCE_URL`, ...). A key that the Glue API model does not list is passed to Glue with a
   * synth-time warning. Every `*PASSWORD*` key belongs in `secretConnectionProperties`, except
   * the `ENCRYPTED_*` ones, which hold ciphertext.
   *
   * @default - no properties
   */
  readonly connectionProperties?: { [key: string]: string };

  /**
   * The connection's secret properties (`PASSWORD` and every other `*PASSWORD*` key but the
   * `ENCRYPTED_*` ones), as Secrets Manager references: the handler reads them at deploy time, so they never enter the
   * template, an event or a log.
   *
   * @default - no secret properties
   * @example
   * const input: TestConnectionInput = {
   *   connectionType: TestConnectionType.JDBC,
   *   connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'orders_app' },
   *   secretConnectionProperties: { PASSWORD: credentials.secretValueFromJson('password') },
   * };
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
  /**
   * Where secrets were given, and members given but refused below (a wrong type, a plain
   * password): the input's rules count them as present.
   */
  readonly secretTargets: string[];
  /** Problems found while rendering, each naming the prop; reported with the other errors. */
  readonly errors: string[];
}

const PROP = TEST_CONNECTION_INPUT.prop;

/** How to give a connection type, for the message when something else was given. */
const CONNECTION_TYPE_FORMS = "a TestConnectionType (TestConnectionType.JDBC, TestConnectionType.SALESFORCE or TestConnectionType.of('NAME')) or the type's name as a string";

/**
 * Renders the typed input into the API's shape, member by member from the request table,
 * taking every secret out as a reference. Props a JavaScript caller may get wrong (a misspelled
 * member, a value of the wrong type) are reported with their prop path.
 */
export function renderTestConnectionInput(scope: IConstruct, input: TestConnectionInput): RenderedInput {
  const secrets: LocatedSecret[] = [];
  const secretTargets: string[] = [];
  const errors: string[] = [];
  const stack = Stack.of(scope);

  const secret = (value: unknown, apiPath: string[], prop: string): void => {
    if (value === undefined) return;
    secretTargets.push(toPointer(apiPath));
    try {
      secrets.push({ Target: toPointer(apiPath), ...locateSecret(value, prop) });
    } catch (e) {
      errors.push((e as Error).message);
    }
  };
  /** A plain string member: a dynamic reference in it would be resolved into the event. */
  const plain = (value: string, prop: string, fix = 'pass secrets as SecretValue props'): string => {
    if ((Token.isUnresolved(value) ? JSON.stringify(stack.resolve(value)) : value).includes('{{resolve:')) {
      errors.push(`${prop}: holds a CloudFormation dynamic reference, which CloudFormation would resolve into the event the handler receives; ${fix}`);
    }
    return value;
  };

  const refuse = (apiPath: string[], message: string): undefined => {
    secretTargets.push(toPointer(apiPath));
    errors.push(message);
    return undefined;
  };

  const render = (rule: MemberRule, value: unknown, apiPath: string[], prop: string): unknown => {
    if (value === undefined) return undefined;
    if (rule.type === 'string') {
      if (rule.secret) return secret(value, apiPath, prop);
      if (typeof value === 'string') return plain(value, prop);
      if (rule.named && value !== null && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
        return plain((value as { name: string }).name, prop);
      }
      return refuse(apiPath, `${prop}: must be ${rule.named ? CONNECTION_TYPE_FORMS : 'a string'} (got ${kindOf(value)})`);
    }
    // A whole map or structure as a token: the handler checks it at deploy time.
    if (Token.isUnresolved(value)) return value;
    if (!isPlainObject(value)) {
      return refuse(apiPath, `${prop}: must be ${rule.type === 'map' ? 'an object of strings' : 'an object'} (got ${kindOf(value)})`);
    }
    if (rule.type === 'map') {
      const parent = prop.slice(0, prop.lastIndexOf('.'));
      const out: Record<string, string> = {};
      for (const [key, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (rule.secret) {
          secret(v, [...apiPath, key], `${prop}.${key}`);
        } else if (isSecretKey(rule, key)) {
          refuse([...apiPath, key], `${prop}.${key}: holds a secret as a plain string, which would be written into the template; `
            + `move it to ${parent}.${rule.secretProp}.${key} and pass SecretValue.secretsManager(secretArn, { jsonField }), or set SECRET_ID`);
        } else if (typeof v !== 'string') {
          refuse([...apiPath, key], `${prop}.${key}: must be a string (got ${kindOf(v)})`);
        } else {
          out[key] = plain(v, `${prop}.${key}`, rule.secretProp ? `pass secrets through ${parent}.${rule.secretProp}` : undefined);
        }
      }
      return out;
    }
    return renderStructure(rule, value, apiPath, prop);
  };

  const renderStructure = (rule: StructureRule, value: Record<string, unknown>, apiPath: string[], prop: string): Record<string, unknown> => {
    const props = Object.values(rule.members).flatMap((m) => (m.type === 'map' && m.secretProp ? [m.prop, m.secretProp] : [m.prop]));
    for (const key of Object.keys(value)) {
      if (!props.includes(key) && value[key] !== undefined) {
        errors.push(`${prop}.${key}: is not a property of ${prop}${didYouMean(key, props)} (allowed: ${props.join(', ')})`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [apiName, member] of Object.entries(rule.members)) {
      const rendered = render(member, value[member.prop], [...apiPath, apiName], `${prop}.${member.prop}`);
      if (rendered !== undefined) out[apiName] = rendered;
      if (member.type === 'map' && member.secretProp) {
        const secretProp = `${prop}.${member.secretProp}`;
        const given = value[member.secretProp];
        if (given === undefined) continue;
        if (!isPlainObject(given) || Token.isUnresolved(given)) {
          errors.push(`${secretProp}: must be an object of SecretValues (got ${kindOf(given)})`);
          continue;
        }
        const allowed = member.secretKeys ?? [];
        for (const [key, v] of Object.entries(given)) {
          if (isSecretKey(member, key)) {
            secret(v, [...apiPath, apiName, key], `${secretProp}.${key}`);
          } else {
            errors.push(`${secretProp}.${key}: is not a secret connection property${didYouMean(key, allowed)}; allowed keys are `
              + `${allowed.join(', ')}; put other properties in ${prop}.${member.prop}`);
          }
        }
      }
    }
    return out;
  };

  const rendered = render(TEST_CONNECTION_INPUT, input, [], PROP);
  return { input: prune(rendered ?? {}) as TestConnectionInputShape, secrets, secretTargets, errors };
}

/**
 * The prop path of a request member given by its API path, from the request table:
 * `TestConnectionInput.ConnectionProperties.PASSWORD` is
 * `testConnectionInput.secretConnectionProperties.PASSWORD`. Map keys stay as they are.
 */
export function propPathOf(apiPath: readonly string[]): string {
  let rule: MemberRule | undefined = TEST_CONNECTION_REQUEST;
  const out: string[] = [];
  for (const segment of apiPath) {
    if (rule?.type === 'structure' && Object.hasOwn(rule.members, segment)) {
      rule = rule.members[segment];
      out.push(rule.prop);
      continue;
    }
    if (rule?.type === 'map' && rule.secretProp && isSecretKey(rule, segment)) out[out.length - 1] = rule.secretProp;
    out.push(segment);
    rule = undefined;
  }
  return out.join('.');
}

/** Drops undefined members and objects left empty, so the template shows only what was given. */
function prune<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Token.isUnresolved(value) || Array.isArray(value)) return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => [k, prune(v)] as const)
    .filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && !Token.isUnresolved(v) && Object.keys(v).length === 0));
  return Object.fromEntries(entries) as T;
}
