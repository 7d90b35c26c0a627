/**
 * Books: frames/s of parse-and-apply from raw frames through the book store (bytes read without JSON.parse)
 * against a `JSON.parse`-and-apply reference in the same run, and heap bytes per market for 20,000 live books
 * of the simulator's typical depth (1-5 levels a side). In-process, no sockets: `npm run bench -- --only books`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OrderBook, createBookStore, formatPrice, formatSize, parsePrice, parseSize } from '../../src/books/index';
import type { BookInput } from '../../src/books/index';
import type { Scenario } from '../lib/context';
import { row } from '../lib/results';

const NAME = 'books';
const MARKETS = 20_000;
const encoder = new TextEncoder();

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function tickerOf(i: number): string {
  return `KXBENCH-26AUG19-T${1000 + i}.99`;
}

/** Snapshots of every market (simulator-like depth), then `deltas` valid deltas, as pool messages. */
function makeFrames(markets: number, deltas: number): { snapshots: BookInput[]; deltas: BookInput[] } {
  const r = rng(42);
  const books: { yes: Map<number, number>; no: Map<number, number> }[] = [];
  const snapshots: BookInput[] = [];
  let seq = 0;
  for (let m = 0; m < markets; m++) {
    const mid = 5 + Math.floor(r() * 91);
    const side = (below: number): Map<number, number> => {
      const map = new Map<number, number>();
      const n = 1 + Math.floor(r() * 5);
      for (let i = 0; i < n && below - 1 - i > 0; i++) map.set((below - 1 - i) * 100, 100 + Math.floor(r() * 500_000));
      return map;
    };
    const b = { yes: side(mid), no: side(100 - mid) };
    books.push(b);
    const levels = (map: Map<number, number>): string[][] => [...map].sort((x, y) => x[0] - y[0]).map(([p, s]) => [formatPrice(p), formatSize(s)]);
    const msg = { market_ticker: tickerOf(m), market_id: '', yes_dollars_fp: levels(b.yes), no_dollars_fp: levels(b.no) };
    const s = ++seq;
    snapshots.push({ data: encoder.encode(JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq: s, msg })), connectionId: 1, type: 'orderbook_snapshot', sid: 1, seq: s, seqGap: false });
  }
  const out: BookInput[] = [];
  for (let i = 0; i < deltas; i++) {
    const m = Math.floor(r() * markets);
    const sideName = r() < 0.5 ? 'yes' : 'no';
    const map = books[m]![sideName];
    const levels = [...map.keys()];
    let price: number;
    let delta: number;
    if (levels.length > 0 && r() < 0.8) {
      price = levels[Math.floor(r() * levels.length)]!;
      const size = map.get(price)!;
      delta = r() < 0.2 ? -size : r() < 0.5 ? -Math.floor(r() * (size - 1)) : 1 + Math.floor(r() * 10_000);
    } else {
      price = (1 + Math.floor(r() * 98)) * 100 + Math.floor(r() * 100); // sub-penny
      delta = 1 + Math.floor(r() * 10_000);
    }
    const next = (map.get(price) ?? 0) + delta;
    if (next === 0) map.delete(price);
    else map.set(price, next);
    const s = ++seq;
    const msg = { market_ticker: tickerOf(m), market_id: 'ef793c45-beed-4096-8a3a-1c70af894be7', price_dollars: formatPrice(price), delta_fp: formatSize(delta), side: sideName, ts: '2026-08-20T00:36:00.63094Z', ts_ms: 1787186160630 };
    out.push({ data: encoder.encode(JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: s, msg })), connectionId: 1, type: 'orderbook_delta', sid: 1, seq: s, seqGap: false });
  }
  return { snapshots, deltas: out };
}

interface Parsed {
  type: string;
  msg: { market_ticker: string; price_dollars?: string; delta_fp?: string; side?: 'yes' | 'no'; yes_dollars_fp?: [string, string][]; no_dollars_fp?: [string, string][] };
}

/** Reference consumer: decode, JSON.parse, apply (same exact integers and OrderBook). */
function referenceApply(books: Map<string, OrderBook>, message: BookInput, decoder: { decode(input: Uint8Array): string }): void {
  const f = JSON.parse(decoder.decode(message.data)) as Parsed;
  const m = f.msg;
  if (f.type === 'orderbook_snapshot') {
    let book = books.get(m.market_ticker);
    if (book === undefined) books.set(m.market_ticker, (book = new OrderBook(m.market_ticker)));
    book.clear();
    for (const [p, s] of m.yes_dollars_fp ?? []) book.setLevel('yes', parsePrice(p), parseSize(s));
    for (const [p, s] of m.no_dollars_fp ?? []) book.setLevel('no', parsePrice(p), parseSize(s));
  } else {
    books.get(m.market_ticker)?.applyDelta(m.side!, parsePrice(m.price_dollars), parseSize(m.delta_fp));
  }
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap growth per market of a store holding every snapshot's book (a plain function, so nothing outlives it). */
function heapPerMarket(snapshots: readonly BookInput[], gc: () => void): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = createBookStore();
  for (const s of snapshots) store.apply(s);
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / MARKETS;
  if (store.stats().live !== MARKETS) throw new Error('not every book is live');
  store.close();
  return bytes;
}

/** The books scenario. */
export const books: Scenario = {
  name: NAME,
  budgetMs: (quick) => (quick ? 60_000 : 120_000),
  async run(context, signal) {
    const rounds = context.quick ? 3 : 5;
    const deltaCount = context.quick ? 200_000 : 500_000;
    const frames = makeFrames(MARKETS, deltaCount);
    const sdk: number[] = [];
    const reference: number[] = [];
    const decoder = new TextDecoder();
    for (let round = 0; round < rounds && !signal.aborted; round++) {
      const store = createBookStore();
      for (const s of frames.snapshots) store.apply(s);
      let t = performance.now();
      for (const d of frames.deltas) store.apply(d);
      sdk.push(deltaCount / ((performance.now() - t) / 1000));
      if (store.stats().inconsistentDeltas !== 0) throw new Error('book store disagreed with the generated deltas');
      store.close();
      const ref = new Map<string, OrderBook>();
      for (const s of frames.snapshots) referenceApply(ref, s, decoder);
      t = performance.now();
      for (const d of frames.deltas) referenceApply(ref, d, decoder);
      reference.push(deltaCount / ((performance.now() - t) / 1000));
      context.log(`${NAME} round ${round + 1}: book store ${(sdk.at(-1)! / 1e6).toFixed(2)} M frames/s, JSON.parse reference ${(reference.at(-1)! / 1e6).toFixed(2)} M frames/s`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Heap per market: 20,000 live books after their snapshots (frames kept outside both measurements).
    const gc = gcFunction();
    const heap: number[] = [];
    // One measurement: V8 keeps the previous store's graph alive across the next full GC, so later rounds read ~0.
    heap.push(heapPerMarket(frames.snapshots, gc));
    const caseName = `${MARKETS.toLocaleString('en-US')} markets, 1-5 levels a side`;
    const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const ratio = median(sdk) / median(reference);
    return [
      row({ scenario: NAME, case: caseName, variant: 'book store (bytes)', metric: 'deltas applied', unit: 'frames/s', note: `${ratio.toFixed(2)}x the JSON.parse reference (target >= 2x)` }, sdk),
      row({ scenario: NAME, case: caseName, variant: 'JSON.parse + apply', metric: 'deltas applied', unit: 'frames/s', note: 'reference, same run' }, reference),
      row({ scenario: NAME, case: caseName, variant: 'book store', metric: 'heap per market', unit: 'bytes', note: 'one measurement, tickers included' }, heap),
    ];
  },
};
