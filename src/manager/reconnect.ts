/**
 * One slot's reconnect loop.
 *
 * p-retry drives the attempts (`retries: Infinity`, `AbortError` for credential errors, the slot's
 * AbortSignal to cancel), but with `minTimeout: 0`: the delay is computed here and waited on the pool
 * clock inside `onFailedAttempt` (cancellable, fake-timer friendly). That is how the backoff level can
 * outlive one loop (it resets only after `stableAfterMs` of uptime) and how `Retry-After` stretches a
 * wait. See docs/decisions/manager-reconnect.md.
 * @internal
 */
import pRetry, { AbortError } from 'p-retry';
import { AuthError, ConfigError, RateLimitedError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { ManagerCounters } from './manager-stats';
import type { ReconnectOptions } from './manager-options';
import type { EmitEvent } from './pool-context';
import { backoffDelay, wait } from './pool-context';
import type { RateLimiter } from './rate-limiter';
import type { SlotRole } from './roles';

/** What the loop drives. @internal */
export interface ReconnectTarget {
  readonly connectionId: number;
  readonly role: SlotRole;
  /** Current client generation. */
  readonly generation: number;
  /** Dial once (admission, new client, handshake); resolves when open. */
  dial(signal: AbortSignal): Promise<void>;
  /** The loop stopped for good: credentials refused, or `reconnect.maxAttempts` reached. */
  giveUp(error: Error, reason: 'auth' | 'config' | 'max-attempts'): void;
}

/** What the loop needs from its pool (a narrow view, not the whole manager). @internal */
export interface ReconnectPorts {
  readonly options: { readonly reconnect: Required<ReconnectOptions> };
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'info'>;
  readonly counters: Pick<ManagerCounters, 'reconnectsSuccess' | 'reconnectsFailed'>;
  /** The pool-wide dial limiter: a 429 `Retry-After` holds every dial. */
  readonly admission: Pick<RateLimiter, 'holdFor'>;
  /** Emits `reconnecting` and `reconnected`. */
  readonly emit: EmitEvent;
  /** True once the pool is stopping: no new loop, no give-up report. */
  readonly stopped: boolean;
}

/** The circuit breaker tripped. @internal */
class MaxAttemptsReached extends Error {
  constructor(readonly last: Error) {
    super(last.message, { cause: last });
  }
}

/** Reconnects one slot, one loop at a time. @internal */
export class Reconnector {
  /** Backoff level: failures since the connection was last stable. */
  #level = 0;
  /** Failed dials since the last successful one (circuit breaker). */
  #failedDials = 0;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #reconnects = 0;

  constructor(
    private readonly target: ReconnectTarget,
    private readonly ctx: ReconnectPorts,
  ) {}

  /** True while a loop runs. */
  get active(): boolean {
    return this.#abort !== undefined;
  }

  /** Consecutive failed dials. */
  get failedDials(): number {
    return this.#failedDials;
  }

  /** Successful reconnects. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** A connection ended after `uptimeMs`: a stable one resets the backoff, a short one raises it. */
  noteUptime(uptimeMs: number): void {
    if (uptimeMs >= this.ctx.options.reconnect.stableAfterMs) this.#level = 0;
    else this.#level++;
  }

  /** A dial succeeded outside the loop (first dial at start). */
  noteConnected(): void {
    this.#failedDials = 0;
  }

  /**
   * Start the loop unless one runs. `firstError`: the dial that just failed (at start), counted as
   * the first failure.
   */
  start(firstError?: Error): void {
    if (this.#abort !== undefined || this.ctx.stopped) return;
    const controller = new AbortController();
    this.#abort = controller;
    this.#loop = this.#run(controller, firstError).finally(() => {
      if (this.#abort === controller) this.#abort = undefined;
    });
  }

  /** Abort the loop (and its wait or dial) and wait until it ended. */
  async cancel(): Promise<void> {
    this.#abort?.abort(new Error('reconnect cancelled'));
    await this.#loop;
  }

  async #run(controller: AbortController, firstError: Error | undefined): Promise<void> {
    const { signal } = controller;
    const { clock, counters } = this.ctx;
    const downSince = clock.now();
    let attempts = 0;
    try {
      let delay = firstError === undefined ? backoffDelay(this.#level, this.ctx.options.reconnect) : this.#failed(firstError);
      this.#announce(delay, firstError);
      await wait(clock, delay, signal);
      await pRetry(
        async () => {
          attempts++;
          try {
            await this.target.dial(signal);
          } catch (error) {
            // Credentials will not get better by retrying (docs/protocol.md), nor will a bad option.
            if (error instanceof AuthError || error instanceof ConfigError) throw new AbortError(error);
            throw error;
          }
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 0,
          signal,
          onFailedAttempt: async ({ error }) => {
            if (signal.aborted) throw signal.reason;
            delay = this.#failed(error);
            this.#announce(delay, error);
            await wait(clock, delay, signal);
          },
        },
      );
      this.#failedDials = 0;
      this.#reconnects++;
      counters.reconnectsSuccess++;
      this.ctx.emit('reconnected', {
        connectionId: this.target.connectionId,
        role: this.target.role,
        generation: this.target.generation,
        attempts,
        downtimeMs: clock.now() - downSince,
      });
    } catch (error) {
      if (signal.aborted || this.ctx.stopped) return;
      if (error instanceof AuthError) {
        counters.reconnectsFailed++;
        this.target.giveUp(error, 'auth');
      } else if (error instanceof ConfigError) {
        this.target.giveUp(error, 'config');
      } else if (error instanceof MaxAttemptsReached) {
        this.target.giveUp(error.last, 'max-attempts');
      } else {
        this.target.giveUp(error instanceof Error ? error : new Error(String(error)), 'max-attempts');
      }
    }
  }

  /** Count a failed dial; returns the wait before the next one. @throws {MaxAttemptsReached} */
  #failed(error: Error): number {
    this.ctx.counters.reconnectsFailed++;
    this.#failedDials++;
    this.#level++;
    const options = this.ctx.options.reconnect;
    if (this.#failedDials >= options.maxAttempts) throw new MaxAttemptsReached(error);
    let delay = backoffDelay(this.#level, options);
    if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
      // 429: the whole pool holds its dials, and this slot waits at least what the server asked, but never
      // longer than reconnect.maxDelayMs (at least 10 s): a hostile or broken Retry-After must not freeze the pool.
      const serverDelay = Math.min(error.retryAfterMs, Math.max(options.maxDelayMs, 10_000));
      this.ctx.admission.holdFor(serverDelay);
      delay = Math.max(delay, serverDelay);
    }
    return delay;
  }

  #announce(delayMs: number, error: Error | undefined): void {
    this.ctx.logger.info({ connectionId: this.target.connectionId, attempt: this.#failedDials, delayMs, err: error }, 'reconnecting');
    this.ctx.emit('reconnecting', {
      connectionId: this.target.connectionId,
      role: this.target.role,
      attempt: this.#failedDials,
      delayMs,
      error,
    });
  }
}
