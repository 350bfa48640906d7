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
  /** A {@link NetworkInspection} value; ON_FAILURE when absent. */
  readonly NetworkInspection?: string;
  /** "true" or "false": wait until GetConnection reports Status READY before testing. */
  readonly WaitForReady?: string;
  /** A digest of the tested connection's definition: a changed one re-runs the test. */
  readonly ConnectionFingerprint?: string;
  /** Present when the test re-runs on every deployment: a value that differs each time. */
  readonly RetestNonce?: string;
  /**
   * The deploy-time identity of the tested connection's in-app network path (Refs and GetAtts,
   * which CloudFormation resolves to ids): a replaced subnet, group, route table or endpoint
   * changes it and so re-runs the test. Never a secret value.
   */
  readonly NetworkPath?: NetworkPathIdentity;
  /** A digest of the definitions of the path's in-app resources: a changed one re-runs the test. */
  readonly NetworkPathDigest?: string;
}

/** The ids of a connection's network path, as CloudFormation delivers them to the handler. */
export interface NetworkPathIdentity {
  readonly VpcId?: string;
  readonly SubnetId?: string;
  readonly RouteTableId?: string;
  readonly NetworkAclId?: string;
  readonly SecurityGroupIds?: string[];
  readonly VpcEndpointIds?: string[];
  /** NAT gateways, internet gateways and the other targets of the route table's routes. */
  readonly RouteTargetIds?: string[];
  readonly DataStoreSecurityGroupIds?: string[];
  /** The secrets Glue reads (ARNs, never values). */
  readonly SecretArns?: string[];
}

/** The members of {@link NetworkPathIdentity}: a single id, or a list of ids. */
export const NETWORK_PATH_IDENTITY_MEMBERS: Readonly<Record<keyof NetworkPathIdentity, 'id' | 'list'>> = {
  VpcId: 'id',
  SubnetId: 'id',
  RouteTableId: 'id',
  NetworkAclId: 'id',
  SecurityGroupIds: 'list',
  VpcEndpointIds: 'list',
  RouteTargetIds: 'list',
  DataStoreSecurityGroupIds: 'list',
  SecretArns: 'list',
};

/**
 * Whether, and when, the handler inspects a failed connection's network path with EC2's
 * Describe APIs, to name the route table, security group, network ACL or VPC setting to change.
 */
export enum NetworkInspection {
  /**
   * When the test of a connection with a VPC fails with a network-shaped error (network, DNS,
   * timeout): the findings join the reason. The outcome of the test never changes.
   */
  ON_FAILURE = 'ON_FAILURE',
  /**
   * Also before the test, as a fast preflight: a path that breaks one of the rules Glue itself
   * enforces with a documented error (an S3 route, the self-referencing inbound rule, open
   * egress) fails at once, without waiting for TestConnection; other findings join the reason
   * only if the test then fails.
   */
  BEFORE_TEST = 'BEFORE_TEST',
  /** Never: the handler is granted no EC2 Describe action for it. */
  DISABLED = 'DISABLED',
}

/**
 * The EC2 actions Glue's TestConnection is documented to use with the caller's permissions to
 * validate a connection's VPC (AWS Glue Developer Guide, "Troubleshooting Glue common setup
 * errors": "DescribeVpcEndpoints action is unauthorized", "DescribeRouteTables action is
 * unauthorized", "Failed to call ec2:DescribeSubnets", "Failed to call
 * ec2:DescribeSecurityGroups"). Describe actions support no resource-level permissions.
 */
export const TEST_CONNECTION_VPC_ACTIONS: readonly string[] = [
  'ec2:DescribeVpcEndpoints', 'ec2:DescribeRouteTables', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** The EC2 actions the handler's network inspection calls (lambda/inspect-network.ts). */
export const NETWORK_INSPECTION_ACTIONS: readonly string[] = [
  ...TEST_CONNECTION_VPC_ACTIONS, 'ec2:DescribeNatGateways', 'ec2:DescribeNetworkAcls', 'ec2:DescribeVpcAttribute',
];

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
  /** The prop takes an enum-like class (`ConnectionType.JDBC`) whose `name` is the value. */
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
 * construct's public interfaces (`test/input-shape.test.ts`).
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

/** A value's kind, for a message; never the value itself, which may be a secret. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** A plain JSON-like object (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The candidate nearest to `word` (optimal string alignment distance, ignoring case), when it is
 * near enough to be a likely typo: at most 1 edit for short words, 2 for longer ones.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(2, Math.floor(word.length / 5)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(word.toUpperCase(), candidate.toUpperCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Math.abs(a.length - b.length);
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** ` (did you mean X?)`, or nothing when no candidate is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = nearest(word, candidates);
  return match === undefined || match === word ? '' : `; did you mean ${match}?`;
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
