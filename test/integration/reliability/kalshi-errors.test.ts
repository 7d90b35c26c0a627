import { AuthError } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { expectEndState, expectNoDuplicates, simConnectionsWith, snapshotsBySlot, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 1_000, tradesPerSecond: 100, tickersPerSecond: 100 };

describe('fault matrix: Kalshi errors (150 connections)', () => {
  it('error 10 on an orderbook sid: a new sid with every market of the slot and fresh snapshots', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const slot = [...bySlot.keys()][10]!;
    const markets = [...bySlot.get(slot)!];
    const before = pool.manager.health().connections[slot - 1]!;
    const since = pool.messages.length;
    expect(pool.sim.faults.sidError({ connection: pool.sim.connectionsHolding(markets[0]!)[0]!, sid: before.sids[0]! }, 10)).toBe(1);
    await vi.waitFor(() => expect(pool!.resubscribes).toHaveLength(1));
    expect(pool.resubscribes[0]).toMatchObject({ connectionId: slot, role: 'orderbook', kalshiCode: 10, sid: before.sids[0] });
    await expectEndState(pool, { markets, since });
    const after = pool.manager.health().connections[slot - 1]!;
    expect(after.sids[0]).not.toBe(before.sids[0]);
    expect(after).toMatchObject({ markets: before.markets, reconnects: 0 });
    expect(pool.reconnects).toEqual([]);
  });

  it('error 25 on every sid of every connection: all 150 subscriptions come back, all 3,000 markets with fresh snapshots', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const since = pool.messages.length;
    const sidsBefore = pool.manager.health().connections.map((c) => c.sids[0]);
    expect(pool.sim.faults.sidError({ connection: 'all' }, 25)).toBe(150);
    await vi.waitFor(() => expect(pool!.resubscribes).toHaveLength(150), { timeout: 5_000 });
    expect(new Set(pool.resubscribes.map((r) => r.connectionId)).size).toBe(150);
    expect(pool.resubscribes.every((r) => r.kalshiCode === 25)).toBe(true);
    await expectEndState(pool, { markets: pool.registry.markets(), since });
    const health = pool.manager.health();
    health.connections.forEach((c, i) => expect(c.sids[0]).not.toBe(sidsBefore[i]));
    expect(pool.reconnects).toEqual([]);
    expect(pool.manager.stats().resubscribes).toBe(150);
    // global channels are live again and still deduplicated
    const after = pool.messages.length;
    await vi.waitFor(() => expect(pool!.messages.slice(after).filter((m) => m.type === 'trade').length).toBeGreaterThan(20));
    expect(expectNoDuplicates(pool.messages)).toBeGreaterThan(0);
  });

  it('error 26 on an add: the slot is marked full and the market is placed on another slot', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const orderbook = pool.manager.health().connections.filter((c) => c.role === 'orderbook');
    const target = [...orderbook].sort((a, b) => a.placed - b.placed || a.connectionId - b.connectionId)[0]!;
    const simId = pool.sim.connectionsHolding([...bySlot.get(target.connectionId)!][0]!)[0]!;
    expect(pool.sim.faults.failCommands({ connection: simId }, 26, { cmd: 'update_subscription', count: 1 })).toBe(1);
    const since = pool.messages.length;
    pool.registry.add('KXFULL-1');
    await expectEndState(pool, { markets: ['KXFULL-1'], since });
    const [holder] = pool.sim.connectionsHolding('KXFULL-1');
    expect(holder).toBeDefined();
    expect(holder).not.toBe(simId);
    expect(pool.sim.stats().errorsSent[26]).toBe(1);
    const health = pool.manager.health();
    expect(health).toMatchObject({ placed: 3_001, unplaced: 0 });
    expect(health.connections[target.connectionId - 1]).toMatchObject({ markets: target.markets, placed: target.markets });
    // the full slot takes no more markets
    pool.registry.add(...Array.from({ length: 300 }, (_, i) => `KXMORE-${i}`));
    await expectEndState(pool);
    expect(pool.manager.health().connections[target.connectionId - 1]!.placed).toBe(target.markets);
    expect(pool.manager.stats().markets.rejected).toBe(0);
  });

  it('error 27 storms (per-subscription command limit): the pool backs off and eventually places everything', async () => {
    pool = await startReliabilityPool({ sim: { traffic, limits: { commandsPerSecondPerSubscription: 2 } } });
    await waitInSync(pool.manager);
    const commandsBefore = pool.manager.stats().commands.sent;
    const since = pool.messages.length;
    const added: string[] = [];
    // ten rounds of 150 new markets, 30 ms apart: about ten add_markets per subscription per second wanted
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 150 }, (_, i) => `KXSTORM-${round}-${i}`);
      added.push(...batch);
      pool.registry.add(...batch);
      await new Promise((r) => setTimeout(r, 30));
    }
    await expectEndState(pool, { markets: added, since });
    const stats = pool.manager.stats();
    const storms = pool.sim.stats().errorsSent[27] ?? 0;
    expect(storms).toBeGreaterThan(0);
    expect(stats.markets).toMatchObject({ placed: 4_500, unplaced: 0, rejected: 0 });
    // backing off: far fewer commands than a retry loop without waits would send in that time
    expect(stats.commands.sent - commandsBefore).toBeLessThan(144 * 15);
    expect(pool.reconnects).toEqual([]);
  });

  it('401 on some slots: a fatal event for each, their markets move to other slots, the rest streams', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const [slotA, slotB] = [...bySlot.keys()];
    const targets = [
      pool.sim.connectionsHolding([...bySlot.get(slotA!)!][0]!)[0]!,
      pool.sim.connectionsHolding([...bySlot.get(slotB!)!][0]!)[0]!,
      simConnectionsWith(pool.sim, 'ticker')[0]!,
    ];
    const moved = [...bySlot.get(slotA!)!, ...bySlot.get(slotB!)!];
    const since = pool.messages.length;
    pool.sim.faults.rejectHandshakes({ status: 401, count: 3 });
    for (const id of targets) pool.sim.faults.drop({ connection: id }, { mode: 'destroy' });
    await vi.waitFor(() => expect(pool!.errors.filter((e) => e.fatal)).toHaveLength(3), { timeout: 5_000 });
    const fatal = pool.errors.filter((e) => e.fatal);
    expect(fatal.every((e) => e.error instanceof AuthError)).toBe(true);
    const failed = [1, slotA!, slotB!].sort((a, b) => a - b);
    expect(fatal.map((e) => e.connectionId!).sort((a, b) => a - b)).toEqual(failed);
    // a slot that will never dial again hands its markets to the others: each held once, freshly snapshotted
    await expectEndState(pool, { markets: moved, since });
    const health = pool.manager.health();
    expect(health).toMatchObject({ connected: 147, healthy: true, placed: 3_000, unplaced: 0 });
    expect(health.connections.filter((c) => c.state === 'failed').map((c) => c.connectionId)).toEqual(failed);
    for (const slot of [slotA!, slotB!]) expect(health.connections[slot - 1]!.placed).toBe(0);
    for (const market of moved) expect(pool.sim.connectionsHolding(market)).toHaveLength(1);
    expect(pool.sim.stats().marketsSubscribed).toBe(3_000);
    await vi.waitFor(() => {
      const fresh = pool!.messages.slice(since);
      expect(fresh.filter((m) => m.type === 'ticker').length).toBeGreaterThan(20); // the other ticker slot carries on
      expect(fresh.filter((m) => m.type === 'orderbook_delta').length).toBeGreaterThan(200);
    });
    expect(pool.sim.stats().handshakesRejected[401]).toBe(3);
    expectNoDuplicates(pool.messages);
  });
});
