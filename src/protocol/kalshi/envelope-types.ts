/**
 * The envelope `type` values the scanner knows, and the one-pass matcher that returns them as interned
 * constants straight from the frame's bytes.
 * @internal
 */

/**
 * Envelope `type` values the scanner recognises by their bytes and returns as interned constants,
 * without allocating a string. Other types are decoded (slower, still correct).
 */
export const KNOWN_MESSAGE_TYPES = [
  'orderbook_delta',
  'orderbook_snapshot',
  'ticker',
  'trade',
  'market_lifecycle_v2',
  'event_lifecycle',
  'event_fee_update',
  'subscribed',
  'ok',
  'error',
  'unsubscribed',
  'fill',
  'market_positions',
  'user_orders',
  'multivariate_lookup',
  'ticker_v2',
  'market_lifecycle',
  'order_group_updates',
  'communications',
] as const;

// Module-private tables (the matcher reads no exported binding; see json-bytes for why). All names
// live in one byte array; candidates are chained per first byte, in list order, so the most common
// name of each letter (orderbook_delta for `o`) is tried first.
const names: readonly string[] = KNOWN_MESSAGE_TYPES;
const packed = new Uint8Array(names.reduce((total, name) => total + name.length, 0));
const offsetOf = new Int32Array(names.length);
const lengthOf = new Int32Array(names.length);
const firstWith = new Int8Array(256).fill(-1);
const nextWith = new Int8Array(names.length).fill(-1);
const lastWith = new Int8Array(256).fill(-1);
const nextEndingWith = new Int8Array(names.length).fill(-1);
for (let k = names.length - 1, offset = packed.length; k >= 0; k--) {
  const name = names[k]!;
  offset -= name.length;
  offsetOf[k] = offset;
  lengthOf[k] = name.length;
  for (let j = 0; j < name.length; j++) packed[offset + j] = name.charCodeAt(j);
  const first = name.charCodeAt(0);
  nextWith[k] = firstWith[first]!;
  firstWith[first] = k;
  const last = name.charCodeAt(name.length - 1);
  nextEndingWith[k] = lastWith[last]!;
  lastWith[last] = k;
}

/**
 * Index of the known name that `bytes` holds at `start` (the byte after an opening quote) followed
 * directly by the closing quote, or -1. An exact match needs no other check: known names contain no
 * quote, backslash or control character, so the string is exactly that name. One pass, no allocation.
 */
export function knownTypeAt(bytes: Uint8Array, start: number, n: number): number {
  if (start >= n) return -1;
  for (let k = firstWith[bytes[start]!]!; k >= 0; k = nextWith[k]!) {
    const end = start + lengthOf[k]!;
    if (end >= n || bytes[end] !== 0x22) continue;
    const shift = offsetOf[k]! - start;
    let j = start + 1;
    while (j < end && bytes[j] === packed[shift + j]) j++;
    if (j === end) return k;
  }
  return -1;
}

/**
 * Index of the known name that `bytes` holds right before the closing quote at `close`, preceded by
 * an opening quote above `floor` that no backslash precedes, or -1: the backward twin of
 * {@link knownTypeAt}, for members read from the frame's end. On a match, the opening quote is at
 * `close - lengthOf(k) - 1`.
 */
export function knownTypeEndingAt(bytes: Uint8Array, close: number, floor: number): number {
  if (close - 1 <= floor) return -1;
  for (let k = lastWith[bytes[close - 1]!]!; k >= 0; k = nextEndingWith[k]!) {
    const open = close - lengthOf[k]! - 1;
    if (open <= floor || bytes[open] !== 0x22 || bytes[open - 1] === 0x5c) continue;
    const shift = offsetOf[k]! - open - 1;
    let j = close - 2;
    while (j > open && bytes[j] === packed[shift + j]) j--;
    if (j === open) return k;
  }
  return -1;
}

/** Length in bytes of the known name `k`. */
export function knownTypeLength(k: number): number {
  return lengthOf[k]!;
}

/** The interned name of index `k` from {@link knownTypeAt}. */
export function knownTypeName(k: number): string {
  return names[k]!;
}
