import { describe, expect, it } from 'vitest';
import { ConfigError, NotReadyError, isKalshiWsPoolError, systemClock } from 'kalshi-ws-pool';
import type { Clock, RawMessage, TimerHandle } from 'kalshi-ws-pool';
import { closeAfterEach, closeAfterTest } from '../../helpers/teardown';
import { harness, tickers } from './manager-helpers';

/** The system clock, counting timers still armed (leak check). */
function countingClock(): Clock & { readonly armed: number } {
  const live = new Set<TimerHandle>();
  return {
    get armed() {
      return live.size;
    },
    now: () => systemClock.now(),
    setTimeout(callback, ms) {
      const handle: TimerHandle = systemClock.setTimeout(() => {
        live.delete(handle);
        callback();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      systemClock.clearTimeout(handle);
    },
  };
}

closeAfterEach();

/** A harness whose manager is stopped after the test, terminating sockets at once (some never close cleanly). */
function started(...args: Parameters<typeof harness>) {
  const h = harness(...args);
  closeAfterTest({ close: () => h.manager.stop({ deadlineMs: 0 }) });
  return h;
}

describe('manager.ready() (#14)', () => {
  it('resolves once every placed market has its snapshot and every global channel is subscribed', async () => {
    const clock = countingClock();
    const { manager } = started(tickers(40), { clock }, { client: { snapshots: true } });
    await manager.start();
    await manager.ready({ timeoutMs: 5_000 });
    const health = manager.health();
    expect(health.placed).toBe(40);
    for (const c of health.connections) {
      expect(c.inSync).toBe(true);
      expect(c.sids).toHaveLength(1);
    }
    expect(health.connections.filter((c) => c.role === 'orderbook').reduce((n, c) => n + c.markets, 0)).toBe(40);
    // Every snapshot is already queued.
    const snapshots = new Set<number>();
    const it = manager.batches({ maxBatch: 1_000 });
    const batch = await it.next();
    await it.return?.();
    for (const m of (batch.value ?? []) as RawMessage[]) if (m.type === 'orderbook_snapshot') snapshots.add(m.seq! * 1_000 + m.connectionId);
    expect(snapshots.size).toBe(40);
    await manager.stop();
    expect(clock.armed).toBe(0);
  });

  it('times out with NotReadyError naming the connections still waiting for snapshots; no timer or listener left', async () => {
    const clock = countingClock();
    const { manager } = started(tickers(30), { clock }, { client: { snapshots: false } });
    await manager.start();
    const controller = new AbortController();
    const error = await manager.ready({ timeoutMs: 150, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotReadyError);
    expect(isKalshiWsPoolError(error, 'KWP_NOT_READY')).toBe(true);
    const notReady = error as NotReadyError;
    expect(notReady.reason).toBe('timeout');
    expect(notReady.connectionIds).toEqual([7, 8, 9]);
    expect(notReady.message).toMatch(/^ready\(\) timed out after 150 ms: 3 connections not ready \(connection 7: waiting for snapshots, /);
    expect(manager.state).toBe('running'); // the pool itself goes on
    await manager.stop();
    expect(clock.armed).toBe(0);
  });

  it('rejects with reason "aborted" (cause: the signal reason) and "stopped"', async () => {
    const { manager } = started(tickers(30), {}, { client: { snapshots: false } });
    const controller = new AbortController();
    const waiting = manager.ready({ signal: controller.signal }).catch((e: unknown) => e);
    await manager.start();
    const reason = new Error('user gave up');
    controller.abort(reason);
    const aborted = (await waiting) as NotReadyError;
    expect(aborted).toMatchObject({ code: 'KWP_NOT_READY', reason: 'aborted', cause: reason });
    const pending = manager.ready().catch((e: unknown) => e);
    await manager.stop();
    expect(await pending).toMatchObject({ reason: 'stopped' });
    expect(await manager.ready().catch((e: unknown) => e)).toMatchObject({ reason: 'stopped' });
    expect(await manager.ready({ signal: AbortSignal.abort() }).catch((e: unknown) => e)).toMatchObject({ reason: 'aborted' });
  });

  it('validates its options at once', () => {
    const { manager } = started([]);
    expect(() => manager.ready({ timeoutMs: -1 })).toThrow(ConfigError);
    expect(() => manager.ready({ signal: 'x' as unknown as AbortSignal })).toThrow(/signal: must be an AbortSignal/);
    expect(() => manager.ready({ timeout: 5 } as never)).toThrow(/did you mean 'timeoutMs'/);
  });
});

describe('messages({ signal }) / batches({ signal }) (#14)', () => {
  it('aborting ends the loop, the manager keeps running, and the next consumer gets what is queued', async () => {
    const { manager, fakes } = started(tickers(9), {}, { client: { snapshots: true } });
    await manager.start();
    await manager.ready({ timeoutMs: 5_000 });
    const controller = new AbortController();
    const seen: RawMessage[] = [];
    const loop = (async () => {
      for await (const m of manager.messages({ signal: controller.signal })) {
        seen.push(m);
        if (seen.length === 3) controller.abort();
      }
      return 'ended';
    })();
    await expect(loop).resolves.toBe('ended');
    expect(seen).toHaveLength(3);
    expect(manager.state).toBe('running');
    // 9 snapshots were queued: 3 read, 6 left for the next consumer, nothing lost.
    const rest: RawMessage[] = [];
    const second = new AbortController();
    const batches = (async () => {
      for await (const batch of manager.batches({ maxBatch: 2, signal: second.signal })) {
        rest.push(...batch);
        if (rest.length === 6) second.abort();
      }
    })();
    await batches;
    expect(rest).toHaveLength(6);
    expect(new Set([...seen, ...rest].map((m) => `${m.connectionId}/${m.seq}`)).size).toBe(9);
    // Still streaming: a waiting loop gets new frames, then ends on abort while waiting.
    const third = new AbortController();
    const more: RawMessage[] = [];
    const waiting = (async () => {
      for await (const m of manager.messages({ signal: third.signal })) more.push(m);
    })();
    fakes.latest(7)!.drop();
    await expect.poll(() => more.length, { timeout: 2_000 }).toBeGreaterThan(0);
    third.abort();
    await waiting;
    expect(manager.state).toBe('running');
  });

  it('the old batches(maxBatch) form still works; bad options are a ConfigError', async () => {
    const { manager } = started([]);
    expect(() => manager.batches(0)).toThrow(ConfigError);
    expect(() => manager.batches({ maxBatch: 0 })).toThrow(ConfigError);
    expect(() => manager.messages({ signal: {} as AbortSignal })).toThrow(ConfigError);
    const it = manager.batches(5);
    await it.return?.();
  });
});

describe('stop({ deadlineMs | signal }) (#14)', () => {
  function hangingCloses(closeTimeoutMs: number) {
    // Sockets that never finish their close handshake: only terminate() ends them.
    const h = started(tickers(9), { closeTimeoutMs }, { client: { snapshots: false }, configure: (c) => void (c.close = () => new Promise<void>(() => undefined)) });
    return h;
  }

  it('deadlineMs bounds how long stop() waits for sockets to close, then terminates them', async () => {
    const { manager, fakes } = hangingCloses(20_000);
    await manager.start();
    const began = Date.now();
    await manager.stop({ deadlineMs: 100 });
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(manager.state).toBe('stopped');
    expect(fakes.clients.every((c) => c.state === 'closed')).toBe(true);
  });

  it('an aborted signal does the same, also for a stop() already under way', async () => {
    const { manager, fakes } = hangingCloses(20_000);
    await manager.start();
    const first = manager.stop();
    const controller = new AbortController();
    const second = manager.stop({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const began = Date.now();
    await Promise.all([first, second]);
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(fakes.clients.every((c) => c.state === 'closed')).toBe(true);
  });

  it('validates deadlineMs', () => {
    const { manager } = started([]);
    expect(() => manager.stop({ deadlineMs: -1 })).toThrow(ConfigError);
    expect(() => manager.stop({ deadline: 5 } as never)).toThrow(/did you mean 'deadlineMs'/);
  });
});
