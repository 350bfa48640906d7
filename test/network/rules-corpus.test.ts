/**
 * A corpus of connection paths for Glue's network rules (issue #16, item 3), each written with
 * L1s and with L2s, each line naming the documentation it rests on. A line says what `cdk synth`
 * must do with the path: refuse it with the listed checks, pass it, or warn.
 *
 * Sources (full citations in lib/network/rules.ts and lib/network/path-reader.ts):
 * - CFN-SG   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
 *            ("if you do not add egress rules, we add egress rules that allow all outbound ... Otherwise, we do not add them")
 * - CDK-987  https://github.com/aws/aws-cdk/issues/987 (a separate AWS::EC2::SecurityGroupEgress strips the default egress)
 * - GLUE-ERR https://docs.aws.amazon.com/glue/latest/dg/glue-troubleshooting-errors.html
 *            ("At least one security group must open all ingress/egress ports", "Could not find S3 endpoint or NAT gateway")
 * - GLUE-NET https://docs.aws.amazon.com/glue/latest/dg/start-connecting.html ("a private IP address", "No public IP addresses")
 * - VPC-SGR  https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html (IPv4 range, IPv6 range, prefix list, group)
 * - VPC-DEF  https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html; CFN AWS::EC2::VPC GetAtt DefaultSecurityGroup
 * - GLUE-PCR https://docs.aws.amazon.com/glue/latest/webapi/API_PhysicalConnectionRequirements.html ("Currently the field must be populated")
 * - CFN-AZS  https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getavailabilityzones.html
 * - VPC-NACL https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html (ephemeral ranges differ by client; 1024-65535)
 * - CN-S3    aws-cdk-lib InterfaceVpcEndpointAwsService prefix table: s3 in cn-north-1 / cn-northwest-1 is cn.com.amazonaws
 * - REPOST   https://repost.aws/knowledge-center/glue-test-connection-failed (NAT for a store outside the VPC; Secrets Manager and STS endpoints)
 */
import { App, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as rds from 'aws-cdk-lib/aws-rds';
import { GlueConnectionTest, NetworkCheck } from '../../lib';

const REGION = 'eu-west-1';
const URL = 'jdbc:postgresql://db.example.com:5432/orders';

/** What a line of the corpus builds on. */
interface Base {
  readonly stack: Stack;
  readonly vpc: { readonly ref: string; readonly defaultSecurityGroup: string };
  /** The connection's subnet. */
  readonly subnetRef: string;
  /** The connection's own security group's GroupId. */
  readonly groupId: string;
  readonly connection: CfnResource;
}

interface Options {
  readonly region?: string;
  /** Environment-agnostic stack. */
  readonly agnostic?: boolean;
  readonly url?: string;
  readonly secret?: boolean;
  /** Leave out the S3 gateway endpoint. */
  readonly noS3?: boolean;
  /** L1: leave out the self-referencing rule; L2: the group is made by `group`. */
  readonly group?: (scope: Stack, vpc: ec2.IVpc) => ec2.SecurityGroup;
  readonly noSelfRule?: boolean;
  readonly restrictDefaultSecurityGroup?: boolean;
  readonly s3Service?: string;
}

function stackOf(options: Options): Stack {
  return new Stack(new App(), 'Corpus', options.agnostic ? {} : { env: { account: '111122223333', region: options.region ?? REGION } });
}

function properties(options: Options): Record<string, string> {
  return { JDBC_CONNECTION_URL: options.url ?? URL, ...(options.secret ? { SECRET_ID: 'orders-db' } : {}) };
}

/** The path written with L1s: a VPC, a subnet with its route table and S3 gateway endpoint, a self-referencing group. */
function l1(options: Options = {}): Base {
  const stack = stackOf(options);
  const region = options.region ?? REGION;
  const vpc = new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true });
  const az = options.agnostic ? Fn.select(0, Fn.getAzs()) : `${region}a`;
  const subnet = new ec2.CfnSubnet(stack, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.1.0/24', availabilityZone: az });
  const table = new ec2.CfnRouteTable(stack, 'Table', { vpcId: vpc.ref });
  new ec2.CfnSubnetRouteTableAssociation(stack, 'Association', { subnetId: subnet.ref, routeTableId: table.ref });
  if (!options.noS3) {
    new ec2.CfnVPCEndpoint(stack, 'S3', { vpcId: vpc.ref, serviceName: options.s3Service ?? `com.amazonaws.${region}.s3`, vpcEndpointType: 'Gateway', routeTableIds: [table.ref] });
  }
  const group = new ec2.CfnSecurityGroup(stack, 'Group', { vpcId: vpc.ref, groupDescription: 'Glue connection' });
  if (!options.noSelfRule) {
    new ec2.CfnSecurityGroupIngress(stack, 'SelfRule', { groupId: group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, sourceSecurityGroupId: group.attrGroupId });
  }
  const connection = new glue.CfnConnection(stack, 'Conn', {
    catalogId: stack.account,
    connectionInput: {
      name: 'orders-db', connectionType: 'JDBC', connectionProperties: properties(options),
      physicalConnectionRequirements: { subnetId: subnet.ref, availabilityZone: az, securityGroupIdList: [group.attrGroupId] },
    },
  });
  return { stack, vpc: { ref: vpc.ref, defaultSecurityGroup: vpc.attrDefaultSecurityGroup }, subnetRef: subnet.ref, groupId: group.attrGroupId, connection };
}

/** The same path written with L2s: ec2.Vpc with isolated subnets and an S3 gateway endpoint, ec2.SecurityGroup, glue.Connection. */
function l2(options: Options = {}): Base & { readonly l2vpc: ec2.Vpc; readonly l2group: ec2.SecurityGroup; readonly l2connection: glue.Connection } {
  const stack = stackOf(options);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    restrictDefaultSecurityGroup: options.restrictDefaultSecurityGroup ?? false,
  });
  if (!options.noS3) {
    vpc.addGatewayEndpoint('S3', {
      service: options.s3Service ? new ec2.GatewayVpcEndpointAwsService('s3', options.s3Service.replace(/\.[^.]+\.s3$/, '')) : ec2.GatewayVpcEndpointAwsService.S3,
    });
  }
  const group = options.group?.(stack, vpc) ?? new ec2.SecurityGroup(stack, 'Group', { vpc });
  if (!options.noSelfRule) group.addIngressRule(group, ec2.Port.allTcp());
  const connection = new glue.Connection(stack, 'Conn', {
    type: glue.ConnectionType.JDBC, connectionName: 'orders-db', securityGroups: [group], properties: properties(options),
    network: glue.ConnectionNetwork.subnet(vpc.isolatedSubnets[0]),
  });
  return {
    stack, vpc: { ref: vpc.vpcId, defaultSecurityGroup: vpc.vpcDefaultSecurityGroup }, subnetRef: vpc.isolatedSubnets[0].subnetId,
    groupId: group.securityGroupId, connection: connection.node.defaultChild as CfnResource, l2vpc: vpc, l2group: group, l2connection: connection,
  };
}

/** The checks `cdk synth` refuses the path with (empty when it synthesizes), and the ids of the test's warnings. */
function verdictOf(base: Base): { errors: string[]; warnings: string[] } {
  new GlueConnectionTest(base.stack, 'Test', { connection: base.connection });
  try {
    Template.fromStack(base.stack);
  } catch (e) {
    const lines = (e as Error).message.split('\n').filter((l) => l.includes('[Corpus/Test]'));
    if (lines.length === 0) throw e;
    return { errors: lines.map((l) => /NetworkCheck\.(\w+)/.exec(l)?.[1] ?? l), warnings: [] };
  }
  const warnings = Annotations.fromStack(base.stack).findWarning('/Corpus/Test', Match.stringLikeRegexp('.*'))
    .map((w) => JSON.stringify(w.entry.data)).map((d) => /\[ack: cdk-glue-connection-test:(\w+)\]/.exec(d)?.[1]).filter((id): id is string => id !== undefined);
  return { errors: [], warnings };
}

/** A database in the app whose security group admits `source` on 5432, and the connection's URL pointing at it. */
function databaseAdmitting(base: Base, source: string): void {
  const dbGroup = new ec2.CfnSecurityGroup(base.stack, 'DbGroup', { vpcId: base.vpc.ref, groupDescription: 'database' });
  new ec2.CfnSecurityGroupIngress(base.stack, 'DbIn', { groupId: dbGroup.attrGroupId, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, sourceSecurityGroupId: source });
  const db = new rds.CfnDBInstance(base.stack, 'Db', {
    engine: 'postgres', dbInstanceClass: 'db.t4g.micro', allocatedStorage: '20', vpcSecurityGroups: [dbGroup.attrGroupId],
    masterUsername: 'orders', manageMasterUserPassword: true,
  });
  (base.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL',
    Fn.join('', ['jdbc:postgresql://', db.attrEndpointAddress, ':', db.attrEndpointPort, '/orders']));
}

const ok = { errors: [], warnings: [] };
const refused = (...checks: NetworkCheck[]) => ({ errors: checks, warnings: [] });

/** [source, description, form, build, expected]. */
type Line = [string, string, 'L1' | 'L2', () => Base, { errors: string[]; warnings: string[] }];

const corpus: Line[] = [
  // Egress defaults.
  ['CFN-SG', 'no egress rule of its own: the default allow-all egress', 'L1', () => l1(), ok],
  ['CFN-SG', 'no egress rule of its own: the default allow-all egress', 'L2', () => l2(), ok],
  ['CDK-987', 'only a separate HTTPS egress rule: the default is gone, all ports are not open', 'L1', () => {
    const b = l1();
    new ec2.CfnSecurityGroupEgress(b.stack, 'Https', { groupId: b.groupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' });
    return b;
  }, refused(NetworkCheck.ALL_EGRESS)],
  ['CDK-987', 'allowAllOutbound: false with disableInlineRules and an HTTPS rule: separate rules only', 'L2', () => l2({
    group: (s, vpc) => {
      const g = new ec2.SecurityGroup(s, 'Group', { vpc, allowAllOutbound: false, disableInlineRules: true });
      g.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
      return g;
    },
  }), refused(NetworkCheck.ALL_EGRESS)],
  ['CDK-987', 'an all-traffic separate egress rule beside another separate one may be stripped: undecidable, not refused', 'L1', () => {
    const b = l1();
    new ec2.CfnSecurityGroupEgress(b.stack, 'All', { groupId: b.groupId, ipProtocol: '-1', cidrIp: '0.0.0.0/0' });
    new ec2.CfnSecurityGroupEgress(b.stack, 'Https', { groupId: b.groupId, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' });
    return b;
  }, ok],
  ['CFN-SG', 'allowAllOutbound: false: no default egress', 'L2', () => l2({ group: (s, vpc) => new ec2.SecurityGroup(s, 'Group', { vpc, allowAllOutbound: false }) }),
    refused(NetworkCheck.ALL_EGRESS)],
  ['CFN-SG', 'allowAllOutbound: false with disableInlineRules: the "match no traffic" rule is a separate resource', 'L2',
    () => l2({ group: (s, vpc) => new ec2.SecurityGroup(s, 'Group', { vpc, allowAllOutbound: false, disableInlineRules: true }) }), refused(NetworkCheck.ALL_EGRESS)],
  ['GLUE-ERR', 'only egress is HTTPS to a prefix list', 'L1', () => {
    const b = l1();
    (b.connection.node.scope!.node.findChild('Group') as ec2.CfnSecurityGroup).securityGroupEgress = [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, destinationPrefixListId: 'pl-6da54004' }];
    return b;
  }, refused(NetworkCheck.ALL_EGRESS)],
  ['GLUE-ERR', 'only egress is HTTPS to a prefix list', 'L2', () => l2({
    group: (s, vpc) => {
      const g = new ec2.SecurityGroup(s, 'Group', { vpc, allowAllOutbound: false });
      g.addEgressRule(ec2.Peer.prefixList('pl-6da54004'), ec2.Port.tcp(443));
      return g;
    },
  }), refused(NetworkCheck.ALL_EGRESS)],
  ['GLUE-ERR', 'only egress is HTTPS to a prefix list: the database\'s port is not let out either', 'L1', () => {
    const b = l1();
    (b.stack.node.findChild('Group') as ec2.CfnSecurityGroup).securityGroupEgress = [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, destinationPrefixListId: 'pl-6da54004' }];
    databaseAdmitting(b, b.groupId);
    return b;
  }, refused(NetworkCheck.ALL_EGRESS, NetworkCheck.DATA_STORE_ADMITS_CONNECTION)],

  // IPv6 ranges.
  ['GLUE-NET, VPC-SGR', 'all TCP in from ::/0 instead of the self-referencing rule', 'L1', () => {
    const b = l1({ noSelfRule: true });
    new ec2.CfnSecurityGroupIngress(b.stack, 'V6', { groupId: b.groupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIpv6: '::/0' });
    return b;
  }, refused(NetworkCheck.SELF_REFERENCING_INGRESS)],
  ['GLUE-NET, VPC-SGR', 'all TCP in from ::/0 instead of the self-referencing rule', 'L2', () => {
    const b = l2({ noSelfRule: true });
    b.l2group.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.allTcp());
    return b;
  }, refused(NetworkCheck.SELF_REFERENCING_INGRESS)],
  ['GLUE-ERR', 'all TCP in from 0.0.0.0/0 opens all ingress ports', 'L2', () => {
    const b = l2({ noSelfRule: true });
    b.l2group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allTcp());
    return b;
  }, ok],

  // The VPC's default security group.
  ['VPC-DEF', 'the database admits only the VPC\'s default group, not the connection\'s', 'L1', () => {
    const b = l1();
    databaseAdmitting(b, b.vpc.defaultSecurityGroup);
    return b;
  }, refused(NetworkCheck.DATA_STORE_ADMITS_CONNECTION)],
  ['VPC-DEF', 'the database admits only the VPC\'s default group, not the connection\'s', 'L2', () => {
    const b = l2();
    const db = new rds.DatabaseInstance(b.stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc: b.l2vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    });
    db.connections.allowDefaultPortFrom(ec2.SecurityGroup.fromSecurityGroupId(b.stack, 'Default', b.l2vpc.vpcDefaultSecurityGroup));
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.ConnectionProperties.JDBC_CONNECTION_URL',
      `jdbc:postgresql://${db.dbInstanceEndpointAddress}:${db.dbInstanceEndpointPort}/orders`);
    return b;
  }, refused(NetworkCheck.DATA_STORE_ADMITS_CONNECTION)],
  ['VPC-DEF', 'the connection uses the default group, whose own rules admit itself and let all out', 'L1', () => {
    const b = l1();
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SecurityGroupIdList', [b.vpc.defaultSecurityGroup]);
    return b;
  }, ok],
  ['VPC-DEF', 'the connection uses the default group that restrictDefaultSecurityGroup empties', 'L2', () => {
    const b = l2({ restrictDefaultSecurityGroup: true });
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.SecurityGroupIdList', [b.vpc.defaultSecurityGroup]);
    return b;
  }, refused(NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS)],

  // Availability Zone.
  ['GLUE-PCR', 'a subnet and no AvailabilityZone', 'L1', () => {
    const b = l1();
    (b.connection as glue.CfnConnection).addPropertyDeletionOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone');
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['GLUE-PCR', 'a subnet and an empty AvailabilityZone', 'L1', () => {
    const b = l1();
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', '');
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['GLUE-PCR', 'a subnet and no AvailabilityZone', 'L2', () => {
    const b = l2();
    (b.connection as glue.CfnConnection).addPropertyDeletionOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone');
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['GLUE-PCR', 'the AvailabilityZone given as the subnet\'s own attribute (attrAvailabilityZone)', 'L1', () => {
    const b = l1();
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone',
      (b.stack.node.findChild('Subnet') as ec2.CfnSubnet).attrAvailabilityZone);
    return b;
  }, ok],
  ['GLUE-PCR', 'the AvailabilityZone given as another subnet\'s attribute, in another zone', 'L1', () => {
    const b = l1();
    const other = new ec2.CfnSubnet(b.stack, 'Other', { vpcId: b.vpc.ref, cidrBlock: '10.0.2.0/24', availabilityZone: `${REGION}b` });
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', other.attrAvailabilityZone);
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['CFN-AZS', 'environment-agnostic: the subnet at Fn::Select 0, the connection at Fn::Select 1 of Fn::GetAZs', 'L1', () => {
    const b = l1({ agnostic: true });
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', Fn.select(1, Fn.getAzs()));
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['CFN-AZS', 'environment-agnostic: the connection in the second subnet\'s zone, placed in the first subnet', 'L2', () => {
    const b = l2({ agnostic: true });
    (b.connection as glue.CfnConnection).addPropertyOverride('ConnectionInput.PhysicalConnectionRequirements.AvailabilityZone', b.l2vpc.isolatedSubnets[1].availabilityZone);
    return b;
  }, refused(NetworkCheck.AVAILABILITY_ZONE)],
  ['CFN-AZS', 'environment-agnostic: the subnet\'s own zone', 'L2', () => l2({ agnostic: true }), ok],

  // Network ACLs.
  ['VPC-NACL', '"deny RDP 3389" before allow-all both ways: undecidable, not refused', 'L1', () => {
    const b = l1();
    const acl = new ec2.CfnNetworkAcl(b.stack, 'Acl', { vpcId: b.vpc.ref });
    new ec2.CfnSubnetNetworkAclAssociation(b.stack, 'AclAssociation', { subnetId: b.subnetRef, networkAclId: acl.ref });
    new ec2.CfnNetworkAclEntry(b.stack, 'DenyRdp', { networkAclId: acl.ref, ruleNumber: 50, protocol: 6, ruleAction: 'deny', cidrBlock: '0.0.0.0/0', portRange: { from: 3389, to: 3389 } });
    new ec2.CfnNetworkAclEntry(b.stack, 'In', { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', cidrBlock: '0.0.0.0/0' });
    new ec2.CfnNetworkAclEntry(b.stack, 'Out', { networkAclId: acl.ref, ruleNumber: 100, protocol: -1, ruleAction: 'allow', cidrBlock: '0.0.0.0/0', egress: true });
    return b;
  }, ok],
  ['VPC-NACL', '"deny RDP 3389" before allow-all both ways: undecidable, not refused', 'L2', () => {
    const b = l2();
    const acl = new ec2.NetworkAcl(b.stack, 'Acl', { vpc: b.l2vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    acl.addEntry('DenyRdp', { ruleNumber: 50, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(3389), ruleAction: ec2.Action.DENY });
    acl.addEntry('In', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.allTraffic() });
    acl.addEntry('Out', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.allTraffic(), direction: ec2.TrafficDirection.EGRESS });
    return b;
  }, ok],
  ['VPC-NACL', 'egress denied on the port of a data store in another subnet', 'L2', () => {
    const b = l2({ url: 'jdbc:postgresql://10.0.200.10:5432/orders' });
    const acl = new ec2.NetworkAcl(b.stack, 'Acl', { vpc: b.l2vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    acl.addEntry('DenyPg', { ruleNumber: 50, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.tcpPort(5432), ruleAction: ec2.Action.DENY, direction: ec2.TrafficDirection.EGRESS });
    acl.addEntry('In', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.allTraffic() });
    acl.addEntry('Out', { ruleNumber: 100, cidr: ec2.AclCidr.anyIpv4(), traffic: ec2.AclTraffic.allTraffic(), direction: ec2.TrafficDirection.EGRESS });
    return b;
  }, refused(NetworkCheck.NETWORK_ACL)],

  // S3 route.
  ['GLUE-ERR', 'NAT routes for 0.0.0.0/1 and 128.0.0.0/1 instead of the endpoint', 'L1', () => {
    const b = l1({ noS3: true });
    const table = b.stack.node.findChild('Table') as ec2.CfnRouteTable;
    const eip = new ec2.CfnEIP(b.stack, 'Eip', { domain: 'vpc' });
    const nat = new ec2.CfnNatGateway(b.stack, 'Nat', { subnetId: 'subnet-public', allocationId: eip.attrAllocationId });
    for (const [i, cidr] of ['0.0.0.0/1', '128.0.0.0/1'].entries()) new ec2.CfnRoute(b.stack, `Half${i}`, { routeTableId: table.ref, destinationCidrBlock: cidr, natGatewayId: nat.ref });
    return b;
  }, ok],
  ['GLUE-ERR', 'NAT routes for 0.0.0.0/1 and 128.0.0.0/1 instead of the endpoint', 'L2', () => {
    const b = l2({ noS3: true });
    const eip = new ec2.CfnEIP(b.stack, 'Eip', { domain: 'vpc' });
    const nat = new ec2.CfnNatGateway(b.stack, 'Nat', { subnetId: 'subnet-public', allocationId: eip.attrAllocationId });
    for (const [i, cidr] of ['0.0.0.0/1', '128.0.0.0/1'].entries()) {
      (b.l2vpc.isolatedSubnets[0] as ec2.Subnet).addRoute(`Half${i}`, { routerType: ec2.RouterType.NAT_GATEWAY, routerId: nat.ref, destinationCidrBlock: cidr });
    }
    return b;
  }, ok],
  ['GLUE-ERR', 'no S3 endpoint and no NAT route', 'L2', () => l2({ noS3: true }), refused(NetworkCheck.S3_ROUTE)],
  ['GLUE-ERR', 'no S3 gateway endpoint but an S3 interface endpoint: undecidable, not refused', 'L1', () => {
    const b = l1({ noS3: true });
    new ec2.CfnVPCEndpoint(b.stack, 'S3Interface', { vpcId: b.vpc.ref, serviceName: `com.amazonaws.${REGION}.s3`, vpcEndpointType: 'Interface', subnetIds: [b.subnetRef] });
    return b;
  }, ok],
  ['GLUE-ERR', 'no S3 gateway endpoint but an S3 interface endpoint: undecidable, not refused', 'L2', () => {
    const b = l2({ noS3: true });
    b.l2vpc.addInterfaceEndpoint('S3Interface', { service: ec2.InterfaceVpcEndpointAwsService.S3, privateDnsEnabled: false });
    return b;
  }, ok],
  ['CN-S3', 'China: the S3 gateway endpoint named cn.com.amazonaws.cn-north-1.s3', 'L1', () => l1({ region: 'cn-north-1', s3Service: 'cn.com.amazonaws.cn-north-1.s3' }), ok],
  ['CN-S3', 'China: the S3 gateway endpoint named cn.com.amazonaws.cn-north-1.s3', 'L2', () => l2({ region: 'cn-north-1', s3Service: 'cn.com.amazonaws.cn-north-1.s3' }), ok],

  // Warnings.
  ['REPOST', 'a JDBC host outside the VPC and no NAT route: warned', 'L1', () => l1({ url: 'jdbc:postgresql://203.0.113.10:5432/orders' }),
    { errors: [], warnings: ['jdbcHostOutsideVpcWithoutNat'] }],
  ['REPOST', 'a JDBC host outside the VPC and no NAT route: warned', 'L2', () => l2({ url: 'jdbc:postgresql://203.0.113.10:5432/orders' }),
    { errors: [], warnings: ['jdbcHostOutsideVpcWithoutNat'] }],
  ['REPOST', 'a JDBC host inside the VPC: no warning', 'L2', () => l2({ url: 'jdbc:postgresql://10.0.0.10:5432/orders' }), ok],
  ['REPOST', 'SECRET_ID with neither a NAT route nor Secrets Manager and STS endpoints: warned', 'L1', () => l1({ secret: true }),
    { errors: [], warnings: ['secretWithoutNatOrEndpoints'] }],
  ['REPOST', 'SECRET_ID with only a Secrets Manager endpoint: warned', 'L2', () => {
    const b = l2({ secret: true });
    b.l2vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
    return b;
  }, { errors: [], warnings: ['secretWithoutNatOrEndpoints'] }],
  ['REPOST', 'SECRET_ID with Secrets Manager and STS endpoints: no warning', 'L2', () => {
    const b = l2({ secret: true });
    b.l2vpc.addInterfaceEndpoint('SecretsManager', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
    b.l2vpc.addInterfaceEndpoint('Sts', { service: ec2.InterfaceVpcEndpointAwsService.STS });
    return b;
  }, ok],
];

test.each(corpus)('[%s] %s (%s)', (_source, _description, _form, build, expected) => {
  expect(verdictOf(build())).toEqual(expected);
}, 30_000);

test('every correction of issue #16 has a line in both forms', () => {
  const sources = (form: 'L1' | 'L2') => new Set(corpus.filter((l) => l[2] === form).map((l) => l[0].split(',')[0]));
  for (const source of ['CFN-SG', 'GLUE-ERR', 'GLUE-NET', 'VPC-DEF', 'GLUE-PCR', 'CFN-AZS', 'VPC-NACL', 'CN-S3', 'REPOST']) {
    expect([source, sources('L1').has(source), sources('L2').has(source)]).toEqual([source, true, true]);
  }
});


describe('[GLUE-ERR] an S3 gateway endpoint defined in another stack of the app counts for the route table it names', () => {
  const env = { account: '111122223333', region: REGION };
  /** Network stack (VPC, subnet, route table, group), optional endpoint stack, data stack (connection and test). */
  function threeStacks(form: 'L1' | 'L2', withEndpoint: boolean): { errors: string[]; dataDependsOn: string[] } {
    const app = new App();
    const network = new Stack(app, 'Network', { env });
    const data = new Stack(app, 'Data', { env });
    let connection: CfnResource;
    if (form === 'L1') {
      const vpc = new ec2.CfnVPC(network, 'Vpc', { cidrBlock: '10.0.0.0/16', enableDnsSupport: true, enableDnsHostnames: true });
      const subnet = new ec2.CfnSubnet(network, 'Subnet', { vpcId: vpc.ref, cidrBlock: '10.0.1.0/24', availabilityZone: `${REGION}a` });
      const table = new ec2.CfnRouteTable(network, 'Table', { vpcId: vpc.ref });
      new ec2.CfnSubnetRouteTableAssociation(network, 'Association', { subnetId: subnet.ref, routeTableId: table.ref });
      const group = new ec2.CfnSecurityGroup(network, 'Group', { vpcId: vpc.ref, groupDescription: 'Glue connection' });
      new ec2.CfnSecurityGroupIngress(network, 'SelfRule', { groupId: group.attrGroupId, ipProtocol: 'tcp', fromPort: 0, toPort: 65535, sourceSecurityGroupId: group.attrGroupId });
      if (withEndpoint) {
        const endpoints = new Stack(app, 'Endpoints', { env });
        new ec2.CfnVPCEndpoint(endpoints, 'S3', { vpcId: vpc.ref, serviceName: `com.amazonaws.${REGION}.s3`, vpcEndpointType: 'Gateway', routeTableIds: [table.ref] });
      }
      connection = new glue.CfnConnection(data, 'Conn', {
        catalogId: data.account,
        connectionInput: {
          name: 'orders-db', connectionType: 'JDBC', connectionProperties: { JDBC_CONNECTION_URL: URL },
          physicalConnectionRequirements: { subnetId: subnet.ref, availabilityZone: `${REGION}a`, securityGroupIdList: [group.attrGroupId] },
        },
      });
    } else {
      const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const group = new ec2.SecurityGroup(network, 'Group', { vpc });
      group.addIngressRule(group, ec2.Port.allTcp());
      if (withEndpoint) new ec2.GatewayVpcEndpoint(new Stack(app, 'Endpoints', { env }), 'S3', { vpc, service: ec2.GatewayVpcEndpointAwsService.S3 });
      connection = new glue.Connection(data, 'Conn', {
        type: glue.ConnectionType.JDBC, connectionName: 'orders-db', securityGroups: [group], properties: { JDBC_CONNECTION_URL: URL },
        network: glue.ConnectionNetwork.subnet(vpc.isolatedSubnets[0]),
      }).node.defaultChild as CfnResource;
    }
    new GlueConnectionTest(data, 'Test', { connection });
    const dataDependsOn = () => data.dependencies.map((s) => s.stackName).sort();
    try {
      app.synth();
    } catch (e) {
      return { errors: (e as Error).message.split('\n').filter((l) => l.includes('[Data/Test]')).map((l) => /NetworkCheck\.(\w+)/.exec(l)?.[1] ?? l), dataDependsOn: dataDependsOn() };
    }
    return { errors: [], dataDependsOn: dataDependsOn() };
  }

  test.each(['L1', 'L2'] as const)('%s: with the endpoint stack, no finding and the test deploys after it; without it, S3_ROUTE', (form) => {
    expect(threeStacks(form, true)).toEqual({ errors: [], dataDependsOn: ['Endpoints', 'Network'] });
    expect(threeStacks(form, false).errors).toEqual([NetworkCheck.S3_ROUTE]);
  }, 60_000);
});
