/**
 * The handler's own deadline. Every wait (an AWS call, a back-off sleep) races it, so the
 * handler answers before its Lambda timeout whatever a dependency does, and says what it was
 * waiting for when time ran out.
 */
import { setMaxListeners } from 'events';

/** Thrown when the deadline passes; the message says what the handler was waiting for. */
export class DeadlineExceeded extends Error {
  public readonly name = 'DeadlineExceeded';
  constructor(public readonly stage: string, public readonly afterMs: number, public readonly budgetMs: number) {
    super(`timed out after ${Math.round(afterMs / 1000)} s waiting for ${stage}`);
  }
}

/**
 * Time a retry leaves at least, at the end of the last step: a throttled answer comes back in
 * well under this, so the handler answers with the service's own error, not with a timeout.
 */
const RETRY_MARGIN_MS = 2_000;

/** More than the secret members of one TestConnectionInput, plus the test itself. */
const MAX_REQUESTS_IN_FLIGHT = 1000;

export class Deadline {
  private readonly controller = new AbortController();
  private readonly expiry: Promise<never>;
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private stage = 'the handler to start';
  private reserveMs = RETRY_MARGIN_MS;

  constructor(public readonly budgetMs: number) {
    // Every request in flight (secrets are read in parallel) listens to the one signal.
    setMaxListeners(MAX_REQUESTS_IN_FLIGHT, this.controller.signal);
    let expire: (e: Error) => void = () => undefined;
    this.expiry = new Promise<never>((_, reject) => { expire = reject; });
    this.timer = setTimeout(() => {
      this.controller.abort();
      expire(new DeadlineExceeded(this.stage, Date.now() - this.startedAt, this.budgetMs));
    }, Math.max(0, budgetMs));
    this.expiry.catch(() => undefined); // observed by whoever races it
  }

  /** Aborts in-flight SDK requests when the deadline passes. */
  public get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left. */
  public remainingMs(): number {
    return this.startedAt + this.budgetMs - Date.now();
  }

  /**
   * How long the step now running may still start a retry (the SDK retry strategy asks, see
   * aws.ts): the time left, less what the step keeps for the steps after it.
   */
  public retryWindowMs(): number {
    return this.remainingMs() - this.reserveMs;
  }

  /**
   * Runs one step, named for the timeout message, racing the deadline. `keepMs` is kept for
   * the steps after it: its requests are not retried into that time.
   */
  public async run<T>(stage: string, step: () => Promise<T>, keepMs = 0): Promise<T> {
    this.stage = stage;
    this.reserveMs = Math.max(keepMs, RETRY_MARGIN_MS);
    if (this.controller.signal.aborted) throw new DeadlineExceeded(stage, Date.now() - this.startedAt, this.budgetMs);
    return Promise.race([step(), this.expiry]);
  }

  /** Sleeps, or rejects when the deadline passes first. */
  public sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([new Promise<void>((ok) => { timer = setTimeout(ok, ms); }), this.expiry])
      .finally(() => clearTimeout(timer));
  }

  /** Stops the timer; call when the handler answers. */
  public dispose(): void {
    clearTimeout(this.timer);
  }
}
