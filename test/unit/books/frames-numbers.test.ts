import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameError, createBookStore, formatPrice, formatSize, parseFrame, parsePrice, parseSize } from 'kalshi-ws-pool/books';
import type { BookInput } from 'kalshi-ws-pool/books';

const encoder = new TextEncoder();

describe('exact numbers', () => {
  it('round-trips every price and size string exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 99_999_999 }), (t) => parsePrice(formatPrice(t)) === t));
    fc.assert(fc.property(fc.integer({ min: -(10 ** 15 - 1), max: 10 ** 15 - 1 }), (h) => parseSize(formatSize(h)) === h));
    // Sizes carry at most 13 integer digits (10^15 hundredths is one past the documented range).
    expect(() => parseSize(formatSize(10 ** 15))).toThrow(/malformed size/);
    expect(parsePrice('0.1200')).toBe(1200);
    expect(parsePrice('0.0001')).toBe(1);
    expect(parseSize('-4444.00')).toBe(-444_400);
    expect(parseSize('47.03')).toBe(4703);
    expect(formatPrice(1200)).toBe('0.1200');
    expect(formatSize(-444_400)).toBe('-4444.00');
  });

  it('rejects malformed and overlong strings with a FrameError naming the field', () => {
    for (const bad of ['', '.5', '1.', '0.12345', '1e-4', ' 0.1', '+0.1', '-0.1', '0x1', '1234567.0', 'NaN', '0.1.2']) {
      const error = (() => {
        try {
          parsePrice(bad, 'msg.price_dollars');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(FrameError);
      expect((error as FrameError).field).toBe('msg.price_dollars');
      expect((error as FrameError).code).toBe('KWP_PROTOCOL');
    }
    expect(() => parseSize('1.001', 'msg.delta_fp')).toThrow(FrameError);
    expect(() => parseSize('12345678901234.00')).toThrow(FrameError);
    expect(() => parseSize('-1.00', 'count', false)).toThrow(FrameError);
    expect(() => parseSize(12)).toThrow(/expected a size string/);
  });
});

describe('parseFrame', () => {
  it('parses every frame of the real capture into a typed frame', () => {
    const lines = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const types = new Set<string>();
    for (const line of lines) types.add(parseFrame(encoder.encode(line)).type);
    expect([...types].sort()).toEqual(
      ['error', 'market_lifecycle_v2', 'ok', 'orderbook_delta', 'orderbook_snapshot', 'subscribed', 'ticker', 'trade'].sort(),
    );
    const delta = parseFrame('{"type":"orderbook_delta","sid":1,"seq":13,"msg":{"market_ticker":"M","price_dollars":"0.1200","delta_fp":"-4444.00","side":"yes"}}');
    expect(delta).toMatchObject({ type: 'orderbook_delta', sid: 1, seq: 13, marketTicker: 'M', price: 1200, delta: -444_400, side: 'yes' });
    const list = parseFrame('{"id":3,"type":"ok","msg":[{"channel":"orderbook_delta","sid":1}]}');
    expect(list).toMatchObject({ type: 'ok', subscriptions: [{ channel: 'orderbook_delta', sid: 1 }] });
    expect(parseFrame('{"type":"event_lifecycle","sid":5,"seq":2,"msg":{"event_ticker":"E"}}')).toMatchObject({ eventTicker: 'E' });
    expect(parseFrame('{"type":"fill","msg":{}}')).toMatchObject({ type: 'unknown', frameType: 'fill' });
  });

  it('names the failing field and never crashes on hostile input', () => {
    const cases: [string, string][] = [
      ['{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"M","price_dollars":"0.12345","delta_fp":"1.00","side":"yes"}}', 'msg.price_dollars'],
      ['{"type":"orderbook_delta","sid":1,"seq":1,"msg":{"market_ticker":"M","price_dollars":"0.1","delta_fp":"1.00","side":"maybe"}}', 'msg.side'],
      ['{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M","yes_dollars_fp":[["0.1","x"]]}}', 'msg.yes_dollars_fp[0][1]'],
      ['{"type":"trade","sid":1,"seq":1,"msg":{"trade_id":"t","market_ticker":"M","yes_price_dollars":"0.1","no_price_dollars":"0.9"}}', 'msg.count_fp'],
      ['{"type":"ticker","sid":1,"msg":5}', 'msg'],
      ['[1,2]', ''],
      ['{"type":', ''],
    ];
    for (const [text, field] of cases) {
      expect(() => parseFrame(text), text).toThrow(FrameError);
      try {
        parseFrame(text);
      } catch (e) {
        expect((e as FrameError).field).toBe(field);
      }
    }
    expect(() => parseFrame(new Uint8Array([0xff, 0xfe]))).toThrow(FrameError);
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseFrame(s);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
        }
      }),
    );
  });
});

function msg(type: string, connectionId: number, sid: number, seq: number | undefined, body: Record<string, unknown>, seqGap = false): BookInput {
  return { data: encoder.encode(JSON.stringify({ type, sid, seq, msg: body })), connectionId, type, sid, seq, seqGap };
}
const snap = (c: number, sid: number, seq: number, t: string, gap = false): BookInput =>
  msg('orderbook_snapshot', c, sid, seq, { market_ticker: t, market_id: '', yes_dollars_fp: [['0.1000', '5.00']], no_dollars_fp: [['0.8500', '1.50']] }, gap);
const delta = (c: number, sid: number, seq: number, t: string, gap = false): BookInput =>
  msg('orderbook_delta', c, sid, seq, { market_ticker: t, price_dollars: '0.1000', delta_fp: '1.00', side: 'yes' }, gap);

describe('book store gap states', () => {
  it('shows best bid/ask, implied asks and spread of a live book', () => {
    const store = createBookStore();
    store.apply(snap(1, 1, 1, 'A'));
    const e = store.get('A')!;
    expect(e.state).toBe('live');
    expect(e.book!.bestYesBid()).toBe(1000);
    expect(e.book!.bestYesAsk()).toBe(1500);
    expect(e.book!.bestNoAsk()).toBe(9000);
    expect(e.book!.spread()).toBe(500);
  });

  it('flags a delta with no snapshot instead of applying it to nothing', () => {
    const store = createBookStore();
    store.apply(delta(1, 1, 1, 'A'));
    expect(store.get('A')).toMatchObject({ state: 'awaiting-snapshot', book: undefined });
    expect(store.stats().deltasIgnored).toBe(1);
  });

  it('a seqGap marks every market of that connection+sid untrusted until its own snapshot', () => {
    let now = 1_000;
    const store = createBookStore({ clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined }, staleAfterMs: 100 });
    store.apply(snap(1, 1, 1, 'A'));
    store.apply(snap(1, 1, 2, 'B'));
    store.apply(snap(2, 1, 1, 'C')); // same sid number, other connection
    store.apply(delta(1, 1, 5, 'A', true));
    expect(store.get('A')).toMatchObject({ state: 'awaiting-snapshot', book: undefined });
    expect(store.get('B')!.state).toBe('awaiting-snapshot');
    expect(store.get('C')!.state).toBe('live');
    now += 100;
    expect(store.get('B')!.state).toBe('stale');
    store.apply(snap(1, 1, 6, 'A'));
    expect(store.get('A')!.state).toBe('live');
    expect(store.get('A')!.book!.sizeAt('yes', 1000)).toBe(500);
    expect(store.get('B')!.state).toBe('stale');
  });

  it('a sid whose seq restarts (reconnect) and invalidateConnection distrust its books', () => {
    const store = createBookStore();
    store.apply(snap(1, 1, 1, 'A'));
    store.apply(snap(1, 1, 2, 'B'));
    store.apply(snap(1, 1, 1, 'A')); // new subscription on the same sid number
    expect(store.get('A')!.state).toBe('live');
    expect(store.get('B')!.state).toBe('awaiting-snapshot');
    store.invalidateConnection(1);
    expect(store.get('A')!.state).toBe('awaiting-snapshot');
  });

  it('drops ended markets, counts malformed frames and notifies changes', async () => {
    const errors: string[] = [];
    const store = createBookStore({ onFrameError: (e) => errors.push(e.field) });
    const seen: string[] = [];
    store.onChange((e) => seen.push(`${e.ticker}:${e.state}`));
    const changes = store.changes();
    store.apply(snap(1, 1, 1, 'A'));
    store.apply(msg('orderbook_delta', 1, 1, 2, { market_ticker: 'A', price_dollars: '0.10000', delta_fp: '1.00', side: 'yes' }));
    expect(errors).toEqual(['msg.price_dollars']);
    expect((await changes.next()).value).toEqual(['A']);
    store.apply(msg('market_lifecycle_v2', 1, 9, 1, { market_ticker: 'A', event_type: 'determined' }));
    expect(store.get('A')).toBeUndefined();
    expect(seen).toEqual(['A:live']);
    store.close();
    expect((await changes.next()).done).toBe(true);
  });
});
