/**
 * #13: a pool whose clients use the native transport (`client: { transport: 'native' }`) against the
 * simulator: every slot opens over NativeSocket, deltas arrive in seq order on every sid with no gap,
 * and stop() leaves no socket open.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RawMessage } from 'kalshi-ws-pool';
import { NativeSocket } from '../../../src/client/native/native-socket';
import { closeAfterEach } from '../../helpers/teardown';
import { startPool, waitInSync } from './pool-helpers';

closeAfterEach();
afterEach(() => {
  vi.restoreAllMocks();
});

describe('pool over the native transport', () => {
  it('streams deltas in order with no gaps on every connection, and stops with zero sockets', async () => {
    const sends = vi.spyOn(NativeSocket.prototype, 'send');
    const pool = await startPool(
      { markets: 200, seed: 11, traffic: { orderbookDeltasPerSecond: 3_000, tradesPerSecond: 100, tickersPerSecond: 100, lifecyclePerSecond: 0 } },
      { layout: { ticker: 1, trade: 1, lifecycle: 1, orderbook: 4 }, marketsPerConnection: 50, client: { transport: 'native' } },
    );
    await waitInSync(pool.manager);
    expect(pool.manager.health()).toMatchObject({ connected: 7, total: 7, placed: 200, unplaced: 0, healthy: true });
    // Every slot's subscribe went out through the native transport.
    expect(sends.mock.calls.filter(([text]) => text.includes('"subscribe"')).length).toBeGreaterThanOrEqual(7);

    const start = pool.messages.length;
    await vi.waitFor(() => expect(pool.messages.length - start).toBeGreaterThan(3_000), { timeout: 15_000 });
    const deltas = pool.messages.filter((m: RawMessage) => m.type === 'orderbook_delta');
    expect(deltas.length).toBeGreaterThan(2_000);
    // Per (connection, sid): each seq is the previous + 1.
    const last = new Map<string, number>();
    let outOfOrder = 0;
    for (const m of pool.messages) {
      if (m.sid === undefined || m.seq === undefined) continue;
      const key = `${m.connectionId}/${m.sid}`;
      const previous = last.get(key);
      if (previous !== undefined && m.seq !== previous + 1) outOfOrder += 1;
      last.set(key, m.seq);
    }
    expect(outOfOrder).toBe(0);
    expect(pool.messages.some((m) => m.seqGap)).toBe(false);
    const stats = pool.manager.stats();
    expect(stats.gaps).toBe(0);
    expect(stats.duplicateDrops).toBe(0);

    await pool.close();
    expect(pool.sim.stats().connectionsOpen).toBe(0);
  });
});
