/**
 * What `monitor` costs in the template, side by side in one process and one run:
 *
 *   A  N tests by name, unmonitored:           new GlueConnectionTest(stack, id, { connectionName })
 *   B  the same N tests, monitored on one schedule: { connectionName, monitor: { schedule: rate(1 hour) } }
 *   C  the same N tests, monitored on two schedules (half each), for the cost of a second rule
 *
 * For each N it reports the template's bytes (JSON as `cdk synth` writes it, and minified), its
 * resource count by type, and the differences B - A and C - A, per monitored test. It also prints
 * the largest N one schedule takes under the synth refusal (the rule's input at EventBridge's
 * 8,192 characters, each connection name at its longest, and a run within the handler's timeout).
 * Nothing here asserts; it reports.
 *
 * Run: npx tsx bench/monitor.bench.ts          (writes bench/results/monitor.json)
 *      BENCH_NS=1,10,40 npx tsx bench/monitor.bench.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { GlueConnectionTest } from '../lib';

const RESULTS = path.join(__dirname, 'results', 'monitor.json');
const NS = (process.env.BENCH_NS ?? '1,10,40').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const ENV = { account: '123456789012', region: 'eu-west-1' };
const HOURLY = events.Schedule.rate(Duration.hours(1));
const DAILY = events.Schedule.cron({ minute: '0', hour: '6' });

type Variant = 'A unmonitored' | 'B one schedule' | 'C two schedules';
const VARIANTS: Variant[] = ['A unmonitored', 'B one schedule', 'C two schedules'];

interface Measured {
  readonly variant: Variant;
  readonly n: number;
  readonly bytes: number;
  readonly minifiedBytes: number;
  readonly resources: number;
  readonly byType: Record<string, number>;
}

function synth(n: number, variant: Variant, name: (i: number) => string = (i) => `conn-${i}`): { template: Record<string, unknown>; text: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-bench-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bench', { env: ENV });
    for (let i = 0; i < n; i++) {
      const schedule = variant === 'A unmonitored' ? undefined : variant === 'C two schedules' && i % 2 === 1 ? DAILY : HOURLY;
      new GlueConnectionTest(stack, `Test${i}`, { connectionName: name(i), monitor: schedule ? { schedule } : undefined });
    }
    const artifact = app.synth().getStackByName(stack.stackName);
    const text = fs.readFileSync(artifact.templateFullPath, 'utf8');
    return { template: JSON.parse(text) as Record<string, unknown>, text };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function measure(n: number, variant: Variant): Measured {
  const { template, text } = synth(n, variant);
  const resources = template.Resources as Record<string, { Type: string }>;
  const byType: Record<string, number> = {};
  for (const r of Object.values(resources)) byType[r.Type] = (byType[r.Type] ?? 0) + 1;
  return { variant, n, bytes: Buffer.byteLength(text), minifiedBytes: Buffer.byteLength(JSON.stringify(template)), resources: Object.keys(resources).length, byType };
}

/** The most tests one schedule takes before the synth refuses it, with names of `length` characters. */
function largestSchedule(length: number): number {
  let fits = 0;
  for (let n = 1; n <= 400; n++) {
    try {
      synth(n, 'B one schedule', (i) => `${'x'.repeat(Math.max(0, length - String(i).length - 1))}-${i}`);
      fits = n;
    } catch {
      break;
    }
  }
  return fits;
}

function main(): void {
  const rows: Measured[] = [];
  for (const n of NS) for (const variant of VARIANTS) rows.push(measure(n, variant));

  const lines: string[] = [];
  lines.push('| N | variant | template bytes | minified | resources | rules | permissions | Δ bytes vs A | Δ bytes per monitored test | Δ resources vs A |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of NS) {
    const a = rows.find((r) => r.n === n && r.variant === 'A unmonitored')!;
    for (const r of rows.filter((x) => x.n === n)) {
      const delta = r.bytes - a.bytes;
      lines.push(`| ${n} | ${r.variant} | ${r.bytes} | ${r.minifiedBytes} | ${r.resources} | ${r.byType['AWS::Events::Rule'] ?? 0} | `
        + `${r.byType['AWS::Lambda::Permission'] ?? 0} | ${r === a ? '' : `+${delta}`} | ${r === a ? '' : (delta / n).toFixed(0)} | `
        + `${r === a ? '' : `+${r.resources - a.resources}`} |`);
    }
  }
  // The marginal cost of one more monitored test on an existing schedule: B(N) - B(1) over N - 1.
  const b = rows.filter((r) => r.variant === 'B one schedule').sort((x, y) => x.n - y.n);
  const a = rows.filter((r) => r.variant === 'A unmonitored').sort((x, y) => x.n - y.n);
  const marginal = b.length > 1
    ? ((b[b.length - 1].bytes - b[0].bytes) - (a[a.length - 1].bytes - a[0].bytes)) / (b[b.length - 1].n - b[0].n)
    : NaN;
  const fitsShort = largestSchedule(10);
  const fitsLong = largestSchedule(255);
  lines.push('');
  lines.push(`Marginal bytes of one more monitored test on an existing schedule (beyond the test itself): ${marginal.toFixed(0)}.`);
  lines.push(`Largest schedule the synth accepts (hourly, default 300 s timeout): ${fitsShort} tests with 10-character names, ${fitsLong} with 255-character names.`);
  console.log(lines.join('\n'));

  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify({
    measuredAt: new Date().toISOString(), node: process.version, ns: NS, rows, marginalBytesPerMonitoredTest: Math.round(marginal),
    largestSchedule: { name10: fitsShort, name255: fitsLong },
  }, null, 2) + '\n');
}

main();
