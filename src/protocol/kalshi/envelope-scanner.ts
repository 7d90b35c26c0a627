import { createEnvelopeScan } from './envelope';
import type { EnvelopeScan, ScanFailure } from './envelope';
import {
  INVALID,
  TokenKind,
  classifyToken,
  decodeString,
  endOfComposite,
  endOfStrictString,
  endOfToken,
  integerValue,
  releaseStack,
  skipWhitespace,
} from './json-bytes';

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

// Everything below is module-private on purpose: the hot loops read only literals and private
// `const`s (an exported/imported binding costs a cell load and hole check per read; see json-bytes).

const knownTypes: readonly string[] = KNOWN_MESSAGE_TYPES;
// All known names in one byte array; per length, a chain of candidates (first + next), so a `type`
// value is compared only with same-length names, byte by byte against one flat array.
const packedTypes = new Uint8Array(knownTypes.reduce((total, type) => total + type.length, 0));
const typeOffset = new Int32Array(knownTypes.length);
const MAX_KNOWN_LENGTH = Math.max(...knownTypes.map((type) => type.length));
const firstOfLength = new Int8Array(MAX_KNOWN_LENGTH + 1).fill(-1);
const nextOfLength = new Int8Array(knownTypes.length).fill(-1);
for (let k = knownTypes.length - 1, offset = packedTypes.length; k >= 0; k--) {
  const type = knownTypes[k]!;
  offset -= type.length;
  typeOffset[k] = offset;
  for (let j = 0; j < type.length; j++) packedTypes[offset + j] = type.charCodeAt(j);
  nextOfLength[k] = firstOfLength[type.length]!;
  firstOfLength[type.length] = k;
}

const KEY_OTHER = 0;
const KEY_TYPE = 1;
const KEY_ID = 2;
const KEY_SID = 3;
const KEY_SEQ = 4;
const KEY_MSG = 5;
const keyNames: readonly string[] = ['', 'type', 'id', 'sid', 'seq', 'msg'];

/** Which envelope field the unescaped key `bytes[start, end)` names: length first, then bytes. */
function identifyKey(bytes: Uint8Array, start: number, end: number): number {
  switch (end - start) {
    case 2:
      return bytes[start] === 0x69 && bytes[start + 1] === 0x64 ? KEY_ID : KEY_OTHER; // id
    case 3: {
      const a = bytes[start];
      const b = bytes[start + 1];
      const c = bytes[start + 2];
      if (a === 0x73) {
        if (b === 0x69 && c === 0x64) return KEY_SID; // sid
        if (b === 0x65 && c === 0x71) return KEY_SEQ; // seq
        return KEY_OTHER;
      }
      return a === 0x6d && b === 0x73 && c === 0x67 ? KEY_MSG : KEY_OTHER; // msg
    }
    case 4:
      return bytes[start] === 0x74 && bytes[start + 1] === 0x79 && bytes[start + 2] === 0x70 && bytes[start + 3] === 0x65
        ? KEY_TYPE
        : KEY_OTHER; // type
    default:
      return KEY_OTHER;
  }
}

/** Slow path: a key written with escapes (`"s\u0069d"`). */
function identifyEscapedKey(bytes: Uint8Array, start: number, end: number): number {
  const key = keyNames.indexOf(decodeString(bytes, start, end, true));
  return key <= 0 ? KEY_OTHER : key;
}

/** The unescaped `type` string `bytes[start, end)`: an interned constant when known, else decoded. */
function typeValue(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length <= MAX_KNOWN_LENGTH) {
    for (let k = firstOfLength[length]!; k >= 0; k = nextOfLength[k]!) {
      const offset = typeOffset[k]! - start;
      let j = start;
      while (j < end && bytes[j] === packedTypes[offset + j]) j++;
      if (j === end) return knownTypes[k]!;
    }
  }
  return decodeString(bytes, start, end, false);
}

function failureOf(code: number): ScanFailure {
  return code === INVALID ? 'invalid' : 'truncated';
}

/** {@link endOfTopString} result for an escaped string ending at `end`: `ESCAPED_BASE - end`. */
const ESCAPED_BASE = -3;

/**
 * End (offset past the closing quote) of a top-level string whose content starts at `i`; a negative
 * failure code; or, when the string had a backslash, `ESCAPED_BASE - end` (<= -3). Plain strings take
 * the inline loop; a backslash or control character hands the string to the strict checker. Encoding
 * the escape in the result keeps module state out of the hot path.
 */
function endOfTopString(bytes: Uint8Array, i: number, n: number): number {
  const start = i;
  while (i < n) {
    const c = bytes[i]!;
    if (c === 0x22) return i + 1;
    if (c === 0x5c || c < 0x20) break;
    i++;
  }
  if (i >= n) return -1; // TRUNCATED
  const end = endOfStrictString(bytes, start);
  return end < 0 ? end : ESCAPED_BASE - end;
}

/**
 * Walks the top-level object and fills `out` once at the end; returns why it failed, or undefined.
 * Every top-level key, separator and scalar is validated; only nested values are skipped structurally.
 */
function walk(bytes: Uint8Array, out: EnvelopeScan): ScanFailure | undefined {
  const n = bytes.length;
  let i = skipWhitespace(bytes, 0, n);
  if (i === n) return 'empty';
  if (bytes[i] !== 0x7b) return 'not-object';
  i = skipWhitespace(bytes, i + 1, n);
  if (i === n) return 'truncated';
  let type: string | undefined;
  let id: number | undefined;
  let sid: number | undefined;
  let seq: number | undefined;
  let msgStart = -1;
  let msgEnd = -1;
  if (bytes[i] !== 0x7d) {
    for (;;) {
      if (bytes[i] !== 0x22) return 'invalid';
      let keyEnd = endOfTopString(bytes, i + 1, n);
      let key: number;
      if (keyEnd >= 0) {
        key = identifyKey(bytes, i + 1, keyEnd - 1);
      } else {
        if (keyEnd > ESCAPED_BASE) return failureOf(keyEnd);
        keyEnd = ESCAPED_BASE - keyEnd;
        key = identifyEscapedKey(bytes, i + 1, keyEnd - 1);
      }
      i = skipWhitespace(bytes, keyEnd, n);
      if (i === n) return 'truncated';
      if (bytes[i] !== 0x3a) return 'invalid';
      i = skipWhitespace(bytes, i + 1, n);
      if (i === n) return 'truncated';

      const valueStart = i;
      const first = bytes[i]!;
      // Duplicate keys: every occurrence overwrites, so the last one wins as in JSON.parse.
      let text: string | undefined;
      let integer: number | undefined;
      if (first === 0x22) {
        i = endOfTopString(bytes, i + 1, n);
        if (i >= 0) {
          if (key === KEY_TYPE) text = typeValue(bytes, valueStart + 1, i - 1);
        } else {
          if (i > ESCAPED_BASE) return failureOf(i);
          i = ESCAPED_BASE - i;
          if (key === KEY_TYPE) text = decodeString(bytes, valueStart + 1, i - 1, true);
        }
      } else if (first === 0x7b || first === 0x5b) {
        i = endOfComposite(bytes, i);
        if (i < 0) return failureOf(i);
      } else {
        // Fast path: 1 to 15 digits without sign, fraction or exponent (every real sid/seq/id).
        let value = 0;
        let end = i;
        if (first >= 0x31 && first <= 0x39) {
          value = first - 0x30;
          end = i + 1;
          while (end < n) {
            const d = bytes[end]! - 0x30;
            if (d < 0 || d > 9) break;
            value = value * 10 + d;
            end++;
          }
        }
        const stop = end < n ? bytes[end]! : 0;
        if (end !== i && end - i <= 15 && (stop === 0x2c || stop === 0x7d || stop === 0x20 || stop === 0x0a || stop === 0x0d || stop === 0x09)) {
          integer = value;
          i = end;
        } else {
          end = endOfToken(bytes, i);
          // A token running into the end of input means the object was never closed.
          if (end === n) return 'truncated';
          const kind = classifyToken(bytes, i, end);
          if (kind === TokenKind.invalid) return 'invalid';
          if (kind !== TokenKind.literal && key >= KEY_ID && key <= KEY_SEQ) integer = integerValue(bytes, i, end, kind);
          i = end;
        }
      }
      switch (key) {
        case KEY_TYPE:
          type = text;
          break;
        case KEY_ID:
          id = integer;
          break;
        case KEY_SID:
          sid = integer;
          break;
        case KEY_SEQ:
          seq = integer;
          break;
        case KEY_MSG:
          msgStart = valueStart;
          msgEnd = i;
          break;
      }

      i = skipWhitespace(bytes, i, n);
      if (i === n) return 'truncated';
      const separator = bytes[i]!;
      if (separator === 0x7d) break;
      if (separator !== 0x2c) return 'invalid';
      i = skipWhitespace(bytes, i + 1, n);
      if (i === n) return 'truncated';
    }
  }
  // Only whitespace may follow the closing brace.
  if (skipWhitespace(bytes, i + 1, n) !== n) return 'invalid';
  out.type = type;
  out.id = id;
  out.sid = sid;
  out.seq = seq;
  out.msgStart = msgStart;
  out.msgEnd = msgEnd;
  return undefined;
}

/**
 * Reads the top-level `type`, `id`, `sid`, `seq` and the byte range of `msg` from a JSON object
 * frame without `JSON.parse`. Nested values are skipped with string and bracket tracking, so text
 * inside `msg` (quotes, braces, the word "sid") never confuses it. Any key order, whitespace and
 * escaped keys are accepted; duplicate keys resolve like `JSON.parse` (last wins). `id`/`sid`/`seq`
 * are set only when the value is a number `JSON.parse` would read as an integer.
 *
 * Never throws; runs in linear time. With `into`, the scan reuses that object (every field is
 * overwritten) and allocates nothing for known types.
 *
 * @param bytes UTF-8 frame.
 * @param into Scan object to fill and return (hot path); a new one when omitted.
 * @returns `into` (or a new scan) with `ok` and, on failure, `failure`
 * (`empty`, `not-object`, `truncated`, `invalid`).
 * @example
 * const scan = createEnvelopeScan();
 * scanEnvelope(frame, scan);
 * if (scan.ok && scan.seq !== undefined) tracker.check(scan.sid, scan.seq);
 */
export function scanEnvelope(bytes: Uint8Array, into?: EnvelopeScan): EnvelopeScan {
  const out = into ?? createEnvelopeScan();
  const failure = walk(bytes, out);
  releaseStack();
  if (failure === undefined) {
    out.ok = true;
    out.failure = undefined;
    return out;
  }
  out.ok = false;
  out.failure = failure;
  out.type = undefined;
  out.id = undefined;
  out.sid = undefined;
  out.seq = undefined;
  out.msgStart = -1;
  out.msgEnd = -1;
  return out;
}
