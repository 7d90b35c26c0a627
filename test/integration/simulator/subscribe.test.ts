import { describe, expect, it } from 'vitest';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { contiguousFrom1, seqs, simulatorSuite } from './helpers';

let sim: Simulator;
const client = simulatorSuite({ markets: 40 }, (s) => (sim = s));

describe('subscribe', () => {
  it('answers one subscribed per channel with the same id and sids from 1, then snapshots on seq 1..N', async () => {
    const c = await client();
    const tickers = sim.markets.slice(0, 12);
    const id = c.send('subscribe', { channels: ['orderbook_delta', 'ticker', 'trade'], market_tickers: tickers });
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot', 12);
    const subscribed = c.where((f) => f.type === 'subscribed');
    expect(subscribed.map((f) => f.id)).toEqual([id, id, id]);
    expect(subscribed.map((f) => f.msg)).toEqual([
      { channel: 'orderbook_delta', sid: 1 },
      { channel: 'ticker', sid: 2 },
      { channel: 'trade', sid: 3 },
    ]);
    // subscribed replies carry no seq; the sid lives in msg.
    expect(subscribed.every((f) => f.seq === undefined && f.sid === undefined)).toBe(true);
    expect(snaps.every((f) => f.sid === 1)).toBe(true);
    expect(seqs(snaps)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(snaps.map((f) => (f.msg as Record<string, unknown>)['market_ticker'])).toEqual(tickers);
  });

  it('omits empty snapshot sides and uses fixed-point strings', async () => {
    const c = await client();
    const tickers = sim.markets.slice(0, 20);
    c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: tickers });
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot', 20);
    const msgs = snaps.map((f) => f.msg as Record<string, unknown>);
    // Never an empty array; some markets have a side omitted entirely.
    for (const msg of msgs) {
      for (const side of ['yes_dollars_fp', 'no_dollars_fp']) {
        if (side in msg) expect((msg[side] as unknown[]).length).toBeGreaterThan(0);
      }
      expect(msg['market_id']).toMatch(/^[0-9a-f-]{36}$/);
      expect('ts' in msg).toBe(false);
    }
    expect(msgs.some((m) => !('yes_dollars_fp' in m))).toBe(true);
    expect(msgs.some((m) => !('no_dollars_fp' in m))).toBe(true);
    const level = (msgs.find((m) => 'yes_dollars_fp' in m)!['yes_dollars_fp'] as string[][])[0]!;
    expect(level[0]).toMatch(/^\d\.\d{4}$/);
    expect(level[1]).toMatch(/^\d+\.\d{2}$/);
  });

  it('sends ticker frames without seq and trade frames with their own sid counter', async () => {
    const c = await client();
    const ticker = sim.markets[3]!;
    c.send('subscribe', { channels: ['orderbook_delta', 'ticker', 'trade'], market_tickers: [ticker] });
    await c.waitFor((f) => f.type === 'orderbook_snapshot');
    expect(sim.publishTicker(ticker)).toBeGreaterThanOrEqual(1);
    sim.publishTrade(ticker);
    sim.publishTrade(ticker);
    sim.publishDelta(ticker);
    const [tick] = await c.waitFor((f) => f.type === 'ticker');
    expect(tick!.sid).toBe(2);
    expect(tick!.seq).toBeUndefined();
    expect(tick!.msg).toMatchObject({ market_ticker: ticker, yes_bid_dollars: expect.stringMatching(/^\d\.\d{4}$/) });
    const trades = await c.waitFor((f) => f.type === 'trade', 2);
    expect(trades.map((f) => [f.sid, f.seq])).toEqual([
      [3, 1],
      [3, 2],
    ]);
    expect(trades[0]!.msg).toMatchObject({ market_ticker: ticker, count_fp: expect.stringMatching(/^\d+\.\d{2}$/) });
    const [delta] = await c.waitFor((f) => f.type === 'orderbook_delta');
    expect(delta!.seq).toBe(2);
    expect(delta!.msg).toMatchObject({
      market_ticker: ticker,
      price_dollars: expect.stringMatching(/^\d\.\d{4}$/),
      delta_fp: expect.stringMatching(/^-?\d+\.\d{2}$/),
      side: expect.stringMatching(/^(yes|no)$/),
      ts_ms: expect.any(Number),
    });
  });

  it('merges a repeat subscribe into the held sid with ok, a seq and snapshots of new markets only', async () => {
    const c = await client();
    const [a, b, d] = sim.markets;
    c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [a, b] });
    await c.waitFor((f) => f.type === 'orderbook_snapshot', 2);
    const id = c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [b, d] });
    const [ok] = await c.waitFor((f) => f.type === 'ok' && f.id === id);
    expect(ok).toMatchObject({ sid: 1, seq: 3, msg: { market_tickers: [a, b, d] } });
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot', 3);
    expect(snaps[2]).toMatchObject({ sid: 1, seq: 4, msg: { market_ticker: d } });
    expect(c.where((f) => f.type === 'subscribed')).toHaveLength(1);
    expect(contiguousFrom1(seqs(c.onSid(1)))).toBe(true);
  });

  it('mixes subscribed and ok in one command, and lists subscriptions without a seq', async () => {
    const c = await client();
    c.send('subscribe', { channels: ['trade'] });
    await c.waitFor((f) => f.type === 'subscribed');
    const id = c.send('subscribe', { channels: ['trade', 'market_lifecycle_v2'] });
    await c.waitFor((f) => f.id === id, 2);
    expect(c.replies(id).map((f) => f.type)).toEqual(['ok', 'subscribed']);
    expect(c.replies(id)[0]).toMatchObject({ sid: 1, seq: 1, msg: { market_tickers: [] } });
    expect(c.replies(id)[1]!.msg).toEqual({ channel: 'market_lifecycle_v2', sid: 2 });
    const list = c.send('list_subscriptions');
    const [ok] = await c.waitFor((f) => f.id === list);
    expect(ok).toMatchObject({ type: 'ok', msg: [{ channel: 'trade', sid: 1 }, { channel: 'market_lifecycle_v2', sid: 2 }] });
    expect(ok!.seq).toBeUndefined();
  });

  it('unsubscribes with an unsubscribed frame that takes a seq (none on ticker)', async () => {
    const c = await client();
    const t = sim.markets[5]!;
    c.send('subscribe', { channels: ['orderbook_delta', 'ticker'], market_tickers: [t] });
    await c.waitFor((f) => f.type === 'orderbook_snapshot');
    const id = c.send('unsubscribe', { sids: [1, 2] });
    const replies = await c.waitFor((f) => f.id === id, 2);
    expect(replies.map((f) => [f.type, f.sid, f.seq])).toEqual([
      ['unsubscribed', 1, 2],
      ['unsubscribed', 2, undefined],
    ]);
    expect(sim.publishDelta(t)).toBe(sim.connectionsHolding(t).length);
    const info = sim.connections().find((x) => x.id === sim.connections().length)!;
    expect(info.subscriptions).toEqual([]);
  });

  it('numbers sids from 1 again on every connection and uses both envelope key orders', async () => {
    const c1 = await client();
    const c2 = await client();
    const t = sim.markets[0]!;
    for (const c of [c1, c2]) c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [t] });
    const [s1] = await c1.waitFor((f) => f.type === 'orderbook_snapshot');
    const [s2] = await c2.waitFor((f) => f.type === 'orderbook_snapshot');
    expect(s1!.sid).toBe(1);
    expect(s2!.sid).toBe(1);
    const orders = new Set([s1!.raw.startsWith('{"type"'), s2!.raw.startsWith('{"type"')]);
    expect(orders).toEqual(new Set([true, false]));
    // One delta reaches every sid holding the market.
    expect(sim.connectionsHolding(t)).toEqual(expect.arrayContaining(sim.connections().filter((x) => x.open).slice(-2).map((x) => x.id)));
  });
});
