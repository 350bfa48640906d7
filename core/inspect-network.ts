/**
 * The deploy-time reader of Glue's network rules (lib/network/rules.ts, docs/decisions.md, decision 10):
 * it reads a connection's network path from Glue's GetConnection and EC2's Describe APIs, fills
 * the rules' NetworkPath model, and lets the rules name what is broken. The synth-time reader
 * fills the same model from the app; neither knows the rules.
 *
 * | call                                       | what it fills                                      |
 * | ------------------------------------------ | -------------------------------------------------- |
 * | glue:GetConnection                         | subnet, security groups, AZ, the data store's host |
 * | ec2:DescribeSubnets                        | the subnet's AZ, CIDR, free addresses, its VPC     |
 * | ec2:DescribeSecurityGroups                 | the connection's groups and their rules            |
 * | ec2:DescribeRouteTables                    | the subnet's route table (or the VPC's main one)   |
 * | ec2:DescribeVpcEndpoints                   | which vpce- routes lead to S3; the interface ones  |
 * | ec2:DescribeNatGateways                    | whether a NAT route leads to a live NAT gateway    |
 * | ec2:DescribeNetworkAcls                    | the subnet's network ACL                           |
 * | ec2:DescribeVpcAttribute (x2)              | enableDnsSupport, enableDnsHostnames               |
 *
 * A call that fails (denied, throttled past the SDK's retries, out of time) leaves its part of
 * the model unknown, and the rules that need it undecidable: the inspection never invents a
 * finding, and it never changes the test's outcome. What it could not read is reported, with
 * the action that was missing.
 */
import {
  DescribeNatGatewaysCommand, DescribeNetworkAclsCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand, EC2Client, IpPermission,
  NetworkAcl as Ec2NetworkAcl, RouteTable as Ec2RouteTable, SecurityGroup as Ec2SecurityGroup, VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { GetConnectionCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  checkNetworkPath, isS3ServiceName, NetworkAcl, NetworkPath, PathVerdict, Route, RouteTable, RouteTargetKind, SecurityGroup,
  SecurityGroupRule,
} from '../lib/network/rules';
import { parseJdbcUrl } from '../lib/contract/jdbc-url';
import { Deadline } from './deadline';
import { errorMessage, errorName } from './reason';

/** What the inspection came to. */
export interface Inspection {
  /** The connection's subnet; undefined when the connection has no VPC (then nothing was inspected). */
  readonly subnetId?: string;
  /** The rules' verdict on what could be read; undefined when nothing could be. */
  readonly verdict?: PathVerdict;
  /** What could not be read, each naming the call and why: `ec2:DescribeNetworkAcls (UnauthorizedOperation)`. */
  readonly gaps: readonly Gap[];
}

/** One call that failed. */
export interface Gap {
  /** The IAM action of the call: `ec2:DescribeNetworkAcls`. */
  readonly action: string;
  /** The error's name: `UnauthorizedOperation`, `RequestLimitExceeded`, `DeadlineExceeded`... */
  readonly error: string;
  /** Whether the caller lacks the permission (then a grant fixes it). */
  readonly denied: boolean;
}

export interface InspectionTarget {
  readonly connectionName: string;
  readonly catalogId?: string;
  readonly region?: string;
}

/** The longest the inspection may take, whatever is left of the test's deadline. */
export const INSPECTION_BUDGET_MS = 20_000;

const DENIED = /AccessDenied|UnauthorizedOperation|Unauthorized|AuthFailure|not authorized/i;

/**
 * Reads the connection's network path and checks it. Never throws: a failed read is a gap, and
 * a failed GetConnection an inspection without a verdict.
 */
export async function inspectNetwork(
  target: InspectionTarget, clients: { glue: GlueClient; ec2: EC2Client }, deadline: Deadline, reserveMs = 0,
): Promise<Inspection> {
  const gaps: Gap[] = [];
  // At most INSPECTION_BUDGET_MS, and never the time `reserveMs` keeps for the steps after it.
  const budget = new Deadline(Math.max(0, Math.min(INSPECTION_BUDGET_MS, deadline.remainingMs() - reserveMs)));
  const read = async <T>(action: string, call: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> => {
    try {
      return await budget.run(action, () => call(budget.signal));
    } catch (e) {
      gaps.push({ action, error: errorName(e), denied: DENIED.test(errorName(e)) || DENIED.test(errorMessage(e)) });
      return undefined;
    }
  };
  try {
    const { glue, ec2 } = clients;
    const connection = (await read('glue:GetConnection', (abortSignal) => glue.send(new GetConnectionCommand({
      Name: target.connectionName, CatalogId: target.catalogId, HidePassword: true,
    }), { abortSignal })))?.Connection;
    if (!connection) return { gaps };
    const physical = connection.PhysicalConnectionRequirements;
    const subnetId = physical?.SubnetId;
    if (!subnetId) return { gaps };
    const groupIds = physical?.SecurityGroupIdList ?? [];

    const [subnets, groups] = await Promise.all([
      read('ec2:DescribeSubnets', (abortSignal) => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }), { abortSignal })),
      groupIds.length === 0 ? Promise.resolve({ SecurityGroups: [] })
        : read('ec2:DescribeSecurityGroups', (abortSignal) => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }), { abortSignal })),
    ]);
    const subnet = subnets?.Subnets?.[0];
    const vpcId = subnet?.VpcId;

    const [routeTable, endpoints, natGateways, acl, dnsSupport, dnsHostnames] = vpcId === undefined ? [] : await Promise.all([
      read('ec2:DescribeRouteTables', (abortSignal) => routeTableOf(ec2, subnetId, vpcId, abortSignal)),
      read('ec2:DescribeVpcEndpoints', (abortSignal) => ec2.send(new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
      }), { abortSignal }).then((r) => r.VpcEndpoints ?? [])),
      read('ec2:DescribeNatGateways', (abortSignal) => ec2.send(new DescribeNatGatewaysCommand({
        Filter: [{ Name: 'vpc-id', Values: [vpcId] }],
      }), { abortSignal }).then((r) => r.NatGateways ?? [])),
      read('ec2:DescribeNetworkAcls', (abortSignal) => ec2.send(new DescribeNetworkAclsCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }],
      }), { abortSignal }).then((r) => r.NetworkAcls?.[0])),
      read('ec2:DescribeVpcAttribute', (abortSignal) => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }), { abortSignal })
        .then((r) => r.EnableDnsSupport?.Value)),
      read('ec2:DescribeVpcAttribute', (abortSignal) => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }), { abortSignal })
        .then((r) => r.EnableDnsHostnames?.Value)),
    ]);

    const store = dataStoreOf(connection.ConnectionProperties ?? {});
    const path: NetworkPath = {
      connectionLabel: target.connectionName,
      region: target.region,
      // A connection with a subnet and no AvailabilityZone is the connection's omission, not an unknown.
      availabilityZone: physical?.AvailabilityZone || null,
      subnet: {
        key: subnetId,
        label: subnetId,
        availabilityZone: subnet?.AvailabilityZone,
        cidrBlock: subnet?.CidrBlock,
        availableIpAddressCount: subnet?.AvailableIpAddressCount,
        routeTable: routeTable && modelRouteTable(routeTable, endpoints?.filter((e) => e.VpcEndpointType === 'Gateway'), natGateways),
        networkAcl: acl && modelAcl(acl),
      },
      securityGroups: groups?.SecurityGroups && {
        items: groupIds.map((id) => groups.SecurityGroups!.find((g) => g.GroupId === id)).filter((g): g is Ec2SecurityGroup => g !== undefined).map(modelGroup),
        complete: groupIds.every((id) => groups.SecurityGroups!.some((g) => g.GroupId === id)),
      },
      vpc: vpcId === undefined ? undefined : {
        key: vpcId, label: vpcId, enableDnsSupport: dnsSupport, enableDnsHostnames: dnsHostnames,
        interfaceEndpoints: endpoints && {
          items: endpoints.filter((e) => e.VpcEndpointType === 'Interface').map((e) => ({
            key: e.VpcEndpointId ?? 'an interface endpoint', label: e.VpcEndpointId ?? 'an interface endpoint', serviceName: e.ServiceName, privateDnsEnabled: e.PrivateDnsEnabled,
          })),
          complete: true,
        },
      },
      dataStore: store,
    };
    return { subnetId, verdict: checkNetworkPath(path), gaps };
  } finally {
    budget.dispose();
  }
}

/** The subnet's explicitly associated route table, or else the VPC's main one (EC2's rule). */
async function routeTableOf(ec2: EC2Client, subnetId: string, vpcId: string, abortSignal: AbortSignal): Promise<Ec2RouteTable | undefined> {
  const associated = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }), { abortSignal });
  if (associated.RouteTables?.[0]) return associated.RouteTables[0];
  const main = await ec2.send(new DescribeRouteTablesCommand({
    Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }],
  }), { abortSignal });
  return main.RouteTables?.[0];
}

/**
 * A route table in the rules' terms. A gateway endpoint shows as a route to `vpce-...` (with a
 * prefix-list destination) and in the endpoint's RouteTableIds; either counts. A `vpce-` route
 * whose endpoint is not among the VPC's gateway endpoints (DescribeVpcEndpoints denied, or a
 * Gateway Load Balancer endpoint in front of a firewall) leads somewhere unknown, so the list is
 * incomplete: undecidable, never a finding. A NAT route counts as live only when its NAT gateway
 * is `available` (when known).
 */
function modelRouteTable(table: Ec2RouteTable, endpoints: VpcEndpoint[] | undefined, natGateways: { NatGatewayId?: string; State?: string }[] | undefined): RouteTable {
  const id = table.RouteTableId ?? 'the route table';
  const isS3 = (endpoint: VpcEndpoint | undefined) => endpoint !== undefined && isS3ServiceName(endpoint.ServiceName);
  let complete = true;
  const routes: Route[] = (table.Routes ?? []).map((r): Route => {
    const active = r.State === undefined ? undefined : r.State === 'active';
    const cidr = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock;
    if (r.NatGatewayId) {
      const nat = natGateways?.find((n) => n.NatGatewayId === r.NatGatewayId);
      return { target: RouteTargetKind.NAT_GATEWAY, targetLabel: r.NatGatewayId, destinationCidr: cidr, active: nat ? active !== false && nat.State === 'available' : active };
    }
    if (r.GatewayId?.startsWith('vpce-')) {
      const endpoint = endpoints?.find((e) => e.VpcEndpointId === r.GatewayId);
      if (!endpoint) {
        complete = false;
        return { target: RouteTargetKind.OTHER, targetLabel: r.GatewayId, destinationCidr: cidr, active };
      }
      return { target: isS3(endpoint) ? RouteTargetKind.S3_GATEWAY_ENDPOINT : RouteTargetKind.OTHER_GATEWAY_ENDPOINT, targetLabel: r.GatewayId, destinationCidr: cidr, active };
    }
    if (r.GatewayId === 'local') return { target: RouteTargetKind.LOCAL, destinationCidr: cidr, active };
    if (r.GatewayId?.startsWith('igw-')) return { target: RouteTargetKind.INTERNET_GATEWAY, targetLabel: r.GatewayId, destinationCidr: cidr, active };
    if (r.TransitGatewayId) return { target: RouteTargetKind.TRANSIT_GATEWAY, targetLabel: r.TransitGatewayId, destinationCidr: cidr, active };
    if (r.VpcPeeringConnectionId) return { target: RouteTargetKind.VPC_PEERING, targetLabel: r.VpcPeeringConnectionId, destinationCidr: cidr, active };
    if (r.InstanceId || r.NetworkInterfaceId) return { target: RouteTargetKind.INSTANCE, targetLabel: r.InstanceId ?? r.NetworkInterfaceId, destinationCidr: cidr, active };
    return { target: RouteTargetKind.OTHER, targetLabel: r.GatewayId ?? r.CarrierGatewayId ?? r.LocalGatewayId, destinationCidr: cidr, active };
  });
  // Endpoints associated with the table whose route is not (yet) in its answer.
  for (const endpoint of endpoints ?? []) {
    if (endpoint.RouteTableIds?.includes(id) && !routes.some((r) => r.targetLabel === endpoint.VpcEndpointId)) {
      routes.push({ target: isS3(endpoint) ? RouteTargetKind.S3_GATEWAY_ENDPOINT : RouteTargetKind.OTHER_GATEWAY_ENDPOINT, targetLabel: endpoint.VpcEndpointId });
    }
  }
  return { key: id, label: id, routes: { items: routes, complete } };
}

function modelGroup(group: Ec2SecurityGroup): SecurityGroup {
  const id = group.GroupId ?? 'a security group';
  return {
    key: id,
    label: id,
    ingress: { items: (group.IpPermissions ?? []).flatMap(modelRules), complete: true },
    egress: { items: (group.IpPermissionsEgress ?? []).flatMap(modelRules), complete: true },
  };
}

/** One EC2 permission holds many peers; the rules want one rule per peer. */
function modelRules(permission: IpPermission): SecurityGroupRule[] {
  const base = { ipProtocol: permission.IpProtocol ?? '-1', fromPort: permission.FromPort, toPort: permission.ToPort };
  return [
    ...(permission.UserIdGroupPairs ?? []).map((p) => ({ ...base, peer: { groupKey: p.GroupId } })),
    ...(permission.IpRanges ?? []).map((r) => ({ ...base, peer: { cidr: r.CidrIp } })),
    ...(permission.Ipv6Ranges ?? []).map((r) => ({ ...base, peer: { cidr: r.CidrIpv6 } })),
    ...(permission.PrefixListIds ?? []).map((p) => ({ ...base, peer: { prefixListId: p.PrefixListId } })),
  ];
}

function modelAcl(acl: Ec2NetworkAcl): NetworkAcl {
  const id = acl.NetworkAclId ?? 'the network ACL';
  return {
    key: id,
    label: id,
    entries: {
      items: (acl.Entries ?? []).map((e) => ({
        ruleNumber: e.RuleNumber ?? 32767,
        egress: e.Egress === true,
        protocol: e.Protocol ?? '-1',
        allow: e.RuleAction === 'allow',
        cidr: e.CidrBlock ?? e.Ipv6CidrBlock,
        fromPort: e.PortRange?.From,
        toPort: e.PortRange?.To,
      })),
      complete: true,
    },
  };
}

/** The data store's host and port, from JDBC_CONNECTION_URL or HOST / PORT. */
export function dataStoreOf(properties: Record<string, string>): NetworkPath['dataStore'] {
  const url = properties.JDBC_CONNECTION_URL;
  const parsed = url ? parseJdbcUrl(url) : undefined;
  const host = parsed ? parsed.host : properties.HOST;
  if (host === undefined) return undefined;
  const given = parsed?.explicitPort ? String(parsed.port) : properties.PORT;
  const port = given !== undefined && /^\d+$/.test(given) ? Number(given) : parsed?.port;
  return { host, port, label: host };
}
