/**
 * The concrete {@link RawMessage} the pool builds for every frame.
 *
 * Why a class with plain writable fields, all assigned in one fixed order: every message then has the
 * same hidden class (monomorphic property access on the hot path), and the output queue can set
 * `seqGap`/`gapSize` in place when it flags local drops, without copying. Internal only; consumers see
 * the readonly {@link RawMessage} interface.
 *
 * A message is also its own iterator result (`done`/`value` getters on the prototype): the manager's
 * async iterator resolves `next()` with the message itself, so no `{ done, value }` object is
 * allocated per message. Prototype getters are not own properties: spreading, `Object.keys` and
 * `JSON.stringify` see only the fields above.
 * @internal
 */
import type { RawMessage } from '../raw-message';

/**
 * One frame plus what the envelope scan and the sequence tracker learned about it.
 * @internal
 * @example
 * const message = new PoolMessage(bytes, 7, Date.now(), 'orderbook_delta', 1, 42, false, 0);
 */
export class PoolMessage implements RawMessage {
  // Parameter properties: TypeScript assigns them in this order, which fixes the object's shape.
  constructor(
    /** The frame's bytes, untouched. */
    public data: Uint8Array,
    /** Pool connection (slot) id, 1-based. */
    public connectionId: number,
    /** Arrival time, ms since the epoch. */
    public receivedAt: number,
    /** Envelope `type`. */
    public type: string,
    /** Envelope `sid`, when present. */
    public sid: number | undefined,
    /** Envelope `seq`, when present. */
    public seq: number | undefined,
    /** True when a gap or a local drop precedes this message. */
    public seqGap: boolean,
    /** Missing messages before this one (sequence gap plus local drops). */
    public gapSize: number,
  ) {}

  /** Iterator protocol: a delivered message is a result that is not done. */
  get done(): false {
    return false;
  }

  /** Iterator protocol: the result's value is the message itself. */
  get value(): this {
    return this;
  }
}
