import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../../helpers/teardown';
import { startPool, waitInSync } from './pool-helpers';
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
