/**
 * A local AWS for the deployment simulation: the preinstalled Python `moto` server, fronted by
 * an HTTP server in this process that is the endpoint the code under test uses
 * (AWS_ENDPOINT_URL). The front forwards every request to moto byte for byte (it reads the
 * request body first, to know the operation; moto's answer is streamed back), except what
 * moto lacks or gets wrong, which it answers itself:
 *
 * - Glue connections: CreateConnection, UpdateConnection, GetConnection, GetConnections,
 *   DeleteConnection and TestConnection. The front keeps its own connection store (moto 5.2
 *   has no DeleteConnection or UpdateConnection, and its GetConnection drops ConnectionType and
 *   AuthenticationConfiguration), so Glue connections live here, not in moto. GetConnection
 *   answers Glue's shape, hides PASSWORD on HidePassword and never returns
 *   BasicAuthenticationCredentials. TestConnection really tests: see glue-test-connection.ts.
 * - CloudFormation DescribeStacks for a stack given to `setStackStatus` (everything else
 *   goes to moto, which says a stack it does not know does not exist).
 *
 * Glue's API is rate-limited per account and region, and so is this one: each Glue operation in
 * `glueRateLimits` (by default TestConnection at 2 and GetConnection at 5 requests per second)
 * sits behind a token bucket, and a request beyond it is answered as Glue answers it: HTTP 400,
 * `{"__type":"ThrottlingException","message":"Rate exceeded"}` (the wording AWS documents in
 * https://repost.aws/knowledge-center/glue-throttling-rate-exceeded: "Rate exceeded (Service:
 * AWSGlue; Status Code: 400; Error Code: ThrottlingException ..."). The bucket is checked first,
 * as the service's front door does, so a throttled request does not use up a fault plan.
 *
 * The front also records every request it served, and can inject faults per request.
 * The secrets and EC2 state TestConnection reads come from moto directly, so those internal
 * reads are neither recorded nor subject to faults. Nothing here writes to the console.
 */
import type { ConnectionInput, TestConnectionInput } from '@aws-sdk/client-glue';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChildProcess, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { createEc2Client } from './ec2';
import { ConnectionUnderTest, GlueError, testConnection, TestEnvironment } from './glue-test-connection';
import { freePort, onProcessExit } from './lifecycle';

export const REGION = 'us-east-1';
/** moto's default account. */
export const ACCOUNT_ID = '123456789012';
/** Fake credentials: nothing checks them, and they can never reach a real account. */
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

const MOTO_INSTALL_HINT = "Install it with: pip install 'moto[server]'==5.2.1 (then make sure `moto_server` is on PATH)";

/** What a fault hook can make the endpoint do instead of (or before) answering. */
export type Fault =
  /** Answer with this error in the service's protocol (for Glue: JSON 1.1 `__type`). */
  | { readonly kind: 'error'; readonly status: number; readonly errorType: string; readonly message: string }
  /** HTTP 400 with the protocol's throttling code (Glue: ThrottlingException). */
  | { readonly kind: 'throttle' }
  /** Wait, then answer normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Destroy the socket without answering. */
  | { readonly kind: 'reset' }
  /** HTTP 200 with a truncated, unparseable body. */
  | { readonly kind: 'malformed' };

/**
 * Called for every request the endpoint receives. `body` is the parsed request: the JSON
 * object for JSON protocols, the form fields for query protocols (EC2, CloudFormation), `{}`
 * otherwise. Return undefined to serve the request normally.
 */
export type FaultHook = (service: string, operation: string, body: Readonly<Record<string, unknown>>) => Fault | undefined;

export interface ServedRequest {
  /** The signing name from the SigV4 credential scope: `glue`, `secretsmanager`, `ec2`... */
  readonly service: string;
  /** The API operation: `TestConnection`, `GetSecretValue`, `DescribeStacks`... */
  readonly operation: string;
  /** The HTTP status answered; undefined while in flight or after a reset. */
  status?: number;
  /** Answered ThrottlingException by the operation's rate limit (not by a fault hook). */
  rateLimited?: boolean;
  /** The fault injected into this request, if any. */
  fault?: Fault['kind'];
  /**
   * The parsed request (as a fault hook sees it), only while `recordBodies` is on. It can hold
   * secrets (a TestConnectionInput carries resolved passwords): for tests that look for them.
   */
  body?: Readonly<Record<string, unknown>>;
}

/** How GetConnection reports a connection's Status from now on. */
export interface ConnectionStatusScript {
  /** The next N GetConnection calls answer IN_PROGRESS. */
  readonly inProgressPolls?: number;
  /** Then FAILED with this StatusReason; READY when absent. */
  readonly failedReason?: string;
}

/** A token bucket: `perSecond` tokens a second, at most `burst` (default `perSecond`) saved up. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst?: number;
}

/**
 * The local Glue's default rate limits. Glue does not publish per-operation rates, and they are
 * shared with everything else the account runs in the region: a few requests a second is what a
 * large stack must expect to get, and a stand-in kinder than that would hide the bugs.
 */
export const DEFAULT_GLUE_RATE_LIMITS: Readonly<Record<string, RateLimit>> = {
  TestConnection: { perSecond: 2 },
  GetConnection: { perSecond: 5 },
};

export interface LocalAwsOptions {
  /** Token buckets per Glue operation. Default DEFAULT_GLUE_RATE_LIMITS; `{}` for none. */
  readonly glueRateLimits?: Readonly<Record<string, RateLimit>>;
  /** Bound on TestConnection's TCP connect and database login, each. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long to wait for moto to answer. Default 30000. */
  readonly startTimeoutMs?: number;
}

export interface LocalAws {
  /** The endpoint for AWS_ENDPOINT_URL: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The environment an AWS SDK client (or the handler) needs to use this local AWS. */
  env(): Record<string, string>;
  /** The per-request fault hook; assign undefined to stop injecting faults. */
  faults: FaultHook | undefined;
  /** Every request served through `endpoint`, in arrival order. */
  readonly requests: readonly ServedRequest[];
  /** Opt-in: also keep each request's parsed body in `requests` (see ServedRequest.body). Default false. */
  recordBodies: boolean;
  clearRequests(): void;
  setConnectionStatus(connectionName: string, script: ConnectionStatusScript, catalogId?: string): void;
  /** Makes DescribeStacks answer this StackStatus for the stack (by ARN or name). */
  setStackStatus(stack: string, status: string): void;
  /** Replaces the Glue rate limits (full buckets); `{}` for none. */
  setGlueRateLimits(limits: Readonly<Record<string, RateLimit>>): void;
  /** Stops moto (its whole process group) and the endpoint. */
  stop(): Promise<void>;
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const moto = await startMoto(options.startTimeoutMs ?? 30_000);
  try {
    const front = new LocalAwsFront(moto, options.connectTimeoutMs ?? 5_000);
    front.setGlueRateLimits(options.glueRateLimits ?? DEFAULT_GLUE_RATE_LIMITS);
    await front.listen(await freePort());
    return front;
  } catch (e) {
    await moto.stop();
    throw e;
  }
}

interface Moto {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

function findOnPath(command: string): string | undefined {
  return (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)
    .map((dir) => path.join(dir, command))
    .find((file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/**
 * moto_server on a port that was free when picked. Another suite's server (jest runs two at
 * once) can bind it first: then moto exits at once ("Address already in use"), and the start is
 * retried on a new port.
 */
async function startMoto(timeoutMs: number): Promise<Moto> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMotoOnce(timeoutMs);
    } catch (e) {
      if (attempt >= 3 || !/Address already in use|EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

async function startMotoOnce(timeoutMs: number): Promise<Moto> {
  const executable = findOnPath('moto_server');
  if (!executable) throw new Error(`moto_server was not found on PATH. ${MOTO_INSTALL_HINT}`);
  const port = await freePort();
  // Its own process group, so that stop() reaches whatever the launcher (e.g. a pyenv shim) starts.
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const unregister = onProcessExit(() => killGroup(child, 'SIGKILL'));
  const stop = async () => {
    unregister();
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`moto_server exited before it was ready (${child.exitCode ?? child.signalCode}). ${MOTO_INSTALL_HINT}\n${output.trim()}`);
    }
    if (await answers(`${endpoint}/moto-api/`)) return { endpoint, port, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms.\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // Already gone.
  }
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
  });
}

type Protocol = 'json' | 'query' | 'rest';

interface ParsedRequest {
  readonly service: string;
  readonly operation: string;
  readonly protocol: Protocol;
  readonly body: Record<string, unknown>;
}

interface StoredConnection {
  input: ConnectionInput;
  readonly created: Date;
  updated: Date;
  script?: { inProgressPolls: number; readonly failedReason?: string };
}

interface StoredStack {
  readonly stackId: string;
  readonly stackName: string;
  status: string;
}

type Body = Record<string, unknown>;

class TokenBucket {
  private tokens: number;
  private refilledAt = Date.now();
  private readonly burst: number;

  constructor(private readonly limit: RateLimit) {
    if (!(limit.perSecond > 0)) throw new Error(`rate limit: perSecond must be positive (got ${limit.perSecond})`);
    this.burst = limit.burst ?? limit.perSecond;
    this.tokens = this.burst;
  }

  /** Takes a token if there is one. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limit.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

class LocalAwsFront implements LocalAws {
  public readonly region = REGION;
  public readonly accountId = ACCOUNT_ID;
  public readonly credentials = CREDENTIALS;
  public faults: FaultHook | undefined;
  public recordBodies = false;
  public endpoint = '';

  private readonly served: ServedRequest[] = [];
  private readonly server = http.createServer((req, res) => void this.serve(req, res));
  private readonly upstream = new http.Agent({ keepAlive: true });
  private readonly connections = new Map<string, StoredConnection>();
  private readonly stacks = new Map<string, StoredStack>();
  private buckets = new Map<string, TokenBucket>();
  private readonly secrets: SecretsManagerClient;
  private readonly testEnvironment: TestEnvironment;
  private readonly glue: Record<string, ((body: Body) => unknown) | undefined>;

  constructor(private readonly moto: Moto, connectTimeoutMs: number) {
    this.secrets = new SecretsManagerClient({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS });
    this.testEnvironment = {
      region: REGION,
      ec2: createEc2Client({ endpoint: moto.endpoint, region: REGION, credentials: CREDENTIALS }),
      secretString: async (secretId) => (await this.secrets.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? '',
      connectTimeoutMs,
    };
    this.glue = {
      CreateConnection: (body) => this.createConnection(body),
      UpdateConnection: (body) => this.updateConnection(body),
      GetConnection: (body) => this.getConnection(body),
      GetConnections: (body) => this.getConnections(body),
      DeleteConnection: (body) => this.deleteConnection(body),
      TestConnection: (body) => this.testConnection(body),
    };
  }

  get requests(): readonly ServedRequest[] {
    return this.served;
  }

  async listen(port: number): Promise<void> {
    // Idle keep-alive sockets stay open longer than the SDK's longest back-off (20 s): with
    // Node's default of 5 s, a retry after a long throttling back-off could race the server
    // closing its idle socket and fail with ECONNRESET, an artifact of this endpoint.
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    };
  }

  clearRequests(): void {
    this.served.length = 0;
  }

  setConnectionStatus(connectionName: string, script: ConnectionStatusScript, catalogId = ACCOUNT_ID): void {
    const connection = this.connections.get(connectionKey(catalogId, connectionName));
    if (!connection) throw new Error(`setConnectionStatus: no connection ${connectionName} in catalog ${catalogId}`);
    connection.script = { inProgressPolls: script.inProgressPolls ?? 0, failedReason: script.failedReason };
  }

  setStackStatus(stack: string, status: string): void {
    const stackName = stack.startsWith('arn:') ? stack.split('/')[1] : stack;
    const stackId = stack.startsWith('arn:') ? stack : `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${stack}/${randomUUID()}`;
    const record = { stackId, stackName, status };
    this.stacks.set(stackId, record);
    this.stacks.set(stackName, record);
  }

  setGlueRateLimits(limits: Readonly<Record<string, RateLimit>>): void {
    this.buckets = new Map(Object.entries(limits).map(([operation, limit]) => [operation, new TokenBucket(limit)]));
  }

  async stop(): Promise<void> {
    this.faults = undefined;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.upstream.destroy();
    this.secrets.destroy();
    await this.moto.stop();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req).catch(() => undefined);
    if (!raw) return void res.destroy();
    const request = parseRequest(req, raw);
    const entry: ServedRequest = { service: request.service, operation: request.operation, ...(this.recordBodies && { body: request.body }) };
    this.served.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    try {
      if (request.service === 'glue' && this.buckets.get(request.operation)?.take() === false) {
        entry.rateLimited = true;
        return sendError(res, request, 400, 'ThrottlingException', 'Rate exceeded');
      }
      const fault = this.faults?.(request.service, request.operation, request.body);
      if (fault) entry.fault = fault.kind;
      if (fault?.kind === 'delay') {
        // A client that gives up (its deadline aborted the request) ends the wait: a late
        // answer nobody reads holds no timer and no socket open after the run.
        const answered = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), fault.ms);
          res.once('close', () => { clearTimeout(timer); resolve(false); });
        });
        if (!answered) return;
      } else if (fault) {
        return injectFault(fault, request, req, res);
      }
      const glue = request.service === 'glue' ? this.glue[request.operation] : undefined;
      if (glue) return sendJson(res, 200, await glue(request.body));
      const stack = request.service === 'cloudformation' && request.operation === 'DescribeStacks'
        ? this.stacks.get(String(request.body.StackName)) : undefined;
      if (stack) return sendXml(res, 200, describeStacksXml(stack));
      this.forward(req, raw, res);
    } catch (e) {
      const error = e instanceof GlueError ? e : new GlueError('InternalServiceException', `local simulation: ${(e as Error).message}`, 500);
      sendError(res, request, error.status, error.type, error.message);
    }
  }

  private forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const upstream = http.request({
      hostname: '127.0.0.1', port: this.moto.port, method: req.method, path: req.url, headers: req.headers, agent: this.upstream,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`local simulation: moto is unreachable: ${e.message}`);
    });
    upstream.end(body);
  }

  private stored(body: Body, nameField: string): StoredConnection {
    const name = String(body[nameField] ?? '');
    const connection = this.connections.get(connectionKey(catalogOf(body), name));
    if (!connection) throw new GlueError('EntityNotFoundException', `Connection ${name} not found`);
    return connection;
  }

  private createConnection(body: Body): unknown {
    const input = validConnectionInput(body.ConnectionInput);
    const key = connectionKey(catalogOf(body), input.Name as string);
    if (this.connections.has(key)) throw new GlueError('AlreadyExistsException', `Connection ${input.Name} already exists`);
    const now = new Date();
    this.connections.set(key, { input, created: now, updated: now });
    return { CreateConnectionStatus: 'READY' };
  }

  private updateConnection(body: Body): unknown {
    const connection = this.stored(body, 'Name');
    const input = validConnectionInput(body.ConnectionInput);
    this.connections.delete(connectionKey(catalogOf(body), String(body.Name)));
    this.connections.set(connectionKey(catalogOf(body), input.Name as string), { ...connection, input, updated: new Date() });
    return {};
  }

  private deleteConnection(body: Body): unknown {
    this.stored(body, 'ConnectionName');
    this.connections.delete(connectionKey(catalogOf(body), String(body.ConnectionName)));
    return {};
  }

  /** GetConnection polls count down the script; GetConnections only reads it. */
  private getConnection(body: Body): unknown {
    return { Connection: glueShape(this.stored(body, 'Name'), body.HidePassword === true, true) };
  }

  private getConnections(body: Body): unknown {
    const prefix = connectionKey(catalogOf(body), '');
    const list = [...this.connections.entries()].filter(([key]) => key.startsWith(prefix))
      .map(([, connection]) => glueShape(connection, body.HidePassword === true, false));
    return { ConnectionList: list };
  }

  private async testConnection(body: Body): Promise<unknown> {
    const byInput = body.TestConnectionInput as TestConnectionInput | undefined;
    if ((body.ConnectionName === undefined) === (byInput === undefined)) {
      throw new GlueError('InvalidInputException', 'Exactly one of ConnectionName or TestConnectionInput must be provided');
    }
    let connection: ConnectionUnderTest;
    if (byInput) {
      if (!byInput.ConnectionType || !byInput.ConnectionProperties) {
        throw new GlueError('InvalidInputException', 'TestConnectionInput requires ConnectionType and ConnectionProperties');
      }
      connection = {
        connectionType: byInput.ConnectionType,
        properties: byInput.ConnectionProperties as Record<string, string>,
        authentication: byInput.AuthenticationConfiguration,
      };
    } else {
      const { input } = this.stored(body, 'ConnectionName');
      connection = {
        connectionType: input.ConnectionType as string,
        properties: (input.ConnectionProperties ?? {}) as Record<string, string>,
        authentication: input.AuthenticationConfiguration,
        physical: input.PhysicalConnectionRequirements,
      };
    }
    await testConnection(connection, this.testEnvironment);
    return {};
  }
}

function connectionKey(catalogId: string, name: string): string {
  return `${catalogId}/${name}`;
}

function catalogOf(body: Body): string {
  return typeof body.CatalogId === 'string' ? body.CatalogId : ACCOUNT_ID;
}

function validConnectionInput(value: unknown): ConnectionInput {
  const input = value as ConnectionInput | undefined;
  if (!input?.Name || !input.ConnectionType || !input.ConnectionProperties) {
    throw new GlueError('InvalidInputException', 'ConnectionInput requires Name, ConnectionType and ConnectionProperties');
  }
  return input;
}

/** A stored connection in the shape of Glue's GetConnection; `poll` counts down its status script. */
function glueShape(connection: StoredConnection, hidePassword: boolean, poll: boolean): Record<string, unknown> {
  const { input, created, updated, script } = connection;
  const properties: Record<string, string> = { ...(input.ConnectionProperties as Record<string, string>) };
  if (hidePassword) delete properties.PASSWORD;
  const auth = input.AuthenticationConfiguration;
  return {
    Name: input.Name,
    Description: input.Description,
    ConnectionType: input.ConnectionType,
    MatchCriteria: input.MatchCriteria,
    ConnectionProperties: properties,
    SparkProperties: input.SparkProperties,
    AthenaProperties: input.AthenaProperties,
    PythonProperties: input.PythonProperties,
    PhysicalConnectionRequirements: input.PhysicalConnectionRequirements,
    AuthenticationConfiguration: auth && {
      AuthenticationType: auth.AuthenticationType,
      SecretArn: auth.SecretArn,
      KmsKeyArn: auth.KmsKeyArn,
    },
    CreationTime: created.getTime() / 1000,
    LastUpdatedTime: updated.getTime() / 1000,
    ...statusOf(script, poll),
  };
}

function statusOf(script: StoredConnection['script'], poll: boolean): { Status: string; StatusReason?: string } {
  if (script && script.inProgressPolls > 0) {
    if (poll) script.inProgressPolls--;
    return { Status: 'IN_PROGRESS' };
  }
  return script?.failedReason === undefined ? { Status: 'READY' } : { Status: 'FAILED', StatusReason: script.failedReason };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseRequest(req: http.IncomingMessage, raw: Buffer): ParsedRequest {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  const service = scope?.[1] ?? 'unknown';
  const target = req.headers['x-amz-target'];
  const text = raw.toString('utf8');
  if (typeof target === 'string') {
    let body: Body = {};
    try {
      body = JSON.parse(text || '{}') as Body;
    } catch {
      // An unparseable body is the handler's problem; the operation is still known.
    }
    return { service, operation: target.slice(target.lastIndexOf('.') + 1), protocol: 'json', body };
  }
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const body = Object.fromEntries(new URLSearchParams(text));
    if (body.Action) return { service, operation: body.Action, protocol: 'query', body };
  }
  return { service, operation: `${req.method} ${(req.url ?? '/').split('?')[0]}`, protocol: 'rest', body: {} };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sendXml(res: http.ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': randomUUID() });
  res.end(xml);
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** An error in the request's protocol: JSON 1.1 `__type`, EC2's `<Response><Errors>`, or the query `<ErrorResponse>`. */
function sendError(res: http.ServerResponse, request: ParsedRequest, status: number, type: string, message: string): void {
  if (request.protocol !== 'query') {
    return sendJson(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
  }
  const error = `<Code>${escapeXml(type)}</Code><Message>${escapeXml(message)}</Message>`;
  sendXml(res, status, request.service === 'ec2'
    ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${error}</Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`
    : `<ErrorResponse><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type>${error}</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
}

function injectFault(fault: Exclude<Fault, { kind: 'delay' }>, request: ParsedRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (fault.kind) {
    case 'error':
      return sendError(res, request, fault.status, fault.errorType, fault.message);
    case 'throttle': {
      const code = request.protocol !== 'query' ? 'ThrottlingException' : request.service === 'ec2' ? 'RequestLimitExceeded' : 'Throttling';
      return sendError(res, request, 400, code, 'Rate exceeded');
    }
    case 'reset':
      req.socket.destroy();
      return;
    case 'malformed': {
      const text = request.protocol === 'query' ? `<${request.operation}Response><${request.operation}Res` : '{"Connection": {"Name": ';
      res.writeHead(200, { 'content-type': request.protocol === 'query' ? 'text/xml' : 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    }
  }
}

function describeStacksXml({ stackId, stackName, status }: StoredStack): string {
  return '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>'
    + `<StackId>${escapeXml(stackId)}</StackId><StackName>${escapeXml(stackName)}</StackName>`
    + `<CreationTime>${new Date().toISOString()}</CreationTime><StackStatus>${escapeXml(status)}</StackStatus>`
    + `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
}
