import { createMemoryRegistry } from 'kalshi-ws-pool';
import { createShardedRegistry, eventTickerOf, identifyFrame, scanTicker, shardOf, subjectsCover, subjectToken, tickerFromToken } from 'kalshi-ws-pool/nats';
import { describe, expect, it } from 'vitest';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('subjects and frame ids', () => {
  it('makes tickers subject-safe and reversible', () => {
    expect(subjectToken('KXBTCD-26NOV2317-T98999.99')).toBe('KXBTCD-26NOV2317-T98999%2E99');
    for (const t of ['A.B*C>D%E F', 'KX-1', '']) expect(tickerFromToken(subjectToken(t))).toBe(t);
    expect(subjectToken('A.B')).not.toBe(subjectToken('A_B'));
  });

  it('scans the market ticker from orderbook bytes and gives them no shared id', () => {
    const frame = bytes('{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"KX-A.5","price_dollars":"0.5","delta_fp":"1.00","side":"yes"}}');
    expect(scanTicker(frame)).toBe('KX-A.5');
    expect(identifyFrame('orderbook_delta', frame)).toEqual({ ticker: 'KX-A.5', sharedId: undefined });
  });

  it('gives trades their trade_id and ticker/lifecycle a content id independent of sid, seq and key order', () => {
    expect(identifyFrame('trade', bytes('{"type":"trade","sid":3,"seq":9,"msg":{"trade_id":"t-1","market_ticker":"M"}}')).sharedId).toBe('trade:t-1');
    const a = identifyFrame('ticker', bytes('{"type":"ticker","sid":2,"msg":{"market_ticker":"M","price":5,"ts":1}}'));
    const b = identifyFrame('ticker', bytes('{"sid":7,"msg":{"ts":1,"price":5,"market_ticker":"M"},"type":"ticker"}'));
    const c = identifyFrame('ticker', bytes('{"type":"ticker","sid":2,"msg":{"market_ticker":"M","price":6,"ts":1}}'));
    expect(a.sharedId).toBe(b.sharedId);
    expect(a.sharedId).not.toBe(c.sharedId);
    expect(identifyFrame('trade', bytes('{not json')).sharedId).toBeUndefined();
  });

  it('checks stream subject coverage', () => {
    expect(subjectsCover(['kalshi.>'], 'kalshi')).toBe(true);
    expect(subjectsCover(['>'], 'kalshi')).toBe(true);
    expect(subjectsCover(['kalshi.trade.*'], 'kalshi')).toBe(false);
    expect(subjectsCover(['other.>'], 'kalshi')).toBe(false);
  });
});

describe('sharding', () => {
  it('derives the event ticker and keeps an event on one shard, deterministically', () => {
    expect(eventTickerOf('KXBTCD-26NOV2317-T98999.99')).toBe('KXBTCD-26NOV2317');
    expect(eventTickerOf('SOLO')).toBe('SOLO');
    expect(shardOf('KXBTCD-26NOV2317-T1', 4)).toBe(shardOf('KXBTCD-26NOV2317-T2', 4));
    expect(shardOf('KXBTCD-26NOV2317-T1', 4)).toBe(shardOf('KXBTCD-26NOV2317-T1', 4));
    expect(() => shardOf('X', 0)).toThrow(/shards/);
  });

  it('splits a registry into disjoint shards that cover every market, changes included', async () => {
    const tickers = Array.from({ length: 200 }, (_, i) => `EV${i % 50}-X-M${i}`);
    const inner = createMemoryRegistry(tickers);
    const shards = [0, 1, 2].map((shard) => createShardedRegistry(inner, { shard, shards: 3 }));
    const parts = await Promise.all(shards.map(async (r) => [...(await r.markets())]));
    expect(parts.flat().sort()).toEqual([...tickers].sort());
    expect(parts.every((p) => p.length > 0)).toBe(true);
    const seen: string[][] = [[], [], []];
    const offs = shards.map((r, i) => r.onChange((changes) => seen[i]!.push(...changes.map((c) => c.ticker))));
    inner.add('NEW-A-1', 'NEW-A-2');
    expect(seen.flat().sort()).toEqual(['NEW-A-1', 'NEW-A-2']);
    expect(seen.filter((s) => s.length > 0)).toHaveLength(1);
    for (const off of offs) off();
    expect(() => createShardedRegistry(inner, { shard: 3, shards: 3 })).toThrow(/shard/);
  });
});
