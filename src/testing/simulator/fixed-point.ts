/**
 * Kalshi's fixed-point wire formats, built from lookup tables so the traffic generator formats
 * numbers without `toFixed` on the hot path.
 *
 * Prices are ticks of 1/10,000 dollar (`"0.1200"` = 1200 ticks); sizes are hundredths (`"47.03"` = 4703).
 */

/** Ticks per dollar (`*_dollars` strings have 4 decimals). */
export const TICKS_PER_DOLLAR = 10_000;
/** Ticks per cent. */
export const TICKS_PER_CENT = 100;

const PRICE_STRINGS: readonly string[] = Array.from({ length: TICKS_PER_DOLLAR + 1 }, (_, ticks) =>
  (ticks / TICKS_PER_DOLLAR).toFixed(4),
);
const HUNDREDTHS: readonly string[] = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

/** `"0.1200"` for 1200 ticks. Ticks outside 0..10,000 are clamped. */
export function priceDollars(ticks: number): string {
  return PRICE_STRINGS[ticks <= 0 ? 0 : ticks >= TICKS_PER_DOLLAR ? TICKS_PER_DOLLAR : ticks]!;
}

/** `"-44.40"` for -4440 hundredths (a signed `*_fp` size). */
export function sizeFp(hundredths: number): string {
  const negative = hundredths < 0;
  const abs = negative ? -hundredths : hundredths;
  const whole = Math.floor(abs / 100);
  return `${negative ? '-' : ''}${whole}.${HUNDREDTHS[abs - whole * 100]!}`;
}

/** A small, fast, seedable PRNG (xorshift32); `next()` returns a float in [0, 1). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // A zero state would stay zero forever.
    this.state = (seed ^ 0x9e3779b9) >>> 0 || 0x2545f491;
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

/** A deterministic UUID-shaped id (version 4 layout) from two integers; cheap, not random. */
export function uuidFrom(a: number, b: number): string {
  const h1 = hash32(a, b);
  const h2 = hash32(h1, a + 0x51ed27);
  const h3 = hash32(h2, b + 0x2f6b);
  const h4 = hash32(h3, 0x68e31da4);
  const x = (n: number, shift: number): string => HEX[(n >>> shift) & 0xff]!;
  // join() returns a flat string (a template literal would build a rope).
  return [
    x(h1, 24), x(h1, 16), x(h1, 8), x(h1, 0), '-',
    x(h2, 24), x(h2, 16), '-4', HEX[(h2 >>> 8) & 0x0f]!.slice(1), x(h2, 0), '-',
    HEX[0x80 | ((h3 >>> 24) & 0x3f)]!, x(h3, 16), '-',
    x(h3, 8), x(h3, 0), x(h4, 24), x(h4, 16), x(h4, 8), x(h4, 0),
  ].join('');
}

function hash32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x85ebca6b, 0xcc9e2d51) ^ Math.imul(b + 0x27d4eb2f, 0x1b873593);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}
