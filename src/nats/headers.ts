/**
 * Header names the router writes on every published frame and the source reads back.
 * The JetStream message id travels in the standard `Nats-Msg-Id` header.
 * @packageDocumentation
 */

/** Header names written by `createJetStreamRouter`. */
export const NATS_HEADERS = Object.freeze({
  /** Gatherer id (the router's `gathererId`). */
  gatherer: 'Kwp-Gatherer',
  /** Per-process run id: a restarted gatherer gets a new one, so its per-gatherer ids never collide with the old run's. */
  run: 'Kwp-Run',
  /** Pool connection (slot) id of the frame. */
  connection: 'Kwp-Connection',
  /** Envelope `sid`, when present. */
  sid: 'Kwp-Sid',
  /** Envelope `seq`, when present. */
  seq: 'Kwp-Seq',
  /** `1` when the pool flagged a gap just before this frame. */
  seqGap: 'Kwp-Seq-Gap',
  /** Missing messages before this frame (0 without a gap). */
  gapSize: 'Kwp-Gap-Size',
  /** When the gatherer received the frame, ms since the epoch. */
  receivedAt: 'Kwp-Received-At',
});
