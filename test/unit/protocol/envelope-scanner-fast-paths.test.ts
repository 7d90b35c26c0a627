import { describe, expect, it } from 'vitest';
import { KNOWN_MESSAGE_TYPES, createEnvelopeScan, scanEnvelope } from 'kalshi-ws-pool/protocol';
import { expectAgreement } from './envelope-helpers';

// The scanner has fast paths (plain digits, known types matched by length and bytes, a bit mask for
// bracket kinds up to depth 31, Buffer views at any offset). These cases sit on their edges.

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** The frame as `ws` hands it over: a Buffer view at an odd offset inside a larger chunk. */
function inChunk(text: string): Buffer {
  const body = Buffer.from(text);
  const chunk = Buffer.alloc(body.length + 7, 0x7b);
  body.copy(chunk, 3);
  return chunk.subarray(3, 3 + body.length);
}

describe('scanEnvelope fast paths', () => {
  const agreeing = [
    '{"sid":7,"seq":1}',
    '{"sid":0,"seq":0}',
    '{"seq":123456789012345}',
    '{"seq":1234567890123456}',
    '{"seq":9007199254740993}',
    '{"seq":12 ,"sid":3\n}',
    '{"seq":12.5,"sid":3e0}',
    '{"seq":-12,"sid":-0}',
    '{"id":42,"type":"ok","sid":9,"seq":9}',
    '{"type":"orderbook_deltb","sid":1}',
    '{"type":"orderbook_delt","sid":1}',
    '{"type":"orderbook_delta_","sid":1}',
    '{"type":"ol"}',
    '{"type":"o"}',
    '{"type":"k"}',
    '{"type":"event_lifecycle"}',
    '{"type":"market_lifecycle_v3"}',
    '{"type":"ticker\\u005fv2"}',
    '{"msg":"","type":""}',
    `{"msg":${'['.repeat(31)}{}${']'.repeat(31)},"sid":2}`,
    `{"msg":${'['.repeat(30)}{"a":[{"b":[1]}]}${']'.repeat(30)},"sid":2}`,
    `{"msg":${'{"a":'.repeat(40)}1${'}'.repeat(40)},"sid":2}`,
  ];
  it.each(agreeing)('agrees with JSON.parse: %s', (text) => {
    expectAgreement(bytesOf(text), scanEnvelope(bytesOf(text)));
    expectAgreement(bytesOf(text), scanEnvelope(inChunk(text)));
  });

  it('reads plain digit runs exactly and leaves the rest to the full number path', () => {
    expect(scanEnvelope(bytesOf('{"seq":123456789012345}')).seq).toBe(123456789012345);
    expect(scanEnvelope(bytesOf('{"seq":1234567890123456}')).seq).toBe(1234567890123456);
    expect(scanEnvelope(bytesOf('{"seq":12.5}')).seq).toBeUndefined();
    expect(scanEnvelope(bytesOf('{"seq":1e3}')).seq).toBe(1000);
    expect(scanEnvelope(bytesOf('{"sid":0}')).sid).toBe(0);
  });

  it('interns only exact known types', () => {
    for (const type of KNOWN_MESSAGE_TYPES) {
      const scan = scanEnvelope(inChunk(`{"type":"${type}","sid":1}`));
      expect(scan.type).toBe(type);
      const longer = scanEnvelope(bytesOf(`{"type":"${type}x"}`));
      expect(longer.type).toBe(`${type}x`);
      const changed = `${type.slice(0, -1)}${type.endsWith('a') ? 'b' : 'a'}`;
      expect(scanEnvelope(bytesOf(`{"type":"${changed}"}`)).type).toBe(changed);
    }
  });

  const failing: [string, string][] = [
    ['{"a":x}', 'invalid'],
    ['{"a":1x}', 'invalid'],
    ['{"sid":12x,"seq":1}', 'invalid'],
    ['{"sid":12"', 'invalid'],
    ['{"sid":12:', 'invalid'],
    ['{"sid":1', 'truncated'],
    ['{"sid":123456789012345678', 'truncated'],
    ['{"a":-}', 'invalid'],
    ['{"a":+1}', 'invalid'],
    ['{"a":00}', 'invalid'],
    [`{"msg":${'['.repeat(40)}${']'.repeat(39)}},"sid":1}`, 'invalid'],
    [`{"msg":${'['.repeat(31)}}${']'.repeat(30)},"sid":1}`, 'invalid'],
    [`{"msg":${'['.repeat(40)}`, 'truncated'],
  ];
  it.each(failing)('fails %j as %s', (text, failure) => {
    const scan = createEnvelopeScan();
    scanEnvelope(bytesOf('{"type":"trade","sid":3,"seq":4,"msg":{}}'), scan);
    scanEnvelope(inChunk(text), scan);
    expect(scan).toEqual({ ok: false, failure, type: undefined, id: undefined, sid: undefined, seq: undefined, msgStart: -1, msgEnd: -1 });
  });

  it('gives the same scan for a Buffer view at an offset as for a fresh Uint8Array', () => {
    const text = '{"msg":{"delta_fp":"-4444.00","market_ticker":"KX-1","side":"yes"},"seq":13,"sid":1,"type":"orderbook_delta"}';
    expect({ ...scanEnvelope(inChunk(text)) }).toEqual({ ...scanEnvelope(bytesOf(text)) });
  });
});
