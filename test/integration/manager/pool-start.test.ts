import { describe, expect, it } from 'vitest';
import type { RawMessage } from 'kalshi-ws-pool';
import { closeAfterEach } from '../../helpers/teardown';
import { startPool, tickerOf, waitInSync } from './pool-helpers';
import type { Pool } from './pool-helpers';

let pool: Pool | undefined;
closeAfterEach();

describe('pool against the simulator (150 connections)', () => {
  it('starts, places every market, streams without false gaps, and stops with zero sockets', async () => {
    pool = await startPool({ traffic: { orderbookDeltasPerSecond: 2_000, tradesPerSecond: 200, tickersPerSecond: 200, lifecyclePerSecond: 0 } });
    await waitInSync(pool.manager);
    const health = pool.manager.health();
    expect(health).toMatchObject({ connected: 150, total: 150, placed: 3_000, unplaced: 0, healthy: true });
    expect(pool.sim.stats().marketsSubscribed).toBe(3_000);
    const before = pool.messages.length;
    await new Promise((r) => setTimeout(r, 1_000));
    const stats = pool.manager.stats();
    expect(pool.messages.length - before).toBeGreaterThan(1_000);
    expect(stats.gaps).toBe(0);
    expect(stats.duplicateDrops).toBe(0);
    expect(pool.messages.some((m) => m.seqGap)).toBe(false);
    await pool.close();
    expect(pool.sim.stats().connectionsOpen).toBe(0);
    pool = undefined;
  });
});

// #14 item 5: start() resolves once markets are placed; ready() waits until each is subscribed and snapshotted.
describe('manager.ready() against the simulator (150 connections, 3,000 markets)', () => {
  it('start() resolves before the snapshots; ready() resolves only once every market is subscribed and snapshotted', async () => {
    // No consumer until ready(): the queue must hold every snapshot.
    pool = await startPool({}, { queue: { capacity: 20_000, lowWaterMark: 10_000 } }, false);
    const { manager, sim } = pool;
    const atStart = { queued: manager.stats().messagesQueued, health: manager.health() };
    expect(atStart.health.placed).toBe(3_000);
    expect(atStart.queued).toBeLessThan(3_000);
    expect(atStart.health.connections.some((c) => c.role === 'orderbook' && (!c.inSync || c.markets < c.placed))).toBe(true);

    await manager.ready({ timeoutMs: 20_000 });
    // Checked in the same tick ready() resolved in: nothing can have arrived in between.
    const health = manager.health();
    const queued = manager.stats().messagesQueued;
    for (const c of health.connections) {
      expect(c.state, `connection ${c.connectionId}`).toBe('open');
      expect(c.inSync, `connection ${c.connectionId}`).toBe(true);
      expect(c.sids).toHaveLength(1);
      if (c.role === 'orderbook') expect(c.markets).toBe(c.placed);
    }
    expect(sim.stats().marketsSubscribed).toBe(3_000);
    expect(queued).toBeGreaterThanOrEqual(3_000);

    // The messages queued by then hold one snapshot of every market.
    const snapshotted = new Set<string>();
    const depth = health.queueDepth;
    const read: RawMessage[] = [];
    const iterator = manager.batches({ maxBatch: 1_000 });
    while (read.length < depth) {
      const next = await iterator.next();
      if (next.done === true) break;
      read.push(...next.value);
    }
    await iterator.return?.();
    for (const m of read.slice(0, depth)) if (m.type === 'orderbook_snapshot') snapshotted.add(tickerOf(m)!);
    expect(snapshotted.size).toBe(3_000);
    expect(new Set(sim.markets)).toEqual(snapshotted);
  });
});
