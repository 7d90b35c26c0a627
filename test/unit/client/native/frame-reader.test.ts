/**
 * FrameReader, the native transport's parser of server frames (#13): every frame type, any chunking,
 * every RFC 6455 client-side rule, and no copy for a frame that lies within one chunk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../../../src/client/native/frame-reader';
import type { FrameReaderOptions } from '../../../../src/client/native/frame-reader';
import type { FrameViolation } from '../../../../src/client/native/frame-violation';
import { closeBody, serverFrame } from './server-frames';

type Event =
  | { readonly kind: 'message'; readonly data: string; readonly isBinary: boolean }
  | { readonly kind: 'ping' | 'pong'; readonly data: string }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'violation'; readonly code: string; readonly closeCode: number; readonly message: string };

interface Recorder {
  readonly reader: FrameReader;
  readonly events: Event[];
  /** The Buffers handed to `message`, as delivered. */
  readonly delivered: Buffer[];
}

function recorder(options: Partial<FrameReaderOptions> = {}): Recorder {
  const events: Event[] = [];
  const delivered: Buffer[] = [];
  const reader = new FrameReader(
    { maxPayload: 1 << 20, skipUTF8Validation: false, ...options },
    {
      message: (data, isBinary) => {
        delivered.push(data);
        events.push({ kind: 'message', data: data.toString('hex'), isBinary });
      },
      ping: (payload) => events.push({ kind: 'ping', data: payload.toString('hex') }),
      pong: (payload) => events.push({ kind: 'pong', data: payload.toString('hex') }),
      close: (code, reason) => events.push({ kind: 'close', code, reason }),
      violation: (error: FrameViolation) =>
        events.push({ kind: 'violation', code: error.code, closeCode: error.closeCode, message: error.message }),
    },
  );
  return { reader, events, delivered };
}

/** Reads `bytes` in one chunk, or cut at `cuts` (offsets), and returns what was reported. */
function read(bytes: Buffer, cuts: readonly number[] = [], options: Partial<FrameReaderOptions> = {}): Event[] {
  const r = recorder(options);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    r.reader.push(bytes.subarray(at, cut));
    at = cut;
  }
  r.reader.push(bytes.subarray(at));
  return r.events;
}

const hex = (text: string | Buffer): string => Buffer.from(text).toString('hex');
const text = (data: string): Event => ({ kind: 'message', data: hex(data), isBinary: false });

describe('FrameReader: frame types', () => {
  it('reads text, binary, ping, pong and close frames in order', () => {
    const bytes = Buffer.concat([
      serverFrame(0x1, '{"type":"trade"}'),
      serverFrame(0x2, Buffer.from([0, 1, 2, 255])),
      serverFrame(0x9, 'hb'),
      serverFrame(0xa, ''),
      serverFrame(0x8, closeBody(1001, 'going away')),
    ]);
    expect(read(bytes)).toEqual([
      text('{"type":"trade"}'),
      { kind: 'message', data: '000102ff', isBinary: true },
      { kind: 'ping', data: hex('hb') },
      { kind: 'pong', data: '' },
      { kind: 'close', code: 1001, reason: 'going away' },
    ]);
  });

  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 200_000])('reads a text frame of %i bytes (7/16/64-bit length)', (size) => {
    const body = 'x'.repeat(size);
    expect(read(serverFrame(0x1, body))).toEqual([text(body)]);
  });

  it('accepts a short length written in a longer form (16 and 64 bits)', () => {
    const bytes = Buffer.concat([serverFrame(0x1, 'a', { lengthBits: 16 }), serverFrame(0x1, 'b', { lengthBits: 64 })]);
    expect(read(bytes)).toEqual([text('a'), text('b')]);
  });

  it('an empty close frame reads as 1005; nothing after a close frame is read', () => {
    const bytes = Buffer.concat([serverFrame(0x8, ''), serverFrame(0x1, 'late')]);
    expect(read(bytes)).toEqual([{ kind: 'close', code: 1005, reason: '' }]);
  });

  it('joins a fragmented message, with control frames between its fragments', () => {
    const bytes = Buffer.concat([
      serverFrame(0x1, '{"a":', { fin: false }),
      serverFrame(0x9, 'p'),
      serverFrame(0x0, '"€', { fin: false }),
      serverFrame(0x0, '"}'),
      serverFrame(0x2, Buffer.from([7]), { fin: false }),
      serverFrame(0x0, Buffer.from([8])),
    ]);
    expect(read(bytes)).toEqual([
      { kind: 'ping', data: hex('p') },
      text('{"a":"€"}'),
      { kind: 'message', data: '0708', isBinary: true },
    ]);
  });

  it('accepts a multi-byte character split across two fragments', () => {
    const euro = Buffer.from('€');
    const bytes = Buffer.concat([serverFrame(0x1, euro.subarray(0, 1), { fin: false }), serverFrame(0x0, euro.subarray(1))]);
    expect(read(bytes)).toEqual([text('€')]);
  });
});

/** True when `data` is a view into `chunk`'s own bytes (same memory, inside its range). */
function within(data: Buffer, chunk: Buffer): boolean {
  return data.buffer === chunk.buffer && data.byteOffset >= chunk.byteOffset && data.byteOffset + data.length <= chunk.byteOffset + chunk.length;
}

describe('FrameReader: chunk boundaries', () => {
  /** A random frame the server may legally send (data, fragmented data, ping, pong). */
  const anyFrames = fc.array(
    fc.oneof(
      fc.string({ maxLength: 300 }).map((s) => serverFrame(0x1, s)),
      fc.uint8Array({ maxLength: 70_000, size: 'small' }).map((b) => serverFrame(0x2, Buffer.from(b))),
      fc.string({ unit: 'grapheme', maxLength: 200 }).map((s) => serverFrame(0x1, s)),
      fc.uint8Array({ maxLength: 125 }).map((b) => serverFrame(0x9, Buffer.from(b))),
      fc.uint8Array({ maxLength: 125 }).map((b) => serverFrame(0xa, Buffer.from(b))),
      fc.array(fc.string({ maxLength: 40 }), { minLength: 2, maxLength: 5 }).map((parts) =>
        Buffer.concat(parts.map((p, i) => serverFrame(i === 0 ? 0x1 : 0x0, p, { fin: i === parts.length - 1 }))),
      ),
      fc.integer({ min: 0, max: 70_000 }).map((n) => serverFrame(0x1, 'y'.repeat(n))),
    ),
    { maxLength: 25 },
  );

  it('yields the same messages, pings, pongs and close however the stream is cut', () => {
    fc.assert(
      fc.property(anyFrames, fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), (frames, rawCuts, withClose) => {
        const bytes = Buffer.concat([...frames, ...(withClose ? [serverFrame(0x8, closeBody(1000, 'bye'))] : [])]);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const whole = read(bytes);
        expect(whole.some((e) => e.kind === 'violation')).toBe(false);
        expect(whole.length).toBeGreaterThanOrEqual(frames.length > 0 ? 1 : 0);
        expect(read(bytes, cuts)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('reads a stream fed one byte at a time', () => {
    const bytes = Buffer.concat([serverFrame(0x1, 'a'.repeat(300)), serverFrame(0x9, 'x'), serverFrame(0x1, 'b'.repeat(70_000))]);
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(read(bytes, cuts)).toEqual(read(bytes));
    expect(read(bytes)).toHaveLength(3);
  });

  it('hands out views of the chunk (no copy) for frames within one chunk, and a copy for a frame cut by a boundary', () => {
    const r = recorder();
    const first = Buffer.concat([serverFrame(0x1, 'one'), serverFrame(0x1, 'two'.repeat(100)), serverFrame(0x1, 'three')]);
    const cut = serverFrame(0x1, 'split-frame');
    const chunk = Buffer.concat([first, cut.subarray(0, 5)]);
    r.reader.push(chunk);
    expect(r.delivered).toHaveLength(3);
    for (const data of r.delivered) expect(within(data, chunk)).toBe(true);
    const next = Buffer.concat([cut.subarray(5), serverFrame(0x1, 'after')]);
    r.reader.push(next);
    expect(r.delivered.map((d) => d.toString())).toEqual(['one', 'two'.repeat(100), 'three', 'split-frame', 'after']);
    expect(within(r.delivered[3]!, chunk) || within(r.delivered[3]!, next)).toBe(false);
    expect(within(r.delivered[4]!, next)).toBe(true); // back on the zero-copy path after the cut frame
  });
});

describe('FrameReader: protocol violations', () => {
  const huge64 = (high: number): Buffer => serverFrame(0x2, Buffer.alloc(0), { lengthBits: 64, high });
  const cases: readonly (readonly [string, Buffer, string, number])[] = [
    ['RSV1 set', serverFrame(0x1, 'a', { rsv: 0x40 }), 'WS_ERR_UNEXPECTED_RSV_1', 1002],
    ['RSV2 set', serverFrame(0x1, 'a', { rsv: 0x20 }), 'WS_ERR_UNEXPECTED_RSV_2_3', 1002],
    ['RSV3 set', serverFrame(0x1, 'a', { rsv: 0x10 }), 'WS_ERR_UNEXPECTED_RSV_2_3', 1002],
    ['a masked frame', serverFrame(0x1, 'a', { mask: [1, 2, 3, 4] }), 'WS_ERR_UNEXPECTED_MASK', 1002],
    ['reserved data opcode 3', serverFrame(0x3, 'a'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['reserved control opcode 11', serverFrame(0xb, 'a'), 'WS_ERR_INVALID_OPCODE', 1002],
    ['a ping without FIN', serverFrame(0x9, 'a', { fin: false }), 'WS_ERR_EXPECTED_FIN', 1002],
    ['a ping of 126 bytes', serverFrame(0x9, 'a'.repeat(126)), 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
    ['a continuation outside a message', serverFrame(0x0, 'a'), 'WS_ERR_INVALID_OPCODE', 1002],
    [
      'a new text frame inside a fragmented message',
      Buffer.concat([serverFrame(0x1, 'a', { fin: false }), serverFrame(0x1, 'b')]),
      'WS_ERR_INVALID_OPCODE',
      1002,
    ],
    ['a 64-bit length with the top bit set', huge64(0x8000_0000), 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1009],
    ['invalid UTF-8 in a text message', serverFrame(0x1, Buffer.from([0x7b, 0xff, 0x7d])), 'WS_ERR_INVALID_UTF8', 1007],
    ['a truncated character at the end of a text message', serverFrame(0x1, Buffer.from('€').subarray(0, 2)), 'WS_ERR_INVALID_UTF8', 1007],
    ['a 1-byte close frame', serverFrame(0x8, Buffer.from([3])), 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002],
    ['close code 1005', serverFrame(0x8, closeBody(1005)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['close code 1006', serverFrame(0x8, closeBody(1006)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['close code 999', serverFrame(0x8, closeBody(999)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['close code 2000', serverFrame(0x8, closeBody(2000)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    ['close code 5000', serverFrame(0x8, closeBody(5000)), 'WS_ERR_INVALID_CLOSE_CODE', 1002],
    [
      'a close reason in invalid UTF-8',
      serverFrame(0x8, Buffer.concat([closeBody(1000), Buffer.from([0xc3])])),
      'WS_ERR_INVALID_UTF8',
      1007,
    ],
  ];

  it.each(cases)('%s: reports its WS_ERR code and close code once, after the frames before it, and reads nothing more', (_name, bad, code, closeCode) => {
    const bytes = Buffer.concat([serverFrame(0x1, 'before'), bad, serverFrame(0x1, 'after')]);
    const events = read(bytes);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual(text('before'));
    expect(events[1]).toMatchObject({ kind: 'violation', code, closeCode });
    expect((events[1] as { message: string }).message).toMatch(/^Invalid WebSocket frame: /);
    // The same outcome when the bad frame arrives a byte at a time.
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(read(bytes, cuts)).toEqual(events);
  });

  it.each([3000, 4999, 1000, 1003, 1007, 1011, 1014])('accepts close code %i', (code) => {
    expect(read(serverFrame(0x8, closeBody(code, 'r')))).toEqual([{ kind: 'close', code, reason: 'r' }]);
  });

  it('refuses a frame over maxPayload as soon as its header is in (1009), before its payload arrives', () => {
    const r = recorder({ maxPayload: 1000 });
    const frame = serverFrame(0x1, 'z'.repeat(1001));
    r.reader.push(frame.subarray(0, 4));
    expect(r.events).toEqual([
      expect.objectContaining({ kind: 'violation', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 }),
    ]);
    expect(r.reader.done).toBe(true);
  });

  it('applies a maxPayload under 126 bytes to short frames too', () => {
    expect(read(serverFrame(0x1, 'z'.repeat(11)), [], { maxPayload: 10 })).toEqual([
      expect.objectContaining({ kind: 'violation', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 }),
    ]);
    expect(read(serverFrame(0x1, 'z'.repeat(10)), [], { maxPayload: 10 })).toEqual([text('z'.repeat(10))]);
  });

  it('admits a message of exactly maxPayload bytes', () => {
    expect(read(serverFrame(0x1, 'z'.repeat(1000)), [], { maxPayload: 1000 })).toEqual([text('z'.repeat(1000))]);
  });

  it('sums the fragments of a message against maxPayload (1009)', () => {
    const bytes = Buffer.concat([
      serverFrame(0x1, 'a'.repeat(400), { fin: false }),
      serverFrame(0x0, 'b'.repeat(400), { fin: false }),
      serverFrame(0x0, 'c'.repeat(201)),
    ]);
    expect(read(bytes, [], { maxPayload: 1000 })).toEqual([
      expect.objectContaining({ kind: 'violation', code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', closeCode: 1009 }),
    ]);
    // Control frames do not count; a message of exactly the limit passes.
    const fits = Buffer.concat([serverFrame(0x1, 'a'.repeat(500), { fin: false }), serverFrame(0x9, 'p'), serverFrame(0x0, 'b'.repeat(500))]);
    expect(read(fits, [], { maxPayload: 1000 }).map((e) => e.kind)).toEqual(['ping', 'message']);
  });

  it('ends a message of too many fragments (empty ones count) with 1008', () => {
    const fragments = (count: number): Buffer =>
      Buffer.concat([serverFrame(0x1, 'a', { fin: false }), ...Array.from({ length: count }, () => serverFrame(0x0, '', { fin: false })), serverFrame(0x0, 'b')]);
    expect(read(fragments(2), [], { maxFragments: 4 })).toEqual([text('ab')]); // 4 frames in all
    expect(read(fragments(3), [], { maxFragments: 4 })).toEqual([
      expect.objectContaining({ kind: 'violation', code: 'WS_ERR_TOO_MANY_BUFFERED_PARTS', closeCode: 1008 }),
    ]);
  });

  it('delivers invalid UTF-8 as is with skipUTF8Validation', () => {
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(read(serverFrame(0x1, bad), [], { skipUTF8Validation: true })).toEqual([{ kind: 'message', data: bad.toString('hex'), isBinary: false }]);
  });

  it('never throws on arbitrary bytes, and reports at most one close or violation, last', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 10 }), (raw, rawCuts) => {
        const bytes = Buffer.from(raw);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const events = read(bytes, cuts, { maxPayload: 300 });
        const ends = events.filter((e) => e.kind === 'close' || e.kind === 'violation');
        expect(ends.length).toBeLessThanOrEqual(1);
        if (ends.length === 1) expect(events.at(-1)).toBe(ends[0]);
        expect(read(bytes, [], { maxPayload: 300 })).toEqual(events);
      }),
      { numRuns: 500 },
    );
  });

  it('stop() ends reading at once, even in the middle of a chunk', () => {
    const events: string[] = [];
    const reader: FrameReader = new FrameReader(
      { maxPayload: 1000, skipUTF8Validation: false },
      {
        message: (data) => {
          events.push(data.toString());
          reader.stop();
        },
        ping: () => undefined,
        pong: () => undefined,
        close: () => undefined,
        violation: () => undefined,
      },
    );
    reader.push(Buffer.concat([serverFrame(0x1, 'a'), serverFrame(0x1, 'b')]));
    reader.push(serverFrame(0x1, 'c'));
    expect(events).toEqual(['a']);
  });
});
