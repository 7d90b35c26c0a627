import { PRICE_TICKS_PER_DOLLAR } from '../numbers/exact';
import type { Level, Side } from '../frames/frame-types';

/** One side of a book: parallel ascending arrays of prices (ticks) and sizes (hundredths), no zero sizes. */
interface BookSide {
  prices: number[];
  sizes: number[];
}

/** Read-only view of one market's order book. Prices are ticks (1/10,000 $), sizes hundredths of a contract. */
export interface OrderBookView {
  /** Market ticker. */
  readonly ticker: string;
  /** Best (highest) yes bid in ticks, undefined when the yes side is empty. */
  bestYesBid(): number | undefined;
  /** Best (highest) no bid in ticks, undefined when the no side is empty. */
  bestNoBid(): number | undefined;
  /** Implied best yes ask: `10,000 - best no bid`, undefined when the no side is empty. */
  bestYesAsk(): number | undefined;
  /** Implied best no ask: `10,000 - best yes bid`, undefined when the yes side is empty. */
  bestNoAsk(): number | undefined;
  /** Yes ask minus yes bid in ticks, undefined when a side is empty. */
  spread(): number | undefined;
  /** Size (hundredths) resting at `price` on `side`, 0 when there is none. */
  sizeAt(side: Side, price: number): number;
  /** The best `n` levels of a side, best first (highest bid first). @default n = all levels */
  depth(side: Side, n?: number): Level[];
  /** Number of price levels on a side. */
  levelCount(side: Side): number;
  /** Every level of a side, best first, without copying the book. */
  levels(side: Side): IterableIterator<Level>;
}

/**
 * A mutable order book of one market (bids of both sides). A snapshot replaces it, a delta changes one
 * level, a level reaching zero disappears. Used by the book store; exported for replay tools.
 */
export class OrderBook implements OrderBookView {
  readonly ticker: string;
  private readonly yes: BookSide = { prices: [], sizes: [] };
  private readonly no: BookSide = { prices: [], sizes: [] };

  constructor(ticker: string) {
    this.ticker = ticker;
  }

  private sideOf(side: Side): BookSide {
    return side === 'yes' ? this.yes : this.no;
  }

  /** Empty both sides. */
  clear(): void {
    this.yes.prices.length = 0;
    this.yes.sizes.length = 0;
    this.no.prices.length = 0;
    this.no.sizes.length = 0;
  }

  /**
   * Set the size at a level (used when loading a snapshot or REST book). A zero or negative size removes it.
   */
  setLevel(side: Side, price: number, size: number): void {
    const s = this.sideOf(side);
    const i = search(s.prices, price);
    if (i >= 0) {
      if (size > 0) s.sizes[i] = size;
      else remove(s, i);
    } else if (size > 0) {
      insert(s, ~i, price, size);
    }
  }

  /**
   * Apply a signed change at a level. Returns false (and leaves the book unchanged) when the change
   * would make the level negative: the book and the stream disagree, so the caller should resync.
   */
  applyDelta(side: Side, price: number, delta: number): boolean {
    const s = this.sideOf(side);
    const i = search(s.prices, price);
    if (i >= 0) {
      const next = s.sizes[i]! + delta;
      if (next < 0) return false;
      if (next === 0) remove(s, i);
      else s.sizes[i] = next;
      return true;
    }
    if (delta < 0) return false;
    if (delta > 0) insert(s, ~i, price, delta);
    return true;
  }

  bestYesBid(): number | undefined {
    const p = this.yes.prices;
    return p.length === 0 ? undefined : p[p.length - 1];
  }

  bestNoBid(): number | undefined {
    const p = this.no.prices;
    return p.length === 0 ? undefined : p[p.length - 1];
  }

  bestYesAsk(): number | undefined {
    const no = this.bestNoBid();
    return no === undefined ? undefined : PRICE_TICKS_PER_DOLLAR - no;
  }

  bestNoAsk(): number | undefined {
    const yes = this.bestYesBid();
    return yes === undefined ? undefined : PRICE_TICKS_PER_DOLLAR - yes;
  }

  spread(): number | undefined {
    const bid = this.bestYesBid();
    const ask = this.bestYesAsk();
    return bid === undefined || ask === undefined ? undefined : ask - bid;
  }

  sizeAt(side: Side, price: number): number {
    const s = this.sideOf(side);
    const i = search(s.prices, price);
    return i >= 0 ? s.sizes[i]! : 0;
  }

  depth(side: Side, n = Number.POSITIVE_INFINITY): Level[] {
    const s = this.sideOf(side);
    const out: Level[] = [];
    for (let i = s.prices.length - 1; i >= 0 && out.length < n; i--) out.push([s.prices[i]!, s.sizes[i]!]);
    return out;
  }

  levelCount(side: Side): number {
    return this.sideOf(side).prices.length;
  }

  *levels(side: Side): IterableIterator<Level> {
    const s = this.sideOf(side);
    for (let i = s.prices.length - 1; i >= 0; i--) yield [s.prices[i]!, s.sizes[i]!];
  }
}

/** Binary search: index of `price`, or `~insertionPoint` when absent. */
function search(prices: number[], price: number): number {
  let lo = 0;
  let hi = prices.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = prices[mid]!;
    if (p < price) lo = mid + 1;
    else if (p > price) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

function insert(s: BookSide, at: number, price: number, size: number): void {
  s.prices.splice(at, 0, price);
  s.sizes.splice(at, 0, size);
}

function remove(s: BookSide, at: number): void {
  s.prices.splice(at, 1);
  s.sizes.splice(at, 1);
}
