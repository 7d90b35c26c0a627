/**
 * Reads `orderbook_snapshot` / `orderbook_delta` bodies straight from the frame's bytes, without
 * `JSON.parse`: only the fields a book needs are decoded, numbers go from bytes to integers, and market
 * tickers are interned (a ticker seen before costs no allocation). The book store's hot path.
 * @internal
 */
import { priceFromBytes, sizeFromBytes } from '../numbers/exact';
import type { Side } from './frame-types';

/** What one read produced; reused across reads (copy before the next read). */
export interface BookFrameRead {
  ticker: string;
  side: Side;
  price: number;
  delta: number;
  /** Snapshot levels, flattened `[price, size, price, size, ...]`; `yesCount`/`noCount` levels each. */
  readonly yes: number[];
  readonly no: number[];
  yesCount: number;
  noCount: number;
}

/** A fresh {@link BookFrameRead}. */
export function createBookFrameRead(): BookFrameRead {
  return { ticker: '', side: 'yes', price: 0, delta: 0, yes: [], no: [], yesCount: 0, noCount: 0 };
}

const QUOTE = 34;
const BACKSLASH = 92;

// Key bytes compared by length and content; a key is identified while its string is scanned.
const KEYS = ['market_ticker', 'price_dollars', 'delta_fp', 'side', 'yes_dollars_fp', 'no_dollars_fp'] as const;
const KEY_BYTES = KEYS.map((k) => Uint8Array.from(k, (c) => c.charCodeAt(0)));
// Indexes into KEYS, read from it so the two can never disagree.
const K_TICKER = KEYS.indexOf('market_ticker');
const K_PRICE = KEYS.indexOf('price_dollars');
const K_DELTA = KEYS.indexOf('delta_fp');
const K_SIDE = KEYS.indexOf('side');
const K_YES = KEYS.indexOf('yes_dollars_fp');
const K_NO = KEYS.indexOf('no_dollars_fp');

const textDecoder = new TextDecoder();
/** Interned tickers by a 32-bit hash of their bytes; bounded (cleared when full). */
const interned = new Map<number, string>();
const MAX_INTERNED = 1 << 20;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end && isSpace(b[i]!)) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i` (which is a quote); -1 if unterminated. */
function stringEnd(b: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = b[j]!;
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** Index just past the value starting at `i`; -1 when malformed. */
function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i, end);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < end; j++) {
      const d = b[j]!;
      if (d === QUOTE) {
        j = stringEnd(b, j, end) - 1;
        if (j < 0) return -1;
      } else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < end) {
    const d = b[j]!;
    if (d === 44 || d === 125 || d === 93 || isSpace(d)) break;
    j++;
  }
  return j === i ? -1 : j;
}

function keyIndex(b: Uint8Array, start: number, end: number): number {
  const len = end - start;
  for (let k = 0; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k]!;
    if (key.length !== len) continue;
    let same = true;
    for (let j = 0; j < len; j++) {
      if (b[start + j] !== key[j]) {
        same = false;
        break;
      }
    }
    if (same) return k;
  }
  return -1;
}

function tickerOf(b: Uint8Array, start: number, end: number): string | undefined {
  let h = 0x811c9dc5;
  for (let j = start; j < end; j++) {
    const c = b[j]!;
    if (c === BACKSLASH || c >= 128) return undefined;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const hit = interned.get(h);
  if (hit !== undefined && hit.length === end - start) {
    let same = true;
    for (let j = 0; j < hit.length; j++) {
      if (hit.charCodeAt(j) !== b[start + j]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const text = textDecoder.decode(b.subarray(start, end));
  if (interned.size >= MAX_INTERNED) interned.clear();
  interned.set(h, text);
  return text;
}

/** Reads `[["p","s"],...]` at `i` into `out`; returns the index past it and the level count via `out`, or -1. */
function readLevels(b: Uint8Array, i: number, end: number, out: number[]): number {
  let n = 0;
  if (b[i] !== 91) return -1;
  i = skipSpace(b, i + 1, end);
  if (b[i] === 93) {
    out.length = 0;
    return i + 1;
  }
  for (;;) {
    if (b[i] !== 91) return -1;
    i = skipSpace(b, i + 1, end);
    if (b[i] !== QUOTE) return -1;
    let e = stringEnd(b, i, end);
    if (e < 0) return -1;
    const price = priceFromBytes(b, i + 1, e - 1);
    i = skipSpace(b, e, end);
    if (b[i] !== 44) return -1;
    i = skipSpace(b, i + 1, end);
    if (b[i] !== QUOTE) return -1;
    e = stringEnd(b, i, end);
    if (e < 0) return -1;
    const size = sizeFromBytes(b, i + 1, e - 1, false);
    if (Number.isNaN(price) || Number.isNaN(size)) return -1;
    out[n++] = price;
    out[n++] = size;
    i = skipSpace(b, e, end);
    if (b[i] !== 93) return -1;
    i = skipSpace(b, i + 1, end);
    if (b[i] === 44) {
      i = skipSpace(b, i + 1, end);
      continue;
    }
    if (b[i] === 93) {
      out.length = n;
      return i + 1;
    }
    return -1;
  }
}

/**
 * Reads the `msg` object in `bytes[start, end)` of a snapshot (`snapshot = true`) or delta into `out`.
 * Returns `''` on success, or the name of the field that is missing or malformed (then `out` is unspecified).
 */
export function readBookFrame(bytes: Uint8Array, start: number, end: number, snapshot: boolean, out: BookFrameRead): string {
  let i = skipSpace(bytes, start, end);
  if (bytes[i] !== 123) return 'msg';
  let seen = 0;
  out.yesCount = 0;
  out.noCount = 0;
  i = skipSpace(bytes, i + 1, end);
  if (bytes[i] === 125) return 'msg.market_ticker';
  for (;;) {
    if (bytes[i] !== QUOTE) return 'msg';
    const keyEnd = stringEnd(bytes, i, end);
    if (keyEnd < 0) return 'msg';
    const k = keyIndex(bytes, i + 1, keyEnd - 1);
    i = skipSpace(bytes, keyEnd, end);
    if (bytes[i] !== 58) return 'msg';
    i = skipSpace(bytes, i + 1, end);
    const field = k < 0 ? '' : KEYS[k]!;
    if (k === K_YES || k === K_NO) {
      if (!snapshot) {
        i = skipValue(bytes, i, end);
        if (i < 0) return 'msg';
      } else {
        const levels = k === K_YES ? out.yes : out.no;
        i = readLevels(bytes, i, end, levels);
        if (i < 0) return `msg.${field}`;
        if (k === K_YES) out.yesCount = levels.length >> 1;
        else out.noCount = levels.length >> 1;
      }
    } else if (k >= 0 && bytes[i] === QUOTE && (snapshot ? k === K_TICKER : true)) {
      const e = stringEnd(bytes, i, end);
      if (e < 0) return `msg.${field}`;
      if (k === K_TICKER) {
        const t = tickerOf(bytes, i + 1, e - 1);
        if (t === undefined || t === '') return 'msg.market_ticker';
        out.ticker = t;
      } else if (k === K_PRICE) {
        const p = priceFromBytes(bytes, i + 1, e - 1);
        if (Number.isNaN(p)) return 'msg.price_dollars';
        out.price = p;
      } else if (k === K_DELTA) {
        const d = sizeFromBytes(bytes, i + 1, e - 1, true);
        if (Number.isNaN(d)) return 'msg.delta_fp';
        out.delta = d;
      } else {
        const len = e - i - 2;
        if (len === 3 && bytes[i + 1] === 121 && bytes[i + 2] === 101 && bytes[i + 3] === 115) out.side = 'yes';
        else if (len === 2 && bytes[i + 1] === 110 && bytes[i + 2] === 111) out.side = 'no';
        else return 'msg.side';
      }
      seen |= 1 << k;
      i = e;
    } else {
      if (k >= 0 && (snapshot ? k === K_TICKER : true)) return `msg.${field}`;
      i = skipValue(bytes, i, end);
      if (i < 0) return 'msg';
    }
    i = skipSpace(bytes, i, end);
    if (bytes[i] === 44) {
      i = skipSpace(bytes, i + 1, end);
      continue;
    }
    if (bytes[i] === 125) break;
    return 'msg';
  }
  if ((seen & (1 << K_TICKER)) === 0) return 'msg.market_ticker';
  if (snapshot) {
    if (out.yesCount === 0) out.yes.length = 0;
    if (out.noCount === 0) out.no.length = 0;
    return '';
  }
  if ((seen & (1 << K_PRICE)) === 0) return 'msg.price_dollars';
  if ((seen & (1 << K_DELTA)) === 0) return 'msg.delta_fp';
  if ((seen & (1 << K_SIDE)) === 0) return 'msg.side';
  return '';
}
