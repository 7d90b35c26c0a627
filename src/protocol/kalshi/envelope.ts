/** Why a frame could not be scanned as a JSON object envelope. */
export type ScanFailure = 'empty' | 'not-object' | 'truncated' | 'invalid';

/**
 * How much of a frame `scanEnvelope` reads: `'envelope'` checks the top-level members and leaves a flat
 * composite `msg` at the end unwalked; `'strict'` also walks `msg` (brackets and strings). See
 * docs/protocol.md, "The envelope scan".
 */
export type ScanMode = 'envelope' | 'strict';

/**
 * The top-level envelope of a frame, read without `JSON.parse`.
 *
 * Fields absent from the frame are `undefined`. `msgStart`/`msgEnd` delimit the raw bytes of the
 * `msg` value (`msgStart === -1` when there is none). When `ok` is false, `failure` says why and the
 * other fields are unspecified.
 *
 * On the hot path one instance is reused for every frame (see `scanEnvelope(bytes, into)`): copy what
 * you need before the next scan.
 */
export interface EnvelopeScan {
  /** True when the frame is a complete JSON object whose top-level keys were read. */
  ok: boolean;
  /** Why the scan failed; `undefined` when `ok`. */
  failure: ScanFailure | undefined;
  /** `type` string value. Known Kalshi types are returned as interned constants (no allocation). */
  type: string | undefined;
  /** `id` (command id) when present and an integer. */
  id: number | undefined;
  /** `sid` when present at the top level and an integer. */
  sid: number | undefined;
  /** `seq` when present at the top level and an integer. */
  seq: number | undefined;
  /** Byte offset where the `msg` value starts, -1 when absent. */
  msgStart: number;
  /** Byte offset just past the end of the `msg` value, -1 when absent. */
  msgEnd: number;
}

/** A fresh, empty {@link EnvelopeScan}, for reuse across scans. */
export function createEnvelopeScan(): EnvelopeScan {
  return {
    ok: false,
    failure: 'empty',
    type: undefined,
    id: undefined,
    sid: undefined,
    seq: undefined,
    msgStart: -1,
    msgEnd: -1,
  };
}
