/**
 * The load scenario (issue 12) at CI size: 50 tests started at once through the Provider
 * framework against a local Glue that admits 2 TestConnections and 5 GetConnections a second
 * (see run-load.ts for the set-up and what is checked for every test). The full 200-test run is
 * recorded in BENCHMARKS.md (`npx tsx bench/throttle.bench.ts`). LOAD_TESTS changes the size.
 *
 * Needs the handler bundle (`npm run bundle`), moto_server and PostgreSQL, like test/sim/sim.test.ts.
 * With the handler before it retried throttling within its deadline (the SDK's standard strategy,
 * five attempts), 22 of these 50 tests failed, 19 good connections among them, with
 * "ThrottlingException: Rate exceeded".
 */
import { formatLoadReport, runLoad } from '../../../sim/run-load';

const TESTS = Number(process.env.LOAD_TESTS || 50);

test(`${TESTS} tests at once against a Glue limited to 2 TestConnections a second: every one finishes with its true result, none by throttling, none past its deadline`, async () => {
  const report = await runLoad({ tests: TESTS, testConnectionRate: 2, getConnectionRate: 5 });
  process.stdout.write(`\n${formatLoadReport(report)}\n`);

  expect(report.cases).toHaveLength(TESTS);
  expect(report.cases.filter((c) => c.problems.length > 0).map((c) => `${c.logicalId} (${c.kind}): ${c.problems.join('; ')}`)).toEqual([]);
  // The rate limit was really in force: TestConnection was throttled, and the handler retried.
  expect(report.glueRequests.TestConnection.throttled).toBeGreaterThan(TESTS);
  expect(report.glueRequests.GetConnection.throttled).toBeGreaterThan(0);
  expect(Math.max(...report.cases.map((c) => c.throttled))).toBeGreaterThan(4);
  // Each kind of test was there.
  expect(Object.keys(report.byKind).sort()).toEqual(['good', 'missing connection', 'unreachable port', 'wrong password']);
}, 280_000);
