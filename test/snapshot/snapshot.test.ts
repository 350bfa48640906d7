/**
 * Users' snapshot tests: GlueConnectionTestSnapshot.normalizeTemplate and the jest serializer
 * keep a snapshot of a stack with the construct stable when the library's handler bundle
 * changes, and still show every change to the user's own resources.
 *
 * Two builds of the package are made from dist/ (the compiled library, as npm ships it), each in
 * its own directory and differing only in the handler bundle, as two releases of the library
 * would; both load the same aws-cdk-lib.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as serializer from '../../lib/snapshot-serializer';

type Library = typeof import('../../lib');
const ROOT = path.join(__dirname, '..', '..');
const ASSET = '<cdk-glue-connection-test:asset-hash>';
const RUNTIME = '<cdk-glue-connection-test:runtime>';

const copies: string[] = [];
/** A build of the package whose handler bundle carries `marker`: another release's bundle. */
function release(marker: string): Library {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-test-release-'));
  copies.push(dir);
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'assets'), path.join(dir, 'assets'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.appendFileSync(path.join(dir, 'assets', 'handler', 'index.js'), `\n// ${marker}\n`);
  return require(path.join(dir, 'dist')) as Library;
}
afterAll(() => copies.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A user's stack: a connection test gating their Glue job, and a Lambda function of their own. */
function userTemplate(library: Library, workers = 2): Record<string, unknown> {
  const stack = new Stack(new App(), 'Pipeline', { env: { account: '111122223333', region: 'eu-west-1' } });
  const test = new library.GlueConnectionTest(stack, 'OrdersDbTest', { connectionName: 'orders-db' });
  const role = new iam.Role(stack, 'JobRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const job = new glue.CfnJob(stack, 'EtlJob', {
    role: role.roleArn,
    command: { name: 'glueetl', scriptLocation: 's3://example-bucket/etl.py' },
    connections: { connections: ['orders-db'] },
    numberOfWorkers: workers,
    workerType: 'G.1X',
    glueVersion: '5.0',
  });
  test.gate(job);
  new lambda.Function(stack, 'Notify', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  return Template.fromStack(stack).toJSON();
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = (template: unknown) => (template as { Resources: Resources }).Resources;
const libraryFunctions = (template: unknown) => Object.entries(resources(template))
  .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('GlueConnectionTestProvider'));

describe('GlueConnectionTestSnapshot.normalizeTemplate', () => {
  const v1 = release('release 1');
  const v2 = release('release 2');

  test('two releases whose handler bundles differ give different templates and identical normalized ones', () => {
    const a = userTemplate(v1);
    const b = userTemplate(v2);
    // The raw templates differ: the bundle's hash is the handler's S3 key.
    expect(b).not.toEqual(a);
    expect(v2.GlueConnectionTestSnapshot.normalizeTemplate(b)).toEqual(v1.GlueConnectionTestSnapshot.normalizeTemplate(a));
  });

  test('replaces the asset hash and runtime of the library\'s two functions, and leaves the user\'s function as it is', () => {
    const normalized = v1.GlueConnectionTestSnapshot.normalizeTemplate(userTemplate(v1));
    const functions = libraryFunctions(normalized);
    expect(functions).toHaveLength(2); // the handler and the Provider framework's function
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe(RUNTIME);
      expect(fn.Properties.Code).toEqual(expect.objectContaining({ S3Key: `${ASSET}.zip` }));
    }
    const notify = Object.entries(resources(normalized)).find(([id]) => id.startsWith('Notify') && !id.includes('Role'));
    expect(notify?.[1].Properties).toEqual(expect.objectContaining({
      Runtime: 'nodejs22.x', Code: { ZipFile: 'exports.handler = async () => {};' },
    }));
    expect(v1.GlueConnectionTestSnapshot.ASSET_HASH_PLACEHOLDER).toBe(ASSET);
    expect(v1.GlueConnectionTestSnapshot.RUNTIME_PLACEHOLDER).toBe(RUNTIME);
  });

  test('still shows a change to the user\'s own resources, and only that change', () => {
    const before = v1.GlueConnectionTestSnapshot.normalizeTemplate(userTemplate(v1, 2));
    const after = v2.GlueConnectionTestSnapshot.normalizeTemplate(userTemplate(v2, 3));
    expect(after).not.toEqual(before);
    const changed = Object.keys(resources(after)).filter((id) =>
      JSON.stringify(resources(after)[id]) !== JSON.stringify(resources(before)[id]));
    expect(changed).toEqual([expect.stringMatching(/^EtlJob/)]);
    expect(resources(after)[changed[0]].Properties.NumberOfWorkers).toBe(3);
  });

  test('returns a template without the library unchanged, and never modifies its input', () => {
    const stack = new Stack(new App(), 'Other');
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const other = Template.fromStack(stack).toJSON();
    expect(v1.GlueConnectionTestSnapshot.normalizeTemplate(other)).toEqual(other);
    expect(v1.GlueConnectionTestSnapshot.normalizeTemplate({})).toEqual({});

    const raw = userTemplate(v1);
    const copy = JSON.parse(JSON.stringify(raw));
    v1.GlueConnectionTestSnapshot.normalizeTemplate(raw);
    expect(raw).toEqual(copy);
  });
});

describe('GlueConnectionTestSnapshot.normalizeTemplate as callers use it', () => {
  const v1 = release('release 1');

  test('returns a template a caller can index under tsc --strict, as the README does', () => {
    // Type-level as well: `npm run typecheck` (tsc --strict) compiles this file, and an `unknown`
    // result would not index. The README's sample compiles in `npm run docs:check`.
    const stable = v1.GlueConnectionTestSnapshot.normalizeTemplate(userTemplate(v1));
    const functionIds: string[] = Object.keys(stable.Resources).filter((id) => stable.Resources[id].Type === 'AWS::Lambda::Function');

    expect(functionIds.filter((id) => stable.Resources[id].Properties.Runtime === RUNTIME)).toHaveLength(2);
  });

  test.each([
    ['nothing', undefined],
    ['null', null],
    ['a string', 'text'],
    ['a number', 42],
    ['a list', [{ Resources: {} }]],
  ])('from JavaScript, %s is refused with an error naming the parameter', (_, value) => {
    const normalize = v1.GlueConnectionTestSnapshot.normalizeTemplate as (template: unknown) => unknown;

    expect(() => normalize(value)).toThrow(/^GlueConnectionTestSnapshot\.normalizeTemplate: template: must be a CloudFormation template/);
  });
});

describe('the jest snapshot serializer', () => {
  const v1 = release('release 1');
  const v2 = release('release 2');
  const print = (value: unknown) => serializer.serialize(value, {}, '', 0, [], (v) => JSON.stringify(v, undefined, 1));

  test('takes templates with the library\'s functions, once', () => {
    // What snapshotSerializers loads: a plugin of jest's own type (tsc checks the signatures).
    expect.addSnapshotSerializer(serializer);
    const raw = userTemplate(v1);
    expect(serializer.test(raw)).toBe(true);
    expect(serializer.test(v1.GlueConnectionTestSnapshot.normalizeTemplate(raw))).toBe(false);
    expect(serializer.test({ Resources: {} })).toBe(false);
    expect(serializer.test('a string')).toBe(false);
  });

  test('prints two releases\' templates alike, and a change of the user\'s job differently', () => {
    expect(print(userTemplate(v2))).toBe(print(userTemplate(v1)));
    expect(print(userTemplate(v2, 3))).not.toBe(print(userTemplate(v1)));
  });
});
