/**
 * The CloudFormation stand-in of deploy.ts is at least as strict as CloudFormation: resources
 * are created concurrently, each as soon as what it depends on is done, in an order the seed
 * decides; an update replaces what CloudFormation replaces, sends a test an Update only when
 * its resolved properties change, and deletes the old and the removed in a cleanup phase after
 * every update; a failed update goes back without that cleanup. The deployments run as the e2e
 * suite's do: moto, the local Glue, a real PostgreSQL, aws-cdk-lib's Provider framework code.
 *
 * Variants the library would refuse at synth (a test that waits for the connection only, a
 * removed S3 endpoint) are made by changing the synthesized template, as a hand edit of
 * cdk.out would: what is under test is the stand-in, not the library.
 */
import { CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { execFileSync } from 'child_process';
import { ExampleStack } from '../../../bin/example-stack';
import { RESOURCE_TYPE } from '../../../lib/contract/resource';
import { createEc2Client, Ec2Client, items } from '../../../sim/ec2';
import { handlerBundleIsStale } from '../../../sim/build-outputs';
import {
  Deployment, deployExampleApp, DURATIONS, exampleVariants, logicalIdsOfType, NOT_SIMULATED, planCreate, REPLACED_ON_CHANGE, SIMULATED_TYPES, Simulation,
  StackEvent, StackOperation, startSimulation, SynthesizedStack, synthesizeExampleApp, withTemplate,
} from '../../../sim/cloudformation';

jest.setTimeout(120_000);

type Template = SynthesizedStack['template'];

const ENDPOINT = 'AWS::EC2::VPCEndpoint';
const RULE = 'AWS::EC2::SecurityGroupIngress';

/** The one resource of a type in a template. */
function idOf(template: Template, type: string): string {
  const ids = logicalIdsOfType(template, type);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

/** What a resource waits for: DependsOn, and the resources its properties refer to. */
function directDependencies(template: Template, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  const direct = new Set<string>(resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn));
  JSON.stringify(resource.Properties ?? {}, (key, value: unknown) => {
    if (key === 'Ref' && typeof value === 'string' && template.Resources[value]) direct.add(value);
    if (key === 'Fn::GetAtt') direct.add(Array.isArray(value) ? String(value[0]) : String(value).split('.')[0]);
    return value;
  });
  return direct;
}

/** Every resource `logicalId` waits for, directly or not. */
function waitsFor(template: Template, logicalId: string): Set<string> {
  const found = new Set<string>();
  const visit = (id: string) => {
    for (const d of directDependencies(template, id)) {
      if (!found.has(d)) {
        found.add(d);
        visit(d);
      }
    }
  };
  visit(logicalId);
  return found;
}

/** Whether a template value refers (Ref, Fn::GetAtt, Fn::Sub) to a resource other than `allowed`. */
function refersToOthers(value: unknown, template: Template, allowed: readonly string[]): boolean {
  let found = false;
  JSON.stringify(value, (key, v: unknown) => {
    const targets = key === 'Ref' && typeof v === 'string' ? [v]
      : key === 'Fn::GetAtt' ? [Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]]
        : key === 'Fn::Sub' ? [...JSON.stringify(v).matchAll(/\$\{([^}!.]+)/g)].map((m) => m[1]) : [];
    if (targets.some((t) => template.Resources[t] && !allowed.includes(t))) found = true;
    return v;
  });
  return found;
}

/**
 * The app as it was before #8: every test depends on its connection (and the Provider
 * framework that runs it), on nothing else; properties that refer to other resources go.
 */
function waitingOnlyForConnection(template: Template): void {
  for (const id of logicalIdsOfType(template, RESOURCE_TYPE)) {
    const test = template.Resources[id] as { Properties: Record<string, unknown>; DependsOn?: string | string[] };
    const connection = (test.Properties.ConnectionName as { Ref?: string }).Ref as string;
    const framework = (test.Properties.ServiceToken as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const kept = [connection, framework];
    if (test.DependsOn !== undefined) test.DependsOn = ([] as string[]).concat(test.DependsOn).filter((d) => kept.includes(d));
    for (const [key, value] of Object.entries(test.Properties)) {
      if (key !== 'ServiceToken' && refersToOthers(value, template, kept)) delete test.Properties[key];
    }
  }
}

/** Removes a resource, and what refers to it from the tests (any other reference is an error). */
function removing(type: string): (template: Template) => void {
  return (template) => {
    const removed = idOf(template, type);
    delete (template.Resources as Record<string, unknown>)[removed];
    for (const [id, resource] of Object.entries(template.Resources) as [string, { Properties?: Record<string, unknown>; DependsOn?: string | string[]; Type: string }][]) {
      if (resource.DependsOn !== undefined) resource.DependsOn = ([] as string[]).concat(resource.DependsOn).filter((d) => d !== removed);
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        if (!JSON.stringify(value).includes(`"${removed}`)) continue;
        if (resource.Type !== RESOURCE_TYPE) throw new Error(`${id}.${key} refers to ${removed}`);
        delete resource.Properties![key];
      }
    }
  };
}

/** The connection's Description, changed: the test's fingerprint changes, so it gets an Update whatever else it carries. */
function describingConnection(description: string): (template: Template) => void {
  return (template) => {
    const connection = template.Resources[idOf(template, 'AWS::Glue::Connection')].Properties as { ConnectionInput: Record<string, unknown> };
    connection.ConnectionInput.Description = description;
    for (const id of logicalIdsOfType(template, RESOURCE_TYPE)) {
      const properties = template.Resources[id].Properties as Record<string, unknown>;
      properties.ConnectionFingerprint = `${String(properties.ConnectionFingerprint)}-${description.length}`;
    }
  };
}

/** A new VPC CIDR: the VPC is replaced, and with it the subnet and everything in the VPC. */
function movingVpcTo(cidr: string): (template: Template) => void {
  return (template) => {
    for (const id of [idOf(template, 'AWS::EC2::VPC'), idOf(template, 'AWS::EC2::Subnet')]) {
      (template.Resources[id].Properties as Record<string, unknown>).CidrBlock = cidr;
    }
  };
}

/** Makes each test wait for the network path (the S3 endpoint, the rules, the route table association), as #8 does. */
function waitingForPath(template: Template): void {
  const path = [ENDPOINT, RULE, 'AWS::EC2::SubnetRouteTableAssociation'].flatMap((type) => logicalIdsOfType(template, type));
  for (const id of logicalIdsOfType(template, RESOURCE_TYPE)) {
    const test = template.Resources[id] as { DependsOn?: string | string[] };
    test.DependsOn = [...new Set([...(test.DependsOn === undefined ? [] : ([] as string[]).concat(test.DependsOn)), ...path])];
  }
}

/** Gives each test a property carrying the subnet's id, as a path identity would. */
function carryingSubnet(template: Template): void {
  const subnet = idOf(template, 'AWS::EC2::Subnet');
  for (const id of logicalIdsOfType(template, RESOURCE_TYPE)) (template.Resources[id].Properties as Record<string, unknown>).PathSubnet = { Ref: subnet };
}

function changed(stack: SynthesizedStack, ...changes: ((template: Template) => void)[]): SynthesizedStack {
  return withTemplate(stack, (template) => changes.forEach((change) => change(template)));
}

/** The first seed in 1..200 whose first deployment of `template` orders things so. */
async function seedWhere(template: Template, ordered: (plan: Awaited<ReturnType<typeof planCreate>>) => boolean): Promise<number> {
  for (let seed = 1; seed <= 200; seed++) if (ordered(await planCreate(template, seed))) return seed;
  throw new Error('no seed in 1..200 orders it so');
}

const eventOf = (operation: StackOperation, logicalId: string, rollback = false) => {
  const found = operation.events.filter((e) => e.logicalId === logicalId && !!e.rollback === rollback && !e.cleanup);
  if (found.length !== 1) throw new Error(`expected one event of ${logicalId}, found ${found.length}`);
  return found[0];
};
const lastEnd = (events: readonly StackEvent[]) => Math.max(...events.map((e) => e.endedAt));

describe('scheduling (no deployment)', () => {
  let example: SynthesizedStack;
  beforeAll(() => {
    example = synthesizeExampleApp();
  });
  afterAll(() => example?.remove());

  test('REPLACED_ON_CHANGE is CloudFormation\'s "Update requires: Replacement" (the registry schemas\' createOnlyProperties, as cfn-lint ships them)', () => {
    const types = Object.keys(REPLACED_ON_CHANGE);
    const script = 'import json,sys\nfrom cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m\n'
      + 'print(json.dumps({t: m.get_resource_schema("us-east-1", t).schema.get("createOnlyProperties", []) for t in sys.argv[1:]}))';
    const schemas = JSON.parse(execFileSync('python3', ['-c', script, ...types], { encoding: 'utf8' })) as Record<string, string[]>;
    for (const type of types) {
      // A nested create-only member (VPCEndpoint's DnsOptions/PrivateDnsPreference) replaces the resource only when that member changes; none is simulated.
      const topLevel = schemas[type].map((p) => p.replace(/^\/properties\//, '')).filter((p) => !p.includes('/'));
      expect({ type, replacedOnChange: [...REPLACED_ON_CHANGE[type]].sort() }).toEqual({ type, replacedOnChange: topLevel.sort() });
    }
    // Every type the simulation knows has its replacement rules and its duration.
    const known = [...SIMULATED_TYPES, ...Object.keys(NOT_SIMULATED)].filter((type) => type !== 'AWS::CDK::Metadata');
    expect(types.sort()).toEqual(known.sort());
    expect(Object.keys(DURATIONS).sort()).toEqual([...known, 'AWS::CDK::Metadata', RESOURCE_TYPE].sort());
  });

  test('each resource starts when the last thing it waits for ends, independent ones run at once, and a seed is one order', async () => {
    const { template } = changed(example, waitingOnlyForConnection);
    expect(DURATIONS[ENDPOINT][0]).toBeGreaterThanOrEqual(DURATIONS['AWS::Glue::Connection'][1]);
    expect(DURATIONS[RULE][0]).toBeGreaterThanOrEqual(DURATIONS['AWS::Glue::Connection'][1]);
    const [test, endpoint, connection] = [idOf(template, RESOURCE_TYPE), idOf(template, ENDPOINT), idOf(template, 'AWS::Glue::Connection')];
    const orders = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const plan = await planCreate(template, seed);
      expect(await planCreate(template, seed)).toEqual(plan);
      expect(Object.keys(plan).sort()).toEqual(Object.keys(template.Resources).sort());
      for (const id of Object.keys(plan)) {
        const direct = [...directDependencies(template, id)];
        expect({ id, startedAt: plan[id].startedAt }).toEqual({ id, startedAt: Math.max(0, ...direct.map((d) => plan[d].endedAt)) });
        expect(plan[id].endedAt).toBeGreaterThan(plan[id].startedAt);
      }
      // The VPC and the secret have nothing to wait for: both start at once.
      expect(plan[idOf(template, 'AWS::EC2::VPC')].startedAt).toBe(0);
      expect(plan[idOf(template, 'AWS::SecretsManager::Secret')].startedAt).toBe(0);
      orders.add(plan[endpoint].endedAt < plan[test].startedAt ? 'the endpoint is done when the test starts' : 'the test starts before the endpoint is done');
      expect(plan[test].startedAt).toBeGreaterThanOrEqual(plan[connection].endedAt);
    }
    // Nothing orders the endpoint against the test (as written before #8): the seeds give both orders.
    expect([...orders].sort()).toEqual(['the endpoint is done when the test starts', 'the test starts before the endpoint is done']);
  });
});

describe('deployments through the stand-in', () => {
  let sim: Simulation;
  let ec2Api: Ec2Client;
  let example: SynthesizedStack;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
    sim = await startSimulation();
    ec2Api = createEc2Client({ endpoint: sim.aws.endpoint, region: sim.aws.region, credentials: sim.aws.credentials });
    example = synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port });
  }, 60_000);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    try {
      expect(sim?.responses.rejected ?? []).toEqual([]);
    } finally {
      example?.remove();
      await sim?.stop();
    }
  });

  async function deploy(stack: SynthesizedStack, seed?: number): Promise<{ deployment: Deployment; operation: StackOperation }> {
    const deployed = await deployExampleApp(sim, stack, { seed });
    cleanups.push(() => deployed.deployment.dispose());
    return deployed;
  }

  /**
   * Whether the local AWS has it (an unfiltered Describe: moto's filter on a vpc-endpoint-id it
   * does not know answers malformed XML); a deleted endpoint stays listed with State "deleted".
   */
  async function exists(action: string, idElement: string, id: string, list: string): Promise<boolean> {
    return items(await ec2Api.call(action, {}), list).some((item) => item.children.some((c) => c.name === idElement && c.text.trim() === id)
      && !item.children.some((c) => c.name === 'state' && c.text.trim() === 'deleted'));
  }

  test('the race: a test that waits only for its connection fails for a seed that finishes the S3 endpoint or the rule after it starts (cancelled, then rolled back), and passes for one that does not', async () => {
    const before8 = changed(example, waitingOnlyForConnection);
    const { template } = before8;
    const [test, endpoint, rule] = [idOf(template, RESOURCE_TYPE), idOf(template, ENDPOINT), idOf(template, RULE)];
    const connection = idOf(template, 'AWS::Glue::Connection');
    expect(waitsFor(template, test)).toContain(connection);
    expect(waitsFor(template, test)).not.toContain(endpoint);
    expect(waitsFor(template, test)).not.toContain(rule);

    // A seed under which the endpoint or the rule is still being created when the test has failed.
    const late = await seedWhere(template, (plan) => plan[endpoint].endedAt > plan[test].endedAt || plan[rule].endedAt > plan[test].endedAt);
    const { operation: raced } = await deploy(before8, late);
    expect(raced.stackStatus).toBe('ROLLBACK_COMPLETE');
    const failed = eventOf(raced, test);
    expect(failed.status).toBe('CREATE_FAILED');
    const unfinished = [endpoint, rule].filter((id) => eventOf(raced, id).endedAt > failed.startedAt);
    expect(unfinished.length).toBeGreaterThan(0);
    // Glue tested the path as it was when the test started: without what was not finished yet.
    expect(failed.reason).toMatch(unfinished.includes(rule)
      ? /failed its test \(network\): InvalidInputException: At least one security group must open all ingress ports/
      : /failed its test \(network\): InvalidInputException: VPC S3 endpoint validation failed for SubnetId/);
    // What was still in progress when the test failed ends cancelled, as CloudFormation reports it, and the rollback waits for it.
    const inProgress = raced.events.filter((e) => !e.rollback && e.startedAt < failed.endedAt && e.endedAt > failed.endedAt);
    expect(inProgress.map((e) => e.logicalId)).toEqual(expect.arrayContaining([endpoint, rule].filter((id) => eventOf(raced, id).endedAt > failed.endedAt)));
    for (const event of inProgress) expect([event.logicalId, event.status, event.reason]).toEqual([event.logicalId, 'CREATE_FAILED', 'Resource creation cancelled']);
    expect(Math.min(...raced.events.filter((e) => e.rollback).map((e) => e.startedAt))).toBeGreaterThanOrEqual(lastEnd(inProgress));
    // The rollback deleted what was made, the endpoint and the rule included; the gated job was never created.
    expect(raced.neverCreated).toEqual(['OrdersEtl']);
    const deleted = raced.events.filter((e) => e.rollback && e.status === 'DELETE_COMPLETE').map((e) => e.logicalId);
    expect(deleted).toEqual(expect.arrayContaining([endpoint, rule, connection, test]));
    expect(await exists('DescribeVpcEndpoints', 'vpcEndpointId', eventOf(raced, endpoint).physicalId!, 'vpcEndpointSet')).toBe(false);

    const lucky = await seedWhere(template, (plan) => plan[endpoint].endedAt < plan[test].startedAt && plan[rule].endedAt < plan[test].startedAt);
    const { operation: passed } = await deploy(before8, lucky);
    expect(passed.stackStatus).toBe('CREATE_COMPLETE');
    expect(passed.tests.map((t) => [t.status, t.data?.Result])).toEqual([['CREATE_COMPLETE', 'PASSED']]);
  });

  test('removing the S3 endpoint: the test re-runs and passes, and the endpoint is deleted only afterwards, in the cleanup phase', async () => {
    const { deployment, operation: created } = await deploy(example);
    expect(created.stackStatus).toBe('CREATE_COMPLETE');
    const endpoint = idOf(example.template, ENDPOINT);
    const endpointId = deployment.physicalId(endpoint);
    const test = idOf(example.template, RESOURCE_TYPE);

    const updated = await deployment.updateStack(changed(example, removing(ENDPOINT), describingConnection('orders database, v2')));

    expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
    const retest = eventOf(updated, test);
    expect([retest.status, retest.test?.requestType, retest.test?.data?.Result]).toEqual(['UPDATE_COMPLETE', 'Update', 'PASSED']);
    const deletion = updated.events.find((e) => e.logicalId === endpoint) as StackEvent;
    expect(deletion).toMatchObject({ status: 'DELETE_COMPLETE', cleanup: true, physicalId: endpointId });
    expect(deletion.startedAt).toBeGreaterThanOrEqual(lastEnd(updated.events.filter((e) => !e.cleanup)));
    expect(deletion.startedAt).toBeGreaterThanOrEqual(retest.endedAt);
    expect(await exists('DescribeVpcEndpoints', 'vpcEndpointId', endpointId, 'vpcEndpointSet')).toBe(false);
    // The gate passed a path that no longer works: the next test of the same connection fails.
    const next = await deployment.sendTestEvent(test, 'Update', { stackStatus: 'UPDATE_IN_PROGRESS' });
    expect(next.reason).toMatch(/failed its test \(network\): InvalidInputException: VPC S3 endpoint validation failed for SubnetId/);
  });

  test('a new VPC CIDR replaces the VPC, subnet and what is in them, updates the connection in place, and deletes the old ones after every update', async () => {
    const base = changed(example, waitingOnlyForConnection, waitingForPath, carryingSubnet);
    const { deployment } = await deploy(base);
    const { template } = base;
    const [vpc, subnet, connection, test] = ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::Glue::Connection', RESOURCE_TYPE].map((type) => idOf(template, type));
    const oldSubnet = deployment.physicalId(subnet);
    const oldVpc = deployment.physicalId(vpc);

    const moved = changed(base, movingVpcTo('10.1.0.0/16'));
    const updated = await deployment.updateStack(moved);

    expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
    const replaced = updated.events.filter((e) => e.replacement).map((e) => e.type).sort();
    // The flow log too: its ResourceId (the VPC) is create-only.
    expect(replaced).toEqual([ENDPOINT, 'AWS::EC2::FlowLog', 'AWS::EC2::RouteTable', RULE, 'AWS::EC2::SecurityGroup', 'AWS::EC2::Subnet',
      'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::VPC'].sort());
    expect(eventOf(updated, connection)).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: 'orders-db' });
    expect(eventOf(updated, connection).replacement).toBeUndefined();
    // The test carries the subnet's id, which changed: it gets an Update with the new one, after the connection.
    const retest = eventOf(updated, test);
    const { ResourceProperties: next, OldResourceProperties: old } = retest.test!.result.event as Record<string, Record<string, string>>;
    expect([old.PathSubnet, next.PathSubnet]).toEqual([oldSubnet, deployment.physicalId(subnet)]);
    expect(retest.test?.data?.Result).toBe('PASSED');
    expect(retest.startedAt).toBeGreaterThanOrEqual(eventOf(updated, connection).endedAt);
    // The cleanup deletes the eight old physical resources after the last update, dependents first.
    const cleanup = updated.events.filter((e) => e.cleanup);
    expect(cleanup.map((e) => e.type).sort()).toEqual(replaced);
    expect(Math.min(...cleanup.map((e) => e.startedAt))).toBeGreaterThanOrEqual(lastEnd(updated.events.filter((e) => !e.cleanup)));
    const vpcDeletion = cleanup.find((e) => e.logicalId === vpc) as StackEvent;
    expect(vpcDeletion).toMatchObject({ status: 'DELETE_COMPLETE', physicalId: oldVpc });
    expect(vpcDeletion.startedAt).toBeGreaterThanOrEqual(lastEnd(cleanup.filter((e) => e.logicalId !== vpc)));
    expect(await exists('DescribeSubnets', 'subnetId', oldSubnet, 'subnetSet')).toBe(false);
    expect(await exists('DescribeVpcs', 'vpcId', oldVpc, 'vpcSet')).toBe(false);

    // Deploying the same again changes nothing: no event, no test event.
    const again = await deployment.updateStack(moved);
    expect([again.stackStatus, again.events, again.tests]).toEqual(['UPDATE_COMPLETE', [], []]);
  });

  test('a test gets an Update only when its resolved properties change: not for a replaced subnet it does not refer to', async () => {
    const base = changed(example, waitingOnlyForConnection, waitingForPath);
    const { deployment } = await deploy(base);
    const updated = await deployment.updateStack(changed(base, movingVpcTo('10.2.0.0/16')));

    expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
    expect(eventOf(updated, idOf(base.template, 'AWS::EC2::Subnet')).replacement).toBe(true);
    expect(eventOf(updated, idOf(base.template, 'AWS::Glue::Connection')).status).toBe('UPDATE_COMPLETE');
    expect(updated.tests).toEqual([]);
  });

  test('a failed update goes back to the old physical resources, which the skipped cleanup left, and deletes the new ones', async () => {
    const base = changed(example, waitingOnlyForConnection, waitingForPath, carryingSubnet);
    const { deployment } = await deploy(base);
    const [subnet, test] = [idOf(base.template, 'AWS::EC2::Subnet'), idOf(base.template, RESOURCE_TYPE)];
    const oldSubnet = deployment.physicalId(subnet);
    // The database's password changes; the secret keeps the old one: the re-test fails.
    await sim.pg.setPassword('not-the-secret-s-password');
    cleanups.push(async () => sim.pg.setPassword(JSON.parse(await deployment.secretString(idOf(base.template, 'AWS::SecretsManager::Secret'))).password as string));

    const failed = await deployment.updateStack(changed(base, movingVpcTo('10.3.0.0/16')));

    expect(failed.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(eventOf(failed, test).status).toBe('UPDATE_FAILED');
    const newSubnet = eventOf(failed, subnet).physicalId!;
    expect(newSubnet).not.toBe(oldSubnet);
    // No cleanup of the update: the old subnet was never deleted, and the rollback went back to it.
    expect(failed.events.filter((e) => e.cleanup && !e.rollback)).toEqual([]);
    expect(eventOf(failed, subnet, true)).toMatchObject({ status: 'UPDATE_COMPLETE', physicalId: oldSubnet });
    expect(deployment.physicalId(subnet)).toBe(oldSubnet);
    const [restore] = failed.rollback;
    expect((restore.result.event as { ResourceProperties: Record<string, string> }).ResourceProperties.PathSubnet).toBe(oldSubnet);
    expect(restore.data?.Result).toBe('SKIPPED');
    // The rollback's cleanup deleted what the failed update made.
    const rollbackCleanup = failed.events.filter((e) => e.cleanup && e.rollback);
    expect(rollbackCleanup.find((e) => e.logicalId === subnet)).toMatchObject({ status: 'DELETE_COMPLETE', physicalId: newSubnet });
    expect(await exists('DescribeSubnets', 'subnetId', newSubnet, 'subnetSet')).toBe(false);
    expect(await exists('DescribeSubnets', 'subnetId', oldSubnet, 'subnetSet')).toBe(true);
  });

  function synth(customize?: (stack: ExampleStack) => void): SynthesizedStack {
    const stack = synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port, customize });
    cleanups.push(() => stack.remove());
    return stack;
  }

  describe('the example app as synthesized (its test waits for its network path and carries its identity)', () => {
    test('its first deployment passes with seeds that make the same app without its path dependencies fail', async () => {
      const { template } = example;
      const [test, endpoint, rule] = [idOf(template, RESOURCE_TYPE), idOf(template, ENDPOINT), idOf(template, RULE)];
      const racing: number[] = [];
      const before8 = changed(example, waitingOnlyForConnection).template;
      for (let seed = 1; racing.length < 4; seed++) {
        const unordered = await planCreate(before8, seed);
        if (unordered[endpoint].endedAt > unordered[test].startedAt || unordered[rule].endedAt > unordered[test].startedAt) racing.push(seed);
        // As synthesized, no seed starts the test before its path is done.
        const plan = await planCreate(template, seed);
        for (const id of [endpoint, rule, idOf(template, 'AWS::EC2::SubnetRouteTableAssociation')]) expect(plan[id].endedAt).toBeLessThanOrEqual(plan[test].startedAt);
      }
      for (const seed of racing) {
        const { deployment, operation } = await deploy(example, seed);
        expect({ seed, stackStatus: operation.stackStatus, results: operation.tests.map((t) => t.data?.Result) }).toEqual({ seed, stackStatus: 'CREATE_COMPLETE', results: ['PASSED'] });
        await deployment.dispose();
      }
    });

    const cfn = <T extends CfnResource>(stack: ExampleStack, type: new (...args: never[]) => T): T[] => stack.node.findAll().filter((c): c is T => c instanceof type);
    const changes: [string, (stack: ExampleStack) => void][] = [
      ['the subnet replaced (a new VPC CIDR)', (stack) => {
        for (const resource of [...cfn(stack, ec2.CfnVPC), ...cfn(stack, ec2.CfnSubnet)]) resource.addPropertyOverride('CidrBlock', '10.7.0.0/16');
      }],
      ['the security group replaced (a new description)', (stack) => {
        for (const group of cfn(stack, ec2.CfnSecurityGroup)) group.groupDescription = 'Glue connection ENIs, v2';
      }],
      ['the self-referencing rule changed (all traffic instead of all TCP)', (stack) => {
        for (const rule of cfn(stack, ec2.CfnSecurityGroupIngress)) {
          rule.ipProtocol = '-1';
          rule.fromPort = undefined;
          rule.toPort = undefined;
        }
      }],
      ["the endpoint's route tables changed (a second one added)", (stack) => {
        const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
        const spare = new ec2.CfnRouteTable(vpc, 'SpareRouteTable', { vpcId: vpc.vpcId });
        for (const endpoint of cfn(stack, ec2.CfnVPCEndpoint)) endpoint.routeTableIds = [...(endpoint.routeTableIds ?? []), spare.ref];
      }],
      ['a connection property changed (its description)', exampleVariants.connectionDescription('orders database, v2')],
    ];

    test.each(changes)('%s: the test gets an Update, after the change is done, and passes', async (_title, change) => {
      const { deployment } = await deploy(synth());
      const next = synth(change);
      const updated = await deployment.updateStack(next);

      expect(updated.stackStatus).toBe('UPDATE_COMPLETE');
      expect(updated.tests.map((t) => [t.requestType, t.status, t.data?.Result])).toEqual([['Update', 'UPDATE_COMPLETE', 'PASSED']]);
      const retest = updated.events.find((e) => e.test) as StackEvent;
      const { ResourceProperties: now, OldResourceProperties: before } = retest.test!.result.event as Record<string, Record<string, unknown>>;
      expect(now).not.toEqual(before);
      // Every change to what the test waits for was done when it started; the cleanup comes after it.
      const path = waitsFor(next.template, retest.logicalId);
      const pathChanges = updated.events.filter((e) => path.has(e.logicalId) && !e.cleanup);
      expect(pathChanges.length).toBeGreaterThan(0);
      expect(lastEnd(pathChanges)).toBeLessThanOrEqual(retest.startedAt);
      expect(updated.events.filter((e) => e.cleanup).every((e) => e.startedAt >= retest.endedAt)).toBe(true);

      // The same app again: nothing to do, no event for the test.
      const again = await deployment.updateStack(next);
      expect([again.stackStatus, again.events.length, again.tests]).toEqual(['UPDATE_COMPLETE', 0, []]);
    });
  });
});
