/**
 * The handler's clients (core/aws.ts) against a real HTTP endpoint, with the SDK's own retry
 * middleware and HTTP handler: throttling is retried until the step's retry window runs out,
 * not for a fixed count; 5xx, resets and timeouts have a bounded budget; definitive errors fail
 * at once; the per-attempt timeout ends an attempt. (aws-sdk-client-mock replaces `send`, so
 * it cannot show any of this.) Back-off jitter is pinned with Math.random so the suite is quick.
 */
import { GetConnectionCommand, TestConnectionCommand } from '@aws-sdk/client-glue';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { createClients, RetryWindow } from '../../../core/aws';
import { Deadline } from '../../../core/deadline';
import type { Logger } from '../../../core/log';
import { testConnectionShareMs } from '../../../core/test-connection';

/** What the endpoint answers to the n-th request (0-based); undefined: a success. */
type Script = (n: number) => { status: number; type: string; message: string; delayMs?: number } | undefined;

let server: http.Server;
let script: Script = () => undefined;
let received: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push(String(req.headers['x-amz-target'] ?? new URLSearchParams(Buffer.concat(chunks).toString()).get('Action')));
      const answer = script(n);
      const send = (): void => {
        if (res.destroyed) return;
        const query = !req.headers['x-amz-target'];
        const ec2 = received[n].startsWith('Describe') && received[n] !== 'DescribeStacks';
        if (answer && answer.status !== 200) {
          // Glue's and Secrets Manager's JSON 1.1 error shape (`__type`), EC2's and CloudFormation's XML.
          const error = `<Error><Code>${answer.type}</Code><Message>${answer.message}</Message></Error>`;
          const body = !query ? JSON.stringify({ __type: answer.type, message: answer.message })
            : ec2 ? `<Response><Errors>${error}</Errors><RequestID>r</RequestID></Response>`
              : `<ErrorResponse>${error.replace('<Error>', '<Error><Type>Sender</Type>')}</ErrorResponse>`;
          res.writeHead(answer.status, { 'content-type': query ? 'text/xml' : 'application/x-amz-json-1.1', 'x-amzn-errortype': answer.type });
          res.end(body);
          return;
        }
        if (ec2) {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(`<${received[n]}Response><requestId>r</requestId><subnetSet/></${received[n]}Response>`);
          return;
        }
        if (query) {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end('<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>s</StackName><StackStatus>UPDATE_IN_PROGRESS</StackStatus>'
            + '<CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(received[n].endsWith('GetSecretValue') ? '{"SecretString":"s"}' : received[n].endsWith('GetConnection') ? '{"Connection":{"Name":"c"}}' : '{}');
      };
      if (answer?.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing',
  });
});
afterAll(async () => {
  process.env = saved;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const lines: { level: string; message: string; detail?: string }[] = [];
const log: Logger = {
  info: (message, fields) => lines.push({ level: 'INFO', message, ...fields } as never),
  warn: (message, fields) => lines.push({ level: 'WARN', message, ...fields } as never),
  error: (message, fields) => lines.push({ level: 'ERROR', message, ...fields } as never),
};
beforeEach(() => {
  received = [];
  lines.length = 0;
  script = () => undefined;
  delete process.env.AWS_MAX_ATTEMPTS;
  // The shortest back-offs: each retry sleeps 1 % of its cap.
  jest.spyOn(Math, 'random').mockReturnValue(0.01);
});
afterEach(() => jest.restoreAllMocks());

/** A window that stays open for `ms` from now. */
const windowOf = (ms: number): RetryWindow => {
  const end = Date.now() + ms;
  return { retryWindowMs: () => end - Date.now() };
};
const THROTTLED = { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('throttling', () => {
  test.each([
    ['Glue TestConnection', (c: ReturnType<typeof createClients>) => c.glue.send(new TestConnectionCommand({ ConnectionName: 'c' }))],
    ['Glue GetConnection', (c: ReturnType<typeof createClients>) => c.glue.send(new GetConnectionCommand({ Name: 'c' }))],
    ['Secrets Manager GetSecretValue', (c: ReturnType<typeof createClients>) => c.secretsManager.send(new GetSecretValueCommand({ SecretId: 's' }))],
    ['CloudFormation DescribeStacks', (c: ReturnType<typeof createClients>) => c.cloudFormation.send(new DescribeStacksCommand({ StackName: 's' }))],
    ['EC2 DescribeSubnets', (c: ReturnType<typeof createClients>) => c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0abc'] }))],
  ])('a throttled %s is retried past the SDK\'s five attempts while the window is open', async (_name, call) => {
    // Each service's throttling code: Glue's and Secrets Manager's, CloudFormation's, EC2's.
    const type = _name.startsWith('CloudFormation') ? 'Throttling' : _name.startsWith('EC2') ? 'RequestLimitExceeded' : 'ThrottlingException';
    script = (n) => (n < 11 ? { ...THROTTLED, type } : undefined);
    const clients = createClients(windowOf(60_000), log);
    try {
      const output = await call(clients) as { $metadata: { attempts?: number } };
      expect(output.$metadata.attempts).toBe(12);
      expect(received).toHaveLength(12);
      expect(clients.retries).toEqual(expect.objectContaining({ retries: 11, throttled: 11 }));
    } finally {
      clients.destroy();
    }
  });

  test('throttling is not retried into time the step keeps for later: Glue\'s own error comes back', async () => {
    script = () => THROTTLED;
    // With jitter at its top, the back-offs are 0.5, 1, 2 s...: the third no longer fits 2 s.
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const clients = createClients(windowOf(2_000), log);
    try {
      const error = await errorOf(clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' })));
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('Rate exceeded');
      expect(received).toHaveLength(3);
      expect(clients.retries.largestDelayMs).toBeGreaterThanOrEqual(990);
    } finally {
      clients.destroy();
    }
  });

  test('back-off grows exponentially with full jitter, capped at 20 s', async () => {
    script = (n) => (n < 9 ? THROTTLED : undefined);
    jest.spyOn(Math, 'random').mockReturnValue(0.001);
    const clients = createClients(windowOf(60_000), log);
    try {
      await clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' }));
      // 0.001 * min(20 s, 500 ms * 2^8) = 20 ms, the cap; uncapped it would be 128 ms.
      expect(clients.retries.largestDelayMs).toBe(20);
    } finally {
      clients.destroy();
    }
  });
});

describe('other errors', () => {
  test('a definitive error fails at once', async () => {
    script = () => ({ status: 400, type: 'InvalidInputException', message: 'password authentication failed for user "app"' });
    const clients = createClients(windowOf(60_000), log);
    try {
      const error = await errorOf(clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' })));
      expect(error.name).toBe('InvalidInputException');
      expect(received).toHaveLength(1);
    } finally {
      clients.destroy();
    }
  });

  test('500s have a bounded budget: five attempts, however long the window', async () => {
    script = () => ({ status: 500, type: 'InternalServiceException', message: 'Internal service error' });
    const clients = createClients(windowOf(600_000), log);
    try {
      const error = await errorOf(clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' })));
      expect(error.name).toBe('InternalServiceException');
      expect(error.$metadata?.attempts).toBe(5);
      expect(received).toHaveLength(5);
    } finally {
      clients.destroy();
    }
  });

  test('AWS_MAX_ATTEMPTS sets that budget', async () => {
    process.env.AWS_MAX_ATTEMPTS = '2';
    script = () => ({ status: 503, type: 'ServiceUnavailable', message: 'unavailable' });
    const clients = createClients(windowOf(600_000), log);
    try {
      await errorOf(clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' })));
      expect(received).toHaveLength(2);
    } finally {
      clients.destroy();
    }
  });

  test('throttling between 500s does not use up the 500s\' budget', async () => {
    // 4 x 500 and 6 x throttling, interleaved, then success: 4 transient retries are allowed.
    const plan = [500, 400, 500, 400, 400, 500, 400, 400, 500, 400];
    script = (n) => (n < plan.length ? (plan[n] === 500 ? { status: 500, type: 'InternalServiceException', message: 'x' } : THROTTLED) : undefined);
    const clients = createClients(windowOf(60_000), log);
    try {
      await clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' }));
      expect(received).toHaveLength(11);
    } finally {
      clients.destroy();
    }
  });

  test('each set of clients has its own budget: retries in one do not drain another', async () => {
    script = (n) => (n % 5 === 4 ? undefined : { status: 500, type: 'InternalServiceException', message: 'x' });
    for (let i = 0; i < 30; i++) {
      const clients = createClients(windowOf(60_000), log);
      try {
        await clients.glue.send(new TestConnectionCommand({ ConnectionName: 'c' }));
      } finally {
        clients.destroy();
      }
    }
    expect(received).toHaveLength(150);
  });
});

describe('per-attempt timeout', () => {
  test('an attempt slower than the request timeout is ended and retried, without a console warning', async () => {
    // GetConnection's client has a 15 s per-attempt timeout; Glue's TestConnection 240 s. The
    // short calls' timeout is what ends a hung GetSecretValue: here the first answer takes 17 s.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    script = (n) => (n === 0 ? { status: 200, type: '', message: '', delayMs: 17_000 } : undefined);
    const clients = createClients(windowOf(600_000), log);
    try {
      const pending = clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 's' }));
      for (let t = 0; t < 16_000 && received.length < 2; t += 250) await jest.advanceTimersByTimeAsync(250);
      const output = await pending;
      expect(output.$metadata.attempts).toBe(2);
      expect(received).toHaveLength(2);
      expect(consoleWarn).not.toHaveBeenCalled();
      expect(consoleLog).not.toHaveBeenCalled();
    } finally {
      clients.destroy();
      jest.useRealTimers();
    }
  });
});

describe('the retry window of a step', () => {
  test('a step before TestConnection keeps half the deadline, at most a minute, for it; TestConnection keeps 2 s to answer', async () => {
    expect(testConnectionShareMs(300_000)).toBe(60_000);
    expect(testConnectionShareMs(30_000)).toBe(15_000);
    const deadline = new Deadline(300_000);
    try {
      const before = await deadline.run('secret', async () => deadline.retryWindowMs(), testConnectionShareMs(deadline.budgetMs));
      const last = await deadline.run('Glue TestConnection', async () => deadline.retryWindowMs());
      expect(before).toBeGreaterThan(240_000 - 1_000);
      expect(before).toBeLessThanOrEqual(240_000);
      expect(last).toBeGreaterThan(298_000 - 1_000);
      expect(last).toBeLessThanOrEqual(298_000);
    } finally {
      deadline.dispose();
    }
  });

  test('a throttled GetConnection stops retrying when only TestConnection\'s share is left, with Glue\'s own error', async () => {
    script = () => THROTTLED;
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    // A 4 s deadline: GetConnection may retry until 2 s are left (back-offs 0.5 s, 1 s, then 2 s does not fit).
    const deadline = new Deadline(4_000);
    const clients = createClients(deadline, log);
    try {
      const error = await errorOf(deadline.run('connection to become READY',
        () => clients.glue.send(new GetConnectionCommand({ Name: 'c' }), { abortSignal: deadline.signal }), testConnectionShareMs(deadline.budgetMs)));
      expect(error.name).toBe('ThrottlingException');
      expect(received).toHaveLength(3);
      expect(deadline.remainingMs()).toBeGreaterThan(1_000);
    } finally {
      clients.destroy();
      deadline.dispose();
    }
  });
});
