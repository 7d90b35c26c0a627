import { createBookStore } from 'kalshi-ws-pool/books';
import type { BookStore } from 'kalshi-ws-pool/books';
import { createJetStreamSource } from 'kalshi-ws-pool/nats';
import type { JetStreamMessage, JetStreamSource } from 'kalshi-ws-pool/nats';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bookMismatches } from '../../helpers/books';
import { announceNatsSkip, natsMissing, startNatsServer } from '../../helpers/nats';
import type { NatsServer } from '../../helpers/nats';
import { startGatherer } from './cluster-helpers';
import type { Gatherer } from './cluster-helpers';

announceNatsSkip();

describe.skipIf(natsMissing)('JetStream source: merge and failover against a real nats-server', () => {
  let nats: NatsServer;
  let sim: Simulator;
  let source: JetStreamSource | undefined;
  let books: BookStore | undefined;
  const gatherers: Gatherer[] = [];

  beforeEach(async () => {
    nats = await startNatsServer();
    sim = await startSimulator({ markets: 12, pingIntervalMs: 0 });
  });
  afterEach(async () => {
    await source?.close();
    books?.close();
    for (const g of gatherers.splice(0)) await g.stop();
    await sim.close();
    await nats.stop();
  });

  it('fails over from a killed gatherer to its replica; books equal the simulator, trades exactly once', async () => {
    const a = await startGatherer(sim, nats.url, 'a');
    const b = await startGatherer(sim, nats.url, 'b');
    gatherers.push(a, b);
    source = createJetStreamSource({ servers: nats.url, deliver: 'all', silenceMs: 300 });
    // The real book store, fed the source's messages unchanged; it must never see a gap or a reused sid.
    const store = createBookStore({ staleAfterMs: 60_000 });
    books = store;
    const trades = new Map<string, number>();
    const owner = new Map<string, string>();
    const failoverAt: number[] = [];
    const connectionIds = new Map<string, Set<number>>();
    const reading = (async () => {
      for await (const m of source!) {
        store.apply(m);
        if (m.sid !== undefined) connectionIds.set(m.gathererId, (connectionIds.get(m.gathererId) ?? new Set()).add(m.connectionId));
        if (m.type === 'trade') {
          const id = /"trade_id":"([^"]+)"/.exec(Buffer.from(m.data).toString('utf8'))?.[1] ?? '?';
          trades.set(id, (trades.get(id) ?? 0) + 1);
        }
        if (m.type.startsWith('orderbook')) owner.set(m.marketTicker, m.gathererId);
        if ((m as JetStreamMessage).failover) failoverAt.push(Date.now());
      }
    })();
    let tradesSent = 0;
    const round = (): void => {
      for (const ticker of sim.markets) {
        sim.publishDelta(ticker);
        sim.publishTrade(ticker);
        tradesSent++;
      }
    };
    for (let i = 0; i < 5; i++) round();
    await vi.waitFor(() => expect(trades.size).toBe(tradesSent), { timeout: 10_000 });
    // Kill the gatherer currently feeding the first market.
    const victim = owner.get(sim.markets[0]!) === 'a' ? a : b;
    const survivor = victim === a ? b : a;
    const killedAt = Date.now();
    await victim.stop();
    gatherers.splice(gatherers.indexOf(victim), 1);
    await vi.waitFor(
      () => {
        round();
        expect(source!.stats().failovers).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    for (let i = 0; i < 3; i++) round();
    await vi.waitFor(() => expect(trades.size).toBe(tradesSent), { timeout: 10_000 });
    // Every market ends on the survivor, books equal the simulator's, each trade once.
    await vi.waitFor(() => expect(new Set(owner.values())).toEqual(new Set([survivor.router.gathererId])), { timeout: 10_000 });
    await vi.waitFor(() => expect(bookMismatches(store, sim)).toEqual([]), { timeout: 10_000, interval: 100 });
    expect(store.stats()).toMatchObject({ markets: sim.markets.length, live: sim.markets.length, gaps: 0, deltasIgnored: 0, inconsistentDeltas: 0, frameErrors: 0 });
    // Both gatherers number their connections from 1; the source keeps them apart for the store.
    const [idsA, idsB] = [connectionIds.get('a') ?? new Set<number>(), connectionIds.get('b') ?? new Set<number>()];
    expect(idsA.size).toBeGreaterThan(0);
    expect(idsB.size).toBeGreaterThan(0);
    expect([...idsA].filter((id) => idsB.has(id))).toEqual([]);
    expect([...trades.values()].every((n) => n === 1)).toBe(true);
    expect(source.stats().failovers).toBeGreaterThanOrEqual(1);
    expect(failoverAt[0]! - killedAt).toBeLessThan(5_000);
    await source.close();
    await reading;
  }, 60_000);
});
