import { randomFillSync } from 'node:crypto';

/** Opcodes a client sends. */
export const Opcode = Object.freeze({ text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const);
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** Random bytes for masking keys, drawn 4 at a time and refilled in one call when used up. */
const maskPool = Buffer.allocUnsafe(4 * 256);
let maskOffset = maskPool.length;

function nextMask(): Buffer {
  if (maskOffset === maskPool.length) {
    randomFillSync(maskPool);
    maskOffset = 0;
  }
  const mask = maskPool.subarray(maskOffset, maskOffset + 4);
  maskOffset += 4;
  return mask;
}

/**
 * Encodes one final client-to-server frame (RFC 6455 5.2): FIN set, no RSV bits, masked with a fresh
 * 4-byte key as every client frame must be, length in 7, 16 or 64 bits. Returns a new Buffer.
 * Control frames (close, ping, pong) must carry at most 125 bytes; the caller keeps them short.
 */
export function encodeFrame(opcode: Opcode, payload: Uint8Array): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x1_0000 ? 2 : 8;
  const headerBytes = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x80 | opcode;
  if (lengthBytes === 0) {
    frame[1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const maskAt = 2 + lengthBytes;
  const mask = nextMask();
  frame[maskAt] = mask[0]!;
  frame[maskAt + 1] = mask[1]!;
  frame[maskAt + 2] = mask[2]!;
  frame[maskAt + 3] = mask[3]!;
  const start = headerBytes;
  for (let i = 0; i < length; i++) frame[start + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

/** A masked text frame of `text` (UTF-8). */
export function textFrame(text: string): Buffer {
  return encodeFrame(Opcode.text, Buffer.from(text, 'utf8'));
}

/**
 * A masked close frame: the code and a reason cut to fit 123 bytes at a character boundary
 * (control frames carry at most 125 bytes). Code 1005 means "no code" and sends an empty body.
 */
export function closeFrame(code: number, reason: string): Buffer {
  if (code === 1005) return encodeFrame(Opcode.close, Buffer.alloc(0));
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 123) text = Buffer.from(truncateUtf8(text, 123));
  const body = Buffer.allocUnsafe(2 + text.length);
  body.writeUInt16BE(code, 0);
  text.copy(body, 2);
  return encodeFrame(Opcode.close, body);
}

/** The longest prefix of `bytes` of at most `max` bytes that does not split a UTF-8 character. */
function truncateUtf8(bytes: Buffer, max: number): Buffer {
  let end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the character cut at `max`.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
