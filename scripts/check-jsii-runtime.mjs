// `npm run check:jsii-runtime`: the packed library in the jsii runtime, as Python, Java, .NET and
// Go load it.
//
// Those languages do not run the library themselves: each embeds @jsii/runtime's bundle, starts
// it as a child process and sends it JSON requests (load an assembly tarball, create an object,
// call a method). This script is such a host. It loads constructs, aws-cdk-lib and the tarball
// jsii-pacmak built (dist-lang/js, `npm run package:all`), creates an App, a Stack and a
// GlueConnectionTest through the runtime, calls a static method, synthesizes, and checks the
// template. The runtime is the pinned @jsii/runtime release whose bundle the language packages
// of jsii 1.140 embed, fetched with `npm pack` (its npm dependencies are bundled inside it).
import { spawn, execFileSync } from 'child_process';
import { createRequire } from 'module';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { createInterface } from 'readline';
import { fileURLToPath } from 'url';

const RUNTIME_VERSION = '1.140.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(path.join(tmpdir(), 'jsii-runtime-check-'));

function fail(message) {
  console.error(`check-jsii-runtime: ${message}`);
  process.exitCode = 1;
}

try {
  const jsDir = path.join(root, 'dist-lang', 'js');
  const ours = readdirSync(jsDir).find((f) => f.endsWith('.jsii.tgz'));
  if (!ours) throw new Error('no tarball in dist-lang/js: run npm run package:all first');

  // The dependencies' tarballs at the versions installed here, and the runtime.
  const npmPack = (spec) => execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').pop();
  const require = createRequire(path.join(root, 'package.json'));
  const manifest = (name, from = root) => JSON.parse(readFileSync(createRequire(path.join(from, 'package.json')).resolve(`${name}/package.json`), 'utf8'));
  // aws-cdk-lib's own dependencies that it does not bundle are jsii assemblies too (Python installs
  // them as packages of their own); the runtime loads them before aws-cdk-lib.
  const cdk = manifest('aws-cdk-lib');
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  const bundled = new Set(cdk.bundleDependencies ?? cdk.bundledDependencies ?? []);
  const names = [
    ...Object.keys(cdk.dependencies ?? {}).filter((d) => !bundled.has(d)).map((d) => [d, cdkDir]),
    ['constructs', root], ['aws-cdk-lib', root],
  ];
  const deps = names.map(([name, from]) => {
    const { version } = manifest(name, from);
    return { name, version, tarball: path.join(work, npmPack(`${name}@${version}`)) };
  });
  const runtimeTarball = path.join(work, npmPack(`@jsii/runtime@${RUNTIME_VERSION}`));
  execFileSync('tar', ['-xzf', runtimeTarball, '-C', work]);

  const child = spawn(process.execPath, [path.join(work, 'package', 'webpack', 'bin', 'jsii-runtime.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
  // Nothing here may hang: a runtime that has not answered everything in five minutes fails the check.
  const timer = setTimeout(() => { fail(`no answer from the runtime in 5 minutes: ${stderr.slice(-2000)}`); child.kill(); process.exit(1); }, 300_000);
  timer.unref();
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`the runtime exited: ${stderr.slice(-2000)}`);
    return JSON.parse(value);
  };
  const request = async (req) => {
    if (process.env.DEBUG) console.error('->', req.api, req.fqn ?? req.name ?? req.method, new Date().toISOString());
    child.stdin.write(JSON.stringify(req) + '\n');
    const res = await next();
    if ('error' in res) throw new Error(`${req.api} ${req.fqn ?? req.name ?? req.method}: ${res.error}`);
    if (!('ok' in res)) throw new Error(`unexpected answer to ${req.api}: ${JSON.stringify(res).slice(0, 500)}`);
    return res.ok;
  };

  const hello = await next();
  if (!String(hello.hello).startsWith('@jsii/runtime@')) throw new Error(`no hello from the runtime: ${JSON.stringify(hello)}`);
  for (const dep of deps) await request({ api: 'load', ...dep });
  const loaded = await request({ api: 'load', name: pkg.name, version: pkg.version, tarball: path.join(jsDir, ours) });
  if (loaded.types < 10) throw new Error(`the assembly loaded with only ${loaded.types} types`);

  const outdir = path.join(work, 'cdk.out');
  const app = await request({ api: 'create', fqn: 'aws-cdk-lib.App', args: [{ outdir }] });
  const stack = await request({ api: 'create', fqn: 'aws-cdk-lib.Stack', args: [app, 'Pipeline'] });
  const test = await request({
    api: 'create', fqn: 'cdk-glue-connection-test.GlueConnectionTest',
    args: [stack, 'OrdersDbTest', { connectionName: 'orders-db', catalogId: '111122223333' }],
  });
  const placeholder = await request({ api: 'sget', fqn: 'cdk-glue-connection-test.GlueConnectionTestSnapshot', property: 'RUNTIME_PLACEHOLDER' });
  const { result: normalized } = await request({
    api: 'sinvoke', fqn: 'cdk-glue-connection-test.GlueConnectionTestSnapshot', method: 'normalizeTemplate',
    args: [{ Resources: { GlueConnectionTestProviderHandlerABCD1234: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x' } } } }],
  });
  await request({ api: 'invoke', objref: app, method: 'synth', args: [] });
  child.stdin.end();

  const template = JSON.parse(readFileSync(path.join(outdir, 'Pipeline.template.json'), 'utf8'));
  const tests = Object.values(template.Resources).filter((r) => r.Type === 'Custom::GlueConnectionTest');
  if (!test['$jsii.byref']?.startsWith('cdk-glue-connection-test.GlueConnectionTest@')) fail(`created ${JSON.stringify(test)}`);
  if (tests.length !== 1 || tests[0].Properties.ConnectionName !== 'orders-db') fail('the synthesized template has no test of orders-db');
  // The template is a map (`{ [key: string]: any }`): the runtime sends it as `{ "$jsii.map": ... }`,
  // which each language's client turns into its own dictionary.
  const unwrap = (v) => (v && typeof v === 'object' ? (Array.isArray(v) ? v.map(unwrap)
    : Object.fromEntries(Object.entries(v['$jsii.map'] ?? v).map(([k, x]) => [k, unwrap(x)]))) : v);
  if (unwrap(normalized)?.Resources?.GlueConnectionTestProviderHandlerABCD1234?.Properties?.Runtime !== placeholder.value) {
    fail(`normalizeTemplate through the runtime gave ${JSON.stringify(normalized)}`);
  }
  if (!process.exitCode) {
    console.log(`check-jsii-runtime: ${hello.hello} loaded ${ours} (${loaded.types} types) beside aws-cdk-lib ${cdk.version}; `
      + 'created a GlueConnectionTest, called a static method and synthesized a stack with one test');
  }
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
} finally {
  rmSync(work, { recursive: true, force: true });
}
