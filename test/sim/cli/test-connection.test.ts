/**
 * `cdk-glue-connection-test test-connection` against the local simulation: the real AWS SDK over
 * HTTP to moto and the local Glue, whose TestConnection logs in to a real PostgreSQL. One
 * simulation for the suite. Every exit code (0 passed, 1 failed or missing, 2 usage) and every
 * option the command takes from the seed (`aws glue test-connection`), with the secrets the
 * command is given never in what it prints, --debug included.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalAws, startLocalAws } from '../../../sim/local-aws';
import { freePort } from '../../../sim/lifecycle';
import { Pg, startPostgres } from '../../../sim/postgres';
import { seedDeployment } from '../../../sim/seed';
import { cleanEnv, runBundle, runCli, simEnv } from './cli-helpers';

let aws: LocalAws;
let pg: Pg;
let good: string;
let tmp: string;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}`;

beforeAll(async () => {
  [aws, pg] = await Promise.all([startLocalAws(), startPostgres()]);
  good = (await seedDeployment(aws, { connectionName: 'orders-db', jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password })).connectionName;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([aws?.stop(), pg?.stop()]);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

afterEach(() => {
  aws.faults = undefined;
});

/** A definition of the simulated database, with `password` as its plain PASSWORD. */
const input = (password: string) => JSON.stringify({
  ConnectionType: 'JDBC',
  ConnectionProperties: { JDBC_CONNECTION_URL: pg.jdbcUrl, USERNAME: pg.user, PASSWORD: password },
});

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('exit 0: the test passed', () => {
  test('an existing connection, by name: PASSED, and the JSON the README documents', async () => {
    const run = await runCli(['test-connection', '--connection-name', good, '--output', 'json', '--no-cli-pager', '--no-paginate'], simEnv(aws));

    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ connection: good, result: 'PASSED', category: null, reason: '', findings: [], notInspected: [] });
  }, 60_000);

  test('a definition with a plain password passes it to Glue and never prints it, --debug included', async () => {
    const run = await runCli(['test-connection', '--test-connection-input', input(pg.password), '--debug'], simEnv(aws));

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^PASSED {2}connection input \(JDBC\)/);
    expect(run.stderr).toContain('[debug] info calling Glue TestConnection');
    expect(run.stdout + run.stderr).not.toContain(pg.password);
  }, 60_000);
});

describe('exit 1: the test failed, with the reason the deployment would give', () => {
  test('a wrong password: credentials, the user named, the fix; the password nowhere, --debug included', async () => {
    const wrong = 'Wr0ng-Pa55word-for-the-test';
    const run = await runCli(['test-connection', '--test-connection-input', input(wrong), '--debug', '--output', 'json'], simEnv(aws));

    expect(run.code).toBe(1);
    const result = json(run.stdout);
    expect(result).toMatchObject({ connection: null, connectionType: 'JDBC', result: 'FAILED', category: 'credentials', error: 'InvalidInputException' });
    expect(result.reason).toContain(`password authentication failed for user "${pg.user}"`);
    expect(result.reason).toContain('Fix: the password of database user');
    expect(run.stdout + run.stderr).not.toContain(wrong);
  }, 60_000);

  test('a connection that does not exist: FAILED (configuration), EntityNotFoundException', async () => {
    const run = await runCli(['test-connection', '--connection-name', 'no-such-connection', '--output', 'json'], simEnv(aws));

    expect(run.code).toBe(1);
    expect(json(run.stdout)).toMatchObject({ connection: 'no-such-connection', result: 'FAILED', category: 'configuration', error: 'EntityNotFoundException' });
  }, 60_000);

  test('a VPC without a route to S3: the reason and the findings name the subnet and its route table', async () => {
    const { connectionName, network } = await seedDeployment(aws, {
      connectionName: unique('no-s3'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: { s3Route: 'none' },
    });
    const run = await runCli(['test-connection', '--connection-name', connectionName, '--output', 'json'], simEnv(aws));

    expect(run.code).toBe(1);
    const result = json(run.stdout) as { category: string; reason: string; findings: { check: string; resource: string }[] };
    expect(result.category).toBe('network');
    expect(result.reason).toContain(network!.subnetId);
    expect(result.findings.map((f) => f.resource)).toContain(network!.routeTableId);
  }, 60_000);

  test('EC2 denied to the caller: the inspection says what it could not read and what to grant', async () => {
    const { connectionName } = await seedDeployment(aws, {
      connectionName: unique('denied'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: { s3Route: 'none' },
    });
    aws.faults = (service, operation) => (service === 'ec2' && operation === 'DescribeRouteTables'
      ? { kind: 'error', status: 403, errorType: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } : undefined);
    const run = await runCli(['test-connection', '--connection-name', connectionName], simEnv(aws));

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('not inspected: ec2:DescribeRouteTables (UnauthorizedOperation)');
    expect(run.stdout).toContain("actions: ['ec2:DescribeRouteTables']");
  }, 60_000);

  test('--cli-read-timeout ends an attempt that outlasts it (AWS_MAX_ATTEMPTS=1: no retry)', async () => {
    aws.faults = (_service, operation) => (operation === 'TestConnection' ? { kind: 'delay', ms: 3_000 } : undefined);
    const run = await runCli(['test-connection', '--connection-name', good, '--no-wait-for-ready', '--cli-read-timeout', '1', '--output', 'json'],
      simEnv(aws, { AWS_MAX_ATTEMPTS: '1' }));

    expect(run.code).toBe(1);
    expect(json(run.stdout)).toMatchObject({ result: 'FAILED', error: 'TimeoutError' });
  }, 60_000);
});

describe('the seed\'s other options and the command\'s own', () => {
  test('--catalog-id goes to Glue with the name; --version names the package', async () => {
    const run = await runCli(['test-connection', '--connection-name', good, '--catalog-id', '123456789012', '--output', 'json'], simEnv(aws));
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ catalogId: '123456789012', result: 'PASSED' });
    expect((await runCli(['--version'], cleanEnv())).stdout).toMatch(/^cdk-glue-connection-test \d+\.\d+\.\d+/);
  }, 60_000);

  test('throttling is retried within --timeout: a few throttles pass, a Glue that never admits the test fails with its own error', async () => {
    let throttles = 2;
    aws.faults = (_service, operation) => (operation === 'TestConnection' && throttles-- > 0 ? { kind: 'throttle' } : undefined);
    const retried = await runCli(['test-connection', '--connection-name', good, '--timeout', '30'], simEnv(aws));
    aws.faults = (_service, operation) => (operation === 'TestConnection' ? { kind: 'throttle' } : undefined);
    const never = await runCli(['test-connection', '--connection-name', good, '--no-wait-for-ready', '--timeout', '3', '--output', 'json'], simEnv(aws));

    expect(retried.code).toBe(0);
    expect(never.code).toBe(1);
    expect(json(never.stdout)).toMatchObject({ result: 'FAILED', category: 'Glue service', error: 'ThrottlingException' });
  }, 60_000);

  test('--color on colours without a terminal, --color off never', async () => {
    expect((await runCli(['test-connection', '--connection-name', good, '--color', 'on'], simEnv(aws))).stdout).toContain('\x1b[32mPASSED');
    expect((await runCli(['test-connection', '--connection-name', good, '--color', 'off'], simEnv(aws), { tty: true })).stdout).not.toContain('\x1b[');
  }, 60_000);

  test('--ca-bundle names a file it cannot read (exit 2); --no-verify-ssl is warned of on stderr', async () => {
    const missing = await runCli(['test-connection', '--connection-name', good, '--ca-bundle', path.join(tmp, 'no-such.pem')], simEnv(aws));
    const unverified = await runCli(['test-connection', '--connection-name', good, '--no-verify-ssl'], simEnv(aws));

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--ca-bundle: cannot read');
    expect(unverified.code).toBe(0);
    expect(unverified.stderr).toContain('warning: --no-verify-ssl');
  }, 60_000);
});

describe('exit 2: bad usage, said on stderr', () => {
  test.each([
    [['--connection-name', 'x', '--test-connection-input', '{"ConnectionType":"JDBC"}'], /not both/],
    [['--conection-name', 'x'], /unknown option --conection-name; did you mean --connection-name\?/],
    [['--connection-name', 'x', '--output', 'yaml'], /--output must be json or text/],
    [['--connection-name', 'x', '--query', 'result'], /--query \(JMESPath\) is not supported/],
    [['--connection-name', 'x', '--timeout', 'soon'], /--timeout must be a whole number of seconds/],
    [['--test-connection-input', '{"ConectionType":"JDBC"}'], /TestConnectionInput.ConectionType: is not a member of TestConnectionInput in the Glue API; did you mean ConnectionType\?/],
    [['--test-connection-input', '{"ConnectionType":"JDBC","ConnectionProperties":{"JDBC_CONNECTION_URL":"jdbc:postgresql://h:5432/d","USERNAME":"u"}}'],
      /TestConnectionInput.ConnectionProperties: needs USERNAME with PASSWORD, or SECRET_ID/],
    [[], /needs a connection to test/],
  ])('test-connection %j', async (args, message) => {
    const run = await runCli(['test-connection', ...args], simEnv(aws));

    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
  });

  test('bad JSON says where, and never what (the text may hold a password)', async () => {
    const run = await runCli(['test-connection', '--test-connection-input', '{"ConnectionProperties": {"PASSWORD": s3cr3t-unquoted}}'], simEnv(aws));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--test-connection-input: is not valid JSON');
    expect(run.stderr).not.toContain('s3cr3t');
  });

  test('an unknown command names the nearest', async () => {
    const run = await runCli(['test-conection'], simEnv(aws));
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toContain('did you mean test-connection?');
  });

  test('no region: exit 2 before any call', async () => {
    const run = await runCli(['test-connection', '--connection-name', good], cleanEnv({ AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no AWS region');
  });
});

describe('--cli-input-json and --generate-cli-skeleton', () => {
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'request', 'fixtures', 'test-connection-skeleton.json'), 'utf8')) as Record<string, unknown>;

  test('--generate-cli-skeleton (input) is the seed\'s skeleton: same members, blanks, and an allowed value for each enumeration', async () => {
    const run = await runCli(['test-connection', '--generate-cli-skeleton'], cleanEnv());

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\{\n {4}"ConnectionName": "",/);
    const enumerated = (value: unknown): unknown => (typeof value === 'string' && value !== '' ? '<enum>' : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, enumerated(v)])) : value);
    expect(enumerated(JSON.parse(run.stdout))).toEqual(enumerated(fixture));
  });

  test('--generate-cli-skeleton output has the members of a real --output json result', async () => {
    const skeleton = await runCli(['test-connection', '--connection-name', good, '--generate-cli-skeleton', 'output'], cleanEnv());
    const real = await runCli(['test-connection', '--connection-name', good, '--output', 'json'], simEnv(aws));

    expect(skeleton.code).toBe(0);
    expect(Object.keys(json(skeleton.stdout)).sort()).toEqual(Object.keys(json(real.stdout)).sort());
  }, 60_000);

  test('the seed\'s skeleton from file:// with only ConnectionName filled in: its blanks count as absent', async () => {
    const file = path.join(tmp, 'request.json');
    fs.writeFileSync(file, JSON.stringify({ ...fixture, ConnectionName: good }));
    const run = await runCli(['test-connection', '--cli-input-json', `file://${file}`, '--output', 'json'], simEnv(aws));

    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ connection: good, result: 'PASSED' });
  }, 60_000);

  test('options given on the command line override the JSON\'s members', async () => {
    const run = await runCli(['test-connection', '--cli-input-json', JSON.stringify({ ConnectionName: 'no-such-connection' }), '--connection-name', good],
      simEnv(aws));
    expect(run.code).toBe(0);
  }, 60_000);

  test('--generate-cli-skeleton output needs no request (the seed\'s has no required member) but still refuses a bad one', async () => {
    const bare = await runCli(['test-connection', '--generate-cli-skeleton', 'output'], cleanEnv());
    const bad = await runCli(['test-connection', '--generate-cli-skeleton', 'output', '--test-connection-input', '{"ConectionType":"JDBC"}'], cleanEnv());
    expect(bare.code).toBe(0);
    expect(json(bare.stdout)).toHaveProperty('result');
    expect(bad.code).toBe(2);
  });

  test('file://~ is the home directory, as the seed reads it', async () => {
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    fs.writeFileSync(path.join(home, 'request.json'), JSON.stringify({ ConnectionName: good }));
    const run = await runCli(['test-connection', '--cli-input-json', 'file://~/request.json'], simEnv(aws, { HOME: home }));
    expect(run.code).toBe(0);
  }, 60_000);

  test('the unfilled skeleton is no request: exit 2', async () => {
    const run = await runCli(['test-connection', '--cli-input-json', JSON.stringify(fixture)], simEnv(aws));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs a connection to test');
  });
});

describe('the AWS environment: region, endpoint, profile', () => {
  test('--region stands in for AWS_REGION', async () => {
    const env = simEnv(aws, { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    delete env.AWS_REGION;
    delete env.AWS_DEFAULT_REGION;
    expect((await runCli(['test-connection', '--connection-name', good, '--region', aws.region], env)).code).toBe(0);
  }, 60_000);

  test('--endpoint-url is Glue\'s, and wins over AWS_ENDPOINT_URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const viaFlag = await runCli(['test-connection', '--connection-name', good, '--endpoint-url', aws.endpoint], simEnv(aws, { AWS_ENDPOINT_URL: closed }));
    const toClosed = await runCli(['test-connection', '--connection-name', good, '--endpoint-url', closed, '--output', 'json'],
      simEnv(aws, { AWS_MAX_ATTEMPTS: '1' }));

    expect(viaFlag.code).toBe(0);
    expect(toClosed.code).toBe(1);
    expect(json(toClosed.stdout)).toMatchObject({ result: 'FAILED', category: 'Glue service' });
  }, 60_000);

  test('--profile and AWS_PROFILE: the SDK\'s default chain reads the shared files', async () => {
    const credentials = path.join(tmp, 'credentials');
    const config = path.join(tmp, 'config');
    fs.writeFileSync(credentials, `[sim]\naws_access_key_id = ${aws.credentials.accessKeyId}\naws_secret_access_key = ${aws.credentials.secretAccessKey}\n`);
    fs.writeFileSync(config, `[profile sim]\nregion = ${aws.region}\n`);
    const env = cleanEnv({ AWS_ENDPOINT_URL: aws.endpoint, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config });

    expect((await runCli(['test-connection', '--connection-name', good, '--profile', 'sim'], env)).code).toBe(0);
    expect((await runCli(['test-connection', '--connection-name', good], { ...env, AWS_PROFILE: 'sim' })).code).toBe(0);
    const missing = await runCli(['test-connection', '--connection-name', good, '--profile', 'nope', '--region', aws.region], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('could not load AWS credentials');
  }, 60_000);
});

describe('colour and the bundle', () => {
  test('no colour when stdout is not a terminal; colour on one, unless NO_COLOR', async () => {
    const args = ['test-connection', '--connection-name', good];
    const plain = await runCli(args, simEnv(aws));
    const tty = await runCli(args, simEnv(aws), { tty: true });
    const noColor = await runCli(args, simEnv(aws, { NO_COLOR: '1' }), { tty: true });

    expect(plain.stdout).not.toContain('\x1b[');
    expect(tty.stdout).toContain('\x1b[32mPASSED\x1b[0m');
    expect(noColor.stdout).not.toContain('\x1b[');
  }, 60_000);

  test('the bundle (what npx runs) tests a connection with a profile: its credential sources are the SDK\'s own', async () => {
    const credentials = path.join(tmp, 'bundle-credentials');
    fs.writeFileSync(credentials, `[ci]\naws_access_key_id = ${aws.credentials.accessKeyId}\naws_secret_access_key = ${aws.credentials.secretAccessKey}\n`);
    const run = await runBundle(['test-connection', '--connection-name', good, '--profile', 'ci', '--region', aws.region],
      cleanEnv({ AWS_ENDPOINT_URL: aws.endpoint, AWS_SHARED_CREDENTIALS_FILE: credentials }));

    expect(run.stderr).toBe('');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^PASSED {2}connection "orders-db"/);
  }, 60_000);
});
