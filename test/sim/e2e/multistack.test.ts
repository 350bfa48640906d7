/**
 * One app, one network, deployed (issue 16): the two-stack example (a network stack and a data
 * stack that uses its subnet and group through CDK's exports) deployed by the CloudFormation
 * stand-in in dependency order, as `cdk deploy --all` does; then a change to the network stack
 * alone, which reaches the data stack's test through its NetworkPathDigest: the network stack
 * updates first, and the test runs again when the data stack updates after it.
 */
import { AppDeployment, databaseAdoptsSecret, ExportError, Simulation, startSimulation, SynthesizedApp, synthesizeTwoStackExample } from '../../../sim/cloudformation';
import { handlerBundleIsStale } from '../../../sim/build-outputs';

jest.setTimeout(120_000);

let sim: Simulation;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
  sim = await startSimulation();
}, 60_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await sim?.stop();
});

function synth(extraIngressCidr?: string): SynthesizedApp {
  const app = synthesizeTwoStackExample({ databaseHost: '127.0.0.1', databasePort: sim.pg.port, extraIngressCidr });
  cleanups.push(() => app.remove());
  return app;
}

function deployer(): AppDeployment {
  const deployment = new AppDeployment(sim, () => ({ afterCreate: databaseAdoptsSecret(sim) }));
  cleanups.push(() => deployment.dispose());
  return deployment;
}

test('the stacks deploy network first; the data stack imports its subnet and group; the test passes', async () => {
  const app = synth();
  expect(app.stacks.map((s) => s.stackName)).toEqual(['OrdersNetwork', 'OrdersData']);
  expect(JSON.stringify(app.stack('OrdersData').template.Resources)).toContain('Fn::ImportValue');
  const results = await deployer().deploy(app);
  expect(results.map((r) => [r.stackName, r.operation.stackStatus])).toEqual([['OrdersNetwork', 'CREATE_COMPLETE'], ['OrdersData', 'CREATE_COMPLETE']]);
  const [test] = results[1].operation.tests;
  expect([test.requestType, test.status]).toEqual(['Create', 'CREATE_COMPLETE']);
});

test('a change to the network stack alone: it updates first, then the data stack\'s test gets an Update and runs again; an unchanged app runs nothing', async () => {
  const deployment = deployer();
  await deployment.deploy(synth());

  const again = await deployment.deploy(synth());
  expect(again.map((r) => r.operation.stackStatus)).toEqual(['UPDATE_COMPLETE', 'UPDATE_COMPLETE']);
  expect(again.flatMap((r) => r.operation.tests)).toEqual([]);

  const changed = synth('10.0.0.0/16');
  // Only the network stack's resources changed; the data stack's template differs in the test's digest alone.
  const before = synth();
  const dataBefore = before.stack('OrdersData').template.Resources;
  const dataAfter = changed.stack('OrdersData').template.Resources;
  const differing = Object.keys(dataAfter).filter((id) => JSON.stringify(dataAfter[id]) !== JSON.stringify(dataBefore[id]));
  expect(differing).toHaveLength(1);
  expect(dataAfter[differing[0]].Type).toBe('Custom::GlueConnectionTest');

  const results = await deployment.deploy(changed);
  expect(results.map((r) => [r.stackName, r.operation.stackStatus])).toEqual([['OrdersNetwork', 'UPDATE_COMPLETE'], ['OrdersData', 'UPDATE_COMPLETE']]);
  expect(results[0].operation.events.map((e) => [e.type, e.status])).toContainEqual(['AWS::EC2::SecurityGroupIngress', 'CREATE_COMPLETE']);
  const [test] = results[1].operation.tests;
  expect([test.requestType, test.status]).toEqual(['Update', 'UPDATE_COMPLETE']);
  expect(test.result.responses[0].body).toMatchObject({ Status: 'SUCCESS', Data: { Result: 'PASSED' } });
});

test('the stand-in is as strict as CloudFormation about exports: the data stack alone cannot import what no stack exports yet', async () => {
  const app = synth();
  const deployment = deployer();
  await expect(deployment.deploy({ ...app, stacks: [app.stack('OrdersData')] })).rejects.toThrow(ExportError);
  await expect(deployment.deploy({ ...app, stacks: [app.stack('OrdersData')] })).rejects.toThrow(/No export named OrdersNetwork:ExportsOutput\S+ found/);
});

test('the network stack cannot be deleted while the data stack imports its exports, as CloudFormation refuses it', async () => {
  const deployment = deployer();
  await deployment.deploy(synth());
  await expect(deployment.of('OrdersNetwork').deleteStack()).rejects.toThrow(/Export OrdersNetwork:ExportsOutput\S+ cannot be deleted as it is in use by OrdersData/);
  expect((await deployment.of('OrdersData').deleteStack()).stackStatus).toBe('DELETE_COMPLETE');
  expect((await deployment.of('OrdersNetwork').deleteStack()).stackStatus).toBe('DELETE_COMPLETE');
});
