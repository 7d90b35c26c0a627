import { createJetStreamSource } from 'kalshi-ws-pool/nats';
import type { JetStreamMessage, JetStreamSource } from 'kalshi-ws-pool/nats';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBookChecker } from '../../helpers/books';
import { announceNatsSkip, natsMissing, startNatsServer } from '../../helpers/nats';
import type { NatsServer } from '../../helpers/nats';
import { simulatorBooks, startGatherer } from './cluster-helpers';
import type { Gatherer } from './cluster-helpers';

announceNatsSkip();

describe.skipIf(natsMissing)('JetStream source: merge and failover against a real nats-server', () => {
  let nats: NatsServer;
  let sim: Simulator;
  let source: JetStreamSource | undefined;
  const gatherers: Gatherer[] = [];

  beforeEach(async () => {
    nats = await startNatsServer();
    sim = await startSimulator({ markets: 12, pingIntervalMs: 0 });
  });
  afterEach(async () => {
    await source?.close();
    for (const g of gatherers.splice(0)) await g.stop();
    await sim.close();
    await nats.stop();
  });

  it('fails over from a killed gatherer to its replica; books equal the simulator, trades exactly once', async () => {
    const a = await startGatherer(sim, nats.url, 'a');
    const b = await startGatherer(sim, nats.url, 'b');
    gatherers.push(a, b);
    source = createJetStreamSource({ servers: nats.url, deliver: 'all', silenceMs: 300 });
    const checker = createBookChecker();
    const trades = new Map<string, number>();
    const owner = new Map<string, string>();
    const failoverAt: number[] = [];
    const reading = (async () => {
      for await (const m of source!) {
        checker.apply(m);
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
    const truth = await simulatorBooks(sim);
    await expect.poll(() => checker.books(), { timeout: 10_000 }).toEqual(truth);
    expect([...trades.values()].every((n) => n === 1)).toBe(true);
    expect(source.stats().failovers).toBeGreaterThanOrEqual(1);
    expect(failoverAt[0]! - killedAt).toBeLessThan(5_000);
    await source.close();
    await reading;
  }, 60_000);
});
