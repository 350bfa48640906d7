/**
 * The shared network rules (lib/network/rules.ts) on hand-built paths: for every check, a path
 * that violates it, one that satisfies it and one from which it cannot be decided.
 */
import {
  checkNetworkPath, cidrContains, NETWORK_CHECKS, NetworkCheck, NetworkPath, PartialList, Route, RouteTargetKind,
  SecurityGroup, SecurityGroupRule,
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
  test('undecidable: the first entry that applies names a narrower CIDR', () => {
    expect(checkNetworkPath(withAcl([
      { ruleNumber: 10, egress: true, protocol: '-1', allow: false, cidr: '10.0.0.0/8' },
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
