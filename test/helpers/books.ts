/**
 * End-to-end book checks with the real store: `createBookStore` from `kalshi-ws-pool/books`, compared with the
 * simulator's own books (`sim.book(ticker)`), as in test/integration/books/books-vs-simulator.test.ts.
 */
import { formatPrice, formatSize } from 'kalshi-ws-pool/books';
import type { BookStore } from 'kalshi-ws-pool/books';
import type { Simulator } from 'kalshi-ws-pool/testing';

/** Markets whose book in `store` is not live or differs from the simulator's; `[]` when all are equal. */
export function bookMismatches(store: BookStore, sim: Simulator, tickers: readonly string[] = sim.markets): string[] {
  const wrong: string[] = [];
  for (const ticker of tickers) {
    const entry = store.get(ticker);
    const truth = sim.book(ticker);
    if (entry?.state !== 'live' || truth === undefined) {
      wrong.push(`${ticker}: ${entry?.state ?? 'missing'}${truth === undefined ? ' (not in simulator)' : ''}`);
      continue;
    }
    for (const side of ['yes', 'no'] as const) {
      const got = entry.book!.depth(side).map(([p, s]) => [formatPrice(p), formatSize(s)]);
      if (JSON.stringify(got) !== JSON.stringify(truth[side])) wrong.push(`${ticker} ${side}`);
    }
  }
  return wrong;
}
