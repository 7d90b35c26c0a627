/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Where time comes from, so tests can drive it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Schedule `callback` after `ms`. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancel a timer from {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Longest delay a Node/browser timer holds: 2^31-1 ms (about 24.8 days). A longer one fires after 1 ms
 * with a `TimeoutOverflowWarning`, which turns a long wait into a busy loop.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Clamps a timer delay into `[0, MAX_TIMER_DELAY_MS]`. `Infinity` becomes the maximum; `NaN` and
 * negative values become 0. Every timer the package arms goes through this (via {@link systemClock}).
 * @example
 * clampTimerDelay(3_000_000_000) // 2147483647
 */
export function clampTimerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_DELAY_MS ? MAX_TIMER_DELAY_MS : ms;
}

/**
 * The real clock: `Date.now()` and the global timers (looked up at call time, so fake timers work).
 * Delays are clamped to 2^31-1 ms (`clampTimerDelay`), so an oversized delay waits the maximum instead of 1 ms.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number): TimerHandle => setTimeout(callback, clampTimerDelay(ms)),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});
