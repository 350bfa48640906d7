/**
 * The gate watches the connection's whole network path (issue #8): it waits for every in-app
 * resource of it, re-tests when any of them is replaced or changed, and refuses at `cdk synth`
 * a path that breaks one of Glue's network rules, with one error per finding.
 */
import { App, Aspects, Aws, CfnParameter, CfnResource, Fn, SecretValue, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { parseProperties } from '../../lambda/properties';
import { GlueConnectionTest, GlueConnectionTestOptions, NetworkCheck } from '../../lib';
import { handlerStatements, newStack, testProperties } from '../helpers';

/** A connection's path written with L1s, so that each test can change one piece of it. */
function pathApp(change: (p: PathParts) => void = () => undefined, options: GlueConnectionTestOptions = {}) {
  const stack = newStack();
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true });
  const subnet = new ec2.CfnSubnet(stack, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.1.0/24', availabilityZone: 'eu-west-1a' });
  const table = new ec2.CfnRouteTable(stack, 'Table', { vpcId: vpc.ref });
  const association = new ec2.CfnSubnetRouteTableAssociation(stack, 'Association', { subnetId: subnet.ref, routeTableId: table.ref });
  const s3 = new ec2.CfnVPCEndpoint(stack, 'S3', {
    vpcId: vpc.ref, serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway', routeTableIds: [table.ref],
  });
  const group = new ec2.CfnSecurityGroup(stack, 'Group', { vpcId: vpc.ref, groupDescription: 'Glue connection' });
  const selfRule = new ec2.CfnSecurityGroupIngress(stack, 'SelfRule', {
    groupId: group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, sourceSecurityGroupId: group.attrGroupId,
  });
  const unrelated = new ec2.CfnSecurityGroup(stack, 'Unrelated', { vpcId: vpc.ref, groupDescription: 'not on the path' });
  const connection = new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: {
      name: 'orders-db',
      connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders', SECRET_ID: 'orders-db' },
      physicalConnectionRequirements: { subnetId: subnet.ref, availabilityZone: 'eu-west-1a', securityGroupIdList: [group.attrGroupId] },
    },
  });
  const parts: PathParts = { stack, vpc, subnet, table, association, s3, group, selfRule, unrelated, connection };
  change(parts);
  const test = new GlueConnectionTest(stack, 'Test', { connection, ...options });
  return { ...parts, test };
}

interface PathParts {
  readonly stack: Stack;
  readonly vpc: ec2.CfnVPC;
  readonly subnet: ec2.CfnSubnet;
  readonly table: ec2.CfnRouteTable;
  readonly association: ec2.CfnSubnetRouteTableAssociation;
  readonly s3: ec2.CfnVPCEndpoint;
  readonly group: ec2.CfnSecurityGroup;
  readonly selfRule: ec2.CfnSecurityGroupIngress;
  readonly unrelated: ec2.CfnSecurityGroup;
  readonly connection: glue.CfnConnection;
}

function propertiesOf(change?: (p: PathParts) => void): Record<string, unknown> {
  return testProperties(Template.fromStack(pathApp(change).stack));
}

/** The errors `cdk synth` stops with, one per line of CDK's validation report for the test. */
function synthErrors(stack: Stack): string[] {
  try {
    Template.fromStack(stack);
  } catch (e) {
    return (e as Error).message.split('\n').filter((l) => l.includes(`[${stack.stackName}/Test]`)).map((l) => l.trim());
  }
  return [];
}

const ids = (stack: Stack, ...constructs: ec2.CfnSubnet[] | unknown[]) => constructs.map((c) => stack.getLogicalId(c as never));

describe('waiting for the path', () => {
  test('the test depends on every in-app resource of the path, and on nothing off it', () => {
    const { stack, vpc, subnet, table, association, s3, group, selfRule } = pathApp();
    const dependsOn = Template.fromStack(stack).findResources('Custom::GlueConnectionTest');
    expect(Object.values(dependsOn)[0].DependsOn.sort()).toEqual(ids(stack, vpc, subnet, table, association, s3, group, selfRule).sort());
  });

  test('routes and their targets, network ACLs and interface endpoints are part of the path', () => {
    const { stack, vpc, table, subnet } = pathApp((p) => {
      const igw = new ec2.CfnInternetGateway(p.stack, 'Igw');
      const attachment = new ec2.CfnVPCGatewayAttachment(p.stack, 'IgwAttachment', { vpcId: p.vpc.ref, internetGatewayId: igw.ref });
      const route = new ec2.CfnRoute(p.stack, 'Route', { routeTableId: p.table.ref, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.ref });
      route.addDependency(attachment);
      const acl = new ec2.CfnNetworkAcl(p.stack, 'Acl', { vpcId: p.vpc.ref });
      new ec2.CfnSubnetNetworkAclAssociation(p.stack, 'AclAssociation', { subnetId: p.subnet.ref, networkAclId: acl.ref });
      new ec2.CfnNetworkAclEntry(p.stack, 'AclOut', { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', egress: true, cidrBlock: '0.0.0.0/0' });
      new ec2.CfnNetworkAclEntry(p.stack, 'AclIn', { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', cidrBlock: '0.0.0.0/0' });
      new ec2.CfnVPCEndpoint(p.stack, 'SecretsEndpoint', { vpcId: p.vpc.ref, serviceName: 'com.amazonaws.eu-west-1.secretsmanager', vpcEndpointType: 'Interface' });
    });
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining(['Igw', 'IgwAttachment', 'Route', 'Acl', 'AclAssociation', 'AclOut', 'AclIn', 'SecretsEndpoint']));
    expect(resource.Properties.NetworkPath).toEqual({
      VpcId: { Ref: stack.getLogicalId(vpc) },
      SubnetId: { Ref: stack.getLogicalId(subnet) },
      RouteTableId: { Ref: stack.getLogicalId(table) },
      NetworkAclId: { Ref: 'Acl' },
      SecurityGroupIds: [{ 'Fn::GetAtt': ['Group', 'GroupId'] }],
      VpcEndpointIds: [{ Ref: 'S3' }, { Ref: 'SecretsEndpoint' }],
      RouteTargetIds: [{ Ref: 'Igw' }],
    });
  });

  test('an L2 path (Vpc, SecurityGroup) and the example app wait for the S3 endpoint, the rule and the association', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc });
    group.addIngressRule(group, ec2.Port.allTcp());
    const connection = new glue.Connection(stack, 'Conn', {
      type: glue.ConnectionType.JDBC, connectionName: 'orders-db', securityGroups: [group],
      properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders', SECRET_ID: 'orders-db' },
      network: glue.ConnectionNetwork.vpc(vpc),
    });
    new GlueConnectionTest(stack, 'Test', { connection });
    const template = Template.fromStack(stack);
    const dependsOn: string[] = Object.values(template.findResources('Custom::GlueConnectionTest'))[0].DependsOn;
    for (const type of ['AWS::EC2::VPCEndpoint', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::Subnet']) {
      expect(dependsOn).toEqual(expect.arrayContaining(Object.keys(template.findResources(type))));
    }
  });

  test('a test by connectionName of a connection in the app waits for it and its path, as with `connection`', () => {
    const parts = pathApp();
    parts.stack.node.tryRemoveChild('Test');
    new GlueConnectionTest(parts.stack, 'Test', { connectionName: 'orders-db' });
    const resource = Object.values(Template.fromStack(parts.stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining(['Conn', 'Subnet', 'S3', 'SelfRule']));
    expect(resource.Properties).toMatchObject({
      ConnectionName: 'orders-db',
      WaitForReady: 'true',
      ConnectionFingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      NetworkPath: { SubnetId: { Ref: 'Subnet' } },
    });
  });

  test('a test created by an Aspect (as GlueConnectionTestAspect does) waits for the path too', () => {
    const stack = pathApp().stack;
    stack.node.tryRemoveChild('Test');
    Aspects.of(stack).add({
      visit: (node) => {
        if (node instanceof glue.CfnConnection) new GlueConnectionTest(stack, `${node.node.id}Test`, { connection: node });
      },
    });
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(resource.DependsOn).toEqual(expect.arrayContaining(['Subnet', 'S3', 'SelfRule', 'Association']));
    expect(resource.Properties.NetworkPathDigest).toMatch(/^[0-9a-f]{32}$/);
  });

  test('an Aspect that completes the path after the gate settled (on a construct later in the tree) is seen: no error, and the test waits for what it added', () => {
    const { stack, table, vpc } = pathApp((p) => p.stack.node.tryRemoveChild('S3'));
    const late = new Construct(stack, 'LaterInTheTree');
    Aspects.of(stack).add({
      visit: (node) => {
        if (node === late && !late.node.tryFindChild('S3')) {
          new ec2.CfnVPCEndpoint(late, 'S3', { vpcId: vpc.ref, serviceName: 'com.amazonaws.eu-west-1.s3', vpcEndpointType: 'Gateway', routeTableIds: [table.ref] });
        }
      },
    });
    expect(synthErrors(stack)).toEqual([]);
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
    const endpointId = Object.keys(Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint'))[0];
    expect(resource.DependsOn).toContain(endpointId);
    expect(resource.Properties.NetworkPath.VpcEndpointIds).toEqual([{ Ref: endpointId }]);
  });

  test('a connectionName defined later in the app is found too, and a name of no connection in the app waits for nothing', () => {
    const stack = newStack();
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    new GlueConnectionTest(stack, 'Other', { connectionName: 'elsewhere' });
    new glue.CfnConnection(stack, 'Conn', { catalogId: stack.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    const template = Template.fromStack(stack);
    const [mine, other] = ['Test', 'Other'].map((id) => Object.entries(template.findResources('Custom::GlueConnectionTest')).find(([k]) => k.startsWith(id))![1]);
    expect(mine.DependsOn).toEqual(['Conn']);
    expect(other.DependsOn).toBeUndefined();
    expect(other.Properties.WaitForReady).toBe('false');
    expect(other.Properties).not.toHaveProperty('NetworkPath');
  });

  test('a connectionName with another literal catalogId does not take the app\'s connection of that name; in an environment-agnostic stack the account may be that catalog', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
    new glue.CfnConnection(stack, 'Conn', { catalogId: stack.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db', catalogId: '444455556666' });
    new GlueConnectionTest(stack, 'Same', { connectionName: 'orders-db' });
    const tests = Template.fromStack(stack).findResources('Custom::GlueConnectionTest');
    const [other, same] = ['Test', 'Same'].map((id) => Object.entries(tests).find(([k]) => k.startsWith(id))![1]);
    expect(other.DependsOn).toBeUndefined();
    expect(same.DependsOn).toEqual(['Conn']);
  });

  test('review finding 2: an environment-agnostic stack, a connection whose CatalogId is the literal account, a test by name: waited for, fingerprinted, analysed', () => {
    const stack = new Stack(new App(), 'TestStack');
    new glue.CfnConnection(stack, 'Conn', {
      catalogId: '123456789012',
      connectionInput: { name: 'orders-db', connectionType: 'JDBC', physicalConnectionRequirements: { subnetId: 'subnet-0imported', availabilityZone: 'eu-west-1a', securityGroupIdList: ['sg-0imported'] } },
    });
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    const props = testProperties(Template.fromStack(stack));
    const test = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(test.DependsOn).toEqual(['Conn']);
    expect(props.WaitForReady).toBe('true');
    expect(props.ConnectionFingerprint).toMatch(/^[0-9a-f]{32}$/);
    // The path was analysed: the imported subnet and group are named in the note of checks not made.
    expect(Annotations.fromStack(stack).findInfo('/TestStack/Test', Match.stringLikeRegexp('Glue network checks not made at synth'))).toHaveLength(1);
  });

  test('a connection in another stack: the test waits for that stack, and its path is analysed there', () => {
    const { stack: network, connection } = pathApp((p) => p.stack.node.tryRemoveChild('S3'));
    network.node.tryRemoveChild('Test');
    const app = network.node.scope as App;
    const jobs = new Stack(app, 'Jobs', { env: { account: '111122223333', region: 'eu-west-1' } });
    new GlueConnectionTest(jobs, 'Test', { connection });
    expect(() => app.synth()).toThrow(/\[Jobs\/Test\] route table TestStack\/Table of subnet TestStack\/Subnet has neither an S3 gateway endpoint/);
    const ok = pathApp();
    ok.stack.node.tryRemoveChild('Test');
    const okJobs = new Stack(ok.stack.node.scope as App, 'Jobs', { env: { account: '111122223333', region: 'eu-west-1' } });
    new GlueConnectionTest(okJobs, 'Test', { connection: ok.connection });
    const properties = testProperties(Template.fromStack(okJobs));
    expect(okJobs.dependencies.map((s) => s.stackName)).toEqual(['TestStack']);
    expect(properties).not.toHaveProperty('NetworkPath');
    expect(properties.NetworkPathDigest).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a connectionName that several connections of the app carry is a warning, and the test waits for none', () => {
    const stack = newStack();
    const second = new Stack(stack.node.scope as never, 'Second', { env: { account: '111122223333', region: 'eu-west-1' } });
    for (const s of [stack, second]) new glue.CfnConnection(s, 'Conn', { catalogId: s.account, connectionInput: { name: 'orders-db', connectionType: 'JDBC' } });
    new GlueConnectionTest(stack, 'Test', { connectionName: 'orders-db' });
    Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp(
      'connectionName "orders-db" names 2 connections of this app \\(TestStack/Conn, Second/Conn\\).*Pass the one to test as `connection` instead'));
    expect(Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0].DependsOn).toBeUndefined();
  });
});

describe('re-testing when the path changes', () => {
  test('nothing changed: identical properties; a change off the path: identical properties', () => {
    const first = propertiesOf();
    expect(propertiesOf()).toEqual(first);
    expect(propertiesOf((p) => { p.unrelated.groupDescription = 'changed, but on no path'; })).toEqual(first);
  });

  test('subnet replaced (a new CIDR): the digest changes; its id is a Ref, which CloudFormation resolves to the new subnet', () => {
    const first = propertiesOf();
    const replaced = propertiesOf((p) => { p.subnet.cidrBlock = '10.0.2.0/24'; });
    expect(replaced.NetworkPathDigest).not.toEqual(first.NetworkPathDigest);
    expect(replaced.NetworkPath).toMatchObject({ SubnetId: { Ref: 'Subnet' } });
  });

  test('security group replaced: the digest changes; its GroupId is in the identity', () => {
    const first = propertiesOf();
    const replaced = propertiesOf((p) => { p.group.groupDescription = 'Glue connection, v2'; });
    expect(replaced.NetworkPathDigest).not.toEqual(first.NetworkPathDigest);
    expect(replaced.NetworkPath).toMatchObject({ SecurityGroupIds: [{ 'Fn::GetAtt': ['Group', 'GroupId'] }] });
  });

  test('a rule changed, or a separate rule added: the digest changes', () => {
    const first = propertiesOf();
    expect(propertiesOf((p) => { p.selfRule.description = 'workers'; }).NetworkPathDigest).not.toEqual(first.NetworkPathDigest);
    expect(propertiesOf((p) => {
      new ec2.CfnSecurityGroupEgress(p.stack, 'Egress', { groupId: p.group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, destinationSecurityGroupId: p.group.attrGroupId });
    }).NetworkPathDigest).not.toEqual(first.NetworkPathDigest);
  });

  test('the endpoint\'s route tables changed: the digest changes', () => {
    const first = propertiesOf();
    const changed = propertiesOf((p) => {
      const other = new ec2.CfnRouteTable(p.stack, 'OtherTable', { vpcId: p.vpc.ref });
      p.s3.routeTableIds = [p.table.ref, other.ref];
    });
    expect(changed.NetworkPathDigest).not.toEqual(first.NetworkPathDigest);
  });

  test('a connection property changed (also by an override): the fingerprint changes, the path digest does not', () => {
    const first = propertiesOf();
    const changed = propertiesOf((p) => p.connection.addPropertyOverride('ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL', 'jdbc:postgresql://db.example.com:6432/orders'));
    expect(changed.ConnectionFingerprint).not.toEqual(first.ConnectionFingerprint);
    expect(changed.NetworkPathDigest).toEqual(first.NetworkPathDigest);
  });

  test('the connection moved to another subnet by an override: the test follows the override', () => {
    const moved = pathApp((p) => {
      const other = new ec2.CfnSubnet(p.stack, 'OtherSubnet', { vpcId: p.vpc.ref, cidrBlock: '10.0.9.0/24', availabilityZone: 'eu-west-1a' });
      new ec2.CfnSubnetRouteTableAssociation(p.stack, 'OtherAssociation', { subnetId: other.ref, routeTableId: p.table.ref });
      p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SubnetId', other.ref);
    });
    const resource = Object.values(Template.fromStack(moved.stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(resource.Properties.NetworkPath.SubnetId).toEqual({ Ref: 'OtherSubnet' });
    expect(resource.DependsOn).toEqual(expect.arrayContaining(['OtherSubnet', 'OtherAssociation']));
    expect(resource.DependsOn).not.toContain('Subnet');
  });

  test('the handler accepts the path identity and digest, and refuses a malformed identity, naming the member', () => {
    const identity = { SubnetId: 'subnet-0ab', SecurityGroupIds: ['sg-1', 'sg-2'], VpcEndpointIds: ['vpce-1'] };
    expect(parseProperties({ ConnectionName: 'orders-db', NetworkPath: identity, NetworkPathDigest: 'abc' }).networkPath).toEqual(identity);
    expect(() => parseProperties({ ConnectionName: 'orders-db', NetworkPath: { SubnetId: ['subnet-0ab'] } })).toThrow('NetworkPath.SubnetId: must be a string (got a list)');
    expect(() => parseProperties({ ConnectionName: 'orders-db', NetworkPath: { Password: 'x' } })).toThrow(/NetworkPath.Password: is not a member of NetworkPath/);
    expect(() => parseProperties({ ConnectionName: 'orders-db', NetworkPathDigest: { a: 1 } })).toThrow('NetworkPathDigest: must be a string (got an object)');
  });
});

describe('cdk synth refuses a path Glue cannot use', () => {
  const check = (change: (p: PathParts) => void, options?: GlueConnectionTestOptions) => synthErrors(pathApp(change, options).stack);

  test('the path as Glue requires it synthesizes', () => {
    expect(check(() => undefined)).toEqual([]);
  });

  describe(NetworkCheck.S3_ROUTE, () => {
    test('violated: no S3 gateway endpoint and no NAT route', () => {
      expect(check((p) => p.stack.node.tryRemoveChild('S3'))).toEqual([expect.stringMatching(
        /route table TestStack\/Table of subnet TestStack\/Subnet has neither an S3 gateway endpoint nor a route to a NAT gateway.*Fix: add an S3 gateway endpoint.*NetworkCheck\.S3_ROUTE/)]);
    });
    test('satisfied: a NAT gateway route instead of the endpoint; or a region token in the service name', () => {
      expect(check((p) => {
        p.stack.node.tryRemoveChild('S3');
        const eip = new ec2.CfnEIP(p.stack, 'Eip', { domain: 'vpc' });
        const nat = new ec2.CfnNatGateway(p.stack, 'Nat', { subnetId: 'subnet-public', allocationId: eip.attrAllocationId });
        new ec2.CfnRoute(p.stack, 'Default', { routeTableId: p.table.ref, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.ref });
      })).toEqual([]);
      expect(check((p) => { p.s3.serviceName = Fn.join('', ['com.amazonaws.', Aws.REGION, '.s3']); })).toEqual([]);
    });
    test('undecidable: the subnet is not in the app', () => {
      expect(check((p) => p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SubnetId', 'subnet-0imported'))).toEqual([]);
    });
  });

  describe(NetworkCheck.SELF_REFERENCING_INGRESS, () => {
    test('violated: the self-referencing rule narrowed to one port', () => {
      expect(check((p) => { p.selfRule.fromPort = 5432; p.selfRule.toPort = 5432; })).toEqual([expect.stringMatching(
        /none of the connection's security groups \(TestStack\/Group\) has an inbound rule for all TCP ports whose source is the group itself.*Fix: add to TestStack\/Group an inbound rule: All TCP, ports 0-65535/)]);
    });
    test('satisfied: an inline self-referencing rule (in the group\'s own SecurityGroupIngress)', () => {
      expect(check((p) => {
        p.stack.node.tryRemoveChild('SelfRule');
        p.group.addPropertyOverride('SecurityGroupIngress', [{ IpProtocol: '-1', SourceSecurityGroupId: p.group.attrGroupId }]);
      })).toEqual([]);
    });
    test('undecidable: a rule whose source is a parameter; a group outside the app', () => {
      expect(check((p) => { p.selfRule.sourceSecurityGroupId = new CfnParameter(p.stack, 'Source').valueAsString; })).toEqual([]);
      expect(check((p) => { p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SecurityGroupIdList', ['sg-0imported']); })).toEqual([]);
    });
  });

  describe(NetworkCheck.ALL_EGRESS, () => {
    const noEgress = (p: PathParts) => {
      p.group.securityGroupEgress = [{ ipProtocol: 'icmp', fromPort: 252, toPort: 86, cidrIp: '255.255.255.255/32' }];
    };
    test('violated: egress restricted to nothing (allowAllOutbound: false)', () => {
      expect(check(noEgress)).toEqual([expect.stringMatching(/opens all egress ports.*Fix: add to TestStack\/Group an outbound rule/)]);
    });
    test('satisfied: EC2\'s default egress (no egress rule of its own), or a self-referencing egress rule', () => {
      expect(check(() => undefined)).toEqual([]);
      expect(check((p) => {
        noEgress(p);
        new ec2.CfnSecurityGroupEgress(p.stack, 'SelfOut', { groupId: p.group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, destinationSecurityGroupId: p.group.attrGroupId });
      })).toEqual([]);
    });
    test('undecidable: an all-ports egress rule whose destination is a parameter', () => {
      expect(check((p) => {
        const destination = new CfnParameter(p.stack, 'Destination').valueAsString;
        p.group.securityGroupEgress = [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIp: destination }];
      })).toEqual([]);
    });
  });

  describe(NetworkCheck.AVAILABILITY_ZONE, () => {
    test('violated: the connection names another zone than its subnet\'s', () => {
      expect(check((p) => p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', 'eu-west-1b')))
        .toEqual([expect.stringMatching(/AvailabilityZone is eu-west-1b but subnet TestStack\/Subnet is in eu-west-1a.*Fix: set the connection's PhysicalConnectionRequirements.AvailabilityZone to eu-west-1a/)]);
    });
    test('satisfied: the same intrinsic on both sides (an environment-agnostic stack)', () => {
      expect(check((p) => {
        const az = Fn.select(0, Fn.getAzs());
        p.subnet.availabilityZone = az;
        p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', az);
      })).toEqual([]);
    });
    test('undecidable: a literal against an intrinsic', () => {
      expect(check((p) => { p.subnet.availabilityZone = Fn.select(1, Fn.getAzs()); })).toEqual([]);
    });
  });

  describe(NetworkCheck.DNS_ATTRIBUTES, () => {
    test('violated: DNS hostnames left at CloudFormation\'s default (off) with a host name in the URL', () => {
      expect(check((p) => { p.vpc.enableDnsHostnames = undefined; })).toEqual([expect.stringMatching(
        /VPC TestStack\/Vpc has enableDnsHostnames \(DNS hostnames\) switched off; Glue needs both to resolve db.example.com.*Fix: enable enableDnsHostnames on VPC TestStack\/Vpc/)]);
    });
    test('satisfied: an IP address in the URL needs no DNS', () => {
      expect(check((p) => {
        p.vpc.enableDnsHostnames = false;
        p.connection.addPropertyOverride('ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL', 'jdbc:postgresql://10.0.1.10:5432/orders');
      })).toEqual([]);
    });
    test('undecidable: the attribute is a parameter', () => {
      expect(check((p) => { p.vpc.enableDnsHostnames = new CfnParameter(p.stack, 'Dns', { type: 'String' }).valueAsString as never; })).toEqual([]);
    });
  });

  describe(NetworkCheck.DATA_STORE_ADMITS_CONNECTION, () => {
    const withDatabase = (admit: boolean) => (p: PathParts) => {
      const dbGroup = new ec2.CfnSecurityGroup(p.stack, 'DbGroup', { vpcId: p.vpc.ref, groupDescription: 'database' });
      if (admit) {
        new ec2.CfnSecurityGroupIngress(p.stack, 'DbFromGlue', {
          groupId: dbGroup.attrGroupId, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, sourceSecurityGroupId: p.group.attrGroupId,
        });
      }
      const db = new rds.CfnDBInstance(p.stack, 'Db', {
        engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', vpcSecurityGroups: [dbGroup.attrGroupId],
        masterUsername: 'orders', manageMasterUserPassword: true,
      });
      p.connection.addPropertyOverride('ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL',
        Fn.join('', ['jdbc:postgresql://', db.attrEndpointAddress, ':', db.attrEndpointPort, '/orders']));
    };
    test('violated: the in-app database\'s group does not admit the connection\'s group on its port', () => {
      expect(check(withDatabase(false))).toEqual([expect.stringMatching(
        /the security groups of TestStack\/Db \(TestStack\/DbGroup\) admit none of the connection's groups on TCP port 5432.*Fix: add to TestStack\/DbGroup an inbound rule: TCP 5432, source TestStack\/Group/)]);
    });
    test('satisfied: it admits the connection\'s group on 5432, and the test waits for the database\'s rule', () => {
      const { stack } = pathApp(withDatabase(true));
      expect(synthErrors(stack)).toEqual([]);
      const resource = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
      expect(resource.DependsOn).toEqual(expect.arrayContaining(['Db', 'DbGroup', 'DbFromGlue']));
      expect(resource.Properties.NetworkPath.DataStoreSecurityGroupIds).toEqual([{ 'Fn::GetAtt': ['DbGroup', 'GroupId'] }]);
    });
    test('undecidable: a database outside the app', () => {
      expect(check(() => undefined)).toEqual([]);
    });
    test('with L2s: rds.DatabaseInstance refuses Glue until `db.connections.allowDefaultPortFrom(glueGroup)`', () => {
      const l2App = (allow: boolean) => {
        const stack = newStack();
        const vpc = new ec2.Vpc(stack, 'Vpc', {
          maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
          gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
        });
        const glueGroup = new ec2.SecurityGroup(stack, 'GlueGroup', { vpc });
        glueGroup.addIngressRule(glueGroup, ec2.Port.allTcp());
        const db = new rds.DatabaseInstance(stack, 'Db', {
          engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        });
        if (allow) db.connections.allowDefaultPortFrom(glueGroup);
        const connection = new glue.Connection(stack, 'Conn', {
          type: glue.ConnectionType.JDBC, securityGroups: [glueGroup], network: glue.ConnectionNetwork.vpc(vpc),
          properties: { JDBC_CONNECTION_URL: `jdbc:postgresql://${db.dbInstanceEndpointAddress}:${db.dbInstanceEndpointPort}/orders` },
          secret: db.secret,
        });
        new GlueConnectionTest(stack, 'Test', { connection });
        return stack;
      };
      expect(synthErrors(l2App(false))).toEqual([expect.stringMatching(/the security groups of TestStack\/Db .* admit none of the connection's groups on TCP port 5432/)]);
      expect(synthErrors(l2App(true))).toEqual([]);
    });
  });

  describe(NetworkCheck.NETWORK_ACL, () => {
    const withAcl = (entries: Partial<ec2.CfnNetworkAclEntryProps>[]) => (p: PathParts) => {
      const acl = new ec2.CfnNetworkAcl(p.stack, 'Acl', { vpcId: p.vpc.ref });
      new ec2.CfnSubnetNetworkAclAssociation(p.stack, 'AclAssociation', { subnetId: p.subnet.ref, networkAclId: acl.ref });
      entries.forEach((e, i) => new ec2.CfnNetworkAclEntry(p.stack, `Entry${i}`, {
        networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', cidrBlock: '0.0.0.0/0', ...e,
      }));
    };
    test('violated: an ACL that lets nothing back in', () => {
      expect(check(withAcl([{ egress: true }]))).toEqual([expect.stringMatching(
        /network ACL TestStack\/Acl of subnet TestStack\/Subnet denies inbound return traffic \(TCP 1024-65535\) from Amazon S3;/)]);
    });
    test('satisfied: all traffic allowed both ways', () => {
      expect(check(withAcl([{ egress: true }, { egress: false }]))).toEqual([]);
    });
    test('undecidable: an entry for a narrower CIDR decides first; or the VPC\'s default ACL (not in the app)', () => {
      expect(check(withAcl([{ egress: true }, { egress: false, ruleNumber: 50, cidrBlock: '10.0.0.0/8', ruleAction: 'deny' }, { egress: false }]))).toEqual([]);
      expect(check(() => undefined)).toEqual([]);
    });
  });

  describe(NetworkCheck.FREE_IP_ADDRESSES, () => {
    test('satisfied: a new subnet has its size less 5 free; undecidable: an imported subnet (no CIDR in the app)', () => {
      // A new subnet is at least a /28 (11 free addresses), so only the deploy-time inspection can find this one violated.
      expect(check((p) => { p.subnet.cidrBlock = '10.0.1.0/28'; })).toEqual([]);
      expect(check((p) => p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SubnetId', 'subnet-0imported'))).toEqual([]);
    });
  });

  test('three problems in one app: three errors in one synth, each naming the construct and the fix', () => {
    const errors = check((p) => {
      p.stack.node.tryRemoveChild('S3');
      p.selfRule.fromPort = 5432;
      p.selfRule.toPort = 5432;
      p.connection.addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', 'eu-west-1c');
    });
    expect(errors).toHaveLength(3);
    expect(errors.map((e) => /NetworkCheck\.(\w+)/.exec(e)?.[1])).toEqual(['S3_ROUTE', 'SELF_REFERENCING_INGRESS', 'AVAILABILITY_ZONE']);
    for (const e of errors) expect(e).toMatch(/TestStack\/(Table|Group|Subnet).*Fix: /);
  });

  test('an acknowledged check is not made, by prop or by method; the others still are', () => {
    const broken = (p: PathParts) => {
      p.stack.node.tryRemoveChild('S3');
      p.selfRule.fromPort = 5432;
    };
    expect(check(broken, { acknowledgedNetworkChecks: [NetworkCheck.S3_ROUTE] })).toEqual([expect.stringContaining('NetworkCheck.SELF_REFERENCING_INGRESS')]);
    const app = pathApp(broken, { acknowledgedNetworkChecks: [NetworkCheck.S3_ROUTE] });
    app.test.acknowledgeNetworkChecks(NetworkCheck.SELF_REFERENCING_INGRESS);
    expect(synthErrors(app.stack)).toEqual([]);
  });

  test('refuses an acknowledgement that is not a NetworkCheck, naming the prop', () => {
    expect(() => pathApp(undefined, { acknowledgedNetworkChecks: ['S3' as NetworkCheck] })).toThrow(/acknowledgedNetworkChecks\[0\]: .*NetworkCheck values \(S3_ROUTE, .*\(got the string "S3"\)/);
  });
});

describe('the L2 glue.Connection gets the grants and warnings of the CfnConnection equivalent', () => {
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf';

  /** The handler's statements on Secrets Manager, KMS and Glue. */
  function grantsOf(build: (stack: Stack, secret: secretsmanager.ISecret) => GlueConnectionTest['node']['scope']): unknown {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Credentials');
    const connection = build(stack, secret)!;
    new GlueConnectionTest(stack, 'Test', { connection });
    const statements = handlerStatements(Template.fromStack(stack))
      .filter((s) => JSON.stringify(s.Action).match(/secretsmanager|kms|glue/))
      .map((s) => stack.resolve(s));
    return JSON.parse(JSON.stringify(statements).replace(/"Ref":"(Conn\w*)"/g, '"Ref":"<connection>"'));
  }

  const cfn = (stack: Stack, secretId: string) => new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: {
      name: 'orders-db', connectionType: 'JDBC',
      connectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders', SECRET_ID: secretId },
    },
  });
  const l2 = (stack: Stack, props: Partial<glue.ConnectionProps>) => new glue.Connection(stack, 'Conn', {
    type: glue.ConnectionType.JDBC, connectionName: 'orders-db',
    properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders' }, ...props,
  });

  test('with `secret`: GetSecretValue on the secret, as CfnConnection with SECRET_ID: secret.secretArn', () => {
    const expected = grantsOf((stack, secret) => cfn(stack, secret.secretArn));
    expect(JSON.stringify(expected)).toContain('secretsmanager:GetSecretValue');
    expect(grantsOf((stack, secret) => l2(stack, { secret }))).toEqual(expected);
  });

  test('with properties.SECRET_ID: the same as the CfnConnection', () => {
    const expected = grantsOf((stack) => cfn(stack, SECRET_ARN));
    expect(JSON.stringify(expected)).toContain(SECRET_ARN);
    expect(grantsOf((stack) => l2(stack, { properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db.example.com:5432/orders', SECRET_ID: SECRET_ARN } })))
      .toEqual(expected);
  });

  test('with an override of SECRET_ID: the same as the CfnConnection', () => {
    const expected = grantsOf((stack) => cfn(stack, SECRET_ARN));
    expect(grantsOf((stack) => {
      const c = l2(stack, {});
      (c.node.defaultChild as glue.CfnConnection).addPropertyOverride('ConnectionInput.ConnectionProperties.SECRET_ID', SECRET_ARN);
      return c;
    })).toEqual(expected);
  });

  test('AuthenticationConfiguration.SecretArn and KmsKeyArn of an L1, also set by an override, are granted', () => {
    const statements = grantsOf((stack) => {
      const c = cfn(stack, SECRET_ARN);
      c.addPropertyOverride('ConnectionInput.AuthenticationConfiguration', {
        AuthenticationType: 'BASIC', SecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:auth-XyZ123', KmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/k1',
      });
      return c;
    });
    expect(JSON.stringify(statements)).toContain('secret:auth-XyZ123');
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({ Action: 'kms:Decrypt', Resource: 'arn:aws:kms:eu-west-1:111122223333:key/k1' })]));
  });

  test('a plain-text PASSWORD warns for an L2 property and for an override alike', () => {
    for (const build of [
      (stack: Stack) => l2(stack, { properties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://db:5432/orders', USERNAME: 'u', PASSWORD: 'hunter2' } }),
      (stack: Stack) => {
        const c = cfn(stack, 'orders-db');
        c.addPropertyOverride('ConnectionInput.ConnectionProperties.PASSWORD', 'hunter2');
        return c;
      },
    ]) {
      const stack = newStack();
      new GlueConnectionTest(stack, 'Test', { connection: build(stack) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Test', Match.stringLikeRegexp('keeps PASSWORD as plain text in its ConnectionProperties'));
      expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('"NetworkPath":{"Password');
    }
  });

  test('a SecretValue password stays out of the test and its warnings', () => {
    const stack = newStack();
    const c = cfn(stack, 'orders-db');
    c.addPropertyOverride('ConnectionInput.ConnectionProperties.PASSWORD', SecretValue.secretsManager(SECRET_ARN, { jsonField: 'password' }).unsafeUnwrap());
    new GlueConnectionTest(stack, 'Test', { connection: c });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('plain text'))).toHaveLength(0);
    expect(JSON.stringify(testProperties(Template.fromStack(stack)))).not.toContain('{{resolve:');
  });
});

describe('path elements written as a plain CfnResource (review finding 0) read as their typed L1s', () => {
  const check = (change: (p: PathParts) => void) => synthErrors(pathApp(change).stack);

  test('a raw self-referencing ingress rule, a raw NAT route (no S3 endpoint) and a raw route-table association: no finding', () => {
    expect(check((p) => {
      p.stack.node.tryRemoveChild('SelfRule');
      p.stack.node.tryRemoveChild('S3');
      p.stack.node.tryRemoveChild('Association');
      new CfnResource(p.stack, 'RawSelfRule', {
        type: 'AWS::EC2::SecurityGroupIngress',
        properties: { GroupId: p.group.attrGroupId, IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, SourceSecurityGroupId: p.group.attrGroupId },
      });
      new CfnResource(p.stack, 'RawAssociation', { type: 'AWS::EC2::SubnetRouteTableAssociation', properties: { SubnetId: p.subnet.ref, RouteTableId: p.table.ref } });
      const eip = new ec2.CfnEIP(p.stack, 'Eip', { domain: 'vpc' });
      const nat = new ec2.CfnNatGateway(p.stack, 'Nat', { subnetId: 'subnet-public', allocationId: eip.attrAllocationId });
      new CfnResource(p.stack, 'RawRoute', { type: 'AWS::EC2::Route', properties: { RouteTableId: p.table.ref, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.ref } });
    })).toEqual([]);
  });

  test('a raw rule that is not self-referencing is read too: SELF_REFERENCING_INGRESS still refused', () => {
    expect(check((p) => {
      p.stack.node.tryRemoveChild('SelfRule');
      new CfnResource(p.stack, 'RawRule', {
        type: 'AWS::EC2::SecurityGroupIngress', properties: { GroupId: p.group.attrGroupId, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' },
      });
    }).join('\n')).toContain(`NetworkCheck.${NetworkCheck.SELF_REFERENCING_INGRESS}`);
  });

  test('the test waits for the raw parts', () => {
    const { stack } = pathApp((p) => {
      p.stack.node.tryRemoveChild('SelfRule');
      new CfnResource(p.stack, 'RawSelfRule', {
        type: 'AWS::EC2::SecurityGroupIngress',
        properties: { GroupId: p.group.attrGroupId, IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, SourceSecurityGroupId: p.group.attrGroupId },
      });
    });
    const resource = Object.values(Template.fromStack(stack).findResources('Custom::GlueConnectionTest'))[0];
    expect(resource.DependsOn).toContain('RawSelfRule');
  });
});
