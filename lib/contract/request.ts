/**
 * The TestConnection request, as one table: the per-ConnectionType input rules of the Glue API,
 * which members of TestConnectionInput carry secrets, and everything derived from the table
 * (types, JSON Pointers to secret members, the request check). The construct applies the rules
 * at synth time; the handler applies the same rules at deploy time to whatever was a token at
 * synth.
 *
 * This module imports nothing from aws-cdk-lib: esbuild inlines it into the handler bundle.
 */
import { isPlainObject, kindOf } from '../private/cfn-values';
import { didYouMean } from '../private/text';

// ---------------------------------------------------------------------------------------------
// The TestConnection request: one table
// ---------------------------------------------------------------------------------------------

/**
 * The ConnectionType list of the Glue API model (as in `@aws-sdk/client-glue` 3.1169;
 * `lambda/sdk-shape.ts` checks it against the SDK's own list at compile time). Glue accepts
 * types the model does not list yet, so another type is a warning, not an error.
 */
export const CONNECTION_TYPES = [
  'ADOBEANALYTICS', 'ASANA', 'AZURECOSMOS', 'AZURESQL', 'BIGQUERY', 'BLACKBAUD', 'BLACKBAUDRAISEREDGENXT', 'CIRCLECI',
  'CLOUDERAHIVE', 'CLOUDERAIMPALA', 'CLOUDWATCH', 'CLOUDWATCHMETRICS', 'CMDB', 'CUSTOM', 'DATADOG', 'DATALAKEGEN2', 'DB2',
  'DB2AS400', 'DOCUMENTDB', 'DOCUSIGNMONITOR', 'DOMO', 'DYNAMODB', 'DYNATRACE', 'FACEBOOKADS', 'FACEBOOKPAGEINSIGHTS',
  'FRESHDESK', 'FRESHSALES', 'GITLAB', 'GOOGLEADS', 'GOOGLEANALYTICS4', 'GOOGLECLOUDSTORAGE', 'GOOGLESEARCHCONSOLE',
  'GOOGLESHEETS', 'HBASE', 'HUBSPOT', 'INSTAGRAMADS', 'INTERCOM', 'JDBC', 'JIRACLOUD', 'KAFKA', 'KUSTOMER', 'LINKEDIN',
  'MAILCHIMP', 'MARKETO', 'MARKETPLACE', 'MICROSOFTDYNAMIC365FINANCEANDOPS', 'MICROSOFTDYNAMICS365CRM', 'MICROSOFTTEAMS',
  'MIXPANEL', 'MONDAY', 'MONGODB', 'MYSQL', 'NETSUITEERP', 'NETWORK', 'OKTA', 'OPENSEARCH', 'ORACLE', 'PAYPAL', 'PENDO',
  'PIPEDIVE', 'PIPEDRIVE', 'POSTGRESQL', 'PRODUCTBOARD', 'QUICKBOOKS', 'SALESFORCE', 'SALESFORCECOMMERCECLOUD',
  'SALESFORCEMARKETINGCLOUD', 'SALESFORCEPARDOT', 'SAPCONCUR', 'SAPHANA', 'SAPODATA', 'SENDGRID', 'SERVICENOW', 'SFTP',
  'SLACK', 'SMARTSHEET', 'SNAPCHATADS', 'SQLSERVER', 'STRIPE', 'SYNAPSE', 'TERADATA', 'TERADATANOS', 'TIMESTREAM', 'TPCDS',
  'TWILIO', 'VERTICA', 'VIEW_VALIDATION_ATHENA', 'VIEW_VALIDATION_REDSHIFT', 'WOOCOMMERCE', 'ZENDESK', 'ZOHOCRM', 'ZOOM',
] as const;

/** The ConnectionType values Glue's TestConnection is documented to accept. */
export const TESTABLE_CONNECTION_TYPES: readonly string[] = ['JDBC', 'SALESFORCE'];

/**
 * The ConnectionPropertyKey list of the Glue API model (TestConnectionInput.ConnectionProperties),
 * checked against the SDK's own list at compile time in `lambda/sdk-shape.ts`.
 */
export const CONNECTION_PROPERTY_KEYS = [
  'CLUSTER_IDENTIFIER', 'CONFIG_FILES', 'CONNECTION_URL', 'CONNECTOR_CLASS_NAME', 'CONNECTOR_TYPE', 'CONNECTOR_URL',
  'CUSTOM_JDBC_CERT', 'CUSTOM_JDBC_CERT_STRING', 'DATABASE', 'ENCRYPTED_KAFKA_CLIENT_KEYSTORE_PASSWORD',
  'ENCRYPTED_KAFKA_CLIENT_KEY_PASSWORD', 'ENCRYPTED_KAFKA_SASL_PLAIN_PASSWORD', 'ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD',
  'ENCRYPTED_PASSWORD', 'ENDPOINT', 'ENDPOINT_TYPE', 'HOST', 'INSTANCE_ID', 'JDBC_CONNECTION_URL', 'JDBC_DRIVER_CLASS_NAME',
  'JDBC_DRIVER_JAR_URI', 'JDBC_ENFORCE_SSL', 'JDBC_ENGINE', 'JDBC_ENGINE_VERSION', 'KAFKA_BOOTSTRAP_SERVERS',
  'KAFKA_CLIENT_KEYSTORE', 'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_CUSTOM_CERT',
  'KAFKA_SASL_GSSAPI_KEYTAB', 'KAFKA_SASL_GSSAPI_KRB5_CONF', 'KAFKA_SASL_GSSAPI_PRINCIPAL', 'KAFKA_SASL_GSSAPI_SERVICE',
  'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PLAIN_PASSWORD', 'KAFKA_SASL_PLAIN_USERNAME', 'KAFKA_SASL_SCRAM_PASSWORD',
  'KAFKA_SASL_SCRAM_SECRETS_ARN', 'KAFKA_SASL_SCRAM_USERNAME', 'KAFKA_SKIP_CUSTOM_CERT_VALIDATION', 'KAFKA_SSL_ENABLED',
  'PASSWORD', 'PORT', 'REGION', 'ROLE_ARN', 'SECRET_ID', 'SKIP_CUSTOM_JDBC_CERT_VALIDATION', 'USERNAME', 'WORKGROUP_NAME',
] as const;

/**
 * Connection property keys that Glue's documentation uses beyond the model's list; they are
 * taken without a warning. `INSTANCE_URL`: the Salesforce instance of a SALESFORCE connection
 * (https://docs.aws.amazon.com/glue/latest/dg/salesforce-configuring-connections.html).
 */
export const DOCUMENTED_CONNECTION_PROPERTY_KEYS: readonly string[] = ['INSTANCE_URL'];

/**
 * Connection property keys whose value is a password in plain text: every `*PASSWORD*` key of
 * the model but the `ENCRYPTED_*` ones. Those hold the password already encrypted with the
 * Data Catalog's KMS key, as Glue stores and returns it when connection password encryption is
 * on (https://docs.aws.amazon.com/glue/latest/webapi/API_ConnectionPasswordEncryption.html):
 * ciphertext, which may stand in the template like any other property.
 */
export const SECRET_CONNECTION_PROPERTY_KEYS: readonly string[] =
  CONNECTION_PROPERTY_KEYS.filter((key) => key.includes('PASSWORD') && !key.startsWith('ENCRYPTED_'));

/** The AuthenticationType list of the Glue API model. */
export const AUTHENTICATION_TYPES = ['BASIC', 'CUSTOM', 'IAM', 'OAUTH2'] as const;
/** The OAuth2GrantType list of the Glue API model. */
export const OAUTH2_GRANT_TYPES = ['AUTHORIZATION_CODE', 'CLIENT_CREDENTIALS', 'JWT_BEARER', 'REFRESH_TOKEN'] as const;

/** A string member of the request. */
export interface StringRule {
  readonly type: 'string';
  /** The member's name in the construct's props (camelCase, as CDK's L1 property types spell it). */
  readonly prop: string;
  /** The value is a secret: the construct takes a `SecretValue`, the template a {@link SecretReference}. */
  readonly secret?: boolean;
  /** The only values the API takes: another is an error. */
  readonly oneOf?: readonly string[];
  /** The values the API model lists: the service takes others too, so another is a warning. */
  readonly known?: readonly string[];
  /** The prop takes an enum-like class (`TestConnectionType.JDBC`) whose `name` is the value. */
  readonly named?: boolean;
  /** Least and most characters. */
  readonly length?: readonly [number, number];
  readonly pattern?: RegExp;
  /** What `pattern` allows, in words, for the message. */
  readonly patternText?: string;
}

/** A map of strings. */
export interface MapRule {
  readonly type: 'map';
  readonly prop: string;
  /** Every value is a secret. */
  readonly secret?: boolean;
  /** The keys whose value is a secret; the construct takes those in `secretProp`. */
  readonly secretKeys?: readonly string[];
  readonly secretProp?: string;
  /** The keys the API model lists (and the documentation uses): another key is a warning. */
  readonly knownKeys?: readonly string[];
  /** What a key is called in messages. */
  readonly keyName?: string;
  readonly maxEntries?: number;
  readonly keyLength?: readonly [number, number];
  readonly valueLength: readonly [number, number];
}

/** A structure: named members. */
export interface StructureRule {
  readonly type: 'structure';
  readonly prop: string;
  /** The API's name of the structure, for messages. */
  readonly shape: string;
  readonly members: { readonly [apiName: string]: MemberRule };
}

export type MemberRule = StringRule | MapRule | StructureRule;

const SECRET_ARN = /^arn:aws(-(cn|us-gov|iso(-[bef])?))?:secretsmanager:.*$/;
const KMS_KEY_ARN = /^$|^arn:aws[a-z0-9-]*:kms:.*$/;
const TOKEN_URL = /^(https?):\/\/[-a-zA-Z0-9+&@#/%?=~_|!:,.;]*[-a-zA-Z0-9+&@#/%=~_|]$/;
/** Glue's single-line string pattern (no control characters but tab; supplementary characters such as emoji allowed). */
const SINGLE_LINE = /^[\u0020-\uD7FF\uE000-\uFFFD\t\u{10000}-\u{10FFFF}]*$/u;

/**
 * The TestConnection request of the Glue API, member by member: its API name, its prop name in
 * the construct, its type, whether it is a secret, and its limits (botocore's service model).
 * Everything that reads or writes the request takes the shape from here: the construct's
 * renderer and prop paths, `fromRequestJson`, the checks of {@link validateRequest}, the
 * handler's parser and the secret targets. The API types below are derived from it, and
 * compile-time checks hold it to the SDK's types (`lambda/sdk-shape.ts`) and to the
 * construct's public interfaces (`test/request/test-connection-input.test.ts`).
 */
export const TEST_CONNECTION_REQUEST = {
  type: 'structure',
  prop: '',
  shape: 'TestConnectionRequest',
  members: {
    ConnectionName: { type: 'string', prop: 'connectionName', length: [1, 255], pattern: SINGLE_LINE, patternText: 'a single line of text' },
    CatalogId: { type: 'string', prop: 'catalogId', length: [1, 255], pattern: SINGLE_LINE, patternText: 'a single line of text' },
    TestConnectionInput: {
      type: 'structure',
      prop: 'testConnectionInput',
      shape: 'TestConnectionInput',
      members: {
        ConnectionType: { type: 'string', prop: 'connectionType', named: true, known: CONNECTION_TYPES },
        ConnectionProperties: {
          type: 'map',
          prop: 'connectionProperties',
          secretKeys: SECRET_CONNECTION_PROPERTY_KEYS,
          secretProp: 'secretConnectionProperties',
          knownKeys: [...CONNECTION_PROPERTY_KEYS, ...DOCUMENTED_CONNECTION_PROPERTY_KEYS],
          keyName: 'ConnectionPropertyKey',
          maxEntries: 100,
          valueLength: [1, 1024],
        },
        AuthenticationConfiguration: {
          type: 'structure',
          prop: 'authenticationConfiguration',
          shape: 'AuthenticationConfigurationInput',
          members: {
            AuthenticationType: { type: 'string', prop: 'authenticationType', oneOf: AUTHENTICATION_TYPES },
            OAuth2Properties: {
              type: 'structure',
              prop: 'oAuth2Properties',
              shape: 'OAuth2PropertiesInput',
              members: {
                OAuth2GrantType: { type: 'string', prop: 'oAuth2GrantType', oneOf: OAUTH2_GRANT_TYPES },
                OAuth2ClientApplication: {
                  type: 'structure',
                  prop: 'oAuth2ClientApplication',
                  shape: 'OAuth2ClientApplication',
                  members: {
                    UserManagedClientApplicationClientId: { type: 'string', prop: 'userManagedClientApplicationClientId', length: [1, 2048] },
                    AWSManagedClientApplicationReference: { type: 'string', prop: 'awsManagedClientApplicationReference', length: [1, 2048] },
                  },
                },
                TokenUrl: { type: 'string', prop: 'tokenUrl', length: [1, 256], pattern: TOKEN_URL, patternText: 'an http(s) URL' },
                TokenUrlParametersMap: { type: 'map', prop: 'tokenUrlParametersMap', keyLength: [1, 128], valueLength: [1, 512] },
                AuthorizationCodeProperties: {
                  type: 'structure',
                  prop: 'authorizationCodeProperties',
                  shape: 'AuthorizationCodeProperties',
                  members: {
                    AuthorizationCode: { type: 'string', prop: 'authorizationCode', secret: true },
                    RedirectUri: { type: 'string', prop: 'redirectUri', length: [1, 512] },
                  },
                },
                OAuth2Credentials: {
                  type: 'structure',
                  prop: 'oAuth2Credentials',
                  shape: 'OAuth2Credentials',
                  members: {
                    UserManagedClientApplicationClientSecret: { type: 'string', prop: 'userManagedClientApplicationClientSecret', secret: true },
                    AccessToken: { type: 'string', prop: 'accessToken', secret: true },
                    RefreshToken: { type: 'string', prop: 'refreshToken', secret: true },
                    JwtToken: { type: 'string', prop: 'jwtToken', secret: true },
                  },
                },
              },
            },
            SecretArn: { type: 'string', prop: 'secretArn', pattern: SECRET_ARN, patternText: 'a Secrets Manager secret ARN' },
            KmsKeyArn: { type: 'string', prop: 'kmsKeyArn', pattern: KMS_KEY_ARN, patternText: 'a KMS key ARN' },
            BasicAuthenticationCredentials: {
              type: 'structure',
              prop: 'basicAuthenticationCredentials',
              shape: 'BasicAuthenticationCredentials',
              members: {
                Username: { type: 'string', prop: 'username', length: [1, 512] },
                Password: { type: 'string', prop: 'password', secret: true },
              },
            },
            CustomAuthenticationCredentials: {
              type: 'map', prop: 'customAuthenticationCredentials', secret: true, keyLength: [1, 128], valueLength: [1, 2048],
            },
          },
        },
      },
    },
  },
} as const satisfies StructureRule;

/** The rule of TestConnectionInput, the part of the request a construct renders. */
export const TEST_CONNECTION_INPUT: StructureRule = TEST_CONNECTION_REQUEST.members.TestConnectionInput;

/** The value a rule describes, in the API's names: derived from the table, never written out. */
export type ApiValue<R> =
  R extends { readonly type: 'structure'; readonly members: infer M } ? { -readonly [K in keyof M]?: ApiValue<M[K]> }
    : R extends { readonly type: 'map' } ? Record<string, string>
      : string;

/** Glue's TestConnection request, as the table describes it. */
export type TestConnectionRequestShape = ApiValue<typeof TEST_CONNECTION_REQUEST>;
/** Glue's TestConnectionInput, as the handler sends it (secret members filled in). */
export type TestConnectionInputShape = NonNullable<TestConnectionRequestShape['TestConnectionInput']>;

/** The secret string members of a structure, as paths from it (map members excluded). */
function secretStringPaths(rule: StructureRule): string[][] {
  return Object.entries(rule.members).flatMap(([name, member]): string[][] => {
    if (member.type === 'structure') return secretStringPaths(member).map((path) => [name, ...path]);
    return member.type === 'string' && member.secret ? [[name]] : [];
  });
}

/** The secret-bearing members of AuthenticationConfiguration, as paths from it: from the table. */
export const SECRET_AUTHENTICATION_MEMBERS: readonly (readonly string[])[] =
  secretStringPaths(TEST_CONNECTION_REQUEST.members.TestConnectionInput.members.AuthenticationConfiguration);

/** Glue's own indirections to a secret: Glue reads these secrets itself. */
export const SECRET_POINTER_MEMBERS = {
  connectionProperty: 'SECRET_ID',
  authenticationConfiguration: 'SecretArn',
} as const;

/** Builds a JSON Pointer (RFC 6901) from path segments. */
export function toPointer(segments: readonly string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Splits a JSON Pointer (RFC 6901) into its segments; throws on a malformed one. */
export function parsePointer(pointer: string): string[] {
  if (!pointer.startsWith('/')) {
    throw new Error(`"${pointer}" is not a JSON Pointer: it must start with "/"`);
  }
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether a map member holds a secret at this key. */
export function isSecretKey(rule: MapRule, key: string): boolean {
  return rule.secret === true || (rule.secretKeys ?? []).includes(key);
}

/**
 * Whether a secret may be written at this place of TestConnectionInput (path from it): a
 * member the table marks secret, or a secret key of a map. The handler writes resolved secrets
 * nowhere else.
 */
export function isSecretTarget(segments: readonly string[]): boolean {
  let rule: MemberRule = TEST_CONNECTION_INPUT;
  for (let i = 0; i < segments.length; i++) {
    if (rule.type === 'string') return false;
    if (rule.type === 'map') return i === segments.length - 1 && segments[i].length > 0 && isSecretKey(rule, segments[i]);
    const next: MemberRule | undefined = Object.hasOwn(rule.members, segments[i]) ? rule.members[segments[i]] : undefined;
    if (next === undefined) return false;
    rule = next;
  }
  return rule.type === 'string' && rule.secret === true;
}

/** One finding of {@link validateRequest}. */
export interface Finding {
  /** Path of the offending member in the request, from the request's top (API names). */
  readonly path: readonly string[];
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** For a warning: a short name of its kind (for `Annotations` ids and acknowledgements). */
  readonly code?: string;
}

/** What {@link validateRequest} checks: values as given, of any type. */
export interface RequestToValidate {
  readonly ConnectionName?: unknown;
  readonly CatalogId?: unknown;
  readonly TestConnectionInput?: unknown;
  /**
   * Members (JSON Pointers into TestConnectionInput) given outside the input: filled in by a
   * secret reference, or given and refused already by the caller. The rules count them as present.
   */
  readonly secretTargets?: readonly string[];
}

/**
 * Checks a value against its rule of the table, with its path: types, members the API does not
 * have, enumerations, lengths and patterns. Values that `isUnresolved` says are not known yet
 * (CDK tokens at synth time) are skipped.
 */
export function checkShape(
  rule: MemberRule, value: unknown, path: readonly string[],
  findings: { errors: Finding[]; warnings: Finding[] }, isUnresolved: (value: unknown) => boolean = () => false,
): void {
  if (value === undefined || isUnresolved(value)) return;
  const error = (at: readonly string[], message: string): void => {
    findings.errors.push({ path: at, message });
  };
  const text = (at: readonly string[], v: string, [min, max]: readonly [number, number], what = 'characters') => {
    const length = [...v].length;
    if (length < min || length > max) error(at, `must be ${min} to ${max} ${what} long (got ${length})`);
  };
  if (rule.type === 'string') {
    if (typeof value !== 'string') return error(path, `must be a string (got ${kindOf(value)})`);
    if (rule.oneOf && !rule.oneOf.includes(value)) return error(path, `must be one of ${rule.oneOf.join(', ')} (got "${value}")`);
    if (rule.length) text(path, value, rule.length);
    if (rule.pattern && !rule.pattern.test(value)) error(path, `must be ${rule.patternText}`);
    return;
  }
  if (!isPlainObject(value)) {
    return error(path, `must be ${rule.type === 'map' ? 'a map of strings' : 'an object'} (got ${kindOf(value)})`);
  }
  if (rule.type === 'map') {
    for (const [key, v] of Object.entries(value)) {
      const at = [...path, key];
      if (isUnresolved(key)) continue;
      if (rule.knownKeys && !rule.knownKeys.includes(key)) {
        findings.warnings.push({
          path: at,
          code: `unknown${rule.keyName}`,
          message: `is not a ${rule.keyName} of the Glue API model${didYouMean(key, rule.knownKeys)}; it is passed to Glue as given (Glue accepts keys the model does not list)`,
        });
      }
      if (rule.keyLength) text(at, key, rule.keyLength, 'characters (key)');
      if (v === undefined || isUnresolved(v)) continue;
      if (typeof v !== 'string') error(at, `must be a string (got ${kindOf(v)})`);
      else text(at, v, rule.valueLength);
    }
    return;
  }
  const names = Object.keys(rule.members);
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(rule.members, key)) {
      error([...path, key], `is not a member of ${rule.shape} in the Glue API${didYouMean(key, names)} (allowed: ${names.join(', ')})`);
    } else {
      checkShape(rule.members[key], v, [...path, key], findings, isUnresolved);
    }
  }
}

/**
 * Checks a TestConnection request against the Glue API's rules: the shape of the table, then the
 * rules between members (one of ConnectionName and TestConnectionInput, the per-type
 * requirements). `isUnresolved` tells which values are not known yet (CDK tokens at synth
 * time): those are skipped. Errors fail the synth or the deployment; warnings are only shown,
 * and what they are about is passed to Glue as given.
 */
export function validateRequest(
  request: RequestToValidate,
  isUnresolved: (value: unknown) => boolean = () => false,
): { errors: Finding[]; warnings: Finding[] } {
  const findings = { errors: [] as Finding[], warnings: [] as Finding[] };
  const { errors, warnings } = findings;
  const known = (value: unknown): boolean => value !== undefined && !isUnresolved(value);
  const { ConnectionName: name, CatalogId: catalogId, TestConnectionInput: input } = request;
  const members = TEST_CONNECTION_REQUEST.members;

  if ((name === undefined) === (input === undefined)) {
    errors.push({
      path: [],
      message: name === undefined
        ? 'needs a connection to test: give ConnectionName (an existing connection) or TestConnectionInput (a definition to test)'
        : 'takes ConnectionName or TestConnectionInput, not both (TestConnection rejects a request with both)',
    });
  }
  checkShape(members.ConnectionName, name, ['ConnectionName'], findings, isUnresolved);
  checkShape(members.CatalogId, catalogId, ['CatalogId'], findings, isUnresolved);
  checkShape(members.TestConnectionInput, input, ['TestConnectionInput'], findings, isUnresolved);
  if (!known(input) || !isPlainObject(input)) return findings;

  const secretTargets = new Set(request.secretTargets ?? []);
  const type = input.ConnectionType;
  const typePath = ['TestConnectionInput', 'ConnectionType'];
  const testable = TESTABLE_CONNECTION_TYPES.join(' and ');
  if (type === undefined && !secretTargets.has('/ConnectionType')) {
    errors.push({ path: typePath, message: `is required: one of ${TESTABLE_CONNECTION_TYPES.join(', ')}` });
  } else if (typeof type === 'string' && known(type) && !TESTABLE_CONNECTION_TYPES.includes(type)) {
    const modelled = (CONNECTION_TYPES as readonly string[]).includes(type);
    warnings.push(modelled
      ? { path: typePath, code: 'untestedConnectionType', message: `is "${type}"; TestConnection is documented for ${testable} only, so Glue may reject it` }
      : {
        path: typePath,
        code: 'unknownConnectionType',
        message: `is "${type}", which is not a ConnectionType of the Glue API model${didYouMean(type, CONNECTION_TYPES)}; `
          + `it is passed to Glue as given, though TestConnection is documented for ${testable} only`,
      });
  }

  const propsPath = ['TestConnectionInput', 'ConnectionProperties'];
  const props = input.ConnectionProperties;
  const propsKnown = props === undefined || (known(props) && isPlainObject(props));
  if (props !== undefined && propsKnown) {
    const count = Object.keys(props).length + [...secretTargets].filter((t) => t.startsWith('/ConnectionProperties/')).length;
    if (count > 100) errors.push({ path: propsPath, message: `may hold at most 100 properties (got ${count})` });
  }
  const present = (key: string) => (isPlainObject(props) && Object.hasOwn(props, key)) || secretTargets.has(toPointer(['ConnectionProperties', key]));
  const auth = input.AuthenticationConfiguration;
  if (type === 'JDBC' && propsKnown) {
    const address = ['HOST', 'PORT', 'JDBC_ENGINE'];
    if (!present('JDBC_CONNECTION_URL') && !address.every(present)) {
      const missing = address.filter((k) => !present(k));
      errors.push({
        path: propsPath,
        message: `needs JDBC_CONNECTION_URL, or all of HOST, PORT and JDBC_ENGINE, for a JDBC connection (missing ${missing.join(', ')})`,
      });
    }
    const credentials = (present('USERNAME') && present('PASSWORD')) || present('SECRET_ID');
    if (!credentials && auth === undefined && !secretTargets.has('/AuthenticationConfiguration')) {
      errors.push({ path: propsPath, message: 'needs USERNAME with PASSWORD, or SECRET_ID, for a JDBC connection' });
    }
  }
  if (type === 'SALESFORCE' && auth === undefined && !secretTargets.has('/AuthenticationConfiguration')) {
    errors.push({ path: ['TestConnectionInput', 'AuthenticationConfiguration'], message: 'is required for a SALESFORCE connection' });
  }
  return findings;
}

/**
 * The value without what `--generate-cli-skeleton` leaves for the user to fill in: `""`
 * strings, map entries with an empty value (`"KeyName": ""`), objects left empty, and
 * structures that hold nothing but enumeration values, which the skeleton fills in at random
 * (botocore's ArgumentGenerator picks `random.choice(enum)`). What is dropped for the last
 * reason is noted, so that a structure given on purpose with only an enumeration value does not
 * vanish without a word. `where` names the JSON in the notes (`requestJson`, `--cli-input-json`).
 * The construct's `requestJson` and the command's `--cli-input-json` read the skeleton with it.
 */
export function withoutSkeletonBlanks(rule: MemberRule | undefined, value: unknown, path: string[], notes: string[], where: string): unknown {
  if (value === '') return undefined;
  if (!isPlainObject(value) || rule?.type === 'string') return value;
  const inner: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const memberRule = rule?.type === 'structure' && Object.hasOwn(rule.members, key) ? rule.members[key] : undefined;
    const kept = rule?.type === 'map' ? (v === '' ? undefined : v) : withoutSkeletonBlanks(memberRule, v, [...path, key], inner, where);
    if (kept !== undefined) out[key] = kept;
  }
  if (Object.keys(out).length === 0) return undefined;
  if (rule?.type === 'structure' && path.length > 0) {
    const enumerations = Object.entries(out).map(([key, v]) => {
      const member = Object.hasOwn(rule.members, key) ? rule.members[key] : undefined;
      return member?.type === 'string' && (member.oneOf || member.known) && typeof v === 'string' ? `${key} "${v}"` : undefined;
    });
    if (enumerations.every((e) => e !== undefined)) {
      notes.push(`${where}.${path.join('.')}: holds nothing but ${enumerations.join(' and ')}, which --generate-cli-skeleton fills in at random; `
        + 'it is taken as absent. Give the other members it needs, or remove it');
      return undefined;
    }
  }
  notes.push(...inner);
  return out;
}
