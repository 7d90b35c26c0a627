/**
 * The one backoff and abortable-wait implementation of the package (reconnects, command retries, REST
 * paging). One jitter rule everywhere: the exponential delay is multiplied by a random factor in `[1, 2)`
 * (when randomized), then capped, then rounded to whole ms (docs/reconnection.md).
 * @internal
 */
import type { Clock } from '../ports/clock';

/** Shape of an exponential backoff. @internal */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly randomize: boolean;
}

/**
 * Delay before retry number `n` (1-based): `initialDelayMs * factor^(n-1)`, times a random factor in
 * `[1, 2)` when `randomize`, capped at `maxDelayMs`, rounded. `n <= 0` gives 0.
 * @internal
 */
export function backoffDelay(n: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (n <= 0) return 0;
  const base = options.initialDelayMs * options.factor ** (n - 1);
  const jittered = options.randomize ? base * (1 + random()) : base;
  return Math.round(Math.min(jittered, options.maxDelayMs));
}

/**
 * Waits `ms` on `clock`; rejects with the signal's reason on abort. No timer or listener survives.
 * @internal
 */
export function abortableWait(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts (the promise
 * itself keeps running). Leaves no listener behind.
 * @internal
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
