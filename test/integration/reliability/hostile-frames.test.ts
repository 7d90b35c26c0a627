import type { ConnectionManager, DisconnectedEvent } from 'kalshi-ws-pool';
import { describe, expect, it, vi } from 'vitest';
import { expectEndState, expectNoDuplicates, simConnectionsWith, snapshotsBySlot, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 1_500, tradesPerSecond: 100, tickersPerSecond: 100 };

/** Client-side errors of one kind, summed over every connection and generation. */
function clientErrors(manager: ConnectionManager, kind: string): number {
  return manager.connectionStats().reduce((n, c) => n + (c.errors[kind] ?? 0), 0);
}

describe('fault matrix: hostile frames (150 connections)', () => {
  it('not-JSON, truncated and binary frames on every connection: dropped and counted, nothing reconnects', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const disconnected: DisconnectedEvent[] = [];
    pool.manager.on('disconnected', (e) => disconnected.push(e));
    const before = clientErrors(pool.manager, 'protocol');
    const delivered = pool.manager.stats().messagesQueued;
    for (const kind of ['not-json', 'truncated', 'binary'] as const) expect(pool.sim.faults.sendMalformed({ connection: 'all' }, kind)).toBe(150);
    await vi.waitFor(() => expect(clientErrors(pool!.manager, 'protocol') - before).toBe(450));
    // logged, but repeats of one warning are rate-limited: a flood of bad frames cannot flood the log
    expect(pool.logger.count('unreadable frame')).toBeGreaterThanOrEqual(1);
    expect(pool.logger.count('unreadable frame')).toBeLessThan(450);
    const after = pool.messages.length;
    await vi.waitFor(() => expect(pool!.messages.length).toBeGreaterThan(after + 500));
    expect(disconnected).toEqual([]);
    expect(pool.manager.stats()).toMatchObject({ gaps: 0, duplicateDrops: 0 });
    // none of the broken frames reached the consumer (the truncated and binary ones name ticker KXTRUNC / KXBINARY)
    expect(pool.messages.some((m) => new TextDecoder().decode(m.data).includes('KXTRUNC') || new TextDecoder().decode(m.data).includes('KXBINARY'))).toBe(false);
    expect(pool.manager.stats().messagesQueued).toBeGreaterThan(delivered);
    expect(pool.manager.health()).toMatchObject({ connected: 150, healthy: true });
  });

  it('an oversized frame ends that connection (maxPayload), which comes back with all its markets', async () => {
    pool = await startReliabilityPool({ sim: { traffic }, client: { maxPayload: 64 * 1024 } });
    await waitInSync(pool.manager);
    const bySlot = snapshotsBySlot(pool.messages);
    const slot = [...bySlot.keys()][20]!;
    const simId = pool.sim.connectionsHolding([...bySlot.get(slot)!][0]!)[0]!;
    const since = pool.messages.length;
    expect(pool.sim.faults.sendMalformed({ connection: simId }, 'oversized', { bytes: 64 * 1024 + 1 })).toBe(1);
    await vi.waitFor(() => expect(pool!.reconnects.map((r) => r.connectionId)).toEqual([slot]), { timeout: 5_000 });
    await expectEndState(pool, { markets: bySlot.get(slot)!, since });
    expect(pool.manager.connectionStats()[slot - 1]!.errors['protocol']).toBe(1);
    expect(pool.logger.entries.some((e) => e.message === 'unreadable frame' && e.fields['connectionId'] === slot)).toBe(true);
    expect(pool.messages.some((m) => m.type === 'oversized')).toBe(false);
    expect(pool.manager.stats().gaps).toBe(0);
  });

  it('frames of unknown sids are dropped and counted, never delivered', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const before = pool.manager.stats().unknownSidDrops;
    expect(pool.sim.faults.sendMalformed({ connection: 'all' }, 'unknown-sid')).toBe(150);
    await vi.waitFor(() => expect(pool!.manager.stats().unknownSidDrops - before).toBe(150));
    expect(pool.messages.some((m) => (m.sid ?? 0) >= 100)).toBe(false);
    expect(pool.manager.stats().gaps).toBe(0);
    expect(pool.manager.health()).toMatchObject({ connected: 150, healthy: true });
  });

  it('duplicated seqs on every orderbook and trade sid are dropped and counted, with no gap flagged', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const targets = [...simConnectionsWith(pool.sim, 'orderbook_delta'), ...simConnectionsWith(pool.sim, 'trade')];
    expect(targets).toHaveLength(146);
    for (const id of targets) expect(pool.sim.faults.repeatSeq({ connection: id })).toBe(1);
    await vi.waitFor(() => expect(pool!.manager.stats().duplicateDrops).toBe(146), { timeout: 5_000 });
    const after = pool.messages.length;
    await vi.waitFor(() => expect(pool!.messages.length).toBeGreaterThan(after + 500));
    expect(pool.manager.stats()).toMatchObject({ gaps: 0, duplicateDrops: 146 });
    expect(pool.messages.some((m) => m.seqGap)).toBe(false);
    // seqs delivered per (connection, sid) strictly increase
    const last = new Map<string, number>();
    for (const m of pool.messages) {
      if (m.seq === undefined) continue;
      const key = `${m.connectionId}:${m.sid}`;
      expect(m.seq).toBeGreaterThan(last.get(key) ?? 0);
      last.set(key, m.seq);
    }
    expectNoDuplicates(pool.messages);
  });

  it('gaps on every orderbook and trade sid: each flagged once with its size, every orderbook gap repaired', async () => {
    pool = await startReliabilityPool({ sim: { traffic } });
    await waitInSync(pool.manager);
    const orderbook = simConnectionsWith(pool.sim, 'orderbook_delta');
    const trade = simConnectionsWith(pool.sim, 'trade');
    const since = pool.messages.length;
    for (const id of [...orderbook, ...trade]) expect(pool.sim.faults.skipSeq({ connection: id }, 3)).toBe(1);
    await vi.waitFor(() => expect(pool!.gaps).toHaveLength(146), { timeout: 5_000 });
    expect(pool.gaps.every((g) => g.gapSize === 3 && g.received === g.expected + 3)).toBe(true);
    expect(pool.gaps.filter((g) => g.role === 'orderbook')).toHaveLength(144);
    expect(new Set(pool.gaps.map((g) => g.connectionId)).size).toBe(146);
    await vi.waitFor(() => expect(pool!.repairs.filter((r) => r.outcome === 'ok')).toHaveLength(144), { timeout: 5_000 });
    // every market's book is refreshed by the repair's get_snapshot
    await expectEndState(pool, { markets: pool.registry.markets(), since });
    const flagged = pool.messages.slice(since).filter((m) => m.seqGap);
    const flaggedOrderbook = flagged.filter((m) => m.type !== 'trade');
    expect(flaggedOrderbook).toHaveLength(144);
    expect(new Set(flaggedOrderbook.map((m) => m.connectionId)).size).toBe(144);
    expect(flagged.every((m) => m.gapSize === 3)).toBe(true);
    // both trade copies were flagged; the pair delivers the trade (and its flag) once
    expect(flagged.filter((m) => m.type === 'trade')).toHaveLength(1);
    expect(pool.manager.stats()).toMatchObject({ gaps: 146, gapMessages: 438, repairs: { ok: 144, failed: 0 } });
    expectNoDuplicates(pool.messages);
  });
});
