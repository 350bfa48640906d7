/**
 * `cdk-glue-connection-test preflight [cloud-assembly-dir]`: runs, before `cdk deploy`, the
 * connection tests of a synthesized app (cdk.out by default) that can run before it: those of a
 * connection that already exists, and those of a definition whose every value is known. Each is
 * the core's test with the template's settings (the handler's own property parser reads them),
 * so it answers what the deployment's test would answer against what is deployed now.
 *
 * | a test                                                           | preflight                           |
 * | ---------------------------------------------------------------- | ----------------------------------- |
 * | names a connection that exists                                   | tests it                            |
 * | names a connection the assembly defines and that does not exist  | SKIPPED: the deployment creates it  |
 * | names a connection nothing defines and that does not exist       | FAILED (the deployment would fail)  |
 * | its properties need a resource the deployment creates            | SKIPPED, naming that resource       |
 * | its connection is --exclude'd, or its stack is not a --stack     | SKIPPED / not listed                |
 *
 * Tests run a few at a time; Glue's rate limit is absorbed by the core's retries within each
 * test's deadline. A progress line per finished test goes to stderr, the table (or JSON) to stdout.
 * Exit 1 when any test failed.
 */
import * as path from 'path';
import { Redactor } from '../core/redact';
import { FailureMode } from '../lib/contract/resource';
import { buildReason } from '../core/reason';
import { parseProperties, TestSettings } from '../lambda/properties';
import { didYouMean } from '../lib/private/text';
import { GLOBAL_OPTIONS, GlobalSettings, globalSettings, Io, parse, UsageError } from './args';
import { AssemblyTest, readAssembly, testsOf } from './assembly';
import { Output, seconds } from './output';
import { runCommandTest, TestConnectionResult } from './test-connection';

export const COMMAND = 'preflight';

const OPTIONS = {
  'stack': { type: 'string', multiple: true },
  'exclude': { type: 'string', multiple: true },
  'concurrency': { type: 'string' },
  ...GLOBAL_OPTIONS,
} as const;

const DEFAULT_CONCURRENCY = 4;

export const HELP = `Usage: cdk-glue-connection-test preflight [CLOUD-ASSEMBLY-DIR] [options]

Runs the Custom::GlueConnectionTest tests of a synthesized app (default: cdk.out) before
\`cdk deploy\`: every test whose connection already exists, or whose input needs nothing the
deployment would create. Says which it skipped and why. Exits 1 if any test failed (a
REPORT_ONLY test's failure is shown, not counted). A connection that exists is tested as deployed
now: if this deployment changes it (a corrected SECRET_ID or host), --exclude it.

Options:
  --stack NAME          only this stack (repeatable; default: every stack of the assembly)
  --exclude CONNECTION  skip the tests of this connection (repeatable)
  --concurrency N       tests at once (default ${DEFAULT_CONCURRENCY}); Glue's rate limit is retried within each test's deadline
  --output json|text, --region, --profile, --endpoint-url URL (Glue's), --cli-read-timeout S,
  --cli-connect-timeout S, --color on|off|auto, --ca-bundle FILE, --no-verify-ssl, --debug
`;

/** One row of the result. */
export interface PreflightRow {
  readonly stack: string;
  readonly test: string;
  readonly connection: string | null;
  readonly result: 'PASSED' | 'FAILED' | 'SKIPPED';
  readonly category: string | null;
  /** The failure's reason, or why the test was skipped. */
  readonly reason: string;
  readonly durationMs: number;
  /** A REPORT_ONLY test: its failure does not fail the deployment, so it does not fail preflight either. */
  readonly reportOnly?: boolean;
}

export async function preflightCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(COMMAND, argv, OPTIONS, true);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`${COMMAND}: takes one cloud assembly directory (got ${positionals.length})`);
  const globals = globalSettings(COMMAND, values, io);
  const out = new Output(io, new Redactor(), globals);
  globals.warnings.forEach((w) => out.warn(w));
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new UsageError(`${COMMAND}: --concurrency must be a whole number from 1 to 32 (got "${values.concurrency}")`);
  }

  const dir = path.resolve(io.cwd, positionals[0] ?? 'cdk.out');
  const stacks = readAssembly(dir);
  const wanted = values.stack ?? [];
  const names = stacks.map((s) => s.name);
  for (const name of wanted) {
    if (!names.includes(name)) {
      throw new UsageError(`${COMMAND}: --stack ${name}: no such stack in ${dir}${didYouMean(name, names)} (stacks: ${names.join(', ') || 'none'})`);
    }
  }
  const excluded = new Set(values.exclude ?? []);
  const tests = testsOf(wanted.length > 0 ? stacks.filter((s) => wanted.includes(s.name)) : stacks, globals.clients.region ?? io.env.AWS_REGION);
  if (tests.length === 0) {
    out.progress(`preflight: no Custom::GlueConnectionTest in ${wanted.length > 0 ? wanted.join(', ') : dir}`);
  }

  let done = 0;
  const rows = await pool(tests, concurrency, async (test) => {
    const row = await preflightOne(test, excluded, globals, out);
    done++;
    out.progress(`[${done}/${tests.length}] ${row.result.padEnd(7)} ${row.stack} ${row.test}${row.connection ? ` (${row.connection})` : ''}  ${seconds(row.durationMs)}`);
    return row;
  });

  if (globals.output === 'json') {
    const count = (result: PreflightRow['result'], reportOnly = false) => rows.filter((r) => r.result === result && (r.reportOnly ?? false) === reportOnly).length;
    out.result(JSON.stringify({
      assembly: dir, passed: count('PASSED'), failed: count('FAILED'), reportOnlyFailed: count('FAILED', true), skipped: count('SKIPPED'), tests: rows,
    }, null, 2));
  } else {
    printTable(rows, out);
  }
  return rows.some((r) => r.result === 'FAILED' && !r.reportOnly) ? 1 : 0;
}

async function preflightOne(test: AssemblyTest, excluded: ReadonlySet<string>, globals: GlobalSettings, out: Output): Promise<PreflightRow> {
  const row = (result: PreflightRow['result'], reason: string, extra: Partial<PreflightRow> = {}): PreflightRow => ({
    stack: test.stack.name, test: test.path, connection: test.connectionName ?? null, result, category: null, reason, durationMs: 0, ...extra,
  });
  if (test.connectionName !== undefined && excluded.has(test.connectionName)) return row('SKIPPED', 'excluded (--exclude)');
  if (test.unresolved !== undefined || test.properties === undefined) {
    return row('SKIPPED', `needs what the deployment creates: ${test.unresolved ?? 'its properties'}`);
  }
  let settings: TestSettings;
  try {
    settings = parseProperties(test.properties);
  } catch (e) {
    // The handler would answer the same: the properties cannot be tested.
    return row('FAILED', buildReason(e, { connectionName: test.connectionName }, out.redactor), { category: 'configuration' });
  }
  const region = test.stack.region ?? globals.clients.region;
  const result: TestConnectionResult = await runCommandTest(settings, { ...globals, clients: { ...globals.clients, region } }, out);
  if (result.result === 'FAILED' && result.error === 'EntityNotFoundException' && test.definedInAssembly) {
    const skipped = `connection "${test.connectionName}" does not exist yet: the deployment creates it`;
    return row('SKIPPED', `${skipped}${templateNotes(test, out)}`, { durationMs: result.durationMs });
  }
  if (result.result === 'FAILED' && settings.failureMode === FailureMode.REPORT_ONLY) {
    return row('FAILED', `${result.reason} (REPORT_ONLY: the deployment reports this and does not fail, so neither does preflight)`,
      { category: result.category, durationMs: result.durationMs, reportOnly: true });
  }
  return row(result.result, result.reason, { category: result.category, durationMs: result.durationMs });
}

/**
 * What Glue's network rules say of the template's path of a connection not deployed yet: the
 * rules `cdk synth` applied (a finding here was acknowledged in the app, or the template was
 * edited), so it is said, not failed on. Loads aws-cdk-lib (the user's) only here.
 */
function templateNotes(test: AssemblyTest, out: Output): string {
  if (test.connectionLogicalId === undefined) return '';
  try {
    const { templateFindings } = require('./template-rules') as typeof import('./template-rules');
    const findings = templateFindings(test.stack.templateFile, test.connectionLogicalId, test.stack.paths, test.stack.region);
    if (findings.length === 0) return '; the template\'s network path meets Glue\'s rules';
    return `; the template's network path breaks Glue's rules (unless completed outside CDK, as an acknowledged check says): `
      + findings.map((f) => `${f.problem}. Fix: ${f.fix}`).join('; ');
  } catch (e) {
    out.warn(`${test.path}: the template's network path could not be read (${(e as Error).message.split('\n')[0]})`);
    return '';
  }
}

/** Runs `work` on every item, at most `size` at once; results in the items' order. */
async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

function printTable(rows: readonly PreflightRow[], out: Output): void {
  if (rows.length === 0) return;
  const headers = ['STACK', 'TEST', 'CONNECTION', 'RESULT', 'REASON'];
  const cells = rows.map((r) => [r.stack, r.test, r.connection ?? '(input)', r.result, r.reason]);
  const widths = headers.slice(0, 4).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[], mark?: PreflightRow['result']) => [
    ...c.slice(0, 3).map((v, i) => v.padEnd(widths[i])),
    mark ? out.mark(mark, widths[3]) : c[3].padEnd(widths[3]),
    c[4],
  ].join('  ').trimEnd();
  out.result(line(headers));
  rows.forEach((r, i) => out.result(line(cells[i], r.result)));
  const failed = rows.filter((r) => r.result === 'FAILED' && !r.reportOnly).length;
  const reported = rows.filter((r) => r.result === 'FAILED' && r.reportOnly).length;
  const skipped = rows.filter((r) => r.result === 'SKIPPED').length;
  out.result(`${rows.length - failed - reported - skipped} passed, ${failed} failed, ${skipped} skipped${reported ? `, ${reported} failed but REPORT_ONLY` : ''}`);
}
