import { createEnvelopeScan } from './envelope';
import type { EnvelopeScan, ScanFailure } from './envelope';
import {
  COLON,
  COMMA,
  INVALID,
  LBRACE,
  LBRACKET,
  QUOTE,
  RBRACE,
  TokenKind,
  bytesEqual,
  classifyToken,
  decodeString,
  endOfComposite,
  endOfStrictString,
  endOfToken,
  integerValue,
  releaseStack,
  skipWhitespace,
  stringHadEscape,
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

const encoder = new TextEncoder();
const knownTypeBytes = KNOWN_MESSAGE_TYPES.map((type) => encoder.encode(type));

const KEY_OTHER = 0;
const KEY_TYPE = 1;
const KEY_ID = 2;
const KEY_SID = 3;
const KEY_SEQ = 4;
const KEY_MSG = 5;
const keyNames: readonly string[] = ['', 'type', 'id', 'sid', 'seq', 'msg'];

/** Which envelope field the key `bytes[start, end)` names; escaped keys take the slow decode path. */
function identifyKey(bytes: Uint8Array, start: number, end: number, hasEscape: boolean): number {
  if (hasEscape) {
    const key = keyNames.indexOf(decodeString(bytes, start, end, true));
    return key <= 0 ? KEY_OTHER : key;
  }
  // Plain byte comparisons: no strings, no iterators on the hot path.
  const a = bytes[start];
  const b = bytes[start + 1];
  const c = bytes[start + 2];
  switch (end - start) {
    case 2:
      return a === 0x69 && b === 0x64 ? KEY_ID : KEY_OTHER; // id
    case 3:
      if (a === 0x73) {
        if (b === 0x69 && c === 0x64) return KEY_SID; // sid
        if (b === 0x65 && c === 0x71) return KEY_SEQ; // seq
        return KEY_OTHER;
      }
      return a === 0x6d && b === 0x73 && c === 0x67 ? KEY_MSG : KEY_OTHER; // msg
    case 4:
      return a === 0x74 && b === 0x79 && c === 0x70 && bytes[start + 3] === 0x65 ? KEY_TYPE : KEY_OTHER; // type
    default:
      return KEY_OTHER;
  }
}

/** The `type` string: an interned constant when known, else decoded. */
function typeValue(bytes: Uint8Array, start: number, end: number, hasEscape: boolean): string {
  if (!hasEscape) {
    for (let k = 0; k < knownTypeBytes.length; k++) {
      if (bytesEqual(bytes, start, end, knownTypeBytes[k]!)) return KNOWN_MESSAGE_TYPES[k]!;
    }
  }
  return decodeString(bytes, start, end, hasEscape);
}

function failureOf(code: number): ScanFailure {
  return code === INVALID ? 'invalid' : 'truncated';
}

/** Only whitespace may follow the closing brace. */
function afterObject(bytes: Uint8Array, i: number): ScanFailure | undefined {
  return skipWhitespace(bytes, i) === bytes.length ? undefined : 'invalid';
}

/** Walks the top-level object, filling `out`; returns why it failed, or undefined. */
function scanObject(bytes: Uint8Array, out: EnvelopeScan): ScanFailure | undefined {
  const n = bytes.length;
  let i = skipWhitespace(bytes, 0);
  if (i === n) return 'empty';
  if (bytes[i] !== LBRACE) return 'not-object';
  i = skipWhitespace(bytes, i + 1);
  if (i === n) return 'truncated';
  if (bytes[i] === RBRACE) return afterObject(bytes, i + 1);
  for (;;) {
    if (bytes[i] !== QUOTE) return 'invalid';
    const keyEnd = endOfStrictString(bytes, i + 1);
    if (keyEnd < 0) return failureOf(keyEnd);
    const key = identifyKey(bytes, i + 1, keyEnd - 1, stringHadEscape);
    i = skipWhitespace(bytes, keyEnd);
    if (i === n) return 'truncated';
    if (bytes[i] !== COLON) return 'invalid';
    i = skipWhitespace(bytes, i + 1);
    if (i === n) return 'truncated';

    const valueStart = i;
    const first = bytes[i];
    let valueEnd: number;
    // Duplicate keys: every occurrence overwrites, so the last one wins as in JSON.parse.
    let type: string | undefined;
    let integer: number | undefined;
    if (first === QUOTE) {
      valueEnd = endOfStrictString(bytes, i + 1);
      if (valueEnd < 0) return failureOf(valueEnd);
      if (key === KEY_TYPE) type = typeValue(bytes, i + 1, valueEnd - 1, stringHadEscape);
    } else if (first === LBRACE || first === LBRACKET) {
      valueEnd = endOfComposite(bytes, i);
      if (valueEnd < 0) return failureOf(valueEnd);
    } else {
      valueEnd = endOfToken(bytes, i);
      // A token running into the end of input means the object was never closed.
      if (valueEnd === n) return 'truncated';
      const kind = classifyToken(bytes, valueStart, valueEnd);
      if (kind === TokenKind.invalid) return 'invalid';
      if (kind !== TokenKind.literal && key >= KEY_ID && key <= KEY_SEQ) {
        integer = integerValue(bytes, valueStart, valueEnd, kind);
      }
    }
    switch (key) {
      case KEY_TYPE:
        out.type = type;
        break;
      case KEY_ID:
        out.id = integer;
        break;
      case KEY_SID:
        out.sid = integer;
        break;
      case KEY_SEQ:
        out.seq = integer;
        break;
      case KEY_MSG:
        out.msgStart = valueStart;
        out.msgEnd = valueEnd;
        break;
    }

    i = skipWhitespace(bytes, valueEnd);
    if (i === n) return 'truncated';
    if (bytes[i] === RBRACE) return afterObject(bytes, i + 1);
    if (bytes[i] !== COMMA) return 'invalid';
    i = skipWhitespace(bytes, i + 1);
    if (i === n) return 'truncated';
  }
}

/**
 * Reads the top-level `type`, `id`, `sid`, `seq` and the byte range of `msg` from a JSON object
 * frame without `JSON.parse`. Nested values are skipped with string and bracket tracking, so text
 * inside `msg` (quotes, braces, the word "sid") never confuses it. Any key order, whitespace and
 * escaped keys are accepted; duplicate keys resolve like `JSON.parse` (last wins). `id`/`sid`/`seq`
 * are set only when the value is a number `JSON.parse` would read as an integer.
 *
 * Never throws; runs in linear time. With `into`, the scan reuses that object (all fields are reset
 * first) and allocates nothing for known types.
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
  out.ok = false;
  out.failure = undefined;
  out.type = undefined;
  out.id = undefined;
  out.sid = undefined;
  out.seq = undefined;
  out.msgStart = -1;
  out.msgEnd = -1;
  const failure = scanObject(bytes, out);
  releaseStack();
  if (failure === undefined) {
    out.ok = true;
    return out;
  }
  out.failure = failure;
  out.type = undefined;
  out.id = undefined;
  out.sid = undefined;
  out.seq = undefined;
  out.msgStart = -1;
  out.msgEnd = -1;
  return out;
}
