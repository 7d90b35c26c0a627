/**
 * Order books for the end-to-end checks, kept in integer hundredths per (side, price). Pluggable: the
 * `BookChecker` interface is what the NATS tests and the cluster demo use; when `kalshi-ws-pool/books`
 * lands it can implement the same interface.
 */
import type { RawMessage } from 'kalshi-ws-pool';

/** Applies frames and reports books as comparable plain objects. */
export interface BookChecker {
  apply(message: RawMessage & { readonly marketTicker?: string }): void;
  /** `{ ticker: { 'yes:0.4500': 1234, ... } }`, zero levels removed. */
  books(): Record<string, Record<string, number>>;
}

const cents = (fp: string): number => Math.round(Number(fp) * 100);

/** A minimal applier: snapshot replaces the book, delta adds `delta_fp` at (`side`, `price_dollars`). */
export function createBookChecker(): BookChecker {
  const books = new Map<string, Map<string, number>>();
  return {
    apply(message) {
      if (message.type !== 'orderbook_snapshot' && message.type !== 'orderbook_delta') return;
      const frame = JSON.parse(Buffer.from(message.data).toString('utf8')) as { msg: Record<string, unknown> };
      const msg = frame.msg;
      const ticker = msg['market_ticker'] as string;
      if (message.type === 'orderbook_snapshot') {
        const book = new Map<string, number>();
        for (const side of ['yes', 'no'] as const) {
          for (const [price, qty] of (msg[`${side}_dollars_fp`] as [string, string][] | undefined) ?? []) book.set(`${side}:${price}`, cents(qty));
        }
        books.set(ticker, book);
        return;
      }
      const book = books.get(ticker);
      if (book === undefined) throw new Error(`delta before snapshot for ${ticker}`);
      const key = `${msg['side'] as string}:${msg['price_dollars'] as string}`;
      const next = (book.get(key) ?? 0) + cents(msg['delta_fp'] as string);
      if (next === 0) book.delete(key);
      else book.set(key, next);
    },
    books() {
      const out: Record<string, Record<string, number>> = {};
      for (const [ticker, book] of [...books].sort(([a], [b]) => a.localeCompare(b))) {
        out[ticker] = Object.fromEntries([...book].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)));
      }
      return out;
    },
  };
}
