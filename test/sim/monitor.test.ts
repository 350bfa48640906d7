/**
 * The monitor on the local simulation: the example app with its test and a second one (a replica
 * connection to the same database) on one hourly schedule, deployed by the CloudFormation
 * stand-in; then the schedule fired as EventBridge fires it (the rule's resolved input, handed to
 * the handler bundle from cdk.out as an asynchronous invocation). Each run's EMF lines are
 * checked field by field, as CloudWatch would read them: raw lines on stdout, not console lines.
 */
import { GetConnectionCommand, GlueClient, UpdateConnectionCommand } from '@aws-sdk/client-glue';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as events from 'aws-cdk-lib/aws-events';
import { Duration } from 'aws-cdk-lib';
import { GlueConnectionTest } from '../../lib';
import { handlerBundleIsStale } from '../../sim/build-outputs';
import {
  deployExampleApp, Deployment, logicalIdsOfType, ScheduledRun, Simulation, startSimulation, SynthesizedStack, synthesizeExampleApp,
} from '../../sim/cloudformation';
import { freePort } from '../../sim/lifecycle';

jest.setTimeout(60_000);

const HOURLY = events.Schedule.rate(Duration.hours(1));

let sim: Simulation;
let glueClient: GlueClient;
let stack: SynthesizedStack;
let deployment: Deployment;
let ruleId: string;

/** The example app, and a replica connection to the same database with its own monitored test. */
function synth(monitor: boolean): SynthesizedStack {
  return synthesizeExampleApp({
    databaseHost: '127.0.0.1',
    databasePort: sim.pg.port,
    monitor: monitor ? { schedule: HOURLY } : undefined,
    customize: (s) => {
      const orders = s.node.findChild('OrdersDb') as glue.CfnConnection;
      const input = orders.connectionInput as glue.CfnConnection.ConnectionInputProperty;
      const replica = new glue.CfnConnection(s, 'OrdersReplica', { catalogId: orders.catalogId, connectionInput: { ...input, name: 'orders-replica' } });
      new GlueConnectionTest(s, 'ReplicaTest', { connection: replica, monitor: monitor ? { schedule: HOURLY } : undefined });
    },
  });
}

beforeAll(async () => {
  if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
  sim = await startSimulation();
  glueClient = new GlueClient({ endpoint: sim.aws.endpoint, region: sim.aws.region, credentials: sim.aws.credentials });
  stack = synth(true);
  const deployed = await deployExampleApp(sim, stack);
  deployment = deployed.deployment;
  expect(deployed.operation.stackStatus).toBe('CREATE_COMPLETE');
  [ruleId] = logicalIdsOfType(stack.template, 'AWS::Events::Rule');
}, 120_000);

afterAll(async () => {
  await deployment?.dispose();
  stack?.remove();
  glueClient?.destroy();
  await sim?.stop();
});

/** Nothing the run wrote holds the database's password, and no console line carries the EMF metadata. */
function expectClean(run: ScheduledRun): void {
  const everything = JSON.stringify([run.logs, run.metrics, run.payload]);
  expect(everything).not.toContain(sim.pg.password);
  expect(run.functionError).toBeUndefined();
  expect(run.logs.filter((l) => !l.raw && l.text.includes('"_aws"'))).toEqual([]);
}

/** The EMF document CloudWatch reads from one line: the metadata, then the members it names. */
function emf(connectionName: string, failed: 0 | 1, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [{
        Namespace: 'GlueConnectionTest',
        Dimensions: [['ConnectionName']],
        Metrics: [{ Name: 'Failed', Unit: 'Count' }, { Name: 'Duration', Unit: 'Milliseconds' }],
      }],
    },
    ConnectionName: connectionName,
    Failed: failed,
    Duration: expect.any(Number),
    level: failed ? 'ERROR' : 'INFO',
    message: failed ? 'scheduled test failed' : 'scheduled test passed',
    Result: failed ? 'FAILED' : 'PASSED',
    Schedule: 'rate(1 hour)',
    ...extra,
  };
}

const byConnection = (run: ScheduledRun) => Object.fromEntries(run.metrics.map((m) => [m.ConnectionName, m]));

test('the rule\'s input names both tests, resolved by CloudFormation, with no secret in it', () => {
  expect(logicalIdsOfType(stack.template, 'AWS::Events::Rule')).toHaveLength(1);
  expect(logicalIdsOfType(stack.template, 'AWS::Lambda::Function')).toHaveLength(2);
  const input = JSON.stringify(stack.template.Resources[ruleId].Properties);
  expect(input).not.toContain(sim.pg.password);
  expect(input).not.toContain('resolve:secretsmanager');
});

test('a good and a broken connection: one EMF line each, field by field; the broken one with its reason', async () => {
  // After the deployment, someone points the replica's connection at a port where nothing listens.
  const { Connection } = await glueClient.send(new GetConnectionCommand({ Name: 'orders-replica' }));
  const closedPort = await freePort();
  const url = String(Connection?.ConnectionProperties?.JDBC_CONNECTION_URL).replace(/:\d+\//, `:${closedPort}/`);
  await glueClient.send(new UpdateConnectionCommand({
    Name: 'orders-replica',
    ConnectionInput: {
      Name: 'orders-replica', ConnectionType: Connection!.ConnectionType, PhysicalConnectionRequirements: Connection!.PhysicalConnectionRequirements,
      ConnectionProperties: { ...Connection!.ConnectionProperties, JDBC_CONNECTION_URL: url },
    },
  }));
  const restore = () => glueClient.send(new UpdateConnectionCommand({
    Name: 'orders-replica',
    ConnectionInput: {
      Name: 'orders-replica', ConnectionType: Connection!.ConnectionType, PhysicalConnectionRequirements: Connection!.PhysicalConnectionRequirements,
      ConnectionProperties: Connection!.ConnectionProperties,
    },
  }));
  const started = Date.now();
  try {
    const run = await deployment.runSchedule(ruleId);

    expectClean(run);
    expect(run.payload).toEqual({ tested: 2, failed: 1 });
    const metrics = byConnection(run);
    expect(Object.keys(metrics).sort()).toEqual(['orders-db', 'orders-replica']);
    expect(metrics['orders-db']).toEqual(emf('orders-db', 0));
    expect(metrics['orders-replica']).toEqual(emf('orders-replica', 1, {
      Category: 'network',
      Reason: expect.stringMatching(new RegExp(`^Glue connection "orders-replica" failed its test \\(network\\): InvalidInputException: Connection to 127\\.0\\.0\\.1:${closedPort} refused.* The network inspection found nothing wrong in the path of subnet-`)),
    }));
    for (const m of run.metrics) {
      expect((m._aws as { Timestamp: number }).Timestamp).toBeGreaterThanOrEqual(started);
      expect(m.Duration).toBeGreaterThanOrEqual(0);
    }
    // The deploy-time core: each connection waited for READY and was tested by name; the network-shaped
    // failure was inspected (its GetConnection, then EC2's Describe calls), as at deploy time.
    const glueCalls = run.awsRequests.filter((r) => r.service === 'glue' && !r.rateLimited).map((r) => r.operation).sort();
    expect(glueCalls).toEqual(['GetConnection', 'GetConnection', 'GetConnection', 'TestConnection', 'TestConnection']);
    expect(run.awsRequests.some((r) => r.service === 'ec2' && r.operation === 'DescribeSubnets')).toBe(true);
  } finally {
    // Put the replica back as the stack made it.
    await restore();
  }
});

test('a password changed in the database after the deployment is caught by the next run (credentials)', async () => {
  const original = sim.pg.password;
  await sim.pg.setPassword('changed-by-a-dba');
  try {
    const run = await deployment.runSchedule(ruleId);
    expect(run.payload).toEqual({ tested: 2, failed: 2 });
    for (const name of ['orders-db', 'orders-replica']) {
      expect(byConnection(run)[name]).toEqual(emf(name, 1, {
        Category: 'credentials', Reason: expect.stringContaining('password authentication failed'),
      }));
    }
    expect(JSON.stringify(run.logs)).not.toContain('changed-by-a-dba');
  } finally {
    await sim.pg.setPassword(original);
  }
  // Fixed: the next run passes again.
  const next = await deployment.runSchedule(ruleId);
  expect(next.metrics.map((m) => m.Failed)).toEqual([0, 0]);
});

test('a run while the stack is being deployed tests nothing and publishes nothing', async () => {
  const run = await deployment.runSchedule(ruleId, { stackStatus: 'UPDATE_IN_PROGRESS' });
  expect(run.payload).toEqual({ tested: 0, failed: 0, skipped: 'UPDATE_IN_PROGRESS' });
  expect(run.metrics).toEqual([]);
  expect(run.awsRequests.map((r) => r.operation)).toEqual(['DescribeStacks']);
});

test('removing monitor deletes the rule and its permission and re-runs no test', async () => {
  const without = synth(false);
  try {
    const operation = await deployment.updateStack(without);
    expect(operation.stackStatus).toBe('UPDATE_COMPLETE');
    expect(operation.tests).toEqual([]);
    const deleted = operation.events.filter((e) => e.status === 'DELETE_COMPLETE').map((e) => e.type).sort();
    expect(deleted).toEqual(['AWS::Events::Rule', 'AWS::Lambda::Permission']);
    await expect(deployment.runSchedule(ruleId)).rejects.toThrow(/is not a rule the stack has created/);
  } finally {
    without.remove();
  }
});
