/**
 * The command line's option handling that needs no AWS: help, the global options' mapping onto
 * the core's client configuration, and JSON arguments.
 */
import { clientConfig, DeadlineRetryStrategy } from '../../core/aws';
import { main } from '../../cli';
import { expandPath, globalSettings, jsonArgument, UsageError } from '../../cli/args';

const io = (tty = false) => {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (c: string) => { out.stdout += c; return true; }, isTTY: tty } as unknown as NodeJS.WritableStream,
      stderr: { write: (c: string) => { out.stderr += c; return true; } } as unknown as NodeJS.WritableStream,
      cwd: process.cwd(),
      env: {},
    },
  };
};

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('help', () => {
  test.each([[['--help']], [['test-connection', '--help']], [['preflight', '-h']]])('%j prints usage on stdout and exits 0', async (argv) => {
    const { out, io: streams } = io();
    expect(await main(argv, streams)).toBe(0);
    expect(out.stdout).toMatch(/^Usage: cdk-glue-connection-test/);
    expect(out.stderr).toBe('');
  });

  test('no command: usage on stderr, exit 2', async () => {
    const { out, io: streams } = io();
    expect(await main([], streams)).toBe(2);
    expect(out.stderr).toContain('Commands:');
  });
});

describe('the global options become the clients\' configuration', () => {
  test('--cli-connect-timeout and --cli-read-timeout are the HTTP handler\'s timeouts, in milliseconds (0: none)', () => {
    const { clients } = globalSettings('test-connection', { 'cli-connect-timeout': '3', 'cli-read-timeout': '0' }, io().io);
    const config = clientConfig(240_000, new DeadlineRetryStrategy({ retryWindowMs: () => 0 }), log, clients);

    expect(config.requestHandler).toMatchObject({ connectionTimeout: 3_000, requestTimeout: 0, throwOnRequestTimeout: true });
  });

  test('without them, the handler\'s own timeouts', () => {
    const config = clientConfig(240_000, new DeadlineRetryStrategy({ retryWindowMs: () => 0 }), log, globalSettings('x', {}, io().io).clients);
    expect(config.requestHandler).toMatchObject({ connectionTimeout: 5_000, requestTimeout: 240_000 });
  });

  test('--region and --profile are the clients\' own settings; --endpoint-url is Glue\'s alone', () => {
    const { clients } = globalSettings('x', { region: 'eu-west-1', profile: 'ci', 'endpoint-url': 'https://glue.example' }, io().io);
    expect(clients).toMatchObject({ region: 'eu-west-1', profile: 'ci', glueEndpoint: 'https://glue.example' });
    const config = clientConfig(1, new DeadlineRetryStrategy({ retryWindowMs: () => 0 }), log, clients);
    expect(config).toMatchObject({ region: 'eu-west-1', profile: 'ci' });
    expect(config).not.toHaveProperty('endpoint');
  });

  test.each([
    [{ 'cli-connect-timeout': '-1' }, /--cli-connect-timeout must be a whole number of seconds/],
    [{ 'endpoint-url': 'glue.example' }, /--endpoint-url must be an http/],
    [{ color: 'always' }, /--color must be on, off or auto/],
    [{ 'no-sign-request': true }, /need signed requests/],
  ])('%j is refused', (values, message) => {
    expect(() => globalSettings('x', values, io().io)).toThrow(message);
  });

  test('--no-verify-ssl is said aloud', () => {
    expect(globalSettings('x', { 'no-verify-ssl': true }, io().io).warnings).toEqual(['--no-verify-ssl: TLS certificates of AWS endpoints are not verified']);
  });
});

describe('JSON arguments', () => {
  test('fileb:// is refused, a missing file named', () => {
    expect(() => jsonArgument('--x', 'fileb://a.bin', '/')).toThrow(UsageError);
    expect(() => jsonArgument('--x', 'file://no/such.json', '/tmp')).toThrow('--x: cannot read /tmp/no/such.json (ENOENT)');
  });

  test('a syntax error gives line and column, not the text', () => {
    expect(() => jsonArgument('--x', '{\n  "PASSWORD": "abc",\n}', '/')).toThrow('--x: is not valid JSON (line 3, column 1)');
  });
});

describe('file:// paths as the seed expands them', () => {
  test('a leading ~ is HOME, $VAR and ${VAR} the environment\'s; an unset variable stays as written', () => {
    const env = { HOME: '/home/ci', STAGE: 'prod' };
    expect(expandPath('~/req.json', env)).toBe('/home/ci/req.json');
    expect(expandPath('$HOME/${STAGE}/req.json', env)).toBe('/home/ci/prod/req.json');
    expect(expandPath('/x/$UNSET/req.json', env)).toBe('/x/$UNSET/req.json');
    expect(expandPath('a~b.json', env)).toBe('a~b.json');
  });
});
