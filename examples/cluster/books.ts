/**
 * A minimal order-book applier for the demo's verification (snapshot replaces, delta adds), keyed
 * `side:price` in hundredths. Replace with `kalshi-ws-pool/books` once that subpath exists.
 */
import type { RawMessage } from 'kalshi-ws-pool';

/** Books by market ticker. */
export class DemoBooks {
  readonly #books = new Map<string, Map<string, number>>();

  apply(message: RawMessage): void {
    if (message.type !== 'orderbook_snapshot' && message.type !== 'orderbook_delta') return;
    const msg = (JSON.parse(Buffer.from(message.data).toString('utf8')) as { msg: Record<string, unknown> }).msg;
    const ticker = msg['market_ticker'] as string;
    const cents = (fp: unknown): number => Math.round(Number(fp) * 100);
    if (message.type === 'orderbook_snapshot') {
      const book = new Map<string, number>();
      for (const side of ['yes', 'no']) for (const [price, qty] of (msg[`${side}_dollars_fp`] as [string, string][] | undefined) ?? []) book.set(`${side}:${price}`, cents(qty));
      this.#books.set(ticker, book);
      return;
    }
    const book = this.#books.get(ticker);
    if (book === undefined) return;
    const key = `${String(msg['side'])}:${String(msg['price_dollars'])}`;
    const next = (book.get(key) ?? 0) + cents(msg['delta_fp']);
    if (next === 0) book.delete(key);
    else book.set(key, next);
  }

  /** Canonical text of one market's book, for comparison. */
  text(ticker: string): string {
    return JSON.stringify([...(this.#books.get(ticker) ?? new Map<string, number>())].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)));
  }

  get size(): number {
    return this.#books.size;
  }
}
