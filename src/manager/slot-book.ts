/**
 * SlotBook: one orderbook slot's subscription book, the markets it *wants* vs the markets the server
 * *holds* on the slot's single `orderbook_delta` sid, turned into batched commands.
 *
 * Pure bookkeeping (no sockets, no timers). The caller loops: `next(max)` -> send -> `succeeded` /
 * `failed` -> `next(max)` … until `next` returns `undefined`.
 *
 * Decisions:
 * - One command in flight per slot, so the server sees changes in the order they were decided.
 * - Removes go before adds when both are pending: deleting first frees server-side capacity
 *   (error 26) and stops deltas we no longer want sooner.
 * - No sid -> the first command is `subscribe`; with a sid only `add_markets` / `delete_markets`,
 *   never a second `subscribe` (docs/protocol.md "Commands").
 * - Memory: one `Map<ticker, flags>` per slot plus two pending Sets that are empty in steady state.
 * @packageDocumentation
 */
import { ConfigError, StateError } from '../errors';

/** A batched orderbook command for one slot; the caller adds the sid and the command id. */
export type BookCommand =
  | { readonly action: 'subscribe'; readonly tickers: readonly string[] }
  | { readonly action: 'add_markets'; readonly tickers: readonly string[] }
  | { readonly action: 'delete_markets'; readonly tickers: readonly string[] };

/** The market should be on the server. */
const WANTED = 1;
/** The server confirmed it holds the market. */
const HELD = 2;
/** The market is in the command currently in flight. */
const FLIGHT = 4;

/**
 * Desired vs held markets of one orderbook slot, producing one batched command at a time.
 *
 * Per ticker the book keeps three flags; a ticker is pending add when wanted, not held and not in flight,
 * pending remove when held, not wanted and not in flight. Changes made while a ticker is in flight are
 * resolved when its command completes, so want/unwant never race the server.
 * @example
 * const book = new SlotBook();
 * for (const t of tickers) book.want(t);
 * for (let cmd = book.next(1_000); cmd; cmd = book.next(1_000)) {
 *   try { const sid = await send(cmd); book.succeeded(cmd, sid); }
 *   catch { book.failed(cmd, 'retry'); break; }
 * }
 */
export class SlotBook {
  private readonly flags = new Map<string, number>();
  /** FIFO order of sends; Sets keep insertion order and delete in O(1). */
  private adds = new Set<string>();
  private removes = new Set<string>();
  private current: BookCommand | undefined;
  private currentSid: number | undefined;
  private heldCount = 0;
  private wantedCount = 0;

  /** The slot's orderbook sid, `undefined` until a subscribe succeeded (and after a reset). */
  get sid(): number | undefined {
    return this.currentSid;
  }

  /** Markets the server confirmed it holds. */
  get held(): number {
    return this.heldCount;
  }

  /** Markets that should be held. */
  get wanted(): number {
    return this.wantedCount;
  }

  /** Markets waiting to be added (not counting the command in flight). */
  get pendingAdds(): number {
    return this.adds.size;
  }

  /** Markets waiting to be removed (not counting the command in flight). */
  get pendingRemoves(): number {
    return this.removes.size;
  }

  /** True while a command from {@link next} awaits {@link succeeded} or {@link failed}. */
  get inFlight(): boolean {
    return this.current !== undefined;
  }

  /** Desire `ticker` on the server. Cancels a pending remove; idempotent. */
  want(ticker: string): void {
    const state = this.flags.get(ticker) ?? 0;
    if ((state & WANTED) !== 0) return;
    this.flags.set(ticker, state | WANTED);
    this.wantedCount++;
    if ((state & FLIGHT) !== 0) return; // resolved when the command in flight completes
    if ((state & HELD) !== 0) this.removes.delete(ticker);
    else this.adds.add(ticker);
  }

  /** Stop desiring `ticker`. Cancels a pending add; idempotent; unknown tickers are ignored. */
  unwant(ticker: string): void {
    const state = this.flags.get(ticker);
    if (state === undefined || (state & WANTED) === 0) return;
    this.wantedCount--;
    const next = state & ~WANTED;
    if ((state & FLIGHT) !== 0) {
      this.flags.set(ticker, next);
      return;
    }
    if ((state & HELD) !== 0) {
      this.flags.set(ticker, next);
      this.removes.add(ticker);
    } else {
      this.adds.delete(ticker);
      this.flags.delete(ticker);
    }
  }

  /**
   * The next command to send, its tickers marked in flight; `undefined` when in sync, while a command is
   * in flight, or when there is nothing to subscribe (never an empty subscribe).
   * @throws {ConfigError} when `maxTickers` is not an integer >= 1.
   */
  next(maxTickers: number): BookCommand | undefined {
    if (!Number.isSafeInteger(maxTickers) || maxTickers < 1) {
      throw new ConfigError('maxTickersPerCommand', `must be an integer >= 1, got ${String(maxTickers)}`);
    }
    if (this.current !== undefined) return undefined;
    let command: BookCommand;
    if (this.currentSid === undefined) {
      // Without a sid nothing is held (reset clears it), so only adds can be pending.
      if (this.adds.size === 0) return undefined;
      command = { action: 'subscribe', tickers: this.take(this.adds, maxTickers) };
    } else if (this.removes.size > 0) {
      command = { action: 'delete_markets', tickers: this.take(this.removes, maxTickers) };
    } else if (this.adds.size > 0) {
      command = { action: 'add_markets', tickers: this.take(this.adds, maxTickers) };
    } else {
      return undefined;
    }
    this.current = command;
    return command;
  }

  /**
   * The command from {@link next} succeeded. A command that is not the one in flight (e.g. from before a
   * {@link reset}) is ignored.
   * @param sid the orderbook sid from the `subscribed` reply; required for `subscribe`.
   * @throws {StateError} when a subscribe succeeds without a sid.
   */
  succeeded(command: BookCommand, sid?: number): void {
    if (command !== this.current) return;
    if (command.action === 'subscribe') {
      if (sid === undefined) throw new StateError('subscribe succeeded without a sid');
      this.currentSid = sid;
    }
    this.current = undefined;
    if (command.action === 'delete_markets') {
      for (const ticker of command.tickers) this.settleRemoved(ticker);
      return;
    }
    for (const ticker of command.tickers) {
      const state = (this.flags.get(ticker) ?? 0) & ~FLIGHT;
      this.flags.set(ticker, state | HELD);
      this.heldCount++;
      if ((state & WANTED) === 0) this.removes.add(ticker); // unwanted while the add was in flight
    }
  }

  /**
   * The command from {@link next} failed. Stale commands (not the one in flight) are ignored.
   * - `'retry'`: its tickers go back to pending (at the end of the queue), unless the desire changed meanwhile.
   * - `'drop'`: adds are forgotten, no longer wanted (the caller re-places them, e.g. after error 26);
   *   removes count as done.
   */
  failed(command: BookCommand, disposition: 'retry' | 'drop'): void {
    if (command !== this.current) return;
    this.current = undefined;
    if (command.action === 'delete_markets') {
      for (const ticker of command.tickers) {
        if (disposition === 'drop') {
          this.settleRemoved(ticker);
          continue;
        }
        const state = (this.flags.get(ticker) ?? 0) & ~FLIGHT;
        this.flags.set(ticker, state);
        if ((state & WANTED) === 0) this.removes.add(ticker); // still held, still unwanted
      }
      return;
    }
    for (const ticker of command.tickers) {
      const state = this.flags.get(ticker) ?? 0;
      if (disposition === 'retry' && (state & WANTED) !== 0) {
        this.flags.set(ticker, state & ~FLIGHT);
        this.adds.add(ticker);
        continue;
      }
      if ((state & WANTED) !== 0) this.wantedCount--;
      this.flags.delete(ticker); // never held: a failed add leaves nothing on the server
    }
  }

  /**
   * Connection lost or a new generation: the server holds nothing, no sid, nothing in flight; every wanted
   * market is pending again, so the next command is a `subscribe`.
   */
  reset(): void {
    this.current = undefined;
    this.currentSid = undefined;
    this.heldCount = 0;
    this.removes = new Set();
    this.adds = new Set();
    for (const [ticker, state] of this.flags) {
      if ((state & WANTED) === 0) {
        this.flags.delete(ticker); // deleting the visited entry is safe during Map iteration
        continue;
      }
      this.flags.set(ticker, WANTED);
      this.adds.add(ticker);
    }
  }

  /** Error 10/25 on the sid: the book starts over like {@link reset}; the caller unsubscribes the old sid. */
  resubscribeNeeded(): void {
    this.reset();
  }

  /** Markets the server confirmed, including any being removed (repairs use {@link repairTickers}). */
  *heldTickers(): IterableIterator<string> {
    for (const [ticker, state] of this.flags) if ((state & HELD) !== 0) yield ticker;
  }

  /**
   * Markets a `get_snapshot` repair can ask for: held, still wanted and not being removed (a removal
   * pending or in flight). Kalshi skips markets the sid no longer holds, so asking for one of those
   * would wait for a snapshot that never comes.
   */
  *repairTickers(): IterableIterator<string> {
    for (const [ticker, state] of this.flags) if ((state & (WANTED | HELD | FLIGHT)) === (WANTED | HELD)) yield ticker;
  }

  /** True when nothing is pending and nothing is in flight: held equals wanted. */
  inSync(): boolean {
    return this.current === undefined && this.adds.size === 0 && this.removes.size === 0;
  }

  private take(from: Set<string>, max: number): string[] {
    const batch: string[] = [];
    for (const ticker of from) {
      batch.push(ticker);
      if (batch.length >= max) break;
    }
    for (const ticker of batch) {
      from.delete(ticker);
      this.flags.set(ticker, this.flags.get(ticker)! | FLIGHT);
    }
    return batch;
  }

  /** The server no longer holds `ticker`: re-add it if wanted again meanwhile, else forget it. */
  private settleRemoved(ticker: string): void {
    const state = (this.flags.get(ticker) ?? 0) & ~(FLIGHT | HELD);
    this.heldCount--;
    if ((state & WANTED) !== 0) {
      this.flags.set(ticker, state);
      this.adds.add(ticker);
    } else {
      this.flags.delete(ticker);
    }
  }
}
