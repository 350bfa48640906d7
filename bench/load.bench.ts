/**
 * Cold-start load benchmark: how long a fresh Node.js process takes to load the handler's code,
 * and how big that code is, side by side in one run with what the alternatives load:
 *
 * - **A** our bundle, assets/handler/index.js (everything it needs inlined);
 * - **G** `@aws-sdk/client-glue` alone, from node_modules (the CommonJS build Node resolves);
 * - **B** aws-cdk-lib's AwsCustomResource handler (custom-resource-handlers/.../aws-custom-resource-handler)
 *   plus `@aws-sdk/client-glue`, which that handler requires on its first Glue call (Lambda's
 *   runtime provides the SDK; here node_modules does).
 *
 * Each sample is a new `node` process that times the `require` calls (process.hrtime around
 * them, so Node's own start-up is excluded and equal for all) and reports its RSS and heap after
 * loading. Variants are interleaved (A, G, B, A, G, B, ... with the order rotated each round)
 * so that the machine's load hits all alike. Medians are reported; the JSON keeps every sample.
 *
 *   npm run bundle && npx tsx bench/load.bench.ts        # BENCH_LOAD_RUNS=21 by default
 *
 * Prints markdown for BENCHMARKS.md and writes bench/results/load.json.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

const root = path.resolve(__dirname, '..');
const bundle = path.join(root, 'assets', 'handler', 'index.js');
const awsCustomResourceHandler = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')),
  'custom-resource-handlers', 'dist', 'custom-resources', 'aws-custom-resource-handler', 'index.js');
const glueEntry = require.resolve('@aws-sdk/client-glue');
const runs = Number(process.env.BENCH_LOAD_RUNS ?? 21);

interface Variant {
  readonly key: string;
  readonly label: string;
  /** The modules the process requires, in order. */
  readonly modules: readonly string[];
}

const variants: Variant[] = [
  { key: 'A', label: 'GlueConnectionTest handler bundle (assets/handler/index.js)', modules: [bundle] },
  { key: 'G', label: '@aws-sdk/client-glue alone', modules: [glueEntry] },
  { key: 'B', label: 'AwsCustomResource handler + @aws-sdk/client-glue', modules: [awsCustomResourceHandler, glueEntry] },
];

interface Sample {
  readonly loadMs: number;
  /** CPU time (user + system) the process spent in the requires: less sensitive to a busy machine. */
  readonly cpuMs: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
}

function sample(variant: Variant): Sample {
  const script = `
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const m of ${JSON.stringify(variant.modules)}) require(m);
    const loadMs = Number(process.hrtime.bigint() - start) / 1e6;
    const used = process.cpuUsage(cpu);
    const { rss, heapUsed } = process.memoryUsage();
    process.stdout.write(JSON.stringify({ loadMs, cpuMs: (used.user + used.system) / 1000, rssMiB: rss / 2 ** 20, heapUsedMiB: heapUsed / 2 ** 20 }));`;
  // cwd: the repo, so that bare requires resolve from its node_modules as in the variants' setups.
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as Sample;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Bytes and gzip bytes of the files a variant loads (for the SDK: the files Node actually read). */
function codeSize(variant: Variant): { bytes: number; gzip: number; files: number } {
  const script = `for (const m of ${JSON.stringify(variant.modules)}) require(m);
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const files = (JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as string[])
    .filter((f) => f.endsWith('.js') || f.endsWith('.json'));
  let bytes = 0;
  let gzip = 0;
  for (const f of files) {
    const content = fs.readFileSync(f);
    bytes += content.length;
    gzip += zlib.gzipSync(content, { level: 6 }).length;
  }
  return { bytes, gzip, files: files.length };
}

function main(): void {
  if (!fs.existsSync(bundle)) throw new Error('assets/handler/index.js does not exist: run `npm run bundle` first.');
  const loadBefore = os.loadavg()[0];
  for (const v of variants) sample(v); // warm the file cache
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.key, []]));
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(round + i) % variants.length];
      samples.get(v.key)!.push(sample(v));
    }
  }
  const loadAfter = os.loadavg()[0];
  const rows = variants.map((v) => {
    const s = samples.get(v.key)!;
    return {
      ...v,
      loadMs: median(s.map((x) => x.loadMs)),
      minMs: Math.min(...s.map((x) => x.loadMs)),
      maxMs: Math.max(...s.map((x) => x.loadMs)),
      cpuMs: median(s.map((x) => x.cpuMs)),
      rssMiB: median(s.map((x) => x.rssMiB)),
      heapUsedMiB: median(s.map((x) => x.heapUsedMiB)),
      ...codeSize(v),
    };
  });
  const glue = rows.find((r) => r.key === 'G')!;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    loadAverage: { before: loadBefore, after: loadAfter },
    runs,
    rows,
    samples: Object.fromEntries(samples),
  };
  fs.mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(root, 'bench', 'results', 'load.json'), `${JSON.stringify(result, null, 2)}\n`);

  const n = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, ${runs} fresh processes per variant, 1-min load ${n(loadBefore, 2)} before / ${n(loadAfter, 2)} after\n`);
  console.log('| variant | load ms (median, min-max) | load vs client-glue | CPU ms in load (median) | CPU vs client-glue | code bytes | gzip bytes | files read | RSS after load MiB | heap used MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.key}: ${r.label} | ${n(r.loadMs)} (${n(r.minMs)}-${n(r.maxMs)}) | ${n(r.loadMs / glue.loadMs, 2)}x | ${n(r.cpuMs)} | ${n(r.cpuMs / glue.cpuMs, 2)}x | ${r.bytes.toLocaleString('en-US')} | ${r.gzip.toLocaleString('en-US')} | ${r.files} | ${n(r.rssMiB)} | ${n(r.heapUsedMiB)} |`);
  }
}

main();
