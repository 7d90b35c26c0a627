/**
 * The native transport's client frames (#13), decoded by an independent reader written here: FIN set,
 * no RSV bits, MASK set with a fresh key, 7/16/64-bit lengths, payload recovered by unmasking.
 */
import { describe, expect, it } from 'vitest';
import { Opcode, closeFrame, encodeFrame, textFrame } from '../../../../src/client/native/frame-writer';

interface Decoded {
  readonly fin: boolean;
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  /** Bits used for the length: 7, 16 or 64. */
  readonly lengthBits: number;
  readonly mask: Buffer;
  readonly payload: Buffer;
  /** Bytes after the frame (must be none). */
  readonly rest: number;
}

function decode(frame: Buffer): Decoded {
  const fin = (frame[0]! & 0x80) !== 0;
  const rsv = frame[0]! & 0x70;
  const opcode = frame[0]! & 0x0f;
  const masked = (frame[1]! & 0x80) !== 0;
  let length = frame[1]! & 0x7f;
  let at = 2;
  let lengthBits = 7;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    at = 4;
    lengthBits = 16;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    at = 10;
    lengthBits = 64;
  }
  const mask = frame.subarray(at, at + 4);
  at += 4;
  const payload = Buffer.alloc(length);
  for (let i = 0; i < length; i++) payload[i] = frame[at + i]! ^ mask[i % 4]!;
  return { fin, rsv, opcode, masked, lengthBits, mask: Buffer.from(mask), payload, rest: frame.length - at - length };
}

describe('frame writer', () => {
  it.each([
    [0, 7],
    [1, 7],
    [125, 7],
    [126, 16],
    [65_535, 16],
    [65_536, 64],
    [70_001, 64],
  ])('a text frame of %i bytes: masked, FIN, no RSV, %i-bit length, payload intact', (size, bits) => {
    const text = 'abcdefghij'.repeat(Math.ceil(size / 10)).slice(0, size);
    const frame = decode(textFrame(text));
    expect(frame).toMatchObject({ fin: true, rsv: 0, opcode: 0x1, masked: true, lengthBits: bits, rest: 0 });
    expect(frame.payload.toString()).toBe(text);
  });

  it('encodes multi-byte UTF-8 text by bytes, not characters', () => {
    const text = '€'.repeat(50); // 150 bytes: a 16-bit length
    const frame = decode(textFrame(text));
    expect(frame.lengthBits).toBe(16);
    expect(frame.payload.toString()).toBe(text);
  });

  it('masks every frame with a fresh key (the masked bytes differ from the payload)', () => {
    const keys = new Set<string>();
    const payload = Buffer.alloc(64, 0x41);
    for (let i = 0; i < 600; i++) {
      const raw = encodeFrame(Opcode.text, payload);
      const frame = decode(raw);
      expect(frame.payload.equals(payload)).toBe(true);
      keys.add(frame.mask.toString('hex'));
    }
    // 600 frames span the 256-key pool more than twice (a refill); random 32-bit keys practically never repeat.
    expect(keys.size).toBeGreaterThan(590);
  });

  it('encodes ping and pong with their payload', () => {
    const ping = decode(encodeFrame(Opcode.ping, Buffer.from('hb')));
    expect(ping).toMatchObject({ opcode: 0x9, fin: true, masked: true });
    expect(ping.payload.toString()).toBe('hb');
    const pong = decode(encodeFrame(Opcode.pong, Buffer.alloc(0)));
    expect(pong).toMatchObject({ opcode: 0xa, payload: Buffer.alloc(0), rest: 0 });
  });

  it('encodes a close frame with its code and reason; 1005 sends no body', () => {
    const close = decode(closeFrame(1000, 'bye'));
    expect(close.opcode).toBe(0x8);
    expect(close.payload.readUInt16BE(0)).toBe(1000);
    expect(close.payload.subarray(2).toString()).toBe('bye');
    expect(decode(closeFrame(1005, 'ignored')).payload.length).toBe(0);
  });

  it('cuts a long close reason to 123 bytes without splitting a character', () => {
    const close = decode(closeFrame(4000, '€'.repeat(60))); // 180 bytes of reason
    expect(close.payload.length).toBeLessThanOrEqual(125);
    const reason = close.payload.subarray(2).toString();
    expect(reason).toBe('€'.repeat(41)); // 123 bytes
    expect(close.payload.readUInt16BE(0)).toBe(4000);
  });
});
