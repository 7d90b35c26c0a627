import { AuthError } from 'kalshi-ws-pool';
import type { ManagerErrorEvent, RawMessage } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { simConnectionOf, startPool, tickerOf, waitInSync } from './pool-helpers';
import type { Pool } from './pool-helpers';

let pool: Pool | undefined;
closeAfterEach();

describe('faults against the simulator (150 connections)', () => {
  it('error 25 on an orderbook sid: resubscribed with all its markets on a new sid', async () => {
    pool = await startPool();
    await waitInSync(pool.manager);
    const market = pool.sim.markets[7]!;
    const slot = pool.messages.find((m) => m.type === 'orderbook_snapshot' && tickerOf(m) === market)!.connectionId;
    const before = pool.manager.health().connections[slot - 1]!;
    const resubscribed = vi.fn();
    pool.manager.on('resubscribed', resubscribed);
    expect(pool.sim.faults.sidError({ connection: simConnectionOf(pool, market), sid: before.sids[0]! }, 25)).toBe(1);
    await vi.waitFor(() => expect(resubscribed).toHaveBeenCalled());
    await waitInSync(pool.manager);
    expect(resubscribed.mock.calls[0]![0]).toMatchObject({ connectionId: slot, kalshiCode: 25, sid: before.sids[0] });
    const after = pool.manager.health().connections[slot - 1]!;
    expect(after.sids[0]).not.toBe(before.sids[0]);
    expect(after.markets).toBe(before.markets);
    expect(pool.sim.connectionsHolding(market)).toHaveLength(1);
    expect(pool.sim.stats().marketsSubscribed).toBe(3_000);
    expect(pool.manager.stats().resubscribes).toBe(1);
  });

  it('error 26 (marketsPerSubscription) marks slots full and re-places or holds back the rest', async () => {
    const limit = 20; // 144 x 20 = 2,880 < 3,000 markets
    const unplaced = vi.fn();
    pool = await startPool({ limits: { marketsPerSubscription: limit } });
    pool.manager.on('unplaced', unplaced);
    await waitInSync(pool.manager, 20_000);
    const health = pool.manager.health();
    expect(health).toMatchObject({ placed: 144 * limit, unplaced: 3_000 - 144 * limit });
    expect(health.connections.filter((c) => c.role === 'orderbook').every((c) => c.markets === limit)).toBe(true);
    expect(pool.sim.stats().marketsSubscribed).toBe(144 * limit);
    expect(pool.sim.stats().errorsSent[26]).toBeGreaterThan(0);
    expect(unplaced).toHaveBeenCalled();
  });

  it('401 on one slot: a fatal error for that slot while the rest keeps streaming', async () => {
    pool = await startPool({ traffic: { orderbookDeltasPerSecond: 1_000 } });
    await waitInSync(pool.manager);
    const errors: ManagerErrorEvent[] = [];
    pool.manager.on('error', (e) => errors.push(e));
    const market = pool.sim.markets[0]!;
    const slot = pool.messages.find((m) => m.type === 'orderbook_snapshot' && tickerOf(m) === market)!.connectionId;
    pool.sim.faults.rejectHandshakes({ status: 401, count: 1 });
    pool.sim.faults.drop({ connection: simConnectionOf(pool, market) }, { mode: 'destroy' });
    await vi.waitFor(() => expect(errors.filter((e) => e.fatal)).toHaveLength(1), { timeout: 5_000 });
    const fatal = errors.find((e) => e.fatal)!;
    expect(fatal.connectionId).toBe(slot);
    expect(fatal.error).toBeInstanceOf(AuthError);
    const before = pool.messages.length;
    await vi.waitFor(() => expect(pool!.messages.length).toBeGreaterThan(before + 200));
    const health = pool.manager.health();
    expect(health.connections[slot - 1]!.state).toBe('failed');
    expect(health).toMatchObject({ connected: 149, healthy: true });
    expect(pool.sim.stats().handshakesRejected[401]).toBe(1);
  });

  it("a slow consumer with 'pause' loses nothing locally and sees no gaps", async () => {
    pool = await startPool(
      { traffic: { orderbookDeltasPerSecond: 4_000, tradesPerSecond: 500 } },
      { queue: { capacity: 200, lowWaterMark: 50, overflow: 'pause' } },
      false,
    );
    let paused = 0;
    const seen: RawMessage[] = [];
    const iterator = pool.manager.messages();
    const t0 = Date.now();
    while (Date.now() - t0 < 1_500) {
      const next = await iterator.next();
      if (next.done === true) break;
      seen.push(next.value);
      if (seen.length % 100 === 0) {
        if (pool.manager.health().paused) paused++;
        await new Promise((r) => setTimeout(r, 5)); // slow: about 20k msgs/s at most, in bursts
      }
    }
    await iterator.return?.();
    const stats = pool.manager.stats();
    expect(paused).toBeGreaterThan(0);
    expect(stats.queueDrops).toBe(0);
    expect(stats.gaps).toBe(0);
    expect(seen.some((m) => m.seqGap)).toBe(false);
    expect(seen.length).toBeGreaterThan(1_000);
  });
});
