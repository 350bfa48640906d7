/**
 * The load scenario, shared by `load.test.ts` (jest, CI size) and the command line
 * (`npx tsx bench/throttle.bench.ts`, which records the full run in BENCHMARKS.md):
 *
 * N connection tests in one stack, all started at the same moment through aws-cdk-lib's own
 * Provider framework code (sendConcurrent, one handler container per concurrent invocation), as
 * CloudFormation starts independent resources, against a local Glue whose TestConnection and
 * GetConnection sit behind token buckets (e.g. 2 and 5 requests a second) and answer HTTP 400
 * ThrottlingException "Rate exceeded" beyond them, with moto and a real PostgreSQL behind.
 *
 * Every test has its own PostgreSQL role and secret. Most connections are good; one in five is
 * bad in one of three ways, each with its own reason: a wrong password (credentials, naming its
 * role), a JDBC URL to a port nobody listens on (network), a connection that does not exist
 * (configuration, EntityNotFoundException). Half the tests wait for READY first (GetConnection).
 * Each test has the default deadline (TimeoutSeconds 300) and the handler the Lambda timeout the
 * library gives it (660 s).
 *
 * Checked for every test: exactly one answer; a good connection PASSED, a bad one FAILED with
 * its own category and connection name (and its role, for a wrong password); no reason mentions
 * throttling or a timeout; no test took longer than its deadline.
 */
import { TIMEOUT_LIMITS } from '../lib/contract/resource';
import { LocalAws, startLocalAws } from './local-aws';
import { Pg, startPostgres } from './postgres';
import { createProviderFramework, EventResult } from './provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from './response-endpoint';
import { seedDeployment } from './seed';

export interface LoadOptions {
  /** How many tests start at once. */
  readonly tests: number;
  /** TestConnection requests per second the local Glue admits. */
  readonly testConnectionRate: number;
  /** GetConnection requests per second the local Glue admits. */
  readonly getConnectionRate: number;
  /** The handler bundle. Default: assets/handler/index.js. */
  readonly handlerBundle?: string;
}

type Kind = 'good' | 'wrong password' | 'unreachable port' | 'missing connection';

interface LoadCase {
  readonly index: number;
  readonly kind: Kind;
  readonly logicalId: string;
  readonly connectionName: string;
  readonly user: string;
  readonly waitForReady: boolean;
}

export interface LoadCaseResult {
  readonly logicalId: string;
  readonly kind: Kind;
  readonly waitForReady: boolean;
  readonly status: string;
  readonly result?: string;
  readonly reason: string;
  readonly durationMs: number;
  /** From the handler's last log line (core/aws.ts RetryStats). */
  readonly retries: number;
  readonly throttled: number;
  readonly largestDelayMs: number;
  /** What is wrong with this test's outcome; empty when it is right. */
  readonly problems: readonly string[];
}

export interface LoadReport {
  readonly options: LoadOptions;
  readonly wallMs: number;
  /** tests / testConnectionRate: the least time N TestConnections can take at that rate. */
  readonly idealMs: number;
  readonly deadlineMs: number;
  readonly byKind: Record<string, number>;
  readonly cases: readonly LoadCaseResult[];
  /** Requests the local Glue answered, and how many of them its rate limit throttled, by operation. */
  readonly glueRequests: Record<string, { readonly total: number; readonly throttled: number }>;
  readonly handlerContainers: number;
  readonly problems: number;
}

const DEADLINE_MS = TIMEOUT_LIMITS.defaultSeconds * 1000;
const pad = (i: number) => String(i).padStart(3, '0');

/** One in five bad, the three bad kinds in turn; half of all wait for READY. */
function kindOf(i: number): Kind {
  if (i % 5 !== 4) return 'good';
  return (['wrong password', 'unreachable port', 'missing connection'] as const)[Math.floor(i / 5) % 3];
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  let aws: LocalAws | undefined;
  let pg: Pg | undefined;
  let endpoint: ResponseEndpoint | undefined;
  try {
    [aws, pg, endpoint] = await Promise.all([
      startLocalAws({
        glueRateLimits: { TestConnection: { perSecond: options.testConnectionRate }, GetConnection: { perSecond: options.getConnectionRate } },
        // A refused port answers at once; the bound only matters for a lost packet.
        connectTimeoutMs: 5_000,
      }),
      startPostgres(),
      startResponseEndpoint(),
    ]);
    const localAws = aws;
    const postgres = pg;
    const run = Date.now().toString(36);
    const cases: LoadCase[] = Array.from({ length: options.tests }, (_, i) => ({
      index: i,
      kind: kindOf(i),
      logicalId: `LoadTest${pad(i)}`,
      connectionName: `load-${run}-${pad(i)}`,
      user: `load_${run}_${pad(i)}`,
      waitForReady: i % 2 === 0,
    }));
    const closedPortUrl = postgres.jdbcUrl.replace(/:(\d+)\//, ':1/');
    for (const c of cases) {
      if (c.kind === 'missing connection') continue;
      const password = `pw-${c.index}-${Math.random().toString(36).slice(2)}`;
      await postgres.createRole(c.user, password);
      await seedDeployment(localAws, {
        connectionName: c.connectionName,
        jdbcUrl: c.kind === 'unreachable port' ? closedPortUrl : postgres.jdbcUrl,
        username: c.user,
        password: c.kind === 'wrong password' ? `wrong-${password}` : password,
        network: false,
      });
    }
    localAws.clearRequests();
    const framework = createProviderFramework({
      localAws, responseEndpoint: endpoint, handlerTimeoutSeconds: TIMEOUT_LIMITS.handlerLambdaSeconds, handlerBundle: options.handlerBundle,
    });

    const started = Date.now();
    const results = await Promise.all(cases.map((c) => framework.sendConcurrent({
      requestType: 'Create',
      logicalResourceId: c.logicalId,
      resourceProperties: { ConnectionName: c.connectionName, ...(c.waitForReady && { WaitForReady: 'true' }) },
    })));
    const wallMs = Date.now() - started;

    const glueRequests: Record<string, { total: number; throttled: number }> = {};
    for (const r of localAws.requests) {
      if (r.service !== 'glue') continue;
      const entry = glueRequests[r.operation] ??= { total: 0, throttled: 0 };
      entry.total++;
      if (r.rateLimited) entry.throttled++;
    }
    const caseResults = cases.map((c, i) => judge(c, results[i]));
    const byKind: Record<string, number> = {};
    for (const c of cases) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
    return {
      options,
      wallMs,
      idealMs: (options.tests / options.testConnectionRate) * 1000,
      deadlineMs: DEADLINE_MS,
      byKind,
      cases: caseResults,
      glueRequests,
      handlerContainers: framework.handlerContainers,
      problems: caseResults.filter((r) => r.problems.length > 0).length,
    };
  } finally {
    await Promise.all([aws?.stop(), pg?.stop(), endpoint?.stop()]);
  }
}

const EXPECTED: Record<Exclude<Kind, 'good'>, { category: string; pattern: (c: LoadCase) => RegExp }> = {
  'wrong password': { category: 'credentials', pattern: (c) => new RegExp(`password authentication failed for user "${c.user}"`) },
  'unreachable port': { category: 'network', pattern: () => /refused/i },
  'missing connection': { category: 'configuration', pattern: () => /EntityNotFoundException/ },
};

function judge(c: LoadCase, result: EventResult): LoadCaseResult {
  const problems: string[] = [];
  const body = result.response?.body;
  const status = String(body?.Status);
  const data = (body?.Data ?? {}) as Record<string, string>;
  const reason = status === 'FAILED' ? String(body?.Reason ?? '').split('\n')[0] : '';
  if (result.responses.length !== 1) problems.push(`${result.responses.length} answers`);
  if (result.frameworkError) problems.push(`framework error: ${result.frameworkError.message}`);
  if (c.kind === 'good') {
    if (status !== 'SUCCESS' || data.Result !== 'PASSED') problems.push(`expected PASSED, got ${status} ${data.Result ?? ''} ${reason}`);
  } else {
    const expected = EXPECTED[c.kind];
    if (status !== 'FAILED') problems.push(`expected FAILED, got ${status}`);
    else if (!reason.startsWith(`Glue connection "${c.connectionName}" failed its test (${expected.category})`)) problems.push(`wrong reason: ${reason}`);
    else if (!expected.pattern(c).test(reason)) problems.push(`reason without its cause: ${reason}`);
  }
  if (/throttl|rate exceeded|timed out after/i.test(reason)) problems.push(`failed by load: ${reason}`);
  if (result.durationMs > DEADLINE_MS) problems.push(`took ${result.durationMs} ms, past its ${DEADLINE_MS} ms deadline`);

  // The handler's last line carries its retry counts.
  const last = result.logs.filter((l) => l.source === 'handler').map((l) => JSON.parse(l.text) as Record<string, unknown>)
    .reverse().find((l) => l.message === 'test passed' || l.message === 'test failed') ?? {};
  return {
    logicalId: c.logicalId,
    kind: c.kind,
    waitForReady: c.waitForReady,
    status,
    result: data.Result,
    reason,
    durationMs: result.durationMs,
    retries: Number(last.retries ?? 0),
    throttled: Number(last.throttled ?? 0),
    largestDelayMs: Number(last.largestDelayMs ?? 0),
    problems,
  };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

export function formatLoadReport(r: LoadReport): string {
  const col = (f: (c: LoadCaseResult) => number) => r.cases.map(f);
  const stat = (values: number[]) => `median ${quantile(values, 0.5)}, p90 ${quantile(values, 0.9)}, max ${Math.max(...values)}`;
  const outcomes: Record<string, number> = {};
  for (const c of r.cases) {
    const key = `${c.kind}: ${c.status}${c.result ? ` (Result ${c.result})` : ''}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return [
    `Load: ${r.options.tests} tests at once; local Glue admits TestConnection ${r.options.testConnectionRate}/s, GetConnection ${r.options.getConnectionRate}/s`,
    `  wall time ${(r.wallMs / 1000).toFixed(1)} s against the ideal ${(r.idealMs / 1000).toFixed(1)} s (${r.options.tests} / ${r.options.testConnectionRate} per s): ${(r.wallMs / r.idealMs).toFixed(2)}x`,
    `  outcomes: ${Object.entries(outcomes).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `  Glue requests: ${Object.entries(r.glueRequests).map(([op, n]) => `${op} ${n.total} (${n.throttled} throttled)`).join(', ')}`,
    `  retries per test: ${stat(col((c) => c.retries))}; of which after throttling: ${stat(col((c) => c.throttled))}`,
    `  largest back-off per test (ms): ${stat(col((c) => c.largestDelayMs))}`,
    `  test duration (ms): ${stat(col((c) => c.durationMs))}; deadline ${r.deadlineMs} ms`,
    `  handler containers (cold starts): ${r.handlerContainers}`,
    `  tests with a problem: ${r.problems}`,
    ...r.cases.filter((c) => c.problems.length > 0).slice(0, 10).map((c) => `    ${c.logicalId} (${c.kind}): ${c.problems.join('; ')}`),
  ].join('\n');
}
