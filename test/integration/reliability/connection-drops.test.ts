import { describe, expect, it, vi } from 'vitest';
import { expectEndState, expectNoDuplicates, startReliabilityPool, useReliabilityPools, waitInSync } from './reliability-helpers';
import type { ReliabilityPool } from './reliability-helpers';

let pool: ReliabilityPool | undefined;
useReliabilityPools();

const traffic = { orderbookDeltasPerSecond: 1_000, tradesPerSecond: 100, tickersPerSecond: 100 };

/** Simulator connection id -> the markets its orderbook sid holds. */
function marketsBySimConnection(p: ReliabilityPool): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const market of p.registry.markets()) {
    for (const id of p.sim.connectionsHolding(market)) {
      const list = out.get(id) ?? [];
      list.push(market);
      out.set(id, list);
    }
  }
  return out;
}

async function dropAndRecover(mode: 'close' | 'destroy', scope: 'one' | 'many' | 'all'): Promise<void> {
  pool = await startReliabilityPool({ sim: { traffic } });
  await waitInSync(pool.manager);
  const open = pool.sim.connections().filter((c) => c.open).map((c) => c.id);
  expect(open).toHaveLength(150);
  const held = marketsBySimConnection(pool);
  // one: an orderbook connection; many: every 5th connection (global roles included); all: 150
  const targets = scope === 'one' ? [[...held.keys()][0]!] : scope === 'many' ? open.filter((_, i) => i % 5 === 0) : open;
  const affected = targets.flatMap((id) => held.get(id) ?? []);
  const since = pool.messages.length;
  const gapsBefore = pool.manager.stats().gaps;
  const dropped = scope === 'all'
    ? pool.sim.faults.drop({ connection: 'all' }, { mode })
    : targets.reduce((n, id) => n + pool!.sim.faults.drop({ connection: id }, { mode }), 0);
  expect(dropped).toBe(targets.length);

  await vi.waitFor(() => expect(pool!.reconnects).toHaveLength(targets.length), { timeout: 10_000 });
  await expectEndState(pool, { markets: affected, since });
  const health = pool.manager.health();
  expect(health).toMatchObject({ connected: 150, placed: 3_000, unplaced: 0, healthy: true });
  expect(pool.sim.stats().connectionsOpen).toBe(150);
  expect(health.connections.reduce((n, c) => n + c.reconnects, 0)).toBe(targets.length);
  // a new generation starts its seqs afresh: a reconnect is not a gap
  expect(pool.manager.stats().gaps).toBe(gapsBefore);
  expect(pool.messages.slice(since).some((m) => m.seqGap)).toBe(false);
  // the data keeps flowing after recovery, and the redundant pairs never deliver a payload twice
  const after = pool.messages.length;
  await vi.waitFor(() => expect(pool!.messages.length).toBeGreaterThan(after + 200));
  expect(expectNoDuplicates(pool.messages)).toBeGreaterThan(0);
}

describe('fault matrix: connections dropped (150 connections, 3,000 markets)', () => {
  for (const mode of ['close', 'destroy'] as const) {
    for (const scope of ['one', 'many', 'all'] as const) {
      it(`${mode} of ${scope}: every market held again with a fresh snapshot, no false gaps, no duplicates`, async () => {
        await dropAndRecover(mode, scope);
      });
    }
  }
});
