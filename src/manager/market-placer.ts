/**
 * Turns market changes into slot work: `Placement` decides the slot, the slot's `SlotBook` wants or
 * unwants the market, and each touched slot flushes once per batch of changes (coalescing).
 * @internal
 */
import type { Logger } from '../ports/logger';
import type { MarketChange } from '../ports/registry';
import type { Placement } from './placement';
import type { EmitEvent } from './pool-context';
import type { Slot } from './slot';

/** Applies registry changes, re-placements and slot retirement to the slots. @internal */
export class MarketPlacer {
  constructor(
    private readonly placement: Placement,
    private readonly slots: readonly Slot[],
    private readonly logger: Logger,
    private readonly emit: EmitEvent,
  ) {}

  /** Apply changes in order; unplaced markets are counted, warned and emitted. */
  apply(changes: readonly MarketChange[]): void {
    const { placement } = this;
    const touched = new Set<Slot>();
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

  /** Markets moved to other slots (error 26): want them there and flush. */
  wantOn(moved: ReadonlyMap<number, readonly string[]>): void {
    for (const [id, tickers] of moved) this.slots[id - 1]?.want(tickers);
  }

  /** Room was freed (a rejected market dropped): unplaced markets go there first (FIFO). */
  placeUnplaced(): void {
    if (this.placement.unplaced === 0) return;
    this.wantOn(this.placement.placeUnplaced());
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
}
