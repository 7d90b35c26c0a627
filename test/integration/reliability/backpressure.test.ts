import type { ConnectionManager, DisconnectedEvent, RawMessage } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { expectNoDuplicates, pause, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 4_000, tradesPerSecond: 300, tickersPerSecond: 300 };

/** Read everything for `ms`, then return what was read. */
async function readFor(manager: ConnectionManager, ms: number, into: RawMessage[]): Promise<void> {
  const iterator = manager.batches(1_000);
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const next = await Promise.race([iterator.next(), pause(Math.max(1, deadline - Date.now())).then(() => undefined)]);
      if (next === undefined || next.done === true) break;
      into.push(...next.value);
    }
  } finally {
    await iterator.return?.();
  }
}

describe('fault matrix: a consumer that stops reading (150 connections)', () => {
  it("regression (paused sockets went stale and reconnected): with 'pause' a consumer stopped 3x staleAfterMs loses nothing and nothing reconnects", async () => {
    pool = await startReliabilityPool({
      sim: { traffic, pingIntervalMs: 100 }, // quiet (lifecycle) links stay alive through pings
      manager: { queue: { capacity: 2_000, lowWaterMark: 500, overflow: 'pause' } },
      client: { staleAfterMs: 400 },
      collect: false,
    });
    const seen: RawMessage[] = [];
    await readFor(pool.manager, 300, seen);
    await waitInSync(pool.manager);
    const disconnected: DisconnectedEvent[] = [];
    pool.manager.on('disconnected', (e) => disconnected.push(e));
    // stop reading: the queue fills, reads pause on every socket
    await vi.waitFor(() => expect(pool!.manager.health().paused).toBe(true));
    await pause(1_200);
    expect(pool.manager.health().paused).toBe(true);
    await readFor(pool.manager, 1_000, seen);
    expect(disconnected).toEqual([]);
    expect(pool.reconnects).toEqual([]);
    const stats = pool.manager.stats();
    expect(stats.queueDrops).toBe(0);
    expect(stats.gaps).toBe(0);
    expect(seen.some((m) => m.seqGap)).toBe(false);
    expect(seen.length).toBeGreaterThan(2_000);
    expectNoDuplicates(seen);
  });

  for (const overflow of ['drop-oldest', 'drop-newest'] as const) {
    it(`'${overflow}': every local drop is counted and flagged exactly (sum of flagged gapSize = queueDrops)`, async () => {
      pool = await startReliabilityPool({
        sim: { traffic: { orderbookDeltasPerSecond: 4_000 } },
        manager: { queue: { capacity: 500, overflow } },
        collect: false,
      });
      const seen: RawMessage[] = [];
      await readFor(pool.manager, 300, seen);
      await waitInSync(pool.manager);
      await readFor(pool.manager, 200, seen);
      await pause(800); // not reading: about 3,000 deltas arrive for 500 places
      expect(pool.manager.stats().queueDrops).toBeGreaterThan(1_000);
      // stop the traffic, drain, then one more delta per orderbook slot carries any drop still pending
      pool.sim.setTraffic({ orderbookDeltasPerSecond: 0 });
      await readFor(pool.manager, 300, seen);
      const bySlot = new Map<number, string>();
      for (const m of seen) if (m.type === 'orderbook_snapshot' && !bySlot.has(m.connectionId)) bySlot.set(m.connectionId, JSON.parse(new TextDecoder().decode(m.data)).msg.market_ticker);
      expect(bySlot.size).toBe(144);
      for (const market of bySlot.values()) pool.sim.publishDelta(market);
      await readFor(pool.manager, 400, seen);
      const stats = pool.manager.stats();
      const flagged = seen.filter((m) => m.seqGap).reduce((n, m) => n + m.gapSize, 0);
      expect(stats.gaps).toBe(0); // no sequence gap on the wire: every flag is a local drop
      expect(flagged).toBe(stats.queueDrops);
      expect(stats.messagesDelivered).toBe(seen.length);
      expect(stats.messagesQueued).toBe(seen.length + stats.queueDrops);
      expect(pool.reconnects).toEqual([]);
    });
  }
});
