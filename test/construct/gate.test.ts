/**
 * gate()'s guard rails, and the synth-time checks of the options JavaScript callers can get
 * wrong (enums, booleans, a timeout that is no whole number of seconds).
 */
import { App, CfnOutput, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct, IConstruct } from 'constructs';
import { GlueConnectionTest, GlueConnectionTestProps } from '../../lib';
import { newStack } from '../helpers';
import { expectMessage } from '../messages';

function connectionIn(scope: Construct, subnet?: ec2.ISubnet, group?: ec2.ISecurityGroup): glue.CfnConnection {
  return new glue.CfnConnection(scope, 'Conn', {
    catalogId: '111122223333',
    connectionInput: {
      name: 'orders-db',
      connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', SECRET_ID: 'orders-db' },
      physicalConnectionRequirements: subnet && group
        ? { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [group.securityGroupId] }
        : undefined,
    },
  });
}

function job(scope: Construct, id = 'Job'): glue.CfnJob {
  return new glue.CfnJob(scope, id, { role: 'arn:aws:iam::111122223333:role/etl', command: { name: 'glueetl', scriptLocation: 's3://b/etl.py' } });
}

function synthError(stack: Stack): string {
  try {
    App.of(stack)!.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the synth to fail');
}

function gateWarnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('does nothing'))
    .map((w) => `${w.id}: ${String(w.entry.data)}`);
}

describe('gate() arguments', () => {
  test.each<[string, unknown[], string]>([
    ['a job name', ['my-job'], '(got the string "my-job")'],
    ['undefined', [undefined], '(got undefined)'],
    ['a props object', [{ jobName: 'x' }], '(got an object)'],
  ])('refuses %s from JavaScript with a clear error, not a TypeError', (_name, args, got) => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    let message = '';
    try {
      (test.gate as (...a: unknown[]) => void)(...args);
    } catch (e) {
      message = (e as Error).message;
    }
    expectMessage(message, 'GlueConnectionTest TestStack/Test: gate: argument 1 ', 'construct', got);
  });

  test('names the position of the bad argument, and gates none of them', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const etl = job(stack);
    expect(() => (test.gate as (...a: unknown[]) => void)(etl, null)).toThrow('gate: argument 2 must be a construct');
    expect(Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(etl)].DependsOn).toBeUndefined();
  });
});

describe('gate() of something that cannot wait', () => {
  test.each<[string, (stack: Stack, test: GlueConnectionTest) => IConstruct, string]>([
    ['a CfnOutput', (stack) => new CfnOutput(stack, 'Out', { value: 'x' }), 'TestStack/Out'],
    ['an empty construct', (stack) => new Construct(stack, 'Empty'), 'TestStack/Empty'],
    ['the test itself', (_stack, test) => test, 'TestStack/Test'],
    ['the stack the test is in', (stack) => stack, 'TestStack'],
  ])('warns that gating %s does nothing', (_name, make, path) => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    test.gate(make(stack, test));
    const warnings = gateWarnings(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`gate(${path}) does nothing`);
  });

  test('does not warn for a job, nor for a construct that gets its resources after gate()', () => {
    const stack = newStack();
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const pipeline = new Construct(stack, 'Pipeline');
    test.gate(job(stack), pipeline);
    job(pipeline, 'Later');
    expect(gateWarnings(stack)).toEqual([]);
    const later = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(pipeline.node.findChild('Later') as CfnResource)];
    expect(later.DependsOn).toEqual([stack.getLogicalId(test.resource.node.defaultChild as CfnResource)]);
  });

  test('does not warn for a construct that holds the test and a job', () => {
    const stack = newStack();
    const pipeline = new Construct(stack, 'Pipeline');
    const test = new GlueConnectionTest(pipeline, 'Test', { connectionName: 'orders-db' });
    job(pipeline);
    test.gate(pipeline);
    expect(gateWarnings(stack)).toEqual([]);
  });
});

describe('gate() of something the test waits for', () => {
  test('refuses a construct that holds the tested connection, naming the cycle', () => {
    const stack = newStack();
    const data = new Construct(stack, 'Data');
    const test = new GlueConnectionTest(stack, 'Test', { connection: connectionIn(data) });
    job(data);
    test.gate(data);
    expectMessage(synthError(stack), 'gate(TestStack/Data): TestStack/Data/Conn ', 'TestStack/Test -> TestStack/Data/Conn -> TestStack/Test');
  });

  test('refuses the connection itself', () => {
    const stack = newStack();
    const connection = connectionIn(stack);
    const test = new GlueConnectionTest(stack, 'Test', { connection });
    test.gate(connection);
    expectMessage(synthError(stack), 'gate(TestStack/Conn): TestStack/Conn ', 'tested connection');
  });

  test('refuses a VPC whose subnet the connection uses', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    const test = new GlueConnectionTest(stack, 'Test', { connection: connectionIn(stack, vpc.isolatedSubnets[0], group) });
    test.gate(vpc);
    // The subnet (which the connection refers to) or another part of the path the test waits for.
    expect(synthError(stack)).toMatch(/gate\(TestStack\/Vpc\): TestStack\/Vpc\/\S+ \(a resource the (tested connection refers to|test refers to|test depends on)\) is inside it, so the test and it would wait for each other/);
  });

  test('refuses the VPC of the stack\'s test handler', () => {
    const stack = newStack();
    const network = new Construct(stack, 'Network');
    const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    GlueConnectionTest.configureStack(stack, { vpc });
    const test = new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    test.gate(network);
    expect(synthError(stack)).toMatch(/gate\(TestStack\/Network\): TestStack\/Network\/Vpc\/appSubnet1 \(used by the stack's test handler\) is inside it/);
  });

  test('accepts a job that refers to the connection (the job waits; nothing waits for the job)', () => {
    const stack = newStack();
    const connection = connectionIn(stack);
    const test = new GlueConnectionTest(stack, 'Test', { connection });
    const etl = new glue.CfnJob(stack, 'Job', {
      role: 'arn:aws:iam::111122223333:role/etl', command: { name: 'glueetl', scriptLocation: 's3://b/etl.py' }, connections: { connections: [connection.ref] },
    });
    test.gate(etl);
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('options JavaScript can get wrong', () => {
  /** The message of what `make` throws. */
  function errorOfCall(make: () => unknown): string {
    try {
      make();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the construct to throw');
  }

  function errorOf(props: Record<string, unknown>): string {
    try {
      new GlueConnectionTest(newStack(), 'Test', { connectionName: 'orders-db', ...props } as GlueConnectionTestProps);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected the construct to throw');
  }

  test('refuses a failureMode that is not a FailureMode, listing the allowed values', () => {
    expectMessage(errorOf({ failureMode: 'WARN' }), 'GlueConnectionTest TestStack/Test: failureMode:',
      'FailureMode.FAIL_DEPLOYMENT', 'FailureMode.REPORT_ONLY', '"WARN"');
  });

  test('refuses a timeout that is not a whole number of seconds, naming timeout', () => {
    expectMessage(errorOf({ timeout: Duration.millis(45500) }), 'GlueConnectionTest TestStack/Test: timeout:', 'whole', '45.5 seconds');
  });

  test('refuses a timeout that is a number, not a Duration', () => {
    expectMessage(errorOf({ timeout: 300 }), 'GlueConnectionTest TestStack/Test: timeout:', 'Duration', 'the number 300');
  });

  test('refuses "false" as a string for a boolean option, which would mean true', () => {
    const problems = errorOf({ waitForReady: 'false', retestOnEveryDeploy: 1 }).split('\n  - ');
    expect(problems[0]).toBe('GlueConnectionTest TestStack/Test: ');
    expect(problems).toHaveLength(3);
    expectMessage(problems[1], 'waitForReady:', 'true or false', 'the string "false"');
    expectMessage(problems[2], 'retestOnEveryDeploy:', 'true or false', 'the number 1');
  });

  test('refuses no props at all, naming props and the three choices', () => {
    const message = errorOfCall(() => new (GlueConnectionTest as unknown as new (scope: unknown, id: string) => unknown)(newStack(), 'Test'));

    expect(message).toMatch(/^GlueConnectionTest TestStack\/Test: props: must be an object/);
    expect(message).toMatch(/connectionName.*connection.*testConnectionInput/);
    expect(message).toContain('(got undefined)');
  });

  test('refuses props that are not an object, naming what was given', () => {
    const message = errorOfCall(() => new GlueConnectionTest(newStack(), 'Test', 'orders-db' as unknown as GlueConnectionTestProps));

    expect(message).toMatch(/^GlueConnectionTest TestStack\/Test: props: /);
    expect(message).toContain('"orders-db"');
  });

  test('refuses a connection that is not a construct ({ name }), naming connection and pointing to connectionName', () => {
    const message = errorOfCall(() => new GlueConnectionTest(newStack(), 'Test', { connection: { name: 'x' } } as unknown as GlueConnectionTestProps));

    expect(message).toMatch(/^GlueConnectionTest TestStack\/Test: connection: /);
    expect(message).toContain('glue.CfnConnection');
    expect(message).toContain('(got an object)');
    expect(message).toContain('connectionName');
  });

  test('refuses acknowledgedNetworkChecks given as one string, not reading it letter by letter', () => {
    const message = errorOf({ acknowledgedNetworkChecks: 'S3_ROUTE' });

    expect(message).toMatch(/^GlueConnectionTest TestStack\/Test: acknowledgedNetworkChecks: /);
    expect(message).toContain('NetworkCheck');
    expect(message).toContain('"S3_ROUTE"');
    expect(message).not.toContain('acknowledgedNetworkChecks[');
  });

  test('still accepts whole seconds given in milliseconds', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db', timeout: Duration.millis(45000) });
    Template.fromStack(stack).hasResourceProperties('Custom::GlueConnectionTest', { TimeoutSeconds: '45' });
  });
});
