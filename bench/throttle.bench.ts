/**
 * The load scenario at full size, for BENCHMARKS.md: 200 tests started at once through the
 * Provider framework against a local Glue that admits 2 TestConnections and 5 GetConnections a
 * second (sim/run-load.ts has the set-up and the checks; test/sim/load/load.test.ts runs 50 in
 * CI). Prints the report and writes bench/results/throttle.json.
 *
 *   npm run bundle && npx tsx bench/throttle.bench.ts     # BENCH_LOAD_TESTS=200, BENCH_TC_RATE=2, BENCH_GC_RATE=5
 *
 * BENCH_BUNDLE runs another handler bundle (e.g. one built from an earlier commit, to compare);
 * BENCH_OUT names the results file (default throttle.json).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatLoadReport, runLoad } from '../sim/run-load';

// The SDK's notice about this machine's Node.js 20 (the function runs a newer one), once per container.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<void> {
  const options = {
    tests: Number(process.env.BENCH_LOAD_TESTS ?? 200),
    testConnectionRate: Number(process.env.BENCH_TC_RATE ?? 2),
    getConnectionRate: Number(process.env.BENCH_GC_RATE ?? 5),
    handlerBundle: process.env.BENCH_BUNDLE || undefined,
  };
  const loadBefore = os.loadavg()[0];
  const report = await runLoad(options);
  const loadAfter = os.loadavg()[0];
  const out = path.join(__dirname, 'results', process.env.BENCH_OUT || 'throttle.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: { before: loadBefore, after: loadAfter }, ...report }, null, 2)}\n`);
  console.log(`${new Date().toISOString()}, bundle ${options.handlerBundle ?? 'assets/handler/index.js'}, Node ${process.version}, 1-min load ${loadBefore.toFixed(2)} before / ${loadAfter.toFixed(2)} after`);
  console.log(formatLoadReport(report));
  if (report.problems > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
