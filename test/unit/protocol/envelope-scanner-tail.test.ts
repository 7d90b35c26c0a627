import { describe, expect, it } from 'vitest';
import { scanEnvelope } from 'kalshi-ws-pool/protocol';
import { expectAgreement, expectEnvelopeModeSound, parseReference } from './envelope-helpers';

// Envelope mode reads the members after a flat composite `msg` backwards from the closing brace and
// does not walk `msg` (docs/protocol.md, "The envelope scan"). Whether it did is visible with a body
// the walk refuses: an unclosed string inside a flat body fails the walk as `truncated`, while the
// tail reader accepts the frame with the fields of the members outside `msg`. Every tail shape below
// must take that path (the hot path for deltas, tickers and trades); a tail it cannot read falls back to
// the walk, which the same probe turns into a failure.

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** Bodies the walk refuses (an unclosed string) and a well-formed twin of the same length. */
const bodies = [
  { probe: '{"a":"x}', valid: '{"a":"x"}' },
  { probe: '["x]', valid: '["x"]' },
  { probe: '{"a":1,"b":"q]}', valid: '{"a":1,"b":"q]"}' },
];

/** Members after msg, each a shape the tail reader handles (compact, spaced, every value kind). */
const tails = [
  ',"seq":5,"sid":2,"type":"trade"',
  ',"seq":13,"sid":1,"type":"orderbook_delta"',
  ' , "seq" : 5 ,\n"sid":\t2 , "type" : "trade" ',
  ',\r\n"sid"\n:\r7\t,\t"type"\r:\n"ticker"\r\n',
  ',"type":"custom_type","id":12',
  ',"type":"a\\"b"',
  ',"type":"a\\\\"',
  ',"type":"\\\\\\"q"',
  ',"type":"caf\\u00e9","sid":4',
  ',"type":"orderbook\\u005fdelta"',
  ',"type":""',
  ',"type":7',
  ',"sid":-3,"seq":0,"id":0',
  ',"sid": -3',
  ',"seq":1.5,"sid":1e2,"id":-0',
  ',"seq":10,"sid":1230',
  ',"x":true,"y":null,"z":false,"sid":9',
  ',"x": true',
  ',"x":\ntrue',
  ',"x":\rnull',
  ',"x":\tfalse',
  ',"x":"y","other":"orderbook_delta"',
  ',"type":"orderbook_delta","type":"ticker"',
  ',"sid":1,"sid":2,"seq":3,"seq":"4","id":5,"id":6.5',
  ',"sidx":1,"sseq":2,"typ":"ok","ids":4,"s":1',
  ',"seq":123456789012345678',
];

function frameOf(body: string, tail: string): { text: string; msgStart: number } {
  const before = '{"msg":';
  return { text: `${before}${body}${tail}}`, msgStart: before.length };
}

describe('envelope mode: the tail after a flat msg', () => {
  it.each(tails)('reads %j without walking msg', (tail) => {
    for (const { probe, valid } of bodies) {
      const good = frameOf(valid, tail);
      const reference = parseReference(bytesOf(good.text));
      if (reference === null || reference === 'not-object') throw new Error(`bad fixture: ${good.text}`);
      expectAgreement(bytesOf(good.text), scanEnvelope(bytesOf(good.text)));

      const bad = frameOf(probe, tail);
      expect(scanEnvelope(bytesOf(bad.text), undefined, 'strict').ok, bad.text).toBe(false);
      const scan = scanEnvelope(bytesOf(bad.text));
      expect({ ...scan }, bad.text).toStrictEqual({
        ok: true,
        failure: undefined,
        type: reference.type,
        id: reference.id,
        sid: reference.sid,
        seq: reference.seq,
        msgStart: bad.msgStart,
        msgEnd: bad.msgStart + probe.length,
      });
      expectEnvelopeModeSound(bytesOf(bad.text));
    }
  });

  it('reads a tail after a msg with a space before the closing brace, or no tail at all', () => {
    for (const text of ['{"msg":{"a":"x} }', '{"msg":["x] \n}', '{"type":"trade","sid":3,"msg":{"a":"x}}']) {
      const scan = scanEnvelope(bytesOf(text));
      expect(scan.ok, text).toBe(true);
      expect(text.slice(scan.msgStart, scan.msgEnd)).toBe(text.startsWith('{"msg":[') ? '["x]' : '{"a":"x}');
    }
  });

  const refused = [
    '{"msg":[1},"sid":1}',
    '{"msg":{"a":1]}',
    '{"msg":{},"sid":}',
    '{"msg":{},"a":tru}',
    '{"msg":{},"a":-}',
    '{"msg":{},"type":"a\u0001b"}',
    '{"msg":{},"type":"\\q"}',
    '{"msg":{} "sid":1}',
    '{"msg":{},"sid" 1}',
    '{"msg":{},"sid"::1}',
    '{"msg":{},sid:1}',
    '{"msg":{},"sid":1,}',
    '{"msg":{},,"sid":1}',
    '{"msg":{},"sid":01}',
    '{"msg":{},"sid":1',
    '{"msg":{},"type":"ok"x}',
    '{"msg":{},x"type":"ok"}',
    '{"msg":{},"type":ok"}',
    '{"msg":{},\\"}',
    '{"msg":{},"a":\\"}',
  ];
  it.each(refused)('refuses %j exactly as the walk does', (text) => {
    const bytes = bytesOf(text);
    expect(parseReference(bytes)).toBeNull();
    const strict = scanEnvelope(bytes, undefined, 'strict');
    const envelope = scanEnvelope(bytes);
    expect(strict.ok).toBe(false);
    expect([envelope.ok, envelope.failure]).toStrictEqual([false, strict.failure]);
    expectEnvelopeModeSound(bytes);
  });

  it('lets a later msg win, as JSON.parse does', () => {
    for (const text of ['{"msg":{"a":1},"msg":5}', '{"msg":{"a":1},"sid":2,"msg":"x"}', '{"msg":[1],"msg":null,"seq":3}']) {
      expectAgreement(bytesOf(text), scanEnvelope(bytesOf(text)));
    }
  });

  it('walks a nested msg instead of trusting the bracket the tail reached', () => {
    // A truncated nested array body: the tail reader would otherwise take "seq" from inside msg.
    for (const text of ['{"type":"a","msg":[["x"],"seq":2}', '{"msg":[1,[2],"sid":3}', '{"msg":{"a":{"b":1},"sid":3}']) {
      const scan = scanEnvelope(bytesOf(text));
      expect(scan.ok, text).toBe(false);
      expect(scan.sid).toBeUndefined();
      expect(scan.seq).toBeUndefined();
    }
  });
});
