/**
 * Synth-time benchmark: this library against the two things a CDK user would write instead to
 * test a Glue connection during `cdk deploy`, side by side in one process and one run.
 *
 *   A  GlueConnectionTest (this library): one handler + one Provider framework per stack
 *   B  aws-cdk-lib AwsCustomResource calling Glue.testConnection (one singleton Lambda per stack,
 *      one IAM policy per test)
 *   C  hand-rolled: one inline lambda.Function + one cr.Provider + one CustomResource per test
 *
 * For N tests in one stack it measures construct + app.synth() wall time (median of several
 * runs after a warm-up, a fresh App and a fresh temporary outdir each run), template bytes,
 * resource counts, IAM statements, the per-role inline policy size IAM enforces, and the Lambda
 * code each alternative ships. It also synthesizes a test with a password to show where the
 * password ends up. Nothing here asserts on time; it reports.
 *
 * Run: npx tsx bench/synth.bench.ts            (writes bench/results/synth.json)
 *      BENCH_REPS=9 BENCH_REPS_LARGE=5 BENCH_NS=1,10,50,200 npx tsx bench/synth.bench.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as zlib from 'zlib';
import { App, CustomResource, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { GlueConnectionTest, TestConnectionType } from '../lib';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(__dirname, 'results', 'synth.json');
const NS = (process.env.BENCH_NS ?? '1,10,50,200').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const REPS = Number(process.env.BENCH_REPS ?? 5);
/** Repetitions for N >= 200, where one synth of the hand-rolled variant takes seconds. */
const REPS_LARGE = Number(process.env.BENCH_REPS_LARGE ?? 5);
/** Repetitions of the second series, with aws-cdk-lib's built-in template validation switched off. */
const REPS_NO_VALIDATION = Number(process.env.BENCH_REPS_NOVAL ?? 3);
/** Past this much run time (from start), N >= 200 stops at 3 repetitions, so a run stays under 3 minutes. */
const TIME_BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 150_000);

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CANARY = 'canary-pw-123';
const SECRET_ARN = `arn:aws:secretsmanager:${ENV.region}:${ENV.account}:secret:glue/orders-db-AbCdEf`;
/**
 * CloudFormation and IAM limits the results are checked against: resources per stack, template
 * body (from S3), the sum of a role's inline policies, one managed policy. IAM counts policy
 * characters without whitespace.
 */
const LIMITS = { resources: 500, templateBytes: 1_000_000, roleInlinePolicyChars: 10_240, managedPolicyChars: 6_144 };

/**
 * The context `cdk synth` gives an app: this repo's cdk.json context plus what the CLI adds by
 * default (path and asset metadata, version reporting, no creation stack traces). The
 * 500-resource check is switched off so that templates above it can still be measured; whether
 * a stack is under the limit is reported instead.
 */
const CONTEXT: Record<string, unknown> = {
  ...(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context ?? {}),
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:disable-stack-trace': true,
  '@aws-cdk/core:stackResourceLimit': 0,
};

/** A full collection before every timed run, so one run's garbage is not collected in the next. */
v8.setFlagsFromString('--expose-gc');
const collectGarbage: () => void = vm.runInNewContext('gc');

type Variant = 'A' | 'B' | 'C';
const VARIANTS: Variant[] = ['A', 'B', 'C'];
const LABEL: Record<Variant, string> = {
  A: 'A: GlueConnectionTest (this library)',
  B: 'B: AwsCustomResource Glue.testConnection',
  C: 'C: hand-rolled Function + Provider per test',
};

/** The handler a user writes first for (C): inline, SDK v3 from the Lambda runtime. */
const INLINE_HANDLER = `const { GlueClient, TestConnectionCommand } = require('@aws-sdk/client-glue');
const glue = new GlueClient({});
exports.handler = async (event) => {
  const name = event.ResourceProperties.ConnectionName;
  if (event.RequestType !== 'Delete') {
    await glue.send(new TestConnectionCommand({ ConnectionName: name }));
  }
  return { PhysicalResourceId: 'glue-connection-test-' + name };
};`;

function glueArns(stack: Stack, name: string): string[] {
  return [
    stack.formatArn({ service: 'glue', resource: 'catalog' }),
    stack.formatArn({ service: 'glue', resource: 'connection', resourceName: name }),
  ];
}

function addTests(variant: Variant, stack: Stack, n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `conn-${i}`;
    if (variant === 'A') {
      new GlueConnectionTest(stack, `Test${i}`, { connectionName: name });
    } else if (variant === 'B') {
      const call: cr.AwsSdkCall = {
        service: 'Glue',
        action: 'TestConnection',
        parameters: { ConnectionName: name },
        physicalResourceId: cr.PhysicalResourceId.of(`glue-connection-test-${name}`),
      };
      new cr.AwsCustomResource(stack, `Test${i}`, {
        onCreate: call,
        onUpdate: call,
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: glueArns(stack, name) }),
        // What `cdk init`'s recommended flags select; true would npm-install the SDK at cold start.
        installLatestAwsSdk: false,
      });
    } else {
      const handler = new lambda.Function(stack, `Test${i}Handler`, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(INLINE_HANDLER),
        timeout: Duration.minutes(5),
      });
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['glue:TestConnection'], resources: glueArns(stack, name) }));
      const provider = new cr.Provider(stack, `Test${i}Provider`, { onEventHandler: handler });
      new CustomResource(stack, `Test${i}`, { serviceToken: provider.serviceToken, properties: { ConnectionName: name } });
    }
  }
}

interface Synthesized {
  constructMs: number;
  synthMs: number;
  totalMs: number;
  /** Only on a measured run: the outdir is kept until the caller has read it. */
  outdir: string;
  templateFile: string;
  assetsFile: string;
}

/**
 * One fresh App with n tests of a variant, synthesized into a fresh temporary outdir (the caller
 * deletes it). `validation: false` sets CDK_VALIDATION=false for this synth only: aws-cdk-lib's
 * built-in CloudFormation template validation, which otherwise runs on every synth.
 */
function synthOnce(variant: Variant, n: number, validation = true): Synthesized {
  const before = process.env.CDK_VALIDATION;
  if (!validation) process.env.CDK_VALIDATION = 'false';
  try {
    return synthInto(variant, n);
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
}

function synthInto(variant: Variant, n: number): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-bench-'));
  const t0 = performance.now();
  const app = new App({ outdir, context: CONTEXT });
  const stack = new Stack(app, 'BenchStack', { env: ENV });
  addTests(variant, stack, n);
  const t1 = performance.now();
  const assembly = app.synth();
  const t2 = performance.now();
  const artifact = assembly.getStackByName(stack.stackName);
  const assetsArtifact = assembly.artifacts.find((a) => a.id === `${artifact.id}.assets`);
  return {
    constructMs: t1 - t0,
    synthMs: t2 - t1,
    totalMs: t2 - t0,
    outdir,
    templateFile: path.join(outdir, artifact.templateFile),
    assetsFile: assetsArtifact ? path.join(outdir, (assetsArtifact.manifest.properties as { file: string }).file) : '',
  };
}

// ---------------------------------------------------------------------------------------------
// Template metrics

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A deploy-time string for an intrinsic, close enough in length to measure IAM policy size:
 * pseudo parameters become this stack's values, Fn::Join is joined, references to resources
 * become an ARN-sized placeholder.
 */
function approxResolve(x: Json): Json {
  if (Array.isArray(x)) return x.map(approxResolve);
  if (x === null || typeof x !== 'object') return x;
  if ('Ref' in x) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws', 'AWS::Region': ENV.region, 'AWS::AccountId': ENV.account, 'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'BenchStack',
      'AWS::StackId': `arn:aws:cloudformation:${ENV.region}:${ENV.account}:stack/BenchStack/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
    };
    return pseudo[x.Ref] ?? 'BenchStack-ResourceName-0123456789AB';
  }
  if ('Fn::GetAtt' in x) return `arn:aws:service:${ENV.region}:${ENV.account}:type:BenchStack-ResourceName-0123456789AB`;
  if ('Fn::Join' in x) {
    const [sep, parts] = x['Fn::Join'];
    return (approxResolve(parts) as unknown[]).map(String).join(sep);
  }
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, approxResolve(v)]));
}

interface TemplateMetrics {
  templateBytes: number;
  resources: number;
  byType: Record<string, number>;
  lambdaFunctions: number;
  customResources: number;
  iamPolicyResources: number;
  /** Statements of identity policies: AWS::IAM::Policy, AWS::IAM::ManagedPolicy, Role.Policies. Trust policies excluded. */
  iamStatements: number;
  /** Largest sum, over one role, of its inline policies (Role.Policies + AWS::IAM::Policy), in IAM's characters (no whitespace). */
  maxRoleInlinePolicyChars: number;
  /** Largest AWS::IAM::ManagedPolicy document (CDK moves what does not fit inline into "OverflowPolicy" managed policies). */
  maxManagedPolicyChars: number;
  underResourceLimit: boolean;
  underTemplateSizeLimit: boolean;
  underRolePolicyLimit: boolean;
  underManagedPolicyLimit: boolean;
  /** All four limits hold: the stack can deploy as far as these limits go. */
  deployable: boolean;
}

function templateMetrics(templateFile: string): TemplateMetrics {
  const text = fs.readFileSync(templateFile, 'utf8');
  const resources: Record<string, Json> = JSON.parse(text).Resources ?? {};
  const byType: Record<string, number> = {};
  let iamStatements = 0;
  const roleChars: Record<string, number> = {};
  let maxManaged = 0;
  const docChars = (doc: Json) => JSON.stringify(approxResolve(doc)).length;
  const statements = (doc: Json) => [doc?.Statement ?? []].flat().length;
  for (const [logicalId, r] of Object.entries(resources)) {
    byType[r.Type] = (byType[r.Type] ?? 0) + 1;
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const pol of p.Policies ?? []) {
        iamStatements += statements(pol.PolicyDocument);
        roleChars[logicalId] = (roleChars[logicalId] ?? 0) + docChars(pol.PolicyDocument);
      }
    } else if (r.Type === 'AWS::IAM::Policy') {
      iamStatements += statements(p.PolicyDocument);
      for (const role of p.Roles ?? []) {
        const id = typeof role === 'object' && role.Ref ? role.Ref : String(role);
        roleChars[id] = (roleChars[id] ?? 0) + docChars(p.PolicyDocument);
      }
    } else if (r.Type === 'AWS::IAM::ManagedPolicy') {
      iamStatements += statements(p.PolicyDocument);
      maxManaged = Math.max(maxManaged, docChars(p.PolicyDocument));
    }
  }
  const count = Object.keys(resources).length;
  const maxRole = Math.max(0, ...Object.values(roleChars));
  const bytes = Buffer.byteLength(text);
  const under = {
    underResourceLimit: count <= LIMITS.resources,
    underTemplateSizeLimit: bytes <= LIMITS.templateBytes,
    underRolePolicyLimit: maxRole <= LIMITS.roleInlinePolicyChars,
    underManagedPolicyLimit: maxManaged <= LIMITS.managedPolicyChars,
  };
  return {
    templateBytes: bytes,
    resources: count,
    byType,
    lambdaFunctions: byType['AWS::Lambda::Function'] ?? 0,
    customResources: Object.entries(byType).filter(([t]) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource')
      .reduce((s, [, c]) => s + c, 0),
    iamPolicyResources: byType['AWS::IAM::Policy'] ?? 0,
    iamStatements,
    maxRoleInlinePolicyChars: maxRole,
    maxManagedPolicyChars: maxManaged,
    ...under,
    deployable: Object.values(under).every(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------
// What each variant ships as Lambda code

interface ShippedCode {
  /** The construct path of the first function that uses it. */
  usedBy: string;
  functions: number;
  kind: 'asset' | 'inline';
  files: number;
  bytes: number;
  /** Sum of each file gzipped (zlib level 6); close to what the Lambda zip holds. */
  gzipBytes: number;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

function shippedCode(s: Synthesized): ShippedCode[] {
  const resources: Record<string, Json> = JSON.parse(fs.readFileSync(s.templateFile, 'utf8')).Resources ?? {};
  const assets: Json = s.assetsFile ? JSON.parse(fs.readFileSync(s.assetsFile, 'utf8')) : { files: {} };
  const byKey = new Map<string, ShippedCode>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const code = r.Properties.Code ?? {};
    const usedBy = String(r.Metadata?.['aws:cdk:path'] ?? '?').replace(/^BenchStack\//, '');
    let key: string;
    let entry: Omit<ShippedCode, 'usedBy' | 'functions'>;
    if (code.ZipFile !== undefined) {
      const body = String(code.ZipFile);
      key = `inline:${body}`;
      entry = { kind: 'inline', files: 1, bytes: Buffer.byteLength(body), gzipBytes: zlib.gzipSync(body).length };
    } else {
      const hash = String(code.S3Key).replace(/\.zip$/, '');
      key = `asset:${hash}`;
      const source = assets.files?.[hash]?.source?.path;
      const dir = source ? path.join(s.outdir, source) : '';
      const files = dir && fs.existsSync(dir) ? (fs.statSync(dir).isDirectory() ? filesUnder(dir) : [dir]) : [];
      entry = {
        kind: 'asset',
        files: files.length,
        bytes: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
        gzipBytes: files.reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(f)).length, 0),
      };
    }
    const seen = byKey.get(key);
    if (seen) seen.functions += 1;
    else byKey.set(key, { usedBy, functions: 1, ...entry });
  }
  return [...byKey.values()];
}

// ---------------------------------------------------------------------------------------------
// Where a password goes

interface SecretCheck {
  case: string;
  synthesized: boolean;
  canaryInTemplate: boolean;
  canaryOccurrences: number;
  note: string;
}

function secretChecks(): SecretCheck[] {
  const url = 'jdbc:postgresql://orders-db.example.internal:5432/orders';
  const run = (label: string, build: (stack: Stack) => void, note: string): SecretCheck => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-bench-secret-'));
    try {
      const app = new App({ outdir, context: CONTEXT });
      const stack = new Stack(app, 'SecretStack', { env: ENV });
      build(stack);
      const assembly = app.synth();
      const text = fs.readFileSync(path.join(outdir, assembly.getStackByName(stack.stackName).templateFile), 'utf8');
      const occurrences = text.split(CANARY).length - 1;
      return { case: label, synthesized: true, canaryInTemplate: occurrences > 0, canaryOccurrences: occurrences, note };
    } catch (e) {
      const first = (e as Error).message.split('\n')[0];
      const message = first.length > 240 ? `${first.slice(0, first.lastIndexOf(' ', 240))} ...` : first;
      return { case: label, synthesized: false, canaryInTemplate: false, canaryOccurrences: 0, note: `${note} Synth error: ${message}` };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  return [
    run('B: AwsCustomResource, TestConnectionInput with PASSWORD as a string', (stack) => {
      const call: cr.AwsSdkCall = {
        service: 'Glue',
        action: 'TestConnection',
        parameters: {
          TestConnectionInput: {
            ConnectionType: 'JDBC',
            ConnectionProperties: { JDBC_CONNECTION_URL: url, USERNAME: 'glue_user', PASSWORD: CANARY },
          },
        },
        physicalResourceId: cr.PhysicalResourceId.of('glue-connection-test-orders-db'),
      };
      new cr.AwsCustomResource(stack, 'Test', {
        onCreate: call, onUpdate: call, installLatestAwsSdk: false,
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: glueArns(stack, '*') }),
      });
    }, 'The SDK call, password included, is a property of the Custom::AWS resource (onCreate and onUpdate).'),
    run('A: GlueConnectionTest, PASSWORD as SecretValue.secretsManager(arn, { jsonField })', (stack) => {
      new GlueConnectionTest(stack, 'Test', {
        testConnectionInput: {
          connectionType: TestConnectionType.JDBC,
          connectionProperties: { JDBC_CONNECTION_URL: url, USERNAME: 'glue_user' },
          secretConnectionProperties: { PASSWORD: SecretValue.secretsManager(SECRET_ARN, { jsonField: 'password' }) },
        },
      });
    }, 'The template carries the secret ARN and JSON key; the handler reads the value at deploy time.'),
    run('A: GlueConnectionTest, PASSWORD as SecretValue.unsafePlainText(canary)', (stack) => {
      new GlueConnectionTest(stack, 'Test', {
        testConnectionInput: {
          connectionType: TestConnectionType.JDBC,
          connectionProperties: { JDBC_CONNECTION_URL: url, USERNAME: 'glue_user' },
          secretConnectionProperties: { PASSWORD: SecretValue.unsafePlainText(CANARY) },
        },
      });
    }, 'A literal password is refused at synth.'),
  ];
}

// ---------------------------------------------------------------------------------------------
// Ceilings: the largest N each variant can put in one stack before a limit breaks

interface Ceiling {
  variant: Variant;
  /** Largest N within all limits, or undefined when even the smallest measured N breaks one. */
  maxN?: number;
  /** The limits broken at maxN + 1. */
  breaks: string[];
  /** Exact when found by synthesizing the neighbours; '>' when no measured N broke a limit. */
  kind: 'exact' | 'above-measured' | 'below-measured';
  synths: number;
}

const LIMIT_NAMES: [keyof TemplateMetrics, string][] = [
  ['underResourceLimit', '500 resources per stack'],
  ['underTemplateSizeLimit', '1 MB template'],
  ['underRolePolicyLimit', "10,240 chars of a role's inline policies"],
  ['underManagedPolicyLimit', '6,144 chars of a managed policy'],
];

/** Template metrics of a stack with n tests; the built-in template validation is off (not timed). */
function measureUntimed(v: Variant, n: number): TemplateMetrics {
  const s = synthOnce(v, n, false);
  try {
    return templateMetrics(s.templateFile);
  } finally {
    fs.rmSync(s.outdir, { recursive: true, force: true });
  }
}

/**
 * Brackets the ceiling between the measured N, guesses it by linear interpolation of the
 * metrics that break, then confirms it by synthesizing around the guess (binary search).
 */
function findCeiling(v: Variant, measured: Record<string, TemplateMetrics>): Ceiling {
  const ns = [...NS].sort((a, b) => a - b);
  const failing = ns.find((n) => !measured[`${v}:${n}`].deployable);
  if (failing === undefined) return { variant: v, maxN: ns[ns.length - 1], breaks: [], kind: 'above-measured', synths: 0 };
  const okNs = ns.filter((n) => n < failing);
  if (okNs.length === 0) return { variant: v, breaks: [], kind: 'below-measured', synths: 0 };
  let lo = okNs[okNs.length - 1];
  let hi = failing;
  const a = measured[`${v}:${lo}`];
  const b = measured[`${v}:${hi}`];
  const value: Record<string, (m: TemplateMetrics) => [number, number]> = {
    underResourceLimit: (m) => [m.resources, LIMITS.resources],
    underTemplateSizeLimit: (m) => [m.templateBytes, LIMITS.templateBytes],
    underRolePolicyLimit: (m) => [m.maxRoleInlinePolicyChars, LIMITS.roleInlinePolicyChars],
    underManagedPolicyLimit: (m) => [m.maxManagedPolicyChars, LIMITS.managedPolicyChars],
  };
  const guesses = LIMIT_NAMES.filter(([k]) => !b[k]).map(([k]) => {
    const [ya, limit] = value[k](a);
    const [yb] = value[k](b);
    return Math.floor(lo + ((limit - ya) * (hi - lo)) / Math.max(1e-9, yb - ya));
  });
  const guess = Math.min(...guesses);
  let synths = 0;
  const fits = (n: number) => { synths++; return measureUntimed(v, n).deployable; };
  for (const probe of [guess, guess + 1]) {
    if (probe <= lo || probe >= hi) continue;
    if (fits(probe)) lo = probe; else hi = probe;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid; else hi = mid;
  }
  synths++;
  const over = measureUntimed(v, lo + 1);
  return { variant: v, maxN: lo, breaks: LIMIT_NAMES.filter(([k]) => !over[k]).map(([, name]) => name), kind: 'exact', synths };
}

// ---------------------------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ratio = (x: number, a: number) => (a === 0 ? (x === 0 ? '1.0x' : 'n/a') : `${(x / a).toFixed(x / a >= 10 ? 0 : 1)}x`);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const kb = (b: number) => `${(b / 1024).toFixed(b >= 10240 ? 0 : 1)} KiB`;
const num = (x: number) => x.toLocaleString('en-US');
const ok = (b: boolean) => (b ? 'yes' : '**no**');

function handlerBundle() {
  const file = path.join(ROOT, 'assets', 'handler', 'index.js');
  if (!fs.existsSync(file)) return undefined;
  const data = fs.readFileSync(file);
  const newestSource = Math.max(...['lambda', 'core', 'lib/contract', 'lib/private']
    .flatMap((dir) => filesUnder(path.join(ROOT, dir))).map((f) => fs.statSync(f).mtimeMs));
  return {
    file: 'assets/handler/index.js',
    bytes: data.length,
    gzipBytes: zlib.gzipSync(data).length,
    gzip9Bytes: zlib.gzipSync(data, { level: 9 }).length,
    olderThanSources: fs.statSync(file).mtimeMs < newestSource,
  };
}

/** The compiled lib/*.js that `import '../lib'` loads (tsx prefers them to the .ts sources) must not be stale. */
function staleCompiledLib(): string[] {
  return fs.readdirSync(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).filter((f) => {
    const js = path.join(ROOT, 'lib', f.replace(/\.ts$/, '.js'));
    return fs.existsSync(js) && fs.statSync(js).mtimeMs < fs.statSync(path.join(ROOT, 'lib', f)).mtimeMs;
  });
}

function main(): void {
  const started = performance.now();
  const stale = staleCompiledLib();
  const bundle = handlerBundle();
  if (!bundle) throw new Error('assets/handler/index.js is missing: run `npm run bundle` first');
  if (stale.length > 0) console.error(`warning: compiled lib/*.js older than its source (${stale.join(', ')}): run \`npm run build\``);
  if (bundle.olderThanSources) console.error('warning: assets/handler/index.js is older than its sources: run `npm run bundle`');

  // Warm-up: one synth of every (variant, N), which is also where sizes and counts are read.
  // The very first one also pays for loading aws-cdk-lib and compiling the template validator.
  const metrics: Record<string, TemplateMetrics> = {};
  const shipped: Record<Variant, ShippedCode[]> = { A: [], B: [], C: [] };
  for (const n of NS) {
    for (const v of VARIANTS) {
      const s = synthOnce(v, n);
      try {
        metrics[`${v}:${n}`] = templateMetrics(s.templateFile);
        if (n === NS[0]) shipped[v] = shippedCode(s);
      } finally {
        fs.rmSync(s.outdir, { recursive: true, force: true });
      }
    }
  }
  const warmupMs = performance.now() - started;

  const ceilingsStart = performance.now();
  const ceilings = VARIANTS.map((v) => findCeiling(v, metrics));
  const ceilingsMs = performance.now() - ceilingsStart;

  // Timed runs: round-robin over N and variants, variant order rotated each round, so drift
  // (GC pressure, heap growth, page cache) spreads over all of them alike.
  const times: Record<string, { construct: number[]; synth: number[]; total: number[]; totalNoValidation: number[] }> = {};
  for (const n of NS) for (const v of VARIANTS) times[`${v}:${n}`] = { construct: [], synth: [], total: [], totalNoValidation: [] };
  const timedStart = performance.now();
  const maxReps = Math.max(REPS, REPS_LARGE);
  const loadBefore = os.loadavg();
  for (let r = 0; r < maxReps; r++) {
    for (const n of NS) {
      const reps = n >= 200 ? REPS_LARGE : REPS;
      if (r >= reps) continue;
      // Past the budget, N >= 200 keeps the repetitions it has (at least 3).
      if (n >= 200 && r >= 3 && performance.now() - started > TIME_BUDGET_MS) continue;
      const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]);
      for (const validation of r < REPS_NO_VALIDATION ? [true, false] : [true]) {
        for (const v of order) {
          collectGarbage();
          const s = synthOnce(v, n, validation);
          fs.rmSync(s.outdir, { recursive: true, force: true });
          const t = times[`${v}:${n}`];
          if (!validation) {
            t.totalNoValidation.push(s.totalMs);
            continue;
          }
          t.construct.push(s.constructMs);
          t.synth.push(s.synthMs);
          t.total.push(s.totalMs);
        }
      }
    }
  }
  const loadAfter = os.loadavg();
  const timedMs = performance.now() - timedStart;

  const secrets = secretChecks();

  // ----- report
  const rows = NS.flatMap((n) => VARIANTS.map((v) => {
    const m = metrics[`${v}:${n}`];
    const t = times[`${v}:${n}`];
    return {
      variant: v, n, ...m,
      runs: t.total.length,
      constructMsMedian: median(t.construct),
      synthMsMedian: median(t.synth),
      totalMsMedian: median(t.total),
      totalMsMin: Math.min(...t.total),
      totalMsMax: Math.max(...t.total),
      totalMsAll: t.total.map((x) => Number(x.toFixed(1))),
      totalMsNoValidationMedian: median(t.totalNoValidation),
      totalMsNoValidationAll: t.totalNoValidation.map((x) => Number(x.toFixed(1))),
    };
  }));
  const row = (v: Variant, n: number) => rows.find((r) => r.variant === v && r.n === n)!;

  const out: string[] = [];
  out.push('### Ratios against A (GlueConnectionTest)\n');
  out.push('| N | synth wall time B/A | C/A | same, validator off B/A | C/A | template bytes B/A | C/A | resources B/A | C/A | Lambda functions B/A | C/A | IAM statements B/A | C/A |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of NS) {
    const a = row('A', n); const b = row('B', n); const c = row('C', n);
    const pair = (f: (r: typeof a) => number) => `${ratio(f(b), f(a))} | ${ratio(f(c), f(a))}`;
    out.push(`| ${n} | ${pair((r) => r.totalMsMedian)} | ${pair((r) => r.totalMsNoValidationMedian)} | ${pair((r) => r.templateBytes)} | ${pair((r) => r.resources)} | ${pair((r) => r.lambdaFunctions)} | ${pair((r) => r.iamStatements)} |`);
  }
  out.push('');
  out.push('### Absolute numbers\n');
  out.push('Synth wall time = `new App()` + building the stack + `app.synth()` (median, min–max, runs); the split is construct / `app.synth()` medians; "validator off" is the same with `CDK_VALIDATION=false` (median of fewer runs).\n');
  out.push('| N | variant | synth ms | construct / synth ms | validator off ms | template bytes | resources | Lambda functions | IAM statements | largest role inline policy (chars) | largest managed policy (chars) | ≤ 500 resources | ≤ 1 MB template | IAM policy sizes within limits |');
  out.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|:---:|');
  for (const r of rows) {
    out.push(`| ${r.n} | ${r.variant} | ${ms(r.totalMsMedian)} (${ms(r.totalMsMin)}–${ms(r.totalMsMax)}, ${r.runs}) | ${ms(r.constructMsMedian)} / ${ms(r.synthMsMedian)} | ${ms(r.totalMsNoValidationMedian)} (${r.totalMsNoValidationAll.length}) | ${num(r.templateBytes)} | ${r.resources} | ${r.lambdaFunctions} | ${r.iamStatements} | ${num(r.maxRoleInlinePolicyChars)} | ${r.maxManagedPolicyChars ? num(r.maxManagedPolicyChars) : '–'} | ${ok(r.underResourceLimit)} | ${ok(r.underTemplateSizeLimit)} | ${ok(r.underRolePolicyLimit && r.underManagedPolicyLimit)} |`);
  }
  out.push('');
  out.push('### How many tests fit in one stack\n');
  out.push('Largest N whose template is within all four limits (500 resources, 1 MB template, 10,240 chars of inline policy per role, 6,144 chars per managed policy), with connection names `conn-<i>`; longer names lower the IAM-bound ceilings.\n');
  out.push('| variant | largest N | what breaks at N+1 |');
  out.push('|---|---:|---|');
  for (const c of ceilings) {
    const n = c.kind === 'exact' ? String(c.maxN) : c.kind === 'above-measured' ? `≥ ${c.maxN} (nothing broke)` : `< ${NS[0]}`;
    out.push(`| ${LABEL[c.variant]} | ${n} | ${c.breaks.join('; ') || '–'} |`);
  }
  out.push('');
  out.push('### Lambda code shipped per stack\n');
  out.push(`Handler bundle \`${bundle.file}\`: ${num(bundle.bytes)} bytes (${kb(bundle.bytes)}), gzip ${num(bundle.gzipBytes)} bytes (${kb(bundle.gzipBytes)}; gzip -9: ${num(bundle.gzip9Bytes)}).\n`);
  out.push(`Read from the cloud assembly at N=${NS[0]}; "gzip" is each file gzipped (zlib level 6) and summed, close to the deployed zip.\n`);
  out.push('| variant | code (construct path of the function) | per stack | files | bytes | gzip bytes |');
  out.push('|---|---|---|---:|---:|---:|');
  for (const v of VARIANTS) {
    for (const c of shipped[v]) {
      const per = v === 'C' ? 'one function per test' : 'one function';
      out.push(`| ${v} | ${c.kind}: \`${c.usedBy}\` | ${per} | ${c.files} | ${num(c.bytes)} | ${num(c.gzipBytes)} |`);
    }
    const total = shipped[v].reduce((s, c) => s + c.bytes, 0);
    const gz = shipped[v].reduce((s, c) => s + c.gzipBytes, 0);
    out.push(`| ${v} | total distinct code | | | ${num(total)} | ${num(gz)} |`);
  }
  out.push('');
  out.push(`### Where a password goes (canary \`${CANARY}\`)\n`);
  out.push('| case | synthesized | canary in template | note |');
  out.push('|---|:---:|:---:|---|');
  for (const s of secrets) {
    out.push(`| ${s.case} | ${s.synthesized ? 'yes' : 'no'} | ${s.canaryInTemplate ? `**yes** (${s.canaryOccurrences}×)` : 'no'} | ${s.note.replace(/\|/g, '\\|')} |`);
  }
  const report = out.join('\n');
  console.log(report);
  const totalMs = performance.now() - started;
  console.log(`\nload average (1 min) before/after the timed runs: ${loadBefore[0].toFixed(2)} / ${loadAfter[0].toFixed(2)} on ${os.cpus().length} CPUs`);
  console.log(`warm-up ${(warmupMs / 1000).toFixed(1)} s, ceilings ${(ceilingsMs / 1000).toFixed(1)} s, timed runs ${(timedMs / 1000).toFixed(1)} s, total ${(totalMs / 1000).toFixed(1)} s`);

  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify({
    generatedAt: new Date().toISOString(),
    machine: {
      nproc: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version,
      platform: `${os.platform()} ${os.release()}`, totalMemGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageBeforeTimed: loadBefore, loadAverageAfterTimed: loadAfter,
    },
    versions: {
      'aws-cdk-lib': require('aws-cdk-lib/package.json').version,
      constructs: require('constructs/package.json').version,
    },
    settings: { ns: NS, reps: REPS, repsLarge: REPS_LARGE, repsNoValidation: REPS_NO_VALIDATION, timeBudgetMs: TIME_BUDGET_MS, env: ENV, context: CONTEXT, limits: LIMITS },
    warnings: { staleCompiledLib: stale, handlerBundleOlderThanSources: bundle.olderThanSources },
    durationsMs: { warmup: Math.round(warmupMs), ceilings: Math.round(ceilingsMs), timed: Math.round(timedMs), total: Math.round(totalMs) },
    handlerBundle: bundle,
    shippedCode: shipped,
    rows,
    ceilings,
    secretChecks: secrets,
    markdown: report,
  }, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, RESULTS)}`);
}

main();
