/**
 * The one owner of placement changes: registry changes, rejected markets, a full slot (error 26) and a
 * retired slot all change `Placement` here and nowhere else. `Placement` decides the slot, the slot's
 * `SlotBook` wants or unwants the market, and each touched slot flushes once per batch of changes
 * (coalescing). Slots and their loops only read placement (`PlacementView`) and report what the server
 * said through the pool context (`marketsRejected`, `slotFull`, `retireSlot`).
 * @internal
 */
import type { Logger } from '../ports/logger';
import type { MarketChange } from '../ports/registry';
import type { Placement } from './placement';
import type { EmitEvent } from './pool-context';
import type { SlotBook } from './slot-book';

/** What the placer needs of one orderbook slot. @internal */
export interface PlacedSlot {
  /** The slot's book, read each time (a retired slot gets a fresh one). */
  readonly book: Pick<SlotBook, 'want' | 'unwant'>;
  /** Want markets on this slot and send the change. */
  want(tickers: Iterable<string>): void;
  /** Send pending book changes. */
  flush(): void;
  /** Forget every market (circuit breaker). */
  clearBook(): void;
}

/** Applies registry changes, rejections, full slots and slot retirement to placement and the slots. @internal */
export class MarketPlacer {
  /**
   * @param slots every slot of the pool, index `connectionId - 1` (only orderbook slots are placed on).
   */
  constructor(
    private readonly placement: Placement,
    private readonly slots: readonly PlacedSlot[],
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly emit: EmitEvent,
  ) {}

  /** Apply changes in order; unplaced markets are counted, warned and emitted. */
  apply(changes: readonly MarketChange[]): void {
    const { placement } = this;
    const touched = new Set<PlacedSlot>();
    const unplacedBefore = placement.unplaced;
    let removed = false;
    for (const { kind, ticker } of changes) {
      if (kind === 'added') {
        const id = placement.add(ticker);
        if (id === undefined) continue;
        const slot = this.slots[id - 1]!;
        slot.book.want(ticker);
        touched.add(slot);
      } else {
        const id = placement.remove(ticker);
        if (id === undefined) continue;
        const slot = this.slots[id - 1]!;
        slot.book.unwant(ticker);
        touched.add(slot);
        removed = true;
      }
    }
    if (removed && placement.unplaced > 0) {
      // Removals freed room: held-back markets go first (FIFO).
      for (const [id, tickers] of placement.placeUnplaced()) {
        const slot = this.slots[id - 1]!;
        for (const ticker of tickers) slot.book.want(ticker);
        touched.add(slot);
      }
    }
    for (const slot of touched) slot.flush();
    const added = placement.unplaced - unplacedBefore;
    if (added > 0) {
      this.logger.warn({ count: added, total: placement.unplaced }, 'markets unplaced: the pool is full');
      this.emit('unplaced', { count: added, total: placement.unplaced, connectionId: undefined });
    }
  }

  /**
   * The server rejected `tickers` for good (an add failed past its retries): they leave placement, and
   * the room they held goes to unplaced markets first (FIFO). The slot already dropped them from its book.
   */
  marketsRejected(tickers: readonly string[]): void {
    for (const ticker of tickers) this.placement.remove(ticker);
    this.#placeUnplaced();
  }

  /**
   * Error 26 on a single market: slot `connectionId` is full at the `held` markets the server confirmed.
   * Its capacity shrinks to that, every other market placed there leaves its book and moves to another
   * slot (or becomes unplaced, emitted as `unplaced`). `rejected` is only logged.
   */
  slotFull(connectionId: number, held: readonly string[], rejected: number): void {
    const { placement } = this;
    const slot = this.slots[connectionId - 1]!;
    placement.markFull(connectionId, held.length);
    const keep = new Set(held);
    const moving: string[] = [];
    for (const ticker of placement.marketsOf(connectionId)) if (!keep.has(ticker)) moving.push(ticker);
    for (const ticker of moving) slot.book.unwant(ticker);
    const moved = placement.evict(connectionId, moving);
    let placed = 0;
    for (const tickers of moved.values()) placed += tickers.length;
    this.logger.warn(
      { connectionId, held: held.length, moving: moving.length, rejected, placedElsewhere: placed },
      'slot full (error 26); markets re-placed',
    );
    this.#wantOn(moved);
    const unplaced = moving.length - placed;
    if (unplaced > 0) {
      this.emit('unplaced', { count: unplaced, total: placement.unplaced, connectionId });
    }
  }

  /** Circuit breaker tripped on an orderbook slot: its markets go elsewhere (or unplaced). */
  retire(connectionId: number): void {
    const tickers = this.placement.disable(connectionId);
    this.slots[connectionId - 1]!.clearBook();
    const unplacedBefore = this.placement.unplaced;
    this.apply(tickers.map((ticker) => ({ kind: 'added', ticker })));
    this.logger.warn(
      { connectionId, markets: tickers.length, unplaced: this.placement.unplaced - unplacedBefore },
      'slot retired; markets re-placed',
    );
  }

  /** Markets moved to other slots: want them there and flush. */
  #wantOn(moved: ReadonlyMap<number, readonly string[]>): void {
    for (const [id, tickers] of moved) this.slots[id - 1]?.want(tickers);
  }

  /** Room was freed: unplaced markets go there first (FIFO). */
  #placeUnplaced(): void {
    if (this.placement.unplaced === 0) return;
    this.#wantOn(this.placement.placeUnplaced());
  }
}
