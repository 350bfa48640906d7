/**
 * The handler's own cost per event: its time minus the time the AWS endpoints took, and its
 * peak memory against the 256 MB its function is given.
 *
 * A fresh Node.js process (a cold Lambda container) loads the bundle (assets/handler/index.js) and
 * runs events one after another, as a warm container does, against an HTTP endpoint in this
 * process that answers Glue, Secrets Manager and CloudFormation at once. The endpoint records,
 * for every request, how long it held it (from the whole request received to the answer sent);
 * the container records each event's start and end. Both clocks are the machine's wall clock
 * (performance.timeOrigin + performance.now()), so each request is attributed to the event it
 * fell in. Overhead = the event's duration - the endpoint's time in its requests: parsing,
 * the SDK's serialisation, signing and retry bookkeeping, loopback transfer, reason building,
 * logging. Peak memory is the container's maximum resident set size (process.resourceUsage).
 *
 *   npm run bundle && npx tsx bench/overhead.bench.ts     # BENCH_EVENTS=200 per kind
 *
 * Prints markdown for BENCHMARKS.md and writes bench/results/overhead.json.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'assets', 'handler', 'index.js');
const eventsPerKind = Number(process.env.BENCH_EVENTS ?? 200);
const now = () => performance.timeOrigin + performance.now();

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-db-AbCdEf';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/OrdersStack/5b0e9a40';

/** The kinds of event, each with the properties CloudFormation would send. */
const KINDS: Record<string, { requestType: string; properties: Record<string, unknown>; calls: string }> = {
  'Create, by name': { requestType: 'Create', properties: { ConnectionName: 'orders-db' }, calls: 'TestConnection' },
  'Create, WaitForReady': { requestType: 'Create', properties: { ConnectionName: 'orders-db', WaitForReady: 'true' }, calls: 'GetConnection, TestConnection' },
  'Create, TestConnectionInput with a secret': {
    requestType: 'Create',
    properties: {
      TestConnectionInput: {
        ConnectionType: 'JDBC',
        ConnectionProperties: { JDBC_CONNECTION_URL: 'jdbc:postgresql://orders.internal:5432/orders', USERNAME: 'app' },
      },
      SecretReferences: [{ Target: '/ConnectionProperties/PASSWORD', SecretId: SECRET_ARN, JsonField: 'password' }],
    },
    calls: 'GetSecretValue, TestConnection',
  },
  'Update, by name': { requestType: 'Update', properties: { ConnectionName: 'orders-db' }, calls: 'DescribeStacks, TestConnection' },
  'Create, test fails (reason built)': { requestType: 'Create', properties: { ConnectionName: 'broken-db' }, calls: 'TestConnection (400)' },
  'Delete': { requestType: 'Delete', properties: { ConnectionName: 'orders-db' }, calls: 'none' },
};

interface Held {
  readonly start: number;
  readonly end: number;
}

function startEndpoint(held: Held[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const start = now();
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = Buffer.concat(chunks).toString();
      let status = 200;
      let type = 'application/x-amz-json-1.1';
      let text = '{}';
      if (target.endsWith('.GetSecretValue')) {
        text = JSON.stringify({ ARN: SECRET_ARN, Name: 'orders-db', SecretString: JSON.stringify({ username: 'app', password: 'pw-not-a-real-one' }) });
      } else if (target.endsWith('.GetConnection')) {
        text = JSON.stringify({ Connection: { Name: 'orders-db', ConnectionType: 'JDBC', Status: 'READY' } });
      } else if (target.endsWith('.TestConnection') && body.includes('broken-db')) {
        status = 400;
        text = JSON.stringify({ __type: 'InvalidInputException', message: 'FATAL: password authentication failed for user "app"' });
      } else if (!target) {
        type = 'text/xml';
        text = `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackId>${STACK_ID}</StackId><StackName>OrdersStack</StackName>`
          + '<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>UPDATE_IN_PROGRESS</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>';
      }
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...(status !== 200 && { 'x-amzn-errortype': 'InvalidInputException' }) });
      res.end(text, () => held.push({ start, end: now() }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The container: loads the bundle, runs the events, reports timings and memory as JSON. */
const CONTAINER = `
const { performance } = require('perf_hooks');
const now = () => performance.timeOrigin + performance.now();
const spec = JSON.parse(require('fs').readFileSync(process.env.BENCH_SPEC_FILE, 'utf8'));
for (const m of ['log', 'info', 'warn', 'error']) console[m] = () => undefined; // Lambda would ship them to CloudWatch
(async () => {
  const t0 = now();
  const { handler } = require(spec.bundle);
  const loadMs = now() - t0;
  const events = [];
  let rssMax = 0;
  for (const e of spec.events) {
    const event = {
      RequestType: e.requestType, ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework',
      ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?X-Amz-Signature=y',
      StackId: spec.stackId, RequestId: 'r-' + events.length, LogicalResourceId: 'OrdersDbTest', ResourceType: 'Custom::GlueConnectionTest',
      ResourceProperties: { ServiceToken: 'x', ...e.properties },
      ...(e.requestType !== 'Create' && { PhysicalResourceId: 'glue-connection-test:OrdersDbTest', OldResourceProperties: { ServiceToken: 'x', ConnectionName: 'old' } }),
    };
    const deadline = Date.now() + 660000;
    const context = { awsRequestId: 'r', memoryLimitInMB: '256', getRemainingTimeInMillis: () => deadline - Date.now() };
    const start = now();
    let ok = true;
    let error;
    try { await handler(event, context); } catch (err) { ok = false; error = String(err.message).slice(0, 300); }
    events.push({ kind: e.kind, start, end: now(), ok, error });
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  process.stdout.write(JSON.stringify({ loadMs, events, maxRssKiB: process.resourceUsage().maxRSS, rssMaxSampled: rssMax }));
})();
`;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function main(): Promise<void> {
  if (!fs.existsSync(bundle)) throw new Error('assets/handler/index.js does not exist: run `npm run bundle` first.');
  const held: Held[] = [];
  const server = await startEndpoint(held);
  const kinds = Object.keys(KINDS);
  // Interleaved: kind after kind, round after round, so that warm-up and load hit all alike.
  const events = Array.from({ length: eventsPerKind }, () => kinds).flat().map((kind) => ({ kind, ...KINDS[kind] }));
  const specFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'overhead-bench-')), 'spec.json');
  fs.writeFileSync(specFile, JSON.stringify({ bundle, stackId: STACK_ID, events }));
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    // The SDK's notice about Node.js 20 on this machine (the function runs a newer Node.js).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_SPEC_FILE: specFile,
  };
  const loadBefore = os.loadavg()[0];
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', CONTAINER], { env, maxBuffer: 64 * 2 ** 20 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
  });
  const loadAfter = os.loadavg()[0];
  server.close();
  fs.rmSync(path.dirname(specFile), { recursive: true, force: true });
  const result = JSON.parse(output) as { loadMs: number; events: { kind: string; start: number; end: number; ok: boolean; error?: string }[]; maxRssKiB: number };

  const rows = kinds.map((kind) => {
    const mine = result.events.map((e, i) => ({ ...e, first: i < kinds.length })).filter((e) => e.kind === kind);
    const measure = (e: { start: number; end: number }) => {
      const endpointMs = held.filter((h) => h.start >= e.start && h.end <= e.end).reduce((sum, h) => sum + (h.end - h.start), 0);
      return { durationMs: e.end - e.start, endpointMs, overheadMs: e.end - e.start - endpointMs };
    };
    const warm = mine.filter((e) => !e.first).map(measure);
    const first = measure(mine[0]);
    return {
      kind,
      calls: KINDS[kind].calls,
      firstEventOverheadMs: first.overheadMs,
      overheadMedianMs: quantile(warm.map((m) => m.overheadMs), 0.5),
      overheadP99Ms: quantile(warm.map((m) => m.overheadMs), 0.99),
      endpointMedianMs: quantile(warm.map((m) => m.endpointMs), 0.5),
      durationMedianMs: quantile(warm.map((m) => m.durationMs), 0.5),
    };
  });
  const record = {
    date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverage: { before: loadBefore, after: loadAfter },
    eventsPerKind, loadMs: result.loadMs, maxRssMiB: result.maxRssKiB / 1024, memoryLimitMiB: 256, rows,
  };
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench', 'results', 'overhead.json'), `${JSON.stringify(record, null, 2)}\n`);

  const f = (x: number) => x.toFixed(2);
  console.log(`${record.date}, Node ${process.version}, ${record.cpus} CPUs, 1-min load ${loadBefore.toFixed(2)} before / ${loadAfter.toFixed(2)} after; ${eventsPerKind} events per kind in one container, interleaved\n`);
  console.log(`Bundle load (cold start) ${f(result.loadMs)} ms; peak RSS of the container over all ${result.events.length} events ${f(record.maxRssMiB)} MiB of 256 MiB (${((record.maxRssMiB / 256) * 100).toFixed(0)} %)\n`);
  console.log('| event | AWS calls | overhead ms, first event (cold clients) | overhead ms, median (warm) | p99 | endpoint time ms, median | event ms, median |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.kind} | ${r.calls} | ${f(r.firstEventOverheadMs)} | ${f(r.overheadMedianMs)} | ${f(r.overheadP99Ms)} | ${f(r.endpointMedianMs)} | ${f(r.durationMedianMs)} |`);
  }
  const wrong = result.events.find((e) => e.ok !== (e.kind !== 'Create, test fails (reason built)'));
  if (wrong) throw new Error(`an event did not come to its expected outcome: ${JSON.stringify(wrong)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
