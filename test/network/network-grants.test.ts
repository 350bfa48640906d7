/**
 * What the handler's role is granted for connections in a VPC and for the roles connections
 * name: EC2's Describe actions (the four Glue's TestConnection validates a VPC with, and the
 * inspection's three more unless it is DISABLED) in one acknowledged managed policy the tests
 * wait for, and iam:PassRole only to Glue and only on a ROLE_ARN a connection names.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GlueConnectionTest, NetworkInspection, TestConnectionType } from '../../lib';
import { NETWORK_INSPECTION_ACTIONS, TEST_CONNECTION_VPC_ACTIONS } from '../../lib/contract/resource';
import { handlerStatements, newStack, testProperties } from '../helpers';

const PASSWORD = SecretValue.secretsManager('arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf', { jsonField: 'password' });

function networkReadPolicies(template: Template): [string, { Properties: { PolicyDocument: { Statement: { Action: string[]; Resource: string }[] } }; Metadata?: unknown }][] {
  return Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.includes('NetworkReadPolicy')) as never;
}

function grantedEc2Actions(template: Template): string[] {
  return networkReadPolicies(template).flatMap(([, p]) => p.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat())).sort();
}

function vpcConnection(stack: Stack, extra: Record<string, string> = {}): glue.CfnConnection {
  return new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: {
      name: 'orders-db', connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db', ...extra },
      physicalConnectionRequirements: { subnetId: 'subnet-0abc', securityGroupIdList: ['sg-0abc'], availabilityZone: 'eu-west-1a' },
    },
  });
}

describe('EC2 Describe actions', () => {
  test('a connection by name gets the inspection\'s actions on "*", in one managed policy of the handler\'s role that the handler waits for', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const template = Template.fromStack(stack);

    const [[policyId, policy]] = networkReadPolicies(template);
    expect(policy.Properties).toMatchObject({
      PolicyDocument: { Statement: [{ Action: [...NETWORK_INSPECTION_ACTIONS], Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: expect.stringMatching(/^GlueConnectionTestProviderHandlerRole/) }],
    });
    const [handler] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('GlueConnectionTestProviderHandler'));
    expect(handler[1].DependsOn).toContain(policyId);
  });

  test('the "*" is acknowledged for cdk-nag with its reason, and cdk-nag\'s AwsSolutions checks pass', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'network-grants-nag-')) });
    const stack = new Stack(app, 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).not.toThrow();
    const metadata = JSON.parse(fs.readFileSync(path.join(app.outdir, 'TestStack.metadata.json'), 'utf8')) as
      Record<string, { type: string; data: Record<string, string> }[]>;
    const [, entries] = Object.entries(metadata).find(([where]) => where.includes('NetworkReadPolicy')) ?? [];
    const acknowledged = (entries ?? []).filter((e) => e.type === 'aws:cdk:acknowledged-rules').flatMap((e) => Object.entries(e.data));
    expect(acknowledged).toEqual([['Annotation::AwsSolutions-IAM5[Resource::*]', expect.stringContaining('support no resource-level permissions')]]);
  });

  test('NetworkInspection.DISABLED keeps only the four Glue\'s TestConnection is documented to need, and tells the handler', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db', networkInspection: NetworkInspection.DISABLED });
    const template = Template.fromStack(stack);

    expect(grantedEc2Actions(template)).toEqual([...TEST_CONNECTION_VPC_ACTIONS].sort());
    expect(testProperties(template)).toMatchObject({ NetworkInspection: 'DISABLED' });
  });

  test('tests of one stack share one policy with the union of what they need', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'A', { connectionName: 'a', networkInspection: NetworkInspection.DISABLED });
    new GlueConnectionTest(stack, 'B', { connectionName: 'b', networkInspection: NetworkInspection.BEFORE_TEST });
    const template = Template.fromStack(stack);

    expect(networkReadPolicies(template)).toHaveLength(1);
    expect(grantedEc2Actions(template)).toEqual([...NETWORK_INSPECTION_ACTIONS].sort());
    expect(testProperties(template, 1)).toMatchObject({ NetworkInspection: 'BEFORE_TEST' });
  });

  test('the default leaves the property out, so templates made before the option stay the same', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    expect(testProperties(Template.fromStack(stack))).not.toHaveProperty('NetworkInspection');
  });

  test('a connection of this app in a VPC gets them; one without PhysicalConnectionRequirements does not', () => {
    const inVpc = newStack();
    new GlueConnectionTest(inVpc, 'Test', { connection: vpcConnection(inVpc) });
    expect(grantedEc2Actions(Template.fromStack(inVpc))).toEqual([...NETWORK_INSPECTION_ACTIONS].sort());

    const outside = newStack();
    const connection = new glue.CfnConnection(outside, 'Conn', {
      catalogId: outside.account,
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db' } },
    });
    new GlueConnectionTest(outside, 'Test', { connection });
    expect(grantedEc2Actions(Template.fromStack(outside))).toEqual([]);
  });

  test('a TestConnectionInput test, which has no VPC, gets none', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', {
      testConnectionInput: { connectionType: TestConnectionType.JDBC, connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', USERNAME: 'u' }, secretConnectionProperties: { PASSWORD } },
    });
    expect(grantedEc2Actions(Template.fromStack(stack))).toEqual([]);
  });
});

describe('iam:PassRole', () => {
  const PASS_ROLE = (resource: unknown) => ({
    Action: 'iam:PassRole', Effect: 'Allow', Resource: resource, Condition: { StringEquals: { 'iam:PassedToService': 'glue.amazonaws.com' } },
  });

  test('on the ROLE_ARN of a TestConnectionInput, only to Glue', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', {
      testConnectionInput: {
        connectionType: TestConnectionType.JDBC,
        connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:x', USERNAME: 'u', ROLE_ARN: 'arn:aws:iam::111122223333:role/glue-connection' },
        secretConnectionProperties: { PASSWORD },
      },
    });
    expect(handlerStatements(Template.fromStack(stack))).toContainEqual(PASS_ROLE('arn:aws:iam::111122223333:role/glue-connection'));
  });

  test('on the ROLE_ARN of a connection of this app, a role of the app included', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'GlueRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    new GlueConnectionTest(stack, 'Test', { connection: vpcConnection(stack, { ROLE_ARN: role.roleArn }) });
    expect(handlerStatements(Template.fromStack(stack))).toContainEqual(PASS_ROLE({ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] }));
  });

  test('nothing when the connection names no role', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connection: vpcConnection(stack) });
    new GlueConnectionTest(stack, 'ByName', { connectionName: 'other' });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('iam:PassRole');
  });
});

test('a networkInspection that is not a NetworkInspection (from JavaScript) is refused at synth, naming the prop and what it allows', () => {
  expect(() => new GlueConnectionTest(newStack(), 'Test', { connectionName: 'orders-db', networkInspection: 'SOMETIMES' as NetworkInspection }))
    .toThrow(/networkInspection: .*NetworkInspection\.ON_FAILURE, NetworkInspection\.BEFORE_TEST, NetworkInspection\.DISABLED .*"SOMETIMES"/);
});
