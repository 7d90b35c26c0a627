import { describe, expect, it } from 'vitest';
import { MarketPlacer } from '../../../src/manager/market-placer';
import type { PlacedSlot } from '../../../src/manager/market-placer';
import { Placement } from '../../../src/manager/placement';
import { SlotBook } from '../../../src/manager/slot-book';
import type { MarketChange } from '../../../src/ports/registry';
import { EventLog, recordingLogger } from './fakes/ports';

/** An orderbook slot as the placer sees it: a real book, flushes counted. */
class FakeSlot implements PlacedSlot {
  book = new SlotBook();
  flushes = 0;
  cleared = 0;

  want(tickers: Iterable<string>): void {
    for (const ticker of tickers) this.book.want(ticker);
    this.flush();
  }

  flush(): void {
    this.flushes++;
  }

  clearBook(): void {
    this.book = new SlotBook();
    this.cleared++;
  }

  /** Markets the book wants (nothing is sent in these tests, so all are pending in one subscribe). */
  wanted(): string[] {
    const command = this.book.next(1_000);
    if (command === undefined) return [];
    this.book.failed(command, 'retry');
    return [...command.tickers].sort();
  }
}

const added = (...tickers: string[]): MarketChange[] => tickers.map((ticker) => ({ kind: 'added', ticker }));
const removed = (...tickers: string[]): MarketChange[] => tickers.map((ticker) => ({ kind: 'removed', ticker }));

/** Slots 1..n, all orderbook, `capacity` markets each. */
function setup(n: number, capacity: number) {
  const slots = Array.from({ length: n }, () => new FakeSlot());
  const placement = new Placement({ slots: slots.map((_, i) => i + 1), capacity });
  const events = new EventLog();
  const logger = recordingLogger();
  const placer = new MarketPlacer(placement, slots, logger, events.emit);
  return { slots, placement, events, logger, placer };
}

describe('MarketPlacer (the one owner of placement)', () => {
  it('places added markets on the least-loaded slot, flushes each touched slot once, and reports the overflow', () => {
    const { slots, placement, events, logger, placer } = setup(3, 2);
    placer.apply(added('M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6'));
    expect(slots.map((s) => s.wanted())).toEqual([
      ['M0', 'M3'],
      ['M1', 'M4'],
      ['M2', 'M5'],
    ]);
    expect(slots.map((s) => s.flushes)).toEqual([1, 1, 1]);
    expect(placement.unplaced).toBe(1);
    expect(events.of('unplaced')).toEqual([{ count: 1, total: 1, connectionId: undefined }]);
    expect(logger.entries.map((e) => e.message)).toEqual(['markets unplaced: the pool is full']);
  });

  it('a removal frees room for the oldest unplaced market on the same slot', () => {
    const { slots, placement, events, placer } = setup(2, 1);
    placer.apply(added('M0', 'M1', 'M2', 'M3'));
    placer.apply(removed('M0'));
    expect(slots[0]!.wanted()).toEqual(['M2']);
    expect(placement.slotOf('M2')).toBe(1);
    expect(placement.slotOf('M3')).toBeUndefined();
    expect(events.of('unplaced')).toHaveLength(1); // only the first apply added unplaced markets
  });

  it('a removal alone flushes the slot it came off, once, and warns about nothing', () => {
    const { slots, placement, events, logger, placer } = setup(2, 2);
    placer.apply(added('M0', 'M1'));
    const before = slots.map((s) => s.flushes);
    placer.apply(removed('M0', 'nope'));
    expect(slots.map((s, i) => s.flushes - before[i]!)).toEqual([1, 0]);
    expect(slots[0]!.wanted()).toEqual([]);
    expect(placement.placed).toBe(1);
    expect(events.of('unplaced')).toEqual([]);
    expect(logger.entries).toEqual([]);
  });

  it('the unplaced warning counts the markets this batch held back and the total', () => {
    const { logger, placer } = setup(1, 1);
    placer.apply(added('M0', 'M1'));
    placer.apply(added('M2', 'M3'));
    expect(logger.entries.map((e) => e.fields)).toEqual([
      { count: 1, total: 1 },
      { count: 2, total: 3 },
    ]);
  });

  it('room on a slot the removal did not touch: the market placed there is flushed on that slot', () => {
    const { slots, placement, placer } = setup(2, 4);
    placer.apply(added('M0', 'M1', 'M2', 'M3'));
    placer.slotFull(1, ['M0'], 1); // slot 1 capped at 1; M2 moves to slot 2
    placer.apply(added('M4', 'M5')); // slot 2 full at 4 (M1, M2, M3, M4); M5 waits
    expect(placement.unplacedTickers()).toEqual(['M5']);
    // The server confirms three markets on slot 1 after all: its capacity rises to 3 (room for 2).
    placer.slotFull(1, ['M0', 'X', 'Y'], 0);
    const before = slots.map((s) => s.flushes);
    placer.apply(removed('M1')); // room on slot 2, but slot 1 is less loaded and has room: M5 goes there
    expect(placement.slotOf('M5')).toBe(1);
    expect(slots.map((s, i) => s.flushes - before[i]!)).toEqual([1, 1]);
  });

  it('marketsRejected drops the markets from placement and gives their room to unplaced markets (FIFO)', () => {
    const { slots, placement, placer } = setup(2, 2);
    placer.apply(added('M0', 'M1', 'M2', 'M3', 'M4', 'M5'));
    const flushesBefore = slots[1]!.flushes;
    placer.marketsRejected(['M1']);
    expect(placement.slotOf('M1')).toBeUndefined();
    expect(placement.slotOf('M4')).toBe(2);
    expect(placement.slotOf('M5')).toBeUndefined();
    expect(placement.unplaced).toBe(1);
    expect(slots[1]!.flushes).toBe(flushesBefore + 1);
    expect(slots[1]!.book.wanted).toBe(3); // M1 was dropped by the slot's own book, not here; M4 joins
  });

  it('slotFull caps the slot at what it holds and moves every other market it had, unplaced when no room', () => {
    const { slots, placement, events, logger, placer } = setup(2, 4);
    placer.apply(added('M0', 'M1', 'M2', 'M3', 'M4', 'M5'));
    // Slot 1 holds only M0 on the server; M2 and M4 were placed there too.
    placer.slotFull(1, ['M0'], 1);
    expect(placement.capacityOf(1)).toBe(1);
    expect(placement.marketsOf(1)).toEqual(new Set(['M0']));
    expect(slots[0]!.wanted()).toEqual(['M0']);
    expect(placement.load(2)).toBe(4);
    expect(slots[1]!.wanted()).toEqual(['M1', 'M2', 'M3', 'M5']);
    expect(placement.unplaced).toBe(1);
    expect(events.of('unplaced')).toEqual([{ count: 1, total: 1, connectionId: 1 }]);
    const warn = logger.entries.find((e) => e.message === 'slot full (error 26); markets re-placed');
    expect(warn?.fields).toEqual({ connectionId: 1, held: 1, moving: 2, rejected: 1, placedElsewhere: 1 });
  });

  it('retire clears the slot book and re-places its markets on the other slots', () => {
    const { slots, placement, placer } = setup(3, 2);
    placer.apply(added('M0', 'M1', 'M2'));
    placer.retire(2);
    expect(slots[1]!.cleared).toBe(1);
    expect(slots[1]!.book.wanted).toBe(0);
    expect(placement.isDisabled(2)).toBe(true);
    expect(placement.slotOf('M1')).toBe(1);
    expect(slots[0]!.wanted()).toEqual(['M0', 'M1']);
    expect(placement.unplaced).toBe(0);
  });

  it('retire logs the slot, how many markets it had and how many of them found no room', () => {
    const { logger, placer } = setup(2, 2);
    placer.apply(added('M0', 'M1', 'M2'));
    logger.entries.length = 0;
    placer.retire(1); // M0 and M2 leave slot 1; slot 2 (holding M1) has room for one
    expect(logger.entries.map((e) => [e.message, e.fields])).toEqual([
      ['markets unplaced: the pool is full', { count: 1, total: 1 }],
      ['slot retired; markets re-placed', { connectionId: 1, markets: 2, unplaced: 1 }],
    ]);
    logger.entries.length = 0;
    placer.retire(2); // M1 and M0 (or M2) leave slot 2 and find no room; one market was already waiting
    expect(logger.entries.map((e) => [e.message, e.fields])).toEqual([
      ['markets unplaced: the pool is full', { count: 2, total: 3 }],
      ['slot retired; markets re-placed', { connectionId: 2, markets: 2, unplaced: 2 }],
    ]);
  });
});
