/**
 * What users synthesize, as they meet it, with aws-cdk-lib's template validator on: the example
 * app (the real `cdk synth`, cfn-lint on what it wrote, cdk-nag's AwsSolutions pack, one
 * snapshot), the README's quick start as written (jsii-rosetta compiles it in strict mode in
 * `npm run docs:check`; here it runs, as a user's app would), and the npm package's contents.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExampleStack } from '../../bin/example-stack';

const ROOT = path.join(__dirname, '..', '..');
// The one suite with aws-cdk-lib's template validator on (test/setup-env.ts turns it off
// elsewhere, for speed); the `cdk synth` child process inherits it.
process.env.CDK_VALIDATION = 'true';

/** Asset hashes change with every change of the bundle; the snapshot keeps their place, not their value. */
function withoutAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1'));
}

describe('the example app', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-synth-'));
    // The real CLI, offline and without credentials, as a new user runs it.
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', CDK_DISABLE_VERSION_CHECK: '1' };
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir], { cwd: ROOT, env, stdio: 'pipe' });
  }, 120_000);
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes a Custom::GlueConnectionTest whose properties include ConnectionName', () => {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'OrdersPipeline.template.json'), 'utf8'));
    const tests = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)
      .filter((r) => r.Type === 'Custom::GlueConnectionTest');
    expect(tests).toHaveLength(1);
    expect(tests[0].Properties.ConnectionName).toEqual({ Ref: 'OrdersDb' });
  });

  test('passes cfn-lint with no errors', () => {
    const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(outdir, f));
    expect(templates.length).toBeGreaterThan(0);
    let output = '';
    try {
      output = execFileSync('cfn-lint', ['--format', 'parseable', ...templates], { encoding: 'utf8' });
    } catch (e) {
      // cfn-lint exits with a bit mask: 2 errors, 4 warnings, 8 informational.
      const { status, stdout } = e as { status: number; stdout: string };
      output = stdout;
      expect({ status: status & 2, output }).toEqual({ status: 0, output });
    }
    expect(output).not.toMatch(/:E\d{4}:/);
  });

  test('has no unacknowledged cdk-nag AwsSolutions finding, and a written reason for each acknowledgement', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'example-nag-')) });
    const stack = new ExampleStack(app, 'OrdersPipeline');
    // The app's own finding, acknowledged where cdk-nag is applied (the example app itself stays
    // free of cdk-nag, so it also synthesizes on the peer floor, which predates Validations).
    Validations.of(stack.node.findChild('OrdersDbCredentials')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The database team rotates this login with the database\'s own rotation function, which lives with the database, not in this pipeline stack.',
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    const metadata = JSON.parse(fs.readFileSync(path.join(app.outdir, 'OrdersPipeline.metadata.json'), 'utf8')) as
      Record<string, { type: string; data: Record<string, string> }[]>;
    const acknowledged = Object.values(metadata).flat()
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data))
      .filter(([rule]) => rule.includes('AwsSolutions-'));
    expect(acknowledged.map(([rule]) => rule.replace(/<\w+\.Arn>/, '<handler>'))).toEqual(expect.arrayContaining([
      'Annotation::AwsSolutions-SMG4',
      'Annotation::AwsSolutions-IAM5[Resource::<handler>:*]',
      // EC2's Describe actions, for Glue's VPC validation and the network inspection.
      'Annotation::AwsSolutions-IAM5[Resource::*]',
    ]));
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });

  test('matches its snapshot, which does not change between runs', () => {
    const first = withoutAssetHashes(Template.fromStack(new ExampleStack(new App(), 'OrdersPipeline')).toJSON());
    const second = withoutAssetHashes(Template.fromStack(new ExampleStack(new App(), 'OrdersPipeline')).toJSON());
    expect(second).toEqual(first);
    expect(first).toMatchSnapshot();
  });
});

describe('the npm package', () => {
  test('ships the construct, the jsii assembly and the handler bundle, and leaves out sources, the example, the tests and pacmak\'s output', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
    const files: string[] = pack.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'dist/index.js', 'dist/index.d.ts', 'dist/construct/glue-connection-test.js', 'dist/contract/resource.js', 'dist/contract/request.js',
      'dist/private/cfn-values.js', 'dist/snapshot-serializer.js', 'assets/handler/index.js',
      '.jsii', 'LICENSE', 'README.md', 'API.md',
    ]));
    expect(files.filter((f) => /^(lib|core|bin|test|sim|lambda|bench|scripts|dist-lang|rosetta)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    // The assembly describes this package, with the targets other languages are generated from.
    const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
    expect(assembly.name).toBe('cdk-glue-connection-test');
    expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining([
      'cdk-glue-connection-test.GlueConnectionTest', 'cdk-glue-connection-test.GlueConnectionTestProps',
    ]));
  });
});

/** The README's complete app: its one `ts nofixture` block. */
function quickStart(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts nofixture\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describe('the README quick start', () => {
  test('synthesizes a connection test that gates the Glue job', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-quick-start-'));
    try {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const source = quickStart();
      expect(source).toContain("from 'cdk-glue-connection-test'");
      // The package as a user installs it is this repository's lib/.
      fs.writeFileSync(path.join(dir, 'app.ts'), source.replace("from 'cdk-glue-connection-test'", `from ${JSON.stringify(path.join(ROOT, 'lib'))}`));
      const outdir = path.join(dir, 'cdk.out');
      process.env.CDK_OUTDIR = outdir;
      try {
        jest.isolateModules(() => require(path.join(dir, 'app.ts')));
      } finally {
        delete process.env.CDK_OUTDIR;
      }

      const template = JSON.parse(fs.readFileSync(path.join(outdir, 'OrdersPipeline.template.json'), 'utf8')) as
        { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }> };
      const byType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
      const [[testId, test]] = byType('Custom::GlueConnectionTest');
      const [[connectionId]] = byType('AWS::Glue::Connection');
      const [[, job]] = byType('AWS::Glue::Job');
      expect(test.Properties.ConnectionName).toEqual({ Ref: connectionId });
      expect(job.DependsOn).toContain(testId);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
