/**
 * The handler's wiring of the network inspection, with aws-sdk-client-mock: when it runs, what
 * it asks EC2, what reaches the reason and the log, and that it never changes the outcome.
 */
import {
  DescribeNatGatewaysCommand, DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand,
  DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { GetConnectionCommand, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  awsError, captureConsole, createEvent, ec2Mock, failureOf, glueMock, jdbcDefinition, PHYSICAL_ID, resetMocks, run, secretsMock,
} from './handler-helpers';
import { expectMessage, expectReason } from '../messages';

const log = captureConsole();
afterEach(() => resetMocks());
// Lambda sets AWS_REGION; the inspection's fix names the region's S3 endpoint service.
const region = process.env.AWS_REGION;
beforeAll(() => {
  process.env.AWS_REGION = 'eu-west-1';
});
afterAll(() => {
  if (region === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = region;
});

const SUBNET = 'subnet-0abc1234def567890';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const GROUP = 'sg-0123456789abcdef0';
const ROUTE_TABLE = 'rtb-0fedcba9876543210';
const ACL = 'acl-0a1b2c3d4e5f60718';
const BY_NAME = { ConnectionName: 'orders-db' };
const S3_MESSAGE = `VPC S3 endpoint validation failed for SubnetId: ${SUBNET}. VPC: ${VPC}. Reason: Could not find S3 endpoint or NAT gateway for subnetId: ${SUBNET} in Vpc ${VPC}`;

/** EC2 answers for a path whose route table reaches S3 only if `s3`, and whose group refers to itself only if `selfRule`. */
function path({ s3 = true, selfRule = true } = {}): void {
  glueMock.on(GetConnectionCommand).resolves({
    Connection: {
      Name: 'orders-db', ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders' },
      PhysicalConnectionRequirements: { SubnetId: SUBNET, SecurityGroupIdList: [GROUP], AvailabilityZone: 'eu-west-1a' },
    },
  });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, VpcId: VPC, AvailabilityZone: 'eu-west-1a', CidrBlock: '10.0.1.0/24', AvailableIpAddressCount: 250 }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{
      GroupId: GROUP,
      IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: selfRule ? GROUP : 'sg-0999999999999999a' }] }],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }],
  });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [{
      RouteTableId: ROUTE_TABLE,
      Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
        ...(s3 ? [{ DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-0123456789abcdef0', State: 'active' as const }] : [])],
    }],
  });
  ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: s3 ? [{ VpcEndpointId: 'vpce-0123456789abcdef0', ServiceName: 'com.amazonaws.eu-west-1.s3', VpcEndpointType: 'Gateway', RouteTableIds: [ROUTE_TABLE] }] : [],
  });
  ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
  ec2Mock.on(DescribeNetworkAclsCommand).resolves({
    NetworkAcls: [{
      NetworkAclId: ACL,
      Entries: [
        { RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
        { RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
      ],
    }],
  });
  ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' }).resolves({ EnableDnsSupport: { Value: true } });
  ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: true } });
}

test('golden: a network failure of a named connection: the inspection asks EC2 about exactly its path, and the reason names the route table', async () => {
  path({ s3: false });
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));

  const error = await failureOf(createEvent(BY_NAME));

  expect(glueMock).toHaveReceivedCommandWith(GetConnectionCommand, { Name: 'orders-db', HidePassword: true });
  expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, { SubnetIds: [SUBNET] });
  expect(ec2Mock).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, { GroupIds: [GROUP] });
  expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'association.subnet-id', Values: [SUBNET] }] });
  expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkAclsCommand, { Filters: [{ Name: 'association.subnet-id', Values: [SUBNET] }] });
  expect(error.message).toBe(`Glue connection "orders-db" failed its test (network): InvalidInputException: ${S3_MESSAGE}. `
    + `Fix: add an S3 gateway endpoint (com.amazonaws.eu-west-1.s3) to route table ${ROUTE_TABLE}, or a 0.0.0.0/0 route to a NAT gateway.`);
});

test('the whole verdict is logged: findings, undecidable and satisfied checks, gaps', async () => {
  path({ s3: false, selfRule: false });
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));

  await failureOf(createEvent(BY_NAME));

  const record = log.records().find((r) => r.message === 'network inspection');
  expect(record).toMatchObject({ level: 'ERROR', subnet: SUBNET, gaps: '', undecidable: 'DATA_STORE_ADMITS_CONNECTION' });
  expect(JSON.parse(record?.findings as string).map((f: { check: string }) => f.check)).toEqual(['S3_ROUTE', 'SELF_REFERENCING_INGRESS']);
});

test('a credential failure is not inspected', async () => {
  path();
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'FATAL: password authentication failed for user "app"'));

  await failureOf(createEvent(BY_NAME));

  expect(ec2Mock.calls()).toHaveLength(0);
  expect(glueMock).not.toHaveReceivedCommand(GetConnectionCommand);
});

test('a test by TestConnectionInput (no VPC) is not inspected', async () => {
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"pw"}' });
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Unable to connect to orders.internal:5432: Connection refused.'));

  await failureOf(createEvent(jdbcDefinition()));

  expect(ec2Mock.calls()).toHaveLength(0);
});

test('NetworkInspection DISABLED: a network failure keeps the catalogue\'s fix and calls no EC2 API', async () => {
  path({ s3: false });
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));

  const error = await failureOf(createEvent({ ...BY_NAME, NetworkInspection: 'DISABLED' }));

  expect(ec2Mock.calls()).toHaveLength(0);
  expect(error.message).toMatch(/ Fix: add an S3 gateway endpoint to the route table of subnet-0abc1234def567890, or a route 0\.0\.0\.0\/0 to a NAT gateway\.$/);
});

test('a passed test stays passed, whatever the inspection would say, and calls no EC2 API by default', async () => {
  path({ s3: false });
  glueMock.on(TestConnectionCommand).resolves({});

  const answer = await run(createEvent(BY_NAME));

  expect(answer).toMatchObject({ PhysicalResourceId: PHYSICAL_ID, Data: { Result: 'PASSED' } });
  expect(ec2Mock.calls()).toHaveLength(0);
});

test('the inspection denied: the test still fails with Glue\'s message and the catalogue\'s fix, and the reason names what to allow', async () => {
  path();
  ec2Mock.on(DescribeSubnetsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));

  const error = await failureOf(createEvent(BY_NAME));

  // The catalogue's fix (the subnet), since the inspection could not name the route table; the action it was denied, and how to grant it.
  expectReason(error.message, { subject: 'Glue connection "orders-db"', category: 'network', error: 'InvalidInputException', message: [S3_MESSAGE], fix: [SUBNET] });
  expect(error.message).toMatch(/ec2:DescribeSubnets[^.]*test\.grantPrincipal\.addToPrincipalPolicy\(new iam\.PolicyStatement\(\{ actions: \['ec2:DescribeSubnets'\], resources: \['\*'\] \}\)\)/);
});

test('the inspection throttled past the SDK\'s retries: the reason says what could not be read', async () => {
  path();
  ec2Mock.on(DescribeNetworkAclsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
  glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));

  const error = await failureOf(createEvent(BY_NAME));

  expect(error.message).toMatch(/ec2:DescribeNetworkAcls \(RequestLimitExceeded\)/);
});

describe('NetworkInspection BEFORE_TEST', () => {
  test('a path Glue refuses fails at once, without TestConnection, naming what to change', async () => {
    path({ selfRule: false });

    const error = await failureOf(createEvent({ ...BY_NAME, NetworkInspection: 'BEFORE_TEST' }));

    expect(glueMock).not.toHaveReceivedCommand(TestConnectionCommand);
    expectReason(error.message, { subject: 'Glue connection "orders-db"', category: 'network', error: 'NetworkPathBroken', fix: [GROUP, '0-65535'] });
  });

  test('a sound path is tested as usual, and inspected only once', async () => {
    path();
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', 'Unable to connect to orders.internal:5432: Connection refused.'));

    const error = await failureOf(createEvent({ ...BY_NAME, NetworkInspection: 'BEFORE_TEST' }));

    expect(glueMock).toHaveReceivedCommandTimes(TestConnectionCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSubnetsCommand, 1);
    expect(error.message).toMatch(new RegExp(`nothing wrong[^.]*${SUBNET}`));
  });

  test('a finding Glue does not itself refuse never fails a test that passes', async () => {
    path();
    ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: false } });
    glueMock.on(TestConnectionCommand).resolves({});

    const answer = await run(createEvent({ ...BY_NAME, NetworkInspection: 'BEFORE_TEST' }));

    expect(answer.Data?.Result).toBe('PASSED');
    expect(log.records().find((r) => r.message === 'network inspection')).toMatchObject({ level: 'WARN' });
  });
});

describe('the deploy-time reader\'s reading of what EC2 answers (issue #16)', () => {
  /** The network inspection's log record after a network failure of the path as `change` leaves it. */
  async function inspected(change: () => void): Promise<{ findings: string[]; undecidable: string; satisfied: string }> {
    path({ s3: false });
    change();
    glueMock.on(TestConnectionCommand).rejects(awsError('InvalidInputException', S3_MESSAGE));
    await failureOf(createEvent(BY_NAME));
    const record = log.records().find((r) => r.message === 'network inspection') as Record<string, string>;
    return { findings: JSON.parse(record.findings).map((f: { check: string }) => f.check), undecidable: record.undecidable, satisfied: record.satisfied };
  }
  const routes = (...extra: object[]) => ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [{ RouteTableId: ROUTE_TABLE, Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' }, ...extra] }],
  });

  test('a vpce- route to an endpoint DescribeVpcEndpoints does not list (a Gateway Load Balancer endpoint) makes the route table incomplete: undecidable, not a finding', async () => {
    const verdict = await inspected(() => routes({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'vpce-0feedfacefeedface', State: 'active' }));
    expect(verdict.findings).not.toContain('S3_ROUTE');
    expect(verdict.undecidable).toContain('S3_ROUTE');
  });

  test('China\'s S3 service name (cn.com.amazonaws.<region>.s3) is an S3 gateway endpoint', async () => {
    const verdict = await inspected(() => {
      routes({ DestinationPrefixListId: 'pl-1', GatewayId: 'vpce-0123456789abcdef0', State: 'active' });
      ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
        VpcEndpoints: [{ VpcEndpointId: 'vpce-0123456789abcdef0', ServiceName: 'cn.com.amazonaws.cn-north-1.s3', VpcEndpointType: 'Gateway', RouteTableIds: [ROUTE_TABLE] }],
      });
    });
    expect(verdict.satisfied).toContain('S3_ROUTE');
  });

  test('an S3 interface endpoint and no route: S3_ROUTE undecidable; DescribeVpcEndpoints asked for every endpoint type of the VPC', async () => {
    const verdict = await inspected(() => ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [{ VpcEndpointId: 'vpce-0aaaabbbbccccdddd', ServiceName: 'com.amazonaws.eu-west-1.s3', VpcEndpointType: 'Interface', PrivateDnsEnabled: false }],
    }));
    expect(verdict.findings).not.toContain('S3_ROUTE');
    expect(verdict.undecidable).toContain('S3_ROUTE');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcEndpointsCommand, { Filters: [{ Name: 'vpc-id', Values: [VPC] }] });
  });

  test('a connection with a subnet and no AvailabilityZone is a finding (Glue: "Unable to resolve any valid connection")', async () => {
    const verdict = await inspected(() => glueMock.on(GetConnectionCommand).resolves({
      Connection: {
        Name: 'orders-db', ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders' },
        PhysicalConnectionRequirements: { SubnetId: SUBNET, SecurityGroupIdList: [GROUP] },
      },
    }));
    expect(verdict.findings).toContain('AVAILABILITY_ZONE');
  });

  test('egress to ::/0 only opens nothing for Glue\'s IPv4 interfaces', async () => {
    const verdict = await inspected(() => ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{
        GroupId: GROUP,
        IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: GROUP }] }],
        IpPermissionsEgress: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
      }],
    }));
    expect(verdict.findings).toContain('ALL_EGRESS');
  });
});

test('an unknown NetworkInspection value is refused, naming the property and what is allowed', async () => {
  const error = await failureOf(createEvent({ ...BY_NAME, NetworkInspection: 'SOMETIMES' }));

  expectMessage(error.message, 'PropertyError: NetworkInspection:', 'ON_FAILURE, BEFORE_TEST, DISABLED', '(got "SOMETIMES")');
});
