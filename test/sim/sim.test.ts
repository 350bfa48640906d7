/**
 * Tests of the simulation's fixtures themselves, independent of our handler: the local Glue's
 * TestConnection against a real PostgreSQL through the real Glue SDK client, the connection
 * store, the fault hook, the response endpoint's S3 and CloudFormation checks, and the
 * Provider framework runner (with a stand-in handler bundle).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DeleteConnectionCommand, GetConnectionCommand, GlueClient, TestConnectionCommand, TestConnectionCommandInput,
} from '@aws-sdk/client-glue';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { createEc2Client } from '../../sim/ec2';
import { freePort } from '../../sim/lifecycle';
import { DEFAULT_GLUE_RATE_LIMITS, LocalAws, startLocalAws } from '../../sim/local-aws';
import { Pg, startPostgres } from '../../sim/postgres';
import { createProviderFramework } from '../../sim/provider-framework';
import { ResponseEndpoint, startResponseEndpoint } from '../../sim/response-endpoint';
import { createConnection, createNetwork, seedDeployment } from '../../sim/seed';

let aws: LocalAws;
let pg: Pg;
let endpoint: ResponseEndpoint;
let glue: GlueClient;
let seq = 0;
const uniqueName = (prefix: string) => `${prefix}-${++seq}`;

beforeAll(async () => {
  [aws, pg, endpoint] = await Promise.all([startLocalAws(), startPostgres(), startResponseEndpoint()]);
  glue = new GlueClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
}, 60_000);

afterAll(async () => {
  glue?.destroy();
  await Promise.all([aws?.stop(), pg?.stop(), endpoint?.stop()]);
});

// Every test starts with Glue's rate limits in force and their buckets full.
beforeEach(() => aws.setGlueRateLimits(DEFAULT_GLUE_RATE_LIMITS));
afterEach(() => {
  aws.faults = undefined;
});

async function glueError(input: TestConnectionCommandInput): Promise<{ name: string; message: string }> {
  const error = await glue.send(new TestConnectionCommand(input)).then(() => undefined, (e: Error) => e);
  if (!error) throw new Error('TestConnection succeeded');
  return { name: error.name, message: error.message };
}

describe('Glue TestConnection against PostgreSQL', () => {
  test('good credentials from a secret, in a correctly plumbed VPC: success', async () => {
    const { connectionName } = await seedDeployment(aws, { connectionName: uniqueName('good'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password });
    aws.clearRequests();

    await expect(glue.send(new TestConnectionCommand({ ConnectionName: connectionName }))).resolves.toBeDefined();
    expect(aws.requests).toEqual([{ service: 'glue', operation: 'TestConnection', status: 200 }]);
  });

  test('a NAT gateway route satisfies the S3 check', async () => {
    const { connectionName } = await seedDeployment(aws, {
      connectionName: uniqueName('nat'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: { s3Route: 'nat-gateway' },
    });
    await expect(glue.send(new TestConnectionCommand({ ConnectionName: connectionName }))).resolves.toBeDefined();
  });

  test('wrong password: InvalidInputException with PostgreSQL\'s message, never the password', async () => {
    const { connectionName } = await seedDeployment(aws, {
      connectionName: uniqueName('wrong-pw'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: 'not-the-password', credentials: 'properties',
    });
    const error = await glueError({ ConnectionName: connectionName });
    expect(error).toEqual({ name: 'InvalidInputException', message: `FATAL: password authentication failed for user "${pg.user}"` });
  });

  test('closed port: InvalidInputException, connection refused to host:port', async () => {
    const port = await freePort();
    const { connectionName } = await seedDeployment(aws, {
      connectionName: uniqueName('closed'), jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/orders`, username: pg.user, password: pg.password,
    });
    const error = await glueError({ ConnectionName: connectionName });
    expect(error.name).toBe('InvalidInputException');
    expect(error.message).toBe(`Connection to 127.0.0.1:${port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`);
  });

  test('security group without the self-referencing rule: names the group', async () => {
    const { connectionName, network } = await seedDeployment(aws, {
      connectionName: uniqueName('no-self-ref'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: { selfReferencingRule: false },
    });
    const error = await glueError({ ConnectionName: connectionName });
    expect(error.name).toBe('InvalidInputException');
    expect(error.message).toMatch(/^At least one security group must open all ingress ports\. To limit traffic, the source security group/);
    expect(error.message).toContain(`Security groups checked: ${network?.securityGroupId}.`);
  });

  test('security group with no open egress: Glue\'s documented outbound-rule error, naming the group', async () => {
    const network = await createNetwork(aws);
    const ec2 = createEc2Client({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
    await ec2.call('RevokeSecurityGroupEgress', { GroupId: network.securityGroupId, 'IpPermissions.1.IpProtocol': '-1', 'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0' });
    const connectionName = uniqueName('no-egress');
    await createConnection(aws, { name: connectionName, jdbcUrl: pg.jdbcUrl, credentials: { username: pg.user, password: pg.password }, network });

    const error = await glueError({ ConnectionName: connectionName });

    expect(error.name).toBe('InvalidInputException');
    expect(error.message).toBe('At least one security group must open all egress ports. To limit traffic, the source security group in your outbound rule '
      + `can be restricted to the same security group. Security groups checked: ${network.securityGroupId}.`);
  });

  test('a database that does not exist: PostgreSQL\'s own message', async () => {
    const { connectionName } = await seedDeployment(aws, {
      connectionName: uniqueName('no-db'), jdbcUrl: pg.jdbcUrl.replace(/\/[^/]*$/, '/no_such_database'), username: pg.user, password: pg.password,
    });
    expect(await glueError({ ConnectionName: connectionName })).toEqual({ name: 'InvalidInputException', message: 'FATAL: database "no_such_database" does not exist' });
  });

  test('subnet without an S3 endpoint or NAT route: names the subnet and VPC', async () => {
    const { connectionName, network } = await seedDeployment(aws, {
      connectionName: uniqueName('no-s3'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: { s3Route: 'none' },
    });
    const { subnetId, vpcId } = network!;
    expect(await glueError({ ConnectionName: connectionName })).toEqual({
      name: 'InvalidInputException',
      message: `VPC S3 endpoint validation failed for SubnetId: ${subnetId}. VPC: ${vpcId}. Reason: Could not find S3 endpoint or NAT gateway for subnetId: ${subnetId} in Vpc ${vpcId}`,
    });
  });

  test('a subnet and no AvailabilityZone: "Unable to resolve any valid connection"', async () => {
    const network = await createNetwork(aws);
    const connectionName = uniqueName('no-az');
    await createConnection(aws, { name: connectionName, jdbcUrl: pg.jdbcUrl, credentials: { username: pg.user, password: pg.password }, network, availabilityZone: null });
    expect(await glueError({ ConnectionName: connectionName })).toEqual({ name: 'InvalidInputException', message: 'Unable to resolve any valid connection' });
  });

  test('missing connection: EntityNotFoundException naming it', async () => {
    expect(await glueError({ ConnectionName: 'no-such-connection' })).toEqual({ name: 'EntityNotFoundException', message: 'Connection no-such-connection not found' });
  });

  test('by TestConnectionInput: basic credentials pass, an unknown host fails like DNS', async () => {
    const input = (url: string) => ({
      ConnectionType: 'JDBC' as const,
      ConnectionProperties: { JDBC_CONNECTION_URL: url },
      AuthenticationConfiguration: { AuthenticationType: 'BASIC' as const, BasicAuthenticationCredentials: { Username: pg.user, Password: pg.password } },
    });
    await expect(glue.send(new TestConnectionCommand({ TestConnectionInput: input(pg.jdbcUrl) }))).resolves.toBeDefined();
    expect(await glueError({ TestConnectionInput: input('jdbc:postgresql://db.example.invalid:5432/orders') }))
      .toEqual({ name: 'InvalidInputException', message: 'The connection attempt failed. java.net.UnknownHostException: db.example.invalid: Name or service not known' });
  });

  test('a changed database password makes the test fail', async () => {
    const { connectionName } = await seedDeployment(aws, { connectionName: uniqueName('rotated'), jdbcUrl: pg.jdbcUrl, username: pg.user, password: pg.password, network: false });
    const original = pg.password;
    await pg.setPassword('rotated-password');
    try {
      expect((await glueError({ ConnectionName: connectionName })).message).toContain('password authentication failed');
    } finally {
      await pg.setPassword(original);
    }
  });
});

describe('Glue connection store', () => {
  test('GetConnection answers Glue\'s shape; HidePassword hides PASSWORD', async () => {
    const name = uniqueName('shape');
    const network = await createNetwork(aws);
    await createConnection(aws, { name, jdbcUrl: pg.jdbcUrl, credentials: { username: 'u', password: 'p' }, network });

    const { Connection } = await glue.send(new GetConnectionCommand({ Name: name, HidePassword: true }));
    expect(Connection).toMatchObject({
      Name: name,
      ConnectionType: 'JDBC',
      ConnectionProperties: { JDBC_CONNECTION_URL: pg.jdbcUrl, USERNAME: 'u' },
      PhysicalConnectionRequirements: { SubnetId: network.subnetId, SecurityGroupIdList: [network.securityGroupId] },
      Status: 'READY',
    });
    expect(Connection?.ConnectionProperties).not.toHaveProperty('PASSWORD');
    expect(Connection?.CreationTime).toBeInstanceOf(Date);
  });

  test('scripted Status: IN_PROGRESS for N polls, then READY or FAILED with a reason', async () => {
    const name = uniqueName('status');
    await createConnection(aws, { name, jdbcUrl: pg.jdbcUrl, credentials: { username: 'u', password: 'p' } });
    const status = async () => (await glue.send(new GetConnectionCommand({ Name: name }))).Connection;

    aws.setConnectionStatus(name, { inProgressPolls: 2 });
    expect([(await status())?.Status, (await status())?.Status, (await status())?.Status]).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'READY']);
    aws.setConnectionStatus(name, { inProgressPolls: 1, failedReason: 'ENI creation failed' });
    expect((await status())?.Status).toBe('IN_PROGRESS');
    expect(await status()).toMatchObject({ Status: 'FAILED', StatusReason: 'ENI creation failed' });
  });

  test('DeleteConnection removes it', async () => {
    const name = uniqueName('deleted');
    await createConnection(aws, { name, jdbcUrl: pg.jdbcUrl, credentials: { username: 'u', password: 'p' } });
    await glue.send(new DeleteConnectionCommand({ ConnectionName: name }));
    await expect(glue.send(new GetConnectionCommand({ Name: name }))).rejects.toThrow(expect.objectContaining({ name: 'EntityNotFoundException' }));
  });

  test('DescribeStacks answers a set StackStatus, and leaves other stacks to moto', async () => {
    const cfn = new CloudFormationClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials });
    try {
      const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/rolling/7a1b';
      aws.setStackStatus(stackId, 'UPDATE_ROLLBACK_IN_PROGRESS');
      const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackId }));
      expect(Stacks?.[0]).toMatchObject({ StackId: stackId, StackName: 'rolling', StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' });
      await expect(cfn.send(new DescribeStacksCommand({ StackName: 'unknown' }))).rejects.toThrow('Stack with id unknown does not exist');
    } finally {
      cfn.destroy();
    }
  });
});

describe('rate limit', () => {
  test('TestConnection beyond its rate is answered as Glue answers it: 400, ThrottlingException, "Rate exceeded"', async () => {
    aws.setGlueRateLimits({ TestConnection: { perSecond: 2 } });
    aws.clearRequests();
    const input = { TestConnectionInput: { ConnectionType: 'JDBC' as const, ConnectionProperties: { JDBC_CONNECTION_URL: pg.jdbcUrl, USERNAME: pg.user, PASSWORD: pg.password } } };
    // Raw HTTP, to see the wire form the SDK parses.
    const signed = new GlueClient({ endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials, maxAttempts: 1 });
    try {
      const answers = await Promise.all([1, 2, 3].map(() => signed.send(new TestConnectionCommand(input)).then(() => 'passed', (e: Error & { $response?: { statusCode?: number; body?: unknown } }) => `${e.$response?.statusCode} ${e.name}: ${e.message}`)));
      expect(answers.sort()).toEqual(['400 ThrottlingException: Rate exceeded', 'passed', 'passed']);
      expect(aws.requests.filter((r) => r.rateLimited).map((r) => [r.operation, r.status])).toEqual([['TestConnection', 400]]);
      // Two a second: half a second later there is a token again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await expect(signed.send(new TestConnectionCommand(input))).resolves.toBeDefined();
    } finally {
      signed.destroy();
    }
  });

  test('the throttling body is Glue\'s JSON 1.1 error shape', async () => {
    aws.setGlueRateLimits({ GetConnection: { perSecond: 1, burst: 1 } });
    const raw = async () => {
      // The front reads the service from the credential scope and does not check the signature.
      const response = await fetch(aws.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSGlue.GetConnection',
          'authorization': 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/glue/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{"Name":"absent"}',
      });
      return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: await response.json() as unknown };
    };
    await raw();
    expect(await raw()).toEqual({ status: 400, type: 'ThrottlingException', body: { __type: 'ThrottlingException', message: 'Rate exceeded' } });
  });

  test('operations without a limit, and an empty set of limits, are not throttled', async () => {
    aws.setGlueRateLimits({});
    aws.clearRequests();
    await Promise.all(Array.from({ length: 10 }, () => glue.send(new GetConnectionCommand({ Name: 'absent' })).catch(() => undefined)));
    expect(aws.requests.filter((r) => r.rateLimited)).toEqual([]);
  });
});

describe('fault hook', () => {
  // The hook's own sequences, without the rate limit in between.
  beforeEach(() => aws.setGlueRateLimits({}));
  test('throttling twice, then the SDK\'s retry succeeds', async () => {
    let throttles = 2;
    aws.faults = (_service, operation) => (operation === 'TestConnection' && throttles-- > 0 ? { kind: 'throttle' } : undefined);
    aws.clearRequests();
    await glue.send(new TestConnectionCommand({ TestConnectionInput: { ConnectionType: 'JDBC', ConnectionProperties: { JDBC_CONNECTION_URL: pg.jdbcUrl, USERNAME: pg.user, PASSWORD: pg.password } } }));
    expect(aws.requests.map((r) => [r.operation, r.status, r.fault])).toEqual([
      ['TestConnection', 400, 'throttle'], ['TestConnection', 400, 'throttle'], ['TestConnection', 200, undefined],
    ]);
  });

  test('error faults reach the SDK as the named Glue error; the hook sees the parsed body', async () => {
    const seen: unknown[] = [];
    aws.faults = (service, operation, body) => {
      seen.push([service, operation, body]);
      return { kind: 'error', status: 400, errorType: 'AccessDeniedException', message: 'not allowed' };
    };
    await expect(glue.send(new GetConnectionCommand({ Name: 'x' }))).rejects.toThrow(expect.objectContaining({ name: 'AccessDeniedException', message: 'not allowed' }));
    expect(seen).toEqual([['glue', 'GetConnection', { Name: 'x' }]]);
  });

  test('a reset connection is retried; a delay delays; a malformed body fails to parse', async () => {
    let resets = 1;
    aws.faults = () => (resets-- > 0 ? { kind: 'reset' } : undefined);
    await expect(glue.send(new GetConnectionCommand({ Name: 'absent' }))).rejects.toThrow(expect.objectContaining({ name: 'EntityNotFoundException' }));

    aws.faults = () => ({ kind: 'delay', ms: 300 });
    const started = Date.now();
    await expect(glue.send(new GetConnectionCommand({ Name: 'absent' }))).rejects.toThrow(expect.objectContaining({ name: 'EntityNotFoundException' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290); // a timer may fire a clock tick early

    aws.faults = () => ({ kind: 'malformed' });
    await expect(glue.send(new GetConnectionCommand({ Name: 'absent' }))).rejects.toThrow(/JSON/);
  });
});

interface RawAnswer {
  status: number;
  body: string;
}

function send(url: string, body: string, options: { method?: string; chunked?: boolean } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': Buffer.byteLength(body) };
    const request = http.request(url, { method: options.method ?? 'PUT', headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('response endpoint', () => {
  const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/demo/0f1e';
  const logicalResourceId = 'OrdersDbTest';
  const answer = (requestId: string, overrides: Record<string, unknown> = {}) => JSON.stringify({
    Status: 'SUCCESS', StackId: stackId, RequestId: requestId, LogicalResourceId: logicalResourceId, PhysicalResourceId: 'pid', ...overrides,
  });

  test('a well-formed PUT to the presigned URL is stored once, without violations', async () => {
    const url = await endpoint.presign('req-ok', { stackId, logicalResourceId });
    expect(url).toMatch(/\/cloudformation-custom-resource-response-useast1\/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack\/demo\/0f1e%7COrdersDbTest%7Creq-ok\?/);
    expect(url).toContain('X-Amz-Expires=7200');

    expect((await send(url, answer('req-ok'))).status).toBe(200);
    expect(endpoint.responsesFor('req-ok')).toEqual([expect.objectContaining({ body: expect.objectContaining({ Status: 'SUCCESS' }), violations: [] })]);
  });

  test('S3 refuses a bad signature, another method, an expired URL, a missing Content-Length', async () => {
    const url = await endpoint.presign('req-bad', { stackId, logicalResourceId });
    const expired = await endpoint.presign('req-bad', { stackId, logicalResourceId }, new Date(Date.now() - 3 * 3600_000));

    expect(await send(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'), answer('req-bad'))).toMatchObject({ status: 403, body: expect.stringContaining('SignatureDoesNotMatch') });
    expect(await send(url, answer('req-bad'), { method: 'POST' })).toMatchObject({ status: 403, body: expect.stringContaining('SignatureDoesNotMatch') });
    expect(await send(url.split('?')[0], answer('req-bad'))).toMatchObject({ status: 403, body: expect.stringContaining('AccessDenied') });
    expect(await send(expired, answer('req-bad'))).toMatchObject({ status: 403, body: expect.stringContaining('Request has expired') });
    expect(await send(url, answer('req-bad'), { chunked: true })).toMatchObject({ status: 411, body: expect.stringContaining('MissingContentLength') });
    expect(endpoint.responsesFor('req-bad')).toEqual([]);
    expect(endpoint.rejected.map((r) => r.code).slice(-5)).toEqual(['SignatureDoesNotMatch', 'SignatureDoesNotMatch', 'AccessDenied', 'AccessDenied', 'MissingContentLength']);
  });

  test('CloudFormation violations are recorded: size, fields, FAILED without Reason, mismatched ids', async () => {
    const cases: [string, string, string][] = [
      ['req-big', answer('req-big', { Reason: 'x'.repeat(4096) }), 'Response object is too long'],
      ['req-fields', JSON.stringify({ Status: 'SUCCESS' }), 'PhysicalResourceId is required'],
      ['req-failed', answer('req-failed', { Status: 'FAILED' }), 'Reason is required when Status is FAILED'],
      ['req-other', answer('req-someone-else'), 'RequestId does not match the request'],
      ['req-status', answer('req-status', { Status: 'OK' }), 'Status must be SUCCESS or FAILED'],
      ['req-json', 'not json', 'Response is not a JSON object'],
    ];
    for (const [requestId, body, violation] of cases) {
      expect((await send(await endpoint.presign(requestId, { stackId, logicalResourceId }), body)).status).toBe(200);
      expect(endpoint.responsesFor(requestId)[0].violations).toEqual(expect.arrayContaining([expect.stringContaining(violation)]));
    }
  });

  test('failNextPuts answers 500 to that many PUTs', async () => {
    const url = await endpoint.presign('req-flaky', { stackId, logicalResourceId });
    endpoint.failNextPuts(1);
    expect((await send(url, answer('req-flaky'))).status).toBe(500);
    expect((await send(url, answer('req-flaky'))).status).toBe(200);
    expect(endpoint.responsesFor('req-flaky')).toHaveLength(1);
  });
});

describe('Provider framework runner (stand-in handler)', () => {
  let bundleDir: string;
  beforeAll(() => {
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-sim-bundle-'));
    fs.writeFileSync(path.join(bundleDir, 'index.js'), `"use strict";
exports.handler = async (event, context) => {
  console.log('stand-in handling', event.RequestType, 'remaining>0', context.getRemainingTimeInMillis() > 0);
  if (event.ResourceProperties.Fail) throw new Error('stand-in failure: ' + event.ResourceProperties.Fail);
  return { PhysicalResourceId: 'stand-in-' + event.LogicalResourceId, Data: { Region: process.env.AWS_REGION, Endpoint: process.env.AWS_ENDPOINT_URL } };
};
`);
  });
  afterAll(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

  test('Create: the framework answers SUCCESS with what the handler returned; logs are captured, env restored', async () => {
    const framework = createProviderFramework({ localAws: aws, responseEndpoint: endpoint, handlerBundle: path.join(bundleDir, 'index.js') });
    const { response, responses, logs, frameworkError } = await framework.sendEvent({ requestType: 'Create', logicalResourceId: 'Probe', resourceProperties: { ConnectionName: 'c' } });

    expect(frameworkError).toBeUndefined();
    expect(responses).toHaveLength(1);
    expect(response?.violations).toEqual([]);
    expect(response?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'stand-in-Probe', Data: { Region: 'us-east-1', Endpoint: aws.endpoint } });
    expect(logs).toEqual(expect.arrayContaining([{ source: 'handler', stream: 'stdout', text: 'stand-in handling Create remaining>0 true' }]));
    expect(logs.some((l) => l.source === 'framework' && l.text.includes('[provider-framework] onEventHandler'))).toBe(true);
    expect(process.env.USER_ON_EVENT_FUNCTION_ARN).toBeUndefined();
  });

  test('a thrown error: FAILED with the message as reason, the framework\'s marker as physical id', async () => {
    const framework = createProviderFramework({ localAws: aws, responseEndpoint: endpoint, handlerBundle: path.join(bundleDir, 'index.js') });
    const { response } = await framework.sendEvent({ requestType: 'Create', logicalResourceId: 'Probe', resourceProperties: { Fail: 'on purpose' } });

    expect(response?.violations).toEqual([]);
    expect(response?.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' });
    expect(response?.body?.Reason).toEqual(expect.stringMatching(/^stand-in failure: on purpose\n/));
  });
});
