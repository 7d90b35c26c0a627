/**
 * Gap repair for one orderbook slot: `get_snapshot` over the sid's held markets in batches, through
 * the pool-wide command limiter, one repair in flight per sid. A gap during a repair marks it dirty and
 * the repair runs once more afterwards (gaps coalesce; they never queue up).
 * @internal
 */
import { CommandRejectedError } from '../errors';
import type { OrderbookHost } from './live-connection';
import { isEndOfGeneration } from './live-connection';
import type { RepairOutcome } from './manager-events';
import type { PoolContext } from './pool-context';

/** Schedules and runs repairs of one orderbook slot's sid. @internal */
export class SidRepair {
  #running = false;
  #dirty = false;

  constructor(
    private readonly host: OrderbookHost,
    private readonly ctx: PoolContext,
  ) {}

  /** True while a repair runs. */
  get running(): boolean {
    return this.#running;
  }

  /** A gap was seen on `sid`: repair it now, or once more after the repair in flight. */
  request(sid: number): void {
    if (!this.ctx.options.repair.enabled) {
      this.#report(sid, 'skipped', 0, undefined);
      return;
    }
    if (this.#running) {
      this.#dirty = true;
      return;
    }
    void this.#run(sid);
  }

  /** New generation: a pending repeat is moot (the resubscribe brings fresh snapshots). */
  reset(): void {
    this.#dirty = false;
  }

  async #run(sid: number): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#dirty = false;
        await this.#once(sid);
      } while (this.#dirty && this.host.book.sid === sid && !this.ctx.stopped);
    } catch (error) {
      this.ctx.logger.error({ connectionId: this.host.connectionId, sid, err: error }, 'repair failed unexpectedly');
    } finally {
      this.#running = false;
    }
  }

  async #once(sid: number): Promise<void> {
    const conn = this.host.live();
    const { book } = this.host;
    if (conn === undefined || book.sid !== sid) {
      this.#report(sid, 'skipped', 0, undefined);
      return;
    }
    const tickers = Array.from(book.heldTickers());
    if (tickers.length === 0) {
      this.#report(sid, 'skipped', 0, undefined);
      return;
    }
    const { batchSize } = this.ctx.options.repair;
    const { counters } = this.ctx;
    try {
      for (let i = 0; i < tickers.length; i += batchSize) {
        await this.ctx.commands.acquire(conn.signal);
        if (!this.host.isLive(conn.generation) || book.sid !== sid) {
          this.#report(sid, 'skipped', tickers.length, undefined);
          return;
        }
        counters.commandsSent++;
        counters.commandsPending++;
        try {
          await conn.client.updateSubscription(sid, 'get_snapshot', tickers.slice(i, i + batchSize), { signal: conn.signal });
        } finally {
          counters.commandsPending--;
        }
      }
      this.#report(sid, 'ok', tickers.length, undefined);
    } catch (error) {
      if (isEndOfGeneration(error, conn.generation, this.host)) {
        this.#report(sid, 'skipped', tickers.length, undefined);
        return;
      }
      counters.commandsFailed++;
      this.#report(sid, 'failed', tickers.length, error instanceof Error ? error : new Error(String(error)));
      if (error instanceof CommandRejectedError && (error.classification === 'terminal-subscription' || error.kalshiCode === 7)) {
        // The sid is gone: a fresh subscription brings fresh snapshots, which is the repair.
        this.host.resubscribe(sid, error.kalshiCode);
      } else if (error instanceof CommandRejectedError && (error.kalshiCode === 27 || error.kalshiCode === 18)) {
        this.ctx.commands.holdFor(1_000);
      }
    }
  }

  #report(sid: number, outcome: RepairOutcome, markets: number, error: Error | undefined): void {
    const { counters } = this.ctx;
    if (outcome === 'ok') counters.repairsOk++;
    else if (outcome === 'failed') counters.repairsFailed++;
    else counters.repairsSkipped++;
    const connectionId = this.host.connectionId;
    if (outcome === 'failed') this.ctx.logger.warn({ connectionId, role: 'orderbook', sid, markets, err: error }, 'gap repair failed');
    else if (outcome === 'ok') this.ctx.logger.info({ connectionId, role: 'orderbook', sid, markets }, 'gap repaired');
    else this.ctx.logger.debug({ connectionId, role: 'orderbook', sid, markets, outcome }, 'gap repair skipped');
    this.ctx.emit('repair', { connectionId, sid, outcome, markets, error });
  }
}
