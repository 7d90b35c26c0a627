/**
 * Byte-level JSON helpers for the envelope scanner: skip strings, composites and tokens over a
 * `Uint8Array` without decoding it. Positions are byte offsets; failures are the negative
 * {@link TRUNCATED} / {@link INVALID} codes so the hot path allocates nothing.
 * @internal
 */

/** Ran out of bytes inside a structure. */
export const TRUNCATED = -1;
/** The bytes cannot be JSON. */
export const INVALID = -2;

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// 1 = JSON whitespace, 2 = ends a bare token (whitespace or a structural character).
const charClass = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) charClass[c] = 1;
for (const c of [COMMA, COLON, QUOTE, LBRACE, RBRACE, LBRACKET, RBRACKET]) charClass[c] = 2;

// Bytes that matter inside a nested value: 1 = quote, 2 = opening bracket, 3 = closing bracket.
const STR = 1;
const OPEN = 2;
const structural = new Uint8Array(256);
structural[QUOTE] = STR;
structural[LBRACE] = OPEN;
structural[LBRACKET] = OPEN;
structural[RBRACE] = 3;
structural[RBRACKET] = 3;

// Valid characters after a backslash (besides `u`): " \ / b f n r t
const simpleEscape = new Uint8Array(256);
for (const c of [QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]) simpleEscape[c] = 1;

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

/** First non-whitespace offset at or after `i` (`bytes.length` when none). */
export function skipWhitespace(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  while (i < n && charClass[bytes[i]!] === 1) i++;
  return i;
}

/** Set by {@link endOfStrictString}: whether the last string contained a backslash escape. */
export let stringHadEscape = false;

/**
 * End (offset past the closing quote) of a top-level string whose content starts at `i`, checking
 * escapes and control characters as `JSON.parse` does.
 */
export function endOfStrictString(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  stringHadEscape = false;
  while (i < n) {
    const c = bytes[i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      stringHadEscape = true;
      if (i + 1 >= n) return TRUNCATED;
      const e = bytes[i + 1]!;
      if (e === 0x75) {
        for (let k = i + 2; k < i + 6; k++) {
          if (k >= n) return TRUNCATED;
          if (!isHex(bytes[k]!)) return INVALID;
        }
        i += 6;
        continue;
      }
      if (simpleEscape[e] !== 1) return INVALID;
      i += 2;
      continue;
    }
    if (c < 0x20) return INVALID;
    i++;
  }
  return TRUNCATED;
}

// Bracket stack for nested values, reused across scans; shrunk after a rare deep frame.
const BASE_STACK = 64;
const MAX_RETAINED_STACK = 4096;
let stack = new Uint8Array(BASE_STACK);

/** Drops an oversized bracket stack left by an unusually deep frame. */
export function releaseStack(): void {
  if (stack.length > MAX_RETAINED_STACK) stack = new Uint8Array(BASE_STACK);
}

/**
 * End of the object or array starting at `i` (`bytes[i]` is `{` or `[`). Tracks strings and bracket
 * pairs so nested keys are never mistaken for top-level ones; inner scalars are not validated.
 * This loop is most of the scanner's cost on real frames: one byte load and a table lookup per byte,
 * no native calls (a `Buffer#indexOf` per string cost more than it saved on short strings).
 */
export function endOfComposite(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  // Bracket kinds of the first 31 levels live in a bit mask (1 = array); deeper levels, which real
  // frames never reach, use the shared stack.
  let depth = 0;
  let arrays = 0;
  while (i < n) {
    const c = bytes[i++]!;
    const kind = structural[c]!;
    if (kind === 0) continue;
    if (kind === STR) {
      // Skip the string: a backslash escapes the next byte, whatever it is.
      for (;;) {
        if (i >= n) return TRUNCATED;
        const d = bytes[i++]!;
        if (d === QUOTE) break;
        if (d === BACKSLASH) i++;
      }
    } else if (kind === OPEN) {
      if (depth < 31) {
        arrays = c === LBRACKET ? arrays | (1 << depth) : arrays & ~(1 << depth);
      } else {
        pushDeep(depth - 31, c);
      }
      depth++;
    } else {
      depth--;
      const wasArray = depth < 31 ? ((arrays >>> depth) & 1) === 1 : stack[depth - 31] === LBRACKET;
      if (wasArray !== (c === RBRACKET)) return INVALID;
      if (depth === 0) return i;
    }
  }
  return TRUNCATED;
}

function pushDeep(index: number, c: number): void {
  if (index >= stack.length) {
    const bigger = new Uint8Array(stack.length * 2);
    bigger.set(stack);
    stack = bigger;
  }
  stack[index] = c;
}

/** End of a bare token (number or literal) starting at `i`. */
export function endOfToken(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  while (i < n && charClass[bytes[i]!] === 0) i++;
  return i;
}

/** Token kinds returned by {@link classifyToken}. */
export const TokenKind = { invalid: 0, plainInteger: 1, number: 2, literal: 3 } as const;

function matchesAscii(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[start + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** Classifies `bytes[start, end)` as a JSON number (plain integer or other), a literal, or invalid. */
export function classifyToken(bytes: Uint8Array, start: number, end: number): number {
  const first = bytes[start];
  if (first === 0x74) return matchesAscii(bytes, start, end, 'true') ? TokenKind.literal : TokenKind.invalid;
  if (first === 0x66) return matchesAscii(bytes, start, end, 'false') ? TokenKind.literal : TokenKind.invalid;
  if (first === 0x6e) return matchesAscii(bytes, start, end, 'null') ? TokenKind.literal : TokenKind.invalid;
  let i = start;
  if (bytes[i] === MINUS) i++;
  if (i >= end) return TokenKind.invalid;
  if (bytes[i] === ZERO) i++;
  else if (isDigit(bytes[i])) while (i < end && isDigit(bytes[i])) i++;
  else return TokenKind.invalid;
  let plain = true;
  if (i < end && bytes[i] === DOT) {
    plain = false;
    i++;
    if (!(i < end && isDigit(bytes[i]))) return TokenKind.invalid;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    plain = false;
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    if (!(i < end && isDigit(bytes[i]))) return TokenKind.invalid;
    while (i < end && isDigit(bytes[i])) i++;
  }
  if (i !== end) return TokenKind.invalid;
  return plain ? TokenKind.plainInteger : TokenKind.number;
}

const decoder = new TextDecoder();

/** Value of a valid number token `bytes[start, end)` when JSON.parse would read an integer, else undefined. */
export function integerValue(bytes: Uint8Array, start: number, end: number, kind: number): number | undefined {
  const negative = bytes[start] === MINUS;
  const digitsStart = negative ? start + 1 : start;
  // Up to 15 digits fit a double exactly: accumulate without building a string.
  if (kind === TokenKind.plainInteger && end - digitsStart <= 15) {
    let value = 0;
    for (let k = digitsStart; k < end; k++) value = value * 10 + (bytes[k]! - ZERO);
    return negative ? -value : value;
  }
  // 1e2, 1.0, long digit runs: let Number() round exactly as JSON.parse does.
  const value = Number(decoder.decode(bytes.subarray(start, end)));
  return Number.isInteger(value) ? value : undefined;
}

/** Decodes the content `bytes[start, end)` of a valid JSON string token (escapes already checked). */
export function decodeString(bytes: Uint8Array, start: number, end: number, hasEscape: boolean): string {
  if (!hasEscape) return decoder.decode(bytes.subarray(start, end));
  let out = '';
  let run = start;
  let i = start;
  while (i < end) {
    if (bytes[i] !== BACKSLASH) {
      i++;
      continue;
    }
    out += decoder.decode(bytes.subarray(run, i));
    const e = bytes[i + 1]!;
    if (e === 0x75) {
      out += String.fromCharCode(parseInt(decoder.decode(bytes.subarray(i + 2, i + 6)), 16));
      i += 6;
    } else {
      out += e === 0x62 ? '\b' : e === 0x66 ? '\f' : e === 0x6e ? '\n' : e === 0x72 ? '\r' : e === 0x74 ? '\t' : String.fromCharCode(e);
      i += 2;
    }
    run = i;
  }
  return out + decoder.decode(bytes.subarray(run, end));
}

/** True when `bytes[start, end)` equals the ASCII `encoded` bytes. */
export function bytesEqual(bytes: Uint8Array, start: number, end: number, encoded: Uint8Array): boolean {
  if (end - start !== encoded.length) return false;
  for (let k = 0; k < encoded.length; k++) if (bytes[start + k] !== encoded[k]) return false;
  return true;
}
