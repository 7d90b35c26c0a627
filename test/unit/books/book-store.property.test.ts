import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBookStore, formatPrice, formatSize } from 'kalshi-ws-pool/books';
import type { BookInput } from 'kalshi-ws-pool/books';

const encoder = new TextEncoder();
const TICKERS = ['KXA-1', 'KXB-2', 'KXC-3'] as const;

/** Deliberately naive reference: string-keyed maps, float parsing rounded per operation. */
class NaiveBook {
  yes = new Map<string, number>();
  no = new Map<string, number>();
  snapshot(yes: [string, string][], no: [string, string][]): void {
    this.yes = new Map(yes.map(([p, s]) => [Number(p).toFixed(4), Math.round(Number(s) * 100)]));
    this.no = new Map(no.map(([p, s]) => [Number(p).toFixed(4), Math.round(Number(s) * 100)]));
  }
  delta(side: 'yes' | 'no', price: string, delta: string): void {
    const map = side === 'yes' ? this.yes : this.no;
    const key = Number(price).toFixed(4);
    const next = (map.get(key) ?? 0) + Math.round(Number(delta) * 100);
    if (next === 0) map.delete(key);
    else map.set(key, next);
  }
  levels(side: 'yes' | 'no'): [string, string][] {
    const map = side === 'yes' ? this.yes : this.no;
    return [...map.entries()].sort((a, b) => Number(b[0]) - Number(a[0])).map(([p, s]) => [p, formatSize(s)]);
  }
}

type Op =
  | { kind: 'snapshot'; market: number; yes: [number, number][]; no: [number, number][] }
  | { kind: 'delta'; market: number; side: 'yes' | 'no'; pick: number; price: number; amount: number; remove: boolean };

const price = fc.integer({ min: 1, max: 9_999 }); // ticks: sub-penny included
const size = fc.integer({ min: 1, max: 50_000_000 }); // hundredths: fractional sizes included
const levels = fc.uniqueArray(fc.tuple(price, size), { selector: (l) => l[0], maxLength: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), market: fc.nat(2), yes: levels, no: levels }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('delta' as const),
      market: fc.nat(2),
      side: fc.constantFrom('yes' as const, 'no' as const),
      pick: fc.nat(),
      price,
      amount: size,
      remove: fc.boolean(),
    }),
  },
);

function frame(type: string, seq: number, msg: Record<string, unknown>): BookInput {
  const body = JSON.stringify(seq % 2 === 0 ? { type, sid: 1, seq, msg } : { msg, seq, sid: 1, type });
  return { data: encoder.encode(body), connectionId: 1, type, sid: 1, seq, seqGap: false };
}

describe('book store against a naive reference book', () => {
  it('agrees on every level after random snapshots and deltas (sub-penny prices, fractional sizes, zeros)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
        const store = createBookStore();
        const refs = new Map<string, NaiveBook>();
        let seq = 0;
        for (const o of ops) {
          const ticker = TICKERS[o.market]!;
          if (o.kind === 'snapshot') {
            const yes = o.yes.map(([p, s]) => [formatPrice(p), formatSize(s)] as [string, string]);
            const no = o.no.map(([p, s]) => [formatPrice(p), formatSize(s)] as [string, string]);
            const msg: Record<string, unknown> = { market_ticker: ticker, market_id: '' };
            if (yes.length > 0) msg['yes_dollars_fp'] = yes;
            if (no.length > 0) msg['no_dollars_fp'] = no;
            store.apply(frame('orderbook_snapshot', ++seq, msg));
            const ref = new NaiveBook();
            ref.snapshot(yes, no);
            refs.set(ticker, ref);
            continue;
          }
          const ref = refs.get(ticker);
          if (ref === undefined) continue; // a delta before any snapshot is covered by its own test
          const existing = ref.levels(o.side);
          let p: string;
          let d: string;
          if (existing.length > 0 && (o.remove || o.pick % 2 === 0)) {
            const [lp, ls] = existing[o.pick % existing.length]!;
            p = lp;
            const have = Math.round(Number(ls) * 100);
            // Remove the level exactly, or change it without going below zero.
            d = formatSize(o.remove ? -have : o.amount % 3 === 0 ? -Math.min(have, o.amount) : o.amount);
          } else {
            p = formatPrice(o.price);
            d = formatSize(o.amount);
          }
          store.apply(frame('orderbook_delta', ++seq, { market_ticker: ticker, market_id: '', price_dollars: p, delta_fp: d, side: o.side, ts_ms: 1 }));
          ref.delta(o.side, p, d);
        }
        for (const [ticker, ref] of refs) {
          const entry = store.get(ticker)!;
          expect(entry.state).toBe('live');
          for (const side of ['yes', 'no'] as const) {
            const got = entry.book!.depth(side).map(([p, s]) => [formatPrice(p), formatSize(s)]);
            expect(got).toEqual(ref.levels(side));
          }
        }
        expect(store.stats().inconsistentDeltas).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
