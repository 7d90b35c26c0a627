import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_MESSAGE_TYPES, createEnvelopeScan, scanEnvelope } from 'kalshi-ws-pool/protocol';
import type { ScanFailure } from 'kalshi-ws-pool/protocol';
import { expectAgreement, expectEnvelopeModeSound, parseReference } from './envelope-helpers';

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);
const fixture = readFileSync(new URL('../../fixtures/kalshi-frames.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');

describe('scanEnvelope on real frames', () => {
  it('agrees with JSON.parse on every fixture line', () => {
    expect(fixture.length).toBeGreaterThan(20);
    for (const line of fixture) expectAgreement(bytesOf(line), scanEnvelope(bytesOf(line)));
  });

  it('reads both key orders of the captures', () => {
    const a = scanEnvelope(bytesOf(fixture.find((l) => l.startsWith('{"msg":{"delta_fp"'))!));
    expect([a.type, a.sid, a.seq, a.id]).toEqual(['orderbook_delta', 1, 13, undefined]);
    const b = scanEnvelope(bytesOf('{"type":"ok","id":2,"sid":1,"seq":108,"msg":{"market_tickers":["A","B"]}}'));
    expect([b.type, b.sid, b.seq, b.id]).toEqual(['ok', 1, 108, 2]);
  });

  it('gives identical results when scanning into a reused object', () => {
    const reused = createEnvelopeScan();
    for (const line of fixture) {
      const bytes = bytesOf(line);
      const fresh = scanEnvelope(bytes);
      expect(scanEnvelope(bytes, reused)).toBe(reused);
      expect({ ...reused }).toEqual({ ...fresh });
      expect({ ...scanEnvelope(bytes, reused) }).toEqual({ ...fresh });
    }
  });

  it('resets every field of a reused scan', () => {
    const scan = scanEnvelope(bytesOf('{"type":"trade","id":9,"sid":3,"seq":4,"msg":{}}'));
    scanEnvelope(bytesOf('{"other":1}'), scan);
    expect(scan).toEqual({ ok: true, failure: undefined, type: undefined, id: undefined, sid: undefined, seq: undefined, msgStart: -1, msgEnd: -1 });
    scanEnvelope(bytesOf('{"type":"tra'), scan);
    expect(scan.ok).toBe(false);
    expect(scan.failure).toBe('truncated');
    expect(scan.type).toBeUndefined();
  });

  it('returns interned constants for every known type', () => {
    for (const type of KNOWN_MESSAGE_TYPES) {
      expect(scanEnvelope(bytesOf(`{"type":"${type}"}`)).type).toBe(type);
    }
  });
});

describe('scanEnvelope on nasty frames', () => {
  const agreeing = [
    '{"msg":{"text":"he said \\"sid\\":5, {\\"seq\\":9} [oops"},"sid":3,"seq":4,"type":"trade"}',
    '{"msg":"a\\\\","sid":1,"type":"x"}',
    '{"msg":"\\\\\\"}\\\\","sid":2}',
    '{"msg":{"a":"\\"","b":["]","}"],"sid":99,"seq":98,"type":"error"},"sid":1}',
    '{"s\\u0069d":7,"\\u0074ype":"\\u006fk","se\\u0071":8,"\\u0069d":3,"m\\u0073g":[1]}',
    '{"type":"orderbook\\u005fdelta"}',
    '{"type":"caf\\u00e9 \\ud83d\\ude00 \\n\\t\\/"}',
    '{"type":"日本語","msg":"ünïcødé \\u2028","sid":1}',
    '  \r\n\t{ "sid" :\t1 , "seq"\n:\n2 , "msg" : { "x" : [ 1 , { } , [ ] ] } , "type" : "ticker" }  \n ',
    '{}',
    ' { } ',
    '{"sid":"5","seq":null,"id":{"a":1}}',
    '{"sid":1.5,"seq":true,"id":false}',
    '{"sid":1e2,"seq":-0,"id":1.0}',
    '{"sid":1E+2,"seq":-0.0,"id":2.50e1}',
    '{"sid":12345678901234567890,"seq":999999999999999,"id":9007199254740993}',
    '{"sid":1e400,"seq":-1e400}',
    '{"sid":-7,"seq":0,"id":0}',
    '{"sid":5,"sid":"x"}',
    '{"sid":"x","sid":5}',
    '{"type":"ok","type":7}',
    '{"msg":1,"msg":{"a":2}}',
    '{"msg":null}',
    '{"msg":"sid"}',
    '{"msg":-12.5e-3,"seq":3}',
    '{"type":"","sid":0}',
    '{"sidx":1,"sseq":2,"typ":"ok","ids":4,"msgs":{}}',
  ];
  it.each(agreeing)('agrees with JSON.parse: %s', (text) => {
    expectAgreement(bytesOf(text), scanEnvelope(bytesOf(text)));
  });

  it('reads escaped keys, fallback numbers and last-wins duplicates', () => {
    const escaped = scanEnvelope(bytesOf(agreeing[4]!));
    expect([escaped.type, escaped.sid, escaped.seq, escaped.id]).toEqual(['ok', 7, 8, 3]);
    const numbers = scanEnvelope(bytesOf('{"sid":1e2,"seq":-0,"id":1.0}'));
    expect(numbers.sid).toBe(100);
    expect(Object.is(numbers.seq, -0)).toBe(true);
    expect(numbers.id).toBe(1);
    expect(scanEnvelope(bytesOf('{"sid":5,"sid":"x"}')).sid).toBeUndefined();
    expect(scanEnvelope(bytesOf('{"sid":"x","sid":5}')).sid).toBe(5);
  });

  const failing: [string, ScanFailure][] = [
    ['', 'empty'],
    ['  \n\t ', 'empty'],
    ['[1,2]', 'not-object'],
    ['"text"', 'not-object'],
    ['12', 'not-object'],
    ['null', 'not-object'],
    ['garbage', 'not-object'],
    ['}', 'not-object'],
    ['{', 'truncated'],
    ['  {  ', 'truncated'],
    ['{"type":"ok"', 'truncated'],
    ['{"type":"o', 'truncated'],
    ['{"type"', 'truncated'],
    ['{"type":', 'truncated'],
    ['{"sid":12', 'truncated'],
    ['{"sid":1,', 'truncated'],
    ['{"a":tr', 'truncated'],
    ['{"a":"\\u00', 'truncated'],
    ['{"a":"x\\', 'truncated'],
    ['{"msg":{"a":[1,2]', 'truncated'],
    ['{"msg":{"a":"}', 'truncated'],
    ['{"msg":"\\"}', 'truncated'],
    ['{"msg":{"a":[1,2}}', 'invalid'],
    ['{"msg":]', 'invalid'],
    ['{"a":1,}', 'invalid'],
    ['{,}', 'invalid'],
    ['{"a" 1}', 'invalid'],
    ['{"a":1 "b":2}', 'invalid'],
    ['{"a":1}x', 'invalid'],
    ['{"a":1}{}', 'invalid'],
    ['{"a":01}', 'invalid'],
    ['{"a":1.}', 'invalid'],
    ['{"a":-}', 'invalid'],
    ['{"a":tru}', 'invalid'],
    ['{"a":}', 'invalid'],
    ['{"a":"\u0001"}', 'invalid'],
    ['{"a":"\\q"}', 'invalid'],
    ['{"a":"\\u12G4"}', 'invalid'],
    ['{a:1}', 'invalid'],
    ["{'a':1}", 'invalid'],
    ['{"a"::1}', 'invalid'],
  ];
  it.each(failing)('fails %j as %s in strict mode', (text, failure) => {
    const scan = scanEnvelope(bytesOf(text), undefined, 'strict');
    expect(scan.ok).toBe(false);
    expect(scan.failure).toBe(failure);
    const reference = parseReference(bytesOf(text));
    expect(reference === null || reference === 'not-object').toBe(true);
  });

  it('fails the same frames in envelope mode, except a malformed body it never walks', () => {
    const accepted = failing.filter(([text]) => scanEnvelope(bytesOf(text)).ok).map(([text]) => text);
    expect(accepted).toStrictEqual([]);
    for (const [text] of failing) expectEnvelopeModeSound(bytesOf(text));
    // A flat body with an unclosed string is not walked: accepted, fields from outside msg only.
    const frame = '{"type":"orderbook_delta","sid":2,"seq":9,"msg":{"a":"x}}';
    expect(scanEnvelope(bytesOf(frame), undefined, 'strict').failure).toBe('truncated');
    const scan = scanEnvelope(bytesOf(frame));
    expect([scan.ok, scan.type, scan.sid, scan.seq, scan.msgStart, scan.msgEnd]).toStrictEqual([true, 'orderbook_delta', 2, 9, 48, 56]);
    // Alphabetical order (Kalshi's captures): the tail is read backwards, an invalid token in msg unread.
    const tail = scanEnvelope(bytesOf('{"msg":{"a":tru},"seq":5,"sid":2,"type":"trade"}'));
    expect([tail.ok, tail.type, tail.sid, tail.seq, tail.msgStart, tail.msgEnd]).toStrictEqual([true, 'trade', 2, 5, 7, 16]);
    // A stray closer inside a flat body: malformed body, accepted; msg runs to the bracket the tail reached.
    const stray = '{"msg":{"a":1}},"seq":5,"type":"trade"}';
    expect(scanEnvelope(bytesOf(stray), undefined, 'strict').ok).toBe(false);
    const read = scanEnvelope(bytesOf(stray));
    expect([read.ok, read.type, read.seq, read.msgStart, read.msgEnd]).toStrictEqual([true, 'trade', 5, 7, 15]);
    expectEnvelopeModeSound(bytesOf(stray));
  });

  it('reads types and integers from the tail exactly as the walk does', () => {
    for (const text of [
      '{"msg":{"x":1},"type":"ok"}',
      '{"msg":{"x":1},"type":"notok"}',
      '{"msg":{"x":1},"type":"x\\"ok"}',
      '{"msg":{"x":1},"type":"\\ok"}',
      '{"msg":{"x":1},"type":"orderbook_delta","seq":0}',
      '{"msg":{"x":1},"type":"trade","seq":012}',
      '{"msg":{"x":1},"type":"trade","seq": 12}',
      '{"msg":{"x":1},"type":"trade","seq":-12}',
      '{"msg":{"x":1},"type":"trade","seq":1.5,"sid":1e2}',
      '{"msg":{"x":1},"type":"trade","seq":12345678901234567890}',
      '{"msg":{"x":1},"sid":7,"type":"ticker","type":"trade"}',
    ]) {
      const bytes = bytesOf(text);
      expect({ ...scanEnvelope(bytes) }, text).toStrictEqual({ ...scanEnvelope(bytes, undefined, 'strict') });
      expectEnvelopeModeSound(bytes);
    }
    expect(scanEnvelope(bytesOf('{"msg":{"x":1},"type":"notok"}')).type).toBe('notok');
    expect(scanEnvelope(bytesOf('{"msg":{"x":1},"type":"trade","seq":012}')).ok).toBe(false);
  });

  it('walks msg whenever it is nested or the tail is unusual, and agrees', () => {
    // Nested bodies, composite or escaped members after msg, a second msg: the body is walked.
    for (const text of [
      '{"type":"a","msg":{"x":1},"sid":4}',
      '{"type":"a","msg":{"x":{"sid":9},"y":1}}',
      '{"type":"a","msg":[[1],[2]]}',
      '{"type":"a","msg":{"x":"},"}}',
      '{"type":"a","msg":{},"msg":{}}',
      '{"type":"a","msg":{"x":1} ,"sid":{"sid":3}}',
      '{"type":"a","msg":[1,2],"seq":{"a":[3]}}',
      '{"msg":{"x":1},"s\\u0069d":4,"type":"a"}',
      '{"msg":{"x":1},"sid":4,"msg":{"y":2}}',
      '{"msg":{"x":1} , "seq" : 3 , "sid":"4" ,"type":"a\\"b" , "id":1.0e1 }',
    ]) {
      expectAgreement(bytesOf(text), scanEnvelope(bytesOf(text)));
      expectEnvelopeModeSound(bytesOf(text));
    }
    // A truncated nested body is caught by the walk; a nested sid is never the envelope's.
    expect(scanEnvelope(bytesOf('{"type":"a","msg":{"x":{"k":1},"sid":5,"seq":7}')).failure).toBe('truncated');
    expect(scanEnvelope(bytesOf('{"type":"a","msg":{"x":{"k":1},"sid":5,"seq":7}}')).sid).toBeUndefined();
  });

  it('handles deep nesting and releases its stack', () => {
    const depth = 20_000;
    const text = `{"msg":${'['.repeat(depth)}${']'.repeat(depth)},"sid":4}`;
    const scan = scanEnvelope(bytesOf(text));
    expect(scan.ok).toBe(true);
    expect(scan.sid).toBe(4);
    expect(scan.msgEnd - scan.msgStart).toBe(depth * 2);
    expectAgreement(bytesOf('{"msg":[[{"a":[1]}]],"seq":2}'), scanEnvelope(bytesOf('{"msg":[[{"a":[1]}]],"seq":2}')));
  });

  it('stays linear on pathological escape runs', () => {
    const body = '\\\\\\"'.repeat(200_000) + '\\\\'.repeat(200_000);
    const text = `{"msg":{"t":"${body}"},"sid":1}`;
    const started = performance.now();
    const scan = scanEnvelope(bytesOf(text));
    expect(performance.now() - started).toBeLessThan(2_000);
    expectAgreement(bytesOf(text), scan);
  });
});

// ---- property tests ----

/** Serialises a JSON value with whitespace drawn from `ws` between every token. */
function serialise(value: unknown, ws: () => string): string {
  if (Array.isArray(value)) {
    return `[${ws()}${value.map((v) => serialise(v, ws)).join(`${ws()},${ws()}`)}${ws()}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${ws()}:${ws()}${serialise(v, ws)}`);
    return `{${ws()}${entries.join(`${ws()},${ws()}`)}${ws()}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Writes a key with every letter \u-escaped (the scanner's slow path). */
const escapeKey = (key: string): string =>
  `"${[...key].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;

const nastyString = fc.string({
  unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ':', ',', 'sid', 'seq', 'type', 'msg', 'a', ' ', 'é', '\n', '\u2028', '😀'),
  maxLength: 12,
});
const rawNumber = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.maxSafeNat().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom('1e2', '-0', '1.0', '1E+2', '2.5e1', '-0.0', '12345678901234567890', '0.5', '1e400', '1e-400'),
);
const rawValue = fc.oneof(
  rawNumber,
  fc.jsonValue().map((v) => JSON.stringify(v)),
  nastyString.map((s) => JSON.stringify(s)),
  fc.constantFrom(...KNOWN_MESSAGE_TYPES).map((t) => JSON.stringify(t)),
);
const msgValue = fc.oneof(
  fc.jsonValue(),
  nastyString,
  fc.dictionary(fc.oneof(nastyString, fc.constantFrom('sid', 'seq', 'type', 'id', 'msg')), fc.oneof(nastyString, fc.jsonValue())),
);
const entry = fc.oneof(
  fc.record({ key: fc.constantFrom('type', 'id', 'sid', 'seq'), raw: rawValue, escaped: fc.boolean(), isText: fc.constant(true) }),
  fc.record({ key: fc.constant('msg'), raw: msgValue, escaped: fc.boolean(), isText: fc.constant(false) }),
  fc.record({ key: nastyString, raw: fc.jsonValue(), escaped: fc.constant(false), isText: fc.constant(false) }),
);
const whitespace = fc.array(fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  '), { minLength: 1, maxLength: 8 });

interface Envelope {
  entries: { key: string; raw: unknown; escaped: boolean; isText: boolean }[];
  spaces: string[];
  pretty: boolean;
}
const envelope: fc.Arbitrary<Envelope> = fc.record({
  entries: fc.array(entry, { maxLength: 8 }),
  spaces: whitespace,
  pretty: fc.boolean(),
});

function render({ entries, spaces, pretty }: Envelope): string {
  let k = 0;
  const ws = (): string => (pretty ? spaces[k++ % spaces.length]! : '');
  const parts = entries.map(({ key, raw, escaped, isText }) => {
    // Envelope fields come as raw JSON text (to test forms like 1e2 or -0); other values are serialised.
    const value = isText ? String(raw) : serialise(raw, ws);
    return `${escaped ? escapeKey(key) : JSON.stringify(key)}${ws()}:${ws()}${value}`;
  });
  return `${ws()}{${ws()}${parts.join(`${ws()},${ws()}`)}${ws()}}${ws()}`;
}

describe('scanEnvelope properties', () => {
  it('agrees with JSON.parse on generated envelopes', () => {
    fc.assert(
      fc.property(envelope, (env) => {
        const bytes = bytesOf(render(env));
        expectAgreement(bytes, scanEnvelope(bytes));
        expectAgreement(bytes, scanEnvelope(bytes, undefined, 'strict'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with JSON.parse on JSON.stringify output of plain envelopes', () => {
    const plain = fc.record(
      {
        type: fc.oneof(fc.constantFrom(...KNOWN_MESSAGE_TYPES), fc.string()),
        id: fc.maxSafeNat(),
        sid: fc.integer({ min: 1, max: 10_000 }),
        seq: fc.maxSafeNat(),
        msg: msgValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(plain, fc.integer({ min: 0, max: 4 }), (object, indent) => {
        const bytes = bytesOf(JSON.stringify(object, null, indent));
        expectAgreement(bytes, scanEnvelope(bytes));
      }),
      { numRuns: 1_000 },
    );
  });

  it('reports every strict prefix of a frame as truncated in strict mode, soundly in envelope mode', () => {
    fc.assert(
      fc.property(envelope, (env) => {
        const text = render({ ...env, pretty: false });
        const bytes = bytesOf(text);
        const scan = createEnvelopeScan();
        for (let cut = 1; cut < bytes.length; cut++) {
          scanEnvelope(bytes.subarray(0, cut), scan, 'strict');
          expect(scan.ok).toBe(false);
          expect(scan.failure).toBe('truncated');
          expectEnvelopeModeSound(bytes.subarray(0, cut));
        }
      }),
      // Every prefix of every frame: instrumented (mutation runs) it needs fewer frames to fit the timeout.
      { numRuns: process.env['KWP_MUTATION_RUN'] === undefined ? 300 : 40 },
    );
  });

  it('never throws on mutated frames and agrees whenever JSON.parse reads an object', () => {
    const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(envelope, mutation, (env, edits) => {
        const bytes = Array.from(bytesOf(render(env)));
        for (const [at, byte, op] of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (op === 'set') bytes[i] = byte;
          else if (op === 'insert') bytes.splice(i, 0, byte);
          else bytes.splice(i, 1);
        }
        const mutated = Uint8Array.from(bytes);
        const scan = scanEnvelope(mutated);
        const reference = parseReference(mutated);
        if (reference === 'not-object') expect(scan.failure).toBe(bytes.every((b) => b <= 0x20) ? 'empty' : 'not-object');
        else if (reference !== null) expectAgreement(mutated, scan);
        // When JSON.parse throws, the scanner may still accept: it does not validate nested values.
        expectEnvelopeModeSound(mutated);
      }),
      { numRuns: 2_000 },
    );
  });
});
