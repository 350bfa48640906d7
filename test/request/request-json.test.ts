/**
 * `GlueConnectionTest.fromRequestJson` on what users paste: the CLI's own
 * `aws glue test-connection --generate-cli-skeleton` output (test/request/fixtures/test-connection-skeleton.json,
 * printed by aws-cli/1.45.11 botocore/1.43.11), filled in or not. Skeleton blanks are absent,
 * every problem is reported at once with its member's path, and every request member of the
 * reference (/work/shared/seed/aws-glue-test-connection.txt) reaches the template.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GlueConnectionTest } from '../../lib';
import { newStack, testProperties } from '../helpers';
import { expectMessage } from '../messages';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';
const SKELETON: Record<string, unknown> = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'test-connection-skeleton.json'), 'utf8'));
const ref = (key: string) => `{{resolve:secretsmanager:${ARN}:SecretString:${key}}}`;

/** The skeleton with some members filled in (paths with dots; a value of undefined deletes). */
function filled(values: Record<string, unknown>): string {
  const request = structuredClone(SKELETON);
  for (const [at, value] of Object.entries(values)) {
    const keys = at.split('.');
    let node = request as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    if (value === undefined) delete node[keys[keys.length - 1]];
    else node[keys[keys.length - 1]] = value;
  }
  return JSON.stringify(request, null, 4);
}

function errorOf(json: string): string {
  try {
    GlueConnectionTest.fromRequestJson(newStack(), 'Test', json);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected fromRequestJson to throw');
}

const JDBC = {
  'TestConnectionInput.ConnectionType': 'JDBC',
  'TestConnectionInput.ConnectionProperties': {
    JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app', PASSWORD: ref('password'),
  },
};

describe('the skeleton as the CLI prints it', () => {
  test('the fixture is the CLI\'s own skeleton: blanks, "KeyName" placeholders and enumeration values', () => {
    expect(SKELETON.ConnectionName).toBe('');
    expect((SKELETON.TestConnectionInput as Record<string, unknown>).ConnectionProperties).toEqual({ KeyName: '' });
  });

  test('left as printed, it says what is missing, not that blanks were given', () => {
    expectMessage(errorOf(JSON.stringify(SKELETON)), 'requestJson:', 'ConnectionName', 'TestConnectionInput');
  });

  test('with only ConnectionName filled in, it tests that connection', () => {
    const stack = newStack();
    const test = GlueConnectionTest.fromRequestJson(stack, 'Test', filled({ ConnectionName: 'orders-db' }));

    const props = testProperties(Template.fromStack(stack));
    expect(props.ConnectionName).toBe('orders-db');
    expect(props).not.toHaveProperty('CatalogId');
    expect(props).not.toHaveProperty('TestConnectionInput');
    // The random enumeration values of the skeleton are named in one warning, not dropped without a word.
    const warnings = Annotations.fromStack(stack).findWarning(`/${test.node.path}`, Match.stringLikeRegexp('--generate-cli-skeleton fills in at random'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('requestJson.TestConnectionInput: holds nothing but ConnectionType');
  });

  test('with a JDBC definition filled in, the blank members around it are absent', () => {
    const stack = newStack();
    GlueConnectionTest.fromRequestJson(stack, 'Test', filled({ ...JDBC, CatalogId: '111122223333' }));

    const props = testProperties(Template.fromStack(stack));
    expect(props.CatalogId).toBe('111122223333');
    expect(props.TestConnectionInput).toEqual({
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app' },
    });
    expect(props.SecretReferences).toEqual([{ Target: '/ConnectionProperties/PASSWORD', SecretId: ARN, JsonField: 'password' }]);
  });
});

describe('problems, all at once, each with its path', () => {
  test('a number where the API wants a string is named, not a TypeError', () => {
    expectMessage(errorOf(filled({
      ...JDBC,
      'TestConnectionInput.ConnectionProperties': { HOST: 'orders.internal', PORT: 5432, JDBC_ENGINE: 'postgres', SECRET_ID: 'orders-db' },
    })), 'requestJson.TestConnectionInput.ConnectionProperties.PORT:', 'string', '(got number)');
  });

  test('a misspelled member is refused with the nearest correct name', () => {
    const json = filled({ ...JDBC, 'TestConnectionInput.AuthenticationConfiguration': undefined })
      .replace('"TestConnectionInput": {', '"TestConnectionInput": { "AuthenticationConfiguraton": { "AuthenticationType": "BASIC" },');

    expectMessage(errorOf(json), 'requestJson.TestConnectionInput.AuthenticationConfiguraton:', 'AuthenticationConfiguration?',
      'ConnectionType, ConnectionProperties, AuthenticationConfiguration');
  });

  test('a misspelled top-level member is refused with the nearest correct name', () => {
    expect(errorOf('{"ConectionName": "orders-db"}')).toContain('requestJson.ConectionName: is not a member of the TestConnection '
      + 'request; did you mean ConnectionName? (allowed: ConnectionName, CatalogId, TestConnectionInput)');
  });

  test('every problem comes in one error', () => {
    const message = errorOf(JSON.stringify({
      ConnectionName: 'orders-db',
      CatalogId: 1234,
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { HOST: 'h', PORT: 5432, PASSWORD: 'hunter2' },
        AuthenticationConfiguration: { AuthenticationType: 'basic', BasicAuthenticationCredentials: { Username: ['app'] } },
      },
    }));

    expect(message.split('\n')).toEqual([
      'requestJson has 7 problems:',
      '  - requestJson: takes ConnectionName or TestConnectionInput, not both (TestConnection rejects a request with both)',
      '  - requestJson.CatalogId: must be a string (got number)',
      '  - requestJson.TestConnectionInput.ConnectionProperties.PORT: must be a string (got number)',
      '  - requestJson.TestConnectionInput.AuthenticationConfiguration.AuthenticationType: must be one of BASIC, CUSTOM, IAM, OAUTH2 (got "basic")',
      '  - requestJson.TestConnectionInput.AuthenticationConfiguration.BasicAuthenticationCredentials.Username: must be a string (got a list)',
      '  - requestJson.TestConnectionInput.ConnectionProperties: needs JDBC_CONNECTION_URL, or all of HOST, PORT and JDBC_ENGINE, for a '
        + 'JDBC connection (missing JDBC_ENGINE)',
      '  - requestJson.TestConnectionInput.ConnectionProperties.PASSWORD: holds a plain value; in request JSON a secret must be a reference, '
        + '{{resolve:secretsmanager:secret-arn:SecretString:json-key}}, or pass SecretValue.secretsManager(secretArn, { jsonField }) or '
        + 'secret.secretValueFromJson(key)',
    ]);
    expect(message).not.toContain('hunter2');
  });

  test('a request that is not an object, or not JSON, is refused as such', () => {
    expectMessage(errorOf('[]'), 'requestJson:', 'JSON object', 'ConnectionName, CatalogId');
    expect(errorOf('{"ConnectionName":')).toMatch(/^requestJson: is not valid JSON/);
  });
});

describe('every request member of the reference reaches the template', () => {
  /** The skeleton with every leaf filled in: secrets as references, others as a value named after their path. */
  function everyMember(node: unknown, at: string[]): unknown {
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k === 'KeyName' ? 'SomeKey' : k, everyMember(v, [...at, k === 'KeyName' ? 'SomeKey' : k])]));
    }
    const leaf = at[at.length - 1];
    const values: Record<string, string> = {
      ConnectionType: 'SALESFORCE',
      AuthenticationType: 'OAUTH2',
      OAuth2GrantType: 'AUTHORIZATION_CODE',
      TokenUrl: 'https://login.example.com/token',
      RedirectUri: 'https://app.example.com/cb',
      SecretArn: ARN,
      KmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    };
    const secrets = ['Password', 'AuthorizationCode', 'UserManagedClientApplicationClientSecret', 'AccessToken', 'RefreshToken', 'JwtToken'];
    if (secrets.includes(leaf) || at.includes('CustomAuthenticationCredentials')) return ref(at.join('-'));
    return values[leaf] ?? `value-of-${at.join('-')}`;
  }

  test('every leaf: as a value in TestConnectionInput, or as a secret reference', () => {
    const request = everyMember(SKELETON, []) as Record<string, unknown>;
    delete request.ConnectionName; // TestConnection takes a name or a definition, not both
    const stack = newStack();
    GlueConnectionTest.fromRequestJson(stack, 'Test', JSON.stringify(request));

    const props = testProperties(Template.fromStack(stack));
    const leaves = (node: unknown, at: string[]): string[] => (typeof node === 'object' && node !== null
      ? Object.entries(node).flatMap(([k, v]) => leaves(v, [...at, k])) : [at.join('/')]);
    const given = leaves(request.TestConnectionInput, []);
    const reached = [
      ...leaves(props.TestConnectionInput, []),
      ...(props.SecretReferences as { Target: string }[]).map((r) => r.Target.slice(1)),
    ];
    expect(reached.sort()).toEqual(given.sort());
    expect(props.CatalogId).toBe('value-of-CatalogId');
  });
});
