/**
 * One app, one network (issue 16): the gate finds the connection's network path wherever the
 * app defines it (the connection's stack, a sibling stack reached by a strong reference or by
 * `Fn.importValue` of an export the app creates, a nested stack, in any order of
 * construction), and gives a sibling-stack path what a same-stack path gets: the analysis
 * refuses synth, the digest covers the sibling's definitions, and the deploy order puts the
 * path first.
 *
 * The corpus below is the layout of real apps: a network stack (VPC, subnets, endpoints, the
 * Glue security group), a data stack (the connection and its test) and a jobs stack (the Glue
 * job the test gates), in L1 and L2 form.
 */
import { App, Aspects, CfnOutput, CfnParameter, Fn, NestedStack, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GlueConnectionTest, GlueConnectionTestAspect, NetworkCheck } from '../../lib';
import { testProperties } from '../helpers';

const env = { account: '111122223333', region: 'eu-west-1' };
const URL = 'jdbc:postgresql://db.example.com:5432/orders';

/** The network stack as an L2 app writes it: isolated subnets, an S3 gateway endpoint, the Glue group with its self-referencing rule. */
class NetworkStack extends Stack {
  public readonly vpc: ec2.Vpc;
  public readonly group: ec2.SecurityGroup;
  constructor(scope: Construct, id: string, options: { selfRule?: boolean; s3?: boolean } & StackProps = {}) {
    super(scope, id, { env, ...options });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: options.s3 === false ? {} : { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    this.group = new ec2.SecurityGroup(this, 'GlueGroup', { vpc: this.vpc });
    if (options.selfRule !== false) this.group.addIngressRule(this.group, ec2.Port.allTcp(), 'Glue: self-referencing');
  }
}

/** The data stack: the connection (L1, as most apps write it) on the network stack's subnet and group, and its test. */
function dataStack(app: App, network: NetworkStack, id = 'Data', props: StackProps = { env }) {
  const stack = new Stack(app, id, props);
  const subnet = network.vpc.isolatedSubnets[0];
  const connection = new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: {
      name: 'orders-db', connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
      physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [network.group.securityGroupId] },
    },
  });
  const test = new GlueConnectionTest(stack, 'Test', { connection });
  return { stack, connection, test };
}

function twoStacks(options: { selfRule?: boolean; s3?: boolean } = {}) {
  const app = new App();
  const network = new NetworkStack(app, 'Network', options);
  return { app, network, ...dataStack(app, network) };
}

/** The errors `cdk synth` stops with for a construct, one per line of CDK's validation report. */
function synthErrors(app: App, path: string): string[] {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message.split('\n').filter((l) => l.includes(`[${path}]`)).map((l) => l.trim());
  }
  return [];
}

const testResource = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];

describe('a path in a sibling stack (strong references: the connection uses the network stack\'s subnet and group)', () => {
  test('as the connection\'s own stack would: a complete path synthesizes, the test waits for the network stack, and the digest covers it', () => {
    const { app, stack } = twoStacks();
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    expect(stack.dependencies.map((s) => s.stackName)).toEqual(['Network']);
    expect(testProperties(Template.fromStack(stack)).NetworkPathDigest).toMatch(/^[0-9a-f]{32}$/);
  });

  test('the self-referencing rule removed from the network stack refuses synth, naming the network stack\'s group', () => {
    const { app } = twoStacks({ selfRule: false });
    const errors = synthErrors(app, 'Data/Test');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Network\/GlueGroup/);
    expect(errors[0]).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });

  test('the S3 endpoint removed from the network stack refuses synth (the route table is read in the network stack)', () => {
    const { app } = twoStacks({ s3: false });
    expect(synthErrors(app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.S3_ROUTE}`);
  });

  test('a change to the network stack alone changes the data stack\'s test: a new digest, so it is tested again after the network deploys', () => {
    const digest = (options: { selfRule?: boolean }, change?: (n: NetworkStack) => void) => {
      const { network, stack } = twoStacks(options);
      change?.(network);
      return testProperties(Template.fromStack(stack)).NetworkPathDigest;
    };
    const before = digest({});
    expect(digest({})).toBe(before);
    // A narrower extra rule on the group (the path still passes): only the network stack changed.
    const changed = digest({}, (n) => n.group.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(5432)));
    expect(changed).not.toBe(before);
    // A change off the path (a group no connection uses) leaves it alone.
    expect(digest({}, (n) => new ec2.SecurityGroup(n, 'Unrelated', { vpc: n.vpc }))).toBe(before);
  });

  test('the NetworkPath identity holds no Ref to the network stack (it would make an export per resource, which locks them); the digest does', () => {
    const { stack } = twoStacks();
    const template = Template.fromStack(stack);
    expect(testProperties(template)).not.toHaveProperty('NetworkPath');
    const outputs = JSON.stringify(Template.fromStack(stack.node.scope!.node.findChild('Network') as Stack).toJSON().Outputs ?? {});
    // Only the two values the connection itself imports are exported: the subnet and the group.
    expect(outputs.match(/"Export"/g)).toHaveLength(2);
  });

  test('the network stack built after the data stack (any order of construction) reads the same', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env });
    const network = new NetworkStack(app, 'Network', { selfRule: false });
    const subnet = network.vpc.isolatedSubnets[0];
    const connection = new glue.CfnConnection(data, 'Conn', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
        physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [network.group.securityGroupId] },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    expect(synthErrors(app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });

  test('the L2 glue.Connection in the data stack, its Vpc in the network stack: the same analysis', () => {
    const app = new App();
    const network = new NetworkStack(app, 'Network', { selfRule: false });
    const data = new Stack(app, 'Data', { env });
    const connection = new glue.Connection(data, 'Conn', {
      type: glue.ConnectionType.JDBC, connectionName: 'orders-db', securityGroups: [network.group],
      properties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
      network: glue.ConnectionNetwork.vpc(network.vpc),
    });
    new GlueConnectionTest(data, 'Test', { connection });
    expect(synthErrors(app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });
});

describe('CDK\'s weak cross-stack references (context @aws-cdk/core:defaultCrossStackReferences = weak: Fn::GetStackOutput, no export)', () => {
  test('the path is read as with strong references: analysed, and the test\'s stack depends on the network stack', () => {
    const build = (selfRule: boolean) => {
      const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
      const network = new NetworkStack(app, 'Network', { selfRule });
      return { app, network, ...dataStack(app, network) };
    };
    expect(synthErrors(build(false).app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
    const { app, stack } = build(true);
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    expect(stack.dependencies.map((s) => s.stackName)).toEqual(['Network']);
    expect(testProperties(Template.fromStack(stack)).NetworkPathDigest).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('weak references: Fn.importValue of an export the app itself creates', () => {
  /** The network stack exports its ids by name (CfnOutput exportName), the data stack imports them: no reference CDK can see. */
  function byExportName(options: { selfRule?: boolean } = {}) {
    const app = new App();
    const network = new NetworkStack(app, 'Network', options);
    const subnet = network.vpc.isolatedSubnets[0];
    new CfnOutput(network, 'SubnetId', { value: subnet.subnetId, exportName: 'network-data-subnet' });
    new CfnOutput(network, 'SubnetAz', { value: subnet.availabilityZone, exportName: 'network-data-subnet-az' });
    network.exportValue(network.group.securityGroupId, { name: 'network-glue-group' });
    const data = new Stack(app, 'Data', { env });
    const connection = new glue.CfnConnection(data, 'Conn', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
        physicalConnectionRequirements: {
          subnetId: Fn.importValue('network-data-subnet'), availabilityZone: Fn.importValue('network-data-subnet-az'),
          securityGroupIdList: [Fn.importValue('network-glue-group')],
        },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    return { app, network, data };
  }

  test('the path behind the imports is analysed: a missing self-referencing rule refuses synth', () => {
    const { app } = byExportName({ selfRule: false });
    expect(synthErrors(app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });

  test('the test\'s stack is made to depend on the network stack (an import by name makes no dependency of its own), and the digest covers the path', () => {
    const { app, data } = byExportName();
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    expect(data.dependencies.map((s) => s.stackName)).toEqual(['Network']);
    const manifest = app.synth().getStackByName('Data');
    expect(manifest.dependencies.map((d) => d.id)).toContain('Network');
    expect(testProperties(Template.fromStack(data)).NetworkPathDigest).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a cycle (the network stack already depends on the data stack) is refused, naming both stacks and the way out', () => {
    const { app, network, data } = byExportName();
    network.addDependency(data);
    const errors = synthErrors(app, 'Data/Test');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/stack Network .*depends on this test's stack Data/);
    expect(errors[0]).toMatch(/Put the test in a stack that depends on both/);
  });

  test('an export of another app (not in this one) is outside the app: no finding, one info note naming the checks not made', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env });
    const connection = new glue.CfnConnection(data, 'Conn', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
        physicalConnectionRequirements: { subnetId: Fn.importValue('shared-network-subnet'), availabilityZone: 'eu-west-1a', securityGroupIdList: [Fn.importValue('shared-network-group')] },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    const infos = Annotations.fromStack(data).findInfo('/Data/Test', Match.stringLikeRegexp('Glue network checks not made at synth'));
    expect(infos).toHaveLength(1);
    expect(infos[0].entry.data).toContain(NetworkCheck.S3_ROUTE);
    expect(infos[0].entry.data).toContain('the export shared-network-subnet');
    expect(Annotations.fromStack(data).findWarning('/Data/Test', Match.anyValue())).toEqual([]);
  });
});

describe('nested stacks', () => {
  test('the network in a nested stack of the data stack: analysed, and the test waits for the nested stack', () => {
    const build = (selfRule: boolean) => {
      const app = new App();
      const data = new Stack(app, 'Data', { env });
      const nested = new NestedStack(data, 'Network');
      const vpc = new ec2.CfnVPC(nested, 'Vpc', { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true });
      const subnet = new ec2.CfnSubnet(nested, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.1.0/24', availabilityZone: 'eu-west-1a' });
      const table = new ec2.CfnRouteTable(nested, 'Table', { vpcId: vpc.ref });
      new ec2.CfnSubnetRouteTableAssociation(nested, 'Association', { subnetId: subnet.ref, routeTableId: table.ref });
      new ec2.CfnVPCEndpoint(nested, 'S3', { vpcId: vpc.ref, serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway', routeTableIds: [table.ref] });
      const group = new ec2.CfnSecurityGroup(nested, 'Group', { vpcId: vpc.ref, groupDescription: 'Glue' });
      if (selfRule) {
        new ec2.CfnSecurityGroupIngress(nested, 'SelfRule', { groupId: group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, sourceSecurityGroupId: group.attrGroupId });
      }
      const connection = new glue.CfnConnection(data, 'Conn', {
        catalogId: data.account,
        connectionInput: {
          name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
          physicalConnectionRequirements: { subnetId: subnet.ref, availabilityZone: 'eu-west-1a', securityGroupIdList: [group.attrGroupId] },
        },
      });
      new GlueConnectionTest(data, 'Test', { connection });
      return { app, data, nested };
    };
    expect(synthErrors(build(false).app, 'Data/Test').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
    const { app, data, nested } = build(true);
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    const nestedId = data.getLogicalId(nested.nestedStackResource as never);
    expect(testResource(data).DependsOn).toContain(nestedId);
  });

  test('a nested stack given the subnet as a parameter of its own (NestedStack parameters): the connection inside reads the parent\'s subnet', () => {
    const app = new App();
    const network = new NetworkStack(app, 'Network', { selfRule: false });
    const data = new Stack(app, 'Data', { env });
    const nested = new NestedStack(data, 'Glue', { parameters: { SubnetId: network.vpc.isolatedSubnets[0].subnetId } });
    const subnetParameter = new CfnParameter(nested, 'SubnetId', { type: 'String' });
    const connection = new glue.CfnConnection(nested, 'Conn', {
      catalogId: nested.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: 'orders-db' },
        physicalConnectionRequirements: { subnetId: subnetParameter.valueAsString, securityGroupIdList: [network.group.securityGroupId] },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    const errors = synthErrors(app, 'Data/Test').join('\n');
    expect(errors).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });
});

describe('the network, data and jobs stacks together', () => {
  test('the job in a third stack is gated on the test; the test on the network; the deploy order is network, data, jobs', () => {
    const { app, network, stack: data, test } = twoStacks();
    const jobs = new Stack(app, 'Jobs', { env });
    const role = new iam.Role(jobs, 'JobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const job = new glue.CfnJob(jobs, 'Job', {
      role: role.roleArn, command: { name: 'glueetl', scriptLocation: 's3://bucket/job.py' }, connections: { connections: ['orders-db'] },
    });
    test.gate(job);
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    expect(data.dependencies).toEqual([network]);
    expect(jobs.dependencies).toContain(data);
  });

  test('a secret of the network stack named by SECRET_ID is granted by its ARN, through a reference CDK makes', () => {
    const app = new App();
    const network = new NetworkStack(app, 'Network');
    const secret = new secretsmanager.Secret(network, 'DbSecret');
    const data = new Stack(app, 'Data', { env });
    const subnet = network.vpc.isolatedSubnets[0];
    const connection = new glue.CfnConnection(data, 'Conn', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL, SECRET_ID: secret.secretArn },
        physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [network.group.securityGroupId] },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    const policies = JSON.stringify(Template.fromStack(data).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('secretsmanager:GetSecretValue');
    expect(policies).toMatch(/Fn::ImportValue":"Network:ExportsOutputRefDbSecret/);
  });
});

describe('connectionName', () => {
  test('a connection\'s Ref as connectionName (another stack\'s) is tested as `connection`: waited for, fingerprinted, its path analysed', () => {
    const app = new App();
    const network = new NetworkStack(app, 'Network', { selfRule: false });
    const { connection } = dataStack(app, network);
    const jobs = new Stack(app, 'Jobs', { env });
    new GlueConnectionTest(jobs, 'ByRef', { connectionName: connection.ref });
    expect(synthErrors(app, 'Jobs/ByRef').join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);

    const ok = new App();
    const okNetwork = new NetworkStack(ok, 'Network');
    const okData = dataStack(ok, okNetwork);
    const okJobs = new Stack(ok, 'Jobs', { env });
    new GlueConnectionTest(okJobs, 'ByRef', { connectionName: okData.connection.ref });
    const properties = testProperties(Template.fromStack(okJobs));
    expect(properties).toMatchObject({ WaitForReady: 'true', ConnectionFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), NetworkPathDigest: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  test('a same-stack Ref as connectionName: the same properties as `connection`', () => {
    const app = new App();
    const network = new NetworkStack(app, 'Network');
    const { stack, connection } = dataStack(app, network);
    new GlueConnectionTest(stack, 'ByRef', { connectionName: connection.ref });
    const template = Template.fromStack(stack);
    const [byConnection, byRef] = [0, 1].map((i) => testProperties(template, i));
    for (const key of ['WaitForReady', 'ConnectionFingerprint', 'NetworkPathDigest', 'ConnectionName']) expect(byRef[key]).toEqual(byConnection[key]);
  });

  test('a literal name binds to the app\'s connection of its account and region only: not to a same-named connection in another region', () => {
    const app = new App();
    const east = new Stack(app, 'East', { env: { account: '111122223333', region: 'us-east-1' } });
    new glue.CfnConnection(east, 'Conn', { catalogId: east.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    const west = new Stack(app, 'West', { env });
    new GlueConnectionTest(west, 'Test', { connectionName: 'orders-db' });
    expect(testResource(west).DependsOn).toBeUndefined();
    expect(testProperties(Template.fromStack(west)).WaitForReady).toBe('false');
    expect(west.dependencies).toEqual([]);

    const second = new App();
    const sameRegion = new Stack(second, 'WestData', { env });
    new glue.CfnConnection(sameRegion, 'Conn', { catalogId: sameRegion.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    const again = new Stack(second, 'WestJobs', { env });
    new GlueConnectionTest(again, 'Test', { connectionName: 'orders-db' });
    expect(testProperties(Template.fromStack(again)).WaitForReady).toBe('true');
    expect(again.dependencies.map((s) => s.stackName)).toEqual(['WestData']);
  });

  test('GlueConnectionTestAspect uses the same lookup: a job naming a connection of another region is not gated on that region\'s test', () => {
    const app = new App();
    const east = new Stack(app, 'East', { env: { account: '111122223333', region: 'us-east-1' } });
    new glue.CfnConnection(east, 'Conn', { catalogId: east.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    const west = new Stack(app, 'West', { env });
    const role = new iam.Role(west, 'JobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    new glue.CfnJob(west, 'Job', { role: role.roleArn, command: { name: 'glueetl', scriptLocation: 's3://bucket/job.py' }, connections: { connections: ['orders-db'] } });
    Aspects.of(app).add(new GlueConnectionTestAspect());
    app.synth();
    expect(west.dependencies).toEqual([]);
    Annotations.fromStack(west).hasWarning('/West/Job', Match.stringLikeRegexp('uses connection "orders-db".*not defined in this app'));
  });
});

describe('rules that a stack deploying after the test adds to the path (review finding A)', () => {
  /** Data: VPC, the Glue group with its self rule (unless `selfRule: false`), an RDS database the group reaches, the connection and its test. */
  function dataWithDatabase(app: App, options: { selfRule?: boolean } = {}) {
    const data = new Stack(app, 'Data', { env });
    const vpc = new ec2.Vpc(data, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } } });
    const group = new ec2.SecurityGroup(data, 'GlueGroup', { vpc });
    if (options.selfRule !== false) group.addIngressRule(group, ec2.Port.allTcp(), 'Glue: self-referencing');
    const db = new rds.DatabaseInstance(data, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    db.connections.allowDefaultPortFrom(group);
    const subnet = vpc.isolatedSubnets[0];
    const connection = new glue.CfnConnection(data, 'Conn', {
      catalogId: data.account,
      connectionInput: {
        name: 'orders-db', connectionType: 'JDBC',
        connectionProperties: { JDBC_CONNECTION_URL: `jdbc:postgresql://${db.dbInstanceEndpointAddress}:${db.dbInstanceEndpointPort}/orders`, SECRET_ID: 'orders-db' },
        physicalConnectionRequirements: { subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone, securityGroupIdList: [group.securityGroupId] },
      },
    });
    new GlueConnectionTest(data, 'Test', { connection });
    return { data, vpc, group, db };
  }

  test('an Api stack whose Lambda connects to the same database: synth succeeds, the digest leaves out Api\'s rule, one info note names it', () => {
    const app = new App();
    const { data, vpc, db } = dataWithDatabase(app);
    const api = new Stack(app, 'Api', { env });
    const fn = new lambda.Function(api, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'), vpc });
    fn.connections.allowToDefaultPort(db);
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
    expect(data.dependencies).toEqual([]);
    expect(testResource(data).DependsOn ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^Api/)]));
    const infos = Annotations.fromStack(data).findInfo('/Data/Test', Match.stringLikeRegexp('deploy after this test'));
    expect(infos).toHaveLength(1);
    expect(infos[0].entry.data).toContain('Api/');
    // The digest is that of the app without the Api stack: Api's rule is not part of what the test waits for.
    const alone = new App();
    const without = dataWithDatabase(alone).data;
    alone.synth();
    expect(testProperties(Template.fromStack(data)).NetworkPathDigest).toEqual(testProperties(Template.fromStack(without)).NetworkPathDigest);
  });

  test('an ops stack\'s bastion reaching the Glue group on port 22: synth succeeds', () => {
    const app = new App();
    const { vpc, group } = dataWithDatabase(app);
    const ops = new Stack(app, 'Ops', { env });
    const bastion = new ec2.SecurityGroup(ops, 'Bastion', { vpc });
    bastion.connections.allowTo(group, ec2.Port.tcp(22));
    expect(synthErrors(app, 'Data/Test')).toEqual([]);
  });

  test('a self-referencing rule that only a dependent stack adds does not count: SELF_REFERENCING_INGRESS, with the note', () => {
    const app = new App();
    const { data, group } = dataWithDatabase(app, { selfRule: false });
    const ops = new Stack(app, 'Ops', { env });
    ops.addDependency(data);
    new ec2.CfnSecurityGroupIngress(ops, 'LateSelfRule', {
      groupId: group.securityGroupId, sourceSecurityGroupId: group.securityGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535,
    });
    const errors = synthErrors(app, 'Data/Test');
    expect(errors.join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
    expect(errors.join('\n')).not.toMatch(/depends on this test's stack/);
  });
});
