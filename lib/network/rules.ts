/**
 * Glue's network rules for a connection in a VPC, written once and read twice (docs/decisions.md,
 * decision 10): the construct fills a {@link NetworkPath} from the synthesized app and refuses
 * a definite violation at `cdk synth`; the handler fills one from EC2's Describe APIs and names
 * the broken piece in the reason of a failed test. Neither reader knows the rules; the rules
 * know neither reader.
 *
 * Every member of the model may be unknown (`undefined`): a token at synth, an imported VPC, a
 * Describe call that was denied. A rule that needs an unknown member is undecidable, never a
 * finding: the gate must never stop a deployment Glue would accept.
 *
 * | check                        | what Glue requires (source)                                                       |
 * | ---------------------------- | --------------------------------------------------------------------------------- |
 * | S3_ROUTE                     | the subnet's route table has an S3 gateway endpoint or NAT routes for all of      |
 * |                              | 0.0.0.0/0 (1, 2, 9)                                                               |
 * | SELF_REFERENCING_INGRESS     | one of the connection's groups admits all TCP ports from itself (1, 3, 8)         |
 * | ALL_EGRESS                   | one of the connection's groups opens all egress ports, to all or to itself (1, 3) |
 * | AVAILABILITY_ZONE            | the connection has an AvailabilityZone, and it is its subnet's (1, 4, 10)          |
 * | FREE_IP_ADDRESSES            | the subnet has free addresses for Glue's network interfaces (5)                   |
 * | DNS_ATTRIBUTES               | the VPC has DNS resolution and DNS hostnames enabled (6)                          |
 * | DATA_STORE_ADMITS_CONNECTION | the data store's groups admit the connection's group on its port, and the         |
 * |                              | connection's groups let that traffic out (3)                                      |
 * | NETWORK_ACL                  | the subnet's network ACL lets HTTPS to S3 and the data store's port out, and the  |
 * |                              | return traffic in (7)                                                             |
 *
 * Two documented requirements the gate cannot be sure of are warnings, not checks
 * ({@link NetworkWarningId}): a data store outside the VPC without a NAT route, and a secret
 * read from a subnet with neither a NAT route nor Secrets Manager and STS endpoints (11).
 *
 * Sources:
 * 1. AWS Glue, "Troubleshooting Glue common setup errors"
 *    (https://docs.aws.amazon.com/glue/latest/dg/glue-troubleshooting-errors.html): "Could not
 *    find S3 endpoint or NAT gateway for subnetId in VPC", "At least one security group must open
 *    all ingress ports", "... all egress ports", "Could not find subnet for AZ".
 * 2. AWS Glue, "Setting up network access to data stores"
 *    (https://docs.aws.amazon.com/glue/latest/dg/start-connecting.html): "To access Amazon S3 from
 *    within your VPC, a VPC endpoint is required"; a NAT gateway for the public internet; "Each
 *    elastic network interface is assigned a private IP address from the IP address range within
 *    the subnet ... No public IP addresses are assigned."
 * 3. AWS Glue, "Setting up a VPC to connect to JDBC data stores"
 *    (https://docs.aws.amazon.com/glue/latest/dg/setup-vpc-for-glue-access.html) and "Connecting to
 *    a JDBC data store in a VPC" (https://docs.aws.amazon.com/glue/latest/dg/connection-JDBC-VPC.html):
 *    a self-referencing inbound rule for all TCP ports; outbound open to all ports, or a
 *    self-referencing all-TCP rule; the data store's groups admit the connection's group.
 * 4. AWS Glue API, PhysicalConnectionRequirements
 *    (https://docs.aws.amazon.com/glue/latest/webapi/API_PhysicalConnectionRequirements.html):
 *    AvailabilityZone "is redundant because the specified subnet implies the Availability Zone
 *    to be used. Currently the field must be populated".
 * 5. Source 2: each elastic network interface takes a private IP address from the subnet.
 * 6. AWS Glue, "Setting up DNS in your VPC" (https://docs.aws.amazon.com/glue/latest/dg/set-up-vpc-dns.html):
 *    enableDnsHostnames and enableDnsSupport true.
 * 7. Amazon VPC User Guide, "Control subnet traffic with network access control lists"
 *    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html): a network ACL
 *    "allows or denies specific inbound or outbound traffic at the subnet level" (traffic between
 *    two addresses of one subnet never crosses it); stateless, the lowest-numbered rule that
 *    matches decides, a final deny; "Ephemeral ports"
 *    (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html): a client's
 *    ephemeral range depends on its system (Linux 32768-61000, NAT gateway and Lambda
 *    1024-65535); allow 1024-65535 to cover them all. Glue does not document its range, so a
 *    deny on part of 1024-65535 is undecidable, never a finding.
 * 8. Amazon VPC User Guide, "Security group rules"
 *    (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html): a rule's peer
 *    is an IPv4 range, an IPv6 range, a prefix list or a group. Glue's interfaces have IPv4
 *    addresses only (source 2), so `::/0` opens nothing for them.
 * 9. China partition: S3's service name is `cn.com.amazonaws.<region>.s3` (aws-cdk-lib's
 *    InterfaceVpcEndpointAwsService prefix table for cn-north-1 and cn-northwest-1; the aws-cn
 *    partition's reverse DNS prefix `cn.com.amazonaws`).
 * 10. AWS CloudFormation, Fn::GetAZs
 *    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getavailabilityzones.html):
 *    a list of the region's zones, each once; two indexes of it name two zones. A connection
 *    with a subnet and no AvailabilityZone fails with "Unable to resolve any valid connection"
 *    (core/failure-catalogue.ts, entry no-valid-connection).
 * 11. AWS re:Post knowledge center, "How do I troubleshoot a failed test connection in AWS Glue"
 *    (https://repost.aws/knowledge-center/glue-test-connection-failed): a data store outside the
 *    VPC needs a route to a NAT gateway ("Otherwise, the connection times out"); "If the
 *    connection requires a NAT gateway or access to AWS Secrets Manager and AWS STS, then attach
 *    the endpoints". AWS Glue, "Storing connection credentials in AWS Secrets Manager"
 *    (https://docs.aws.amazon.com/glue/latest/dg/connection-properties-secrets-manager.html).
 *
 * This module imports nothing: esbuild inlines it into the handler bundle.
 */

/**
 * One of the network checks the gate makes on a connection's path. Give it to a test's
 * acknowledgements to switch it off at synth, for a path that is completed outside CDK.
 */
export enum NetworkCheck {
  /** The subnet's route table has an S3 gateway endpoint or a route to a NAT gateway. */
  S3_ROUTE = 'S3_ROUTE',
  /** One of the connection's security groups admits all TCP ports from itself. */
  SELF_REFERENCING_INGRESS = 'SELF_REFERENCING_INGRESS',
  /** One of the connection's security groups opens all egress ports (to all, or to itself). */
  ALL_EGRESS = 'ALL_EGRESS',
  /** The connection has an AvailabilityZone, and it is the subnet's. */
  AVAILABILITY_ZONE = 'AVAILABILITY_ZONE',
  /** The subnet has free IP addresses for Glue's network interfaces. */
  FREE_IP_ADDRESSES = 'FREE_IP_ADDRESSES',
  /** The VPC has DNS resolution and DNS hostnames enabled (where the data store's host is a name). */
  DNS_ATTRIBUTES = 'DNS_ATTRIBUTES',
  /** The data store's security groups admit the connection's group on its port, and the connection's groups let it out. */
  DATA_STORE_ADMITS_CONNECTION = 'DATA_STORE_ADMITS_CONNECTION',
  /** The subnet's network ACL lets HTTPS and the data store's port out and the return traffic back in. */
  NETWORK_ACL = 'NETWORK_ACL',
}

// ---------------------------------------------------------------------------------------------
// The model both readers fill

/** Something a finding can name: what identifies it, and what a person reads. */
export interface PathElement {
  /**
   * Identity for comparisons: a group's id (`sg-...`) at deploy time, a stable rendering of its
   * token (`{"Fn::GetAtt":["Sg","GroupId"]}`) at synth. Two elements are the same when their
   * keys are equal.
   */
  readonly key: string;
  /** What a person reads: `sg-0abc...` at deploy time, the construct path at synth. */
  readonly label: string;
}

/** The other side of a security-group rule. Absent members are unknown. */
export interface RulePeer {
  /** A security group, by its key. */
  readonly groupKey?: string;
  /** An IPv4 or IPv6 CIDR. */
  readonly cidr?: string;
  /** A managed prefix list id (`pl-...`). */
  readonly prefixListId?: string;
}

/** One ingress or egress rule of a security group. */
export interface SecurityGroupRule {
  /** `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number, as EC2 and CloudFormation write it. */
  readonly ipProtocol: string;
  /** First port (TCP/UDP); absent for all protocols. */
  readonly fromPort?: number;
  /** Last port (TCP/UDP); absent for all protocols. */
  readonly toPort?: number;
  /** The source (ingress) or destination (egress); `undefined` when the reader could not tell. */
  readonly peer?: RulePeer;
}

/** A list that may be only partly known: `complete` false when some entries could not be read. */
export interface PartialList<T> {
  readonly items: readonly T[];
  readonly complete: boolean;
}

/** A security group with its rules. */
export interface SecurityGroup extends PathElement {
  /** Undefined when nothing of its ingress is known. */
  readonly ingress?: PartialList<SecurityGroupRule>;
  /** Undefined when nothing of its egress is known. */
  readonly egress?: PartialList<SecurityGroupRule>;
}

/** Where a route sends traffic. */
export enum RouteTargetKind {
  LOCAL = 'local',
  /** A gateway VPC endpoint for Amazon S3 associated with the route table. */
  S3_GATEWAY_ENDPOINT = 's3-gateway-endpoint',
  /** A gateway endpoint for another service (DynamoDB). */
  OTHER_GATEWAY_ENDPOINT = 'other-gateway-endpoint',
  NAT_GATEWAY = 'nat-gateway',
  INTERNET_GATEWAY = 'internet-gateway',
  TRANSIT_GATEWAY = 'transit-gateway',
  VPC_PEERING = 'vpc-peering',
  /** An instance or network interface (a NAT instance, a firewall appliance...). */
  INSTANCE = 'instance',
  OTHER = 'other',
}

/** One route of a route table. */
export interface Route {
  readonly target: RouteTargetKind;
  /** The target's id or construct path, for messages. */
  readonly targetLabel?: string;
  /** Destination CIDR; undefined for a prefix-list destination or when unknown. */
  readonly destinationCidr?: string;
  /** False for a blackhole route (EC2's State). */
  readonly active?: boolean;
}

/** A route table; gateway endpoints associated with it count as routes. */
export interface RouteTable extends PathElement {
  readonly routes?: PartialList<Route>;
}

/** One entry of a network ACL. */
export interface NetworkAclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** `-1` (all), `6` / `tcp`, ... as EC2 writes it. */
  readonly protocol: string;
  readonly allow: boolean;
  /** IPv4 or IPv6 CIDR; undefined when unknown. */
  readonly cidr?: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

export interface NetworkAcl extends PathElement {
  readonly entries?: PartialList<NetworkAclEntry>;
}

export interface Subnet extends PathElement {
  readonly availabilityZone?: string;
  readonly cidrBlock?: string;
  readonly availableIpAddressCount?: number;
  readonly routeTable?: RouteTable;
  readonly networkAcl?: NetworkAcl;
}

/** An interface VPC endpoint of the VPC. */
export interface InterfaceEndpoint extends PathElement {
  /** `com.amazonaws.<region>.secretsmanager`...; undefined when unknown. */
  readonly serviceName?: string;
  /** Whether the service's own host name resolves to the endpoint; undefined when unknown. */
  readonly privateDnsEnabled?: boolean;
}

export interface Vpc extends PathElement {
  readonly enableDnsSupport?: boolean;
  readonly enableDnsHostnames?: boolean;
  /** The VPC's IPv4 CIDR blocks; undefined when unknown. */
  readonly cidrBlocks?: PartialList<string>;
  /** The VPC's interface endpoints; undefined when unknown. */
  readonly interfaceEndpoints?: PartialList<InterfaceEndpoint>;
}

/** The database or service the connection reaches. */
export interface DataStore {
  /** The host of its URL; undefined when unknown. */
  readonly host?: string;
  readonly port?: number;
  /** Its security groups, where known (an in-app database at synth, or a database the handler found). */
  readonly securityGroups?: PartialList<SecurityGroup>;
  /** What a person reads (construct path or identifier). */
  readonly label?: string;
}

/** A connection's network path, as far as a reader could find it. */
export interface NetworkPath {
  /** What a person reads for the connection: its name or construct path. */
  readonly connectionLabel: string;
  /** The region, for the S3 endpoint's service name in a fix; `<region>` when unknown. */
  readonly region?: string;
  /**
   * PhysicalConnectionRequirements.AvailabilityZone: a zone name (or a stable rendering of the
   * intrinsic that computes it), `null` when the connection has none, undefined when unknown.
   */
  readonly availabilityZone?: string | null;
  readonly subnet?: Subnet;
  /** PhysicalConnectionRequirements.SecurityGroupIdList, with what is known of each. */
  readonly securityGroups?: PartialList<SecurityGroup>;
  readonly vpc?: Vpc;
  readonly dataStore?: DataStore;
  /** Whether Glue reads a Secrets Manager secret for the connection (SECRET_ID, AuthenticationConfiguration.SecretArn). */
  readonly readsSecret?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The rules

/** A definite violation of one of Glue's rules. */
export interface NetworkFinding {
  readonly check: NetworkCheck;
  /** The label of the element to change. */
  readonly resource: string;
  /** What is wrong, naming the rule Glue applies. */
  readonly problem: string;
  /** What to change. */
  readonly fix: string;
}

/** Documented requirements the gate cannot be sure of: warned of, never refused. */
export enum NetworkWarningId {
  /** The JDBC host lies outside the VPC and the subnet has no route to a NAT gateway. */
  DATA_STORE_OUTSIDE_VPC_WITHOUT_NAT = 'jdbcHostOutsideVpcWithoutNat',
  /** Glue reads a secret, and the subnet has neither a NAT route nor Secrets Manager and STS interface endpoints. */
  SECRET_WITHOUT_NAT_OR_ENDPOINTS = 'secretWithoutNatOrEndpoints',
}

/** A documented requirement the path may miss. */
export interface NetworkWarning {
  readonly id: NetworkWarningId;
  /** The label of the element to change. */
  readonly resource: string;
  readonly message: string;
}

/** What the checks concluded about a path. */
export interface PathVerdict {
  readonly findings: NetworkFinding[];
  /** Checks that could not be decided from what the reader found. */
  readonly undecidable: NetworkCheck[];
  /** Checks that found the path as Glue requires it. */
  readonly satisfied: NetworkCheck[];
  /** Documented requirements the path may miss; never a refusal. */
  readonly warnings: NetworkWarning[];
}

type Outcome = NetworkFinding[] | 'undecidable';
/** true / false, or undecidable when the path lacks what the answer needs. */
type Tri = boolean | 'undecidable';

interface Rule {
  readonly check: NetworkCheck;
  /** Empty when satisfied, findings when violated, 'undecidable' when the path lacks what it needs. */
  readonly evaluate: (path: NetworkPath) => Outcome;
}

interface PortRange { readonly from: number; readonly to: number }

const ALL_PORTS: PortRange = { from: 0, to: 65535 };
/** Source 7: the ephemeral ports return traffic may come back to, whatever the client's system. */
const EPHEMERAL_PORTS: PortRange = { from: 1024, to: 65535 };
const HTTPS_PORT = 443;

/** The rules, most likely cause of a failed test first. */
const RULES: readonly Rule[] = [
  {
    // Sources 1, 2 and 9.
    check: NetworkCheck.S3_ROUTE,
    evaluate: ({ subnet, region, vpc }) => {
      const table = subnet?.routeTable;
      const routes = table?.routes;
      if (!subnet || !table || !routes) return 'undecidable';
      const reach = natReach(routes);
      if (reach === true) return [];
      // NAT routes for part of the address space, an unknown route list, or a route through a
      // transit gateway, a peering or an appliance that may lead to a NAT gateway elsewhere:
      // only the deploy-time test can tell whether Glue accepts it.
      if (reach === 'undecidable') return 'undecidable';
      // An S3 interface endpoint (PrivateLink) is no route; Glue does not document whether its
      // check accepts one in place of the gateway endpoint.
      if (vpc?.interfaceEndpoints?.items.some((e) => e.serviceName === undefined || isS3ServiceName(e.serviceName))) return 'undecidable';
      return [{
        check: NetworkCheck.S3_ROUTE,
        resource: table.label,
        problem: `route table ${table.label} of subnet ${subnet.label} has neither an S3 gateway endpoint nor a route to a NAT gateway; Glue refuses such a subnet ("Could not find S3 endpoint or NAT gateway for subnetId")`,
        fix: `add an S3 gateway endpoint (${s3ServiceName(region)}) to route table ${table.label}, or a 0.0.0.0/0 route to a NAT gateway`,
      }];
    },
  },
  {
    // Sources 1, 3 and 8.
    check: NetworkCheck.SELF_REFERENCING_INGRESS,
    evaluate: ({ securityGroups }) => groupRule(securityGroups, 'ingress', opensAllPorts,
      (labels) => ({
        check: NetworkCheck.SELF_REFERENCING_INGRESS,
        resource: labels[0],
        problem: `none of the connection's security groups (${labels.join(', ')}) has an inbound rule for all TCP ports whose source is the group itself; Glue requires one ("At least one security group must open all ingress ports")`,
        fix: `add to ${labels[0]} an inbound rule: All TCP, ports 0-65535, source ${labels[0]} itself`,
      })),
  },
  {
    // Sources 1, 3 and 8.
    check: NetworkCheck.ALL_EGRESS,
    evaluate: ({ securityGroups }) => groupRule(securityGroups, 'egress', opensAllPorts,
      (labels) => ({
        check: NetworkCheck.ALL_EGRESS,
        resource: labels[0],
        problem: `none of the connection's security groups (${labels.join(', ')}) opens all egress ports, to all destinations or to the group itself; Glue requires one ("At least one security group must open all egress ports")`,
        fix: `add to ${labels[0]} an outbound rule: All TCP, ports 0-65535, destination ${labels[0]} itself (or all traffic to 0.0.0.0/0)`,
      })),
  },
  {
    // Sources 1, 4 and 10.
    check: NetworkCheck.AVAILABILITY_ZONE,
    evaluate: ({ availabilityZone, subnet }) => {
      if (!subnet) return 'undecidable';
      if (availabilityZone === null) {
        const zone = subnet.availabilityZone ?? 'the Availability Zone of its subnet';
        return [{
          check: NetworkCheck.AVAILABILITY_ZONE,
          resource: subnet.label,
          problem: `the connection has a SubnetId (${subnet.label}) but no AvailabilityZone; Glue requires one ("Currently the field must be populated") and answers "Unable to resolve any valid connection" without it`,
          fix: `set the connection's PhysicalConnectionRequirements.AvailabilityZone to ${zone}`,
        }];
      }
      if (availabilityZone === undefined || subnet.availabilityZone === undefined) return 'undecidable';
      if (availabilityZone === subnet.availabilityZone) return [];
      return [{
        check: NetworkCheck.AVAILABILITY_ZONE,
        resource: subnet.label,
        problem: `the connection's AvailabilityZone is ${availabilityZone} but subnet ${subnet.label} is in ${subnet.availabilityZone}; Glue places the connection's network interfaces in that subnet`,
        fix: `set the connection's PhysicalConnectionRequirements.AvailabilityZone to ${subnet.availabilityZone}, the subnet's zone`,
      }];
    },
  },
  {
    // Source 5.
    check: NetworkCheck.FREE_IP_ADDRESSES,
    evaluate: ({ subnet }) => {
      if (subnet?.availableIpAddressCount === undefined) return 'undecidable';
      if (subnet.availableIpAddressCount > 0) return [];
      return [{
        check: NetworkCheck.FREE_IP_ADDRESSES,
        resource: subnet.label,
        problem: `subnet ${subnet.label} has no free IP addresses; each of Glue's network interfaces takes one from the subnet`,
        fix: `free addresses in subnet ${subnet.label} (delete unused network interfaces) or use a larger subnet`,
      }];
    },
  },
  {
    // Source 6.
    check: NetworkCheck.DNS_ATTRIBUTES,
    evaluate: ({ vpc, dataStore }) => {
      if (!vpc) return 'undecidable';
      if (dataStore?.host !== undefined && isIpAddress(dataStore.host)) return [];
      const off = [
        ...(vpc.enableDnsSupport === false ? ['enableDnsSupport (DNS resolution)'] : []),
        ...(vpc.enableDnsHostnames === false ? ['enableDnsHostnames (DNS hostnames)'] : []),
      ];
      if (off.length > 0) {
        if (dataStore?.host === undefined && dataStore !== undefined) return 'undecidable';
        return [{
          check: NetworkCheck.DNS_ATTRIBUTES,
          resource: vpc.label,
          problem: `VPC ${vpc.label} has ${off.join(' and ')} switched off; Glue needs both to resolve ${dataStore?.host ?? 'host names'} from the connection's subnet`,
          fix: `enable ${off.map((a) => a.split(' ')[0]).join(' and ')} on VPC ${vpc.label}`,
        }];
      }
      return vpc.enableDnsSupport === undefined || vpc.enableDnsHostnames === undefined ? 'undecidable' : [];
    },
  },
  {
    // Sources 3 and 8.
    check: NetworkCheck.DATA_STORE_ADMITS_CONNECTION,
    evaluate: (path) => dataStoreAdmits(path),
  },
  {
    // Source 7.
    check: NetworkCheck.NETWORK_ACL,
    evaluate: (path) => networkAcl(path),
  },
];

/** Runs every rule on a path; `skip` leaves out acknowledged checks. */
export function checkNetworkPath(path: NetworkPath, skip: readonly NetworkCheck[] = []): PathVerdict {
  const verdict: PathVerdict = { findings: [], undecidable: [], satisfied: [], warnings: networkWarnings(path) };
  for (const rule of RULES) {
    if (skip.includes(rule.check)) continue;
    const outcome = rule.evaluate(path);
    if (outcome === 'undecidable') verdict.undecidable.push(rule.check);
    else if (outcome.length === 0) verdict.satisfied.push(rule.check);
    else verdict.findings.push(...outcome);
  }
  return verdict;
}

/** Every check, in the order of the rules (most likely cause of a failed test first). */
export const NETWORK_CHECKS: readonly NetworkCheck[] = RULES.map((r) => r.check);

/**
 * Whether a VPC endpoint service name is Amazon S3's in some partition:
 * `com.amazonaws.<region>.s3`, `cn.com.amazonaws.<region>.s3` in China (source 9), and the
 * synth reader's `<AWS::Region>` for a region token. `s3express` and `s3-outposts` are not S3.
 */
export function isS3ServiceName(name: string | undefined): boolean {
  return name !== undefined && /^(?:[a-z0-9-]+\.)*amazonaws\.(?:[a-z]{2,4}(?:-[a-z]+)+-\d+|<AWS::Region>)\.s3$/.test(name);
}

/** S3's gateway endpoint service name in the region's partition (source 9). */
export function s3ServiceName(region: string | undefined): string {
  if (region === undefined) return 'com.amazonaws.<region>.s3; cn.com.amazonaws.<region>.s3 in China';
  return `${region.startsWith('cn-') ? 'cn.com.amazonaws' : 'com.amazonaws'}.${region}.s3`;
}

// ---------------------------------------------------------------------------------------------
// Helpers of the rules

/**
 * Whether the route table reaches S3: true with an S3 gateway endpoint or live NAT routes whose
 * destinations together cover 0.0.0.0/0 (a 0.0.0.0/0 route, or 0.0.0.0/1 and 128.0.0.0/1);
 * undecidable with NAT routes for part of it, routes partly unknown, or a route that may lead to
 * a NAT gateway elsewhere; false otherwise.
 */
function natReach(routes: PartialList<Route>): Tri {
  const live = routes.items.filter((r) => r.active !== false);
  if (live.some((r) => r.target === RouteTargetKind.S3_GATEWAY_ENDPOINT)) return true;
  const nat = live.filter((r) => r.target === RouteTargetKind.NAT_GATEWAY);
  if (coversAllIpv4(nat.map((r) => r.destinationCidr))) return true;
  if (nat.length > 0 || !routes.complete) return 'undecidable';
  const elsewhere = [RouteTargetKind.TRANSIT_GATEWAY, RouteTargetKind.VPC_PEERING, RouteTargetKind.INSTANCE, RouteTargetKind.OTHER];
  if (live.some((r) => elsewhere.includes(r.target) && mayCarryPublicTraffic(r.destinationCidr))) return 'undecidable';
  return false;
}

/** Whether a route's destination may hold public addresses (S3's): unknown, IPv4 and not wholly private. */
function mayCarryPublicTraffic(cidr: string | undefined): boolean {
  if (cidr === undefined) return true;
  if (cidr.includes(':')) return false;
  return !isPrivateIpv4(cidr);
}

/** Whether the IPv4 CIDRs together cover every address. */
function coversAllIpv4(cidrs: readonly (string | undefined)[]): boolean {
  const ranges = cidrs.map((c) => (c === undefined ? undefined : ipv4Range(c))).filter((r): r is [number, number] => r !== undefined)
    .sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [start, end] of ranges) {
    if (start > next) return false;
    next = Math.max(next, end + 1);
  }
  return next > 0xffffffff;
}

/**
 * "At least one of the connection's groups has a rule such that...": satisfied when one has,
 * a finding when every group's rules are fully known and none has, undecidable otherwise.
 */
function groupRule(
  groups: PartialList<SecurityGroup> | undefined, direction: 'ingress' | 'egress',
  matches: (group: SecurityGroup, rule: SecurityGroupRule) => Tri, finding: (labels: string[]) => NetworkFinding,
): Outcome {
  if (!groups || groups.items.length === 0) return 'undecidable';
  const result = tri(groups, (g) => g[direction], (rule, group) => matches(group, rule));
  if (result === true) return [];
  if (result === 'undecidable') return 'undecidable';
  return [finding(groups.items.map((g) => g.label))];
}

/**
 * Whether a rule opens every TCP port to or from Glue's own interfaces (sources 1, 3, 8): the
 * group itself or 0.0.0.0/0 opens them; an IPv6 range or another group does not. Another IPv4
 * range or a prefix list may hold the subnet, and Glue does not document whether its check
 * accepts one: undecidable.
 */
function opensAllPorts(group: SecurityGroup, rule: SecurityGroupRule): Tri {
  if (!coversPorts(rule, ALL_PORTS)) return false;
  const peer = rule.peer;
  if (!peer) return 'undecidable';
  if (peer.groupKey !== undefined) return peer.groupKey === group.key;
  if (peer.cidr !== undefined) return isIpv6(peer.cidr) ? false : isOpenIpv4(peer.cidr) ? true : 'undecidable';
  return 'undecidable';
}

function dataStoreAdmits({ dataStore, securityGroups, subnet }: NetworkPath): Outcome {
  const port = dataStore?.port;
  const storeGroups = dataStore?.securityGroups;
  if (port === undefined || !storeGroups || storeGroups.items.length === 0 || !securityGroups || securityGroups.items.length === 0) return 'undecidable';
  const connectionKeys = new Set(securityGroups.items.map((g) => g.key));
  const storeKeys = new Set(storeGroups.items.map((g) => g.key));
  const probe = { from: port, to: port };
  const findings: NetworkFinding[] = [];
  const storeLabel = dataStore?.label ?? dataStore?.host ?? 'the data store';
  const storeAddress = dataStore?.host !== undefined && ipv4Range(`${dataStore.host}/32`) ? `${dataStore.host}/32` : undefined;

  // In: one of the store's groups admits one of the connection's groups (or a CIDR holding the subnet).
  const admitted = tri(storeGroups, (g) => g.ingress, (rule) => coversPorts(rule, probe)
    ? peerIncludes(rule.peer, connectionKeys, subnet?.cidrBlock) : false);
  if (admitted === 'undecidable') return 'undecidable';
  if (!admitted) {
    const target = storeGroups.items[0].label;
    findings.push({
      check: NetworkCheck.DATA_STORE_ADMITS_CONNECTION,
      resource: target,
      problem: `the security groups of ${storeLabel} (${storeGroups.items.map((g) => g.label).join(', ')}) admit none of the connection's groups on TCP port ${port}`,
      fix: `add to ${target} an inbound rule: TCP ${port}, source ${securityGroups.items[0].label}`,
    });
  }
  // Out: one of the connection's groups lets the traffic out to the store.
  const released = tri(securityGroups, (g) => g.egress, (rule) => coversPorts(rule, probe)
    ? peerIncludes(rule.peer, storeKeys, storeAddress) : false);
  if (released === 'undecidable') return 'undecidable';
  if (!released) {
    const source = securityGroups.items[0].label;
    findings.push({
      check: NetworkCheck.DATA_STORE_ADMITS_CONNECTION,
      resource: source,
      problem: `none of the connection's security groups (${securityGroups.items.map((g) => g.label).join(', ')}) lets traffic out to ${storeLabel} on TCP port ${port}`,
      fix: `add to ${source} an outbound rule: TCP ${port}, destination ${storeGroups.items[0].label}`,
    });
  }
  return findings;
}

/** true / false / 'undecidable' for "some rule of some group satisfies the test". */
function tri(groups: PartialList<SecurityGroup>, rulesOf: (g: SecurityGroup) => PartialList<SecurityGroupRule> | undefined,
  test: (rule: SecurityGroupRule, group: SecurityGroup) => Tri): Tri {
  let unknown = !groups.complete;
  for (const group of groups.items) {
    const rules = rulesOf(group);
    if (!rules?.complete) unknown = true;
    for (const rule of rules?.items ?? []) {
      const result = test(rule, group);
      if (result === true) return true;
      if (result === 'undecidable') unknown = true;
    }
  }
  return unknown ? 'undecidable' : false;
}

/**
 * Whether a rule's peer includes one of the groups, or (for an IPv4 CIDR) the given CIDR of
 * Glue's side. An IPv6 CIDR never includes Glue's IPv4 traffic (source 8).
 */
function peerIncludes(peer: RulePeer | undefined, groupKeys: Set<string>, cidr: string | undefined): Tri {
  if (!peer) return 'undecidable';
  if (peer.groupKey !== undefined) return groupKeys.has(peer.groupKey);
  if (peer.cidr !== undefined) {
    if (isIpv6(peer.cidr)) return false;
    if (isOpenIpv4(peer.cidr)) return true;
    if (cidr === undefined) return 'undecidable';
    const inside = cidrContains(peer.cidr, cidr);
    return inside === undefined ? 'undecidable' : inside;
  }
  // A prefix list: its entries are not in the model.
  return 'undecidable';
}

/** Whether a rule allows TCP on every port of the range. */
function coversPorts(rule: SecurityGroupRule, range: PortRange): boolean {
  const protocol = rule.ipProtocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  if (rule.fromPort === undefined || rule.toPort === undefined) return false;
  // EC2 writes "all ports" of TCP as -1 in some answers.
  if (rule.fromPort === -1 && rule.toPort === -1) return true;
  return rule.fromPort <= range.from && rule.toPort >= range.to;
}

// ---------------------------------------------------------------------------------------------
// Network ACLs (source 7)

/** Where the traffic an ACL decides goes to or comes from. */
type Peer =
  /** Amazon S3: public addresses, never in a private range. */
  | { kind: 'public' }
  /** One known IPv4 address. */
  | { kind: 'address'; cidr: string }
  | { kind: 'unknown' };

/** One kind of traffic Glue needs through the subnet's network ACL. */
interface Flow {
  readonly egress: boolean;
  readonly ports: PortRange;
  readonly peer: Peer;
  /** `outbound HTTPS (TCP 443) to`: what a person reads before the peer's name. */
  readonly traffic: string;
  readonly peerName: string;
  /**
   * Whether the peer is known to lie outside the subnet. A network ACL filters traffic in and out
   * of its subnet only, never between two addresses of it (source 7), so a denial of traffic to
   * a peer that may share the subnet is undecidable.
   */
  readonly outsideSubnet: boolean;
}

function networkAcl({ subnet, dataStore }: NetworkPath): Outcome {
  const acl = subnet?.networkAcl;
  if (!subnet || !acl?.entries) return 'undecidable';
  const back = 'inbound return traffic (TCP 1024-65535) from';
  const flows: Flow[] = [
    { egress: true, ports: { from: HTTPS_PORT, to: HTTPS_PORT }, peer: { kind: 'public' }, traffic: 'outbound HTTPS (TCP 443) to', peerName: 'Amazon S3', outsideSubnet: true },
    { egress: false, ports: EPHEMERAL_PORTS, peer: { kind: 'public' }, traffic: back, peerName: 'Amazon S3', outsideSubnet: true },
  ];
  const address = dataStore?.host !== undefined && ipv4Range(`${dataStore.host}/32`) ? `${dataStore.host}/32` : undefined;
  const inSubnet = address !== undefined && subnet.cidrBlock !== undefined ? cidrContains(subnet.cidrBlock, address) : undefined;
  // A data store in the connection's own subnet is reached without crossing its network ACL.
  if (dataStore?.port !== undefined && inSubnet !== true) {
    const peer: Peer = address ? { kind: 'address', cidr: address } : { kind: 'unknown' };
    const name = dataStore.label ?? dataStore.host ?? 'the data store';
    const outsideSubnet = inSubnet === false;
    flows.push(
      { egress: true, ports: { from: dataStore.port, to: dataStore.port }, peer, traffic: `outbound TCP ${dataStore.port} to`, peerName: name, outsideSubnet },
      { egress: false, ports: EPHEMERAL_PORTS, peer, traffic: back, peerName: name, outsideSubnet },
    );
  }
  // The denied traffic, one phrase per kind: "inbound return traffic (TCP 1024-65535) from Amazon S3 and orders".
  const denied = new Map<string, string[]>();
  let unknown = false;
  for (const flow of flows) {
    const decision = aclDecision(acl.entries, flow);
    if (decision === 'undecidable' || (decision === false && !flow.outsideSubnet)) unknown = true;
    else if (!decision) denied.set(flow.traffic, [...(denied.get(flow.traffic) ?? []), flow.peerName]);
  }
  if (denied.size === 0) return unknown ? 'undecidable' : [];
  const traffic = [...denied].map(([kind, peers]) => `${kind} ${peers.join(' and ')}`).join(', ');
  const reached = [...denied.values()].flat().includes('Amazon S3') ? 'S3' : 'the data store';
  return [{
    check: NetworkCheck.NETWORK_ACL,
    resource: acl.label,
    problem: `network ACL ${acl.label} of subnet ${subnet.label} denies ${traffic}; network ACLs are stateless, so Glue cannot reach ${reached}`,
    fix: `allow ${traffic} in network ACL ${acl.label}`,
  }];
}

/**
 * Decides a stateless network ACL for one flow, port by port: for each port, the
 * lowest-numbered entry that matches decides, and the final `*` entry denies. An entry whose
 * CIDR may or may not hold the peer makes both its action and what follows possible. True when
 * every needed port is allowed, false when every one is denied, undecidable otherwise: a deny of
 * part of the ephemeral range (a "deny 3389" before an allow-all) never refuses, since Glue does
 * not document which of those ports it uses.
 */
function aclDecision(entries: PartialList<NetworkAclEntry>, flow: Flow): Tri {
  if (!entries.complete) return 'undecidable';
  const relevant = entries.items.filter((e) => e.egress === flow.egress && isTcp(e.protocol))
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  // Cut the needed range where an entry's ports begin or end, so each piece is decided whole.
  const cuts = new Set<number>([flow.ports.from, flow.ports.to + 1]);
  for (const e of relevant) {
    const [from, to] = entryPorts(e);
    if (from > flow.ports.from && from <= flow.ports.to) cuts.add(from);
    if (to + 1 > flow.ports.from && to + 1 <= flow.ports.to) cuts.add(to + 1);
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  const outcomes = new Set<boolean>();
  for (let i = 0; i + 1 < bounds.length; i++) {
    const port = bounds[i];
    const possible = new Set<boolean>();
    let decided = false;
    for (const e of relevant) {
      const [from, to] = entryPorts(e);
      if (port < from || port > to) continue;
      const applies = entryApplies(e.cidr, flow.peer);
      if (applies === false) continue;
      possible.add(e.allow);
      if (applies === true) {
        decided = true;
        break;
      }
    }
    if (!decided) possible.add(false);
    if (possible.size > 1) return 'undecidable';
    outcomes.add([...possible][0]);
  }
  return outcomes.size === 1 ? [...outcomes][0] : 'undecidable';
}

function isTcp(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === '-1' || p === 'all' || p === '6' || p === 'tcp';
}

function entryPorts(entry: NetworkAclEntry): [number, number] {
  const p = entry.protocol.toLowerCase();
  if (p === '-1' || p === 'all' || entry.fromPort === undefined || entry.toPort === undefined) return [0, 65535];
  return [entry.fromPort, entry.toPort];
}

/** Whether an entry's CIDR holds the peer's addresses: IPv6 entries never decide Glue's IPv4 traffic. */
function entryApplies(cidr: string | undefined, peer: Peer): Tri {
  if (cidr === undefined) return 'undecidable';
  if (isIpv6(cidr)) return false;
  if (isOpenIpv4(cidr)) return true;
  if (ipv4Range(cidr) === undefined) return 'undecidable';
  if (peer.kind === 'public') return isPrivateIpv4(cidr) ? false : 'undecidable';
  if (peer.kind === 'address') return cidrContains(cidr, peer.cidr) ?? 'undecidable';
  return 'undecidable';
}

// ---------------------------------------------------------------------------------------------
// Warnings (source 11)

function networkWarnings(path: NetworkPath): NetworkWarning[] {
  const warnings: NetworkWarning[] = [];
  const { subnet, vpc, dataStore, connectionLabel } = path;
  const routes = subnet?.routeTable?.routes;
  if (!subnet || !routes?.complete) return warnings;
  const live = routes.items.filter((r) => r.active !== false);
  const tableLabel = subnet.routeTable!.label;

  // A JDBC host given as an address outside every CIDR of the VPC, with no route that may reach it but the internet gateway's.
  const host = dataStore?.host;
  const cidrs = vpc?.cidrBlocks;
  if (host !== undefined && ipv4Range(`${host}/32`) && cidrs?.complete && cidrs.items.length > 0
    && cidrs.items.every((c) => cidrContains(c, `${host}/32`) === false)) {
    const leads = live.filter((r) => r.target !== RouteTargetKind.LOCAL && r.target !== RouteTargetKind.INTERNET_GATEWAY
      && r.target !== RouteTargetKind.S3_GATEWAY_ENDPOINT && r.target !== RouteTargetKind.OTHER_GATEWAY_ENDPOINT
      && (r.destinationCidr === undefined || cidrContains(r.destinationCidr, `${host}/32`) !== false));
    if (leads.length === 0) {
      warnings.push({
        id: NetworkWarningId.DATA_STORE_OUTSIDE_VPC_WITHOUT_NAT,
        resource: tableLabel,
        message: `connection ${connectionLabel} reaches ${host}, outside VPC ${vpc!.label}, from subnet ${subnet.label}, whose route table ${tableLabel} has no route to a NAT gateway; `
          + 'Glue\'s network interfaces have private addresses only, so the connection times out. Add a route to a NAT gateway (or to the network that holds the host) to the route table',
      });
    }
  }

  // A secret read through the subnet, with neither a NAT route (or any route out) nor both interface endpoints.
  const endpoints = vpc?.interfaceEndpoints;
  if (path.readsSecret && endpoints?.complete) {
    const out = live.some((r) => [RouteTargetKind.NAT_GATEWAY, RouteTargetKind.TRANSIT_GATEWAY, RouteTargetKind.VPC_PEERING,
      RouteTargetKind.INSTANCE, RouteTargetKind.OTHER].includes(r.target) && mayCarryPublicTraffic(r.destinationCidr));
    const has = (service: string) => endpoints.items.some((e) => e.serviceName === undefined
      || (new RegExp(`\\.${service}(-fips)?$`).test(e.serviceName) && e.privateDnsEnabled !== false));
    const missing = ['secretsmanager', 'sts'].filter((s) => !has(s));
    if (!out && missing.length > 0) {
      warnings.push({
        id: NetworkWarningId.SECRET_WITHOUT_NAT_OR_ENDPOINTS,
        resource: vpc!.label,
        message: `connection ${connectionLabel} reads its credentials from AWS Secrets Manager, but subnet ${subnet.label} has no route to a NAT gateway and VPC ${vpc!.label} `
          + `has no interface endpoint with private DNS for ${missing.map((s) => (s === 'sts' ? 'AWS STS (sts)' : 'Secrets Manager (secretsmanager)')).join(' or ')}; `
          + 'Glue needs one or the other to reach both services. Add the interface endpoints, or a route to a NAT gateway',
      });
    }
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// Addresses

function isOpenIpv4(cidr: string | undefined): boolean {
  return cidr === '0.0.0.0/0';
}

function isIpv6(cidr: string): boolean {
  return cidr.includes(':');
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || /^\[?[0-9a-f:]+\]?$/i.test(host) && host.includes(':');
}

/** RFC 1918 and the shared range of RFC 6598: never S3's addresses. */
const PRIVATE_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

function isPrivateIpv4(cidr: string): boolean {
  return PRIVATE_IPV4.some((p) => cidrContains(p, cidr) === true);
}

/** Whether IPv4 CIDR `outer` contains CIDR `inner`; undefined when either is not IPv4. */
export function cidrContains(outer: string, inner: string): boolean | undefined {
  const a = ipv4Range(outer);
  const b = ipv4Range(inner);
  if (!a || !b) return undefined;
  return a[0] <= b[0] && b[1] <= a[1];
}

/** The first and last address of an IPv4 CIDR, as numbers; undefined when it is not one. */
function ipv4Range(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = Math.floor(address / size) * size;
  return [start, start + size - 1];
}
