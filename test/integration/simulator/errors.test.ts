import { describe, expect, it } from 'vitest';
import { startSimulator } from 'kalshi-ws-pool/testing';
import type { Simulator } from 'kalshi-ws-pool/testing';
import { connect, simulatorSuite } from './helpers';
import type { TestClient } from './helpers';

let sim: Simulator;
const client = simulatorSuite({ markets: 20, limits: { marketsPerSubscription: 5, commandsPerSecondPerSubscription: 3 } }, (s) => (sim = s));

function codeOf(c: TestClient, predicate: (f: { id?: number; type: string }) => boolean): Promise<unknown> {
  return c.waitFor((f) => f.type === 'error' && predicate(f)).then((fs) => (fs.at(-1)!.msg as Record<string, unknown>)['code']);
}

describe('command error codes', () => {
  it('1 for frames that are not a JSON object, without an id', async () => {
    const c = await client();
    c.ws.send('not json');
    c.ws.send('[1,2]');
    const errors = await c.waitFor((f) => f.type === 'error', 2);
    expect(errors.map((f) => [f.id, (f.msg as Record<string, unknown>)['code']])).toEqual([
      [undefined, 1],
      [undefined, 1],
    ]);
  });

  it('2 params required, 3 channels required, 4 sids required, 5 unknown command, 8 unknown channel, 11 invalid parameter, 14 ticker required', async () => {
    const c = await client();
    const cases: [Record<string, unknown>, number][] = [
      [{ id: 1, cmd: 'subscribe' }, 2],
      [{ id: 2, cmd: 'subscribe', params: {} }, 3],
      [{ id: 3, cmd: 'subscribe', params: { channels: [] } }, 3],
      [{ id: 4, cmd: 'unsubscribe', params: {} }, 4],
      [{ id: 5, cmd: 'resubscribe', params: {} }, 5],
      [{ id: 6, cmd: 'subscribe', params: { channels: ['ticker_v2'] } }, 8],
      [{ id: 7, cmd: 'subscribe', params: { channels: 'ticker' } }, 11],
      [{ id: 8, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: 'X' } }, 11],
      [{ id: 9, cmd: 'subscribe', params: { channels: ['orderbook_delta'] } }, 14],
      [{ id: 10, cmd: 'unsubscribe', params: { sids: [42] } }, 7],
      [{ id: 11, cmd: 'update_subscription' }, 2],
      [{ id: 12, cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'], market_tickers: ['X'] } }, 11],
    ];
    for (const [command] of cases) c.ws.send(JSON.stringify(command));
    const errors = await c.waitFor((f) => f.type === 'error', cases.length);
    expect(errors.map((f) => [f.id, (f.msg as Record<string, unknown>)['code']])).toEqual(cases.map(([cmd, code]) => [cmd['id'], code]));
    expect(errors.every((f) => f.sid === undefined && f.seq === undefined)).toBe(true);
    expect(sim.connections().find((x) => x.id === 2)!.subscriptions).toEqual([]);
  });

  it('26 when a subscription would pass the market limit (new sid, merge and add_markets)', async () => {
    const c = await client();
    const m = sim.markets;
    const big = c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: m.slice(0, 6) });
    expect(await codeOf(c, (f) => f.id === big)).toBe(26);
    c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: m.slice(0, 4) });
    await c.waitFor((f) => f.type === 'orderbook_snapshot', 4);
    const add = c.send('update_subscription', { sids: [1], action: 'add_markets', market_tickers: m.slice(4, 6) });
    const [err] = await c.waitFor((f) => f.id === add);
    expect(err).toMatchObject({ type: 'error', sid: 1, seq: 5, msg: { code: 26 } });
    const merge = c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: m.slice(3, 6) });
    expect(await codeOf(c, (f) => f.id === merge)).toBe(26);
    // Nothing was added: exactly 5 more fits.
    const ok = c.send('update_subscription', { sids: [1], action: 'add_markets', market_tickers: [m[4]] });
    const [reply] = await c.waitFor((f) => f.id === ok);
    expect(reply).toMatchObject({ type: 'ok', seq: 7, msg: { market_tickers: m.slice(0, 5) } });
  });

  it('27 when commands on one sid pass the per-second rate', async () => {
    const c = await client();
    const t = sim.markets[0]!;
    c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [t] });
    await c.waitFor((f) => f.type === 'orderbook_snapshot');
    const ids = [1, 2, 3, 4].map(() => c.send('update_subscription', { sids: [1], action: 'get_snapshot', market_tickers: [t] }));
    const last = await c.waitFor((f) => f.id === ids[3]);
    expect(last[0]).toMatchObject({ type: 'error', sid: 1, msg: { code: 27 } });
    expect(ids.slice(0, 3).every((id) => c.replies(id)[0]?.type === 'orderbook_snapshot')).toBe(true);
    expect(sim.stats().errorsSent[27]).toBeGreaterThanOrEqual(1);
  });
});

describe('error 25: slow readers', () => {
  it('drops the subscription with error 25 when the socket buffer passes the limit', async () => {
    const slow = await startSimulator({ markets: 5, limits: { maxBufferedBytes: 256 * 1024 } });
    try {
      const c = await connect(slow);
      const t = slow.markets[0]!;
      c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: [t] });
      await c.waitFor((f) => f.type === 'orderbook_snapshot');
      // Stop reading: the kernel buffers fill, then ws.bufferedAmount grows on the server.
      c.ws.pause();
      const deadline = Date.now() + 5000;
      while (slow.connections()[0]!.subscriptions.length > 0 && Date.now() < deadline) {
        for (let i = 0; i < 2000; i++) slow.publishDelta(t);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(slow.connections()[0]!.subscriptions).toEqual([]);
      expect(slow.stats().errorsSent[25]).toBe(1);
      c.ws.resume();
      const [err] = await c.waitFor((f) => f.type === 'error', 1, 5000);
      expect(err).toMatchObject({ sid: 1, msg: { code: 25 } });
      expect(err!.id).toBeUndefined();
      expect(err!.seq).toBe(c.onSid(1).length);
      c.close();
    } finally {
      await slow.close();
    }
  });
});
