/**
 * "Subscribed but silent" detection for one orderbook slot. Kalshi answers `subscribe` / `add_markets`
 * and then sends one snapshot per new market; if those snapshots never come, the consumer holds no book
 * for the markets while the subscription looks fine. The frame path only counts snapshots (one integer
 * increment); the health loop compares that count with what the acknowledged commands promised.
 *
 * Counting is per sid, not per market (the frame path never reads the body for the ticker): a window
 * opens at the first acknowledged add, accumulates the markets of later adds, and closes once that many
 * snapshots arrived. A window still short after `silentSubscriptionMs` means a silent subscription.
 * @internal
 */

/** Snapshot bookkeeping of one orderbook slot, reset per connection generation. @internal */
export class SnapshotWatch {
  /** `orderbook_snapshot` frames delivered on this generation (incremented by the frame path). */
  received = 0;
  #open = false;
  /** When the open window started (the oldest unanswered add was sent). */
  #since = 0;
  #baseline = 0;
  #expected = 0;

  /**
   * A `subscribe` / `add_markets` of `markets` new markets, sent at `sentAt` when `received` was
   * `receivedAtSend`, was acknowledged: expect that many more snapshots.
   */
  expect(sentAt: number, receivedAtSend: number, markets: number): void {
    if (markets <= 0) return;
    if (!this.#open) {
      this.#open = true;
      this.#since = sentAt;
      this.#baseline = receivedAtSend;
      this.#expected = markets;
    } else {
      this.#expected += markets;
    }
  }

  /** True while acknowledged markets still wait for snapshots (read without closing the window, for `ready()`). */
  get short(): boolean {
    return this.#open && this.received - this.#baseline < this.#expected;
  }

  /** True while acknowledged markets still wait for snapshots. */
  get waiting(): boolean {
    return this.#open;
  }

  /**
   * Health-loop check. Closes the window when enough snapshots came; returns true (and restarts the
   * window at `now`, so a repair gets its own timeout) when it stayed short for `silentMs`.
   */
  isSilent(now: number, silentMs: number): boolean {
    if (!this.#open) return false;
    if (this.received - this.#baseline >= this.#expected) {
      this.#open = false;
      return false;
    }
    if (now - this.#since < silentMs) return false;
    this.#since = now;
    this.#baseline = this.received;
    return true;
  }

  /** A fresh subscription replaces the sid: close the window, keep counting. */
  clear(): void {
    this.#open = false;
  }

  /** New generation: nothing expected, nothing counted. */
  reset(): void {
    this.received = 0;
    this.#open = false;
    this.#since = 0;
    this.#baseline = 0;
    this.#expected = 0;
  }
}
