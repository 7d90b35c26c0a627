import { describe, expect, it, vi } from 'vitest';
import { expectEndState, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

describe('fault matrix: registry floods (150 connections)', () => {
  it('100k adds then 100k removes within a second: the original 3,000 markets stay, commands stay bounded', async () => {
    pool = await startReliabilityPool({ sim: { traffic: { orderbookDeltasPerSecond: 500, tradesPerSecond: 50, tickersPerSecond: 50 } } });
    await waitInSync(pool.manager);
    const original = pool.registry.markets();
    const flood = Array.from({ length: 100_000 }, (_, i) => `KXFLOOD-${i}`);
    const commandsBefore = pool.manager.stats().commands.sent;
    const simCommandsBefore = Object.values(pool.sim.stats().commandsReceived).reduce((n, c) => n + c, 0);
    const t0 = performance.now();
    // 20 bursts of 5,000 adds, then 20 of 5,000 removes; the pool's command loops run between bursts
    for (let i = 0; i < flood.length; i += 5_000) {
      pool.registry.add(...flood.slice(i, i + 5_000));
      await Promise.resolve();
    }
    for (let i = 0; i < flood.length; i += 5_000) {
      pool.registry.remove(...flood.slice(i, i + 5_000));
      await Promise.resolve();
    }
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(pool.registry.size).toBe(3_000);

    await vi.waitFor(() => expect(pool!.sim.stats().marketsSubscribed).toBe(3_000), { timeout: 20_000, interval: 50 });
    await expectEndState(pool);
    const health = pool.manager.health();
    expect(health).toMatchObject({ placed: 3_000, unplaced: 0, pendingCommands: 0 });
    for (const market of original) expect(pool.sim.connectionsHolding(market)).toHaveLength(1);
    for (let i = 0; i < flood.length; i += 997) expect(pool.sim.connectionsHolding(flood[i]!)).toEqual([]);
    // batching and coalescing: 200k changes cost a few commands per slot, not one per change
    const sent = pool.manager.stats().commands.sent - commandsBefore;
    const received = Object.values(pool.sim.stats().commandsReceived).reduce((n, c) => n + c, 0) - simCommandsBefore;
    expect(received).toBe(sent);
    expect(sent).toBeLessThanOrEqual(144 * 3); // measured: 288 (one add, one delete per slot)
    expect(pool.manager.stats().markets.rejected).toBe(0);
    expect(pool.reconnects).toEqual([]);
  });
});
