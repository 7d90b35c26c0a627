/**
 * Sequence tracking for one connection generation.
 *
 * Why this structure: Kalshi hands out sids as small integers per connection (1, 2, 3, ...), so the
 * last seen seq lives in a typed array indexed by sid. `check()` is then one bounds test, one load and
 * one store, with no hashing and no allocation. Closed sids hold a negative sentinel. Sids beyond
 * {@link DENSE_SID_LIMIT} (or not non-negative integers) fall back to a Map, which is never expected
 * in practice but keeps the tracker correct for any server.
 * @internal
 */

/** `check()` result: `seq` is not above the last one (duplicate or regressed); state unchanged. */
export const SEQ_DUPLICATE = -1;
/** `check()` result: the sid is not open on this generation (retired or never subscribed). */
export const SEQ_UNKNOWN = -2;
/** `check()` result: `seq` is exactly the next one. Positive results are gap sizes. */
export const SEQ_IN_ORDER = 0;

/** Largest sid kept in the dense typed array; larger ones go to the Map fallback. */
export const DENSE_SID_LIMIT = 65_535;

/** Sentinel for "not open" in the dense array. Valid values are >= 0 (0 = open, nothing seen yet). */
const CLOSED = -1;
const INITIAL_DENSE = 16;

/**
 * Last-seen seq per sid for one connection generation. Call {@link SeqTracker.reset} on reconnect.
 * @internal
 * @example
 * const seqs = new SeqTracker();
 * seqs.open(1);
 * seqs.check(1, 1); // 0: in order
 * seqs.check(1, 5); // 3: three missing
 * seqs.check(1, 5); // SEQ_DUPLICATE
 */
export class SeqTracker {
  #dense: Float64Array = new Float64Array(INITIAL_DENSE).fill(CLOSED);
  readonly #sparse = new Map<number, number>();

  /** Start tracking `sid`: the next expected seq is 1. Re-opening an open sid resets it. */
  open(sid: number): void {
    if (isDense(sid)) {
      if (sid >= this.#dense.length) this.#grow(sid);
      this.#dense[sid] = 0;
    } else {
      this.#sparse.set(sid, 0);
    }
  }

  /** Retire `sid`: frames for it are {@link SEQ_UNKNOWN} from now on. Unknown sids are ignored. */
  close(sid: number): void {
    if (isDense(sid)) {
      if (sid < this.#dense.length) this.#dense[sid] = CLOSED;
    } else {
      this.#sparse.delete(sid);
    }
  }

  /** Whether `sid` is open on this generation. */
  isOpen(sid: number): boolean {
    if (isDense(sid)) return sid < this.#dense.length && this.#dense[sid]! >= 0;
    return this.#sparse.has(sid);
  }

  /**
   * Record `seq` for `sid` and classify it.
   * @returns {@link SEQ_IN_ORDER} (0) when `seq === last + 1`; `n > 0` when `n` seqs are missing (last
   * becomes `seq`); {@link SEQ_DUPLICATE} when `seq <= last` (last unchanged); {@link SEQ_UNKNOWN}
   * when the sid is not open.
   */
  check(sid: number, seq: number): number {
    let last: number;
    if (isDense(sid)) {
      if (sid >= this.#dense.length) return SEQ_UNKNOWN;
      last = this.#dense[sid]!;
      if (last < 0) return SEQ_UNKNOWN;
      if (seq <= last) return SEQ_DUPLICATE;
      this.#dense[sid] = seq;
    } else {
      const found = this.#sparse.get(sid);
      if (found === undefined) return SEQ_UNKNOWN;
      last = found;
      if (seq <= last) return SEQ_DUPLICATE;
      this.#sparse.set(sid, seq);
    }
    return seq - last - 1;
  }

  /** Last seq recorded for `sid`: 0 when open with nothing seen yet, `undefined` when not open. */
  last(sid: number): number | undefined {
    if (isDense(sid)) {
      if (sid >= this.#dense.length) return undefined;
      const last = this.#dense[sid]!;
      return last < 0 ? undefined : last;
    }
    return this.#sparse.get(sid);
  }

  /** New connection generation: every sid closed. Keeps the allocated array for reuse. */
  reset(): void {
    this.#dense.fill(CLOSED);
    this.#sparse.clear();
  }

  #grow(sid: number): void {
    let size = this.#dense.length;
    while (size <= sid) size *= 2;
    const next = new Float64Array(Math.min(size, DENSE_SID_LIMIT + 1)).fill(CLOSED);
    next.set(this.#dense);
    this.#dense = next;
  }
}

/** Small non-negative integer sids use the dense array. `>>> 0` also rejects fractions and negatives. */
function isDense(sid: number): boolean {
  return sid >>> 0 === sid && sid <= DENSE_SID_LIMIT;
}
