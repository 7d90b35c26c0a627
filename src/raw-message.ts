/**
 * One frame as the pool delivers it: the original bytes plus what the envelope scan and the
 * sequence tracker learned. The body is never parsed; parse `data` yourself when you need it.
 */
export interface RawMessage {
  /** The frame's bytes, untouched (UTF-8 JSON text). */
  readonly data: Uint8Array;
  /** Pool connection (slot) id the frame came from, 1-based. */
  readonly connectionId: number;
  /** When the frame arrived, ms since the epoch. */
  readonly receivedAt: number;
  /** Envelope `type`, e.g. `orderbook_delta`, `ticker`, `ok`. */
  readonly type: string;
  /** Envelope `sid`, when present. */
  readonly sid: number | undefined;
  /** Envelope `seq`, when present. */
  readonly seq: number | undefined;
  /** True when a gap (or a local drop) was detected just before this message. */
  readonly seqGap: boolean;
  /** How many messages are missing before this one (`seq - lastSeq - 1`, or drops); 0 without a gap. */
  readonly gapSize: number;
}
