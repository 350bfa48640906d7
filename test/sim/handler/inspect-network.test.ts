/**
 * The deploy-time network inspection against the local simulation's EC2: real SDK calls
 * (GlueClient, EC2Client) to the local Glue and to moto. One scenario per finding, one with
 * three findings at once, and the inspection denied.
 */
import { NetworkCheck } from '../../../lib/network/rules';
import { createClients } from '../../../core/aws';
import { Deadline } from '../../../core/deadline';
import { Inspection, inspectNetwork } from '../../../core/inspect-network';
import { buildReason } from '../../../core/reason';
import { Redactor } from '../../../core/redact';
import { child, childText, createEc2Client, Ec2Client, filters, items } from '../../../sim/ec2';
import { DEFAULT_GLUE_RATE_LIMITS, LocalAws, startLocalAws } from '../../../sim/local-aws';
import { createConnection, createNetwork, Network, NetworkOptions } from '../../../sim/seed';

let aws: LocalAws;
let ec2Query: Ec2Client;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const environment = process.env;
let seq = 0;

beforeAll(async () => {
  aws = await startLocalAws();
  // The handler's own clients (retry strategy included), configured as the handler is: from the environment.
  process.env = { ...environment, ...aws.env() };
  ec2Query = createEc2Client({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
}, 60_000);

afterAll(async () => {
  process.env = environment;
  await aws?.stop();
});

afterEach(() => {
  aws.faults = undefined;
});

/** A connection to `host` in a network made as `options` say, then changed by `change`. */
async function connectionIn(options: NetworkOptions, change: (network: Network) => Promise<void> = async () => undefined,
  extra: { availabilityZone?: string; host?: string } = {}): Promise<{ name: string; network: Network }> {
  const network = await createNetwork(aws, options);
  await change(network);
  const name = `inspected-${++seq}`;
  await createConnection(aws, {
    name, jdbcUrl: `jdbc:postgresql://${extra.host ?? 'orders.internal'}:5432/orders`, credentials: { username: 'app', password: 'pw' },
    network, availabilityZone: extra.availabilityZone,
  });
  return { name, network };
}

async function inspect(name: string, budgetMs = 30_000): Promise<Inspection> {
  const deadline = new Deadline(budgetMs);
  const clients = createClients(deadline, quiet);
  try {
    return await inspectNetwork({ connectionName: name, region: aws.region }, clients, deadline);
  } finally {
    deadline.dispose();
    clients.destroy();
  }
}

const checksOf = (inspection: Inspection) => inspection.verdict?.findings.map((f) => f.check);

test('a path as Glue requires it: no finding, every check decided', async () => {
  const { name, network } = await connectionIn({});

  const inspection = await inspect(name);

  expect(inspection.subnetId).toBe(network.subnetId);
  expect(inspection.gaps).toEqual([]);
  expect(inspection.verdict?.findings).toEqual([]);
  expect(inspection.verdict?.satisfied).toEqual(expect.arrayContaining([
    NetworkCheck.S3_ROUTE, NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS, NetworkCheck.AVAILABILITY_ZONE,
    NetworkCheck.FREE_IP_ADDRESSES, NetworkCheck.DNS_ATTRIBUTES, NetworkCheck.NETWORK_ACL,
  ]));
});

test('a NAT gateway route satisfies the S3 check', async () => {
  const { name } = await connectionIn({ s3Route: 'nat-gateway' });

  expect(checksOf(await inspect(name))).toEqual([]);
});

test('no S3 gateway endpoint and no NAT route: the finding names the route table of the subnet', async () => {
  const { name, network } = await connectionIn({ s3Route: 'none' });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({
    check: NetworkCheck.S3_ROUTE,
    resource: network.routeTableId,
    fix: `add an S3 gateway endpoint (com.amazonaws.${aws.region}.s3) to route table ${network.routeTableId}, or a 0.0.0.0/0 route to a NAT gateway`,
  })]);
});

test('a subnet without a route table of its own is checked against the VPC\'s main route table', async () => {
  const { name, network } = await connectionIn({ s3Route: 'none' }, async (n) => {
    const table = items(await ec2Query.call('DescribeRouteTables', filters({ 'association.subnet-id': n.subnetId })), 'routeTableSet')[0];
    const association = items(table, 'associationSet').find((a) => childText(a, 'subnetId') === n.subnetId);
    await ec2Query.call('DisassociateRouteTable', { AssociationId: childText(association, 'routeTableAssociationId') as string });
  });
  const main = childText(items(await ec2Query.call('DescribeRouteTables', filters({ 'vpc-id': network.vpcId, 'association.main': 'true' })), 'routeTableSet')[0], 'routeTableId');

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({ check: NetworkCheck.S3_ROUTE, resource: main })]);
  expect(main).not.toBe(network.routeTableId);
});

test('no self-referencing inbound rule: the finding names the security group', async () => {
  const { name, network } = await connectionIn({ selfReferencingRule: false });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({
    check: NetworkCheck.SELF_REFERENCING_INGRESS, resource: network.securityGroupId,
    fix: `add to ${network.securityGroupId} an inbound rule: All TCP, ports 0-65535, source ${network.securityGroupId} itself`,
  })]);
});

test('no open egress: the finding names the security group and asks for an outbound rule', async () => {
  const { name, network } = await connectionIn({}, async (n) => {
    await ec2Query.call('RevokeSecurityGroupEgress', { GroupId: n.securityGroupId, 'IpPermissions.1.IpProtocol': '-1', 'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0' });
  });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({ check: NetworkCheck.ALL_EGRESS, resource: network.securityGroupId })]);
  expect(inspection.verdict?.findings[0].fix).toContain('outbound rule');
});

test('an AvailabilityZone other than the subnet\'s: the finding names both zones', async () => {
  const { name, network } = await connectionIn({}, undefined, { availabilityZone: `${aws.region}b` });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({
    check: NetworkCheck.AVAILABILITY_ZONE, resource: network.subnetId,
    fix: `set the connection's PhysicalConnectionRequirements.AvailabilityZone to ${network.availabilityZone}, the subnet's zone`,
  })]);
});

test('a subnet out of free IP addresses: the finding names the subnet', async () => {
  const { name, network } = await connectionIn({}, async (n) => {
    // 10.0.1.0/24 has 251 addresses for network interfaces once EC2 keeps its five.
    const free = Number(childText(items(await ec2Query.call('DescribeSubnets', { 'SubnetId.1': n.subnetId }), 'subnetSet')[0], 'availableIpAddressCount'));
    for (let i = 0; i < free; i++) await ec2Query.call('CreateNetworkInterface', { SubnetId: n.subnetId });
  });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({ check: NetworkCheck.FREE_IP_ADDRESSES, resource: network.subnetId })]);
}, 60_000);

test('DNS host names switched off, for a data store named by host name: the finding names the VPC', async () => {
  const { name, network } = await connectionIn({ dnsHostnames: false });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({
    check: NetworkCheck.DNS_ATTRIBUTES, resource: network.vpcId, fix: `enable enableDnsHostnames on VPC ${network.vpcId}`,
  })]);
});

test('DNS host names switched off do not matter for a data store named by IP address', async () => {
  const { name } = await connectionIn({ dnsHostnames: false }, undefined, { host: '10.0.1.17' });

  expect(checksOf(await inspect(name))).toEqual([]);
});

test('a network ACL that denies everything: the finding names the ACL and the traffic', async () => {
  let aclId = '';
  const { name } = await connectionIn({}, async (n) => {
    aclId = childText(child(await ec2Query.call('CreateNetworkAcl', { VpcId: n.vpcId }), 'networkAcl'), 'networkAclId') as string;
    const current = items(await ec2Query.call('DescribeNetworkAcls', filters({ 'association.subnet-id': n.subnetId })), 'networkAclSet')[0];
    const association = items(current, 'associationSet').find((a) => childText(a, 'subnetId') === n.subnetId);
    await ec2Query.call('ReplaceNetworkAclAssociation', { AssociationId: childText(association, 'networkAclAssociationId') as string, NetworkAclId: aclId });
  });

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([expect.objectContaining({ check: NetworkCheck.NETWORK_ACL, resource: aclId })]);
  const fix = inspection.verdict?.findings[0].fix;
  expect(fix).toMatch(new RegExp(`^allow .* in network ACL ${aclId}$`));
  // orders.internal may share the subnet (its traffic would not cross the ACL): only S3's traffic is named.
  expect(fix).toBe(`allow outbound HTTPS (TCP 443) to Amazon S3, inbound return traffic (TCP 1024-65535) from Amazon S3 in network ACL ${aclId}`);
});

test('three broken pieces at once: all three found, in the rules\' order, and the reason holds them all', async () => {
  const { name, network } = await connectionIn({ s3Route: 'none', selfReferencingRule: false, dnsHostnames: false });

  const inspection = await inspect(name);

  expect(checksOf(inspection)).toEqual([NetworkCheck.S3_ROUTE, NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.DNS_ATTRIBUTES]);
  const glueError = Object.assign(new Error('At least one security group must open all ingress ports. To limit traffic, the source security group in your '
    + 'inbound rule can be restricted to the same security group.'), { name: 'InvalidInputException' });
  const reason = buildReason(glueError, { connectionName: name }, new Redactor(), inspection);
  expect(reason.length).toBeLessThanOrEqual(1000);
  expect(reason).toContain('InvalidInputException: At least one security group must open all ingress ports');
  // Glue's message points at the security group: that finding comes first.
  expect(reason).toContain(` Fix: add to ${network.securityGroupId} an inbound rule: All TCP, ports 0-65535, source ${network.securityGroupId} itself; `
    + `add an S3 gateway endpoint (com.amazonaws.${aws.region}.s3) to route table ${network.routeTableId}, or a 0.0.0.0/0 route to a NAT gateway; `
    + `enable enableDnsHostnames on VPC ${network.vpcId}.`);
});

test('the route table denied to the inspection: its check is undecidable, the rest still decided, and the reason says what to allow', async () => {
  const { name } = await connectionIn({ s3Route: 'none', selfReferencingRule: false });
  aws.faults = (service, operation) => (service === 'ec2' && operation === 'DescribeRouteTables'
    ? { kind: 'error', status: 403, errorType: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } : undefined);

  const inspection = await inspect(name);

  expect(inspection.gaps).toEqual([{ action: 'ec2:DescribeRouteTables', error: 'UnauthorizedOperation', denied: true }]);
  expect(inspection.verdict?.undecidable).toContain(NetworkCheck.S3_ROUTE);
  expect(checksOf(inspection)).toEqual([NetworkCheck.SELF_REFERENCING_INGRESS]);
});

test('the inspection denied altogether: no verdict, and the reason keeps Glue\'s message and the catalogue\'s fix, and says what to allow', async () => {
  const { name, network } = await connectionIn({ s3Route: 'none' });
  aws.faults = (service) => (service === 'ec2'
    ? { kind: 'error', status: 403, errorType: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } : undefined);

  const inspection = await inspect(name);

  expect(inspection.verdict?.findings).toEqual([]);
  expect(new Set(inspection.gaps.map((g) => g.action))).toEqual(new Set([
    'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
  ]));
  const message = `VPC S3 endpoint validation failed for SubnetId: ${network.subnetId}. VPC: ${network.vpcId}. Reason: Could not find S3 endpoint or NAT gateway `
    + `for subnetId: ${network.subnetId} in Vpc ${network.vpcId}`;
  const reason = buildReason(Object.assign(new Error(message), { name: 'InvalidInputException' }), { connectionName: name }, new Redactor(), inspection);
  expect(reason).toBe(`Glue connection "${name}" failed its test (network): InvalidInputException: ${message}. `
    + `Fix: add an S3 gateway endpoint to the route table of ${network.subnetId}, or a route 0.0.0.0/0 to a NAT gateway. `
    + 'The network inspection was denied ec2:DescribeSecurityGroups, ec2:DescribeSubnets: allow them with '
    + "test.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets'], resources: ['*'] })) to have the broken piece named.");
});

test('GetConnection denied: nothing inspected, and the gap names glue:GetConnection', async () => {
  const { name } = await connectionIn({});
  aws.faults = (service, operation) => (service === 'glue' && operation === 'GetConnection'
    ? { kind: 'error', status: 400, errorType: 'AccessDeniedException', message: 'User is not authorized to perform: glue:GetConnection' } : undefined);

  const inspection = await inspect(name);

  expect(inspection).toEqual({ gaps: [{ action: 'glue:GetConnection', error: 'AccessDeniedException', denied: true }] });
});

test('a connection without a VPC is not inspected', async () => {
  const name = `no-vpc-${++seq}`;
  await createConnection(aws, { name, jdbcUrl: 'jdbc:postgresql://orders.internal:5432/orders', credentials: { username: 'app', password: 'pw' } });
  aws.clearRequests();

  expect(await inspect(name)).toEqual({ gaps: [] });
  // GetConnection only (retried if the local Glue throttled it), and nothing of EC2.
  expect(new Set(aws.requests.map((r) => `${r.service}:${r.operation}`))).toEqual(new Set(['glue:GetConnection']));
});

test('it runs within the time left: a stalled EC2 leaves gaps, not a hung handler', async () => {
  const { name } = await connectionIn({});
  aws.faults = (service) => (service === 'ec2' ? { kind: 'delay', ms: 5_000 } : undefined);
  // Full buckets: the earlier tests' GetConnections may have spent the local Glue's rate limit,
  // and a 1 s budget leaves no time to retry a throttled one (that is another test's subject).
  aws.setGlueRateLimits(DEFAULT_GLUE_RATE_LIMITS);

  const inspection = await inspect(name, 1_000);

  expect(inspection.gaps.length).toBeGreaterThan(0);
  expect(inspection.gaps.filter((g) => g.error !== 'DeadlineExceeded' || g.denied)).toEqual([]);
});
