/**
 * The contract between the construct (`lib/`) and its handler (`lambda/`).
 *
 * Everything both sides must agree on lives here and nowhere else: the custom resource's type
 * and properties as CloudFormation delivers them, the shape of a secret reference, which
 * members of TestConnectionInput carry secrets, the limits on the test's deadline, and the
 * per-ConnectionType input rules of the Glue API. The construct applies the rules at synth
 * time; the handler applies the same rules at deploy time to whatever was a token at synth.
 *
 * This module imports nothing: esbuild inlines it into the handler bundle.
 */

/** The CloudFormation resource type of a connection test. */
export const RESOURCE_TYPE = 'Custom::GlueConnectionTest';

/**
 * What a connection test does when Glue rejects the connection.
 */
export enum FailureMode {
  /** The deployment fails and rolls back, with the reason as the resource's status reason. */
  FAIL_DEPLOYMENT = 'FAIL_DEPLOYMENT',
  /**
   * The deployment goes on; the result and the reason are the resource's `Result` and `Reason`
   * attributes (for a stack output, say).
   */
  REPORT_ONLY = 'REPORT_ONLY',
}

/** Limits of a test's deadline, in seconds. */
export const TIMEOUT_LIMITS = {
  /** Default deadline of one test. */
  defaultSeconds: 300,
  /** Shortest deadline: Glue's TestConnection alone often takes tens of seconds. */
  minSeconds: 30,
  /** Longest deadline; the handler's Lambda timeout is set above it. */
  maxSeconds: 600,
  /**
   * The handler's Lambda timeout: the longest deadline plus a margin for start-up, so that the
   * handler always answers before Lambda stops it.
   */
  handlerLambdaSeconds: 660,
  /**
   * CloudFormation's ServiceTimeout is the test's deadline plus this margin: the handler's
   * start-up and the framework's response PUT, retried up to five times.
   */
  serviceTimeoutMarginSeconds: 90,
} as const;

/**
 * A reference to a value in Secrets Manager that the handler resolves just before it calls
 * Glue and writes into the request at {@link SecretReference.Target}.
 */
export interface SecretReference {
  /** Where the value goes: a JSON Pointer (RFC 6901) into TestConnectionInput. */
  readonly Target: string;
  /** The secret's ARN, partial ARN or name. */
  readonly SecretId: string;
  /** The key of the value in a JSON SecretString; the whole SecretString when absent. */
  readonly JsonField?: string;
  /** The version stage to read; AWSCURRENT when absent. */
  readonly VersionStage?: string;
  /** The version id to read. */
  readonly VersionId?: string;
}

/**
 * The properties of a `Custom::GlueConnectionTest` resource. The first three mirror Glue's
 * TestConnection request; secret members of TestConnectionInput are absent from it and given
 * as {@link SecretReference}s instead. CloudFormation delivers every scalar as a string.
 */
export interface ResourceProperties {
  readonly ConnectionName?: string;
  readonly CatalogId?: string;
  readonly TestConnectionInput?: TestConnectionInputShape;
  readonly SecretReferences?: SecretReference[];
  /** A {@link FailureMode} value. */
  readonly FailureMode?: string;
  /** The test's deadline in seconds, within {@link TIMEOUT_LIMITS}. */
  readonly TimeoutSeconds?: string;
  /** "true" or "false": wait until GetConnection reports Status READY before testing. */
  readonly WaitForReady?: string;
  /** A digest of the tested connection's definition: a changed one re-runs the test. */
  readonly ConnectionFingerprint?: string;
  /** Present when the test re-runs on every deployment: a value that differs each time. */
  readonly RetestNonce?: string;
}

/** Glue's TestConnectionInput, as the handler sends it (secret members filled in). */
export interface TestConnectionInputShape {
  ConnectionType?: string;
  ConnectionProperties?: Record<string, string>;
  AuthenticationConfiguration?: {
    AuthenticationType?: string;
    SecretArn?: string;
    KmsKeyArn?: string;
    OAuth2Properties?: {
      OAuth2GrantType?: string;
      OAuth2ClientApplication?: {
        UserManagedClientApplicationClientId?: string;
        AWSManagedClientApplicationReference?: string;
      };
      TokenUrl?: string;
      TokenUrlParametersMap?: Record<string, string>;
      AuthorizationCodeProperties?: { AuthorizationCode?: string; RedirectUri?: string };
      OAuth2Credentials?: {
        UserManagedClientApplicationClientSecret?: string;
        AccessToken?: string;
        RefreshToken?: string;
        JwtToken?: string;
      };
    };
    BasicAuthenticationCredentials?: { Username?: string; Password?: string };
    CustomAuthenticationCredentials?: Record<string, string>;
  };
}

/** The outcome of a test, as the resource's attributes. */
export enum TestResult {
  /** Glue's TestConnection accepted the connection. */
  PASSED = 'PASSED',
  /** Glue rejected the connection, or the test could not finish (REPORT_ONLY mode only). */
  FAILED = 'FAILED',
  /** The test was not run: an Update while the stack rolls back. */
  SKIPPED = 'SKIPPED',
}

/** The attributes the handler returns (`Fn::GetAtt` names). */
export interface ResultData {
  readonly Result: TestResult;
  /** Why the test failed or was skipped; empty when it passed. */
  readonly Reason: string;
  /** ISO-8601 time the answer was made. */
  readonly TestedAt: string;
  /** How long the handler took, in milliseconds. */
  readonly DurationMs: string;
}

/** The longest reason the handler produces; the framework adds its own lines to it. */
export const MAX_REASON_LENGTH = 1000;

/** The ConnectionType values Glue's TestConnection is documented to accept. */
export const TESTABLE_CONNECTION_TYPES: readonly string[] = ['JDBC', 'SALESFORCE'];

/** The ConnectionPropertyKey list of the Glue API (TestConnectionInput.ConnectionProperties). */
export const CONNECTION_PROPERTY_KEYS: readonly string[] = [
  'HOST', 'PORT', 'USERNAME', 'PASSWORD', 'ENCRYPTED_PASSWORD', 'JDBC_DRIVER_JAR_URI',
  'JDBC_DRIVER_CLASS_NAME', 'JDBC_ENGINE', 'JDBC_ENGINE_VERSION', 'CONFIG_FILES', 'INSTANCE_ID',
  'JDBC_CONNECTION_URL', 'JDBC_ENFORCE_SSL', 'CUSTOM_JDBC_CERT', 'SKIP_CUSTOM_JDBC_CERT_VALIDATION',
  'CUSTOM_JDBC_CERT_STRING', 'CONNECTION_URL', 'KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SSL_ENABLED',
  'KAFKA_CUSTOM_CERT', 'KAFKA_SKIP_CUSTOM_CERT_VALIDATION', 'KAFKA_CLIENT_KEYSTORE',
  'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'ENCRYPTED_KAFKA_CLIENT_KEYSTORE_PASSWORD',
  'ENCRYPTED_KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PLAIN_USERNAME',
  'KAFKA_SASL_PLAIN_PASSWORD', 'ENCRYPTED_KAFKA_SASL_PLAIN_PASSWORD', 'KAFKA_SASL_SCRAM_USERNAME',
  'KAFKA_SASL_SCRAM_PASSWORD', 'KAFKA_SASL_SCRAM_SECRETS_ARN', 'ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD',
  'KAFKA_SASL_GSSAPI_KEYTAB', 'KAFKA_SASL_GSSAPI_KRB5_CONF', 'KAFKA_SASL_GSSAPI_SERVICE',
  'KAFKA_SASL_GSSAPI_PRINCIPAL', 'SECRET_ID', 'CONNECTOR_URL', 'CONNECTOR_TYPE', 'CONNECTOR_CLASS_NAME',
  'ENDPOINT', 'ENDPOINT_TYPE', 'ROLE_ARN', 'REGION', 'WORKGROUP_NAME', 'CLUSTER_IDENTIFIER', 'DATABASE',
];

/** Connection property keys whose value is a secret: every `*PASSWORD*` key of the list. */
export const SECRET_CONNECTION_PROPERTY_KEYS: readonly string[] =
  CONNECTION_PROPERTY_KEYS.filter((key) => key.includes('PASSWORD'));

/** The secret-bearing members of AuthenticationConfiguration, as paths from it. */
export const SECRET_AUTHENTICATION_MEMBERS: readonly (readonly string[])[] = [
  ['BasicAuthenticationCredentials', 'Password'],
  ['OAuth2Properties', 'OAuth2Credentials', 'UserManagedClientApplicationClientSecret'],
  ['OAuth2Properties', 'OAuth2Credentials', 'AccessToken'],
  ['OAuth2Properties', 'OAuth2Credentials', 'RefreshToken'],
  ['OAuth2Properties', 'OAuth2Credentials', 'JwtToken'],
  ['OAuth2Properties', 'AuthorizationCodeProperties', 'AuthorizationCode'],
];

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

/**
 * Whether a secret may be written at this place of TestConnectionInput: a `*PASSWORD*`
 * connection property, a secret member of AuthenticationConfiguration, or any
 * CustomAuthenticationCredentials value. The handler writes resolved secrets nowhere else.
 */
export function isSecretTarget(segments: readonly string[]): boolean {
  const [head, ...rest] = segments;
  if (head === 'ConnectionProperties') {
    return rest.length === 1 && SECRET_CONNECTION_PROPERTY_KEYS.includes(rest[0]);
  }
  if (head !== 'AuthenticationConfiguration') return false;
  if (rest.length === 2 && rest[0] === 'CustomAuthenticationCredentials') return rest[1].length > 0;
  return SECRET_AUTHENTICATION_MEMBERS.some(
    (member) => member.length === rest.length && member.every((s, i) => s === rest[i]));
}

/** One finding of {@link validateRequest}. */
export interface Finding {
  /** Path of the offending member in the request, from the request's top (API names). */
  readonly path: readonly string[];
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** What {@link validateRequest} checks. */
export interface RequestToValidate {
  readonly ConnectionName?: string;
  readonly CatalogId?: string;
  readonly TestConnectionInput?: TestConnectionInputShape;
  /** Targets (JSON Pointers into TestConnectionInput) that a secret reference fills in. */
  readonly secretTargets?: readonly string[];
}

const AUTHENTICATION_TYPES = ['BASIC', 'OAUTH2', 'CUSTOM', 'IAM'];
const OAUTH2_GRANT_TYPES = ['AUTHORIZATION_CODE', 'CLIENT_CREDENTIALS', 'JWT_BEARER'];
const SECRET_ARN = /^arn:aws(-(cn|us-gov|iso(-[bef])?))?:secretsmanager:.*$/;
const KMS_KEY_ARN = /^$|^arn:aws[a-z0-9-]*:kms:.*$/;
const TOKEN_URL = /^(https?):\/\/[-a-zA-Z0-9+&@#/%?=~_|!:,.;]*[-a-zA-Z0-9+&@#/%=~_|]$/;
/** Glue's single-line string pattern (no control characters but tab; supplementary characters such as emoji allowed). */
const SINGLE_LINE = /^[\u0020-\uD7FF\uE000-\uFFFD\t\u{10000}-\u{10FFFF}]*$/u;

/**
 * Checks a TestConnection request against the Glue API's rules. `isUnresolved` tells which
 * values are not known yet (CDK tokens at synth time): those are skipped. Errors fail the
 * synth or the deployment; warnings are only shown.
 */
export function validateRequest(
  request: RequestToValidate,
  isUnresolved: (value: unknown) => boolean = () => false,
): { errors: Finding[]; warnings: Finding[] } {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const known = (value: unknown): boolean => value !== undefined && !isUnresolved(value);
  const text = (path: string[], value: string | undefined, min: number, max: number, what = 'characters') => {
    if (!known(value)) return;
    const length = [...value!].length;
    if (length < min || length > max) {
      errors.push({ path, message: `must be ${min} to ${max} ${what} long (got ${length})` });
    }
  };
  const oneOf = (path: string[], value: string | undefined, allowed: readonly string[]) => {
    if (known(value) && !allowed.includes(value!)) {
      errors.push({ path, message: `must be one of ${allowed.join(', ')} (got "${value}")` });
    }
  };
  const matches = (path: string[], value: string | undefined, pattern: RegExp, allowed: string) => {
    if (known(value) && !pattern.test(value!)) errors.push({ path, message: `must be ${allowed}` });
  };
  const map = (path: string[], value: Record<string, string> | undefined, keyMax: number, valueMax: number) => {
    if (!known(value)) return;
    for (const [key, v] of Object.entries(value!)) {
      text([...path, key], key, 1, keyMax, 'characters (key)');
      text([...path, key], v, 1, valueMax);
    }
  };

  const { ConnectionName: name, TestConnectionInput: input } = request;
  if ((name === undefined) === (input === undefined)) {
    errors.push({
      path: [],
      message: name === undefined
        ? 'needs a connection to test: give ConnectionName (an existing connection) or TestConnectionInput (a definition to test)'
        : 'takes ConnectionName or TestConnectionInput, not both (TestConnection rejects a request with both)',
    });
  }
  text(['ConnectionName'], name, 1, 255);
  matches(['ConnectionName'], name, SINGLE_LINE, 'a single line of text');
  text(['CatalogId'], request.CatalogId, 1, 255);
  matches(['CatalogId'], request.CatalogId, SINGLE_LINE, 'a single line of text');
  if (!known(input)) return { errors, warnings };

  const secretTargets = new Set(request.secretTargets ?? []);
  const has = (segments: string[]) => secretTargets.has(toPointer(segments));
  const type = input!.ConnectionType;
  const typePath = ['TestConnectionInput', 'ConnectionType'];
  if (type === undefined) {
    errors.push({ path: typePath, message: `is required: one of ${TESTABLE_CONNECTION_TYPES.join(', ')}` });
  } else if (known(type) && !TESTABLE_CONNECTION_TYPES.includes(type)) {
    warnings.push({
      path: typePath,
      message: `is "${type}"; TestConnection is documented for ${TESTABLE_CONNECTION_TYPES.join(' and ')} only, so Glue may reject it`,
    });
  }

  const propsPath = ['TestConnectionInput', 'ConnectionProperties'];
  const props = input!.ConnectionProperties;
  const propsKnown = props === undefined || known(props);
  if (props !== undefined && propsKnown) {
    const keys = Object.keys(props);
    const count = keys.length + [...secretTargets].filter((t) => t.startsWith('/ConnectionProperties/')).length;
    if (count > 100) errors.push({ path: propsPath, message: `may hold at most 100 properties (got ${count})` });
    for (const key of keys) {
      if (!CONNECTION_PROPERTY_KEYS.includes(key)) {
        errors.push({ path: [...propsPath, key], message: 'is not a connection property key of the Glue API (see ConnectionPropertyKey)' });
      }
      text([...propsPath, key], props[key], 1, 1024);
    }
  }
  const present = (key: string) => (props !== undefined && key in props) || has(['ConnectionProperties', key]);
  const auth = input!.AuthenticationConfiguration;

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
    if (!credentials && auth === undefined) {
      errors.push({
        path: propsPath,
        message: 'needs USERNAME with PASSWORD, or SECRET_ID, for a JDBC connection',
      });
    }
  }
  if (type === 'SALESFORCE' && auth === undefined) {
    errors.push({
      path: ['TestConnectionInput', 'AuthenticationConfiguration'],
      message: 'is required for a SALESFORCE connection',
    });
  }

  if (known(auth)) {
    const authPath = ['TestConnectionInput', 'AuthenticationConfiguration'];
    oneOf([...authPath, 'AuthenticationType'], auth!.AuthenticationType, AUTHENTICATION_TYPES);
    matches([...authPath, 'SecretArn'], auth!.SecretArn, SECRET_ARN, 'a Secrets Manager secret ARN');
    matches([...authPath, 'KmsKeyArn'], auth!.KmsKeyArn, KMS_KEY_ARN, 'a KMS key ARN');
    text([...authPath, 'BasicAuthenticationCredentials', 'Username'], auth!.BasicAuthenticationCredentials?.Username, 1, 512);
    const oauth = auth!.OAuth2Properties;
    if (known(oauth)) {
      const oauthPath = [...authPath, 'OAuth2Properties'];
      oneOf([...oauthPath, 'OAuth2GrantType'], oauth!.OAuth2GrantType, OAUTH2_GRANT_TYPES);
      text([...oauthPath, 'TokenUrl'], oauth!.TokenUrl, 1, 256);
      matches([...oauthPath, 'TokenUrl'], oauth!.TokenUrl, TOKEN_URL, 'an http(s) URL');
      map([...oauthPath, 'TokenUrlParametersMap'], oauth!.TokenUrlParametersMap, 128, 512);
      text([...oauthPath, 'AuthorizationCodeProperties', 'RedirectUri'], oauth!.AuthorizationCodeProperties?.RedirectUri, 1, 512);
      const app = oauth!.OAuth2ClientApplication;
      text([...oauthPath, 'OAuth2ClientApplication', 'UserManagedClientApplicationClientId'], app?.UserManagedClientApplicationClientId, 1, 2048);
      text([...oauthPath, 'OAuth2ClientApplication', 'AWSManagedClientApplicationReference'], app?.AWSManagedClientApplicationReference, 1, 2048);
    }
    map([...authPath, 'CustomAuthenticationCredentials'], auth!.CustomAuthenticationCredentials, 128, 2048);
  }
  return { errors, warnings };
}
