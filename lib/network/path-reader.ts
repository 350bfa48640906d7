/**
 * The synth-time reader of a Glue connection's network path: from the connection's
 * PhysicalConnectionRequirements and connection properties it finds the resources of the app
 * that make up the path (subnet, route table and association, routes and their targets,
 * gateway and interface endpoints, security groups with their inline and separate rules, the
 * network ACL, the VPC, the secret, an in-app database and its security groups), and fills
 * the {@link NetworkPath} model of `rules.ts` from their definitions.
 *
 * It reads definitions resolved to CloudFormation (`resource-definition.ts`), so a path built
 * with L2s, L1s or overrides reads the same, through the app index (`app-index.ts`), so a path
 * in another stack or a nested stack of the app reads as one in the connection's stack. A
 * reference it cannot follow (an imported VPC, a top-level stack's parameter, another app's
 * export) leaves the member unknown: the rules call that undecidable, never a violation.
 */
import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AppIndex, PathResource } from './app-index';
import {
  DataStore, InterfaceEndpoint, isS3ServiceName, NetworkAcl, NetworkAclEntry, NetworkPath, PartialList, Route, RouteTable,
  RouteTargetKind, RulePeer, SecurityGroup, SecurityGroupRule, Subnet, Vpc,
} from './rules';
import { defaultPort, parseJdbcUrl } from '../contract/jdbc-url';
import { isPlainObject, referenceOf } from '../private/cfn-values';

export type { PathResource } from './app-index';

/** What a resource is to the path; it decides which of its Refs identifies the path. */
export enum PathRole {
  VPC = 'VpcId',
  SUBNET = 'SubnetId',
  ROUTE_TABLE = 'RouteTableId',
  NETWORK_ACL = 'NetworkAclId',
  SECURITY_GROUP = 'SecurityGroupIds',
  VPC_ENDPOINT = 'VpcEndpointIds',
  ROUTE_TARGET = 'RouteTargetIds',
  DATA_STORE_SECURITY_GROUP = 'DataStoreSecurityGroupIds',
  SECRET = 'SecretArns',
  /** Part of the path without an identity of its own (rules, associations, routes, the database). */
  PART = '',
}

/** A connection's path as found in the app. */
export interface DiscoveredPath {
  /** The in-app resources of the path, with what each is to it, in a stable order. */
  readonly resources: readonly { readonly part: PathResource; readonly role: PathRole }[];
  /** The model the rules check. */
  readonly model: NetworkPath;
  /** SECRET_ID and AuthenticationConfiguration.SecretArn, resolved, with the in-app secret each names. */
  readonly secrets: readonly { readonly value: unknown; readonly resource?: CfnResource }[];
  /** AuthenticationConfiguration.KmsKeyArn, resolved. */
  readonly kmsKeyArn?: unknown;
  /** Separate security-group rules of the path that `deploysLater` left out (see {@link discoverPath}). */
  readonly leftOut: readonly PathResource[];
}

const SG = 'AWS::EC2::SecurityGroup';
const DATABASE_TYPES = ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::Redshift::Cluster'];
const ALL_TRAFFIC_OUT: SecurityGroupRule = { ipProtocol: '-1', peer: { cidr: '0.0.0.0/0' } };
/**
 * aws-cdk-lib's Vpc `restrictDefaultSecurityGroup`: a custom resource, the L2 Vpc's child of this
 * id, that removes every rule of the VPC's default group. A custom resource's properties are not
 * inspectable, so it is found by its place in the tree.
 */
const RESTRICT_DEFAULT_SG = { id: 'RestrictDefaultSecurityGroupCustomResource', type: 'Custom::VpcRestrictDefaultSG' };

/** What a person reads for a resource: the L2's path when the resource is an L2's default child. */
export function labelOf(resource: IConstruct): string {
  const scope = resource.node.scope;
  return scope && scope.node.defaultChild === resource ? scope.node.path : resource.node.path;
}

/**
 * Finds the in-app network path of a connection (an AWS::Glue::Connection of the app) and
 * fills the rules' model from it.
 *
 * `deploysLater` tells a resource that deploys after the test (its stack depends on the test's
 * stack), which the test can neither wait for nor see on a first deployment. A separate
 * security-group rule of that kind (aws-cdk-lib puts the rules of `x.connections.allowTo(group)`
 * in x's stack) is left out of the path and listed in `leftOut`: an ingress rule is not
 * counted (it only adds an allow, which the test may run without: counting it could make a
 * check pass that the test fails); an egress rule makes the group's egress incomplete (it
 * removes EC2's default all-traffic rule at some deployment and not at another), so only
 * another rule can satisfy a check and no check fails for it.
 */
export function discoverPath(connection: CfnResource, index = new AppIndex(connection), deploysLater: (resource: CfnResource) => boolean = () => false): DiscoveredPath {
  const found = new Map<string, { part: PathResource; role: PathRole }>();
  const leftOut: PathResource[] = [];
  const late = (part: PathResource, group: PathResource) => {
    // A group that deploys after the test is refused as a whole (path-gate.ts `orderAfter`): its rules stay with it.
    if (!deploysLater(part.resource) || deploysLater(group.resource)) return false;
    if (!leftOut.includes(part)) leftOut.push(part);
    return true;
  };
  const add: Add = (part, role) => {
    if (part && !found.has(part.key)) found.set(part.key, { part, role });
    return part;
  };
  add.late = late;
  const input = asObject(index.read(connection).definition.properties.connectionInput) ?? {};
  const requirements = asObject(input.physicalConnectionRequirements);
  const properties = asObject(input.connectionProperties);
  const auth = asObject(input.authenticationConfiguration);

  // Subnet, its VPC, route table, routes and network ACL.
  const subnetId = requirements?.subnetId;
  const subnetPart = add(index.target(subnetId, ['AWS::EC2::Subnet']), PathRole.SUBNET);
  let vpcPart = subnetPart ? add(index.target(subnetPart.definition.properties.vpcId, ['AWS::EC2::VPC']), PathRole.VPC) : undefined;
  // A subnet outside the app is still the connection's subnet: the AvailabilityZone rule needs to know there is one.
  const subnet = subnetPart ? readSubnet(index, subnetPart, vpcPart, add)
    : subnetId !== undefined ? { key: typeof subnetId === 'string' ? subnetId : JSON.stringify(subnetId), label: typeof subnetId === 'string' ? subnetId : 'a subnet outside the app' }
      : undefined;

  // The connection's security groups.
  const groupIds = requirements?.securityGroupIdList;
  const securityGroups = Array.isArray(groupIds)
    ? { items: groupIds.map((id) => readGroup(index, id, PathRole.SECURITY_GROUP, add)), complete: true } : undefined;
  if (!vpcPart) {
    const firstGroup = Array.isArray(groupIds) ? groupIds.map((id) => index.target(id, [SG])).find((g) => g) : undefined;
    vpcPart = firstGroup ? add(index.target(firstGroup.definition.properties.vpcId, ['AWS::EC2::VPC']), PathRole.VPC) : undefined;
  }
  if (vpcPart) {
    for (const endpoint of index.pointingAt('AWS::EC2::VPCEndpoint', 'vpcId', vpcPart)) {
      if (endpoint.definition.properties.vpcEndpointType === 'Interface') add(endpoint, PathRole.VPC_ENDPOINT);
    }
  }

  // The secret Glue reads, and an in-app database the URL or HOST names.
  const secrets = [properties?.SECRET_ID, auth?.secretArn].filter((v) => v !== undefined).map((value) => {
    const secret = index.referencedIn(value, ['AWS::SecretsManager::Secret'])[0];
    add(secret, PathRole.SECRET);
    if (secret) {
      for (const attachment of index.pointingAt('AWS::SecretsManager::SecretTargetAttachment', 'secretId', secret)) add(attachment, PathRole.PART);
    }
    return { value, resource: secret?.resource };
  });
  const dataStore = readDataStore(index, properties, add);

  const [connectionAz, subnetAz] = comparable(zoneOfSubnetAttribute(index, requirements?.availabilityZone), subnetPart?.definition.properties.availabilityZone);
  const region = Stack.of(connection).region;
  const model: NetworkPath = {
    connectionLabel: labelOf(connection),
    region: Token.isUnresolved(region) ? undefined : region,
    // A subnet without an AvailabilityZone is the connection's own omission, not an unknown.
    availabilityZone: subnetId !== undefined && (requirements?.availabilityZone === undefined || requirements.availabilityZone === '') ? null : connectionAz,
    subnet: subnet ? { ...subnet, availabilityZone: subnetAz } : undefined,
    securityGroups,
    vpc: vpcPart ? readVpc(index, vpcPart) : undefined,
    dataStore,
    readsSecret: secrets.length > 0,
  };
  const resources = [...found.values()].sort((a, b) => a.part.key.localeCompare(b.part.key));
  return { resources, model, secrets, kmsKeyArn: auth?.kmsKeyArn, leftOut: leftOut.sort((a, b) => a.key.localeCompare(b.key)) };
}

/** Adds a part to the path; `late` tells (and records) a rule that deploys after the test. */
type Add = ((part: PathResource | undefined, role: PathRole) => PathResource | undefined) & { late?: (part: PathResource, group: PathResource) => boolean };

function readSubnet(index: AppIndex, subnetPart: PathResource, vpcPart: PathResource | undefined, add: Add): Subnet {
  const props = subnetPart.definition.properties;
  const cidrBlock = typeof props.cidrBlock === 'string' ? props.cidrBlock : undefined;
  const association = index.pointingAt('AWS::EC2::SubnetRouteTableAssociation', 'subnetId', subnetPart)[0];
  add(association, PathRole.PART);
  const tablePart = association ? add(index.target(association.definition.properties.routeTableId, ['AWS::EC2::RouteTable']), PathRole.ROUTE_TABLE) : undefined;
  const aclAssociation = index.pointingAt('AWS::EC2::SubnetNetworkAclAssociation', 'subnetId', subnetPart)[0];
  add(aclAssociation, PathRole.PART);
  const aclPart = aclAssociation ? add(index.target(aclAssociation.definition.properties.networkAclId, ['AWS::EC2::NetworkAcl']), PathRole.NETWORK_ACL) : undefined;
  return {
    key: subnetPart.key,
    label: labelOf(subnetPart.resource),
    cidrBlock,
    availableIpAddressCount: addressesOf(cidrBlock),
    routeTable: tablePart ? readRouteTable(index, tablePart, vpcPart, add) : undefined,
    networkAcl: aclPart ? readNetworkAcl(index, aclPart, add) : undefined,
  };
}

/** A new subnet's free addresses: its size less the 5 that AWS reserves in every subnet. */
function addressesOf(cidr: string | undefined): number | undefined {
  const bits = cidr ? /^\d{1,3}(\.\d{1,3}){3}\/(\d{1,2})$/.exec(cidr)?.[2] : undefined;
  return bits !== undefined ? 2 ** (32 - Number(bits)) - 5 : undefined;
}

function readRouteTable(index: AppIndex, tablePart: PathResource, vpcPart: PathResource | undefined, add: Add): RouteTable {
  const routes: Route[] = [{ target: RouteTargetKind.LOCAL }];
  let complete = true;
  for (const route of index.pointingAt('AWS::EC2::Route', 'routeTableId', tablePart)) {
    add(route, PathRole.PART);
    const p = route.definition.properties;
    const [kind, targetValue] = routeTarget(index, p);
    const targetPart = add(index.target(targetValue), PathRole.ROUTE_TARGET);
    if (targetPart?.resource.cfnResourceType === 'AWS::EC2::InternetGateway') {
      for (const attachment of index.pointingAt('AWS::EC2::VPCGatewayAttachment', 'internetGatewayId', targetPart)) add(attachment, PathRole.PART);
    }
    const destination = p.destinationCidrBlock ?? p.destinationIpv6CidrBlock;
    if (destination !== undefined && typeof destination !== 'string') complete = false;
    routes.push({
      target: kind,
      targetLabel: targetPart ? labelOf(targetPart.resource) : typeof targetValue === 'string' ? targetValue : undefined,
      destinationCidr: typeof destination === 'string' ? destination : undefined,
    });
  }
  // Gateway endpoints associated with the route table are routes to their service.
  for (const endpoint of index.ofType('AWS::EC2::VPCEndpoint')) {
    const p = endpoint.definition.properties;
    if ((p.vpcEndpointType ?? 'Gateway') !== 'Gateway') continue;
    const tables = p.routeTableIds;
    const listed = Array.isArray(tables) && tables.some((t) => referencedId(t) === tablePart.key);
    if (!listed) {
      // A token list might hold this table; an endpoint of another VPC cannot.
      if (!Array.isArray(tables) && tables !== undefined && (!vpcPart || referencedId(p.vpcId) === vpcPart.key)) complete = false;
      continue;
    }
    add(endpoint, PathRole.VPC_ENDPOINT);
    const service = flatten(p.serviceName);
    routes.push({
      target: service === undefined ? RouteTargetKind.OTHER : isS3ServiceName(service) ? RouteTargetKind.S3_GATEWAY_ENDPOINT : RouteTargetKind.OTHER_GATEWAY_ENDPOINT,
      targetLabel: labelOf(endpoint.resource),
    });
    if (service === undefined) complete = false;
  }
  return { key: tablePart.key, label: labelOf(tablePart.resource), routes: { items: routes, complete } };
}

function routeTarget(index: AppIndex, p: Record<string, unknown>): [RouteTargetKind, unknown] {
  if (p.natGatewayId !== undefined) return [RouteTargetKind.NAT_GATEWAY, p.natGatewayId];
  if (p.transitGatewayId !== undefined) return [RouteTargetKind.TRANSIT_GATEWAY, p.transitGatewayId];
  if (p.vpcPeeringConnectionId !== undefined) return [RouteTargetKind.VPC_PEERING, p.vpcPeeringConnectionId];
  if (p.instanceId !== undefined) return [RouteTargetKind.INSTANCE, p.instanceId];
  if (p.networkInterfaceId !== undefined) return [RouteTargetKind.INSTANCE, p.networkInterfaceId];
  if (p.gatewayId !== undefined) {
    const gateway = index.target(p.gatewayId);
    const internet = gateway ? gateway.resource.cfnResourceType === 'AWS::EC2::InternetGateway'
      : typeof p.gatewayId === 'string' && p.gatewayId.startsWith('igw-');
    return [internet ? RouteTargetKind.INTERNET_GATEWAY : RouteTargetKind.OTHER, p.gatewayId];
  }
  const other = p.vpcEndpointId ?? p.carrierGatewayId ?? p.localGatewayId ?? p.egressOnlyInternetGatewayId ?? p.coreNetworkArn;
  return [RouteTargetKind.OTHER, other];
}

function readNetworkAcl(index: AppIndex, aclPart: PathResource, add: Add): NetworkAcl {
  const entries: NetworkAclEntry[] = [];
  let complete = true;
  for (const entry of index.pointingAt('AWS::EC2::NetworkAclEntry', 'networkAclId', aclPart)) {
    add(entry, PathRole.PART);
    const p = entry.definition.properties;
    const ports = asObject(p.portRange);
    const ruleNumber = toNumber(p.ruleNumber);
    const protocol = p.protocol !== undefined ? String(p.protocol) : undefined;
    const cidr = p.cidrBlock ?? p.ipv6CidrBlock;
    const egress = p.egress === undefined ? false : toBoolean(p.egress);
    if (ruleNumber === undefined || protocol === undefined || !/^-?\d+$/.test(protocol) || egress === undefined
      || (cidr !== undefined && typeof cidr !== 'string') || (ports && (toNumber(ports.from) === undefined || toNumber(ports.to) === undefined))) {
      complete = false;
      continue;
    }
    entries.push({
      ruleNumber, egress, protocol,
      allow: String(p.ruleAction).toLowerCase() === 'allow',
      cidr: cidr as string | undefined,
      fromPort: ports ? toNumber(ports.from) : undefined,
      toPort: ports ? toNumber(ports.to) : undefined,
    });
  }
  return { key: aclPart.key, label: labelOf(aclPart.resource), entries: { items: entries, complete } };
}

/** A security group by the id the connection or a database gives, with its rules when it is in the app. */
function readGroup(index: AppIndex, id: unknown, role: PathRole, add: Add): SecurityGroup {
  const vpc = defaultGroupVpc(index, id);
  if (vpc) return readDefaultGroup(index, vpc, add);
  const group = add(index.target(id, [SG]), role);
  if (!group) {
    const literal = typeof id === 'string';
    return { key: groupKey(index, id) ?? JSON.stringify(id), label: literal ? id : 'a security group outside the app' };
  }
  const p = group.definition.properties;
  const [separateIngress] = notLate(index.pointingAt('AWS::EC2::SecurityGroupIngress', 'groupId', group), add, group);
  const [separateEgress, lateEgress] = notLate(index.pointingAt('AWS::EC2::SecurityGroupEgress', 'groupId', group), add, group);
  for (const r of [...separateIngress, ...separateEgress]) add(r, PathRole.PART);
  const inline = p.securityGroupEgress;
  const ownEgress = inline === undefined || (Array.isArray(inline) && inline.length === 0) ? [] : inline;
  return {
    key: groupKey(index, id)!,
    label: labelOf(group.resource),
    ingress: merge(ruleList(p.securityGroupIngress, 'ingress', index, []), ruleList(separateIngress.map((r) => r.definition.properties), 'ingress', index, [])),
    egress: egressOf(index, ownEgress, separateEgress.map((r) => r.definition.properties), { items: [ALL_TRAFFIC_OUT], complete: true }, lateEgress),
  };
}

/**
 * A group's egress as EC2 ends up with it.
 *
 * - No egress rule of its own, inline or separate: the default, all traffic out. Source: AWS
 *   CloudFormation, AWS::EC2::SecurityGroup
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html):
 *   "if you do not add egress rules, we add egress rules that allow all outbound IPv4 and IPv6
 *   traffic. Otherwise, we do not add them."
 * - Any egress rule, inline or a separate AWS::EC2::SecurityGroupEgress: exactly those rules
 *   (aws-cdk-lib's `allowAllOutbound: false` writes a rule that matches no traffic). A separate
 *   rule removes the default too, and may remove an all-traffic rule declared beside it,
 *   depending on the order CloudFormation adds them (https://github.com/aws/aws-cdk/issues/987,
 *   fixed in aws-cdk#998: "CloudFormation's behavior to strip the 'default outbound' rule when
 *   another rule gets added"): such an all-traffic rule is left out and the list is incomplete,
 *   so only another rule can satisfy a check.
 */
function egressOf(index: AppIndex, inline: unknown, separate: Record<string, unknown>[], byDefault: PartialList<SecurityGroupRule>,
  late = 0): PartialList<SecurityGroupRule> {
  const inlineCount = Array.isArray(inline) ? inline.length : 1;
  if (late > 0) {
    // A rule a later stack adds: the default and any all-traffic rule may be gone or not, and the later rule is not there yet.
    const listed = merge(ruleList(inline, 'egress', index, []), ruleList(separate, 'egress', index, []));
    return { items: listed.items.filter((r) => !(r.ipProtocol === '-1' && r.peer?.cidr === '0.0.0.0/0')), complete: false };
  }
  if (inlineCount === 0 && separate.length === 0) return byDefault;
  const listed = merge(ruleList(inline, 'egress', index, []), ruleList(separate, 'egress', index, []));
  if (separate.length === 0 || inlineCount + separate.length < 2) return listed;
  const kept = listed.items.filter((r) => !(r.ipProtocol === '-1' && r.peer?.cidr === '0.0.0.0/0'));
  return { items: kept, complete: listed.complete && kept.length === listed.items.length };
}

/** The in-app VPC whose default security group a value names (`{ 'Fn::GetAtt': [Vpc, 'DefaultSecurityGroup'] }`). */
function defaultGroupVpc(index: AppIndex, id: unknown): PathResource | undefined {
  return referenceOf(id)?.attribute === 'DefaultSecurityGroup' ? index.target(id, ['AWS::EC2::VPC']) : undefined;
}

/** The key of a VPC's default security group: a group of its own, never one the app creates. */
function defaultGroupKey(vpc: PathResource): string {
  return JSON.stringify({ 'Fn::GetAtt': [vpc.key, 'DefaultSecurityGroup'] });
}

/**
 * A VPC's default security group, as EC2 creates it with the VPC: all traffic in from itself,
 * all traffic out (Amazon VPC User Guide, "Default security groups for your VPCs",
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html), unless
 * aws-cdk-lib's `restrictDefaultSecurityGroup` custom resource removes both; plus the app's
 * separate rules for it.
 */
function readDefaultGroup(index: AppIndex, vpc: PathResource, add: Add): SecurityGroup {
  const key = defaultGroupKey(vpc);
  const namesIt = (value: unknown) => {
    const ref = referenceOf(value);
    return ref?.id === vpc.key && ref.attribute === 'DefaultSecurityGroup';
  };
  const [separateIngress] = notLate(index.ofType('AWS::EC2::SecurityGroupIngress').filter((r) => namesIt(r.definition.properties.groupId)), add, vpc);
  const [separateEgress, lateEgress] = notLate(index.ofType('AWS::EC2::SecurityGroupEgress').filter((r) => namesIt(r.definition.properties.groupId)), add, vpc);
  const l2 = vpc.resource.node.scope;
  const restriction = l2 && l2.node.defaultChild === vpc.resource ? l2.node.tryFindChild(RESTRICT_DEFAULT_SG.id)?.node.defaultChild : undefined;
  const restrictions = restriction && CfnResource.isCfnResource(restriction) && restriction.cfnResourceType === RESTRICT_DEFAULT_SG.type
    ? [index.read(restriction)] : [];
  add(vpc, PathRole.VPC);
  for (const r of [...separateIngress, ...separateEgress, ...restrictions]) add(r, PathRole.PART);
  const restricted = restrictions.length > 0;
  const ingress = merge({ items: restricted ? [] : [{ ipProtocol: '-1', peer: { groupKey: key } }], complete: true },
    ruleList(separateIngress.map((r) => r.definition.properties), 'ingress', index, []));
  const egress = egressOf(index, [], separateEgress.map((r) => r.definition.properties),
    { items: restricted ? [] : [ALL_TRAFFIC_OUT], complete: true }, lateEgress);
  return { key, label: `the default security group of ${labelOf(vpc.resource)}`, ingress, egress };
}

/** Separate rules that deploy with or before the test, and how many deploy after it (recorded by `add.late`). */
function notLate(rules: PathResource[], add: Add, group: PathResource): [PathResource[], number] {
  const kept = rules.filter((r) => !add.late?.(r, group));
  return [kept, rules.length - kept.length];
}

/** A group's identity for comparisons: its GroupId intrinsic when in the app (Ref and GroupId name the same group), else the literal. */
function groupKey(index: AppIndex, id: unknown): string | undefined {
  const vpc = defaultGroupVpc(index, id);
  if (vpc) return defaultGroupKey(vpc);
  const group = index.target(id, [SG]);
  if (group) return JSON.stringify({ 'Fn::GetAtt': [group.key, 'GroupId'] });
  return typeof id === 'string' ? id : undefined;
}

function ruleList(value: unknown, direction: 'ingress' | 'egress', index: AppIndex, items: SecurityGroupRule[]): PartialList<SecurityGroupRule> {
  if (value === undefined) return { items, complete: true };
  if (!Array.isArray(value)) return { items, complete: false };
  let complete = true;
  for (const raw of value) {
    const rule = readRule(asObject(raw), direction, index);
    if (rule) items.push(rule);
    else complete = false;
  }
  return { items, complete };
}

function readRule(p: Record<string, unknown> | undefined, direction: 'ingress' | 'egress', index: AppIndex): SecurityGroupRule | undefined {
  if (!p || (typeof p.ipProtocol !== 'string' && typeof p.ipProtocol !== 'number')) return undefined;
  const ipProtocol = String(p.ipProtocol).toLowerCase();
  const fromPort = portOf(index, p.fromPort);
  const toPort = portOf(index, p.toPort);
  const portsMatter = !['-1', 'all'].includes(ipProtocol);
  if (portsMatter && ((p.fromPort !== undefined && fromPort === undefined) || (p.toPort !== undefined && toPort === undefined))) return undefined;
  const [groupMember, prefixMember] = direction === 'ingress'
    ? ['sourceSecurityGroupId', 'sourcePrefixListId'] : ['destinationSecurityGroupId', 'destinationPrefixListId'];
  let peer: RulePeer | undefined;
  if (p[groupMember] !== undefined) {
    const key = groupKey(index, p[groupMember]);
    peer = key !== undefined ? { groupKey: key } : undefined;
  } else if (p.cidrIp !== undefined || p.cidrIpv6 !== undefined) {
    const cidr = p.cidrIp ?? p.cidrIpv6;
    peer = typeof cidr === 'string' ? { cidr } : undefined;
  } else if (typeof p[prefixMember] === 'string') {
    peer = { prefixListId: p[prefixMember] as string };
  }
  return { ipProtocol, fromPort, toPort, peer };
}

function merge(a: PartialList<SecurityGroupRule>, b: PartialList<SecurityGroupRule>): PartialList<SecurityGroupRule> {
  return { items: [...a.items, ...b.items], complete: a.complete && b.complete };
}

function readVpc(index: AppIndex, vpcPart: PathResource): Vpc {
  const p = vpcPart.definition.properties;
  // Its IPv4 ranges: CidrBlock (absent with an IPAM pool) and the AWS::EC2::VPCCidrBlock associations of the app.
  const cidrs: string[] = [];
  let cidrsComplete = typeof p.cidrBlock === 'string';
  if (typeof p.cidrBlock === 'string') cidrs.push(p.cidrBlock);
  for (const block of index.pointingAt('AWS::EC2::VPCCidrBlock', 'vpcId', vpcPart)) {
    const b = block.definition.properties;
    if (typeof b.cidrBlock === 'string') cidrs.push(b.cidrBlock);
    else if (b.cidrBlock !== undefined || b.ipv4IpamPoolId !== undefined) cidrsComplete = false;
  }
  // Its interface endpoints. AWS::EC2::VPCEndpoint's PrivateDnsEnabled defaults to false (aws-cdk-lib's L2 sets true).
  const interfaceEndpoints: InterfaceEndpoint[] = index.pointingAt('AWS::EC2::VPCEndpoint', 'vpcId', vpcPart)
    .filter((e) => e.definition.properties.vpcEndpointType === 'Interface')
    .map((e) => ({
      key: e.key,
      label: labelOf(e.resource),
      serviceName: flatten(e.definition.properties.serviceName),
      privateDnsEnabled: e.definition.properties.privateDnsEnabled === undefined ? false : toBoolean(e.definition.properties.privateDnsEnabled),
    }));
  return {
    key: vpcPart.key,
    label: labelOf(vpcPart.resource),
    // CloudFormation's defaults: DNS resolution on, DNS hostnames off.
    enableDnsSupport: p.enableDnsSupport === undefined ? true : toBoolean(p.enableDnsSupport),
    enableDnsHostnames: p.enableDnsHostnames === undefined ? false : toBoolean(p.enableDnsHostnames),
    cidrBlocks: { items: cidrs, complete: cidrsComplete },
    interfaceEndpoints: { items: interfaceEndpoints, complete: true },
  };
}

/** An in-app database's port: its Port property, or its engine's default. */
function databasePort(database: PathResource): number | undefined {
  const db = database.definition.properties;
  const engine = String(database.resource.cfnResourceType === 'AWS::Redshift::Cluster' ? 'redshift' : db.engine ?? '');
  return toNumber(db.port) ?? defaultPort(engine);
}

/** A rule's port: a number, or an in-app database's `Endpoint.Port` (aws-cdk-lib's `db.connections` rules use it). */
function portOf(index: AppIndex, value: unknown): number | undefined {
  const number = toNumber(value);
  if (number !== undefined) return number;
  const database = referenceOf(value)?.attribute?.endsWith('Port') ? index.target(value, DATABASE_TYPES) : undefined;
  return database ? databasePort(database) : undefined;
}

const HOST_MARK = '\u0000host\u0000';

function readDataStore(index: AppIndex, properties: Record<string, unknown> | undefined, add: Add): DataStore | undefined {
  if (!properties) return undefined;
  const url = properties.JDBC_CONNECTION_URL;
  const source = url ?? properties.HOST;
  if (source === undefined) return undefined;
  const database = index.referencedIn(source, DATABASE_TYPES)[0];
  add(database, PathRole.PART);
  const db = database?.definition.properties;
  const dbPort = database ? databasePort(database) : undefined;

  // The URL (or HOST and PORT) as text, the database's endpoint standing in for its tokens.
  const text = flatten(source, (ref) => {
    if (database && ref.id === database.key) return ref.attribute?.endsWith('.Port') ? (dbPort !== undefined ? String(dbPort) : undefined) : HOST_MARK;
    return undefined;
  });
  let host: string | undefined;
  let port: number | undefined;
  if (url !== undefined) {
    const parsed = text !== undefined ? parseJdbcUrl(text) : undefined;
    host = parsed?.host;
    port = parsed?.port;
  } else {
    host = text;
    port = toNumber(flatten(properties.PORT, (ref) => (database && ref.id === database.key && dbPort !== undefined ? String(dbPort) : undefined)));
  }
  const label = database ? labelOf(database.resource) : host;
  if (host === HOST_MARK) host = database ? `the endpoint of ${label}` : undefined;
  const groupIds = db?.vpcSecurityGroups ?? db?.vpcSecurityGroupIds;
  const securityGroups = Array.isArray(groupIds)
    ? { items: groupIds.map((id) => readGroup(index, id, PathRole.DATA_STORE_SECURITY_GROUP, add)), complete: true } : undefined;
  return { host, port, securityGroups, label };
}

// ---------------------------------------------------------------------------------------------
// Resolved CloudFormation values

/** The logical id a `{ Ref }` or `{ 'Fn::GetAtt' }` names. */
export function referencedId(value: unknown): string | undefined {
  const ref = referenceOf(value);
  return ref?.id;
}

/**
 * A resolved value as text: a literal, or an `Fn::Join` of literals and references that
 * `reference` can put into words. Undefined when any piece is unknown.
 */
function flatten(value: unknown, reference: (ref: { id: string; attribute?: string }) => string | undefined = () => undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const ref = referenceOf(value);
  if (ref) return reference(ref);
  const join = asObject(value)?.['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((part: unknown) => flatten(part, reference));
    return parts.every((p: string | undefined) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  // A region or partition in a service name: `com.amazonaws.<region>.s3` still names S3.
  const pseudo = asObject(value)?.Ref;
  if (typeof pseudo === 'string' && pseudo.startsWith('AWS::')) return `<${pseudo}>`;
  return undefined;
}

/**
 * Two resolved Availability Zones as strings a rule may compare: both literals, the same
 * intrinsic as the same string, or two `Fn::Select` indexes of the same `Fn::GetAZs` list (an
 * environment-agnostic stack) as `Fn::Select(i, Fn::GetAZs(region))`: the list holds each zone
 * once, so two indexes name two zones (AWS CloudFormation, Fn::GetAZs,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getavailabilityzones.html).
 * A literal against an intrinsic is unknown: the intrinsic may resolve to it.
 */
function comparable(a: unknown, b: unknown): [string | undefined, string | undefined] {
  if (typeof a === 'string' && typeof b === 'string') return [a, b];
  const [za, zb] = [selectedZone(a), selectedZone(b)];
  if (za && zb && za.list === zb.list) return [za.text, zb.text];
  if (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b)) return [JSON.stringify(a), JSON.stringify(b)];
  return [undefined, typeof b === 'string' ? b : undefined];
}

/**
 * A zone given as an in-app subnet's `AvailabilityZone` attribute (`subnet.attrAvailabilityZone`)
 * is that subnet's AvailabilityZone property, which it returns; anything else is itself.
 */
function zoneOfSubnetAttribute(index: AppIndex, value: unknown): unknown {
  if (referenceOf(value)?.attribute !== 'AvailabilityZone') return value;
  const subnet = index.target(value, ['AWS::EC2::Subnet']);
  return subnet?.definition.properties.availabilityZone ?? value;
}

/** `{ 'Fn::Select': [i, { 'Fn::GetAZs': region }] }` as its list (the region, '' for the stack's) and a text naming the zone. */
function selectedZone(value: unknown): { list: string; text: string } | undefined {
  const select = asObject(value)?.['Fn::Select'];
  if (!Array.isArray(select) || select.length !== 2) return undefined;
  const position = toNumber(select[0]);
  const getAzs = asObject(select[1]);
  if (position === undefined || !getAzs || Object.keys(getAzs).length !== 1 || !('Fn::GetAZs' in getAzs)) return undefined;
  const region = getAzs['Fn::GetAZs'];
  const list = region === '' || asObject(region)?.Ref === 'AWS::Region' ? '' : typeof region === 'string' ? region : undefined;
  return list === undefined ? undefined : { list, text: `Fn::Select(${position}, Fn::GetAZs(${list}))` };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return isPlainObject(value) ? value : undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
