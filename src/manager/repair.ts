/**
 * Gap repair for one orderbook slot: `get_snapshot` over the sid's held markets in batches, through
 * the pool-wide command limiter, one repair in flight per sid. A gap during a repair marks it dirty and
 * the repair runs once more afterwards (gaps coalesce; they never queue up). A failed batch does not stop
 * the others; a failed repair is retried once after a short pause.
 * @internal
 */
import { ClosedError, CommandRejectedError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import type { OrderbookHost } from './live-connection';
import type { CommandRunner } from './command-runner';
import { REPAIR_HOLD_MS, reactionToError } from './error-reactions';
import type { RepairOutcome } from './manager-events';
import type { ManagerCounters } from './manager-stats';
import type { EmitEvent } from './pool-context';
import { wait } from './pool-context';

/** Pause before the one retry of a failed repair. */
const REPAIR_RETRY_DELAY_MS = 250;

/** Error 10/25/7: the sid itself is gone. */
function isTerminal(error: unknown): boolean {
  return reactionToError(error, 'repair').kind === 'resubscribe';
}

/** What {@link SidRepair} needs of its orderbook slot. @internal */
export type SidRepairHost = Pick<OrderbookHost, 'connectionId' | 'book' | 'live' | 'resubscribe'>;

/** The command steps {@link SidRepair} uses. @internal */
export type SidRepairRunner = Pick<CommandRunner, 'run' | 'holdAll'>;

/** What {@link SidRepair} needs from its pool. @internal */
export interface SidRepairPool {
  readonly options: { readonly repair: { readonly enabled: boolean; readonly batchSize: number } };
  /** Times the pause before the one retry. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** `stats().repairs`. */
  readonly counters: Pick<ManagerCounters, 'repairsOk' | 'repairsFailed' | 'repairsSkipped'>;
  readonly emit: EmitEvent;
  /** True once `stop()` was called. */
  readonly stopped: boolean;
}

/** Schedules and runs repairs of one orderbook slot's sid. @internal */
export class SidRepair {
  #running = false;
  #dirty = false;
  /** A sid that showed a gap before the book adopted it (see {@link defer}). */
  #deferred: number | undefined;

  constructor(
    private readonly host: SidRepairHost,
    private readonly ctx: SidRepairPool,
    private readonly runner: SidRepairRunner,
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

  /**
   * A gap on `sid` before the book adopted it (the subscribe reply has not settled yet): remember it and
   * repair once {@link adopted} says the book holds the sid.
   */
  defer(sid: number): void {
    this.#deferred = sid;
  }

  /** The book adopted `sid` from a subscribe reply: run a repair deferred for it, if any. */
  adopted(sid: number): void {
    const deferred = this.#deferred;
    this.#deferred = undefined;
    if (deferred === sid) this.request(sid);
  }

  /** New generation: a pending repeat is moot (the resubscribe brings fresh snapshots). */
  reset(): void {
    this.#dirty = false;
    this.#deferred = undefined;
  }

  async #run(sid: number): Promise<void> {
    this.#running = true;
    try {
      let retried = false;
      do {
        this.#dirty = false;
        const retry = await this.#once(sid);
        if (retry === undefined || this.#dirty || retried) continue;
        // One retry of a failed repair after a short pause (a dirty repeat would run anyway).
        retried = true;
        await wait(this.ctx.clock, REPAIR_RETRY_DELAY_MS, retry);
        this.#dirty = true;
      } while (this.#dirty && this.host.book.sid === sid && !this.ctx.stopped);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'AbortError') && !(error instanceof ClosedError)) {
        this.ctx.logger.error({ connectionId: this.host.connectionId, sid, err: error }, 'repair failed unexpectedly');
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * One repair: every batch is sent even when one fails (a failure must not leave the rest unrepaired).
   * @returns the generation's signal when the repair failed in a way worth one retry, else `undefined`.
   */
  async #once(sid: number): Promise<AbortSignal | undefined> {
    const conn = this.host.live();
    const { book } = this.host;
    if (conn === undefined || book.sid !== sid) {
      this.#report(sid, 'skipped', 0, undefined);
      return undefined;
    }
    const tickers = Array.from(book.repairTickers());
    if (tickers.length === 0) {
      this.#report(sid, 'skipped', 0, undefined);
      return undefined;
    }
    const { batchSize } = this.ctx.options.repair;
    let failure: unknown;
    for (let i = 0; i < tickers.length; i += batchSize) {
      const batch = tickers.slice(i, i + batchSize);
      // A get_snapshot sent while reads are paused cannot see its reply: the runner waits for the consumer first.
      const result = await this.runner.run(conn, (client, signal) => client.updateSubscription(sid, 'get_snapshot', batch, { signal }), {
        stillWanted: () => book.sid === sid,
      });
      if (result.kind === 'ended') {
        this.#report(sid, 'skipped', tickers.length, undefined);
        return undefined;
      }
      if (result.kind === 'paused') {
        i -= batchSize; // reads were paused, so the reply could not be seen: send this batch again
        continue;
      }
      if (result.kind === 'failed') {
        failure ??= result.error;
        if (isTerminal(result.error)) break; // the sid is gone: the remaining batches would fail the same way
      }
    }
    if (failure === undefined) {
      this.#report(sid, 'ok', tickers.length, undefined);
      return undefined;
    }
    this.#report(sid, 'failed', tickers.length, failure instanceof Error ? failure : new Error(String(failure)));
    if (failure instanceof CommandRejectedError && isTerminal(failure)) {
      // The sid is gone: a fresh subscription brings fresh snapshots, which is the repair.
      this.host.resubscribe(sid, failure.kalshiCode);
      return undefined;
    }
    const reaction = reactionToError(failure, 'repair');
    if (reaction.kind === 'hold') this.runner.holdAll(reaction.ms ?? REPAIR_HOLD_MS);
    return conn.signal;
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
