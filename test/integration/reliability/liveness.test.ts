import type { DisconnectedEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { expectEndState, expectNoDuplicates, pause, simConnectionsWith, snapshotsBySlot, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 2_000, tradesPerSecond: 200, tickersPerSecond: 200 };

describe('fault matrix: liveness (150 connections)', () => {
  it('half-open links (silent, no pings, commands lost) are detected as stale and replaced', async () => {
    // Client pings keep quiet links (lifecycle) alive; a silenced link answers nothing.
    pool = await startReliabilityPool({ sim: { traffic }, client: { staleAfterMs: 400, pingIntervalMs: 100 }, via: 'options' });
    await waitInSync(pool.manager);
    const disconnected: DisconnectedEvent[] = [];
    pool.manager.on('disconnected', (e) => disconnected.push(e));
    const bySlot = snapshotsBySlot(pool.messages);
    const orderbookSlot = [...bySlot.keys()][3]!;
    const market = [...bySlot.get(orderbookSlot)!][0]!;
    const targets = [pool.sim.connectionsHolding(market)[0]!, simConnectionsWith(pool.sim, 'ticker')[0]!, simConnectionsWith(pool.sim, 'market_lifecycle_v2')[0]!];
    const since = pool.messages.length;
    for (const id of targets) expect(pool.sim.faults.silence({ connection: id })).toBe(1);

    await vi.waitFor(() => expect(disconnected).toHaveLength(3), { timeout: 5_000 });
    expect(disconnected.every((e) => e.kind === 'stale')).toBe(true);
    expect(disconnected.map((e) => e.role).sort()).toEqual(['lifecycle', 'orderbook', 'ticker']);
    await vi.waitFor(() => expect(pool!.reconnects).toHaveLength(3), { timeout: 5_000 });
    await expectEndState(pool, { markets: bySlot.get(orderbookSlot)!, since });
    expect(pool.manager.health()).toMatchObject({ connected: 150, placed: 3_000 });
    expect(pool.sim.stats().connectionsOpen).toBe(150); // the half-open sockets were terminated
    expect(pool.manager.stats().gaps).toBe(0);
    expectNoDuplicates(pool.messages);
  });

  it('pings stop but data keeps flowing: no connection is declared stale', async () => {
    pool = await startReliabilityPool({ sim: { traffic, pingIntervalMs: 100 }, client: { staleAfterMs: 500 } });
    await waitInSync(pool.manager);
    const disconnected: DisconnectedEvent[] = [];
    pool.manager.on('disconnected', (e) => disconnected.push(e));
    // Every connection that carries data loses its pings; lifecycle (no traffic here) keeps them.
    const quiet = new Set(simConnectionsWith(pool.sim, 'market_lifecycle_v2'));
    let stopped = 0;
    for (const c of pool.sim.connections()) if (c.open && !quiet.has(c.id)) stopped += pool.sim.faults.stopPings({ connection: c.id });
    expect(stopped).toBe(148);
    const pingsBefore = pool.sim.stats().pingsSent;
    const before = pool.messages.length;
    await pause(1_500); // three times staleAfterMs without a single ping on 148 connections
    expect(disconnected).toEqual([]);
    expect(pool.reconnects).toEqual([]);
    expect(pool.manager.health()).toMatchObject({ connected: 150, healthy: true });
    expect(pool.messages.length - before).toBeGreaterThan(2_000);
    // only the two lifecycle connections were pinged meanwhile (about 15 pings each)
    expect(pool.sim.stats().pingsSent - pingsBefore).toBeLessThan(2 * 20);
    expect(pool.sim.connections().filter((c) => c.open && c.pingsStopped)).toHaveLength(148);
  });

  it('server stops answering commands for a while: adds time out, are retried, and land', async () => {
    pool = await startReliabilityPool({ sim: { traffic }, client: { commandTimeoutMs: 300 } });
    await waitInSync(pool.manager);
    // every connection swallows its next 2 commands; new markets spread over the orderbook slots
    pool.sim.faults.ignoreCommands({ connection: 'all' }, 2);
    const fresh = Array.from({ length: 300 }, (_, i) => `KXNEW-${i}`);
    const since = pool.messages.length;
    pool.registry.add(...fresh);
    await expectEndState(pool, { markets: fresh, since });
    expect(pool.manager.health()).toMatchObject({ placed: 3_300, unplaced: 0 });
    const stats = pool.manager.stats();
    expect(stats.markets.rejected).toBe(0);
    expect(stats.commands.failed).toBeGreaterThanOrEqual(144 * 2); // two timeouts per orderbook slot
    expect(pool.sim.stats().commandsIgnored).toBe(144 * 2);
    expect(pool.reconnects).toEqual([]);
  });

  it('regression (commands timing out dropped markets for good): a connection that never answers commands is recycled and its markets land', async () => {
    pool = await startReliabilityPool({ sim: { traffic }, client: { commandTimeoutMs: 200 } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const health = pool.manager.health();
    // the next new market goes to the least-loaded slot (lowest id on ties)
    const target = health.connections.filter((c) => c.role === 'orderbook').sort((a, b) => a.placed - b.placed || a.connectionId - b.connectionId)[0]!;
    const simId = pool.sim.connectionsHolding([...bySlot.get(target.connectionId)!][0]!)[0]!;
    pool.sim.faults.ignoreCommands({ connection: simId });
    const since = pool.messages.length;
    pool.registry.add('KXDEAF-1');
    await vi.waitFor(() => expect(pool!.reconnects.map((r) => r.connectionId)).toContain(target.connectionId), { timeout: 8_000 });
    await expectEndState(pool, { markets: [...bySlot.get(target.connectionId)!, 'KXDEAF-1'], since });
    expect(pool.manager.health()).toMatchObject({ placed: 3_001, unplaced: 0 });
    expect(pool.manager.stats().markets.rejected).toBe(0);
    expect(pool.sim.connectionsHolding('KXDEAF-1')).toHaveLength(1);
  });
});
