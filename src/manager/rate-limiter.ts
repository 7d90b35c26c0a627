/**
 * Pool-wide admission limiter: one instance spaces dials, another spaces commands.
 *
 * Why this structure: a token bucket (refilled lazily from the clock on each call) lets an idle
 * limiter grant at once without any timer, while waiters queue FIFO in a doubly linked list so an
 * aborted waiter is unlinked in O(1). At most one timer exists, armed for the moment the head waiter
 * can be served; when nobody waits, no timer is left behind.
 * @internal
 */
import { ClosedError, ConfigError } from '../errors';
import { systemClock } from '../ports/clock';
import type { Clock, TimerHandle } from '../ports/clock';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained grants per second (> 0). */
  readonly ratePerSecond: number;
  /** Grants available at once after idling (integer >= 1). @default 1 */
  readonly burst?: number;
  /** Random extra delay, 0..jitterMs, added to every wait (not to immediate grants). @default 0 */
  readonly jitterMs?: number;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Random source in [0, 1), for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Option path used in `ConfigError` messages, e.g. `admission.dialsPerSecond`. @default 'rateLimiter' */
  readonly name?: string;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

/** Tolerance for floating-point refill arithmetic, so a token due "now" is not missed by 1e-12. */
const EPSILON = 1e-9;

/**
 * FIFO token-bucket limiter shared by the whole pool.
 * @internal
 * @example
 * const dials = new RateLimiter({ ratePerSecond: 10, jitterMs: 50 });
 * await dials.acquire(signal);
 * await client.connect(signal);
 */
export class RateLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #jitterMs: number;
  readonly #clock: Clock;
  readonly #random: () => number;

  #tokens: number;
  #refilledAt: number;
  #holdUntil = 0;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #waiting = 0;
  #granted = 0;
  #timer: TimerHandle | undefined;
  #closed = false;

  /** @throws {ConfigError} on a non-positive rate, a burst below 1 or a negative jitter. */
  constructor(options: RateLimiterOptions) {
    const name = options.name ?? 'rateLimiter';
    const { ratePerSecond, burst = 1, jitterMs = 0 } = options;
    if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new ConfigError(`${name}.ratePerSecond`, `must be a finite number > 0, got ${String(ratePerSecond)}`);
    }
    if (!Number.isSafeInteger(burst) || burst < 1) {
      throw new ConfigError(`${name}.burst`, `must be an integer >= 1, got ${String(burst)}`);
    }
    if (!Number.isFinite(jitterMs) || jitterMs < 0) {
      throw new ConfigError(`${name}.jitterMs`, `must be a finite number >= 0, got ${String(jitterMs)}`);
    }
    this.#perMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#jitterMs = jitterMs;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#tokens = burst;
    this.#refilledAt = this.#clock.now();
  }

  /** Callers waiting for a grant now. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Grants handed out so far. */
  get granted(): number {
    return this.#granted;
  }

  /**
   * Wait for a grant. Resolves at once (no timer) when a token is free and nobody is ahead.
   * @throws {ClosedError} (rejects) when the limiter is or gets closed.
   * @throws the signal's reason (rejects) when `signal` aborts first; the place in line is given up.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('rate limiter is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.#clock.now();
    this.#refill(now);
    if (this.#head === undefined && now >= this.#holdUntil && this.#tokens >= 1 - EPSILON) {
      this.#tokens -= 1;
      this.#granted++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined, prev: this.#tail, next: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          this.#unlink(waiter);
          if (this.#head === undefined) this.#disarm();
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (this.#tail === undefined) this.#head = waiter;
      else this.#tail.next = waiter;
      this.#tail = waiter;
      this.#waiting++;
      this.#arm();
    });
  }

  /** Grant nothing before `now + ms` (e.g. after HTTP 429 `Retry-After` or Kalshi error 27). Holds only extend. */
  holdFor(ms: number): void {
    if (this.#closed || !(ms > 0)) return;
    const until = this.#clock.now() + ms;
    if (until <= this.#holdUntil) return;
    this.#holdUntil = until;
    if (this.#head !== undefined) {
      this.#disarm();
      this.#arm();
    }
  }

  /** Reject every waiter with `ClosedError`, clear the timer; later `acquire()` rejects. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    const error = new ClosedError('rate limiter closed while waiting');
    while (this.#head !== undefined) {
      const waiter = this.#head;
      this.#unlink(waiter);
      waiter.reject(error);
    }
  }

  #refill(now: number): void {
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
    this.#refilledAt = now;
  }

  /** Arm the single timer for when the head waiter can be served. */
  #arm(): void {
    if (this.#timer !== undefined || this.#head === undefined) return;
    const now = this.#clock.now();
    this.#refill(now);
    const forToken = this.#tokens >= 1 - EPSILON ? 0 : (1 - this.#tokens) / this.#perMs;
    const delay = Math.max(this.#holdUntil - now, forToken, 0) + this.#random() * this.#jitterMs;
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.ceil(delay));
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    this.#refill(now);
    while (this.#head !== undefined && now >= this.#holdUntil && this.#tokens >= 1 - EPSILON) {
      const waiter = this.#head;
      this.#tokens -= 1;
      this.#granted++;
      this.#unlink(waiter);
      waiter.resolve();
    }
    this.#arm();
  };

  /** Remove a waiter from the line and drop its abort listener. */
  #unlink(waiter: Waiter): void {
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = waiter.next = undefined;
    this.#waiting--;
    if (waiter.onAbort !== undefined) {
      waiter.signal!.removeEventListener('abort', waiter.onAbort);
      waiter.onAbort = undefined;
    }
  }
}
