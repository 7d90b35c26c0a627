import { TICKS_PER_CENT, priceDollars, sizeFp } from './fixed-point';
import type { Rng } from './fixed-point';

/** Price levels kept per side; a full side only changes existing levels. */
const LEVELS = 8;
// Per book: [yesCount, noCount, yesPrice×L, yesSize×L, noPrice×L, noSize×L, mid], all int32.
const STRIDE = 3 + 4 * LEVELS;
const MID = STRIDE - 1;
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/** One side of a book: `yes` or `no` bids. */
export type BookSide = 'yes' | 'no';

/** The last change made by {@link BookStore.randomDelta} (reused object: copy before the next call). */
export interface DeltaResult {
  side: BookSide;
  priceTicks: number;
  deltaHundredths: number;
}

/**
 * Order books of every market, packed in chunked `Int32Array`s (about 136 bytes a market, off-heap),
 * so a million-market universe stays small. Books hold bids only, as Kalshi snapshots do: yes bids
 * below the market's mid price and no bids below `1 - mid`, so the book never crosses.
 */
export class BookStore {
  private readonly chunks: Int32Array[] = [];
  /** Reused result of {@link randomDelta}. */
  readonly delta: DeltaResult = { side: 'yes', priceTicks: 0, deltaHundredths: 0 };

  /**
   * Create the starting book of `slot`. Slots with index 3 mod 10 start without yes bids and 7 mod 10
   * without no bids, so empty sides (omitted from snapshots) are always exercised. `empty` starts both
   * sides empty (markets only a client ever named).
   */
  init(slot: number, rng: Rng, empty = false): void {
    const chunkIndex = slot >>> CHUNK_BITS;
    while (this.chunks.length <= chunkIndex) this.chunks.push(new Int32Array(CHUNK * STRIDE));
    const mid = 5 + rng.int(91); // cents
    this.chunks[chunkIndex]![(slot & (CHUNK - 1)) * STRIDE + MID] = mid;
    const yesLevels = empty || slot % 10 === 3 ? 0 : 1 + rng.int(5);
    const noLevels = empty || slot % 10 === 7 ? 0 : 1 + rng.int(5);
    this.fill(slot, 0, mid, yesLevels, rng);
    this.fill(slot, 1, 100 - mid, noLevels, rng);
  }

  private fill(slot: number, side: 0 | 1, below: number, levels: number, rng: Rng): void {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const prices = base + 2 + side * 2 * LEVELS;
    const n = Math.min(levels, below - 1);
    // Ascending prices ending one cent under `below`.
    for (let i = 0; i < n; i++) {
      a[prices + i] = (below - n + i) * TICKS_PER_CENT;
      a[prices + LEVELS + i] = (1 + rng.int(5000)) * 100 + rng.int(100);
    }
    a[base + side] = n;
  }

  /** Snapshot sides as JSON members, e.g. `,"yes_dollars_fp":[["0.0100","5.00"]]`; empty sides omitted. */
  snapshotSides(slot: number): string {
    return this.sideJson(slot, 0) + this.sideJson(slot, 1);
  }

  private sideJson(slot: number, side: 0 | 1): string {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const n = a[base + side]!;
    if (n === 0) return '';
    const prices = base + 2 + side * 2 * LEVELS;
    let out = side === 0 ? ',"yes_dollars_fp":[' : ',"no_dollars_fp":[';
    for (let i = 0; i < n; i++) {
      out += `${i === 0 ? '' : ','}["${priceDollars(a[prices + i]!)}","${sizeFp(a[prices + LEVELS + i]!)}"]`;
    }
    return `${out}]`;
  }

  /** Levels of one side as `[price, size]` wire strings, best (highest) price first. */
  levels(slot: number, side: 0 | 1): [string, string][] {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const n = a[base + side]!;
    const prices = base + 2 + side * 2 * LEVELS;
    const out: [string, string][] = [];
    for (let i = n - 1; i >= 0; i--) out.push([priceDollars(a[prices + i]!), sizeFp(a[prices + LEVELS + i]!)]);
    return out;
  }

  /** Best yes bid and best no bid in ticks (0 when a side is empty). */
  best(slot: number, side: 0 | 1): number {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const n = a[base + side]!;
    return n === 0 ? 0 : a[base + 2 + side * 2 * LEVELS + n - 1]!;
  }

  /** Total size (hundredths) at the best level of a side, 0 when empty. */
  bestSize(slot: number, side: 0 | 1): number {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const n = a[base + side]!;
    return n === 0 ? 0 : a[base + 2 + side * 2 * LEVELS + LEVELS + n - 1]!;
  }

  /** The market's mid price in cents (fixed at creation). */
  mid(slot: number): number {
    return this.chunks[slot >>> CHUNK_BITS]![(slot & (CHUNK - 1)) * STRIDE + MID]!;
  }

  /**
   * Apply one random, valid change to the book of `slot` and describe it in {@link delta}: a new level,
   * a size change, or a level removed (a negative delta equal to its size). Sizes never go negative.
   */
  randomDelta(slot: number, rng: Rng): DeltaResult {
    const a = this.chunks[slot >>> CHUNK_BITS]!;
    const base = (slot & (CHUNK - 1)) * STRIDE;
    const side: 0 | 1 = rng.next() < 0.5 ? 0 : 1;
    const below = side === 0 ? this.mid(slot) : 100 - this.mid(slot);
    const prices = base + 2 + side * 2 * LEVELS;
    const sizes = prices + LEVELS;
    const n = a[base + side]!;
    const out = this.delta;
    out.side = side === 0 ? 'yes' : 'no';
    const roll = rng.next();
    if (n > 0 && (roll < 0.75 || n === LEVELS || n >= below - 1)) {
      const i = rng.int(n);
      const size = a[sizes + i]!;
      out.priceTicks = a[prices + i]!;
      if (roll < 0.15 || size <= 100) {
        // Remove the level.
        out.deltaHundredths = -size;
        for (let k = i; k < n - 1; k++) {
          a[prices + k] = a[prices + k + 1]!;
          a[sizes + k] = a[sizes + k + 1]!;
        }
        a[base + side] = n - 1;
      } else {
        const change = rng.next() < 0.5 ? -(1 + rng.int(size - 1)) : 1 + rng.int(100_000);
        out.deltaHundredths = change;
        a[sizes + i] = size + change;
      }
      return out;
    }
    // Add a level at a price not yet on the side (ascending order kept).
    let cents = 1 + rng.int(Math.max(1, below - 1));
    let at = 0;
    for (;;) {
      at = 0;
      while (at < n && a[prices + at]! < cents * TICKS_PER_CENT) at++;
      if (at === n || a[prices + at] !== cents * TICKS_PER_CENT) break;
      cents = cents + 1 >= below ? 1 : cents + 1;
    }
    for (let k = n; k > at; k--) {
      a[prices + k] = a[prices + k - 1]!;
      a[sizes + k] = a[sizes + k - 1]!;
    }
    const size = 100 + rng.int(500_000);
    a[prices + at] = cents * TICKS_PER_CENT;
    a[sizes + at] = size;
    a[base + side] = n + 1;
    out.priceTicks = cents * TICKS_PER_CENT;
    out.deltaHundredths = size;
    return out;
  }
}
