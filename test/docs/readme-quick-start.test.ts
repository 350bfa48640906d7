/**
 * The README's quick start, as written: jsii-rosetta compiles it in strict mode (`npm run
 * docs:check`); here it runs, as a user's app would, and synthesizes a gated Glue job.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// What users synthesize is checked with aws-cdk-lib's template validator on (test/setup-env.ts
// turns it off elsewhere); the `cdk synth` child process inherits it.
process.env.CDK_VALIDATION = 'true';

/** The README's complete app: its one `ts nofixture` block. */
function quickStart(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts nofixture\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

test('the README quick start synthesizes a connection test that gates the Glue job', () => {
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
