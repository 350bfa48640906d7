/**
 * `cdk-glue-connection-test preflight` against the local simulation: the example app
 * (bin/example-stack.ts) synthesized into a temporary cloud assembly, as `cdk synth` writes it,
 * and a hand-written assembly for the tests of a definition with secret references. One
 * simulation for the suite (moto, the local Glue, a real PostgreSQL); the tests run in order, as
 * a user's day goes: before the first deployment, after it, and after the database password
 * changed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLE_STACK_NAME, exampleVariants, SynthesizedStack, synthesizeExampleApp } from '../../../sim/cloudformation';
import { LocalAws, startLocalAws } from '../../../sim/local-aws';
import { Pg, startPostgres } from '../../../sim/postgres';
import { createSecret, seedDeployment } from '../../../sim/seed';
import { runBundle, runCli, simEnv } from './cli-helpers';

let aws: LocalAws;
let pg: Pg;
let app: SynthesizedStack;

beforeAll(async () => {
  [aws, pg] = await Promise.all([startLocalAws(), startPostgres()]);
  app = synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: pg.port });
}, 90_000);

afterAll(async () => {
  app?.remove();
  await Promise.all([aws?.stop(), pg?.stop()]);
});

interface Row { stack: string; test: string; connection: string | null; result: string; category: string | null; reason: string }
const rows = (stdout: string) => (JSON.parse(stdout) as { tests: Row[] }).tests;

describe('the example app', () => {
  test('before the first deployment: its connection does not exist yet, so its test is skipped (exit 0)', async () => {
    const run = await runCli(['preflight', app.outdir, '--output', 'json'], simEnv(aws));

    expect(run.code).toBe(0);
    expect(rows(run.stdout)).toEqual([expect.objectContaining({
      stack: EXAMPLE_STACK_NAME, test: `${EXAMPLE_STACK_NAME}/OrdersDbTest`, connection: 'orders-db', result: 'SKIPPED',
      reason: 'connection "orders-db" does not exist yet: the deployment creates it; the template\'s network path meets Glue\'s rules',
    })]);
  }, 60_000);

  test('not deployed yet, with a path that breaks Glue\'s rules (an acknowledged check): the skip says what synth would say, '
    + 'naming the construct (the bundle, with the app\'s aws-cdk-lib)', async () => {
    const variant = synthesizeExampleApp({ databaseHost: '127.0.0.1', databasePort: pg.port, customize: exampleVariants.withoutS3Route });
    try {
      const run = await runBundle(['preflight', variant.outdir, '--output', 'json'], simEnv(aws, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }));

      expect(run.code).toBe(0);
      const [row] = rows(run.stdout);
      expect(row.result).toBe('SKIPPED');
      expect(row.reason).toContain('the template\'s network path breaks Glue\'s rules');
      expect(row.reason).toContain(`route table ${EXAMPLE_STACK_NAME}/Vpc/dataSubnet1/RouteTable`);
    } finally {
      variant.remove();
    }
  }, 90_000);

  test('deployed and working: PASSED, one progress line per test on stderr, the table on stdout', async () => {
    await seedDeployment(aws, { connectionName: 'orders-db', jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password });
    const run = await runCli(['preflight', app.outdir], simEnv(aws));

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^\\[1/1\\] PASSED +${EXAMPLE_STACK_NAME} ${EXAMPLE_STACK_NAME}/OrdersDbTest \\(orders-db\\)`, 'm'));
    expect(run.stdout.split('\n')[0]).toMatch(/^STACK +TEST +CONNECTION +RESULT +REASON$/);
    expect(run.stdout).toContain('1 passed, 0 failed, 0 skipped');
  }, 60_000);

  test('the database password changed: preflight fails (exit 1) with the reason the deployment would roll back with', async () => {
    const before = pg.password;
    await pg.setPassword('changed-by-the-dba-1');
    try {
      const run = await runCli(['preflight', app.outdir, '--output', 'json', '--debug'], simEnv(aws));

      expect(run.code).toBe(1);
      const [row] = rows(run.stdout);
      expect(row).toMatchObject({ connection: 'orders-db', result: 'FAILED', category: 'credentials' });
      expect(row.reason).toContain(`password authentication failed for user "${pg.user}"`);
      expect(run.stdout + run.stderr).not.toContain(before);
      expect(run.stdout + run.stderr).not.toContain('changed-by-the-dba-1');
    } finally {
      await pg.setPassword(before);
    }
  }, 60_000);

  test('--exclude skips a connection\'s tests, saying so', async () => {
    const run = await runCli(['preflight', app.outdir, '--exclude', 'orders-db', '--output', 'json'], simEnv(aws));
    expect(run.code).toBe(0);
    expect(rows(run.stdout)).toEqual([expect.objectContaining({ result: 'SKIPPED', reason: 'excluded (--exclude)' })]);
  });

  test.each([
    [['--stack', 'OrdersPipelin'], /--stack OrdersPipelin: no such stack .*; did you mean OrdersPipeline\?/],
    [['--stak', 'OrdersPipeline'], /unknown option --stak; did you mean --stack\?/],
  ])('%j: exit 2', async (args, message) => {
    const run = await runCli(['preflight', app.outdir, ...args], simEnv(aws));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  test('a directory that is no cloud assembly: exit 2, saying to run cdk synth', async () => {
    const run = await runCli(['preflight', os.tmpdir()], simEnv(aws));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('run `cdk synth` first');
  });
});

describe('tests of a definition, with secret references', () => {
  test('a secret that exists is read and tested; one the deployment creates is skipped, naming it', async () => {
    const secretArn = await createSecret(aws, 'preflight-credentials', { username: pg.user, password: pg.password });
    const dir = writeAssembly({
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
      Existing: testResource(secretArn),
      Created: testResource({ Ref: 'Secret' }),
    });
    try {
      const run = await runCli(['preflight', dir, '--output', 'json'], simEnv(aws));

      expect(run.code).toBe(0);
      expect(rows(run.stdout)).toEqual([
        expect.objectContaining({ test: 'Stack/Existing', connection: null, result: 'PASSED' }),
        expect.objectContaining({ test: 'Stack/Created', result: 'SKIPPED', reason: 'needs what the deployment creates: AWS::SecretsManager::Secret Secret (the deployment creates it)' }),
      ]);
      expect(run.stdout + run.stderr).not.toContain(pg.password);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a REPORT_ONLY test', () => {
  test('its failure is shown and not counted: the deployment would not fail on it (exit 0)', async () => {
    const dir = writeAssembly({
      Report: { Type: 'Custom::GlueConnectionTest', Properties: { ConnectionName: 'not-there', FailureMode: 'REPORT_ONLY', TimeoutSeconds: '60' } },
    });
    try {
      const run = await runCli(['preflight', dir, '--output', 'json'], simEnv(aws));

      expect(run.code).toBe(0);
      expect(rows(run.stdout)).toEqual([expect.objectContaining({ test: 'Stack/Report', result: 'FAILED', reportOnly: true })]);
      expect(JSON.parse(run.stdout)).toMatchObject({ failed: 0, reportOnlyFailed: 1 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** A Custom::GlueConnectionTest of a JDBC definition whose password is a secret reference, as the construct renders it. */
function testResource(secretId: unknown) {
  return {
    Type: 'Custom::GlueConnectionTest',
    Properties: {
      ServiceToken: { 'Fn::GetAtt': ['Framework', 'Arn'] },
      TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: pg.jdbcUrl, USERNAME: pg.user } },
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: secretId, JsonField: 'password' }],
      TimeoutSeconds: '60',
    },
  };
}

function writeAssembly(resources: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-assembly-'));
  const withPaths = Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, { ...(r as object), Metadata: { 'aws:cdk:path': `Stack/${id}/Resource/Default` } }]));
  fs.writeFileSync(path.join(dir, 'Stack.template.json'), JSON.stringify({ Resources: withPaths }));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    version: '41.0.0',
    artifacts: { Stack: { type: 'aws:cloudformation:stack', environment: 'aws://unknown-account/unknown-region', properties: { templateFile: 'Stack.template.json' } } },
  }));
  return dir;
}
