/**
 * The AWS clients, created for each invocation (see createClients): the one place every client
 * of the handler is built, so that every one gets the same retry strategy, timeouts and logger.
 * They take the SDK's standard configuration from the environment (AWS_REGION,
 * AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_GLUE and the other per-service endpoints), which is how VPC
 * endpoints, other partitions and the local simulation reach them.
 *
 * Retries: DeadlineRetryStrategy, on the SDK's own retry interface (RetryStrategyV2, used by
 * the SDK's retry middleware; nothing loops around `send`):
 *
 * | error (the SDK's classification)                 | retried                                         |
 * | ------------------------------------------------ | ----------------------------------------------- |
 * | THROTTLING (ThrottlingException, 429, ...)       | until the step's share of the deadline runs out |
 * | TRANSIENT (500/502/503/504, resets, timeouts)    | at most AWS_MAX_ATTEMPTS - 1 times (default 4)  |
 * | SERVER_ERROR (other 5xx), CLIENT_ERROR (4xx)     | never: a definitive answer fails at once        |
 *
 * Back-off is exponential with full jitter, capped at 20 s, from 500 ms for throttling and
 * 100 ms otherwise; a retry whose back-off would end after the step's retry window is refused,
 * so the caller sees Glue's own error (e.g. "ThrottlingException: Rate exceeded") in time to
 * answer, rather than a timeout. Why not the SDK's modes: `standard` stops after a fixed count
 * (five attempts fail a good deployment under a sustained rate limit), and `adaptive` paces
 * requests with a rate limiter that lives in one client, that is one invocation, so it cannot
 * pace the 200 Lambda invocations a large stack starts at once; a deadline can. The strategy
 * keeps no retry quota across requests: clients live for one invocation, and a quota drained
 * by one event must not fail the next (test/sim/fault/fault.test.ts).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GlueClient } from '@aws-sdk/client-glue';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger as SdkLogger, RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import type { Agent } from 'https';
import type { Logger } from './log';

/** Attempts of one request that fails with transient errors (5xx, resets, timeouts). */
const DEFAULT_MAX_ATTEMPTS = 5;
const THROTTLING_BASE_DELAY_MS = 500;
const TRANSIENT_BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 20_000;
/** The per-attempt timeout of TestConnection, which can take minutes in a VPC. */
const TEST_CONNECTION_ATTEMPT_MS = 240_000;
/** The per-attempt timeout of the other calls, which answer in well under a second. */
const OTHER_ATTEMPT_MS = 15_000;
const CONNECTION_TIMEOUT_MS = 5_000;

/** How long the step now running may still start a retry (Deadline.retryWindowMs). */
export interface RetryWindow {
  retryWindowMs(): number;
}

/** What the retries of one invocation came to, for its log line (and the load benchmark). */
export interface RetryStats {
  /** Retries of any request. */
  retries: number;
  /** Of which after throttling. */
  throttled: number;
  /** The longest back-off slept before one retry. */
  largestDelayMs: number;
}

class Token implements RetryToken {
  constructor(public readonly throttles: number, public readonly transients: number, private readonly delayMs: number) {}
  getRetryCount(): number {
    return this.throttles + this.transients;
  }
  getRetryDelay(): number {
    return this.delayMs;
  }
}

/** Exponential back-off with full jitter: uniform in [0, min(cap, base * 2^n)). */
function backoff(baseMs: number, n: number): number {
  return Math.random() * Math.min(MAX_DELAY_MS, baseMs * 2 ** n);
}

/** See the header. One per invocation, shared by its clients. */
export class DeadlineRetryStrategy implements RetryStrategyV2 {
  public readonly stats: RetryStats = { retries: 0, throttled: 0, largestDelayMs: 0 };

  constructor(private readonly window: RetryWindow, private readonly maxAttempts = maxAttemptsFromEnvironment()) {}

  public async acquireInitialRetryToken(): Promise<RetryToken> {
    return new Token(0, 0, 0);
  }

  public async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const { throttles, transients } = token as Token;
    let next: Token;
    if (info.errorType === 'THROTTLING') {
      next = new Token(throttles + 1, transients, backoff(THROTTLING_BASE_DELAY_MS, throttles));
    } else if (info.errorType === 'TRANSIENT' && transients + 1 < this.maxAttempts) {
      next = new Token(throttles, transients + 1, backoff(TRANSIENT_BASE_DELAY_MS, transients));
    } else {
      // The SDK's middleware rethrows the request's own error when the strategy refuses.
      throw new Error('not retried');
    }
    const hinted = info.retryAfterHint ? Math.max(next.getRetryDelay(), info.retryAfterHint.getTime() - Date.now()) : next.getRetryDelay();
    if (hinted > this.window.retryWindowMs()) throw new Error('not retried: the step has no time left for this back-off');
    if (hinted !== next.getRetryDelay()) next = new Token(next.throttles, next.transients, hinted);
    this.stats.retries++;
    if (info.errorType === 'THROTTLING') this.stats.throttled++;
    this.stats.largestDelayMs = Math.max(this.stats.largestDelayMs, Math.round(hinted));
    return next;
  }

  public recordSuccess(): void {
    // No quota to refund: see the header.
  }
}

/** AWS_MAX_ATTEMPTS, the SDK's standard setting, bounds transient retries; throttling is bounded by time. */
function maxAttemptsFromEnvironment(): number {
  const value = Number(process.env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(value) && value >= 1 ? value : DEFAULT_MAX_ATTEMPTS;
}

/**
 * The HTTP handler's warnings (socket capacity and the like, plain strings), as the handler's
 * own JSON log lines rather than bare text on stderr. Only strings are logged, and only the HTTP
 * handler gets this logger: the client's own logger (left as the SDK's no-op) would log every
 * request's input and error objects, and a TestConnectionInput carries resolved passwords in
 * members the SDK does not mark sensitive.
 */
function httpHandlerLogger(log: Logger): SdkLogger {
  const text = (args: unknown[]) => args.filter((a): a is string => typeof a === 'string').join(' ');
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...args) => log.warn('AWS SDK HTTP handler', { detail: text(args) }),
    error: (...args) => log.error('AWS SDK HTTP handler', { detail: text(args) }),
  };
}

/**
 * What a caller other than the handler sets on the clients: the command line's global options
 * (`--region`, `--profile`, `--endpoint-url`, `--cli-read-timeout`, `--cli-connect-timeout`,
 * `--ca-bundle`). The handler sets none: its clients take the SDK's configuration from the
 * Lambda's environment.
 */
export interface ClientOptions {
  readonly region?: string;
  /** A profile of the shared config and credentials files, for the SDK's default credential chain and region. */
  readonly profile?: string;
  /** Glue's endpoint only, as `aws glue --endpoint-url` sets it; Secrets Manager and EC2 keep theirs. */
  readonly glueEndpoint?: string;
  /** Per attempt; 0 for none. Default: the handler's (TestConnection 240 s, others 15 s). */
  readonly requestTimeoutMs?: number;
  /** 0 for none. Default 5 s. */
  readonly connectionTimeoutMs?: number;
  /** For a CA bundle or unverified TLS. */
  readonly httpsAgent?: Agent;
}

/** The configuration of every client: the place to change how the handler talks to AWS. */
export function clientConfig(requestTimeoutMs: number, retryStrategy: RetryStrategyV2, log: Logger, options: ClientOptions = {}, endpoint?: string) {
  return {
    retryStrategy,
    maxAttempts: maxAttemptsFromEnvironment(),
    ...(options.region !== undefined && { region: options.region }),
    ...(options.profile !== undefined && { profile: options.profile }),
    ...(endpoint !== undefined && { endpoint }),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: options.requestTimeoutMs ?? requestTimeoutMs,
      // Without it, the HTTP handler only prints a warning when requestTimeout passes and keeps
      // waiting: the timeout must end the attempt (a TRANSIENT TimeoutError, retried as such).
      throwOnRequestTimeout: true,
      logger: httpHandlerLogger(log),
      ...(options.httpsAgent !== undefined && { httpsAgent: options.httpsAgent }),
    },
  };
}

export interface Clients {
  readonly glue: GlueClient;
  readonly secretsManager: SecretsManagerClient;
  readonly cloudFormation: CloudFormationClient;
  /** For the network inspection's Describe calls (inspect-network.ts); built only when it runs. */
  readonly ec2: EC2Client;
  /** The retries of every request these clients sent. */
  readonly retries: RetryStats;
  /** Closes their sockets; call when the invocation answers. */
  destroy(): void;
}

/**
 * New clients for one invocation (or one step with its own deadline), built when first used.
 * Not shared across invocations: a client's connection pool and retry state must not carry
 * one event's trouble into the next event in the same warm container.
 */
export function createClients(window: RetryWindow, log: Logger, options: ClientOptions = {}): Clients {
  const strategy = new DeadlineRetryStrategy(window);
  const built: { destroy(): void }[] = [];
  const lazy = <T extends { destroy(): void }>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) built.push(client = make());
      return client;
    };
  };
  const glue = lazy(() => new GlueClient(clientConfig(TEST_CONNECTION_ATTEMPT_MS, strategy, log, options, options.glueEndpoint)));
  const secretsManager = lazy(() => new SecretsManagerClient(clientConfig(OTHER_ATTEMPT_MS, strategy, log, options)));
  const cloudFormation = lazy(() => new CloudFormationClient(clientConfig(OTHER_ATTEMPT_MS, strategy, log, options)));
  const ec2 = lazy(() => new EC2Client(clientConfig(OTHER_ATTEMPT_MS, strategy, log, options)));
  return {
    get glue() {
      return glue();
    },
    get secretsManager() {
      return secretsManager();
    },
    get cloudFormation() {
      return cloudFormation();
    },
    get ec2() {
      return ec2();
    },
    retries: strategy.stats,
    destroy: () => built.forEach((c) => c.destroy()),
  };
}
