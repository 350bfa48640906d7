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
 * | S3_ROUTE                     | the subnet's route table has an S3 gateway endpoint or a NAT gateway route (1, 2) |
 * | SELF_REFERENCING_INGRESS     | one of the connection's groups admits all TCP ports from itself (1, 3)            |
 * | ALL_EGRESS                   | one of the connection's groups opens all egress ports, to all or to itself (1, 3) |
 * | AVAILABILITY_ZONE            | the connection's AvailabilityZone is its subnet's (1, 4)                          |
 * | FREE_IP_ADDRESSES            | the subnet has free addresses for Glue's network interfaces (5)                   |
 * | DNS_ATTRIBUTES               | the VPC has DNS resolution and DNS hostnames enabled (6)                          |
 * | DATA_STORE_ADMITS_CONNECTION | the data store's groups admit the connection's group on its port, and the         |
 * |                              | connection's groups let that traffic out (3)                                      |
 * | NETWORK_ACL                  | the subnet's network ACL lets HTTPS out and the return traffic in (7)             |
 *
 * Sources (AWS Glue Developer Guide):
 * 1. "Troubleshooting Glue common setup errors" (glue-troubleshooting-errors): "Could not find
 *    S3 endpoint or NAT gateway for subnetId in VPC", "Inbound rule in security group
 *    required", "Outbound rule in security group required", "Could not find subnet for AZ".
 * 2. "Setting up network access to data stores" (start-connecting): "To access Amazon S3 from
 *    within your VPC, a VPC endpoint is required"; a NAT gateway for the public internet.
 * 3. "Setting up Amazon VPC for JDBC connections to Amazon RDS data stores"
 *    (setup-vpc-for-glue-access) and "Setting up networking for development"
 *    (start-development-endpoint): a self-referencing inbound rule of type All TCP, ports
 *    0-65535; outbound open to all ports, or a self-referencing All TCP rule.
 * 4. The API reference, PhysicalConnectionRequirements.AvailabilityZone.
 * 5. "Setting up network access to data stores": each elastic network interface takes a private
 *    IP address from the subnet.
 * 6. "Setting up DNS in your VPC" (set-up-vpc-dns): enableDnsHostnames and enableDnsSupport true.
 * 7. Amazon VPC User Guide, "Network ACLs": stateless, rules evaluated lowest number first, a
 *    final deny; return traffic on ephemeral ports 1024-65535 must be allowed explicitly.
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
  /** The connection's AvailabilityZone is the subnet's. */
  AVAILABILITY_ZONE = 'AVAILABILITY_ZONE',
  /** The subnet has free IP addresses for Glue's network interfaces. */
  FREE_IP_ADDRESSES = 'FREE_IP_ADDRESSES',
  /** The VPC has DNS resolution and DNS hostnames enabled (where the data store's host is a name). */
  DNS_ATTRIBUTES = 'DNS_ATTRIBUTES',
  /** The data store's security groups admit the connection's group on its port, and the connection's groups let it out. */
  DATA_STORE_ADMITS_CONNECTION = 'DATA_STORE_ADMITS_CONNECTION',
  /** The subnet's network ACL lets HTTPS out and the return traffic back in. */
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

export interface Vpc extends PathElement {
  readonly enableDnsSupport?: boolean;
  readonly enableDnsHostnames?: boolean;
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
  /** PhysicalConnectionRequirements.AvailabilityZone. */
  readonly availabilityZone?: string;
  readonly subnet?: Subnet;
  /** PhysicalConnectionRequirements.SecurityGroupIdList, with what is known of each. */
  readonly securityGroups?: PartialList<SecurityGroup>;
  readonly vpc?: Vpc;
  readonly dataStore?: DataStore;
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

/** What the checks concluded about a path. */
export interface PathVerdict {
  readonly findings: NetworkFinding[];
  /** Checks that could not be decided from what the reader found. */
  readonly undecidable: NetworkCheck[];
  /** Checks that found the path as Glue requires it. */
  readonly satisfied: NetworkCheck[];
}

type Outcome = NetworkFinding[] | 'undecidable';

interface Rule {
  readonly check: NetworkCheck;
  /** Empty when satisfied, findings when violated, 'undecidable' when the path lacks what it needs. */
  readonly evaluate: (path: NetworkPath) => Outcome;
}

const ALL_PORTS = { from: 0, to: 65535 } as const;
const EPHEMERAL_PORTS = { from: 1024, to: 65535 } as const;
const HTTPS_PORT = 443;

/** The rules, most likely cause of a failed test first. */
const RULES: readonly Rule[] = [
  {
    check: NetworkCheck.S3_ROUTE,
    evaluate: ({ subnet, region }) => {
      const table = subnet?.routeTable;
      const routes = table?.routes;
      if (!subnet || !table || !routes) return 'undecidable';
      const live = routes.items.filter((r) => r.active !== false);
      if (live.some((r) => r.target === RouteTargetKind.S3_GATEWAY_ENDPOINT
        || (r.target === RouteTargetKind.NAT_GATEWAY && (r.destinationCidr === undefined || r.destinationCidr === '0.0.0.0/0')))) return [];
      // A default route through a transit gateway, a peering or an appliance may lead to a NAT
      // gateway elsewhere: only the deploy-time test can tell whether Glue accepts it.
      if (!routes.complete || live.some((r) => r.destinationCidr === '0.0.0.0/0'
        && [RouteTargetKind.TRANSIT_GATEWAY, RouteTargetKind.VPC_PEERING, RouteTargetKind.INSTANCE, RouteTargetKind.OTHER].includes(r.target))) {
        return 'undecidable';
      }
      return [{
        check: NetworkCheck.S3_ROUTE,
        resource: table.label,
        problem: `route table ${table.label} of subnet ${subnet.label} has neither an S3 gateway endpoint nor a route to a NAT gateway; Glue refuses such a subnet ("Could not find S3 endpoint or NAT gateway for subnetId")`,
        fix: `add an S3 gateway endpoint (com.amazonaws.${region ?? '<region>'}.s3) to route table ${table.label}, or a 0.0.0.0/0 route to a NAT gateway`,
      }];
    },
  },
  {
    check: NetworkCheck.SELF_REFERENCING_INGRESS,
    evaluate: ({ securityGroups }) => groupRule(securityGroups, 'ingress', (group, rule) =>
      coversPorts(rule, ALL_PORTS) && (rule.peer?.groupKey === group.key || isOpenCidr(rule.peer?.cidr)),
    (labels) => ({
      check: NetworkCheck.SELF_REFERENCING_INGRESS,
      resource: labels[0],
      problem: `none of the connection's security groups (${labels.join(', ')}) has an inbound rule for all TCP ports whose source is the group itself; Glue requires one ("At least one security group must open all ingress ports")`,
      fix: `add to ${labels[0]} an inbound rule: All TCP, ports 0-65535, source ${labels[0]} itself`,
    })),
  },
  {
    check: NetworkCheck.ALL_EGRESS,
    evaluate: ({ securityGroups }) => groupRule(securityGroups, 'egress', (group, rule) =>
      coversPorts(rule, ALL_PORTS) && (rule.peer?.groupKey === group.key || isOpenCidr(rule.peer?.cidr)),
    (labels) => ({
      check: NetworkCheck.ALL_EGRESS,
      resource: labels[0],
      problem: `none of the connection's security groups (${labels.join(', ')}) opens all egress ports, to all destinations or to the group itself; Glue requires one ("At least one security group must open all egress ports")`,
      fix: `add to ${labels[0]} an outbound rule: All TCP, ports 0-65535, destination ${labels[0]} itself (or all traffic to 0.0.0.0/0)`,
    })),
  },
  {
    check: NetworkCheck.AVAILABILITY_ZONE,
    evaluate: ({ availabilityZone, subnet }) => {
      if (availabilityZone === undefined || subnet?.availabilityZone === undefined) return 'undecidable';
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
    check: NetworkCheck.DATA_STORE_ADMITS_CONNECTION,
    evaluate: (path) => dataStoreAdmits(path),
  },
  {
    check: NetworkCheck.NETWORK_ACL,
    evaluate: ({ subnet }) => {
      const acl = subnet?.networkAcl;
      if (!subnet || !acl?.entries) return 'undecidable';
      const out = aclDecision(acl.entries, true, { from: HTTPS_PORT, to: HTTPS_PORT });
      const back = aclDecision(acl.entries, false, EPHEMERAL_PORTS);
      if (out === 'undecidable' || back === 'undecidable') return 'undecidable';
      const denied = [
        ...(out ? [] : ['outbound HTTPS (TCP 443) to 0.0.0.0/0']),
        ...(back ? [] : ['inbound return traffic (TCP 1024-65535) from 0.0.0.0/0']),
      ];
      if (denied.length === 0) return [];
      return [{
        check: NetworkCheck.NETWORK_ACL,
        resource: acl.label,
        problem: `network ACL ${acl.label} of subnet ${subnet.label} denies ${denied.join(' and ')}; network ACLs are stateless, so Glue cannot reach S3 and the data store`,
        fix: `allow ${denied.join(' and ')} in network ACL ${acl.label}`,
      }];
    },
  },
];

/** Runs every rule on a path; `skip` leaves out acknowledged checks. */
export function checkNetworkPath(path: NetworkPath, skip: readonly NetworkCheck[] = []): PathVerdict {
  const verdict: PathVerdict = { findings: [], undecidable: [], satisfied: [] };
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

// ---------------------------------------------------------------------------------------------
// Helpers of the rules

/**
 * "At least one of the connection's groups has a rule such that...": satisfied when one has,
 * a finding when every group's rules are fully known and none has, undecidable otherwise.
 */
function groupRule(
  groups: PartialList<SecurityGroup> | undefined, direction: 'ingress' | 'egress',
  matches: (group: SecurityGroup, rule: SecurityGroupRule) => boolean, finding: (labels: string[]) => NetworkFinding,
): Outcome {
  if (!groups || groups.items.length === 0) return 'undecidable';
  if (groups.items.some((g) => g[direction]?.items.some((r) => matches(g, r)))) return [];
  if (!groups.complete || groups.items.some((g) => !g[direction]?.complete || g[direction]!.items.some((r) => r.peer === undefined))) return 'undecidable';
  return [finding(groups.items.map((g) => g.label))];
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
    ? peerIncludes(rule.peer, storeKeys, undefined) : false);
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
  test: (rule: SecurityGroupRule) => boolean | 'undecidable'): boolean | 'undecidable' {
  let unknown = !groups.complete;
  for (const group of groups.items) {
    const rules = rulesOf(group);
    if (!rules?.complete) unknown = true;
    for (const rule of rules?.items ?? []) {
      const result = test(rule);
      if (result === true) return true;
      if (result === 'undecidable') unknown = true;
    }
  }
  return unknown ? 'undecidable' : false;
}

/** Whether a rule's peer includes one of the groups (or, for a CIDR, the given subnet CIDR). */
function peerIncludes(peer: RulePeer | undefined, groupKeys: Set<string>, subnetCidr: string | undefined): boolean | 'undecidable' {
  if (!peer) return 'undecidable';
  if (peer.groupKey !== undefined) return groupKeys.has(peer.groupKey);
  if (peer.cidr !== undefined) {
    if (isOpenCidr(peer.cidr)) return true;
    if (subnetCidr === undefined) return 'undecidable';
    const inside = cidrContains(peer.cidr, subnetCidr);
    return inside === undefined ? 'undecidable' : inside;
  }
  // A prefix list: its entries are not in the model.
  return 'undecidable';
}

/** Whether a rule allows TCP on every port of the range. */
function coversPorts(rule: SecurityGroupRule, range: { from: number; to: number }): boolean {
  const protocol = rule.ipProtocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  if (rule.fromPort === undefined || rule.toPort === undefined) return false;
  // EC2 writes "all ports" of TCP as -1 in some answers.
  if (rule.fromPort === -1 && rule.toPort === -1) return true;
  return rule.fromPort <= range.from && rule.toPort >= range.to;
}

/**
 * Decides a stateless network ACL for TCP on every port of the range to or from "anywhere":
 * the lowest-numbered entry that covers the traffic decides. An entry for a narrower CIDR
 * might decide for some addresses and not others, so it makes the decision undecidable.
 */
function aclDecision(entries: PartialList<NetworkAclEntry>, egress: boolean, range: { from: number; to: number }): boolean | 'undecidable' {
  if (!entries.complete) return 'undecidable';
  const sorted = entries.items.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of sorted) {
    const protocol = entry.protocol.toLowerCase();
    const tcp = protocol === '-1' || protocol === 'all' || protocol === '6' || protocol === 'tcp';
    if (!tcp) continue;
    const allPorts = protocol === '-1' || protocol === 'all' || entry.fromPort === undefined;
    const covers = allPorts || (entry.fromPort! <= range.from && entry.toPort! >= range.to);
    const overlaps = allPorts || (entry.fromPort! <= range.to && entry.toPort! >= range.from);
    if (!overlaps) continue;
    if (entry.cidr === undefined) return 'undecidable';
    if (entry.cidr.includes(':')) continue; // IPv6 entries do not decide IPv4 traffic
    if (!isOpenCidr(entry.cidr)) return 'undecidable';
    if (!covers) return entry.allow ? 'undecidable' : false;
    return entry.allow;
  }
  return false; // the final "*" entry denies
}

function isOpenCidr(cidr: string | undefined): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || /^\[?[0-9a-f:]+\]?$/i.test(host) && host.includes(':');
}

/** Whether IPv4 CIDR `outer` contains CIDR `inner`; undefined when either is not IPv4. */
export function cidrContains(outer: string, inner: string): boolean | undefined {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  if (!a || !b) return undefined;
  if (b.bits < a.bits) return false;
  const mask = a.bits === 0 ? 0 : (~0 << (32 - a.bits)) >>> 0;
  return ((a.address & mask) >>> 0) === ((b.address & mask) >>> 0);
}

function parseCidr(cidr: string): { address: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  return { address: octets.reduce((acc, o) => ((acc << 8) | o) >>> 0, 0), bits };
}
