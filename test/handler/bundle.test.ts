/**
 * The handler bundle (assets/handler/index.js, `npm run bundle`) stays small: it is built from the
 * AWS SDK's ES modules, which esbuild tree-shakes, so only the operations the handler calls ship.
 * Built from the SDK's CommonJS files instead, every operation's schema ships (854 KB against
 * 347 KiB with the EC2 inspection) and the bundle loads in more than twice the time (bench/load.bench.ts, BENCHMARKS.md).
 *
 * A size limit is not a timing assertion: the bytes are a property of the build, the same on
 * every machine.
 */
import * as fs from 'fs';
import * as path from 'path';

const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'handler', 'index.js');

/**
 * 450 KiB. The bundle is 355,500 bytes with the Glue, Secrets Manager, CloudFormation and EC2
 * clients (the last for the network inspection's Describe calls); the limit fails the build long
 * before the CommonJS build's 854 KB, or the SDK's file- and SSO-based credential sources
 * (80 KB), come back, and keeps the load within half of `@aws-sdk/client-glue`'s.
 */
const MAX_BUNDLE_BYTES = 450 * 1024;

describe('the handler bundle', () => {
  let code: string;
  beforeAll(() => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} does not exist: run \`npm run bundle\` first.`);
    code = fs.readFileSync(BUNDLE, 'utf8');
  });

  test(`is at most ${MAX_BUNDLE_BYTES / 1024} KiB`, () => {
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
  });

  test('ships the operations the handler calls, and not the ones it does not', () => {
    // Operation names are in the bundle as the x-amz-target / Action strings of their schemas.
    for (const used of ['TestConnection', 'GetConnection', 'GetSecretValue', 'DescribeStacks']) {
      expect(code).toContain(`"${used}"`);
    }
    // Operations of the same clients that the handler never calls: tree-shaken away.
    for (const unused of ['StartJobRun', 'CreateCrawler', 'DeleteConnection', 'PutSecretValue', 'CreateStack']) {
      expect(code).not.toContain(unused);
    }
  });

  test('takes credentials from the environment (and container credentials), without the file- and SSO-based sources', () => {
    expect(code).toContain('AWS_ACCESS_KEY_ID');
    expect(code).toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    // The STS, SSO and SSO-OIDC clients that only those sources use.
    for (const operation of ['AssumeRoleWithWebIdentity', 'GetRoleCredentials', 'CreateToken']) expect(code).not.toContain(operation);
  });
});
