import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClosedError, ConfigError } from 'kalshi-ws-pool';
import type { Clock, TimerHandle } from 'kalshi-ws-pool';
import { RateLimiter } from '../../../src/manager/rate-limiter';

/** A Clock driven by hand: timers fire when `advance()` passes their due time. */
class ManualClock implements Clock {
  time = 1_000_000;
  readonly timers = new Map<number, { due: number; callback: () => void }>();
  #nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.timers.set(id, { due: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }
  /** Advance time, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      let first: [number, { due: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].due <= end && (first === undefined || entry[1].due < first[1].due)) first = entry;
      if (first === undefined) break;
      this.timers.delete(first[0]);
      this.time = Math.max(this.time, first[1].due);
      first[1].callback();
      await Promise.resolve();
    }
    this.time = end;
    await Promise.resolve();
  }
}

describe('RateLimiter (fake timers, system clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('validates options', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0 })).toThrow(ConfigError);
    expect(() => new RateLimiter({ ratePerSecond: Number.NaN })).toThrow(ConfigError);
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow(/burst/);
    expect(() => new RateLimiter({ ratePerSecond: 1, jitterMs: -1 })).toThrow(/jitterMs/);
    expect(() => new RateLimiter({ ratePerSecond: -1, name: 'admission.dialsPerSecond' })).toThrow(
      /admission\.dialsPerSecond\.ratePerSecond/,
    );
  });

  it('grants at once without a timer while tokens last', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 3 });
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    expect(limiter.granted).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
    const fourth = limiter.acquire();
    expect(limiter.waiting).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await fourth;
    expect(limiter.granted).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('respects the rate: 10/s -> 50 grants take >= 4.9 s and no 1 s window exceeds burst + rate', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 10 });
    const start = Date.now();
    const times: number[] = [];
    const all = Array.from({ length: 50 }, () => limiter.acquire().then(() => times.push(Date.now() - start)));
    expect(limiter.waiting).toBe(49);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(all);
    expect(times.length).toBe(50);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(4_900);
    for (const t of times) expect(times.filter((u) => u >= t && u <= t + 1_000).length).toBeLessThanOrEqual(11);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('respects the rate with a burst and jitter', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 20, burst: 5, jitterMs: 30, random: () => 0.5 });
    const start = Date.now();
    const times: number[] = [];
    const all = Array.from({ length: 105 }, () => limiter.acquire().then(() => times.push(Date.now() - start)));
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(all);
    // 5 at once, then 100 more at <= 20/s (slower with jitter).
    expect(times.filter((t) => t === 0).length).toBe(5);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(5_000);
    for (const t of times) expect(times.filter((u) => u >= t && u <= t + 1_000).length).toBeLessThanOrEqual(25);
    // Exact schedule, so dropping the jitter fails: the first wait is one token (50 ms) + 0.5 * 30 ms; the
    // 15 ms waited past the token are refilled into the bucket, so later waits are 35 + 15 = 50 ms each.
    expect(times).toEqual([0, 0, 0, 0, 0, ...Array.from({ length: 100 }, (_, k) => 65 + 50 * k)]);
  });

  it('serves waiters in FIFO order', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 100 });
    const order: number[] = [];
    const all = Array.from({ length: 20 }, (_, i) => limiter.acquire().then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('abort removes the waiter and its listener; the others keep their order', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 10 });
    await limiter.acquire();
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const order: string[] = [];
    const a = limiter.acquire().then(() => order.push('a'));
    const b = limiter.acquire(controller.signal);
    const c = limiter.acquire().then(() => order.push('c'));
    expect(limiter.waiting).toBe(3);
    controller.abort(new Error('cancelled'));
    await expect(b).rejects.toThrow('cancelled');
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    expect(limiter.waiting).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all([a, c]);
    expect(order).toEqual(['a', 'c']);
    expect(limiter.granted).toBe(3);
  });

  it('an already-aborted signal rejects at once; aborting the only waiter clears the timer', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1 });
    await expect(limiter.acquire(AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('late'));
    await expect(waiting).rejects.toThrow('late');
    expect(vi.getTimerCount()).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('holdFor delays every grant until the hold ends, including immediate ones', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 100, burst: 10 });
    const start = Date.now();
    limiter.holdFor(3_000);
    limiter.holdFor(1_000); // shorter holds never shorten
    const times: number[] = [];
    const all = Array.from({ length: 3 }, () => limiter.acquire().then(() => times.push(Date.now() - start)));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(all);
    expect(times).toEqual([3_000, 3_000, 3_000]);
  });

  it('holdFor while waiting pushes the pending grant back', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 10 });
    await limiter.acquire();
    let done = false;
    const waiting = limiter.acquire().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(50);
    limiter.holdFor(2_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_050);
    await waiting;
    expect(done).toBe(true);
  });

  it('close rejects waiters with ClosedError, clears the timer, and later acquire rejects', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const a = limiter.acquire(controller.signal);
    const b = limiter.acquire();
    expect(vi.getTimerCount()).toBe(1);
    limiter.close();
    limiter.close();
    await expect(a).rejects.toBeInstanceOf(ClosedError);
    await expect(b).rejects.toBeInstanceOf(ClosedError);
    expect(remove).toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    expect(limiter.waiting).toBe(0);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(ClosedError);
    limiter.holdFor(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RateLimiter (manual Clock port)', () => {
  it('uses the injected clock for time and timers', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 2, clock });
    const granted: number[] = [];
    const all = Array.from({ length: 5 }, () => limiter.acquire().then(() => granted.push(clock.now())));
    await clock.advance(0);
    expect(granted.length).toBe(1); // the first one needs no timer
    expect(clock.timers.size).toBe(1);
    await clock.advance(2_000);
    await Promise.all(all);
    expect(granted.map((t) => t - 1_000_000)).toEqual([0, 500, 1_000, 1_500, 2_000]);
    expect(clock.timers.size).toBe(0);
  });

  it('refills to at most burst after idling', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 2, clock });
    await clock.advance(60_000);
    await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const pending = limiter.acquire().then(() => (third = true));
    await Promise.resolve();
    expect(third).toBe(false);
    await clock.advance(100);
    await pending;
    expect(third).toBe(true);
  });

  it('adds random() * jitterMs to every timed wait, never to an immediate grant (mutation survivor)', async () => {
    const clock = new ManualClock();
    const random = vi.fn(() => 0.5);
    const limiter = new RateLimiter({ ratePerSecond: 10, jitterMs: 100, clock, random });
    await limiter.acquire(); // immediate: no jitter drawn
    expect(random).not.toHaveBeenCalled();
    let granted: number | undefined;
    const second = limiter.acquire().then(() => (granted = clock.now() - 1_000_000));
    expect(random).toHaveBeenCalledTimes(1);
    await clock.advance(149); // token due at 100 ms, plus 50 ms of jitter
    expect(granted).toBeUndefined();
    await clock.advance(1);
    await second;
    expect(granted).toBe(150);
  });

  it('counts partially refilled tokens: 10/s, second acquire at 60 ms is granted at 100 ms (mutation survivor)', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, clock });
    await limiter.acquire();
    await clock.advance(60);
    let granted: number | undefined;
    const second = limiter.acquire().then(() => (granted = clock.now() - 1_000_000));
    expect(clock.timers.size).toBe(1);
    expect([...clock.timers.values()][0]!.due - 1_000_000).toBe(100); // not 160
    await clock.advance(39);
    expect(granted).toBeUndefined();
    await clock.advance(1);
    await second;
    expect(granted).toBe(100);
    expect(clock.timers.size).toBe(0);
  });

  it('a hold with jitter waits hold + jitter, and grants the rest at the rate after it', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 100, burst: 2, jitterMs: 10, clock, random: () => 0.3 });
    limiter.holdFor(500);
    const times: number[] = [];
    const all = Array.from({ length: 3 }, () => limiter.acquire().then(() => times.push(clock.now() - 1_000_000)));
    await clock.advance(1_000);
    await Promise.all(all);
    // Hold 500 + 3 jitter: two tokens at once (burst 2), the third one token (10 ms) + 3 ms later.
    expect(times).toEqual([503, 503, 516]);
  });
});

describe('RateLimiter (manual Clock port): exact grants, holds and messages', () => {
  const dues = (clock: ManualClock): number[] => [...clock.timers.values()].map((timer) => timer.due - clock.time);

  it('names the option and the value in every ConfigError, and says why acquire was refused', async () => {
    expect(() => new RateLimiter({ ratePerSecond: 0 })).toThrow('rateLimiter.ratePerSecond: must be a finite number > 0, got 0');
    expect(() => new RateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow('rateLimiter.burst: must be an integer >= 1, got 0');
    expect(() => new RateLimiter({ ratePerSecond: 1, jitterMs: -1 })).toThrow('rateLimiter.jitterMs: must be a finite number >= 0, got -1');
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 1, clock });
    await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.close();
    await expect(waiting).rejects.toThrow('rate limiter closed while waiting');
    await expect(limiter.acquire()).rejects.toThrow('rate limiter is closed');
  });

  it('grants at once (synchronously counted) exactly when a token has refilled and a hold has ended', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, clock });
    void limiter.acquire();
    expect(limiter.granted).toBe(1);
    void limiter.acquire().catch(() => undefined); // no token: waits
    expect(limiter.granted).toBe(1);
    limiter.close();

    const idle = new RateLimiter({ ratePerSecond: 10, clock });
    void idle.acquire();
    clock.time += 100; // one token refilled, no timer involved
    void idle.acquire();
    expect(idle.granted).toBe(2);
    idle.holdFor(300);
    clock.time += 300; // the hold ends exactly now, and three tokens' worth of time passed
    void idle.acquire();
    expect(idle.granted).toBe(3);
    expect(clock.timers.size).toBe(0);
  });

  it('holdFor ignores NaN and non-positive holds', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 3, clock });
    limiter.holdFor(-5);
    limiter.holdFor(Number.NaN); // last: a later hold would overwrite a stored NaN
    void limiter.acquire();
    void limiter.acquire();
    expect(limiter.granted).toBe(2);
  });

  it('holdFor while a waiter waits re-arms the one timer for the end of the hold', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, clock });
    await limiter.acquire();
    let done = false;
    const waiting = limiter.acquire().then(() => (done = true));
    expect(dues(clock)).toEqual([100]);
    await clock.advance(50);
    limiter.holdFor(2_000);
    expect(dues(clock)).toEqual([2_000]);
    await clock.advance(1_999);
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('a hold shorter than the token wait re-arms for the token, counting the time already waited', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, clock });
    await limiter.acquire();
    const waiting = limiter.acquire();
    await clock.advance(50);
    limiter.holdFor(10);
    expect(dues(clock)).toEqual([50]); // half a token is already there
    limiter.close();
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
  });

  it('a clock stepping back takes no tokens away', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 2, clock });
    clock.time -= 1_000;
    void limiter.acquire();
    void limiter.acquire();
    expect(limiter.granted).toBe(2);
  });
});
