/**
 * `npm run demo`: see the connection test stop a deployment, without an AWS account.
 *
 * Brings up the local simulation of test/sim (moto on 127.0.0.1 with an in-process Glue
 * TestConnection, a throwaway PostgreSQL cluster, a stand-in for CloudFormation's presigned
 * response URL), deploys the example app (bin/example-stack.ts) with the deployment simulation
 * the e2e suite uses (sim/cloudformation.ts): as written; without the S3 gateway endpoint its Glue
 * connection needs (acknowledged, as for a route added outside CDK, so that the deploy-time test
 * meets it); with a forgotten connection that GlueConnectionTestAspect gates; and with the
 * self-referencing rule narrowed to one port, which `cdk synth` refuses before anything is deployed;
 * and in the two-stack layout (network stack, data stack), with a change to the network stack alone.
 * After the first deployment, the database password changes behind the secret's back, and the
 * package's command, `cdk-glue-connection-test preflight cdk.out` (the bundle npx runs), catches
 * it before the next `cdk deploy`. It prints what CloudFormation would show for the connection test (status, reason, time). Last,
 * after a deployment, the test with `monitor: { schedule }`: its schedule fired before and after
 * the database's password is changed behind the stack's back, and the metric line each run
 * writes. Then it stops everything it started, also on
 * Ctrl-C or an error. It prints no secret: every line it writes is checked against the
 * passwords it knows, and a line holding one is masked and makes the demo fail.
 */
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { handlerBundleIsStale, PROJECT_ROOT } from '../sim/build-outputs';
import { freePort, onProcessExit } from '../sim/lifecycle';

type Deploy = typeof import('../sim/cloudformation');

const WIDTH = 100;
const secrets = new Set<string>();
let leakedSecret = false;

/** Prints a line, masking any secret the demo knows (which would be a bug). */
function say(line = ''): void {
  let text = line;
  for (const secret of secrets) {
    if (secret && text.includes(secret)) {
      text = text.split(secret).join('***');
      leakedSecret = true;
    }
  }
  process.stdout.write(`${text}\n`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Words wrapped to the width, every line after the first indented like the first. */
function wrap(text: string, indent: string, firstIndent = indent): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}

/** `npm run demo` bundles the handler first; run directly, the demo refuses a stale bundle. */
function ensureCurrentBuild(): void {
  if (handlerBundleIsStale()) {
    throw new Error('assets/handler/index.js is missing or older than its sources: run `npm run demo` (it bundles first) or `npm run bundle`');
  }
}

/** Short names of the network path's resources and the connection, as the demo lists them. */
const SHORT_NAMES: Record<string, string> = {
  'AWS::EC2::VPC': 'VPC',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::RouteTable': 'route table',
  'AWS::EC2::SubnetRouteTableAssociation': 'its association',
  'AWS::EC2::VPCEndpoint': 'S3 gateway endpoint',
  'AWS::EC2::SecurityGroup': 'security group',
  'AWS::EC2::SecurityGroupIngress': 'its self-referencing rule',
  'AWS::SecretsManager::Secret': 'secret',
  'AWS::Glue::Connection': 'Glue connection',
};

interface Scenario {
  readonly title: string;
  readonly detail: string;
  readonly customize?: (stack: import('../bin/example-stack').ExampleStack) => void;
  /** The change breaks the path in a way `cdk synth` refuses: the scenario shows the synth error. */
  readonly refusedAtSynth?: boolean;
  /** Once deployed, the password changes and `preflight` must catch it (see preflightCatchesPasswordChange). */
  readonly preflightAfterwards?: boolean;
}

/** The command's bundle, as `npx cdk-glue-connection-test` runs it from the package. */
const CLI_BUNDLE = path.join(PROJECT_ROOT, 'assets', 'cli', 'index.js');

/** Runs the command's bundle against the simulation's AWS, with nothing of this machine's AWS settings. */
function runCommand(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, ...args], {
      // The SDK's notice about Node.js 20 (see main) is about this machine, not the command.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      timeout: 120_000,
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }));
  });
}

/**
 * The deployed example, then a DBA changes the database password and not the secret. CI runs
 * `preflight` on the synthesized app before the next `cdk deploy`: it must fail (exit 1) with the
 * reason the deployment's test would have rolled back with. The password is put back afterwards.
 */
async function preflightCatchesPasswordChange(sim: import('../sim/cloudformation').Simulation, stack: import('../sim/cloudformation').SynthesizedStack): Promise<boolean> {
  say('  Later, the database password is changed and the secret is not. Before the next `cdk deploy`, CI runs');
  say('  `npx cdk-glue-connection-test preflight cdk.out` on the synthesized app:');
  const before = sim.pg.password;
  await sim.pg.setPassword(randomBytes(12).toString('base64url'));
  secrets.add(sim.pg.password);
  const started = Date.now();
  try {
    const run = await runCommand(['preflight', stack.outdir, '--output', 'json'], sim.aws.env());
    for (const line of run.stderr.split('\n').filter(Boolean)) say(`    ${line}`);
    let rows: { result: string; test: string; connection: string | null; reason: string }[] = [];
    try {
      rows = (JSON.parse(run.stdout) as { tests: typeof rows }).tests;
    } catch {
      say(`    (no JSON on stdout: ${run.stdout.slice(0, 200)})`);
    }
    for (const row of rows) {
      say(`    ${row.result.padEnd(8)} ${row.test}  (${row.connection ?? 'input'})`);
      for (const line of wrap(row.reason, '            ', '    Reason: ')) say(line);
    }
    say(`  preflight exited ${run.code} in ${seconds(Date.now() - started)}: the connection as deployed no longer works, and the CI job stops before \`cdk deploy\``);
    say('  (a deployment that does not change the test would not re-test it: re-testing on every deploy is opt-in, retestOnEveryDeploy).');
    return run.code === 1 && rows.some((r) => r.result === 'FAILED');
  } finally {
    await sim.pg.setPassword(before);
  }
}

async function deployOnce(d: Deploy, sim: import('../sim/cloudformation').Simulation, scenario: Scenario, n: number, of: number): Promise<boolean> {
  say(`${n}/${of}  cdk deploy ${d.EXAMPLE_STACK_NAME}: ${scenario.title}`);
  for (const line of wrap(scenario.detail, '     ')) say(line);
  const started = Date.now();
  let stack: import('../sim/cloudformation').SynthesizedStack;
  try {
    stack = d.synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port, customize: scenario.customize });
  } catch (e) {
    if (!scenario.refusedAtSynth) throw e;
    // CDK's validation report: one "[construct path] message" line per finding.
    const findings = (e as Error).message.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('['));
    say(`  cdk synth refused the app in ${seconds(Date.now() - started)}, before anything was deployed (${findings.length} finding${findings.length === 1 ? '' : 's'}):`);
    for (const finding of findings) for (const line of wrap(finding, '      ', '    ')) say(line);
    return false;
  }
  if (scenario.refusedAtSynth) throw new Error(`cdk synth accepted "${scenario.title}", which it must refuse`);
  const unregister = onProcessExit(() => stack.remove());
  const synthMs = Date.now() - started;
  let deployment: import('../sim/cloudformation').Deployment | undefined;
  try {
    const deployed = await d.deployExampleApp(sim, stack);
    deployment = deployed.deployment;
    const { operation } = deployed;
    secrets.add(sim.pg.password);

    // CloudFormation creates resources concurrently; the simulation's clock says when, in simulated seconds.
    const testStarted = Math.min(...operation.events.filter((e) => e.test?.requestType === 'Create').map((e) => e.startedAt));
    const made = operation.events.filter((e) => e.type !== 'Custom::GlueConnectionTest' && e.status === 'CREATE_COMPLETE' && e.endedAt <= testStarted);
    say(`  synthesized in ${seconds(synthMs)}; CloudFormation (simulated, seed ${deployment.seed}) started the test at ${testStarted.toFixed(0)} s, once it had created:`);
    for (const line of wrap([...new Set(made.filter((e) => SHORT_NAMES[e.type]).map((e) => SHORT_NAMES[e.type]))].join(', '), '    ')) say(line);
    const gated = operation.tests.flatMap((t) => d.dependentsOf(stack.template, t.logicalId)).join(', ');
    for (const test of operation.tests) {
      const result = test.data?.Result ? `  Result: ${String(test.data.Result)}` : '';
      say(`  ${test.status.padEnd(16)} ${test.logicalId}  Custom::GlueConnectionTest  (${seconds(test.durationMs)})${result}`);
      for (const [i, part] of (test.reason ?? '').split('\n').filter(Boolean).entries()) {
        for (const line of wrap(part, '            ', i === 0 ? '    Reason: ' : '            ')) say(line);
      }
    }
    if (operation.stackStatus === 'CREATE_COMPLETE') {
      say(`  Stack ${operation.stackStatus}. ${gated} (the Glue job the test gates) is created after the test; not simulated.`);
    } else {
      say(`  Stack ${operation.stackStatus}: ${operation.neverCreated.join(', ')} was never created, and CloudFormation deleted what it had created.`);
    }
    say(`  (${seconds(Date.now() - started)} in all)`);
    if (operation.stackStatus === 'CREATE_COMPLETE' && scenario.preflightAfterwards) {
      say();
      if (!await preflightCatchesPasswordChange(sim, stack)) throw new Error('preflight did not catch the changed password');
    }
    return operation.stackStatus === 'CREATE_COMPLETE';
  } finally {
    if (deployment?.exists) await deployment.deleteStack();
    await deployment?.dispose();
    stack.remove();
    unregister();
  }
}

/**
 * After the deployment: the example app's test with `monitor: { schedule }`, deployed; its
 * schedule fired as EventBridge fires it, once as deployed and once after the database's
 * password was changed behind the stack's back. Prints each run's metric line as CloudWatch
 * reads it. True when the first run passed and the second caught the change.
 */
async function monitorOnce(d: Deploy, sim: import('../sim/cloudformation').Simulation, n: number, of: number): Promise<boolean> {
  const { Duration } = await import('aws-cdk-lib');
  const events = await import('aws-cdk-lib/aws-events');
  say(`${n}/${of}  after the deployment: \`monitor: { schedule: Schedule.rate(Duration.hours(1)) }\` on the example's test`);
  for (const line of wrap('The stack\'s test handler re-runs the test on the schedule (one EventBridge rule, no new function) and writes '
    + 'the Failed and Duration metrics in CloudWatch\'s embedded metric format. A DBA then changes the database password, '
    + 'and the secret is not updated.', '     ')) say(line);
  const started = Date.now();
  const stack = d.synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: sim.pg.port, monitor: { schedule: events.Schedule.rate(Duration.hours(1)) } });
  const unregister = onProcessExit(() => stack.remove());
  let deployment: import('../sim/cloudformation').Deployment | undefined;
  const original = sim.pg.password;
  try {
    const deployed = await d.deployExampleApp(sim, stack);
    deployment = deployed.deployment;
    secrets.add(sim.pg.password);
    say(`  cdk deploy: stack ${deployed.operation.stackStatus}; the test passed at deploy time.`);
    const [rule] = d.logicalIdsOfType(stack.template, 'AWS::Events::Rule');
    const show = (label: string, run: import('../sim/cloudformation').ScheduledRun) => {
      say(`  ${label} (${String(stack.template.Resources[rule].Properties?.ScheduleExpression)}): the handler wrote the metric line`);
      for (const m of run.metrics) {
        const text = `ConnectionName=${String(m.ConnectionName)} Failed=${String(m.Failed)} Duration=${String(m.Duration)} ms `
          + `(namespace ${String((m._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0].Namespace)})`;
        say(`    ${text}`);
        if (m.Reason) for (const line of wrap(String(m.Reason), '            ', '    Reason: ')) say(line);
      }
    };
    const before = await deployment.runSchedule(rule);
    show('next scheduled run', before);
    await sim.pg.setPassword('changed-by-a-dba');
    secrets.add('changed-by-a-dba');
    say('  ALTER ROLE ... PASSWORD: the database\'s password changed; the secret still holds the old one.');
    const after = await deployment.runSchedule(rule);
    show('the run after that', after);
    say('  test.metricFailed().createAlarm(...) turns that line into an alarm before the nightly job fails.');
    say(`  (${seconds(Date.now() - started)} in all)`);
    return before.metrics.every((m) => m.Failed === 0) && after.metrics.length > 0 && after.metrics.every((m) => m.Failed === 1);
  } finally {
    await sim.pg.setPassword(original);
    if (deployment?.exists) await deployment.deleteStack();
    await deployment?.dispose();
    stack.remove();
    unregister();
  }
}

/**
 * The layout most real apps use: a network stack and a data stack that uses its subnet and
 * group. Deployed in dependency order (network first), then a change to the network stack
 * alone: the data stack's test runs again after the network stack's update.
 */
async function twoStacks(d: Deploy, sim: import('../sim/cloudformation').Simulation, n: number, of: number): Promise<boolean> {
  say(`${n}/${of}  cdk deploy --all: a network stack (VPC, S3 endpoint, Glue group) and a data stack (secret, connection, test)`);
  for (const line of wrap('The connection uses the network stack\'s subnet and group (CDK exports them). The gate reads the path in the network stack, '
    + 'makes the data stack depend on it, and covers its definitions in the test\'s NetworkPathDigest. Then a rule is added to the network stack only.', '     ')) say(line);
  const options = { databaseHost: '127.0.0.1', databasePort: sim.pg.port };
  const apps = [d.synthesizeTwoStackExample(options), d.synthesizeTwoStackExample({ ...options, extraIngressCidr: '10.0.0.0/16' })];
  const unregister = onProcessExit(() => apps.forEach((a) => a.remove()));
  const deployment = new d.AppDeployment(sim, () => ({ afterCreate: d.databaseAdoptsSecret(sim) }));
  let ok = true;
  try {
    for (const [i, app] of apps.entries()) {
      say(i === 0 ? '  first deployment:' : '  after adding an inbound rule to the network stack\'s group (the data stack\'s code is unchanged):');
      for (const { stackName, operation } of await deployment.deploy(app)) {
        const tests = operation.tests.map((t) => `test ${t.requestType} ${t.status}${t.data?.Result ? ` (${String(t.data.Result)})` : ''}`);
        say(`    ${stackName.padEnd(14)} ${operation.stackStatus.padEnd(16)} ${tests.join(', ') || 'no test event'}`);
        ok &&= /^(CREATE|UPDATE)_COMPLETE$/.test(operation.stackStatus) && operation.tests.every((t) => /_COMPLETE$/.test(t.status));
      }
    }
    secrets.add(sim.pg.password);
    return ok;
  } finally {
    for (const stackName of ['OrdersData', 'OrdersNetwork']) {
      const one = deployment.deployments.get(stackName);
      if (one?.exists) await one.deleteStack();
    }
    await deployment.dispose();
    apps.forEach((a) => a.remove());
    unregister();
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  // The AWS SDK warns on Node.js < 22 about its releases after January 2027; the handler runs on
  // nodejs24.x in Lambda, so this warning would never appear there and is dropped here.
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (String(warning instanceof Error ? warning.message : warning).startsWith('NodeVersionSupportWarning')) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;

  say('cdk-glue-connection-test: a LOCAL SIMULATION of `cdk deploy`. No AWS account is used; nothing leaves 127.0.0.1.');
  say();
  ensureCurrentBuild();
  const d: Deploy = await import('../sim/cloudformation');

  say('Starting moto (local AWS), PostgreSQL and a stand-in for CloudFormation\'s response URL...');
  const starting = Date.now();
  let sim: import('../sim/cloudformation').Simulation;
  try {
    sim = await d.startSimulation();
  } catch (e) {
    if (!(e instanceof d.SimulationUnavailable)) throw e;
    say();
    say('The demo cannot start the local simulation:');
    for (const line of e.message.split('\n')) say(`  ${line}`);
    return 1;
  }
  say(`  ready in ${seconds(Date.now() - starting)}: AWS at ${sim.aws.endpoint} (moto + a local Glue whose TestConnection really`);
  say(`  tests: VPC plumbing from moto's EC2, then a TCP connect and a login), PostgreSQL at 127.0.0.1:${sim.pg.port}.`);
  say('  The Provider framework code from aws-cdk-lib runs the handler bundle from cdk.out, as Lambda would.');
  say();

  const scenarios: Scenario[] = [
    {
      title: 'the example app as written',
      detail: 'The database adopts the password CloudFormation generates into the secret, as its rotation function would.',
      preflightAfterwards: true,
    },
    {
      title: 'the VPC without its S3 gateway endpoint',
      detail: 'bin/example-stack.ts without `gatewayEndpoints: { S3: ... }`: the subnet of the Glue connection has no route to S3, which Glue requires. '
        + '`cdk synth` would refuse it; the check is acknowledged (acknowledgedNetworkChecks: [NetworkCheck.S3_ROUTE]), as for a route added outside CDK, so the deploy-time test meets it.',
      customize: d.exampleVariants.withoutS3Route,
    },
    {
      title: 'one line gates what the example forgot',
      detail: 'A second connection (orders-replica, on a port where nothing listens) and a job that names it, with no '
        + 'GlueConnectionTest and no gate(); the app adds `Aspects.of(app).add(new GlueConnectionTestAspect())`, which tests '
        + 'orders-replica, makes the job wait for it, and adds nothing beside the hand-written test of orders-db.',
      customize: d.exampleVariants.forgottenReplicaGatedByAspect(await freePort()),
    },
    {
      title: 'the self-referencing rule narrowed to the database port',
      detail: 'bin/example-stack.ts with `ec2.Port.tcp(5432)` instead of `ec2.Port.allTcp()`. On an existing stack CloudFormation would remove the old rule '
        + 'only after the test had passed, so no deploy-time test can see this change: `cdk synth` refuses it.',
      customize: d.exampleVariants.selfReferencingRuleOnePort,
      refusedAtSynth: true,
    },
  ];
  const results: boolean[] = [];
  let monitorCaughtIt = false;
  let layout = false;
  try {
    for (const [i, scenario] of scenarios.entries()) {
      results.push(await deployOnce(d, sim, scenario, i + 1, scenarios.length + 2));
      say();
    }
    layout = await twoStacks(d, sim, scenarios.length + 1, scenarios.length + 2);
    say();
    monitorCaughtIt = await monitorOnce(d, sim, scenarios.length + 2, scenarios.length + 2);
    say();
  } finally {
    const stopping = Date.now();
    await sim.stop();
    say(`Stopped moto, PostgreSQL and the response endpoint (${seconds(Date.now() - stopping)}). Total ${seconds(Date.now() - started)}.`);
  }
  if (leakedSecret) {
    say('BUG: a secret reached the demo\'s output (masked above). Please report it.');
    return 1;
  }
  // The demo succeeds when the gate did its job: the good deployment passed, the broken ones were stopped.
  // ...the two-stack app deployed, its test run again after a network-only change; and the monitor caught the changed password.
  return results[0] && results.slice(1).every((passed) => !passed) && layout && monitorCaughtIt ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.DEMO_DEBUG) console.error(e);
    process.exitCode = 1;
  },
);
