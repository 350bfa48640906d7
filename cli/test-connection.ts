/**
 * `cdk-glue-connection-test test-connection`: the seed's `aws glue test-connection`, answered as
 * the deployment's gate answers it. The test itself is the core's (core/test-connection.ts
 * runTest: READY wait, secrets, TestConnection within the deadline and Glue's rate limit, the
 * network inspection, the catalogue's reason), the one the Lambda handler runs.
 *
 * | exit | when                                                                              |
 * | ---- | --------------------------------------------------------------------------------- |
 * | 0    | Glue's TestConnection passed                                                      |
 * | 1    | it failed, or the connection does not exist: the reason says why and what to do   |
 * | 2    | bad usage: options, JSON, the request's rules, no region, no credentials          |
 */
import { FailureMode, NetworkInspection } from '../lib/contract/resource';
import { ClientOptions, createClients } from '../core/aws';
import { Deadline } from '../core/deadline';
import type { TestSettings } from '../lambda/properties';
import type { Logger } from '../core/log';
import { Redactor } from '../core/redact';
import { errorMessage } from '../core/reason';
import { Outcome, runTest } from '../core/test-connection';
import { GLOBAL_OPTIONS, GlobalSettings, globalSettings, Io, parse, UsageError } from './args';
import { Output, seconds } from './output';
import { CliRequest, readRequest } from './request';
import { inputSkeleton, OUTPUT_SKELETON, printJson } from './skeleton';

export const COMMAND = 'test-connection';

const OPTIONS = {
  'connection-name': { type: 'string' },
  'catalog-id': { type: 'string' },
  'test-connection-input': { type: 'string' },
  'cli-input-json': { type: 'string' },
  'generate-cli-skeleton': { type: 'string' },
  'timeout': { type: 'string' },
  'no-wait-for-ready': { type: 'boolean' },
  ...GLOBAL_OPTIONS,
} as const;

/** The command's deadline when --timeout is not given, and its bounds, in seconds. */
export const TIMEOUT_SECONDS = { default: 300, min: 1, max: 3600 } as const;

export const HELP = `Usage: cdk-glue-connection-test test-connection [options]

Tests a Glue connection as the deployment gate does: waits until the connection is READY,
calls Glue's TestConnection (throttling retried within --timeout), inspects the connection's
VPC path when the failure is a network one, and prints the reason: category, Glue's message,
the fix and the resources it names.

The seed's options (aws glue test-connection):
  --connection-name NAME          an existing connection (not with --test-connection-input)
  --catalog-id ID                 the catalog the connection is in (default: the account's)
  --test-connection-input JSON    a definition to test; JSON or file://path
  --cli-input-json JSON           the request as JSON or file://path; blanks count as absent,
                                  options given on the command line override its members
  --generate-cli-skeleton [input|output]
                                  print the request skeleton (input, the default) or the shape of
                                  --output json (output), and exit
Own options:
  --timeout SECONDS               the test's deadline (default ${TIMEOUT_SECONDS.default})
  --no-wait-for-ready             test at once, without waiting for the connection's READY status
Global options (the seed's):
  --region, --profile, --endpoint-url URL (Glue's), --cli-read-timeout S, --cli-connect-timeout S,
  --output json|text, --color on|off|auto, --ca-bundle FILE, --no-verify-ssl, --debug,
  --no-cli-pager, --no-paginate (accepted; nothing is paged)

The standard AWS environment applies: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL(_GLUE, _EC2,
_SECRETS_MANAGER), credentials from the SDK's default chain.
Exit status: 0 passed, 1 failed (or no such connection), 2 bad usage.
No password given or read is ever printed, with --debug too.
`;

/** What `--output json` prints: one object. */
export interface TestConnectionResult {
  readonly connection: string | null;
  /** For a test of a definition (--test-connection-input). */
  readonly connectionType: string | null;
  readonly catalogId: string | null;
  readonly result: 'PASSED' | 'FAILED';
  /** credentials, network, DNS, permissions, TLS, configuration, Glue service, timeout, unexpected. */
  readonly category: string | null;
  /** The reason the deployment would fail with; empty when passed. */
  readonly reason: string;
  /** The error's name (Glue's, or the command's own: DeadlineExceeded, SecretError...). */
  readonly error: string | null;
  /** What the network inspection found, each naming the resource to change. */
  readonly findings: readonly { readonly check: string; readonly resource: string; readonly problem: string; readonly fix: string }[];
  /** What the inspection could not read, with the error (a denied action names what to grant). */
  readonly notInspected: readonly { readonly action: string; readonly error: string }[];
  readonly durationMs: number;
}

export async function testConnectionCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parse(COMMAND, withSkeletonDefault(argv), OPTIONS);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const globals = globalSettings(COMMAND, values, io);
  const out = new Output(io, new Redactor(), globals);
  globals.warnings.forEach((w) => out.warn(w));

  const skeleton = values['generate-cli-skeleton'];
  if (skeleton === 'input') {
    out.result(printJson(inputSkeleton()));
    return 0;
  }
  if (skeleton !== undefined && skeleton !== 'output') {
    throw new UsageError(`${COMMAND}: --generate-cli-skeleton takes input or output (got "${skeleton}")`);
  }
  const { request, warnings } = readRequest(values, io.cwd, (secret) => out.redactor.add(secret), skeleton !== 'output', io.env);
  warnings.forEach((w) => out.warn(w));
  if (skeleton === 'output') {
    out.result(printJson(OUTPUT_SKELETON));
    return 0;
  }

  const timeoutSeconds = timeout(values.timeout);
  const settings = settingsOf(request, timeoutSeconds, !values['no-wait-for-ready']);
  const result = await runCommandTest(settings, globals, out);
  if (globals.output === 'json') {
    out.result(JSON.stringify(result, null, 2));
  } else {
    printText(result, out);
  }
  return result.result === 'PASSED' ? 0 : 1;
}

/** `--generate-cli-skeleton` alone means `input`, as in the seed. */
function withSkeletonDefault(argv: readonly string[]): string[] {
  const out = [...argv];
  const i = out.indexOf('--generate-cli-skeleton');
  if (i >= 0 && (i === out.length - 1 || out[i + 1].startsWith('--'))) out.splice(i + 1, 0, 'input');
  return out;
}

function timeout(value: string | undefined): number {
  if (value === undefined) return TIMEOUT_SECONDS.default;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= TIMEOUT_SECONDS.min && n <= TIMEOUT_SECONDS.max)) {
    throw new UsageError(`${COMMAND}: --timeout must be a whole number of seconds from ${TIMEOUT_SECONDS.min} to ${TIMEOUT_SECONDS.max} (got "${value}")`);
  }
  return n;
}

/** The core's settings for a request of the command line. */
export function settingsOf(request: CliRequest, timeoutSeconds: number, waitForReady: boolean): TestSettings {
  return {
    connectionName: request.ConnectionName,
    catalogId: request.CatalogId,
    input: request.TestConnectionInput,
    // Plain values on the user's own command line go to Glue as given (and are masked in all output).
    secretReferences: [],
    failureMode: FailureMode.FAIL_DEPLOYMENT,
    timeoutSeconds,
    waitForReady: waitForReady && request.ConnectionName !== undefined,
    networkInspection: NetworkInspection.ON_FAILURE,
  };
}

/**
 * Runs one test with the command's clients: the core's, with the global options' region,
 * profile, Glue endpoint and timeouts. No region or no credentials is bad usage (exit 2), found
 * before any call.
 */
export async function runCommandTest(settings: TestSettings, globals: GlobalSettings, out: Output): Promise<TestConnectionResult> {
  const log = out.logger();
  await checkEnvironment(globals.clients, log);
  const outcome = await runTest(settings, { budgetMs: settings.timeoutSeconds * 1000, redactor: out.redactor, log, clients: globals.clients });
  return resultOf(settings, outcome);
}

/** No region or no credentials is bad usage (exit 2), found before any call, with the clients the test will use. */
async function checkEnvironment(options: ClientOptions, log: Logger): Promise<void> {
  const deadline = new Deadline(CHECK_MS);
  const { glue } = createClients(deadline, log, options);
  try {
    try {
      await glue.config.region();
    } catch {
      throw new UsageError('no AWS region: pass --region, set AWS_REGION, or name a profile that has one');
    }
    try {
      await glue.config.credentials();
    } catch (e) {
      throw new UsageError(`could not load AWS credentials: ${errorMessage(e).split('\n')[0]}`);
    }
  } finally {
    deadline.dispose();
    glue.destroy();
  }
}

/** How long finding the region and credentials may take (an SSO or credential_process source runs a program). */
const CHECK_MS = 60_000;

export function resultOf(settings: TestSettings, outcome: Outcome): TestConnectionResult {
  return {
    connection: settings.connectionName ?? null,
    connectionType: settings.input?.ConnectionType ?? null,
    catalogId: settings.catalogId ?? null,
    result: outcome.passed ? 'PASSED' : 'FAILED',
    category: outcome.category ?? null,
    reason: outcome.reason ?? '',
    error: outcome.error ?? null,
    findings: (outcome.inspection?.verdict?.findings ?? []).map(({ check, resource, problem, fix }) => ({ check, resource, problem, fix })),
    notInspected: (outcome.inspection?.gaps ?? []).map(({ action, error }) => ({ action, error })),
    durationMs: outcome.durationMs,
  };
}

function printText(result: TestConnectionResult, out: Output): void {
  const what = result.connection !== null ? `connection "${result.connection}"` : `connection input (${result.connectionType ?? 'no type'})`;
  const category = result.category ? `  ${result.category}` : '';
  out.result(`${out.mark(result.result)}  ${what}${category}  (${seconds(result.durationMs)})`);
  if (result.reason) out.result(`  ${result.reason}`);
  for (const f of result.findings) out.result(`  - ${f.resource}: ${f.problem}`);
  if (result.notInspected.length > 0) {
    out.result(`  not inspected: ${result.notInspected.map((g) => `${g.action} (${g.error})`).join(', ')}`);
  }
}
