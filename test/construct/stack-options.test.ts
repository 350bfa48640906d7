/**
 * The API around the stack's shared handler: `grantPrincipal` (IGrantable), the stack-wide
 * options of `GlueConnectionTest.configureStack()` and what stays internal.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as api from '../../lib';
import { GlueConnectionTest, GlueConnectionTestHandlerOptions } from '../../lib';
import { handlerStatements, newStack } from '../helpers';

/** Every Ref and GetAtt of a template names a resource, parameter or pseudo parameter in it. */
function danglingReferences(template: Record<string, unknown>): string[] {
  const known = new Set([...Object.keys((template.Resources ?? {}) as object), ...Object.keys((template.Parameters ?? {}) as object)]);
  const missing: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::') && !known.has(v)) missing.push(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && !known.has(v[0])) missing.push(v[0]);
      else visit(v);
    }
  };
  visit(template.Resources);
  return missing;
}

/** A stack with a VPC, a key and a log group to configure the handler with. */
function stackWithNetwork(): { stack: Stack; vpc: ec2.Vpc; key: kms.Key } {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  return { stack, vpc, key };
}

function functions(template: Template): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources('AWS::Lambda::Function') as Record<string, { Properties: Record<string, unknown> }>;
}

function handlerFunction(template: Template): Record<string, unknown> {
  const [entry] = Object.entries(functions(template)).filter(([id]) => id.startsWith('GlueConnectionTestProviderHandler'));
  return entry[1].Properties;
}

describe('grantPrincipal', () => {
  test('a test is IGrantable: key.grantDecrypt(test) lets the shared handler decrypt', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const key = new kms.Key(stack, 'Key');
    key.grantDecrypt(test);
    expect(handlerStatements(Template.fromStack(stack))).toContainEqual(
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] } });
  });

  test('every test of a stack has the same principal, the handler\'s role', () => {
    const stack = newStack();
    const a = new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    const b = new GlueConnectionTest(stack, 'B', { connectionName: 'b' });
    expect(a.grantPrincipal).toBe(b.grantPrincipal);
    const role = Stack.of(a).resolve((a.grantPrincipal as iam.IRole).roleArn);
    expect(role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GlueConnectionTestProviderHandlerRole/), 'Arn'] });
  });

  test('a statement added through grantPrincipal lands in the handler policy', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    test.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
    expect(handlerStatements(Template.fromStack(stack))).toContainEqual({ Action: 'lakeformation:GetDataAccess', Effect: 'Allow', Resource: '*' });
  });
});

describe('the public surface', () => {
  test('RESOURCE_TYPE is a static of the class (jsii drops module-level constants)', () => {
    expect(GlueConnectionTest.RESOURCE_TYPE).toBe('Custom::GlueConnectionTest');
  });

  test('the provider, its props and module-level constants are not exported', () => {
    const exported = Object.entries(api).filter(([, value]) => value !== undefined);
    expect(exported.map(([name]) => name)).not.toEqual(expect.arrayContaining(['GlueConnectionTestProvider']));
    expect(exported.map(([name]) => name)).not.toContain('RESOURCE_TYPE');
    // What jsii can carry: classes and enums (objects of string values), no module-level constants.
    const notClassOrEnum = exported.filter(([, value]) => typeof value !== 'function'
      && !(typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')));
    expect(notClassOrEnum.map(([name]) => name)).toEqual([]);
    expect(exported.map(([name]) => name)).toEqual(expect.arrayContaining(
      ['AuthenticationType', 'FailureMode', 'GlueConnectionTest', 'GlueConnectionTestAspect', 'NetworkCheck', 'NetworkInspection', 'OAuth2GrantType', 'TestConnectionType', 'TestResult']));
  });

  test('the per-test logRetention is gone: the handler is the stack\'s, not the test\'s', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'A', { connectionName: 'a', logRetention: logs.RetentionDays.ONE_WEEK } as api.GlueConnectionTestProps);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });
});

describe('GlueConnectionTest.configureStack', () => {
  test('keeps logs for a month by default', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });

  test.each([['before', true], ['after', false]])('applies options given %s the tests, with the same template', (_when, before) => {
    const build = (configureFirst: boolean) => {
      const { stack, vpc, key } = stackWithNetwork();
      const configure = () => GlueConnectionTest.configureStack(stack, {
        logRetention: logs.RetentionDays.ONE_WEEK, logEncryptionKey: key, vpc, reservedConcurrentExecutions: 5, tracing: lambda.Tracing.ACTIVE,
      });
      if (configureFirst) configure();
      new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
      new GlueConnectionTest(stack, 'B', { connectionName: 'b' });
      if (!configureFirst) configure();
      return Template.fromStack(stack);
    };
    const template = build(before);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] } }, 2);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(handlerFunction(template)).toMatchObject({ ReservedConcurrentExecutions: 5, TracingConfig: { Mode: 'Active' } });
    expect(danglingReferences(template.toJSON())).toEqual([]);
    expect(template.toJSON()).toEqual(build(!before).toJSON());
  });

  test('refuses a different value from a second caller, naming both construct paths', () => {
    const stack = newStack();
    const platform = new Construct(stack, 'Platform');
    const pipeline = new Construct(stack, 'Pipeline');
    GlueConnectionTest.configureStack(platform, { logRetention: logs.RetentionDays.ONE_WEEK });
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    expect(() => GlueConnectionTest.configureStack(pipeline, { logRetention: logs.RetentionDays.ONE_YEAR })).toThrow(
      'GlueConnectionTest.configureStack(TestStack/Pipeline): logRetention is already set to 7 by TestStack/Platform; TestStack/Pipeline sets it to 365.');
  });

  test('accepts the same value twice, and different options from different callers', () => {
    const { stack, vpc } = stackWithNetwork();
    const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    GlueConnectionTest.configureStack(stack, { vpc, vpcSubnets: subnets });
    GlueConnectionTest.configureStack(new Construct(stack, 'Other'), { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, tracing: lambda.Tracing.ACTIVE });
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    const template = Template.fromStack(stack);
    expect(handlerFunction(template)).toMatchObject({ TracingConfig: { Mode: 'Active' }, VpcConfig: { SubnetIds: expect.any(Array) } });
  });

  test('a stack configured without tests has no handler', () => {
    const stack = newStack();
    GlueConnectionTest.configureStack(stack, { logRetention: logs.RetentionDays.ONE_WEEK });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  test.each<[string, GlueConnectionTestHandlerOptions, string]>([
    ['logGroup with logRetention', { logGroup: {} as logs.ILogGroup, logRetention: logs.RetentionDays.ONE_DAY },
      'logGroup and logRetention cannot be combined: set the retention and the key on the log group you give'],
    ['a retention that is not a RetentionDays', { logRetention: 8 as logs.RetentionDays }, 'logRetention: must be a logs.RetentionDays value (got 8)'],
    ['vpcSubnets without a vpc', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, 'vpcSubnets: needs vpc'],
    ['no reserved concurrency', { reservedConcurrentExecutions: 0 }, 'reservedConcurrentExecutions: must be a whole number of at least 1 (got 0); 0 would stop every test'],
    ['a fraction of a reserved execution', { reservedConcurrentExecutions: 1.5 }, 'reservedConcurrentExecutions: must be a whole number of at least 1 (got 1.5)'],
    ['a tracing mode from JavaScript that is not one', { tracing: 'ON' as lambda.Tracing }, 'tracing: must be one of Active, PassThrough, Disabled (got "ON")'],
  ])('refuses %s, naming the option', (_name, options, message) => {
    expect(() => GlueConnectionTest.configureStack(newStack(), options)).toThrow(message);
  });

  test('a log group of yours takes the place of the library\'s, for both functions and their roles', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    const logGroup = new logs.LogGroup(stack, 'PlatformLogs', { retention: logs.RetentionDays.ONE_YEAR });
    GlueConnectionTest.configureStack(stack, { logGroup });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    const ref = { Ref: expect.stringMatching(/^PlatformLogs/) };
    for (const fn of Object.values(functions(template))) expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: ref });
    const logStatements = [...Object.values(template.findResources('AWS::IAM::Policy')), ...Object.values(template.findResources('AWS::IAM::ManagedPolicy'))]
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
      .filter((s) => JSON.stringify(s.Action).includes('logs:PutLogEvents'));
    expect(logStatements).toHaveLength(2);
    for (const s of logStatements) expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlatformLogs/), 'Arn'] });
    expect(danglingReferences(template.toJSON())).toEqual([]);
  });

  test('an encryption key encrypts both log groups, and its policy lets CloudWatch Logs use it for this account\'s log groups', () => {
    const { stack, key } = stackWithNetwork();
    GlueConnectionTest.configureStack(stack, { logEncryptionKey: key });
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() }, 2);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111122223333:log-group:*']] } } },
        })]),
      },
    });
  });

  test('an imported key is used, with a warning that its policy must let CloudWatch Logs use it', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'SharedKey', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    GlueConnectionTest.configureStack(stack, { logEncryptionKey: key });
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn }, 2);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('logEncryptionKey TestStack/SharedKey is imported'));
    expect(warnings).toHaveLength(1);
  });

  test('a VPC puts both functions in its private subnets, with one security group and the network-interface permissions', () => {
    const { stack, vpc } = stackWithNetwork();
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    GlueConnectionTest.configureStack(stack, { vpc });
    const template = Template.fromStack(stack);
    const subnets = vpc.isolatedSubnets.map((s) => ({ Ref: Stack.of(stack).getLogicalId(s.node.defaultChild as ec2.CfnSubnet) }));
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toEqual([expect.stringMatching(/^GlueConnectionTestProviderSecurityGroup/)]);
    for (const fn of Object.values(functions(template))) {
      expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: subnets, SecurityGroupIds: [{ 'Fn::GetAtt': [Object.keys(groups)[0], 'GroupId'] }] });
    }
    // The handler's own network-interface permissions, in a policy the function waits for.
    const [[policyId, policy]] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('GlueConnectionTestProviderHandlerOptionsPolicy'));
    expect(policy.Properties).toMatchObject({
      Roles: [{ Ref: expect.stringMatching(/^GlueConnectionTestProviderHandlerRole/) }],
      PolicyDocument: { Statement: [expect.objectContaining({
        Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface']), Resource: '*',
      })] },
    });
    const [handlerEntry] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('GlueConnectionTestProviderHandler'));
    expect(handlerEntry[1].DependsOn).toContain(policyId);
    // No AWS managed policy (AWSLambdaVPCAccessExecutionRole) on the library's roles.
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain(':iam::aws:policy/');
  });

  test('security groups of yours replace the library\'s', () => {
    const { stack, vpc } = stackWithNetwork();
    const group = new ec2.SecurityGroup(stack, 'HandlerGroup', { vpc });
    GlueConnectionTest.configureStack(stack, { vpc, securityGroups: [group] });
    new GlueConnectionTest(stack, 'A', { connectionName: 'a' });
    const template = Template.fromStack(stack);
    expect(handlerFunction(template).VpcConfig).toMatchObject({ SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^HandlerGroup/), 'GroupId'] }] });
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });
});
