import { ClosedError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { createReliabilityPool, expectNoLeaks, snapshotsBySlot, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 1_000, tradesPerSecond: 100, tickersPerSecond: 100 };

/** stop() must settle well within closeTimeoutMs (1 s here) plus a margin, whatever is in flight. */
async function timedStop(p: ReliabilityPool): Promise<number> {
  const t0 = performance.now();
  await p.manager.stop();
  return performance.now() - t0;
}

describe('fault matrix: stop() in the middle of things (150 connections)', () => {
  it('stop() during start: start() rejects ClosedError, zero sockets, timers or listeners remain', async () => {
    const created = await createReliabilityPool({ sim: { traffic }, manager: { admission: { dialsPerSecond: 200, burst: 10, jitterMs: 0 } } });
    pool = created;
    const starting = created.manager.start();
    await vi.waitFor(() => expect(created.sim.stats().handshakesAccepted).toBeGreaterThan(20));
    expect(created.sim.stats().handshakesAccepted).toBeLessThan(150);
    expect(await timedStop(created)).toBeLessThan(2_000);
    await expect(starting).rejects.toBeInstanceOf(ClosedError);
    await expectNoLeaks(created);
    await expect(created.manager.start()).rejects.toBeInstanceOf(ClosedError);
  });

  it('stop() during reconnect (every slot in backoff after 500s): prompt, nothing left behind', async () => {
    pool = await startReliabilityPool({ sim: { traffic }, manager: { reconnect: { initialDelayMs: 300, maxDelayMs: 1_000, stableAfterMs: 60_000 } } });
    await waitInSync(pool.manager);
    pool.sim.faults.rejectHandshakes({ status: 500 });
    pool.sim.faults.drop({ connection: 'all' }, { mode: 'destroy' });
    await vi.waitFor(() => expect(pool!.manager.health().connected).toBe(0));
    await vi.waitFor(() => expect(pool!.sim.stats().handshakesRejected[500]).toBeGreaterThan(10));
    expect(await timedStop(pool)).toBeLessThan(2_000);
    await expectNoLeaks(pool);
  });

  it('stop() during a repair (get_snapshot in flight, replies delayed): prompt, the repair ends skipped', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const slot = [...bySlot.keys()][0]!;
    const market = [...bySlot.get(slot)!][0]!;
    const simId = pool.sim.connectionsHolding(market)[0]!;
    const sid = pool.manager.health().connections[slot - 1]!.sids[0]!;
    pool.sim.faults.delayReplies({ connection: simId }, 5_000);
    pool.sim.faults.skipSeq({ connection: simId, sid }, 2);
    pool.sim.publishDelta(market);
    await vi.waitFor(() => expect(pool!.gaps).toHaveLength(1));
    await vi.waitFor(() => expect(pool!.manager.health().pendingCommands).toBeGreaterThan(0)); // the get_snapshot
    expect(pool.repairs).toEqual([]);
    expect(await timedStop(pool)).toBeLessThan(2_000);
    // The repair in flight must be reported, and as skipped (an empty list would pass `every`).
    expect(pool.repairs.length).toBeGreaterThan(0);
    expect(pool.repairs.map((r) => r.outcome)).toEqual(pool.repairs.map(() => 'skipped'));
    expect(pool.manager.stats().repairs.failed).toBe(0);
    await expectNoLeaks(pool);
  });

  it('stop() during a mass resubscribe (error 25 on every sid) and a registry flood: prompt, nothing left behind', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    pool.sim.faults.sidError({ connection: 'all' }, 25);
    pool.registry.add(...Array.from({ length: 20_000 }, (_, i) => `KXSTOP-${i}`));
    await vi.waitFor(() => expect(pool!.resubscribes.length).toBeGreaterThan(10));
    expect(await timedStop(pool)).toBeLessThan(2_000);
    await expectNoLeaks(pool);
  });
});
