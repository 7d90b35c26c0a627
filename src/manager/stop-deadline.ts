/**
 * The bound on how long `stop()` waits for sockets to close. `stop()` closes each socket politely (close
 * frame, up to `closeTimeoutMs`); a deadline or an abort signal given to `stop()` cuts that short and
 * terminates whatever is still open. Every `stop()` call may bring its own bound: the first to expire
 * forces the close for all of them.
 * @internal
 */
import { ClosedError, ConfigError } from '../errors';
import type { Clock } from '../ports/clock';
import { readDuration, readOptions } from '../internal/validate';

/** Options of `manager.stop()`. */
export interface StopOptions {
  /**
   * Longest time, in ms, to wait for sockets to close (and a router to drain) before terminating them.
   * `0` terminates at once. Without it, each socket gets `closeTimeoutMs`.
   * @default undefined
   */
  readonly deadlineMs?: number;
  /** Aborting it terminates the sockets still open, like a reached `deadlineMs`. */
  readonly signal?: AbortSignal;
}

const STOP_OPTION_KEYS = ['deadlineMs', 'signal'] as const;

/**
 * Validates `options` and arms its deadline and signal against `force`.
 * @returns a disarm function (clears the timer and the listener), or `undefined` when nothing was armed.
 * @throws {ConfigError} naming `deadlineMs` or `signal`.
 */
export function armStopDeadline(options: StopOptions | undefined, clock: Clock, force: AbortController): (() => void) | undefined {
  if (options === undefined) return undefined;
  const bag = readOptions(options, '', STOP_OPTION_KEYS);
  const deadlineValue = bag['deadlineMs'];
  const deadlineMs = deadlineValue === undefined ? undefined : readDuration(deadlineValue, 0, 'deadlineMs');
  const signal = bag['signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ConfigError('signal', 'must be an AbortSignal');
  if (force.signal.aborted) return undefined;
  const fire = (why: string): void => {
    if (!force.signal.aborted) force.abort(new ClosedError(`stop(): ${why}; terminating the sockets still open`));
  };
  if (signal?.aborted === true || deadlineMs === 0) {
    fire(deadlineMs === 0 ? 'deadline of 0 ms' : 'signal aborted');
    return undefined;
  }
  const timer = deadlineMs === undefined ? undefined : clock.setTimeout(() => fire(`deadline of ${deadlineMs} ms reached`), deadlineMs);
  const onAbort = (): void => fire('signal aborted');
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
}

/** Resolves when `force` aborts; `dispose()` removes its listener. @internal */
export function whenForced(force: AbortSignal): { readonly promise: Promise<void>; dispose(): void } {
  if (force.aborted) return { promise: Promise.resolve(), dispose: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    force.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => force.removeEventListener('abort', onAbort) };
}
