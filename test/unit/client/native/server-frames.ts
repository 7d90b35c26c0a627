/**
 * Server-to-client frames built by hand for the native transport's unit tests (independent of the code
 * under test): FIN/RSV/opcode byte, unmasked unless asked, 7/16/64-bit lengths.
 */

/** How to build one frame. */
export interface FrameSpec {
  readonly fin?: boolean;
  /** RSV bits as they sit in the first byte (0x40, 0x20, 0x10). */
  readonly rsv?: number;
  /** Masking key (server frames must not have one: a test of that rule). */
  readonly mask?: readonly [number, number, number, number];
  /** Force the length form: 7, 16 or 64 bits. */
  readonly lengthBits?: 7 | 16 | 64;
  /** Replace the 64-bit length by this high word (for the "top bit set" rule). */
  readonly high?: number;
}

export function serverFrame(opcode: number, payload: Buffer | string, spec: FrameSpec = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const bits = spec.lengthBits ?? (body.length < 126 ? 7 : body.length < 65_536 ? 16 : 64);
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv ?? 0) | opcode];
  const maskBit = spec.mask === undefined ? 0 : 0x80;
  if (bits === 7) head.push(maskBit | body.length);
  else if (bits === 16) head.push(maskBit | 126, body.length >> 8, body.length & 0xff);
  else {
    const high = spec.high ?? Math.floor(body.length / 2 ** 32);
    const low = body.length % 2 ** 32;
    head.push(maskBit | 127, high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff);
    head.push(low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
  }
  let data = body;
  if (spec.mask !== undefined) {
    head.push(...spec.mask);
    data = Buffer.from(body.map((byte, i) => byte ^ spec.mask![i % 4]!));
  }
  return Buffer.concat([Buffer.from(head), data]);
}

/** A close frame body: 2-byte code and a reason. */
export function closeBody(code: number, reason = ''): Buffer {
  const body = Buffer.alloc(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2);
  return body;
}

/** One client-to-server frame, unmasked (a tiny independent decoder for the tests). */
export interface ClientFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  readonly payload: Buffer;
}

/**
 * Decodes the whole frames at the head of `bytes`; returns them and the bytes left over (a partial frame).
 */
export function decodeClientFrames(bytes: Buffer): { frames: ClientFrame[]; rest: Buffer } {
  const frames: ClientFrame[] = [];
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    let length = b1 & 0x7f;
    let head = 2;
    if (length === 126) {
      if (bytes.length - at < 4) break;
      length = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      if (bytes.length - at < 10) break;
      length = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskBytes = masked ? 4 : 0;
    if (bytes.length - at < head + maskBytes + length) break;
    const mask = bytes.subarray(at + head, at + head + maskBytes);
    const start = at + head + maskBytes;
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = bytes[start + i]! ^ (masked ? mask[i % 4]! : 0);
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload });
    at = start + length;
  }
  return { frames, rest: bytes.subarray(at) };
}
