import { App, CfnParameter, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FailureMode, GlueConnectionTest, GlueConnectionTestProps, TestConnectionType } from '../../lib';
import { handlerStatements, newStack, testProperties } from '../helpers';
import { expectMessage } from '../messages';

const PASSWORD = SecretValue.secretsManager('arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf', { jsonField: 'password' });

function synthTest(props: GlueConnectionTestProps, stack: Stack = newStack()) {
  const test = new GlueConnectionTest(stack, 'Test', props);
  return { stack, test, template: Template.fromStack(stack) };
}

function errorOf(props: GlueConnectionTestProps): string {
  try {
    new GlueConnectionTest(newStack(), 'Test', props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

function cfnConnection(stack: Stack, connectionProperties: Record<string, string> = {
  JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db',
}): glue.CfnConnection {
  return new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties },
  });
}

describe('the custom resource', () => {
  test('tests an existing connection by name, failing the deployment by default', () => {
    const { template } = synthTest({ connectionName: 'orders-db' });
    template.hasResourceProperties('Custom::GlueConnectionTest', {
      ConnectionName: 'orders-db',
      FailureMode: 'FAIL_DEPLOYMENT',
      TimeoutSeconds: '300',
      WaitForReady: 'false',
      ServiceTimeout: '390',
    });
    expect(testProperties(template)).not.toHaveProperty('CatalogId');
    expect(testProperties(template)).not.toHaveProperty('RetestNonce');
  });

  test('passes catalogId through as CatalogId', () => {
    const { template } = synthTest({ connectionName: 'orders-db', catalogId: '444455556666' });
    template.hasResourceProperties('Custom::GlueConnectionTest', { CatalogId: '444455556666' });
  });

  test('sets ServiceTimeout 90 seconds above the test timeout', () => {
    const { template } = synthTest({ connectionName: 'orders-db', timeout: Duration.minutes(10) });
    template.hasResourceProperties('Custom::GlueConnectionTest', { TimeoutSeconds: '600', ServiceTimeout: '690' });
  });

  test('takes REPORT_ONLY and exposes the result as attributes', () => {
    const { test, stack, template } = synthTest({ connectionName: 'orders-db', failureMode: FailureMode.REPORT_ONLY });
    template.hasResourceProperties('Custom::GlueConnectionTest', { FailureMode: 'REPORT_ONLY' });
    const logicalId = stack.getLogicalId(test.resource.node.defaultChild as never);
    expect(stack.resolve(test.result)).toEqual({ 'Fn::GetAtt': [logicalId, 'Result'] });
    expect(stack.resolve(test.reason)).toEqual({ 'Fn::GetAtt': [logicalId, 'Reason'] });
    expect(stack.resolve(test.testedAt)).toEqual({ 'Fn::GetAtt': [logicalId, 'TestedAt'] });
    expect(stack.resolve(test.durationMs)).toEqual({ 'Fn::GetAtt': [logicalId, 'DurationMs'] });
  });

  test('re-tests on every deploy only when asked, with a value that changes per synth', () => {
    const once = testProperties(synthTest({ connectionName: 'orders-db', retestOnEveryDeploy: true }).template);
    expect(once.RetestNonce).toMatch(/^\d{4}-\d\d-\d\dT/);
    const plain = testProperties(synthTest({ connectionName: 'orders-db' }).template);
    expect(plain).not.toHaveProperty('RetestNonce');
  });

  test('renders a TestConnectionInput without its secrets, and references them instead', () => {
    const { template } = synthTest({
      testConnectionInput: {
        connectionType: TestConnectionType.JDBC,
        connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'orders_app' },
        secretConnectionProperties: { PASSWORD },
      },
    });
    template.hasResourceProperties('Custom::GlueConnectionTest', {
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'orders_app' },
      },
      SecretReferences: [{
        Target: '/ConnectionProperties/PASSWORD',
        SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf',
        JsonField: 'password',
      }],
    });
    expect(testProperties(template)).not.toHaveProperty('ConnectionName');
  });

  test('gates other constructs on the test', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const job = new glue.CfnJob(stack, 'Job', { role: 'arn:aws:iam::111122223333:role/etl', command: { name: 'glueetl' } });
    test.gate(job);
    const template = Template.fromStack(stack);
    const testId = stack.getLogicalId(test.resource.node.defaultChild as never);
    template.hasResource('AWS::Glue::Job', { DependsOn: Match.arrayWith([testId]) });
  });
});

describe('a connection defined in the same app', () => {
  test('fills in the name and catalog from the CfnConnection and waits for READY', () => {
    const stack = newStack();
    const conn = cfnConnection(stack);
    const { template } = synthTest({ connection: conn }, stack);
    template.hasResourceProperties('Custom::GlueConnectionTest', {
      ConnectionName: { Ref: stack.getLogicalId(conn) },
      CatalogId: '111122223333',
      WaitForReady: 'true',
      ConnectionFingerprint: Match.stringLikeRegexp('^[0-9a-f]{32}$'),
    });
  });

  test('takes an L2 Connection through its default child', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } } });
    const conn = new glue.Connection(stack, 'Conn', {
      type: glue.ConnectionType.JDBC,
      connectionName: 'orders-db',
      properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db' },
      network: glue.ConnectionNetwork.vpc(vpc),
    });
    const { template } = synthTest({ connection: conn }, stack);
    template.hasResourceProperties('Custom::GlueConnectionTest', {
      ConnectionName: { Ref: stack.getLogicalId(conn.node.defaultChild as glue.CfnConnection) },
    });
  });

  test('refuses a connection prop that is not a Glue connection', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    expect(() => new GlueConnectionTest(stack, 'Test', { connection: role })).toThrow(
      'GlueConnectionTest TestStack/Test: connection: must be a glue.CfnConnection, or a construct whose default child is one such as glue.Connection (got TestStack/Role)');
  });

  test('keeps the fingerprint when the connection is unchanged and changes it when the connection changes', () => {
    const fingerprintOf = (url: string) => {
      const stack = newStack();
      const { template } = synthTest({ connection: cfnConnection(stack, { JDBC_CONNECTION_URL: url, SECRET_ID: 's' }) }, stack);
      return testProperties(template).ConnectionFingerprint;
    };
    expect(fingerprintOf('jdbc:postgresql://db:5432/orders')).toEqual(fingerprintOf('jdbc:postgresql://db:5432/orders'));
    expect(fingerprintOf('jdbc:postgresql://db:5432/orders')).not.toEqual(fingerprintOf('jdbc:postgresql://db:6432/orders'));
  });

  test('sees an override added to the connection after the test was defined', () => {
    const stack = newStack();
    const conn = cfnConnection(stack);
    const { template: before } = synthTest({ connection: conn }, stack);
    const stack2 = newStack();
    const conn2 = cfnConnection(stack2);
    new GlueConnectionTest(stack2, 'Test', { connection: conn2 });
    conn2.addPropertyOverride('ConnectionInput.Description', 'changed');
    expect(testProperties(Template.fromStack(stack2)).ConnectionFingerprint).not.toEqual(testProperties(before).ConnectionFingerprint);
  });

  test('warns when the connection keeps a plain-text PASSWORD', () => {
    const stack = newStack();
    const conn = cfnConnection(stack, { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'u', PASSWORD: 'hunter2' });
    new GlueConnectionTest(stack, 'Test', { connection: conn });
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      'connection TestStack/Conn keeps PASSWORD as plain text in its ConnectionProperties.*set ConnectionProperties.SECRET_ID'));
  });

  test('does not warn when the connection uses SECRET_ID', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connection: cfnConnection(stack) });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('plain text'))).toHaveLength(0);
  });
});

describe('synth-time validation', () => {
  test('golden: refuses neither a name, a connection nor an input', () => {
    expect(errorOf({})).toBe('GlueConnectionTest TestStack/Test: give one of connectionName (an existing connection), connection (a CfnConnection or Connection in this app) or testConnectionInput (a definition to test)');
  });

  test('refuses both a name and an input, naming both props', () => {
    expectMessage(errorOf({
      connectionName: 'orders-db',
      testConnectionInput: { connectionType: TestConnectionType.SALESFORCE, authenticationConfiguration: {} },
    }), 'GlueConnectionTest TestStack/Test: ', 'connectionName and testConnectionInput');
  });

  test.each([
    [Duration.seconds(29), '29 seconds'],
    [Duration.minutes(11), '11 minutes'],
  ])('refuses a timeout of %s', (timeout, shown) => {
    expectMessage(errorOf({ connectionName: 'orders-db', timeout }), 'GlueConnectionTest TestStack/Test: timeout:', '30 seconds', '10 minutes', shown);
  });

  test('refuses a timeout that is a token, since ServiceTimeout is computed from it', () => {
    const stack = newStack();
    const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    expect(() => new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db', timeout: Duration.seconds(seconds) }))
      .toThrow(/^GlueConnectionTest TestStack\/Test: timeout: .*token/);
  });

  test('refuses a connection name over 255 characters', () => {
    expectMessage(errorOf({ connectionName: 'x'.repeat(256) }), 'GlueConnectionTest TestStack/Test: connectionName:', '255', '256');
  });

  test('refuses a JDBC input without an address or credentials, listing every error in one message', () => {
    const message = errorOf({
      testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: { HOST: 'db' } },
    });
    const problems = message.split('\n  - ').slice(1);
    expect(message).toMatch(/^GlueConnectionTest TestStack\/Test: \n/);
    expect(problems).toHaveLength(2);
    expectMessage(problems[0], 'testConnectionInput.connectionProperties:', 'JDBC_CONNECTION_URL', 'missing PORT, JDBC_ENGINE');
    expectMessage(problems[1], 'testConnectionInput.connectionProperties:', 'USERNAME', 'PASSWORD', 'SECRET_ID');
  });

  test('accepts a JDBC input whose password is a secret reference', () => {
    expect(() => synthTest({
      testConnectionInput: {
        connectionType: TestConnectionType.JDBC,
        connectionProperties: { HOST: 'db', PORT: '5432', JDBC_ENGINE: 'postgres', USERNAME: 'app' },
        secretConnectionProperties: { PASSWORD },
      },
    })).not.toThrow();
  });

  test('refuses a SALESFORCE input without an authentication configuration', () => {
    expectMessage(errorOf({ testConnectionInput: { connectionType: TestConnectionType.SALESFORCE } }),
      'GlueConnectionTest TestStack/Test: testConnectionInput.authenticationConfiguration:', 'SALESFORCE');
  });

  test('refuses long values and more than 100 properties', () => {
    const many: Record<string, string> = { SECRET_ID: 's', JDBC_CONNECTION_URL: 'jdbc:postgresql://db/x' };
    for (let i = 0; i < 99; i++) many[`CUSTOM_${i}`] = 'v';
    const message = errorOf({ testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: many } });
    expectMessage(message, 'testConnectionInput.connectionProperties:', '100', '101');
    expect(message).not.toContain('CUSTOM_0');
    expectMessage(errorOf({
      testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: { SECRET_ID: 's', JDBC_CONNECTION_URL: 'j'.repeat(1025) } },
    }), 'GlueConnectionTest TestStack/Test: testConnectionInput.connectionProperties.JDBC_CONNECTION_URL:', '1024', '1025');
  });

  test('checks the OAuth2 members against the API', () => {
    const message = errorOf({
      testConnectionInput: {
        connectionType: TestConnectionType.SALESFORCE,
        authenticationConfiguration: {
          secretArn: 'not-an-arn',
          oAuth2Properties: { tokenUrl: 'ftp://login', tokenUrlParametersMap: { k: 'v'.repeat(513) } },
        },
      },
    });
    expectMessage(message, 'testConnectionInput.authenticationConfiguration.secretArn:', 'Secrets Manager');
    expectMessage(message, 'testConnectionInput.authenticationConfiguration.oAuth2Properties.tokenUrl:', 'http');
    expectMessage(message, 'testConnectionInput.authenticationConfiguration.oAuth2Properties.tokenUrlParametersMap.k:', '512', '513');
  });

  test('warns, without failing, on a connection type TestConnection is not documented for', () => {
    const { stack } = synthTest({
      testConnectionInput: { connectionType: TestConnectionType.of('KAFKA'), connectionProperties: { KAFKA_BOOTSTRAP_SERVERS: 'b:9092' } },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      'testConnectionInput.connectionType: is "KAFKA"; TestConnection is documented for JDBC and SALESFORCE only'));
  });

  test('skips values that are tokens at synth time', () => {
    const stack = newStack();
    const name = new glue.CfnConnection(stack, 'Conn', { catalogId: stack.account, connectionInput: { connectionType: 'JDBC' } }).ref;
    expect(() => new GlueConnectionTest(stack, 'Test', { connectionName: name, catalogId: stack.account })).not.toThrow();
  });
});

describe('the provider', () => {
  const functionsIn = (tests: number) => {
    const stack = newStack();
    for (let i = 0; i < tests; i++) new GlueConnectionTest(stack, `Test${i}`, { connectionName: `conn-${i}` });
    return Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function')).length;
  };

  test('has as many Lambda functions for 50 tests as for 1', () => {
    expect(functionsIn(1)).toBe(2);
    expect(functionsIn(50)).toBe(2);
  });

  test('keeps the policies of 300 tests within IAM limits: statements of at most 40 ARNs, at most 10 managed policies of at most 6,144 characters', () => {
    const stack = newStack();
    for (let i = 0; i < 300; i++) new GlueConnectionTest(stack, `Test${i}`, { connectionName: `orders-database-connection-${i}` });
    const template = Template.fromStack(stack);
    const managed = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(managed.length).toBeLessThanOrEqual(10);
    // The template's form (with Fn::Join) is longer than the policy IAM stores: a safe upper bound.
    for (const policy of managed) expect(JSON.stringify(policy.Properties.PolicyDocument).length).toBeLessThanOrEqual(6144);
    const statements = [...Object.values(template.findResources('AWS::IAM::Policy')), ...managed]
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .filter((st) => JSON.stringify(st.Action).includes('glue:TestConnection'));
    expect(statements.every((st) => [st.Resource].flat().length <= 40)).toBe(true);
    expect(statements.flatMap((st) => [st.Resource].flat())).toHaveLength(301);
  });

  test('runs the bundled handler on the newest Node.js runtime the installed aws-cdk-lib knows, never older than nodejs22.x, with a timeout above the longest test', () => {
    const { stack, template } = synthTest({ connectionName: 'orders-db' });
    const newest: unknown = stack.resolve(lambda.determineLatestNodeRuntime(stack).name);
    const newestMajor = typeof newest === 'string' ? Number(/^nodejs(\d+)\.x$/.exec(newest)?.[1]) : NaN;
    // Older releases of the peer range know nodejs20.x as the newest (end of life in April 2026).
    const expected = newestMajor >= 22 ? newest : 'nodejs22.x';
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: expected,
      Timeout: 660,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
  });

  test('a region-agnostic stack gets a literal runtime of nodejs22.x or newer, never a per-region mapping that may hold an older one', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }));
    expect(functions).toHaveLength(1);
    const runtime: unknown = functions[0].Properties.Runtime;
    expect(typeof runtime).toBe('string');
    expect(Number(/^nodejs(\d+)\.x$/.exec(runtime as string)?.[1])).toBeGreaterThanOrEqual(22);
  });

  test('grants exactly the logs, the stack status and Glue on the tested connection and its catalog', () => {
    const { template } = synthTest({ connectionName: 'orders-db' });
    expect(handlerStatements(template)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GlueConnectionTestProviderHandlerLogs/), 'Arn'] } },
      { Action: 'cloudformation:DescribeStacks', Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
      {
        Action: ['glue:TestConnection', 'glue:GetConnection'],
        Effect: 'Allow',
        Resource: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:111122223333:catalog']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:111122223333:connection/orders-db']] },
        ],
      },
    ]);
  });

  test('grants a TestConnectionInput test its connection type (connectionType:JDBC), not the catalog\'s connections, and no GetConnection or EC2', () => {
    const { template } = synthTest({
      catalogId: '444455556666',
      testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', USERNAME: 'u' }, secretConnectionProperties: { PASSWORD } },
    });
    expect(handlerStatements(template)).toContainEqual({
      Action: 'glue:TestConnection',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-1:444455556666:connectionType:JDBC']] },
    });
    const granted = JSON.stringify(template.toJSON().Resources);
    expect(granted).not.toContain('glue:GetConnection');
    expect(granted).not.toContain('connection/*');
    expect(granted).not.toContain('ec2:Describe');
    expect(granted).not.toContain('iam:PassRole');
  });

  test('grants nothing with a wildcard action', () => {
    const { template } = synthTest({ connectionName: 'orders-db' });
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});

test('a connection name with IAM wildcards is granted as written, with a warning that the grant covers what the pattern matches', () => {
  const stack = newStack();
  new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-*' });
  Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp('connectionName "orders-\\*" holds \\* or \\?, which IAM reads as wildcards'));
  const plain = newStack();
  new GlueConnectionTest(plain, 'Test', { connectionName: 'orders-db' });
  expect(Annotations.fromStack(plain).findWarning('*', Match.stringLikeRegexp('wildcards'))).toHaveLength(0);
});
