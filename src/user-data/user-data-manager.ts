/**
 * `createUserDataManager`: one connection per account on Kalshi's private channels, hot-reloaded from
 * an {@link AccountSource}, built from the pool's own parts (client, reconnect loop, admission limiter,
 * output queue, health loop). See docs/user-data.md.
 * @packageDocumentation
 */
import EventEmitter from 'eventemitter3';
import { ClosedError, StateError } from '../errors';
import { OutputQueue } from '../manager/output-queue';
import { RateLimiter } from '../manager/rate-limiter';
import type { Account, AccountSource } from '../ports/account-source';
import { AccountConnection } from './account-connection';
import type { AccountHost } from './account-connection';
import { createAccountHealthLoop } from './pool-adapter';
import { ReconcileLoop } from './reconcile-loop';
import type { ReconcileEvent, UserDataManagerEvents } from './user-data-events';
import type { UserDataMessage } from './user-data-message';
import { resolveUserDataOptions } from './user-data-options';
import type { UserDataManagerOptions } from './user-data-options';
import { UserDataCounters } from './user-data-stats';
import type { AccountState, UserDataHealth, UserDataState, UserDataStats } from './user-data-stats';

/** The user-data manager. Iterate it (one consumer) for every account's private frames. */
export interface UserDataManager extends AsyncIterable<UserDataMessage>, AsyncDisposable {
  /** Where it is. */
  readonly state: UserDataState;
  /**
   * Read the source and start one connection per account (dials proceed in the background under the
   * admission limit). Resolves after the first reconciliation.
   * @throws {StateError} when called after `stop()`; rejects with the source's error when the first read fails.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Close every connection, timer and listener and end the iterator. Idempotent. */
  stop(): Promise<void>;
  /** Reconcile with the source now (also done on change events and every `reconcileIntervalMs`). @throws {ClosedError} after `stop()`. */
  reconcile(): Promise<void>;
  /** The messages as an async iterator (same as iterating the manager). @throws {StateError} on a second consumer. */
  messages(): AsyncIterableIterator<UserDataMessage>;
  /** Like {@link messages} but yields arrays of up to `maxBatch` queued messages. @default maxBatch 512 */
  batches(maxBatch?: number): AsyncIterableIterator<UserDataMessage[]>;
  /** Counter snapshot. */
  stats(): UserDataStats;
  /** Health snapshot, one entry per account. */
  health(): UserDataHealth;
  /** Listen to an event. */
  on<E extends keyof UserDataManagerEvents>(event: E, listener: UserDataManagerEvents[E]): this;
  /** Stop listening. */
  off<E extends keyof UserDataManagerEvents>(event: E, listener?: UserDataManagerEvents[E]): this;
  /** Listen once. */
  once<E extends keyof UserDataManagerEvents>(event: E, listener: UserDataManagerEvents[E]): this;
}

class UserDataManagerImpl implements UserDataManager, AccountHost {
  readonly #events = new EventEmitter<UserDataManagerEvents>();
  readonly options: ReturnType<typeof resolveUserDataOptions>;
  readonly counters = new UserDataCounters();
  readonly queue: OutputQueue;
  readonly admission: RateLimiter;
  readonly #accounts = new Map<string, AccountConnection>();
  readonly #byNumber = new Map<number, AccountConnection>();
  readonly #slots: AccountConnection[] = [];
  readonly #health;
  readonly #loop: ReconcileLoop;
  #nextNumber = 1;
  #state: UserDataState = 'idle';
  #paused = false;
  #unsubscribe: (() => void) | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: UserDataManagerOptions) {
    this.options = resolveUserDataOptions(options);
    const o = this.options;
    this.admission = new RateLimiter({
      ratePerSecond: o.admission.dialsPerSecond,
      burst: o.admission.burst,
      jitterMs: o.admission.jitterMs,
      clock: o.clock,
      name: 'admission',
    });
    this.queue = new OutputQueue({
      capacity: o.queue.capacity,
      lowWaterMark: o.queue.lowWaterMark,
      policy: o.queue.overflow,
      onPause: () => this.#setPaused(true),
      onResume: () => this.#setPaused(false),
      onDrop: () => {
        this.counters.messagesDropped++;
      },
    });
    this.#health = createAccountHealthLoop(this.#slots, this, () => this.#count('open'));
    this.#loop = new ReconcileLoop(o.clock, o.reconcileIntervalMs, () => this.#reconcile());
  }

  get clock() {
    return this.options.clock;
  }
  get logger() {
    return this.options.logger;
  }
  get reconnect() {
    return this.options.reconnect;
  }
  get healthCheck() {
    return this.options.healthCheck;
  }
  get state(): UserDataState {
    return this.#state;
  }
  get stopped(): boolean {
    return this.#state === 'stopping' || this.#state === 'stopped';
  }
  get running(): boolean {
    return this.#state === 'running';
  }
  get paused(): boolean {
    return this.#paused;
  }

  accountIdOf(connectionId: number): string | undefined {
    return this.#byNumber.get(connectionId)?.accountId;
  }

  emit<E extends keyof UserDataManagerEvents>(event: E, payload: Parameters<UserDataManagerEvents[E]>[0]): void {
    try {
      (this.#events.emit as (name: string, value: unknown) => boolean)(event, payload);
    } catch (error) {
      // A throwing listener must not break a socket callback.
      this.options.logger.error({ err: error, event }, 'user-data event listener threw');
    }
  }

  on<E extends keyof UserDataManagerEvents>(event: E, listener: UserDataManagerEvents[E]): this {
    (this.#events.on as (name: string, fn: unknown) => unknown)(event, listener);
    return this;
  }

  once<E extends keyof UserDataManagerEvents>(event: E, listener: UserDataManagerEvents[E]): this {
    (this.#events.once as (name: string, fn: unknown) => unknown)(event, listener);
    return this;
  }

  off<E extends keyof UserDataManagerEvents>(event: E, listener?: UserDataManagerEvents[E]): this {
    (this.#events.off as (name: string, fn?: unknown) => unknown)(event, listener);
    return this;
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.stopped) throw new StateError('start() after stop(): create a new user-data manager');
    if (this.#state !== 'idle') return;
    signal?.throwIfAborted();
    this.#state = 'starting';
    const source: AccountSource = this.options.accounts;
    this.#unsubscribe = source.onChange?.(() => {
      if (this.running) void this.#loop.trigger();
    });
    try {
      await this.#reconcile(true);
    } catch (error) {
      this.#unsubscribe?.();
      this.#state = 'idle';
      throw error;
    }
    if (this.stopped) return;
    this.#state = 'running';
    this.#health.start();
    this.#loop.start();
  }

  reconcile(): Promise<void> {
    if (this.stopped) return Promise.reject(new ClosedError('reconcile() after stop()'));
    return this.#loop.trigger();
  }

  async #reconcile(throwOnFailure = false): Promise<void> {
    let wanted: Map<string, Account>;
    try {
      wanted = new Map();
      for (const account of await this.options.accounts.accounts()) wanted.set(account.id, account);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      this.counters.reconcileFailed++;
      this.options.logger.warn({ err }, 'account source read failed; keeping the current accounts');
      this.emit('reconcile', { status: 'failed', added: 0, removed: 0, rekeyed: 0, error: err });
      if (throwOnFailure) throw err;
      return;
    }
    if (this.stopped) return;
    const event = { status: 'ok' as const, added: 0, removed: 0, rekeyed: 0, error: undefined };
    const closing: Promise<void>[] = [];
    for (const [id, connection] of this.#accounts) {
      if (wanted.has(id)) continue;
      this.#accounts.delete(id);
      this.#byNumber.delete(connection.connectionId);
      this.#slots.splice(this.#slots.indexOf(connection), 1);
      event.removed++;
      closing.push(connection.close());
    }
    for (const [id, account] of wanted) {
      const known = this.#accounts.get(id);
      if (known === undefined) {
        const connection = new AccountConnection(this.#nextNumber++, account, this);
        this.#accounts.set(id, connection);
        this.#byNumber.set(connection.connectionId, connection);
        this.#slots.push(connection);
        event.added++;
        connection.start();
      } else if (known.account.signer !== account.signer) {
        event.rekeyed++;
        known.rekey(account);
      }
    }
    this.counters.added += event.added;
    this.counters.removed += event.removed;
    this.counters.rekeyed += event.rekeyed;
    this.counters.reconcileOk++;
    if (event.added + event.removed + event.rekeyed > 0) this.options.logger.info(event, 'accounts reconciled');
    await Promise.all(closing);
    this.emit('reconcile', event satisfies ReconcileEvent);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    this.#unsubscribe?.();
    this.#health.stop();
    await this.#loop.stop();
    this.admission.close();
    await Promise.all([...this.#accounts.values()].map((c) => c.close()));
    this.queue.end();
    this.#state = 'stopped';
  }

  [Symbol.asyncIterator](): AsyncIterator<UserDataMessage> {
    return this.messages();
  }

  messages(): AsyncIterableIterator<UserDataMessage> {
    return this.queue.iterate() as AsyncIterableIterator<UserDataMessage>;
  }

  batches(maxBatch?: number): AsyncIterableIterator<UserDataMessage[]> {
    return this.queue.batches(maxBatch) as AsyncIterableIterator<UserDataMessage[]>;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #setPaused(paused: boolean): void {
    this.#paused = paused;
    for (const connection of this.#accounts.values()) {
      if (paused) connection.pause();
      else connection.resume();
    }
  }

  #count(state: AccountState): number {
    let n = 0;
    for (const connection of this.#accounts.values()) if (connection.accountState === state) n++;
    return n;
  }

  stats(): UserDataStats {
    const c = this.counters;
    const connections: Record<AccountState, number> = { connecting: 0, open: 0, reconnecting: 0, deactivated: 0, stopped: 0 };
    for (const connection of this.#accounts.values()) connections[connection.accountState]++;
    return {
      messagesQueued: c.messagesQueued,
      queueDepth: this.queue.size,
      messagesDropped: c.messagesDropped,
      connections,
      reconnects: { ...c.reconnects },
      hotReload: { added: c.added, removed: c.removed, rekeyed: c.rekeyed },
      reconciliations: { ok: c.reconcileOk, failed: c.reconcileFailed },
      fillsBackfilled: c.fillsBackfilled,
      fillsDeduplicated: c.fillsDeduplicated,
      backfills: { ok: c.backfillOk, failed: c.backfillFailed },
      positionsSnapshots: c.positionsSnapshots,
      deactivations: c.deactivations,
    };
  }

  health(): UserDataHealth {
    const now = this.options.clock.now();
    const accounts = [...this.#accounts.values()].map((c) => c.health(now)).sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
    const connected = accounts.filter((a) => a.state === 'open').length;
    const deactivated = accounts.filter((a) => a.state === 'deactivated').length;
    const healthy = this.running && accounts.every((a) => a.state === 'open' && !a.degraded);
    return { state: this.#state, healthy, total: accounts.length, connected, deactivated, accounts, queueDepth: this.queue.size, paused: this.#paused };
  }
}

/**
 * Creates a user-data manager: one connection per account of `accounts`, subscribed to the private
 * channels, with fills backfilled from REST after every reconnect and credential errors deactivating
 * the account.
 * @throws {ConfigError} naming the first invalid option.
 * @example
 * const source = createMemoryAccountSource([{ id: 'acct-1', signer }]);
 * const users = createUserDataManager({ url: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
 *   restUrl: 'https://api.elections.kalshi.com/trade-api/v2', accounts: source });
 * users.on('deactivated', ({ accountId, reason }) => alertOwner(accountId, reason));
 * await users.start();
 * for await (const m of users) handle(m.accountId, m.type, m.data, m.backfilled);
 */
export function createUserDataManager(options: UserDataManagerOptions): UserDataManager {
  return new UserDataManagerImpl(options);
}
