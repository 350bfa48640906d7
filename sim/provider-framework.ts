/**
 * Runs CloudFormation custom-resource events through aws-cdk-lib's own Provider framework
 * code (custom-resources/lib/provider-framework/runtime, its `onEvent`), with the framework's
 * invocation of the user's Lambda answered by running our bundled handler as Lambda would.
 *
 * The runtime calls out through the exports of its `outbound` module, which is where
 * aws-cdk's own tests replace it; so does this file:
 * - `invokeFunction` runs the bundle's `handler` export with a Lambda-like context and answers
 *   what Lambda's Invoke answers (`FunctionError: 'Unhandled'` and the Node.js runtime's
 *   `{errorType, errorMessage, trace}` payload on a thrown error or a timeout);
 * - `httpRequest` PUTs the response to the response endpoint. The runtime's own httpRequest
 *   is HTTPS to the URL's hostname with no port (it drops the ResponseURL's port, harmless
 *   against S3's 443); the replacement sends the same request over HTTP to the endpoint's port.
 *   The runtime hands our handler the real ResponseURL (it is in the event; the handler never
 *   uses it: docs/decisions.md, decision 1).
 *
 * The runtime and the bundle are loaded by a small CommonJS loader, in this realm (so that
 * under jest they share this module's `process.env`), with `console` bound to a recorder:
 * everything either writes through console is captured per event and nothing is printed.
 * `@aws-sdk/client-sfn`, which Lambda's Node.js runtime provides and this project does not
 * install, is replaced by a stub: only the isComplete waiter uses it, and our provider has none.
 * Each ProviderFramework is one framework Lambda and a pool of warm handler containers: the
 * bundle is loaded (cold start) on the first invocation, with the environment of that moment,
 * and kept. `sendEvent` runs events one at a time, so they all reuse one container;
 * `sendConcurrent` lets events overlap, and, as Lambda does, an invocation that finds every
 * container busy gets a new one (a cold start), so no two invocations ever run in one module
 * instance at once. The environment is process-wide: while events of one ProviderFramework are
 * in flight it is that framework's; events of two ProviderFrameworks must not overlap.
 */
import { AsyncLocalStorage } from 'async_hooks';
import { Console } from 'console';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Writable } from 'stream';
import { ACCOUNT_ID, LocalAws, REGION } from './local-aws';
import { ReceivedResponse, ResponseEndpoint } from './response-endpoint';

export const DEFAULT_HANDLER_BUNDLE = path.resolve(__dirname, '..', 'assets', 'handler', 'index.js');
const RUNTIME_DIR = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
const RESOURCE_TYPE = 'Custom::GlueConnectionTest';

export type RequestType = 'Create' | 'Update' | 'Delete';

export interface SimEvent {
  readonly requestType: RequestType;
  readonly resourceProperties: Record<string, unknown>;
  readonly oldResourceProperties?: Record<string, unknown>;
  readonly physicalResourceId?: string;
  readonly logicalResourceId: string;
  /** Default: one stack ARN per ProviderFramework. */
  readonly stackId?: string;
  /** What DescribeStacks answers during the event. Default: CREATE_/UPDATE_/DELETE_IN_PROGRESS. */
  readonly stackStatus?: string;
  /**
   * The handler Lambda's timeout for this event only (the handler sees it as its remaining
   * time). Default: the framework's `handlerTimeoutSeconds`. For suites that need a short
   * deadline in some events without a second framework.
   */
  readonly handlerTimeoutSeconds?: number;
}

export interface LogLine {
  /** Which Lambda wrote it. */
  readonly source: 'framework' | 'handler';
  readonly stream: 'stdout' | 'stderr';
  /**
   * Written to `process.stdout` itself, not through `console`: Lambda's JSON log format wraps
   * what `console` writes, but not these (the handler's EMF metric lines are written so).
   */
  readonly raw?: true;
  readonly text: string;
}

export interface EventResult {
  /** The first answer that reached the response endpoint for this event, if any. */
  readonly response?: ReceivedResponse;
  /** Every answer that reached it (CloudFormation expects exactly one). */
  readonly responses: readonly ReceivedResponse[];
  /** Everything the framework and the handler wrote through console during the event. */
  readonly logs: readonly LogLine[];
  readonly durationMs: number;
  /** Set when the framework Lambda itself failed (e.g. it could not deliver the answer). */
  readonly frameworkError?: Error;
  /** The event as CloudFormation sent it. */
  readonly event: Readonly<Record<string, unknown>>;
}

export interface ProviderFrameworkOptions {
  readonly localAws: LocalAws;
  readonly responseEndpoint: ResponseEndpoint;
  /** The bundled handler. Default: assets/handler/index.js (`npm run bundle`). */
  readonly handlerBundle?: string;
  /** The handler Lambda's own environment variables (from the template). */
  readonly handlerEnvironment?: Readonly<Record<string, string>>;
  /** The handler Lambda's timeout. Default 300. */
  readonly handlerTimeoutSeconds?: number;
}

export interface ProviderFramework {
  /** The framework Lambda's ARN: the custom resource's ServiceToken. */
  readonly serviceToken: string;
  /** The handler Lambda's ARN (USER_ON_EVENT_FUNCTION_ARN). */
  readonly handlerArn: string;
  /** Sends one event and resolves when the framework is done. Events run one at a time. */
  sendEvent(event: SimEvent): Promise<EventResult>;
  /**
   * Sends one event at once, whatever else is in flight, as CloudFormation does with resources
   * that do not depend on each other. Concurrent invocations run in separate handler containers.
   */
  sendConcurrent(event: SimEvent): Promise<EventResult>;
  /**
   * Invokes the handler with any event, as Lambda runs an asynchronous invocation (EventBridge's
   * for a schedule): in a warm container of this framework (or a new one), with its environment
   * and timeout, DescribeStacks answering `stackStatus` for `stackId`. Runs after the events in
   * flight, as `sendEvent` does.
   */
  invokeHandler(event: unknown, options: { stackId: string; stackStatus: string }): Promise<HandlerInvocation>;
  /** How many handler containers were started (cold starts) so far. */
  readonly handlerContainers: number;
}

/** What one direct invocation of the handler produced. */
export interface HandlerInvocation {
  /** What the handler returned, or the runtime's error payload when it threw or timed out. */
  readonly payload: unknown;
  /** 'Unhandled' when the handler threw or timed out (Lambda would retry an asynchronous invocation). */
  readonly functionError?: string;
  /** Everything the handler wrote, console lines and raw stdout lines alike. */
  readonly logs: readonly LogLine[];
  readonly durationMs: number;
}

interface InvokeRequest {
  readonly FunctionName: string;
  readonly Payload: string;
}

interface InvokeResponse {
  readonly StatusCode: number;
  readonly ExecutedVersion: string;
  readonly FunctionError?: 'Unhandled';
  readonly Payload: Uint8Array;
}

interface Outbound {
  invokeFunction: (request: InvokeRequest) => Promise<InvokeResponse>;
  httpRequest: (options: http.RequestOptions, body: string) => Promise<void>;
}

type LambdaHandler = (event: unknown, context: LambdaContext) => Promise<unknown>;

export interface LambdaContext {
  readonly callbackWaitsForEmptyEventLoop: boolean;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
}

export function createProviderFramework(options: ProviderFrameworkOptions): ProviderFramework {
  const bundle = options.handlerBundle ?? DEFAULT_HANDLER_BUNDLE;
  if (!fs.existsSync(bundle)) throw new Error(`The handler bundle ${bundle} does not exist: run \`npm run bundle\` first.`);
  const timeoutMs = (options.handlerTimeoutSeconds ?? 300) * 1000;
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const handlerName = `GlueConnectionTest-Handler-${suffix}`;
  const handlerArn = lambdaArn(handlerName);
  const serviceToken = lambdaArn(`GlueConnectionTest-ProviderframeworkonEvent-${suffix}`);
  const defaultStackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/glue-sim/${randomUUID()}`;

  // Lines go to the event in whose async context they are written (all writes happen in one).
  const logs = new AsyncLocalStorage<LogLine[]>();
  const sink = (source: LogLine['source'], stream: LogLine['stream'], raw?: true) => new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.getStore()?.push({ source, stream, text: chunk.toString('utf8').replace(/\n$/, ''), ...(raw && { raw }) });
      done();
    },
  });
  const recorder = (source: LogLine['source']) => new Console({ stdout: sink(source, 'stdout'), stderr: sink(source, 'stderr') });
  // The handler's own process.stdout: what it writes there directly is recorded as raw lines.
  const handlerProcess = processWithStdout(sink('handler', 'stdout', true));

  const runtime = new Map<string, { exports: unknown }>();
  const frameworkConsole = recorder('framework');
  const stubs = { '@aws-sdk/client-sfn': unavailable('@aws-sdk/client-sfn') };
  const framework = loadCommonJs(path.join(RUNTIME_DIR, 'framework.js'), frameworkConsole, stubs, runtime) as { onEvent: (event: unknown) => Promise<void> };
  // The instance framework.js required, which is the one whose exports it calls through.
  const outbound = loadCommonJs(path.join(RUNTIME_DIR, 'outbound.js'), frameworkConsole, stubs, runtime) as Outbound;
  // Warm handler containers not running an invocation; the most recently used is reused first.
  const idle: LambdaHandler[] = [];
  let containers = 0;
  // Per-event Lambda timeouts (SimEvent.handlerTimeoutSeconds), by RequestId.
  const eventTimeouts = new Map<string, number>();

  outbound.invokeFunction = async ({ Payload }) => {
    const handler = idle.pop() ?? (containers++, (loadCommonJs(bundle, recorder('handler'), {}, new Map(), handlerProcess) as { handler: LambdaHandler }).handler);
    try {
      const event = JSON.parse(Payload) as { RequestId?: string };
      return await invoke(handler, event, handlerName, handlerArn, eventTimeouts.get(String(event.RequestId)) ?? timeoutMs);
    } finally {
      idle.push(handler);
    }
  };
  outbound.httpRequest = (requestOptions, body) => new Promise((resolve, reject) => {
    const request = http.request({ ...requestOptions, port: options.responseEndpoint.port, agent: false }, (response) => {
      response.resume();
      if (!response.statusCode || response.statusCode >= 400) reject(new Error(`Unsuccessful HTTP response: ${response.statusCode}`));
      else resolve();
    });
    request.on('error', reject);
    request.end(body);
  });

  // The environment is applied when the first of this framework's events starts and restored
  // when the last in flight ends, so that overlapping events never restore it under each other.
  let inFlight = 0;
  let restoreEnvironment: (() => void) | undefined;
  const acquireEnvironment = (): (() => void) => {
    if (inFlight++ === 0) {
      restoreEnvironment = applyEnvironment({
        ...options.localAws.env(),
        USER_ON_EVENT_FUNCTION_ARN: handlerArn,
        AWS_LAMBDA_FUNCTION_NAME: handlerName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
        ...options.handlerEnvironment,
      });
    }
    return () => {
      if (--inFlight === 0) {
        restoreEnvironment?.();
        restoreEnvironment = undefined;
      }
    };
  };

  let queue: Promise<unknown> = Promise.resolve();
  const run = async (sim: SimEvent): Promise<EventResult> => {
    const stackId = sim.stackId ?? defaultStackId;
    const requestId = randomUUID();
    options.localAws.setStackStatus(stackId, sim.stackStatus ?? `${sim.requestType.toUpperCase()}_IN_PROGRESS`);
    const event: Record<string, unknown> = {
      RequestType: sim.requestType,
      ServiceToken: serviceToken,
      ResponseURL: await options.responseEndpoint.presign(requestId, { stackId, logicalResourceId: sim.logicalResourceId }),
      StackId: stackId,
      RequestId: requestId,
      LogicalResourceId: sim.logicalResourceId,
      ResourceType: RESOURCE_TYPE,
      ResourceProperties: { ServiceToken: serviceToken, ...sim.resourceProperties },
      ...(sim.oldResourceProperties && { OldResourceProperties: { ServiceToken: serviceToken, ...sim.oldResourceProperties } }),
      ...(sim.physicalResourceId !== undefined && { PhysicalResourceId: sim.physicalResourceId }),
    };
    const lines: LogLine[] = [];
    const started = Date.now();
    if (sim.handlerTimeoutSeconds !== undefined) eventTimeouts.set(requestId, sim.handlerTimeoutSeconds * 1000);
    const restore = acquireEnvironment();
    let frameworkError: Error | undefined;
    try {
      await logs.run(lines, () => framework.onEvent(structuredClone(event)));
    } catch (e) {
      frameworkError = e as Error;
    } finally {
      restore();
      eventTimeouts.delete(requestId);
    }
    const responses = options.responseEndpoint.responsesFor(requestId);
    return { response: responses[0], responses, logs: lines, durationMs: Date.now() - started, frameworkError, event };
  };

  return {
    serviceToken,
    handlerArn,
    sendEvent(sim) {
      const result = queue.then(() => run(sim));
      queue = result.catch(() => undefined);
      return result;
    },
    sendConcurrent: run,
    invokeHandler(event, { stackId, stackStatus }) {
      const result = queue.then(async (): Promise<HandlerInvocation> => {
        options.localAws.setStackStatus(stackId, stackStatus);
        const lines: LogLine[] = [];
        const started = Date.now();
        const restore = acquireEnvironment();
        try {
          const response = await logs.run(lines, () => outbound.invokeFunction({ FunctionName: handlerArn, Payload: JSON.stringify(event) }));
          return {
            payload: JSON.parse(new TextDecoder().decode(response.Payload)) as unknown,
            ...(response.FunctionError && { functionError: response.FunctionError }),
            logs: lines,
            durationMs: Date.now() - started,
          };
        } finally {
          restore();
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
    get handlerContainers() {
      return containers;
    },
  };
}

function lambdaArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
}

/** One Lambda invocation, answered as Lambda's Invoke API answers it. */
async function invoke(handler: LambdaHandler, event: unknown, functionName: string, functionArn: string, timeoutMs: number): Promise<InvokeResponse> {
  const awsRequestId = randomUUID();
  const deadline = Date.now() + timeoutMs;
  const context: LambdaContext = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value) ?? 'null');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => handler(event, context)).then((value) => ({ value })), timedOut]);
    if (outcome === 'timeout') {
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        FunctionError: 'Unhandled',
        Payload: encode({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${awsRequestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` }),
      };
    }
    return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(outcome.value) };
  } catch (e) {
    // As the Node.js runtime reports an uncaught error.
    const payload = e instanceof Error
      ? { errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') }
      : { errorType: typeof e, errorMessage: String(e), trace: [] };
    return { StatusCode: 200, ExecutedVersion: '$LATEST', FunctionError: 'Unhandled', Payload: encode(payload) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sets the Lambda environment, after removing what could send an SDK anywhere but the local
 * AWS (per-service endpoints, profiles, session tokens); returns the function that restores
 * the previous environment.
 */
function applyEnvironment(vars: Record<string, string>): () => void {
  const removed = Object.keys(process.env).filter((k) => /^AWS_ENDPOINT_URL_|^AWS_PROFILE$|^AWS_SESSION_TOKEN$|^AWS_IGNORE_CONFIGURED_ENDPOINT_URLS$|^USER_IS_COMPLETE_FUNCTION_ARN$/.test(k));
  const touched = [...new Set([...removed, ...Object.keys(vars)])];
  const saved = new Map(touched.map((k) => [k, process.env[k]]));
  for (const k of removed) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * The process object as a module loaded here sees it: the real one, but for `stdout`, which is
 * `stdout` (a recorder). Everything else (env, timers, versions) is the process's own.
 */
function processWithStdout(stdout: Writable): NodeJS.Process {
  return new Proxy(process, { get: (target, key) => (key === 'stdout' ? stdout : Reflect.get(target, key, target)) });
}

/** A module that throws, naming itself, when anything uses it. */
function unavailable(name: string): unknown {
  return new Proxy({}, {
    get: (_target, property) => {
      throw new Error(`${name} is not available in the local simulation (accessed ${String(property)})`);
    },
  });
}

/**
 * Loads a CommonJS file in this realm with `console` bound to the given one. Relative requires
 * load through the same loader (one module instance per load); anything in `stubs` is answered
 * from there; everything else (Node built-ins, installed packages) comes from this module's
 * own `require`, as Lambda's runtime would provide them.
 */
function loadCommonJs(file: string, moduleConsole: Console, stubs: Record<string, unknown>, cache = new Map<string, { exports: unknown }>(), moduleProcess: NodeJS.Process = process): unknown {
  const cached = cache.get(file);
  if (cached) return cached.exports;
  const module = { exports: {} as unknown };
  cache.set(file, module);
  const dir = path.dirname(file);
  const localRequire = (id: string): unknown => {
    if (id in stubs) return stubs[id];
    if (id.startsWith('./') || id.startsWith('../')) return loadCommonJs(resolveFile(path.resolve(dir, id)), moduleConsole, stubs, cache, moduleProcess);
    return require(id);
  };
  // sourceURL names the file in stack traces, as Lambda's trace would.
  const source = `${fs.readFileSync(file, 'utf8').replace(/^#!.*/, '')}\n//# sourceURL=${file}`;
  const body = new Function('exports', 'require', 'module', '__filename', '__dirname', 'console', 'process', source);
  body(module.exports, localRequire, module, file, dir, moduleConsole, moduleProcess);
  return module.exports;
}

function resolveFile(base: string): string {
  const file = [base, `${base}.js`, path.join(base, 'index.js')].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
  if (!file) throw new Error(`Cannot find module ${base}`);
  return file;
}
