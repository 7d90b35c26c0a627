/**
 * The per-slot flush loop: turns an orderbook slot's {@link SlotBook} into batched commands, one in
 * flight at a time, each after a token from the pool-wide command limiter, and handles rejections
 * (26: slot full, 27/18: back off, 10/25/7: resubscribe, others: bounded retries).
 * @internal
 */
import { CommandRejectedError, CommandTimeoutError, ProtocolError } from '../errors';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { ROLE_TABLE } from './roles';
import type { BookCommand } from './slot-book';
import type { LiveConnection, OrderbookHost } from './live-connection';
import type { EmitEvent } from './pool-context';
import type { CommandRunner } from './command-runner';
import { kalshiReaction } from './error-reactions';
import type { ManagerCounters } from './manager-stats';

/** Retries of one failing add/remove batch before it is dropped. */
const MAX_COMMAND_RETRIES = 3;

const ORDERBOOK = [ROLE_TABLE.orderbook.channel] as const;

/** An update with no sid to update: the book lost it meanwhile (retried after the resubscribe). */
const NO_SID = -1;

/** What {@link BookSync} needs of its orderbook slot. @internal */
export type BookSyncHost = Pick<OrderbookHost, 'connectionId' | 'book' | 'snapshots' | 'live' | 'isLive' | 'adopted' | 'resubscribe' | 'recycle'>;

/** The command steps {@link BookSync} uses. @internal */
export type BookSyncRunner = Pick<CommandRunner, 'run' | 'delay' | 'backOff' | 'holdAll'>;

/**
 * What {@link BookSync} needs from its pool. It never changes placement itself: it tells the placement
 * owner (`MarketPlacer`, through the pool) what the server said, and that owner decides.
 * @internal
 */
export interface BookSyncPool {
  readonly options: { readonly maxTickersPerCommand: number };
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Pick<Logger, 'debug' | 'warn' | 'error'>;
  /** `stats().markets.rejected`. */
  readonly counters: Pick<ManagerCounters, 'marketsRejected'>;
  readonly emit: EmitEvent;
  /** True once `stop()` was called. */
  readonly stopped: boolean;
  /** True while socket reads are paused for backpressure. */
  readonly paused: boolean;
  /** Resolves when socket reads are not paused; rejects on abort. */
  whenResumed(signal: AbortSignal): Promise<void>;
  /** The server rejected these markets for good (already dropped from the book): drop them from placement. */
  marketsRejected(tickers: readonly string[]): void;
  /** Error 26 on one market: the slot is full at the `held` markets; the owner moves every other market placed here. */
  slotFull(connectionId: number, held: readonly string[], rejected: number): void;
}

/** Keeps one orderbook slot's server-side market set equal to its book. @internal */
export class BookSync {
  #running = false;
  #again = false;
  /** Largest batch for the next add; halves on error 26 to find the server's limit. */
  #batchLimit: number;
  #failures = 0;
  /** A sid to unsubscribe before the next subscribe (after error 10/25). */
  #unsubscribeFirst: number | undefined;

  constructor(
    private readonly host: BookSyncHost,
    private readonly ctx: BookSyncPool,
    private readonly runner: BookSyncRunner,
  ) {
    this.#batchLimit = ctx.options.maxTickersPerCommand;
  }

  /** True while the loop runs. */
  get running(): boolean {
    return this.#running;
  }

  /** Send whatever the book has pending. Cheap to call often: changes coalesce into the next batch. */
  flush(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#run();
  }

  /** New generation: forget per-connection state. */
  reset(): void {
    this.#batchLimit = this.ctx.options.maxTickersPerCommand;
    this.#failures = 0;
    this.#unsubscribeFirst = undefined;
  }

  /** Error 10/25 on the book's sid: unsubscribe it (ignoring failure), then subscribe the markets again. */
  resubscribe(sid: number): void {
    this.#unsubscribeFirst = sid;
    this.host.book.resubscribeNeeded();
    this.flush();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#again = false;
        await this.#drain();
      } while (this.#again && this.host.live() !== undefined && !this.ctx.stopped);
    } catch (error) {
      // Never thrown from a background loop: report instead.
      this.ctx.logger.error({ connectionId: this.host.connectionId, err: error }, 'book sync failed');
    } finally {
      this.#running = false;
    }
  }

  async #drain(): Promise<void> {
    const { book } = this.host;
    for (;;) {
      const conn = this.host.live();
      if (conn === undefined || this.ctx.stopped) return;
      // A command sent while reads are paused cannot see its reply: wait for the consumer first.
      if (this.ctx.paused) {
        try {
          await this.ctx.whenResumed(conn.signal);
        } catch {
          return;
        }
        continue;
      }
      if (this.#unsubscribeFirst !== undefined) {
        const sid = this.#unsubscribeFirst;
        this.#unsubscribeFirst = undefined;
        if (!(await this.#unsubscribe(conn, sid))) return;
        continue;
      }
      const command = book.next(this.#batchLimit);
      if (command === undefined) return;
      if (!(await this.#send(conn, command))) return;
    }
  }

  /** @returns false when the generation ended. */
  async #unsubscribe(conn: LiveConnection, sid: number): Promise<boolean> {
    const result = await this.runner.run(conn, (client, signal) => client.unsubscribe([sid], { signal }), { awaitResume: false });
    if (result.kind === 'ended') return false;
    if (result.kind !== 'ok') {
      this.ctx.logger.debug({ connectionId: this.host.connectionId, sid, err: result.error }, 'unsubscribe of a lost sid failed (ignored)');
    }
    return this.host.isLive(conn.generation);
  }

  /** @returns false when the loop should stop (generation ended). */
  async #send(conn: LiveConnection, command: BookCommand): Promise<boolean> {
    const { book } = this.host;
    // Snapshots may arrive before the reply resolves: take the baseline when sending.
    let sentAt = 0;
    let snapshotsBefore = 0;
    const result = await this.runner.run(
      conn,
      async (client, signal) => {
        sentAt = this.ctx.clock.now();
        snapshotsBefore = this.host.snapshots.received;
        if (command.action === 'subscribe') {
          const results = await client.subscribe(ORDERBOOK, command.tickers, { signal });
          const granted = results[0]?.sid;
          // The Client port promises one result per channel; a client that breaks it fails the command
          // (retried, then reported) instead of leaving the book waiting for a sid that never comes.
          if (granted === undefined) {
            throw new ProtocolError('malformed-reply', 'subscribe to orderbook_delta returned no result (a Client returns one per channel)', {
              connectionId: this.host.connectionId,
            });
          }
          return granted;
        }
        const sid = book.sid;
        if (sid === undefined) return NO_SID;
        await client.updateSubscription(sid, command.action, command.tickers, { signal });
        return undefined;
      },
      { awaitResume: false },
    );
    if (result.kind === 'ended') {
      book.failed(command, 'retry');
      return false;
    }
    if (result.kind === 'paused') {
      // Reads were paused (slow consumer), so the reply could not be seen: not the connection's fault.
      book.failed(command, 'retry');
      this.ctx.logger.debug(
        { connectionId: this.host.connectionId, action: command.action, markets: command.tickers.length },
        'command timed out while reads were paused; retrying',
      );
      return true;
    }
    if (result.kind === 'failed') return this.#onError(conn, command, result.error);
    if (result.value === NO_SID) {
      book.failed(command, 'retry');
      return true;
    }
    if (command.action === 'subscribe') {
      const sid = result.value;
      book.succeeded(command, sid);
      if (this.host.isLive(conn.generation)) {
        // Error 10/25 on the new sid before this reply settled: the slot could not tell us then.
        if (sid !== undefined && !this.host.adopted(sid)) this.resubscribe(sid);
        else this.host.snapshots.expect(sentAt, snapshotsBefore, command.tickers.length);
      }
    } else {
      book.succeeded(command);
      if (command.action === 'add_markets' && this.host.isLive(conn.generation)) {
        this.host.snapshots.expect(sentAt, snapshotsBefore, command.tickers.length);
      }
    }
    this.#failures = 0;
    if (command.action !== 'delete_markets') this.#batchLimit = this.ctx.options.maxTickersPerCommand;
    return true;
  }

  async #onError(conn: LiveConnection, command: BookCommand, error: unknown): Promise<boolean> {
    const { book } = this.host;
    const { connectionId } = this.host;
    const log = this.ctx.logger;
    const isAdd = command.action !== 'delete_markets';
    if (error instanceof CommandRejectedError) {
      const code = error.kalshiCode;
      const reaction = kalshiReaction(code, 'orderbook-command');
      if (reaction.kind === 'slot-full' && isAdd) {
        if (command.tickers.length > 1) {
          // The limit is unpublished: halve the batch until it fits, then call the slot full.
          this.#batchLimit = Math.ceil(command.tickers.length / 2);
          book.failed(command, 'retry');
          return true;
        }
        book.failed(command, 'drop');
        this.#slotFull(command.tickers);
        return true;
      }
      if (reaction.kind === 'hold') {
        const delay = reaction.ms ?? this.runner.delay(++this.#failures);
        this.runner.holdAll(delay);
        book.failed(command, 'retry');
        log.warn({ connectionId, kalshiCode: code, delayMs: delay }, 'command rate limited; backing off');
        return true;
      }
      if (reaction.kind === 'redial') {
        // Error 9 (authentication required): redial with a fresh signature rather than drop markets.
        // A key that is really bad then fails the handshake with 401/403, which retires the slot.
        book.failed(command, 'retry');
        log.error({ connectionId, kalshiCode: code }, 'Kalshi asked for authentication; reconnecting with a fresh signature');
        this.ctx.emit('error', { connectionId, error, fatal: false });
        this.host.recycle(conn.generation);
        return false;
      }
      if (reaction.kind === 'resubscribe') {
        book.failed(command, 'retry');
        const sid = error.sid ?? book.sid;
        if (sid !== undefined) {
          this.host.resubscribe(sid, code);
          return true;
        }
        // The subscribe itself was refused, so there is no sid to retire: send it again, but after the
        // command backoff, so a server that keeps refusing cannot spin this loop on the shared limiter.
        return this.runner.backOff(conn, ++this.#failures);
      }
      if (isAdd && command.tickers.length > 1) {
        // Likely one bad market (e.g. 11): halve until it is alone, so only it is dropped.
        this.#batchLimit = Math.ceil(command.tickers.length / 2);
        book.failed(command, 'retry');
        log.warn({ connectionId, kalshiCode: code, markets: command.tickers.length }, 'batch rejected; splitting it');
        return true;
      }
    }
    const retryable = error instanceof CommandTimeoutError || isAdd;
    if (retryable && ++this.#failures <= MAX_COMMAND_RETRIES) {
      log.warn({ connectionId, action: command.action, markets: command.tickers.length, err: error }, 'command failed; retrying');
      book.failed(command, 'retry');
      return this.runner.backOff(conn, this.#failures);
    }
    this.#failures = 0;
    if (error instanceof CommandTimeoutError) {
      // The server stopped answering on this connection: dropping the markets would lose them for good,
      // while a fresh connection re-adds every market of the slot (reliability: "server never answers").
      book.failed(command, 'retry');
      log.error({ connectionId, action: command.action, markets: command.tickers.length, err: error }, 'commands keep timing out; reconnecting');
      this.ctx.emit('error', { connectionId, error, fatal: false });
      this.host.recycle(conn.generation);
      return false;
    }
    book.failed(command, 'drop');
    log.error({ connectionId, action: command.action, markets: command.tickers.length, err: error }, 'command failed; dropped');
    if (isAdd) {
      // The markets are not on the server and no longer wanted here: the placement owner drops them and
      // gives the room to markets waiting for one.
      this.ctx.counters.marketsRejected += command.tickers.length;
      this.ctx.marketsRejected(command.tickers);
    }
    this.ctx.emit('error', { connectionId, error: error instanceof Error ? error : new Error(String(error)), fatal: false });
    return true;
  }

  /** Error 26 with one market: the slot is full at what it holds; the placement owner moves the rest. */
  #slotFull(rejected: readonly string[]): void {
    this.#batchLimit = this.ctx.options.maxTickersPerCommand;
    this.ctx.slotFull(this.host.connectionId, Array.from(this.host.book.heldTickers()), rejected.length);
  }
}
