import { systemClock } from 'kalshi-ws-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_DELAY_MS, clampTimerDelay } from '../../../src/ports/clock';

afterEach(() => {
  vi.useRealTimers();
});

describe('regression: timers above 2^31-1 ms (#19)', () => {
  it('clampTimerDelay keeps delays within what a timer can hold', () => {
    expect(MAX_TIMER_DELAY_MS).toBe(2 ** 31 - 1);
    expect(clampTimerDelay(3_000_000_000)).toBe(MAX_TIMER_DELAY_MS);
    expect(clampTimerDelay(Number.POSITIVE_INFINITY)).toBe(MAX_TIMER_DELAY_MS);
    expect(clampTimerDelay(1500)).toBe(1500);
    expect(clampTimerDelay(-5)).toBe(0);
    expect(clampTimerDelay(Number.NaN)).toBe(0);
  });

  it('systemClock.setTimeout with 3e9 ms waits the maximum instead of firing after 1 ms', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const handle = systemClock.setTimeout(fired, 3_000_000_000);
    vi.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_DELAY_MS);
    expect(fired).toHaveBeenCalledTimes(1);
    systemClock.clearTimeout(handle);
  });

  it('a real 3e9 ms timer prints no TimeoutOverflowWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const handle = systemClock.setTimeout(() => undefined, 3_000_000_000);
      systemClock.clearTimeout(handle);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
