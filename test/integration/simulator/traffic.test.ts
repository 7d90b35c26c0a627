import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { connect, contiguousFrom1, seqs } from './helpers';
import type { TestClient } from './helpers';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sim(options: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  const s = await startSimulator(options);
  cleanups.push(() => s.close());
  return s;
}

async function client(s: Simulator): Promise<TestClient> {
  const c = await connect(s);
  cleanups.push(() => c.close());
  return c;
}

describe('generated traffic', () => {
  it('spreads deltas, trades and tickers over subscribed sids at about the configured rates', async () => {
    const s = await sim({ markets: 20, traffic: { orderbookDeltasPerSecond: 2000, tradesPerSecond: 200, tickersPerSecond: 200 } });
    const a = await client(s);
    const b = await client(s);
    a.send('subscribe', { channels: ['orderbook_delta'], market_tickers: s.markets.slice(0, 10) });
    b.send('subscribe', { channels: ['orderbook_delta'], market_tickers: s.markets.slice(10, 20) });
    b.send('subscribe', { channels: ['trade', 'ticker'] });
    const started = Date.now();
    await a.waitFor((f) => f.type === 'orderbook_delta', 200);
    await b.waitFor((f) => f.type === 'orderbook_delta', 200);
    await b.waitFor((f) => f.type === 'trade', 20);
    await b.waitFor((f) => f.type === 'ticker', 20);
    s.setTraffic({});
    const elapsed = (Date.now() - started) / 1000;
    const deltas = a.where((f) => f.type === 'orderbook_delta').length + b.where((f) => f.type === 'orderbook_delta').length;
    // Loose bounds: timers are coarse, but a rate off by 3x would fail.
    expect(deltas / elapsed).toBeGreaterThan(600);
    expect(deltas / (elapsed + 0.05)).toBeLessThan(6000);
    for (const c of [a, b]) expect(contiguousFrom1(seqs(c.onSid(1)))).toBe(true);
    expect(contiguousFrom1(seqs(b.onSid(2)))).toBe(true);
    expect(b.onSid(3).every((f) => f.type === 'ticker' && f.seq === undefined)).toBe(true);
    const delta = a.where((f) => f.type === 'orderbook_delta')[0]!;
    const sent = (delta.msg as Record<string, unknown>)['ts_ms'] as number;
    expect(Math.abs(Date.now() - sent)).toBeLessThan(5000);
    // Quiet again after setTraffic({}).
    await new Promise((r) => setTimeout(r, 30));
    const total = a.frames.length + b.frames.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(a.frames.length + b.frames.length).toBe(total);
  });

  it('keeps books consistent: a delta reaches every orderbook sid holding the market', async () => {
    const s = await sim({ markets: 3, traffic: { orderbookDeltasPerSecond: 500 } });
    const a = await client(s);
    const b = await client(s);
    const t = s.markets[0]!;
    for (const c of [a, b]) c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [t] });
    await a.waitFor((f) => f.type === 'orderbook_delta', 30);
    s.setTraffic({});
    await expect.poll(() => b.where((f) => f.type === 'orderbook_delta').length).toBe(a.where((f) => f.type === 'orderbook_delta').length);
    const body = (c: TestClient) => c.where((f) => f.type === 'orderbook_delta').map((f) => JSON.stringify(f.msg));
    // The first deltas may predate b's subscription; every later one is identical on both.
    expect(body(b).slice(-20)).toEqual(body(a).slice(-20));
  });

  it('churns markets with lifecycle events reflected in the universe', async () => {
    const s = await sim({ markets: 10, traffic: { lifecyclePerSecond: 100 } });
    const c = await client(s);
    c.send('subscribe', { channels: ['market_lifecycle_v2'] });
    const frames = await c.waitFor((f) => f.type === 'market_lifecycle_v2', 12);
    const events = new Set(frames.map((f) => (f.msg as Record<string, unknown>)['event_type']));
    expect(events).toEqual(new Set(['created', 'activated', 'determined']));
    expect(contiguousFrom1(seqs(frames))).toBe(true);
    const created = frames.find((f) => (f.msg as Record<string, unknown>)['event_type'] === 'created')!;
    expect(created.msg).toMatchObject({ additional_metadata: { event_ticker: expect.any(String) } });
    expect(Math.abs(s.markets.length - 10)).toBeLessThanOrEqual(1);
  });

  it('bursts multiply the rate during the burst window', async () => {
    const s = await sim({ markets: 4, traffic: { orderbookDeltasPerSecond: 200, burstEveryMs: 400, burstDurationMs: 200, burstFactor: 10 } });
    const c = await client(s);
    c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [...s.markets] });
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 800));
    const rate = c.where((f) => f.type === 'orderbook_delta').length / ((Date.now() - started) / 1000);
    // Without bursts ~200/s; half the time at 10x gives ~1100/s.
    expect(rate).toBeGreaterThan(400);
  });
});

describe('blast', () => {
  it('sends N deltas per orderbook sid with contiguous seqs, padded to frameBytes', async () => {
    const s = await sim({ markets: 10 });
    const a = await client(s);
    const b = await client(s);
    a.send('subscribe', { channels: ['orderbook_delta'], market_tickers: s.markets.slice(0, 5) });
    b.send('subscribe', { channels: ['orderbook_delta'], market_tickers: s.markets.slice(5, 10) });
    await a.waitFor((f) => f.type === 'orderbook_snapshot', 5);
    await b.waitFor((f) => f.type === 'orderbook_snapshot', 5);
    const result = await s.blast({ frames: 5000, frameBytes: 400 });
    expect(result.framesSent).toBe(10_000);
    expect(result.framesPerSecond).toBeGreaterThan(0);
    for (const c of [a, b]) {
      await c.waitFor((f) => f.type === 'orderbook_delta', 5000, 10_000);
      expect(contiguousFrom1(seqs(c.onSid(1)))).toBe(true);
      const sizes = c.where((f) => f.type === 'orderbook_delta').map((f) => f.raw.length);
      expect(new Set(sizes)).toEqual(new Set([400]));
    }
    const only = await s.blast({ frames: 10, connections: [Math.max(...s.connections().map((x) => x.id))] });
    expect(only.framesSent).toBe(10);
  });
});

describe('stats', () => {
  it('counts connections, commands by cmd, frames per sid, subscriptions and markets', async () => {
    const s = await sim({ markets: 10 });
    const c = await client(s);
    c.send('subscribe', { channels: ['orderbook_delta', 'trade'], market_tickers: s.markets.slice(0, 4) });
    c.send('list_subscriptions');
    c.send('nope');
    await c.waitFor((f) => f.type === 'orderbook_snapshot', 4);
    await c.waitFor((f) => f.type === 'error');
    const stats = s.stats();
    expect(stats).toMatchObject({
      connectionsOpen: 1,
      connectionsTotal: 1,
      handshakesAccepted: 1,
      subscriptions: 2,
      marketsSubscribed: 8,
      commandsReceived: { subscribe: 1, list_subscriptions: 1, nope: 1 },
      errorsSent: { 5: 1 },
      marketsOpen: 10,
    });
    expect(stats.framesSentBySid['1:1']).toBe(c.onSid(1).length);
    expect(stats.framesSent).toBe(c.frames.length);
    expect(s.connections()[0]).toMatchObject({ id: 1, open: true, commandsReceived: 3 });
    expect(s.connections()[0]!.subscriptions).toEqual([
      { sid: 1, channel: 'orderbook_delta', markets: 4, global: false, seq: 4, framesSent: 4 },
      { sid: 2, channel: 'trade', markets: 4, global: false, seq: 0, framesSent: 0 },
    ]);
  });
});
