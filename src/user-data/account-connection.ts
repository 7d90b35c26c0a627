/**
 * One account's connection: dial (under the pool-wide admission limiter) → subscribe to the private
 * channels → stream frames tagged with the account → REST backfill; the pool's reconnect loop on
 * every drop; deactivation on refused credentials; re-key on a new signer.
 * @internal
 */
import type { Client, CloseInfo } from '../client/client';
import { createKalshiClient } from '../client/kalshi-client';
import { AuthError, CommandRejectedError, RateLimitedError, isKalshiWsPoolError } from '../errors';
import type { HealthCheckedSlot } from '../manager/health-loop';
import type { SlotRole } from '../manager/layout';
import type { HealthCheckFailure } from '../manager/manager-events';
import type { SlotState } from '../manager/manager-stats';
import type { OutputQueue } from '../manager/output-queue';
import { backoffDelay } from '../manager/pool-context';
import type { TimerHandle } from '../ports/clock';
import type { Reconnector, ReconnectTarget } from '../manager/reconnect';
import type { EnvelopeScan } from '../protocol/kalshi/envelope';
import type { Account } from '../ports/account-source';
import { FillMemory, fetchFills, fetchPositions, fillIdOf, fillTimeOf } from './fill-backfill';
import type { AdapterHost } from './pool-adapter';
import { accountLogger, createAccountReconnector } from './pool-adapter';
import type { DeactivationReason } from './user-data-events';
import { AccountMessage } from './user-data-message';
import type { ResolvedUserDataOptions } from './user-data-options';
import type { AccountHealth, AccountState } from './user-data-stats';

/** What one account needs from its manager. @internal */
export interface AccountHost extends AdapterHost {
  readonly options: ResolvedUserDataOptions;
  readonly queue: OutputQueue;
  /** True while socket reads are paused for backpressure. */
  readonly paused: boolean;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One account's connection and its state. @internal */
export class AccountConnection implements HealthCheckedSlot, ReconnectTarget {
  /** HealthLoop/Reconnector want a role; accounts have none, this one is never shown. */
  readonly role: SlotRole = 'trade';
  generation = 0;
  failedChecks = 0;
  degraded = false;
  lastHealthFailure: HealthCheckFailure | undefined;
  readonly fills: FillMemory;

  #account: Account;
  #state: AccountState = 'connecting';
  #deactivatedReason: DeactivationReason | undefined;
  #client: Client | undefined;
  #subscribed = 0;
  #connectedAt = 0;
  #firstDialAt = 0;
  /** Backfill start (ms) owed since the last drop; undefined when nothing is owed. */
  #owedSince: number | undefined;
  #life = new AbortController();
  #backfill: AbortController | undefined;
  /** Failed backfills in a row on this connection (backoff level of the retry). */
  #backfillFailures = 0;
  #backfillRetry: TimerHandle | undefined;
  readonly #reconnector: Reconnector;
  readonly #clientLogger;

  constructor(
    readonly connectionId: number,
    account: Account,
    private readonly host: AccountHost,
  ) {
    this.#account = account;
    this.fills = new FillMemory(host.options.backfill.dedupeCapacity);
    this.#reconnector = createAccountReconnector(this, host);
    this.#clientLogger = accountLogger(host);
  }

  /** Opaque account id. */
  get accountId(): string {
    return this.#account.id;
  }

  /** The account as the source gave it last. */
  get account(): Account {
    return this.#account;
  }

  /** State as the user sees it. */
  get accountState(): AccountState {
    return this.#state;
  }

  /** State as the pool's health loop reads it: deactivated and stopped accounts are skipped. */
  get state(): SlotState {
    if (this.#state === 'deactivated' || this.#state === 'stopped') return 'stopped';
    return this.#state;
  }

  get open(): boolean {
    return this.#state === 'open';
  }

  /** First dial (at start, on add, on re-key and on reactivation). */
  start(): void {
    if (this.host.stopped || this.#state === 'stopped') return;
    this.#state = 'connecting';
    this.#life = new AbortController();
    const { signal } = this.#life;
    this.dial(signal).then(
      () => this.#reconnector.noteConnected(),
      (error: unknown) => {
        if (signal.aborted || this.host.stopped) return;
        const err = error instanceof Error ? error : new Error(String(error));
        if (err instanceof AuthError) return this.#deactivate(err, err.status === 403 ? 'forbidden' : 'unauthorized');
        this.host.counters.reconnects['dial-failed']++;
        this.#state = 'reconnecting';
        this.#reconnector.start(err);
      },
    );
  }

  /** ReconnectTarget: one dial (admission, fresh signed client, handshake, subscribe). */
  async dial(signal: AbortSignal): Promise<void> {
    const { options, clock } = this.host;
    await this.host.admission.acquire(signal);
    signal.throwIfAborted();
    if (this.#firstDialAt === 0) this.#firstDialAt = clock.now();
    // Fills after this moment reach the new socket; those before it are owed by the backfill.
    this.#owedSince ??= this.fills.lastFillAt > 0 ? this.fills.lastFillAt : this.#firstDialAt;
    this.generation++;
    const client = createKalshiClient({
      ...options.client,
      closeTimeoutMs: options.closeTimeoutMs,
      url: options.url,
      signer: this.#account.signer,
      connectionId: this.connectionId,
      clock,
      logger: this.#clientLogger,
    });
    this.#attach(client);
    try {
      await client.connect(signal);
      const channels = this.#account.channels ?? options.channels;
      const results = await client.subscribe(channels, undefined, { signal });
      this.#subscribed = results.length;
    } catch (error) {
      this.#detach(client);
      client.terminate();
      // Kalshi error 9 on the private subscribe: the key is not allowed these channels; a credential error.
      if (error instanceof CommandRejectedError && error.classification === 'auth') {
        throw new AuthError(`subscribe to private channels refused (Kalshi error 9) for account ${this.accountId}`, { cause: error });
      }
      throw error;
    }
    this.#state = 'open';
    this.#connectedAt = clock.now();
    if (this.host.paused) client.pause();
    this.host.emit('connected', { accountId: this.accountId, generation: this.generation });
    this.#startBackfill();
  }

  /** ReconnectTarget: the loop gave up (credentials refused or the circuit breaker). */
  giveUp(error: Error, reason: 'auth' | 'max-attempts'): void {
    if (reason === 'auth') {
      const status = error instanceof AuthError ? error.status : undefined;
      this.#deactivate(error, status === 403 ? 'forbidden' : 'unauthorized');
    } else {
      this.#deactivate(error, 'max-attempts');
    }
  }

  /** The source gave a new signer: reactivate a deactivated account, or redial with the new key. */
  rekey(account: Account): void {
    this.#account = account;
    if (this.#state === 'deactivated') {
      this.#deactivatedReason = undefined;
      this.host.emit('reactivated', { accountId: this.accountId });
      this.start();
      return;
    }
    void this.#shutdown(false).then(() => {
      if (!this.host.stopped && this.#state !== 'stopped') this.start();
    });
  }

  /** Close for good (account removed or manager stopped). Idempotent. */
  async close(): Promise<void> {
    this.#state = 'stopped';
    await this.#shutdown(true);
  }

  /** Test hook and backpressure: pause reading. */
  pause(): void {
    this.#client?.pause();
  }

  /** Resume reading. */
  resume(): void {
    this.#client?.resume();
  }

  /** HealthCheckedSlot: open, subscribed, heard from within the interval (frames or server pings). */
  checkHealth(now: number, intervalMs: number): HealthCheckFailure | undefined {
    const client = this.#client;
    if (this.#state !== 'open' || client === undefined) return 'disconnected';
    const channels = (this.#account.channels ?? this.host.options.channels).length;
    if (this.#subscribed < channels) return 'unsubscribed';
    const stats = client.stats();
    const heard = Math.max(stats.lastFrameAt, stats.lastPingAt, this.#connectedAt);
    return now - heard > intervalMs ? 'silent' : undefined;
  }

  /** HealthCheckedSlot: private channels have no snapshots to repair. */
  repairIfSilent(): number | undefined {
    return undefined;
  }

  /** Snapshot for `health()`. */
  health(now: number): AccountHealth {
    const stats = this.#client?.stats();
    const last = stats === undefined ? 0 : Math.max(stats.lastFrameAt, stats.lastPingAt);
    return {
      accountId: this.accountId,
      state: this.#state,
      generation: this.generation,
      deactivatedReason: this.#deactivatedReason,
      lastFrameAgeMs: last === 0 ? undefined : now - last,
      reconnects: this.#reconnector.reconnects,
      failedDials: this.#reconnector.failedDials,
      failedChecks: this.failedChecks,
      degraded: this.degraded,
      fillsRemembered: this.fills.size,
    };
  }

  async #shutdown(graceful: boolean): Promise<void> {
    this.#life.abort(new Error('account connection closed'));
    this.#backfill?.abort(new Error('account connection closed'));
    this.#cancelBackfillRetry();
    await this.#reconnector.cancel();
    const client = this.#client;
    if (client === undefined) return;
    this.#detach(client);
    if (graceful) await client.close().catch(() => undefined);
    else client.terminate();
  }

  #deactivate(error: Error, reason: DeactivationReason): void {
    if (this.host.stopped || this.#state === 'stopped') return;
    this.#state = 'deactivated';
    this.#deactivatedReason = reason;
    this.host.counters.deactivations++;
    const status = isKalshiWsPoolError(error) && error instanceof AuthError ? error.status : undefined;
    // One warning per deactivation: the loop has stopped, nothing repeats it.
    this.host.logger.warn({ accountId: this.accountId, reason, status }, 'account deactivated: credentials refused, no more dials until re-keyed');
    this.host.emit('deactivated', { accountId: this.accountId, reason, status, error });
  }

  #attach(client: Client): void {
    this.#client = client;
    client.setFrameSink(this.#onFrame);
    client.on('close', this.#onClose);
    client.on('error', this.#onError);
  }

  #detach(client: Client): void {
    client.setFrameSink(undefined);
    client.off('close', this.#onClose);
    client.off('error', this.#onError);
    if (this.#client === client) this.#client = undefined;
  }

  readonly #onFrame = (data: Uint8Array, receivedAt: number, envelope: EnvelopeScan): void => {
    const type = envelope.type ?? '';
    if (type === 'fill' && envelope.msgStart >= 0) {
      // Fills are few (one per execution of this account), so parsing their msg is affordable here.
      let id: string | undefined;
      let at = 0;
      try {
        const msg = JSON.parse(decoder.decode(data.subarray(envelope.msgStart, envelope.msgEnd))) as Record<string, unknown>;
        id = fillIdOf(msg);
        at = fillTimeOf(msg);
      } catch {
        id = undefined;
      }
      if (id !== undefined && !this.fills.admit(id, at)) {
        this.host.counters.fillsDeduplicated++;
        return;
      }
    }
    this.host.counters.messagesQueued++;
    this.host.queue.push(new AccountMessage(data, this.connectionId, receivedAt, type, envelope.sid, this.accountId, false));
  };

  readonly #onClose = (info: CloseInfo): void => {
    const client = this.#client;
    if (client !== undefined) this.#detach(client);
    this.#backfill?.abort(new Error('connection closed'));
    this.#cancelBackfillRetry();
    if (this.host.stopped || this.#state === 'stopped' || this.#state === 'deactivated') return;
    this.host.emit('disconnected', { accountId: this.accountId, kind: info.kind, code: info.code });
    this.host.counters.reconnects[info.kind]++;
    this.#reconnector.noteUptime(this.host.clock.now() - this.#connectedAt);
    this.#state = 'reconnecting';
    this.#reconnector.start();
  };

  readonly #onError = (error: Error): void => {
    this.host.emit('error', { accountId: this.accountId, error });
  };

  #cancelBackfillRetry(): void {
    if (this.#backfillRetry !== undefined) this.host.clock.clearTimeout(this.#backfillRetry);
    this.#backfillRetry = undefined;
    this.#backfillFailures = 0;
  }

  #startBackfill(): void {
    const { options } = this.host;
    const since = this.#owedSince;
    if (!options.backfill.enabled || since === undefined) {
      this.#owedSince = undefined;
      return;
    }
    const controller = new AbortController();
    this.#backfill = controller;
    void this.#runBackfill(since - options.backfill.safetyMarginMs, controller.signal).finally(() => {
      if (this.#backfill === controller) this.#backfill = undefined;
    });
  }

  async #runBackfill(sinceMs: number, signal: AbortSignal): Promise<void> {
    const { options, clock, counters, queue } = this.host;
    const b = options.backfill;
    const request = {
      restUrl: options.restUrl,
      signer: this.#account.signer,
      fetch: options.fetch,
      clock,
      requestTimeoutMs: b.requestTimeoutMs,
      pageSize: b.pageSize,
      maxPages: b.maxPages,
      sinceMs,
    };
    let delivered = 0;
    let pages = 0;
    try {
      const result = await fetchFills(
        request,
        (fill) => {
          const id = fillIdOf(fill);
          if (id === undefined) return;
          if (!this.fills.admit(id, fillTimeOf(fill))) {
            counters.fillsDeduplicated++;
            return;
          }
          delivered++;
          counters.fillsBackfilled++;
          counters.messagesQueued++;
          const bytes = encoder.encode(`{"type":"fill","backfilled":true,"msg":${JSON.stringify(fill)}}`);
          queue.push(new AccountMessage(bytes, this.connectionId, clock.now(), 'fill', undefined, this.accountId, true));
        },
        signal,
      );
      pages = result.pages;
      if (b.positions && !signal.aborted) {
        const body = await fetchPositions(request, signal);
        counters.positionsSnapshots++;
        counters.messagesQueued++;
        const bytes = encoder.encode(`{"type":"positions_snapshot","backfilled":true,"msg":${JSON.stringify(body)}}`);
        queue.push(new AccountMessage(bytes, this.connectionId, clock.now(), 'positions_snapshot', undefined, this.accountId, true));
      }
      // A connection closed meanwhile owns the debt now: a late success must not clear what its dial kept.
      if (signal.aborted) return;
      // Everything owed up to this connection is delivered.
      this.#owedSince = undefined;
      this.#backfillFailures = 0;
      counters.backfillOk++;
      this.host.emit('backfill', { accountId: this.accountId, status: 'ok', fills: delivered, pages, error: undefined, retryInMs: undefined });
    } catch (error) {
      if (signal.aborted || this.host.stopped) return;
      const err = error instanceof Error ? error : new Error(String(error));
      counters.backfillFailed++;
      // #owedSince stays: the retry (or the next connection) backfills from the same point.
      this.#backfillFailures++;
      let retryInMs = backoffDelay(this.#backfillFailures, options.reconnect);
      if (err instanceof RateLimitedError && err.retryAfterMs !== undefined) retryInMs = Math.max(retryInMs, err.retryAfterMs);
      this.#backfillRetry = clock.setTimeout(() => {
        this.#backfillRetry = undefined;
        if (this.#state === 'open' && !this.host.stopped) this.#startBackfill();
      }, retryInMs);
      this.host.logger.warn({ accountId: this.accountId, err, retryInMs }, 'fill backfill failed; retrying');
      this.host.emit('backfill', { accountId: this.accountId, status: 'failed', fills: delivered, pages, error: err, retryInMs });
    }
  }
}
