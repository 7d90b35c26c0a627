import { describe, expect, it } from 'vitest';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { contiguousFrom1, seqs, simulatorSuite } from './helpers';
import type { TestClient } from './helpers';

let sim: Simulator;
const client = simulatorSuite({ markets: 30 }, (s) => (sim = s));

/** A client holding an orderbook sid 1 on markets[0..1] and a global trade sid 2. */
async function subscribed(): Promise<TestClient> {
  const c = await client();
  c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: sim.markets.slice(0, 2) });
  c.send('subscribe', { channels: ['trade'] });
  await c.waitFor((f) => f.type === 'orderbook_snapshot', 2);
  await c.waitFor((f) => f.type === 'subscribed', 2);
  return c;
}

function error(c: TestClient, id: number): Promise<{ code: unknown; sid: number | undefined; seq: number | undefined }> {
  return c.waitFor((f) => f.id === id).then(([f]) => {
    expect(f!.type).toBe('error');
    return { code: (f!.msg as Record<string, unknown>)['code'], sid: f!.sid, seq: f!.seq };
  });
}

describe('update_subscription', () => {
  it('add_markets: ok with the full list and a seq, then snapshots for the new markets', async () => {
    const c = await subscribed();
    const [a, b, x, y] = sim.markets;
    const id = c.send('update_subscription', { sids: [1], action: 'add_markets', market_tickers: [b, x, y] });
    const [ok] = await c.waitFor((f) => f.id === id);
    expect(ok).toMatchObject({ type: 'ok', sid: 1, seq: 3, msg: { market_tickers: [a, b, x, y] } });
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot', 4);
    expect(snaps.slice(2).map((f) => [f.seq, (f.msg as Record<string, unknown>)['market_ticker']])).toEqual([
      [4, x],
      [5, y],
    ]);
    expect(snaps.slice(2).every((f) => f.id === undefined)).toBe(true);
  });

  it('delete_markets: ok with the remaining list and a seq, then no deltas for removed markets', async () => {
    const c = await subscribed();
    const [a, b] = sim.markets as [string, string];
    const id = c.send('update_subscription', { sid: 1, action: 'delete_markets', market_ticker: a });
    const [ok] = await c.waitFor((f) => f.id === id);
    expect(ok).toMatchObject({ type: 'ok', sid: 1, seq: 3, msg: { market_tickers: [b] } });
    expect(sim.connectionsHolding(a)).not.toContain(sim.connections().at(-1)!.id);
    sim.publishDelta(b);
    const [delta] = await c.waitFor((f) => f.type === 'orderbook_delta');
    expect(delta!.seq).toBe(4);
  });

  it('get_snapshot: snapshots carrying the command id, each taking a seq, and no ok', async () => {
    const c = await subscribed();
    const [a, b] = sim.markets as [string, string];
    sim.publishDelta(a);
    await c.waitFor((f) => f.type === 'orderbook_delta');
    const id = c.send('update_subscription', { sids: [1], action: 'get_snapshot', market_tickers: [a, b] });
    const replies = await c.waitFor((f) => f.id === id, 2);
    expect(replies.map((f) => [f.type, f.sid, f.seq])).toEqual([
      ['orderbook_snapshot', 1, 4],
      ['orderbook_snapshot', 1, 5],
    ]);
    const list = c.send('list_subscriptions');
    await c.waitFor((f) => f.id === list);
    expect(c.replies(id).some((f) => f.type === 'ok')).toBe(false);
    expect(contiguousFrom1(seqs(c.onSid(1)))).toBe(true);
  });

  it('answers 12 for several sids, 7 for an unknown sid, 15 without action, 13 for bad actions, 14 without tickers', async () => {
    const c = await subscribed();
    expect((await error(c, c.send('update_subscription', { sids: [1, 2], action: 'add_markets', market_tickers: ['X'] }))).code).toBe(12);
    expect((await error(c, c.send('update_subscription', { action: 'add_markets', market_tickers: ['X'] }))).code).toBe(12);
    expect((await error(c, c.send('update_subscription', { sids: [9], action: 'add_markets', market_tickers: ['X'] }))).code).toBe(7);
    // Sid-scoped errors take the sid's next seq (snapshots were 1 and 2).
    expect(await error(c, c.send('update_subscription', { sids: [1], market_tickers: ['X'] }))).toEqual({ code: 15, sid: 1, seq: 3 });
    expect(await error(c, c.send('update_subscription', { sids: [1], action: 'remove_markets', market_tickers: ['X'] }))).toEqual({
      code: 13,
      sid: 1,
      seq: 4,
    });
    expect(await error(c, c.send('update_subscription', { sids: [2], action: 'get_snapshot', market_tickers: ['X'] }))).toEqual({
      code: 13,
      sid: 2,
      seq: 1,
    });
    expect(await error(c, c.send('update_subscription', { sids: [1], action: 'add_markets' }))).toEqual({ code: 14, sid: 1, seq: 5 });
    expect(await error(c, c.send('update_subscription', { sids: [1], action: 'get_snapshot', market_tickers: [] }))).toEqual({
      code: 14,
      sid: 1,
      seq: 6,
    });
    expect(contiguousFrom1(seqs(c.onSid(1)))).toBe(true);
  });
});
