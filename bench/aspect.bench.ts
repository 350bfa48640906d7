/**
 * Synth-time benchmark of GlueConnectionTestAspect against what a user writes without it, side
 * by side in one process and one run:
 *
 *   A  `Aspects.of(app).add(new GlueConnectionTestAspect())`: one line
 *   B  by hand: `new GlueConnectionTest(this, id, { connection })` per connection and
 *      `test.gate(job)` per job and crawler, wired by the author to the right test
 *
 * The app: three stacks (connections, jobs, crawlers), N JDBC connections, 3N jobs (each names
 * one connection by Ref, one in three by literal name) and N crawlers (a JDBC target by Ref).
 * It measures construct + app.synth() wall time (median of several runs after a warm-up, a fresh
 * App and a fresh temporary outdir each run), and checks that both give the same templates (the
 * same resources, properties and dependencies; key order aside). Nothing here asserts on time; it reports.
 *
 * Run: npx tsx bench/aspect.bench.ts            (writes bench/results/aspect.json)
 *      BENCH_REPS=9 BENCH_NS=10,50,100 npx tsx bench/aspect.bench.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { isDeepStrictEqual } from 'util';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { IConstruct } from 'constructs';
import { GlueConnectionTest, GlueConnectionTestAspect } from '../lib';

const RESULTS = path.join(__dirname, 'results', 'aspect.json');
const NS = (process.env.BENCH_NS ?? '10,50,100').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const ENV = { account: '123456789012', region: 'eu-west-1' };

type Variant = 'A aspect' | 'B by hand';

interface Built {
  readonly app: App;
  readonly stacks: Stack[];
  readonly aspect: TimedAspect;
}

/** The aspect, with the time spent in its visits (finding, reading, adding tests and dependencies). */
class TimedAspect extends GlueConnectionTestAspect {
  public ms = 0;
  public visit(node: IConstruct): void {
    const started = performance.now();
    super.visit(node);
    this.ms += performance.now() - started;
  }
}

function build(n: number, variant: Variant): Built {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'aspect-bench-')), context: { 'aws:cdk:enable-path-metadata': true } });
  const data = new Stack(app, 'Data', { env: ENV });
  const jobs = new Stack(app, 'Jobs', { env: ENV });
  const crawlers = new Stack(app, 'Crawlers', { env: ENV });
  const connections: glue.CfnConnection[] = [];
  const tests: GlueConnectionTest[] = [];
  for (let i = 0; i < n; i++) {
    const connection = new glue.CfnConnection(data, `Conn${i}`, {
      catalogId: data.account,
      connectionInput: {
        name: `conn-${i}`,
        connectionType: 'JDBC',
        connectionProperties: { JDBC_CONNECTION_URL: `jdbc:postgresql://db-${i}.internal:5432/app`, SECRET_ID: `conn-${i}-login` },
      },
    });
    connections.push(connection);
    // B: the test the author writes, where the aspect would put it (same id, same logical id).
    if (variant === 'B by hand') tests.push(new GlueConnectionTest(connection, 'ConnectionTest', { connection }));
  }
  for (let j = 0; j < 3 * n; j++) {
    const i = j % n;
    const job = new glue.CfnJob(jobs, `Job${j}`, {
      role: 'arn:aws:iam::123456789012:role/etl',
      command: { name: 'glueetl', scriptLocation: 's3://scripts/etl.py' },
      connections: { connections: [j % 3 === 0 ? `conn-${i}` : connections[i].ref] },
    });
    if (variant === 'B by hand') tests[i].gate(job);
  }
  for (let i = 0; i < n; i++) {
    const crawler = new glue.CfnCrawler(crawlers, `Crawler${i}`, {
      role: 'arn:aws:iam::123456789012:role/crawler',
      targets: { jdbcTargets: [{ connectionName: connections[i].ref, path: 'app/%' }] },
    });
    if (variant === 'B by hand') tests[i].gate(crawler);
  }
  const aspect = new TimedAspect();
  if (variant === 'A aspect') Aspects.of(app).add(aspect);
  return { app, stacks: [data, jobs, crawlers], aspect };
}

/** Construct + synth once; the templates by stack. */
function synthOnce(n: number, variant: Variant): { ms: number; aspectMs: number; templates: Record<string, unknown> } {
  const started = performance.now();
  const { app, stacks, aspect } = build(n, variant);
  const assembly = app.synth();
  const ms = performance.now() - started;
  const templates = Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
  fs.rmSync(assembly.directory, { recursive: true, force: true });
  return { ms, aspectMs: aspect.ms, templates };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const loadBefore = os.loadavg()[0];
  const rows: Record<string, unknown>[] = [];
  for (const n of NS) {
    const variants: Variant[] = ['A aspect', 'B by hand'];
    for (const v of variants) synthOnce(n, v); // warm-up
    const times: Record<Variant, number[]> = { 'A aspect': [], 'B by hand': [] };
    const inAspect: number[] = [];
    let same = true;
    for (let r = 0; r < REPS; r++) {
      // Alternate the order, so that neither variant always runs on a warmer process.
      const order = r % 2 === 0 ? variants : [...variants].reverse();
      const runs = Object.fromEntries(order.map((v) => [v, synthOnce(n, v)])) as Record<Variant, ReturnType<typeof synthOnce>>;
      for (const v of variants) times[v].push(runs[v].ms);
      inAspect.push(runs['A aspect'].aspectMs);
      if (r === 0) same = isDeepStrictEqual(runs['A aspect'].templates, runs['B by hand'].templates);
    }
    const a = median(times['A aspect']);
    const b = median(times['B by hand']);
    const row = { connections: n, jobs: 3 * n, crawlers: n, aspectMs: Math.round(a), byHandMs: Math.round(b), inAspectVisitsMs: Math.round(median(inAspect)), ratio: Number((a / b).toFixed(2)), identicalTemplates: same };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  const load = { before: Number(loadBefore.toFixed(2)), after: Number(os.loadavg()[0].toFixed(2)) };
  fs.writeFileSync(RESULTS, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, reps: REPS, loadAverage1m: load, rows }, null, 2) + '\n');
}

main();
