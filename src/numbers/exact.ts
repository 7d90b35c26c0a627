/**
 * Exact decimal numbers of Kalshi's fixed-point wire format, held as integers so a book never drifts.
 * - Prices (`*_dollars`, 4 decimals): integer **ticks** of 1/10,000 dollar (`"0.1200"` = 1200).
 * - Sizes (`*_fp`, 2 decimals, may be signed): integer **hundredths** of a contract (`"-4444.00"` = -444400).
 * Parsing accepts fewer decimals than the format has (`"0.12"`), never more, and rejects anything else
 * (exponents, spaces, `+`, empty strings, overlong numbers) with a {@link FrameError}.
 * @packageDocumentation
 */
import { FrameError } from '../frames/frame-error';

/** Price ticks per dollar: prices are integers of 1/10,000 dollar. */
export const PRICE_TICKS_PER_DOLLAR = 10_000;
/** Size units per contract: sizes are integers of 1/100 contract. */
export const SIZE_UNITS_PER_CONTRACT = 100;
/** Longest integer part accepted in a price string (prices are at most a few dollars). */
const MAX_PRICE_INT_DIGITS = 6;
/** Longest integer part accepted in a size string; 13 digits keep hundredths below 2^53. */
const MAX_SIZE_INT_DIGITS = 13;

const POW10 = [1, 10, 100, 1000, 10_000] as const;

/**
 * Reads a decimal from `src[start, end)` (a string or UTF-8 bytes) into integer units of 10^-`decimals`.
 * Returns NaN for anything malformed. One monomorphic loop per input kind keeps the hot path closure-free.
 */
function readDecimal(
  src: string | Uint8Array,
  start: number,
  end: number,
  decimals: number,
  maxIntDigits: number,
  signed: boolean,
): number {
  const text = typeof src === 'string';
  let i = start;
  let negative = false;
  if (signed && i < end && (text ? src.charCodeAt(i) : src[i]) === 45 /* - */) {
    negative = true;
    i++;
  }
  let whole = 0;
  let intDigits = 0;
  while (i < end) {
    const c = text ? src.charCodeAt(i) : src[i]!;
    if (c < 48 || c > 57) break;
    whole = whole * 10 + (c - 48);
    intDigits++;
    i++;
  }
  if (intDigits === 0 || intDigits > maxIntDigits) return Number.NaN;
  let frac = 0;
  let fracDigits = 0;
  if (i < end) {
    if ((text ? src.charCodeAt(i) : src[i]) !== 46 /* . */) return Number.NaN;
    i++;
    while (i < end) {
      const c = text ? src.charCodeAt(i) : src[i]!;
      if (c < 48 || c > 57) return Number.NaN;
      if (++fracDigits > decimals) return Number.NaN;
      frac = frac * 10 + (c - 48);
      i++;
    }
    if (fracDigits === 0) return Number.NaN;
  }
  const value = whole * POW10[decimals]! + frac * POW10[decimals - fracDigits]!;
  // -0 would format as "0.00" anyway; keep the integer plain.
  return negative && value !== 0 ? -value : value;
}

/**
 * Parses a price string (`"0.1200"`) into ticks of 1/10,000 dollar.
 * @param field - Field name used in the error.
 * @throws {FrameError} when `text` is not a non-negative decimal with at most 4 decimals and 6 integer digits.
 * @example
 * parsePrice('0.1234') // 1234
 */
export function parsePrice(text: unknown, field = 'price'): number {
  if (typeof text !== 'string') throw new FrameError(field, `expected a price string, got ${typeof text}`);
  const value = readDecimal(text, 0, text.length, 4, MAX_PRICE_INT_DIGITS, false);
  if (Number.isNaN(value)) throw new FrameError(field, `malformed price ${quote(text)}`);
  return value;
}

/**
 * Parses a size string (`"47.03"`, `"-4444.00"`) into hundredths of a contract.
 * @param field - Field name used in the error.
 * @param signed - Whether a leading `-` is allowed (deltas). @default true
 * @throws {FrameError} when `text` is not a decimal with at most 2 decimals and 13 integer digits.
 * @example
 * parseSize('-4444.00') // -444400
 */
export function parseSize(text: unknown, field = 'size', signed = true): number {
  if (typeof text !== 'string') throw new FrameError(field, `expected a size string, got ${typeof text}`);
  const value = readDecimal(text, 0, text.length, 2, MAX_SIZE_INT_DIGITS, signed);
  if (Number.isNaN(value)) throw new FrameError(field, `malformed size ${quote(text)}`);
  return value;
}

/** Byte version of {@link parsePrice} over `bytes[start, end)`; NaN when malformed. @internal */
export function priceFromBytes(bytes: Uint8Array, start: number, end: number): number {
  return readDecimal(bytes, start, end, 4, MAX_PRICE_INT_DIGITS, false);
}

/** Byte version of {@link parseSize} over `bytes[start, end)`; NaN when malformed. @internal */
export function sizeFromBytes(bytes: Uint8Array, start: number, end: number, signed: boolean): number {
  return readDecimal(bytes, start, end, 2, MAX_SIZE_INT_DIGITS, signed);
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/**
 * Formats ticks as Kalshi's price string with 4 decimals (`1234` → `"0.1234"`).
 * @throws {RangeError} when `ticks` is not a non-negative safe integer.
 * @example
 * formatPrice(1200) // '0.1200'
 */
export function formatPrice(ticks: number): string {
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new RangeError(`price ticks must be a non-negative integer, got ${ticks}`);
  const whole = Math.floor(ticks / PRICE_TICKS_PER_DOLLAR);
  return `${whole}.${pad(ticks - whole * PRICE_TICKS_PER_DOLLAR, 4)}`;
}

/**
 * Formats hundredths as Kalshi's size string with 2 decimals (`-444400` → `"-4444.00"`).
 * @throws {RangeError} when `hundredths` is not a safe integer.
 * @example
 * formatSize(4703) // '47.03'
 */
export function formatSize(hundredths: number): string {
  if (!Number.isSafeInteger(hundredths)) throw new RangeError(`size must be a safe integer, got ${hundredths}`);
  const negative = hundredths < 0;
  const abs = negative ? -hundredths : hundredths;
  const whole = Math.floor(abs / SIZE_UNITS_PER_CONTRACT);
  return `${negative ? '-' : ''}${whole}.${pad(abs - whole * SIZE_UNITS_PER_CONTRACT, 2)}`;
}

function quote(text: string): string {
  // Bounded and printable: a hostile frame must not flood logs.
  const cut = text.length > 32 ? `${text.slice(0, 32)}…` : text;
  return JSON.stringify(cut);
}
