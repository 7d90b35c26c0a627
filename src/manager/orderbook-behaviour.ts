/**
 * The behaviour of a per-market role (orderbook): the slot's market book, kept equal on the server by
 * `BookSync`, gap repair by `SidRepair`, and the "subscribed but silent" snapshot check.
 * @internal
 */
import { BookSync } from './book-sync';
import type { CommandRunner } from './command-runner';
import type { LiveConnection, OrderbookHost } from './live-connection';
import type { HealthCheckFailure } from './manager-events';
import type { SlotState } from './manager-stats';
import type { PoolContext } from './pool-context';
import { SidRepair } from './repair';
import type { BehaviourHost, SlotBehaviour } from './slot-behaviour';
import { SlotBook } from './slot-book';
import { SnapshotWatch } from './snapshot-watch';

/** A slot that holds its share of the markets on one sid. @internal */
export class OrderbookBehaviour implements SlotBehaviour, OrderbookHost {
  #book = new SlotBook();
  readonly snapshots = new SnapshotWatch();
  readonly #sync: BookSync;
  readonly #repair: SidRepair;

  constructor(
    private readonly slot: BehaviourHost,
    private readonly ctx: PoolContext,
    runner: CommandRunner,
  ) {
    this.#sync = new BookSync(this, ctx, runner);
    this.#repair = new SidRepair(this, ctx, runner);
  }

  // ---- OrderbookHost (what BookSync and SidRepair see): the slot's connection, this book ----------

  get connectionId(): number {
    return this.slot.connectionId;
  }

  get book(): SlotBook {
    return this.#book;
  }

  live(): LiveConnection | undefined {
    return this.slot.live();
  }

  isLive(generation: number): boolean {
    return this.slot.isLive(generation);
  }

  adopted(sid: number): boolean {
    return this.slot.adopted(sid);
  }

  resubscribe(sid: number, kalshiCode: number | undefined): void {
    this.slot.resubscribe(sid, kalshiCode);
  }

  recycle(generation: number): void {
    this.slot.recycle(generation);
  }

  // ---- SlotBehaviour --------------------------------------------------------------------------

  get sid(): number | undefined {
    return this.#book.sid;
  }

  get markets(): number {
    return this.#book.held;
  }

  get placed(): number {
    return this.ctx.placement.load(this.slot.connectionId);
  }

  opened(): void {
    this.#book.reset();
    this.#sync.reset();
    this.#repair.reset();
    this.snapshots.reset();
  }

  ended(): void {
    this.snapshots.reset();
    this.#book.reset();
    this.#repair.reset();
  }

  restore(): void {
    this.#sync.flush();
  }

  flush(): void {
    this.#sync.flush();
  }

  clearBook(): void {
    this.#book = new SlotBook();
  }

  gap(sid: number): void {
    if (sid === this.#book.sid) this.#repair.request(sid);
    else if (this.#book.sid === undefined) this.#repair.defer(sid); // subscribe reply not settled yet
  }

  lost(sid: number): void {
    this.snapshots.clear(); // the fresh subscription opens its own window
    if (sid === this.#book.sid) this.#sync.resubscribe(sid);
  }

  onAdopted(sid: number): void {
    this.#repair.adopted(sid);
  }

  gaveUp(): void {
    // The slot will not stream again: move its markets so none is silently lost.
    this.ctx.retireSlot(this.slot.connectionId);
  }

  subscriptionFailure(): HealthCheckFailure | undefined {
    if (this.#book.inSync()) return undefined;
    return this.#book.sid === undefined ? 'unsubscribed' : 'out-of-sync';
  }

  notReadyReason(state: SlotState): string | undefined {
    const book = this.#book;
    if (this.placed === 0 && book.wanted === 0) return undefined;
    if (state !== 'open') return state;
    if (book.sid === undefined || !book.inSync()) return `subscribing (${book.held}/${book.wanted} markets held)`;
    return this.snapshots.short ? 'waiting for snapshots' : undefined;
  }

  /** Acknowledged markets got no snapshots within `silentMs`: repair the sid (`get_snapshot` over its markets). */
  repairIfSilent(now: number, silentMs: number): number | undefined {
    const sid = this.#book.sid;
    if (this.slot.live() === undefined || sid === undefined || this.#book.held === 0) return undefined;
    if (!this.snapshots.isSilent(now, silentMs)) return undefined;
    this.ctx.counters.silentSubscriptions++;
    this.ctx.logger.warn(
      { connectionId: this.slot.connectionId, role: this.slot.role, sid, markets: this.#book.held, silentMs },
      'subscribed but silent: no snapshots; requesting them',
    );
    this.#repair.request(sid);
    return sid;
  }
}
