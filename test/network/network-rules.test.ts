/**
 * The shared network rules (lib/network/rules.ts) on hand-built paths: for every check, a path
 * that violates it, one that satisfies it and one from which it cannot be decided.
 */
import {
  checkNetworkPath, cidrContains, isS3ServiceName, NETWORK_CHECKS, NetworkAclEntry, NetworkCheck, NetworkPath, NetworkWarningId,
  PartialList, Route, RouteTargetKind, s3ServiceName, SecurityGroup, SecurityGroupRule,
} from '../../lib/network/rules';

const selfAllTcp = (key: string): SecurityGroupRule => ({ ipProtocol: 'tcp', fromPort: 0, toPort: 65535, peer: { groupKey: key } });
const allOut: SecurityGroupRule = { ipProtocol: '-1', peer: { cidr: '0.0.0.0/0' } };

function group(key: string, ingress: SecurityGroupRule[], egress: SecurityGroupRule[], complete = true): SecurityGroup {
  return { key, label: key, ingress: { items: ingress, complete }, egress: { items: egress, complete } };
}

/** A path Glue accepts: S3 endpoint, self-referencing group, matching AZ, DNS on, open ACL. */
function goodPath(): NetworkPath {
  return {
    connectionLabel: 'orders-db',
    availabilityZone: 'eu-west-1a',
    subnet: {
      key: 'subnet-1', label: 'subnet-1', availabilityZone: 'eu-west-1a', cidrBlock: '10.0.1.0/24', availableIpAddressCount: 200,
      routeTable: {
        key: 'rtb-1', label: 'rtb-1',
        routes: { complete: true, items: [{ target: RouteTargetKind.LOCAL, destinationCidr: '10.0.0.0/16' }, { target: RouteTargetKind.S3_GATEWAY_ENDPOINT, targetLabel: 'vpce-1' }] },
      },
      networkAcl: {
        key: 'acl-1', label: 'acl-1',
        entries: {
          complete: true,
          items: [
            { ruleNumber: 100, egress: true, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
            { ruleNumber: 100, egress: false, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
          ],
        },
      },
    },
    securityGroups: { complete: true, items: [group('sg-glue', [selfAllTcp('sg-glue')], [allOut])] },
    vpc: { key: 'vpc-1', label: 'vpc-1', enableDnsSupport: true, enableDnsHostnames: true },
    dataStore: {
      host: 'orders.internal', port: 5432, label: 'orders',
      securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { groupKey: 'sg-glue' } }], [])] },
    },
  };
}

const checksOf = (path: NetworkPath) => checkNetworkPath(path).findings.map((f) => f.check);

test('a path as Glue requires it satisfies every check', () => {
  const verdict = checkNetworkPath(goodPath());
  expect(verdict.findings).toEqual([]);
  expect(verdict.undecidable).toEqual([]);
  expect([...verdict.satisfied].sort()).toEqual([...NETWORK_CHECKS].sort());
});

test('an empty path decides nothing and finds nothing', () => {
  const verdict = checkNetworkPath({ connectionLabel: 'c' });
  expect(verdict.findings).toEqual([]);
  expect([...verdict.undecidable].sort()).toEqual([...NETWORK_CHECKS].sort());
});

describe('S3_ROUTE', () => {
  const withRoutes = (items: PartialList<Route>) => {
    const p = goodPath();
    return { ...p, subnet: { ...p.subnet!, routeTable: { ...p.subnet!.routeTable!, routes: items } } };
  };
  test('violated: only the local route', () => {
    const verdict = checkNetworkPath(withRoutes({ complete: true, items: [{ target: RouteTargetKind.LOCAL, destinationCidr: '10.0.0.0/16' }] }));
    expect(verdict.findings).toEqual([expect.objectContaining({ check: NetworkCheck.S3_ROUTE, resource: 'rtb-1' })]);
    expect(verdict.findings[0].fix).toContain('rtb-1');
  });
  test('violated: an internet gateway does not count (Glue interfaces have no public address)', () => {
    expect(checksOf(withRoutes({ complete: true, items: [{ target: RouteTargetKind.INTERNET_GATEWAY, destinationCidr: '0.0.0.0/0' }] }))).toEqual([NetworkCheck.S3_ROUTE]);
  });
  test('violated: a blackholed NAT route', () => {
    expect(checksOf(withRoutes({ complete: true, items: [{ target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '0.0.0.0/0', active: false }] }))).toEqual([NetworkCheck.S3_ROUTE]);
  });
  test('satisfied: a default route to a NAT gateway', () => {
    expect(checksOf(withRoutes({ complete: true, items: [{ target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '0.0.0.0/0' }] }))).toEqual([]);
  });
  test('undecidable: routes partly unknown, or a default route through a transit gateway', () => {
    expect(checkNetworkPath(withRoutes({ complete: false, items: [] })).undecidable).toContain(NetworkCheck.S3_ROUTE);
    expect(checkNetworkPath(withRoutes({ complete: true, items: [{ target: RouteTargetKind.TRANSIT_GATEWAY, destinationCidr: '0.0.0.0/0' }] })).undecidable).toContain(NetworkCheck.S3_ROUTE);
  });
});

describe('SELF_REFERENCING_INGRESS and ALL_EGRESS', () => {
  const withGroups = (...items: SecurityGroup[]): NetworkPath => ({ ...goodPath(), dataStore: undefined, securityGroups: { complete: true, items } });
  test('violated: the self-referencing rule narrowed to one port', () => {
    const verdict = checkNetworkPath(withGroups(group('sg-a', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { groupKey: 'sg-a' } }], [allOut])));
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.SELF_REFERENCING_INGRESS]);
    expect(verdict.findings[0].fix).toContain('sg-a');
  });
  test('violated: all TCP from another group is not self-referencing', () => {
    expect(checksOf(withGroups(group('sg-a', [selfAllTcp('sg-b')], [allOut])))).toEqual([NetworkCheck.SELF_REFERENCING_INGRESS]);
  });
  test('violated: egress only to one port', () => {
    const verdict = checkNetworkPath(withGroups(group('sg-a', [selfAllTcp('sg-a')], [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, peer: { cidr: '0.0.0.0/0' } }])));
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.ALL_EGRESS]);
    expect(verdict.findings[0].problem).toContain('egress');
  });
  test('satisfied: one group of two has the rules; all traffic counts as all TCP; self-referencing egress counts', () => {
    expect(checksOf(withGroups(group('sg-x', [], []), group('sg-a', [{ ipProtocol: '-1', peer: { groupKey: 'sg-a' } }], [selfAllTcp('sg-a')])))).toEqual([]);
  });
  test('undecidable: a rule whose source is a token, or a group whose rules are partly unknown', () => {
    const unknownPeer = checkNetworkPath(withGroups(group('sg-a', [{ ipProtocol: 'tcp', fromPort: 0, toPort: 65535 }], [allOut])));
    expect(unknownPeer.undecidable).toContain(NetworkCheck.SELF_REFERENCING_INGRESS);
    const partial = checkNetworkPath(withGroups(group('sg-a', [], [], false)));
    expect(partial.undecidable).toEqual(expect.arrayContaining([NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS]));
    expect(partial.findings).toEqual([]);
  });
});

describe('AVAILABILITY_ZONE and FREE_IP_ADDRESSES', () => {
  test('violated, satisfied and undecidable', () => {
    const p = goodPath();
    const verdict = checkNetworkPath({ ...p, availabilityZone: 'eu-west-1b', subnet: { ...p.subnet!, availableIpAddressCount: 0 } });
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.AVAILABILITY_ZONE, NetworkCheck.FREE_IP_ADDRESSES]);
    expect(verdict.findings[0].fix).toContain('eu-west-1a');
    const unknown = checkNetworkPath({ ...p, availabilityZone: undefined, subnet: { ...p.subnet!, availableIpAddressCount: undefined } });
    expect(unknown.undecidable).toEqual(expect.arrayContaining([NetworkCheck.AVAILABILITY_ZONE, NetworkCheck.FREE_IP_ADDRESSES]));
  });
});

describe('DNS_ATTRIBUTES', () => {
  test('violated where the host is a name; satisfied where it is an address; undecidable where the VPC or the host is unknown', () => {
    const p = goodPath();
    const off = { ...p, vpc: { ...p.vpc!, enableDnsHostnames: false } };
    const verdict = checkNetworkPath(off);
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.DNS_ATTRIBUTES]);
    expect(verdict.findings[0].fix).toBe('enable enableDnsHostnames on VPC vpc-1');
    expect(checksOf({ ...off, dataStore: { ...p.dataStore!, host: '10.0.1.15' } })).toEqual([]);
    expect(checkNetworkPath({ ...off, dataStore: { ...p.dataStore!, host: undefined } }).undecidable).toContain(NetworkCheck.DNS_ATTRIBUTES);
    expect(checkNetworkPath({ ...p, vpc: undefined }).undecidable).toContain(NetworkCheck.DNS_ATTRIBUTES);
  });
});

describe('DATA_STORE_ADMITS_CONNECTION', () => {
  test('violated: the database admits another group on its port, and the connection lets nothing out to it', () => {
    const p = goodPath();
    const verdict = checkNetworkPath({
      ...p,
      securityGroups: { complete: true, items: [group('sg-glue', [selfAllTcp('sg-glue')], [selfAllTcp('sg-glue')])] },
      dataStore: { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { groupKey: 'sg-app' } }], [])] } },
    });
    expect(verdict.findings.map((f) => [f.check, f.resource])).toEqual([
      [NetworkCheck.DATA_STORE_ADMITS_CONNECTION, 'sg-db'], [NetworkCheck.DATA_STORE_ADMITS_CONNECTION, 'sg-glue'],
    ]);
    expect(verdict.findings[0].fix).toBe('add to sg-db an inbound rule: TCP 5432, source sg-glue');
  });
  test('satisfied: the database shares the self-referencing group; or a CIDR that holds the subnet', () => {
    const p = goodPath();
    expect(checksOf({ ...p, dataStore: { ...p.dataStore!, securityGroups: p.securityGroups } })).toEqual([]);
    expect(checksOf({ ...p, dataStore: { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { cidr: '10.0.0.0/16' } }], [])] } } })).toEqual([]);
  });
  test('undecidable: a CIDR source with the subnet CIDR unknown, or no port', () => {
    const p = goodPath();
    const cidrDb = { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { cidr: '10.0.0.0/16' } }], [])] } };
    expect(checkNetworkPath({ ...p, subnet: { ...p.subnet!, cidrBlock: undefined }, dataStore: cidrDb }).undecidable).toContain(NetworkCheck.DATA_STORE_ADMITS_CONNECTION);
    expect(checkNetworkPath({ ...p, dataStore: { ...p.dataStore!, port: undefined } }).undecidable).toContain(NetworkCheck.DATA_STORE_ADMITS_CONNECTION);
  });
});

describe('NETWORK_ACL', () => {
  const withAcl = (items: { ruleNumber: number; egress: boolean; protocol: string; allow: boolean; cidr?: string; fromPort?: number; toPort?: number }[]) => {
    const p = goodPath();
    return { ...p, subnet: { ...p.subnet!, networkAcl: { key: 'acl-1', label: 'acl-1', entries: { complete: true, items } } } };
  };
  test('violated: a deny on return traffic numbered before the allow', () => {
    const verdict = checkNetworkPath(withAcl([
      { ruleNumber: 100, egress: true, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
      { ruleNumber: 50, egress: false, protocol: '6', allow: false, cidr: '0.0.0.0/0', fromPort: 0, toPort: 65535 },
      { ruleNumber: 100, egress: false, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
    ]));
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.NETWORK_ACL]);
    expect(verdict.findings[0].problem).toContain('inbound return traffic');
  });
  test('violated: nothing but the final deny', () => {
    expect(checksOf(withAcl([]))).toEqual([NetworkCheck.NETWORK_ACL]);
  });
  test('undecidable: the first entry that applies names a narrower public CIDR, which may hold S3\'s addresses', () => {
    expect(checkNetworkPath(withAcl([
      { ruleNumber: 10, egress: true, protocol: '-1', allow: false, cidr: '52.0.0.0/8' },
      { ruleNumber: 100, egress: true, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
      { ruleNumber: 100, egress: false, protocol: '-1', allow: true, cidr: '0.0.0.0/0' },
    ])).undecidable).toContain(NetworkCheck.NETWORK_ACL);
  });
});

test('acknowledged checks are skipped', () => {
  const p = goodPath();
  const verdict = checkNetworkPath({ ...p, availabilityZone: 'eu-west-1b' }, [NetworkCheck.AVAILABILITY_ZONE]);
  expect(verdict.findings).toEqual([]);
  expect(verdict.satisfied).not.toContain(NetworkCheck.AVAILABILITY_ZONE);
});

test('three problems at once give three findings, most likely cause first', () => {
  const p = goodPath();
  const verdict = checkNetworkPath({
    ...p,
    availabilityZone: 'eu-west-1c',
    subnet: { ...p.subnet!, routeTable: { key: 'rtb-1', label: 'rtb-1', routes: { complete: true, items: [] } } },
    securityGroups: { complete: true, items: [group('sg-glue', [], [allOut])] },
  });
  expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.S3_ROUTE, NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.AVAILABILITY_ZONE]);
});

test('cidrContains', () => {
  expect(cidrContains('10.0.0.0/16', '10.0.1.0/24')).toBe(true);
  expect(cidrContains('10.0.1.0/24', '10.0.0.0/16')).toBe(false);
  expect(cidrContains('10.1.0.0/16', '10.0.1.0/24')).toBe(false);
  expect(cidrContains('0.0.0.0/0', '192.168.0.0/24')).toBe(true);
  expect(cidrContains('fd00::/8', '10.0.0.0/8')).toBeUndefined();
});

// ---------------------------------------------------------------------------------------------
// Issue #16's corrections, each with its source (see lib/network/rules.ts for the full citations)

describe('IPv6 ranges open nothing for Glue (Glue: "Each elastic network interface is assigned a private IP address ..." start-connecting; VPC: security-group-rules)', () => {
  const withGroup = (ingress: SecurityGroupRule[], egress: SecurityGroupRule[]): NetworkPath => ({ ...goodPath(), securityGroups: { complete: true, items: [group('sg-glue', ingress, egress)] } });
  test('violated: all traffic from and to ::/0 is no self-referencing rule and no open egress', () => {
    const allV6: SecurityGroupRule = { ipProtocol: '-1', peer: { cidr: '::/0' } };
    expect(checksOf({ ...withGroup([allV6], [allV6]), dataStore: undefined })).toEqual([NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS]);
  });
  test('violated: a data store admitting ::/0 on its port does not admit Glue', () => {
    const p = goodPath();
    const verdict = checkNetworkPath({ ...p, dataStore: { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { cidr: '::/0' } }], [])] } } });
    expect(verdict.findings.map((f) => [f.check, f.resource])).toEqual([[NetworkCheck.DATA_STORE_ADMITS_CONNECTION, 'sg-db']]);
  });
  test('satisfied: 0.0.0.0/0 all ports opens them (Glue: "the source ... can be restricted to the same security group")', () => {
    const allV4: SecurityGroupRule = { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, peer: { cidr: '0.0.0.0/0' } };
    expect(checksOf({ ...withGroup([allV4], [allV4]), dataStore: undefined })).toEqual([]);
  });
  test('undecidable: all ports from another IPv4 range or a prefix list (Glue does not document whether its check accepts one)', () => {
    const vpcWide: SecurityGroupRule = { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, peer: { cidr: '10.0.0.0/16' } };
    const prefixList: SecurityGroupRule = { ipProtocol: '-1', peer: { prefixListId: 'pl-1' } };
    const verdict = checkNetworkPath({ ...withGroup([vpcWide], [prefixList]), dataStore: undefined });
    expect(verdict.findings).toEqual([]);
    expect(verdict.undecidable).toEqual(expect.arrayContaining([NetworkCheck.SELF_REFERENCING_INGRESS, NetworkCheck.ALL_EGRESS]));
  });
});

describe('egress only HTTPS to a prefix list (Glue troubleshooting: "At least one security group must open all egress ports")', () => {
  test('violated: ALL_EGRESS, and the data store\'s port is not let out', () => {
    const p = goodPath();
    const httpsToS3: SecurityGroupRule = { ipProtocol: 'tcp', fromPort: 443, toPort: 443, peer: { prefixListId: 'pl-s3' } };
    const verdict = checkNetworkPath({ ...p, securityGroups: { complete: true, items: [group('sg-glue', [selfAllTcp('sg-glue')], [httpsToS3])] } });
    expect(verdict.findings.map((f) => [f.check, f.resource])).toEqual([
      [NetworkCheck.ALL_EGRESS, 'sg-glue'], [NetworkCheck.DATA_STORE_ADMITS_CONNECTION, 'sg-glue'],
    ]);
  });
});

describe('the VPC\'s default security group is a group of its own (CloudFormation AWS::EC2::VPC GetAtt DefaultSecurityGroup)', () => {
  const defaultKey = '{"Fn::GetAtt":["Vpc","DefaultSecurityGroup"]}';
  test('violated: a database that admits only the default group does not admit the connection\'s new group', () => {
    const p = goodPath();
    const verdict = checkNetworkPath({ ...p, dataStore: { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { groupKey: defaultKey } }], [])] } } });
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.DATA_STORE_ADMITS_CONNECTION]);
  });
  test('satisfied: a connection that uses the default group itself is admitted', () => {
    const p = goodPath();
    const defaultGroup = group(defaultKey, [{ ipProtocol: '-1', peer: { groupKey: defaultKey } }], [allOut]);
    expect(checksOf({
      ...p, securityGroups: { complete: true, items: [defaultGroup] },
      dataStore: { ...p.dataStore!, securityGroups: { complete: true, items: [group('sg-db', [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, peer: { groupKey: defaultKey } }], [])] } },
    })).toEqual([]);
  });
});

describe('AVAILABILITY_ZONE: Glue API "Currently the field must be populated"; without it "Unable to resolve any valid connection"', () => {
  test('violated: a subnet and no AvailabilityZone, the fix naming the subnet\'s zone', () => {
    const verdict = checkNetworkPath({ ...goodPath(), availabilityZone: null });
    expect(verdict.findings.map((f) => [f.check, f.resource])).toEqual([[NetworkCheck.AVAILABILITY_ZONE, 'subnet-1']]);
    expect(verdict.findings[0].problem).toContain('Unable to resolve any valid connection');
    expect(verdict.findings[0].fix).toContain('eu-west-1a');
  });
  test('violated: two indexes of the same Fn::GetAZs list are two zones (Fn::GetAZs: each zone once)', () => {
    const p = goodPath();
    expect(checksOf({ ...p, availabilityZone: 'Fn::Select(0, Fn::GetAZs())', subnet: { ...p.subnet!, availabilityZone: 'Fn::Select(1, Fn::GetAZs())' } }))
      .toEqual([NetworkCheck.AVAILABILITY_ZONE]);
  });
  test('undecidable: no AvailabilityZone and no subnet (a connection outside a VPC needs none)', () => {
    const p = goodPath();
    expect(checkNetworkPath({ ...p, availabilityZone: null, subnet: undefined }).undecidable).toContain(NetworkCheck.AVAILABILITY_ZONE);
  });
});

describe('S3_ROUTE: NAT routes, China\'s service name (Glue: "Could not find S3 endpoint or NAT gateway for subnetId")', () => {
  const withRoutes = (items: Route[], region?: string): NetworkPath => {
    const p = goodPath();
    return { ...p, region, subnet: { ...p.subnet!, routeTable: { key: 'rtb-1', label: 'rtb-1', routes: { complete: true, items } } } };
  };
  test('satisfied: NAT routes that cover 0.0.0.0/0 in two halves', () => {
    expect(checksOf(withRoutes([
      { target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '0.0.0.0/1' }, { target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '128.0.0.0/1' },
    ]))).toEqual([]);
  });
  test('undecidable, not a finding: NAT routes for part of the address space; a default route in halves through a transit gateway', () => {
    const partial = checkNetworkPath(withRoutes([{ target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '0.0.0.0/1' }]));
    expect(partial.findings).toEqual([]);
    expect(partial.undecidable).toContain(NetworkCheck.S3_ROUTE);
    expect(checkNetworkPath(withRoutes([{ target: RouteTargetKind.TRANSIT_GATEWAY, destinationCidr: '128.0.0.0/1' }])).undecidable).toContain(NetworkCheck.S3_ROUTE);
  });
  test('violated: a route to a private range through a peering cannot reach S3; the fix names China\'s S3 service in a China region', () => {
    const verdict = checkNetworkPath(withRoutes([{ target: RouteTargetKind.VPC_PEERING, destinationCidr: '10.1.0.0/16' }], 'cn-north-1'));
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.S3_ROUTE]);
    expect(verdict.findings[0].fix).toContain('cn.com.amazonaws.cn-north-1.s3');
  });
  test('undecidable, not a finding: no route, but an S3 interface endpoint in the VPC (Glue does not document whether it accepts one)', () => {
    const p = withRoutes([]);
    const verdict = checkNetworkPath({ ...p, vpc: { ...p.vpc!, interfaceEndpoints: { complete: true, items: [{ key: 'vpce-i', label: 'vpce-i', serviceName: 'com.amazonaws.eu-west-1.s3', privateDnsEnabled: false }] } } });
    expect(verdict.findings).toEqual([]);
    expect(verdict.undecidable).toContain(NetworkCheck.S3_ROUTE);
  });
  test('S3 service names: every partition\'s, never S3 Express', () => {
    expect(['com.amazonaws.eu-west-1.s3', 'cn.com.amazonaws.cn-north-1.s3', 'com.amazonaws.us-gov-west-1.s3', 'com.amazonaws.<AWS::Region>.s3']
      .map(isS3ServiceName)).toEqual([true, true, true, true]);
    expect(['com.amazonaws.eu-west-1.s3express', 'com.amazonaws.eu-west-1.dynamodb', 'com.amazonaws.s3', undefined].map(isS3ServiceName))
      .toEqual([false, false, false, false]);
    expect([s3ServiceName('eu-west-1'), s3ServiceName('cn-northwest-1')]).toEqual(['com.amazonaws.eu-west-1.s3', 'cn.com.amazonaws.cn-northwest-1.s3']);
  });
});

describe('NETWORK_ACL on the ports Glue uses (VPC: nacl-ephemeral-ports, vpc-network-acls)', () => {
  const allIn: NetworkAclEntry = { ruleNumber: 100, egress: false, protocol: '-1', allow: true, cidr: '0.0.0.0/0' };
  const allOutAcl: NetworkAclEntry = { ruleNumber: 100, egress: true, protocol: '-1', allow: true, cidr: '0.0.0.0/0' };
  const withAcl = (items: NetworkAclEntry[], host = 'orders.internal'): NetworkPath => {
    const p = goodPath();
    return { ...p, dataStore: { ...p.dataStore!, host }, subnet: { ...p.subnet!, networkAcl: { key: 'acl-1', label: 'acl-1', entries: { complete: true, items } } } };
  };
  test('undecidable, never a finding: "deny RDP 3389" before allow-all takes one port of the ephemeral range', () => {
    const verdict = checkNetworkPath(withAcl([{ ruleNumber: 50, egress: false, protocol: '6', allow: false, cidr: '0.0.0.0/0', fromPort: 3389, toPort: 3389 }, allIn, allOutAcl]));
    expect(verdict.findings).toEqual([]);
    expect(verdict.undecidable).toContain(NetworkCheck.NETWORK_ACL);
  });
  test('undecidable: return traffic allowed on 32768-65535 only (Linux\'s range, not every client\'s)', () => {
    const verdict = checkNetworkPath(withAcl([{ ...allIn, protocol: '6', fromPort: 32768, toPort: 65535 }, allOutAcl]));
    expect(verdict.findings).toEqual([]);
    expect(verdict.undecidable).toContain(NetworkCheck.NETWORK_ACL);
  });
  test('violated: the data store\'s port denied outbound before the allow-all, the store outside the subnet', () => {
    const verdict = checkNetworkPath(withAcl([{ ruleNumber: 50, egress: true, protocol: '6', allow: false, cidr: '0.0.0.0/0', fromPort: 5432, toPort: 5432 }, allIn, allOutAcl], '10.0.2.15'));
    expect(verdict.findings.map((f) => f.check)).toEqual([NetworkCheck.NETWORK_ACL]);
    expect(verdict.findings[0].problem).toContain('outbound TCP 5432 to orders');
  });
  test('undecidable: the same deny when the store may share the subnet (a host name); satisfied when it does (ACLs filter only traffic in and out of the subnet)', () => {
    const deny: NetworkAclEntry = { ruleNumber: 50, egress: true, protocol: '6', allow: false, cidr: '0.0.0.0/0', fromPort: 5432, toPort: 5432 };
    const byName = checkNetworkPath(withAcl([deny, allIn, allOutAcl]));
    expect(byName.findings).toEqual([]);
    expect(byName.undecidable).toContain(NetworkCheck.NETWORK_ACL);
    expect(checkNetworkPath(withAcl([deny, allIn, allOutAcl], '10.0.1.20')).satisfied).toContain(NetworkCheck.NETWORK_ACL);
  });
  test('satisfied: a deny for a private range never applies to S3, and one outside the data store\'s literal address never applies to it', () => {
    expect(checksOf(withAcl([{ ruleNumber: 10, egress: true, protocol: '-1', allow: false, cidr: '192.168.0.0/16' }, allIn, allOutAcl], '10.0.2.15'))).toEqual([]);
  });
  test('violated: a deny for the range that holds the data store\'s literal address, on its return traffic', () => {
    const verdict = checkNetworkPath(withAcl([{ ruleNumber: 10, egress: false, protocol: '-1', allow: false, cidr: '10.0.2.0/24' }, allIn, allOutAcl], '10.0.2.15'));
    expect(verdict.findings[0].problem).toContain('inbound return traffic (TCP 1024-65535) from orders');
  });
  test('IPv6 entries never decide Glue\'s IPv4 traffic', () => {
    expect(checksOf(withAcl([{ ruleNumber: 10, egress: false, protocol: '-1', allow: false, cidr: '::/0' }, allIn, allOutAcl]))).toEqual([]);
  });
});

describe('warnings: documented requirements the gate cannot be sure of (re:Post knowledge-center glue-test-connection-failed)', () => {
  const isolated = (extra: Partial<NetworkPath>): NetworkPath => {
    const p = goodPath();
    return {
      ...p,
      vpc: { ...p.vpc!, cidrBlocks: { complete: true, items: ['10.0.0.0/16'] }, interfaceEndpoints: { complete: true, items: [] } },
      ...extra,
    };
  };
  const warningsOf = (p: NetworkPath) => checkNetworkPath(p).warnings.map((w) => w.id);
  const natRoutes = (p: NetworkPath): NetworkPath => ({
    ...p, subnet: { ...p.subnet!, routeTable: { key: 'rtb-1', label: 'rtb-1', routes: { complete: true, items: [{ target: RouteTargetKind.NAT_GATEWAY, destinationCidr: '0.0.0.0/0' }] } } },
  });
  test('a JDBC host outside the VPC with no NAT route: warned, not refused; a NAT route or a host inside the VPC: no warning', () => {
    const outside = isolated({ dataStore: { host: '203.0.113.10', port: 5432 } });
    const verdict = checkNetworkPath(outside);
    expect(verdict.warnings.map((w) => [w.id, w.resource])).toEqual([[NetworkWarningId.DATA_STORE_OUTSIDE_VPC_WITHOUT_NAT, 'rtb-1']]);
    expect(verdict.findings).toEqual([]);
    expect(warningsOf(natRoutes(outside))).toEqual([]);
    expect(warningsOf(isolated({ dataStore: { host: '10.0.9.9', port: 5432 } }))).toEqual([]);
    expect(warningsOf(isolated({ dataStore: { host: 'db.example.com', port: 5432 } }))).toEqual([]);
  });
  test('a secret with neither a NAT route nor both endpoints (with private DNS): warned, naming what is missing', () => {
    const secret = isolated({ readsSecret: true });
    const verdict = checkNetworkPath(secret);
    expect(verdict.warnings.map((w) => w.id)).toEqual([NetworkWarningId.SECRET_WITHOUT_NAT_OR_ENDPOINTS]);
    expect(verdict.warnings[0].message).toMatch(/Secrets Manager \(secretsmanager\) or AWS STS \(sts\)/);
    const endpoint = (service: string, privateDnsEnabled = true) => ({ key: service, label: service, serviceName: `com.amazonaws.eu-west-1.${service}`, privateDnsEnabled });
    const withEndpoints = (...items: ReturnType<typeof endpoint>[]) => ({ ...secret, vpc: { ...secret.vpc!, interfaceEndpoints: { complete: true, items } } });
    expect(checkNetworkPath(withEndpoints(endpoint('secretsmanager'))).warnings[0].message).toMatch(/no interface endpoint with private DNS for AWS STS \(sts\);/);
    expect(warningsOf(withEndpoints(endpoint('secretsmanager'), endpoint('sts', false)))).toEqual([NetworkWarningId.SECRET_WITHOUT_NAT_OR_ENDPOINTS]);
    expect(warningsOf(withEndpoints(endpoint('secretsmanager'), endpoint('sts')))).toEqual([]);
    expect(warningsOf(natRoutes(secret))).toEqual([]);
    expect(warningsOf({ ...secret, vpc: { ...secret.vpc!, interfaceEndpoints: undefined } })).toEqual([]);
  });
});
