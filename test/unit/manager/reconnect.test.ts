import { AuthError, ConfigError, ConnectError, RateLimitedError } from 'kalshi-ws-pool';
import type { ReconnectedEvent, ReconnectingEvent } from 'kalshi-ws-pool';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { managerDefaults } from '../../../src/manager/manager-options';
import type { EmitEvent } from '../../../src/manager/pool-context';
import { Reconnector } from '../../../src/manager/reconnect';
import type { ReconnectPorts, ReconnectTarget } from '../../../src/manager/reconnect';

const RECONNECT = { ...managerDefaults.reconnect, initialDelayMs: 100, maxDelayMs: 1_000, randomize: false, stableAfterMs: 5_000 };

/**
 * A small fake of the loop's ports and target: the pool clock on vitest's fake timers, a dial that
 * follows a script (an error to throw, or `undefined` to connect). No sockets, no manager.
 */
function setup(dials: (Error | undefined)[], reconnect: Partial<typeof RECONNECT> = {}) {
  const reconnecting: ReconnectingEvent[] = [];
  const reconnected: ReconnectedEvent[] = [];
  const gaveUp: { error: Error; reason: string }[] = [];
  const holds: number[] = [];
  let generation = 0;
  let dialCount = 0;
  const emit: EmitEvent = (event, payload) => {
    if (event === 'reconnecting') reconnecting.push(payload as ReconnectingEvent);
    if (event === 'reconnected') reconnected.push(payload as ReconnectedEvent);
  };
  const ports: ReconnectPorts & { stopped: boolean } = {
    options: { reconnect: { ...RECONNECT, ...reconnect } },
    clock: {
      now: () => Date.now(),
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
    },
    logger: { info: () => undefined },
    counters: { reconnectsSuccess: 0, reconnectsFailed: 0 },
    admission: { holdFor: (ms) => void holds.push(ms) },
    emit,
    stopped: false,
  };
  const target: ReconnectTarget = {
    connectionId: 4,
    role: 'trade',
    get generation() {
      return generation;
    },
    dial: () => {
      dialCount++;
      const next = dials.shift();
      if (next !== undefined) return Promise.reject(next);
      generation++;
      return Promise.resolve();
    },
    giveUp: (error, reason) => void gaveUp.push({ error, reason }),
  };
  const reconnector = new Reconnector(target, ports);
  return { reconnector, ports, reconnecting, reconnected, gaveUp, holds, dials: () => dialCount };
}

const down = (): ConnectError => new ConnectError('refused', { connectionId: 4 });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Reconnector (fake ports)', () => {
  it('backs off after each failed dial and reports the reconnect', async () => {
    const t = setup([down(), down(), undefined]);
    t.reconnector.start();
    expect(t.reconnector.active).toBe(true);
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(100);
      expect(t.reconnected).toHaveLength(1);
    });
    expect(t.reconnecting.map((e) => e.delayMs)).toEqual([0, 100, 200]);
    expect(t.reconnecting.map((e) => e.attempt)).toEqual([0, 1, 2]);
    expect(t.reconnected[0]).toMatchObject({ connectionId: 4, role: 'trade', generation: 1, attempts: 3 });
    expect(t.ports.counters).toEqual({ reconnectsSuccess: 1, reconnectsFailed: 2 });
    expect(t.reconnector.reconnects).toBe(1);
    expect(t.reconnector.failedDials).toBe(0);
    await vi.waitFor(() => expect(t.reconnector.active).toBe(false));
  });

  it('a short uptime raises the backoff level; a stable one resets it', async () => {
    const t = setup([undefined, undefined]);
    t.reconnector.noteUptime(10);
    t.reconnector.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(100);
      expect(t.reconnected).toHaveLength(1);
    });
    await vi.waitFor(() => expect(t.reconnector.active).toBe(false));
    t.reconnector.noteUptime(5_000);
    t.reconnector.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(0);
      expect(t.reconnected).toHaveLength(2);
    });
    expect(t.reconnecting.map((e) => e.delayMs)).toEqual([100, 0]);
  });

  it('gives up at once on credential or option errors', async () => {
    const auth = setup([new AuthError('bad key', { status: 401 })]);
    auth.reconnector.start();
    await vi.waitFor(() => expect(auth.gaveUp).toHaveLength(1));
    expect(auth.gaveUp[0]!.reason).toBe('auth');
    expect(auth.dials()).toBe(1);
    const config = setup([new ConfigError('url', 'bad')]);
    config.reconnector.start();
    await vi.waitFor(() => expect(config.gaveUp).toHaveLength(1));
    expect(config.gaveUp[0]!.reason).toBe('config');
  });

  it('trips the circuit breaker after maxAttempts failed dials', async () => {
    const t = setup([down(), down(), down()], { maxAttempts: 2 });
    t.reconnector.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(100);
      expect(t.gaveUp).toHaveLength(1);
    });
    expect(t.gaveUp[0]).toMatchObject({ reason: 'max-attempts' });
    expect(t.gaveUp[0]!.error.message).toBe('refused');
    expect(t.dials()).toBe(2);
  });

  it('a 429 holds every dial of the pool for Retry-After, capped at max(maxDelayMs, 10 s)', async () => {
    const t = setup([new RateLimitedError('slow down', { retryAfterMs: 4_000 }), new RateLimitedError('slow down', { retryAfterMs: 3_600_000 }), undefined]);
    t.reconnector.start();
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(t.reconnected).toHaveLength(1);
    });
    expect(t.holds).toEqual([4_000, 10_000]);
    expect(t.reconnecting.map((e) => e.delayMs)).toEqual([0, 4_000, 10_000]);
  });

  it('cancel() ends a waiting loop without giving up; nothing starts once the pool stopped', async () => {
    const t = setup([down(), undefined]);
    t.reconnector.start();
    await vi.waitFor(() => expect(t.reconnecting).toHaveLength(2)); // waiting 100 ms after the failed dial
    await t.reconnector.cancel();
    expect(t.reconnector.active).toBe(false);
    expect(t.gaveUp).toEqual([]);
    expect(t.reconnected).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    t.ports.stopped = true;
    t.reconnector.start();
    expect(t.reconnector.active).toBe(false);
  });
});
