import { describe, expect, it } from 'vitest';
import { KNOWN_MESSAGE_TYPES } from 'kalshi-ws-pool/protocol';
// The matchers are internal (the scanner is their only caller), so they are imported from the source.
import { knownTypeAt, knownTypeEndingAt, knownTypeLength, knownTypeName } from '../../../src/protocol/kalshi/envelope-types';

// What the scanner observes from these matchers is an index (or -1) and the name and length behind it.
// A miss is never wrong for the scanner's output (it decodes the string instead), so the scanner's own
// tests cannot tell a matcher that misses from one that matches: these tests check the matchers directly.

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** `"name"` after a prefix, and the offsets of its opening and closing quotes. */
function quoted(name: string, before = '{"type":', after = ',"sid":1}'): { bytes: Uint8Array; open: number; close: number } {
  const bytes = bytesOf(`${before}"${name}"${after}`);
  const open = before.length;
  return { bytes, open, close: open + 1 + name.length };
}

/** The name with the byte at `at` replaced by another byte that is not a quote or backslash. */
function changedAt(name: string, at: number): string {
  const replacement = name[at] === 'x' ? 'y' : 'x';
  return `${name.slice(0, at)}${replacement}${name.slice(at + 1)}`;
}

describe('known type tables', () => {
  it('give every name its own index, with its name and length', () => {
    expect(new Set(KNOWN_MESSAGE_TYPES).size).toBe(KNOWN_MESSAGE_TYPES.length);
    KNOWN_MESSAGE_TYPES.forEach((name, k) => {
      expect(knownTypeName(k)).toBe(name);
      expect(knownTypeLength(k)).toBe(name.length);
    });
  });
});

describe('knownTypeAt (forwards, from the byte after the opening quote)', () => {
  it('finds every known name at its index, at any offset and with any follower', () => {
    KNOWN_MESSAGE_TYPES.forEach((name, k) => {
      for (const [before, after] of [
        ['{"type":', '}'],
        ['{"sid":1,"type": ', ' ,"seq":2}'],
        ['', ''],
      ] as const) {
        const { bytes, open } = quoted(name, before, after);
        expect(knownTypeAt(bytes, open + 1, bytes.length), `${before}${name}`).toBe(k);
      }
    });
  });

  it('stops at n: a name whose closing quote lies at or past n is not matched', () => {
    const { bytes, open, close } = quoted('trade');
    expect(knownTypeAt(bytes, open + 1, close + 1)).toBe(KNOWN_MESSAGE_TYPES.indexOf('trade'));
    expect(knownTypeAt(bytes, open + 1, close)).toBe(-1);
    expect(knownTypeAt(bytesOf('"trade'), 1, 6)).toBe(-1);
  });

  it('returns -1 when start is at or past n', () => {
    const bytes = bytesOf('{"type":"ok"}');
    expect(knownTypeAt(bytes, bytes.length, bytes.length)).toBe(-1);
    expect(knownTypeAt(bytes, 9, 9)).toBe(-1);
    expect(knownTypeAt(bytes, 9, 8)).toBe(-1);
  });

  it('matches only the exact name: no prefix, extension or single changed byte', () => {
    for (const name of KNOWN_MESSAGE_TYPES) {
      const miss = (text: string): void => {
        const { bytes, open } = quoted(text);
        const found = knownTypeAt(bytes, open + 1, bytes.length);
        expect(found === -1 || knownTypeName(found) === text, `${text} matched ${found}`).toBe(true);
      };
      miss(`${name}x`);
      miss(name.slice(0, -1));
      for (let at = 0; at < name.length; at++) miss(changedAt(name, at));
    }
    expect(knownTypeAt(bytesOf('"ol"'), 1, 4)).toBe(-1);
    expect(knownTypeAt(bytesOf('"orderbook_deltb"'), 1, 17)).toBe(-1);
    expect(knownTypeAt(bytesOf('"zebra"'), 1, 7)).toBe(-1);
  });

  it('needs the closing quote right after the name', () => {
    expect(knownTypeAt(bytesOf('"ok\\"x"'), 1, 7)).toBe(-1);
    expect(knownTypeAt(bytesOf('"ok x"'), 1, 6)).toBe(-1);
  });
});

describe('knownTypeEndingAt (backwards, from the closing quote)', () => {
  it('finds every known name at its index, with its opening quote where the scanner expects it', () => {
    KNOWN_MESSAGE_TYPES.forEach((name, k) => {
      for (const [before, after] of [
        ['{"msg":{},"type":', '}'],
        ['{"msg":[1] , "type" : ', ' }'],
      ] as const) {
        const { bytes, open, close } = quoted(name, before, after);
        const found = knownTypeEndingAt(bytes, close, 6);
        expect(found, `${before}${name}`).toBe(k);
        expect(close - knownTypeLength(found) - 1).toBe(open);
      }
    });
  });

  it('needs the opening quote strictly above floor', () => {
    const { bytes, open, close } = quoted('ticker');
    const k = KNOWN_MESSAGE_TYPES.indexOf('ticker');
    expect(knownTypeEndingAt(bytes, close, open - 1)).toBe(k);
    expect(knownTypeEndingAt(bytes, close, open)).toBe(-1);
    expect(knownTypeEndingAt(bytes, close, open + 1)).toBe(-1);
    // Nothing but the closing quote above floor.
    expect(knownTypeEndingAt(bytes, close, close - 1)).toBe(-1);
    expect(knownTypeEndingAt(bytes, close, close)).toBe(-1);
  });

  it('refuses an opening quote that a backslash escapes, or that is not a quote', () => {
    expect(knownTypeEndingAt(bytesOf('{"a":"x\\"ok"}'), 11, 0)).toBe(-1);
    expect(knownTypeEndingAt(bytesOf('{"a":"x\\\\"ok"}'), 12, 0)).toBe(-1);
    expect(knownTypeEndingAt(bytesOf('{"a":"xok"}'), 9, 0)).toBe(-1);
    expect(knownTypeEndingAt(bytesOf('{"a": "ok"}'), 9, 0)).toBe(KNOWN_MESSAGE_TYPES.indexOf('ok'));
  });

  it('matches only the exact name: no prefix, extension or single changed byte', () => {
    for (const name of KNOWN_MESSAGE_TYPES) {
      const miss = (text: string): void => {
        const { bytes, close } = quoted(text);
        const found = knownTypeEndingAt(bytes, close, 0);
        expect(found === -1 || knownTypeName(found) === text, `${text} matched ${found}`).toBe(true);
      };
      miss(`x${name}`);
      miss(name.slice(1));
      for (let at = 0; at < name.length; at++) miss(changedAt(name, at));
    }
    expect(knownTypeEndingAt(bytesOf('"orderbook_snapshoa"'), 19, -1)).toBe(-1);
    expect(knownTypeEndingAt(bytesOf('"zebra"'), 6, -1)).toBe(-1);
  });
});
