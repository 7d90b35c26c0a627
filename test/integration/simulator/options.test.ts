import { describe, expect, it } from 'vitest';
import { ConfigError } from 'kalshi-ws-pool';
import { SIMULATOR_DEFAULTS, resolveSimulatorOptions, startSimulator } from 'kalshi-ws-pool/testing';
import { connect } from './helpers';

describe('simulator options', () => {
  it('fills documented defaults', () => {
    const resolved = resolveSimulatorOptions();
    expect(resolved).toMatchObject({ host: '127.0.0.1', port: 0, markets: 100, timestampWindowMs: 30_000, pingIntervalMs: 10_000, keyOrder: 'mixed' });
    expect(resolved.limits.maxBufferedBytes).toBe(64 * 1024 * 1024);
    expect(resolved.traffic.orderbookDeltasPerSecond).toBe(0);
    expect(Object.isFrozen(SIMULATOR_DEFAULTS)).toBe(true);
  });

  it('rejects bad values with a ConfigError naming the option', () => {
    expect(() => resolveSimulatorOptions({ port: -1 })).toThrow(ConfigError);
    expect(() => resolveSimulatorOptions({ traffic: { tradesPerSecond: Number.NaN } })).toThrow(/traffic.tradesPerSecond/);
    expect(() => resolveSimulatorOptions({ limits: { marketsPerSubscription: 0 } })).toThrow(/limits.marketsPerSubscription/);
    expect(() => resolveSimulatorOptions({ markets: ['ok', ''] })).toThrow(/markets/);
    expect(() => resolveSimulatorOptions({ keyOrder: 'random' as never })).toThrow(/keyOrder/);
  });

  it('serves explicit tickers, a fixed key order, and sid errors without id on request', async () => {
    const sim = await startSimulator({ markets: ['KXA-26AUG19-X', 'KXB-26AUG19-Y'], keyOrder: 'type-first', omitIdOnSidErrors: true });
    try {
      expect(sim.markets).toEqual(['KXA-26AUG19-X', 'KXB-26AUG19-Y']);
      const c = await connect(sim);
      c.send('subscribe', { channels: ['orderbook_delta'], market_tickers: ['KXA-26AUG19-X'] });
      const [snap] = await c.waitFor((f) => f.type === 'orderbook_snapshot');
      expect(snap!.raw.startsWith('{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{')).toBe(true);
      const id = c.send('update_subscription', { sids: [1], action: 'bogus', market_tickers: ['KXA-26AUG19-X'] });
      const [err] = await c.waitFor((f) => f.type === 'error');
      expect(err).toMatchObject({ sid: 1, seq: 2, msg: { code: 13 } });
      expect(err!.id).toBeUndefined();
      expect(c.replies(id)).toEqual([]);
      c.close();
    } finally {
      await sim.close();
    }
  });
});
