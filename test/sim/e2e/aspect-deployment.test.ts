/**
 * GlueConnectionTestAspect on the deployment simulation: the example app plus what its author
 * forgot (a second connection and a job that names it, untested and ungated), synthesized with
 * `cdk synth`'s own code and the aspect applied to the app, then deployed as in deployment.test.ts.
 */
import { freePort } from '../../../sim/lifecycle';
import { handlerBundleIsStale } from '../../../sim/build-outputs';
import {
  deployExampleApp, exampleVariants, logicalIdsOfType, Simulation, startSimulation, synthesizeExampleApp,
} from '../../../sim/cloudformation';

jest.setTimeout(60_000);

let sim: Simulation;

beforeAll(async () => {
  if (handlerBundleIsStale()) throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run bundle` first');
  sim = await startSimulation();
}, 60_000);

afterAll(async () => {
  await sim?.stop();
});

async function deployWithReplicaOn(port: number) {
  const stack = synthesizeExampleApp({
    databaseHost: '127.0.0.1', databasePort: sim.pg.port, customize: exampleVariants.forgottenReplicaGatedByAspect(port),
  });
  const deployed = await deployExampleApp(sim, stack);
  return { stack, ...deployed };
}

test('the test the aspect adds stops the job its author forgot to gate; the hand-written test is left as it is', async () => {
  const { stack, deployment, operation } = await deployWithReplicaOn(await freePort());
  try {
    const tests = logicalIdsOfType(stack.template, 'Custom::GlueConnectionTest');
    expect(tests).toEqual(['OrdersDbTest53795AF3', expect.stringMatching(/^OrdersReplicaConnectionTest[0-9A-F]{8}$/)]);
    const replicaTest = tests[1];
    expect(stack.template.Resources.ReplicaEtl.DependsOn).toEqual([replicaTest]);
    expect(stack.template.Resources.OrdersEtl.DependsOn).toEqual(['OrdersDbTest53795AF3']);

    expect(operation.stackStatus).toBe('ROLLBACK_COMPLETE');
    // Only the replica's test failed (CloudFormation runs the two concurrently: the hand-written
    // one passed, or was cancelled when the replica's failed first).
    expect(operation.tests.filter((t) => t.status === 'CREATE_FAILED').map((t) => t.logicalId)).toEqual([replicaTest]);
    const failed = operation.tests.find((t) => t.logicalId === replicaTest)!;
    expect(failed.reason).toMatch(/^Glue connection "orders-replica" failed its test \(network\): .*Connection to \S+ refused\. Check that the hostname and port are correct/);
    expect(operation.neverCreated).toEqual(['ReplicaEtl']);
  } finally {
    if (deployment.exists) await deployment.deleteStack();
    await deployment.dispose();
    stack.remove();
  }
});

test('with the replica reachable, both tests pass and the stack is created', async () => {
  const { stack, deployment, operation } = await deployWithReplicaOn(sim.pg.port);
  try {
    expect(operation.stackStatus).toBe('CREATE_COMPLETE');
    expect(operation.tests.map((t) => t.data?.Result)).toEqual(['PASSED', 'PASSED']);
  } finally {
    if (deployment.exists) await deployment.deleteStack();
    await deployment.dispose();
    stack.remove();
  }
});
