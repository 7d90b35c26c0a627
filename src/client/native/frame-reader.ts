import { isUtf8 } from 'node:buffer';
import { FrameViolation, isValidCloseCode } from './frame-violation';

/** What the reader reports, in wire order. Called synchronously from {@link FrameReader.push}. */
export interface FrameReaderEvents {
  /** A whole data message: a view of the chunk when the frame lay within one, else one joined copy. */
  message(data: Buffer, isBinary: boolean): void;
  ping(payload: Buffer): void;
  pong(payload: Buffer): void;
  /** The server's close frame: `code` 1005 when it carried no code. Nothing is read after it. */
  close(code: number, reason: string): void;
  /** A frame broke the protocol or a limit. Nothing is read after it. */
  violation(error: FrameViolation): void;
}

/** Limits of one {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest data message in bytes, the fragments of a message summed. */
  readonly maxPayload: number;
  /** Deliver text messages without checking their UTF-8. */
  readonly skipUTF8Validation: boolean;
  /**
   * Most frames one fragmented message may take (empty ones included); beyond it the link ends with 1008.
   * @default 16_384 (the limit `ws` puts on its servers)
   */
  readonly maxFragments?: number;
}

const EMPTY = Buffer.alloc(0);

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/**
 * Incremental reader of server-to-client WebSocket frames (RFC 6455) over arbitrary chunk boundaries.
 *
 * The hot path (a whole frame inside one chunk) allocates only the `subarray` view it hands on. Bytes are
 * kept across chunks only for a frame cut by a chunk boundary, and joined with the next chunk only as far
 * as that frame needs. It never throws on bad input: a violation is reported once and reading stops.
 */
export class FrameReader {
  readonly #events: FrameReaderEvents;
  readonly #maxPayload: number;
  readonly #validateUtf8: boolean;
  readonly #maxFragments: number;
  /**
   * The start of a frame cut by a chunk boundary, copied into a buffer of exactly {@link #need} bytes
   * (one copy; holding no view of an old chunk, whose whole memory a view would keep alive).
   */
  #cut: Buffer = EMPTY;
  #cutBytes = 0;
  /** How many bytes the cut frame has in all (or its header at least, while that is incomplete). */
  #need = 0;
  /** Opcode of the fragmented message in progress (text or binary), 0 when none. */
  #fragmentOpcode = 0;
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  /** True after a close frame, a violation or {@link stop}. */
  #done = false;

  constructor(options: FrameReaderOptions, events: FrameReaderEvents) {
    this.#events = events;
    this.#maxPayload = options.maxPayload;
    this.#validateUtf8 = !options.skipUTF8Validation;
    this.#maxFragments = options.maxFragments ?? 16_384;
  }

  /** True once reading ended (close frame, violation or {@link stop}). */
  get done(): boolean {
    return this.#done;
  }

  /** Stops reading for good and drops whatever was buffered. */
  stop(): void {
    this.#done = true;
    this.#cut = EMPTY;
    this.#cutBytes = 0;
    this.#fragments = [];
    this.#fragmentBytes = 0;
  }

  /** Reads one chunk from the socket. */
  push(chunk: Buffer): void {
    if (this.#done) return;
    let offset = 0;
    if (this.#cutBytes > 0) {
      offset = this.#finishCut(chunk);
      if (offset < 0) return;
    }
    const length = chunk.length;
    while (offset < length) {
      const used = this.#frame(chunk, offset);
      if (this.#done) return;
      if (used === 0) {
        this.#cut = Buffer.allocUnsafe(this.#need);
        this.#cutBytes = chunk.copy(this.#cut, 0, offset);
        return;
      }
      offset += used;
    }
  }

  /**
   * Feeds the frame cut by the last chunk boundary from the head of `chunk`. Returns the offset in `chunk`
   * where reading goes on, or -1 when the chunk was taken whole (or reading ended).
   */
  #finishCut(chunk: Buffer): number {
    let offset = 0;
    for (;;) {
      const take = Math.min(this.#need - this.#cutBytes, chunk.length - offset);
      this.#cutBytes += chunk.copy(this.#cut, this.#cutBytes, offset, offset + take);
      offset += take;
      if (this.#cutBytes < this.#need) return -1;
      // #cut now holds exactly #need bytes: the whole frame, or a header that names a longer need.
      const cut = this.#cut;
      const used = this.#frame(cut, 0);
      if (this.#done) return -1;
      if (used > 0) {
        this.#cut = EMPTY;
        this.#cutBytes = 0;
        return offset;
      }
      this.#cut = Buffer.allocUnsafe(this.#need);
      cut.copy(this.#cut, 0, 0, this.#cutBytes);
    }
  }

  /**
   * Reads the frame at `offset`: returns its length once whole and handled, or 0 when more bytes are
   * needed (then {@link #need} says how many the frame has in all, or its header at least).
   */
  #frame(buf: Buffer, offset: number): number {
    const available = buf.length - offset;
    if (available < 2) {
      this.#need = 2;
      return 0;
    }
    const b0 = buf[offset]!;
    const b1 = buf[offset + 1]!;
    // Fast path: a final, unmasked text frame of a 7- or 16-bit length (under 64 KiB: every market-data
    // frame) outside a fragmented message. Anything else, or a frame over maxPayload, takes the full path.
    if (b0 === 0x81 && b1 <= 126 && this.#fragmentOpcode === 0) {
      let headerBytes = 2;
      let length = b1;
      if (b1 === 126) {
        if (available < 4) {
          this.#need = 4;
          return 0;
        }
        headerBytes = 4;
        length = (buf[offset + 2]! << 8) | buf[offset + 3]!;
      }
      if (length <= this.#maxPayload) {
        const total = headerBytes + length;
        if (available < total) {
          this.#need = total;
          return 0;
        }
        this.#deliver(buf.subarray(offset + headerBytes, offset + total), false);
        return total;
      }
    }
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const bad = this.#checkHeader(b0, b1, fin, opcode);
    if (bad !== undefined) return this.#report(bad);
    let headerBytes = 2;
    let length = b1 & 0x7f;
    if (length === 126) headerBytes = 4;
    else if (length === 127) headerBytes = 10;
    if (available < headerBytes) {
      this.#need = headerBytes;
      return 0;
    }
    if (length === 126) {
      length = buf.readUInt16BE(offset + 2);
    } else if (length === 127) {
      const high = buf.readUInt32BE(offset + 2);
      // 2^53 - 1 is the largest exact length in a JS number; beyond that (and any set top bit) is refused.
      if (high > 0x1fffff) {
        const top = high >= 0x80000000 ? 'the most significant bit of the 64-bit length is set' : 'length above 2^53 - 1';
        return this.#fail(`unsupported payload length: ${top}`, 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 1009);
      }
      length = high * 0x1_0000_0000 + buf.readUInt32BE(offset + 6);
    }
    if (opcode < OP_CLOSE && length + this.#fragmentBytes > this.#maxPayload) {
      return this.#fail('Max payload size exceeded', 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 1009);
    }
    const total = headerBytes + length;
    if (available < total) {
      this.#need = total;
      return 0;
    }
    const payload = buf.subarray(offset + headerBytes, offset + total);
    if (opcode >= OP_CLOSE) this.#control(opcode, payload);
    else this.#data(opcode, fin, payload);
    return total;
  }

  /** RFC 6455 5.2-5.5 rules a client checks on every server frame: the violation, or undefined. */
  #checkHeader(b0: number, b1: number, fin: boolean, opcode: number): FrameViolation | undefined {
    if ((b0 & 0x40) !== 0) return new FrameViolation('RSV1 must be clear', 'WS_ERR_UNEXPECTED_RSV_1', 1002);
    if ((b0 & 0x30) !== 0) return new FrameViolation('RSV2 and RSV3 must be clear', 'WS_ERR_UNEXPECTED_RSV_2_3', 1002);
    if ((b1 & 0x80) !== 0) return new FrameViolation('MASK must be clear', 'WS_ERR_UNEXPECTED_MASK', 1002);
    if (opcode >= OP_CLOSE) {
      if (opcode > OP_PONG) return new FrameViolation(`invalid opcode ${opcode}`, 'WS_ERR_INVALID_OPCODE', 1002);
      if (!fin) return new FrameViolation('FIN must be set', 'WS_ERR_EXPECTED_FIN', 1002);
      const length = b1 & 0x7f;
      if (length > 125) return new FrameViolation(`invalid payload length ${length}`, 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002);
      return undefined;
    }
    // A continuation needs a fragmented message in progress; a new text/binary frame needs none.
    const valid = opcode === OP_CONTINUATION ? this.#fragmentOpcode !== 0 : (opcode === OP_TEXT || opcode === OP_BINARY) && this.#fragmentOpcode === 0;
    return valid ? undefined : new FrameViolation(`invalid opcode ${opcode}`, 'WS_ERR_INVALID_OPCODE', 1002);
  }

  #data(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode !== OP_CONTINUATION) {
      if (fin) {
        this.#deliver(payload, opcode === OP_BINARY);
        return;
      }
      // Copied: a view would keep the whole chunk it lies in alive until the message completes.
      this.#fragmentOpcode = opcode;
      this.#fragments = [Buffer.from(payload)];
      this.#fragmentBytes = payload.length;
      return;
    }
    if (this.#fragments.length >= this.#maxFragments) {
      this.#fail('Too many message fragments', 'WS_ERR_TOO_MANY_BUFFERED_PARTS', 1008);
      return;
    }
    this.#fragments.push(fin ? payload : Buffer.from(payload)); // the last one is copied by the join below
    this.#fragmentBytes += payload.length;
    if (!fin) return;
    const message = Buffer.concat(this.#fragments, this.#fragmentBytes);
    const isBinary = this.#fragmentOpcode === OP_BINARY;
    this.#fragmentOpcode = 0;
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#deliver(message, isBinary);
  }

  #deliver(data: Buffer, isBinary: boolean): void {
    if (!isBinary && this.#validateUtf8 && !isUtf8(data)) {
      this.#fail('invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8', 1007);
      return;
    }
    this.#events.message(data, isBinary);
  }

  #control(opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      this.#events.ping(payload);
      return;
    }
    if (opcode === OP_PONG) {
      this.#events.pong(payload);
      return;
    }
    if (payload.length === 0) {
      this.stop();
      this.#events.close(1005, '');
      return;
    }
    if (payload.length === 1) {
      this.#fail('invalid payload length 1', 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002);
      return;
    }
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code)) {
      this.#fail(`invalid status code ${code}`, 'WS_ERR_INVALID_CLOSE_CODE', 1002);
      return;
    }
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) {
      this.#fail('invalid UTF-8 sequence', 'WS_ERR_INVALID_UTF8', 1007);
      return;
    }
    this.stop();
    this.#events.close(code, reason.toString());
  }

  /** Reports a violation once, stops reading, and returns 0 (no bytes consumed). */
  #fail(message: string, code: string, closeCode: number): 0 {
    return this.#report(new FrameViolation(message, code, closeCode));
  }

  #report(violation: FrameViolation): 0 {
    this.stop();
    this.#events.violation(violation);
    return 0;
  }
}
