import { createEnvelopeScan } from './envelope';
import type { EnvelopeScan, ScanFailure, ScanMode } from './envelope';
import { knownTypeAt, knownTypeEndingAt, knownTypeLength, knownTypeName } from './envelope-types';
import {
  INVALID,
  TokenKind,
  classifyToken,
  decodeString,
  endOfComposite,
  endOfStrictString,
  endOfToken,
  integerValue,
  skipWhitespace,
} from './json-bytes';

export { KNOWN_MESSAGE_TYPES } from './envelope-types';

// Everything below is module-private on purpose: the hot paths read only literals and private
// `const`s (an exported/imported binding costs a cell load and hole check per read; see json-bytes).

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
 * Which of the five envelope keys the plain key at `i` (its opening quote) is, recognised with its
 * closing quote in one pass, or KEY_OTHER. Returns the key and stores nothing: the caller derives the
 * key's end from its length. Anything else (other keys, escapes, short input) takes the full path.
 */
function plainEnvelopeKey(bytes: Uint8Array, i: number, n: number): number {
  if (i + 6 > n) return KEY_OTHER;
  const a = bytes[i + 1]!;
  if (a === 0x73) {
    // "sid" / "seq"
    if (bytes[i + 4] !== 0x22) return KEY_OTHER;
    const b = bytes[i + 2]!;
    const c = bytes[i + 3]!;
    if (b === 0x69 && c === 0x64) return KEY_SID;
    return b === 0x65 && c === 0x71 ? KEY_SEQ : KEY_OTHER;
  }
  if (a === 0x74) {
    // "type"
    return bytes[i + 2] === 0x79 && bytes[i + 3] === 0x70 && bytes[i + 4] === 0x65 && bytes[i + 5] === 0x22 ? KEY_TYPE : KEY_OTHER;
  }
  if (a === 0x6d) {
    // "msg"
    return bytes[i + 2] === 0x73 && bytes[i + 3] === 0x67 && bytes[i + 4] === 0x22 ? KEY_MSG : KEY_OTHER;
  }
  if (a === 0x69) {
    // "id"
    return bytes[i + 2] === 0x64 && bytes[i + 3] === 0x22 ? KEY_ID : KEY_OTHER;
  }
  return KEY_OTHER;
}

/** Bytes from a fast-path key's opening quote to just past its closing quote, by key. */
const keySpan = new Int8Array([0, 6, 4, 5, 5, 5]);

/**
 * Walks the top-level object and fills `out` once at the end; returns why it failed, or undefined.
 * Every top-level key, separator and scalar is validated; only nested values are skipped structurally.
 * Compact frames (no whitespace, plain keys, known types, plain digits) take one pass over each part.
 * With `edges`, at a composite `msg` {@link readTail} reads the rest from the frame's end, and `msg`
 * is not walked when that succeeds.
 */
function walk(bytes: Uint8Array, out: EnvelopeScan, edges: boolean): ScanFailure | undefined {
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
      let key = plainEnvelopeKey(bytes, i, n);
      let keyEnd: number;
      if (key !== KEY_OTHER) {
        keyEnd = i + keySpan[key]!;
      } else {
        keyEnd = endOfTopString(bytes, i + 1, n);
        if (keyEnd >= 0) {
          key = identifyKey(bytes, i + 1, keyEnd - 1);
        } else {
          if (keyEnd > ESCAPED_BASE) return failureOf(keyEnd);
          keyEnd = ESCAPED_BASE - keyEnd;
          key = identifyEscapedKey(bytes, i + 1, keyEnd - 1);
        }
      }
      i = keyEnd < n && bytes[keyEnd] === 0x3a ? keyEnd : skipWhitespace(bytes, keyEnd, n);
      if (i === n) return 'truncated';
      if (bytes[i] !== 0x3a) return 'invalid';
      i++;
      // Any byte above space is not whitespace: the compact case skips the call.
      if (i < n && bytes[i]! <= 0x20) i = skipWhitespace(bytes, i, n);
      if (i === n) return 'truncated';

      const valueStart = i;
      const first = bytes[i]!;
      // Duplicate keys: every occurrence overwrites, so the last one wins as in JSON.parse.
      let text: string | undefined;
      let integer: number | undefined;
      if (first === 0x22) {
        const known = key === KEY_TYPE ? knownTypeAt(bytes, i + 1, n) : -1;
        if (known >= 0) {
          text = knownTypeName(known);
          i = i + 2 + knownTypeName(known).length;
        } else {
          i = endOfTopString(bytes, i + 1, n);
          if (i >= 0) {
            if (key === KEY_TYPE) text = decodeString(bytes, valueStart + 1, i - 1, false);
          } else {
            if (i > ESCAPED_BASE) return failureOf(i);
            i = ESCAPED_BASE - i;
            if (key === KEY_TYPE) text = decodeString(bytes, valueStart + 1, i - 1, true);
          }
        }
      } else if (first === 0x7b || first === 0x5b) {
        // Envelope mode: what follows msg is read from the end; msg itself is not walked when flat.
        if (edges && key === KEY_MSG && readTail(bytes, out, valueStart, type, id, sid, seq)) return undefined;
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

      let separator = i < n ? bytes[i]! : 0x20;
      if (separator <= 0x20) {
        i = skipWhitespace(bytes, i, n);
        if (i === n) return 'truncated';
        separator = bytes[i]!;
      }
      if (separator === 0x7d) break;
      if (separator !== 0x2c) return 'invalid';
      i++;
      if (i < n && bytes[i]! <= 0x20) i = skipWhitespace(bytes, i, n);
      if (i === n) return 'truncated';
    }
  }
  // Only whitespace may follow the closing brace.
  if (i + 1 !== n && skipWhitespace(bytes, i + 1, n) !== n) return 'invalid';
  setFields(out, type, id, sid, seq, msgStart, msgEnd);
  return undefined;
}

/**
 * Node's native byte search (memchr), which reads any Uint8Array; undefined outside Node. The typed
 * array's own `indexOf` is several times slower than a JS loop on V8, so it is not a fallback.
 */
const nativeIndexOf: ((this: Uint8Array, value: number, from: number) => number) | undefined =
  typeof Buffer === 'function' ? (Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number) : undefined;

/**
 * True when no opening bracket (`{`, `[`) occurs in `bytes[from, to)`: a composite spanning them then has
 * nothing nested, so its closer is the first one after its opener. Stray closers inside are left alone:
 * they can only make the body malformed, which this scan does not judge, never move the range.
 */
function isFlat(bytes: Uint8Array, from: number, to: number): boolean {
  if (nativeIndexOf !== undefined) {
    return isAbsent(nativeIndexOf.call(bytes, 0x7b, from), to) && isAbsent(nativeIndexOf.call(bytes, 0x5b, from), to);
  }
  for (let p = from; p < to; p++) {
    if ((bytes[p]! | 0x20) === 0x7b) return false; // `{` or `[`
  }
  return true;
}

function isAbsent(found: number, to: number): boolean {
  return found < 0 || found >= to;
}

/** True for a byte of a bare token (number or literal): neither whitespace nor structural (as `endOfToken`). */
function isTokenByte(c: number): boolean {
  return c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x2c && c !== 0x3a && c !== 0x22 && c !== 0x7b && c !== 0x7d && c !== 0x5b && c !== 0x5d;
}

/**
 * Opening quote of the string whose closing quote is at `close`: the nearest quote before it preceded
 * by an even run of backslashes, or -1 when none lies above `floor`. Exact for valid JSON (a quote inside
 * a string is always escaped); the caller re-reads the string forwards to be sure.
 */
function openingQuote(bytes: Uint8Array, close: number, floor: number): number {
  let k = close - 1;
  for (;;) {
    while (k > floor && bytes[k] !== 0x22) k--;
    if (k <= floor) return -1;
    let m = k - 1;
    while (m > floor && bytes[m] === 0x5c) m--;
    if (((k - 1 - m) & 1) === 0) return k;
    k--;
  }
}

/** {@link plainOpeningQuote}: the string holds a backslash or control character. */
const NOT_PLAIN = -2;

/**
 * Opening quote of a plain string (no backslash, no control character) closing at `close`, in one
 * backward pass; NOT_PLAIN when the string is not plain (the caller takes the careful path); -1 when
 * no quote lies above `floor`. A quote preceded by a backslash would be escaped: NOT_PLAIN too.
 */
function plainOpeningQuote(bytes: Uint8Array, close: number, floor: number): number {
  for (let k = close - 1; k > floor; k--) {
    const c = bytes[k]!;
    if (c === 0x22) return bytes[k - 1] === 0x5c ? NOT_PLAIN : k;
    if (c === 0x5c || c < 0x20) return NOT_PLAIN;
  }
  return -1;
}

/** The `type` string between the quotes at `open` and `close`: the interned name when known. */
function tailString(bytes: Uint8Array, open: number, close: number, escaped: boolean): string {
  const known = knownTypeAt(bytes, open + 1, close + 1);
  if (known >= 0 && open + 1 + knownTypeName(known).length === close) return knownTypeName(known);
  return decodeString(bytes, open + 1, close, escaped);
}

/**
 * Envelope mode, the second half: reads the members after a composite `msg` (opening at `msgStart`)
 * backwards from the closing brace, then checks that `msg` ends at the bracket reached. Fills `out` and
 * returns true; or returns false, filling nothing, whenever the tail is anything but `"key": scalar`
 * members (an escaped key, a second `msg`, a nested value, malformed bytes) or `msg` is not flat (an
 * opening bracket inside it means the bracket reached may close a nested value, or the frame was cut
 * inside one, and the tail might then belong to `msg`): the caller then walks `msg`. A member
 * met first going backwards is the last in the frame, so it wins, as in `JSON.parse`. Fields are taken
 * only from members outside `msg`; reading it is left to the consumer.
 */
function readTail(
  bytes: Uint8Array,
  out: EnvelopeScan,
  msgStart: number,
  type: string | undefined,
  id: number | undefined,
  sid: number | undefined,
  seq: number | undefined,
): boolean {
  const n = bytes.length;
  let j = skipWhitespaceBack(bytes, n - 1, msgStart);
  if (bytes[j] !== 0x7d) return false;
  j = skipWhitespaceBack(bytes, j - 1, msgStart);
  let seen = 0; // one bit per key already read (its last occurrence)
  for (;;) {
    if (j <= msgStart) return false;
    const last = bytes[j]!;
    if (last === 0x7d || last === 0x5d) {
      if (last !== (bytes[msgStart] === 0x7b ? 0x7d : 0x5d) || !isFlat(bytes, msgStart + 1, j)) return false;
      setFields(out, type, id, sid, seq, msgStart, j + 1);
      return true;
    }
    let valueStart = j;
    let kind = -1; // -1: a string
    let escaped = false;
    let known = -1;
    if (last === 0x22) {
      // A known type name (the usual string here) is matched backwards in one pass.
      known = knownTypeEndingAt(bytes, j, msgStart);
      valueStart = known >= 0 ? j - knownTypeLength(known) - 1 : plainOpeningQuote(bytes, j, msgStart);
      if (valueStart === NOT_PLAIN) {
        // Escapes inside: find the opener by backslash parity, then check the string forwards.
        valueStart = openingQuote(bytes, j, msgStart);
        if (valueStart < 0) return false;
        escaped = endOfTopString(bytes, valueStart + 1, n) === ESCAPED_BASE - (j + 1);
        if (!escaped) return false;
      } else if (valueStart < 0) {
        return false;
      }
    } else {
      valueStart = plainDigitsStart(bytes, j, msgStart);
      if (valueStart >= 0) {
        kind = TokenKind.plainInteger;
      } else {
        valueStart = j;
        while (valueStart > msgStart + 1 && isTokenByte(bytes[valueStart - 1]!)) valueStart--;
        kind = classifyToken(bytes, valueStart, j + 1);
        if (kind === TokenKind.invalid) return false;
      }
    }
    // Compact frames: the separators sit right next to the values, no whitespace call.
    let k = bytes[valueStart - 1] === 0x3a ? valueStart - 1 : skipWhitespaceBack(bytes, valueStart - 1, msgStart);
    if (bytes[k] !== 0x3a) return false;
    k = bytes[k - 1] === 0x22 ? k - 1 : skipWhitespaceBack(bytes, k - 1, msgStart);
    if (bytes[k] !== 0x22) return false;
    // Escaped or malformed keys, and a second msg, are left to the walk.
    const keyOpen = plainOpeningQuote(bytes, k, msgStart);
    if (keyOpen < 0) return false;
    const key = identifyKey(bytes, keyOpen + 1, k);
    if (key === KEY_MSG) return false;
    if (key !== KEY_OTHER && (seen & (1 << key)) === 0) {
      seen |= 1 << key;
      if (key === KEY_TYPE) {
        type = kind !== -1 ? undefined : known >= 0 ? knownTypeName(known) : tailString(bytes, valueStart, j, escaped);
      } else {
        const value = kind === TokenKind.plainInteger || kind === TokenKind.number ? integerValue(bytes, valueStart, j + 1, kind) : undefined;
        if (key === KEY_ID) id = value;
        else if (key === KEY_SID) sid = value;
        else seq = value;
      }
    }
    j = bytes[keyOpen - 1] === 0x2c ? keyOpen - 1 : skipWhitespaceBack(bytes, keyOpen - 1, msgStart);
    if (bytes[j] !== 0x2c) return false;
    if (bytes[j - 1]! <= 0x20) j = skipWhitespaceBack(bytes, j - 1, msgStart);
    else j--;
  }
}

/**
 * Start of a plain digit run ending at `end` (no sign, fraction or exponent; no leading zero) whose
 * preceding byte is `:` or whitespace: every real id/sid/seq in the tail, classified in one backward
 * pass. -1 for anything else (the caller then classifies the token in full).
 */
function plainDigitsStart(bytes: Uint8Array, end: number, floor: number): number {
  let p = end;
  while (p > floor && bytes[p]! >= 0x30 && bytes[p]! <= 0x39) p--;
  if (p === end || (end - p > 1 && bytes[p + 1] === 0x30)) return -1;
  const before = bytes[p];
  return before === 0x3a || before === 0x20 || before === 0x0a || before === 0x0d || before === 0x09 ? p + 1 : -1;
}

/** Last offset at or before `j` (and above `floor`) that is not JSON whitespace; `floor` when none. */
function skipWhitespaceBack(bytes: Uint8Array, j: number, floor: number): number {
  while (j > floor) {
    const c = bytes[j]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return j;
    j--;
  }
  return floor;
}

/** Writes every envelope field of a scan (a failed scan gets them all empty). */
function setFields(
  out: EnvelopeScan,
  type: string | undefined,
  id: number | undefined,
  sid: number | undefined,
  seq: number | undefined,
  msgStart: number,
  msgEnd: number,
): void {
  out.type = type;
  out.id = id;
  out.sid = sid;
  out.seq = seq;
  out.msgStart = msgStart;
  out.msgEnd = msgEnd;
}

/**
 * Reads the top-level `type`, `id`, `sid`, `seq` and the byte range of `msg` from a JSON object
 * frame without `JSON.parse`. Text inside `msg` (quotes, braces, the word "sid") never confuses it. Any
 * key order, whitespace and escaped keys are accepted; duplicate keys resolve like `JSON.parse` (last
 * wins). `id`/`sid`/`seq` are set only when the value is a number `JSON.parse` would read as an integer.
 *
 * Two modes (see docs/protocol.md, "The envelope scan"):
 * - `'envelope'` (default, the client's hot path): the members before a composite `msg` are read
 *   forwards from `{`, the members after it backwards from the closing `}`, and a native search checks
 *   that no opening bracket occurs inside `msg`; then `msg` is not walked. That covers flat bodies (deltas,
 *   tickers, trades) in either key order Kalshi sends; nested bodies (snapshots) and unusual tails are
 *   walked as in `'strict'`. For every frame `JSON.parse` reads, the result equals `'strict'`. The body
 *   is not checked: a frame whose flat `msg` is itself malformed (an unclosed string or array inside it)
 *   can be accepted, with fields read only from the members outside `msg`.
 * - `'strict'`: every byte is walked; nested values are skipped with string and bracket tracking (their
 *   scalars are not validated), so a truncated or unbalanced body fails as `truncated`/`invalid`.
 *
 * Never throws; runs in linear time. With `into`, the scan reuses that object (every field is
 * overwritten) and allocates nothing for known types.
 *
 * @param bytes UTF-8 frame.
 * @param into Scan object to fill and return (hot path); a new one when omitted.
 * @param mode `'envelope'` or `'strict'`. @default 'envelope'
 * @returns `into` (or a new scan) with `ok` and, on failure, `failure`
 * (`empty`, `not-object`, `truncated`, `invalid`).
 * @example
 * const scan = createEnvelopeScan();
 * scanEnvelope(frame, scan);
 * if (scan.ok && scan.seq !== undefined) tracker.check(scan.sid, scan.seq);
 */
export function scanEnvelope(bytes: Uint8Array, into?: EnvelopeScan, mode: ScanMode = 'envelope'): EnvelopeScan {
  const out = into ?? createEnvelopeScan();
  const failure = walk(bytes, out, mode !== 'strict');
  if (failure === undefined) {
    out.ok = true;
    out.failure = undefined;
    return out;
  }
  out.ok = false;
  out.failure = failure;
  setFields(out, undefined, undefined, undefined, undefined, -1, -1);
  return out;
}
