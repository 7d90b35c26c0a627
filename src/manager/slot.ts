/**
 * One pool slot: its client generations and their events, the frame path (`SlotFrames`) and reconnects
 * (`Reconnector`). What the slot's role does with the connection (a global subscription, or an orderbook
 * book with gap repair) is its {@link SlotBehaviour}, chosen from the role table (`roles.ts`).
 * @internal
 */
import type { Client, CloseInfo } from '../client/client';
import { AuthError, ClosedError, ConfigError, ConnectError } from '../errors';
import type { CommandRejectedError, KalshiWsPoolError, ProtocolError } from '../errors';
import type { TimerHandle } from '../ports/clock';
import type { HealthCheckedSlot } from './health-loop';
import { RetiredClientTotals } from './connection-stats';
import type { ConnectionStats } from './connection-stats';
import type { SlotSpec } from './layout';
import type { LiveConnection } from './live-connection';
import type { HealthCheckFailure } from './manager-events';
import type { ConnectionHealth, SlotState } from './manager-stats';
import type { PoolContext } from './pool-context';
import { Reconnector } from './reconnect';
import type { ReconnectTarget } from './reconnect';
import { ROLE_TABLE } from './roles';
import type { SlotRole } from './roles';
import { createSlotBehaviour } from './slot-behaviour';
import type { BehaviourHost, SlotBehaviour } from './slot-behaviour';
import type { SlotBook } from './slot-book';
import { SlotFrames } from './slot-frames';
import { TimedCommands } from './timed-commands';
import { kalshiReaction } from './error-reactions';
import { CommandRunner, commandRunnerPorts } from './command-runner';
import { whenForced } from './stop-deadline';

/** One connection slot of the pool. @internal */
export class Slot implements ReconnectTarget, BehaviourHost, HealthCheckedSlot {
  readonly connectionId: number;
  readonly role: SlotRole;
  readonly #ctx: PoolContext;
  /** What the role does with the connection (role table `behaviour`). */
  readonly #behaviour: SlotBehaviour;
  #state: SlotState = 'idle';
  #generation = 0;
  #client: Client | undefined;
  #genAbort: AbortController | undefined;
  #live: LiveConnection | undefined;
  readonly #frames: SlotFrames;
  #connectedAt = 0;
  #firstDial: AbortController | undefined;
  #dialing: Promise<unknown> | undefined;
  readonly #reconnect: Reconnector;
  /** Counters of the client generations that ended (see `connectionStats()`). */
  readonly #retired = new RetiredClientTotals();
  /** Health-loop state (written by `HealthLoop`). */
  failedChecks = 0;
  degraded = false;
  lastHealthFailure: HealthCheckFailure | undefined;

  constructor(spec: SlotSpec, ctx: PoolContext) {
    this.connectionId = spec.connectionId;
    this.role = spec.role;
    this.#ctx = ctx;
    const role = ROLE_TABLE[spec.role];
    this.#reconnect = new Reconnector(this, ctx);
    // One command sequence (limiter token, generation check, send, classify) for every command loop.
    const runner = new CommandRunner(commandRunnerPorts(ctx), this);
    const behaviour = createSlotBehaviour(role, this, ctx, runner);
    this.#behaviour = behaviour;
    this.#frames = new SlotFrames(spec.connectionId, role, ctx, (sid) => behaviour.gap(sid), behaviour.snapshots);
  }

  /** The slot's markets (placement fills it on per-market roles only). */
  get book(): SlotBook {
    return this.#behaviour.book;
  }

  get generation(): number {
    return this.#generation;
  }

  get state(): SlotState {
    return this.#state;
  }

  get connected(): boolean {
    return this.#state === 'open';
  }

  live(): LiveConnection | undefined {
    return this.#live;
  }

  isLive(generation: number): boolean {
    return this.#live !== undefined && this.#live.generation === generation && !this.#ctx.stopped;
  }

  recycle(generation: number): void {
    // terminate() emits `close`, and #onClose starts the reconnect loop as for any lost connection.
    if (this.isLive(generation)) this.#client?.terminate();
  }

  /** Want markets on this slot and send the change. */
  want(tickers: Iterable<string>): void {
    const { book } = this.#behaviour;
    for (const ticker of tickers) book.want(ticker);
    this.flush();
  }

  /** Send pending book changes (per-market roles). */
  flush(): void {
    if (this.#live !== undefined && this.#ctx.running) this.#behaviour.flush();
  }

  /** Circuit breaker: forget every market (the pool re-places them). */
  clearBook(): void {
    this.#behaviour.clearBook();
  }

  /** Backpressure from the output queue. */
  setPaused(paused: boolean): void {
    if (paused) this.#client?.pause();
    else this.#client?.resume();
  }

  // ---- dialing -------------------------------------------------------------------------------

  /** The first dial at start. Resolves with the failure, if any (never rejects). */
  async firstDial(): Promise<Error | undefined> {
    const controller = new AbortController();
    this.#firstDial = controller;
    const dialing = this.dial(controller.signal);
    this.#dialing = dialing.catch(() => undefined);
    try {
      await dialing;
      this.#reconnect.noteConnected();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#firstDial = undefined;
      this.#dialing = undefined;
    }
  }

  /** After a failed first dial: a credential error takes the slot out, anything else retries in the background. */
  afterStartFailure(error: Error): void {
    if (error instanceof AuthError) this.giveUp(error, 'auth');
    else if (error instanceof ConfigError) this.giveUp(error, 'config');
    else {
      this.#state = 'reconnecting';
      this.#reconnect.start(error);
    }
  }

  /** Dial once through the admission limiter. Resolves when the handshake is done. */
  async dial(signal: AbortSignal): Promise<void> {
    await this.#ctx.admission.acquire(signal);
    if (this.#ctx.stopped) throw new ClosedError('the pool is stopping', { connectionId: this.connectionId });
    const generation = ++this.#generation;
    const client = this.#ctx.createClient(this.connectionId, generation);
    const before = this.#state;
    this.#state = 'connecting';
    this.#attach(client);
    try {
      await client.connect(signal);
      if (signal.aborted || this.#ctx.stopped) throw new ClosedError('the pool is stopping', { connectionId: this.connectionId });
      if (client.state !== 'open') throw new ConnectError(`connection ${this.connectionId} closed right after its handshake`, { connectionId: this.connectionId });
    } catch (error) {
      this.#detach(client);
      client.terminate();
      this.#retired.retire(client.stats());
      this.#state = before === 'idle' ? 'idle' : 'reconnecting';
      throw error;
    }
    this.#opened(client, generation);
  }

  #opened(client: Client, generation: number): void {
    const ctx = this.#ctx;
    const controller = new AbortController();
    this.#client = client;
    this.#genAbort = controller;
    // Commands go through a timing wrapper: one `command` event per command (metrics, rejection logs).
    this.#live = { client: new TimedCommands(client, this.connectionId, this.role, ctx), generation, signal: controller.signal };
    this.#frames.reset();
    this.#behaviour.opened();
    this.#connectedAt = ctx.clock.now();
    this.#state = 'open';
    if (ctx.paused) client.pause();
    ctx.logger.info({ connectionId: this.connectionId, role: this.role, generation }, 'connected');
    ctx.slotStateChanged();
    ctx.emit('connected', { connectionId: this.connectionId, role: this.role, generation });
    if (ctx.running) this.restore();
  }

  /** Restore the role's subscription (global channel, or the orderbook book from scratch). */
  restore(): void {
    const live = this.#live;
    if (live !== undefined) this.#behaviour.restore(live);
  }

  /** The loop stopped for good. */
  giveUp(error: Error, reason: 'auth' | 'config' | 'max-attempts'): void {
    this.#state = 'failed';
    const status = error instanceof ConnectError ? error.status : undefined;
    this.#ctx.logger.error(
      { connectionId: this.connectionId, role: this.role, reason, status, err: error },
      reason === 'auth' ? 'credentials rejected; slot gave up' : reason === 'config' ? 'invalid client options; slot gave up' : 'slot gave up',
    );
    this.#ctx.emit('error', { connectionId: this.connectionId, error, fatal: true });
    this.#behaviour.gaveUp();
    this.#ctx.slotStateChanged();
  }

  // ---- client events -------------------------------------------------------------------------

  #attach(client: Client): void {
    this.#listen(client, 'on');
  }

  #detach(client: Client): void {
    this.#listen(client, 'off');
  }

  /** The frame sink and one list of the client events a slot handles, for adding and for removing them. */
  #listen(client: Client, method: 'on' | 'off'): void {
    client.setFrameSink(method === 'on' ? this.#frames.onFrame : undefined);
    client[method]('subscribed', this.#frames.onSubscribed);
    client[method]('close', this.#onClose);
    client[method]('subscriptionError', this.#onSubscriptionError);
    client[method]('protocolError', this.#onProtocolError);
    client[method]('error', this.#onClientError);
  }

  readonly #onSubscriptionError = (event: { readonly sid: number; readonly error: CommandRejectedError }): void => {
    const { error } = event;
    if (kalshiReaction(error.kalshiCode, 'frame').kind === 'resubscribe') {
      this.resubscribe(event.sid, error.kalshiCode);
      return;
    }
    this.#ctx.logger.warn({ connectionId: this.connectionId, sid: event.sid, err: error }, 'subscription error');
    this.#ctx.emit('error', { connectionId: this.connectionId, error, fatal: false });
  };

  readonly #onProtocolError = (error: ProtocolError): void => {
    this.#ctx.logger.warn({ connectionId: this.connectionId, err: error }, 'unreadable frame');
  };

  readonly #onClientError = (error: KalshiWsPoolError): void => {
    this.#ctx.logger.warn({ connectionId: this.connectionId, err: error }, 'client error');
    this.#ctx.emit('error', { connectionId: this.connectionId, error, fatal: false });
  };

  readonly #onClose = (info: CloseInfo): void => {
    const client = this.#client;
    if (client === undefined || this.#state !== 'open') return;
    const ctx = this.#ctx;
    const generation = this.#generation;
    this.#endGeneration(client);
    this.#state = 'reconnecting';
    ctx.slotStateChanged();
    ctx.logger.warn({ connectionId: this.connectionId, role: this.role, generation, kind: info.kind, code: info.code }, 'disconnected');
    ctx.emit('disconnected', {
      connectionId: this.connectionId,
      role: this.role,
      generation,
      kind: info.kind,
      code: info.code,
      reason: info.reason,
      error: info.error,
    });
    if (ctx.stopped) return;
    this.#reconnect.noteUptime(ctx.clock.now() - this.#connectedAt);
    this.#reconnect.start();
  };

  #endGeneration(client: Client): void {
    this.#detach(client);
    this.#retired.retire(client.stats());
    this.#client = undefined;
    this.#live = undefined;
    this.#genAbort?.abort(new ClosedError(`connection ${this.connectionId} closed`, { connectionId: this.connectionId }));
    this.#genAbort = undefined;
    this.#frames.reset();
    this.#behaviour.ended();
  }

  // ---- subscriptions -------------------------------------------------------------------------

  /** Error 10/25 (or 7) on `sid`: retire it and subscribe again (orderbook: the slot's markets). */
  resubscribe(sid: number, kalshiCode: number | undefined): void {
    const live = this.#live;
    if (live === undefined || !this.#frames.isOpen(sid)) return; // already handled
    this.#frames.close(sid);
    const ctx = this.#ctx;
    ctx.counters.resubscribes++;
    ctx.logger.warn({ connectionId: this.connectionId, sid, kalshiCode }, 'subscription lost; resubscribing');
    ctx.emit('resubscribed', { connectionId: this.connectionId, role: this.role, sid, kalshiCode });
    this.#behaviour.lost(sid, live);
  }

  /** A subscribe reply gave `sid` (see `OrderbookHost.adopted`). */
  adopted(sid: number): boolean {
    if (!this.#frames.isOpen(sid)) return false;
    this.#behaviour.onAdopted(sid);
    return true;
  }

  // ---- stop and health -----------------------------------------------------------------------

  /** Cancel dials and reconnects, close the client (terminate after `closeTimeoutMs`, or once `force` aborts). */
  async stop(force?: AbortSignal): Promise<void> {
    this.#firstDial?.abort(new ClosedError('the pool is stopping', { connectionId: this.connectionId }));
    await this.#dialing;
    await this.#reconnect.cancel();
    const client = this.#client;
    this.#state = 'stopped';
    if (client === undefined) return;
    this.#endGeneration(client);
    await this.#closeClient(client, force);
  }

  async #closeClient(client: Client, force: AbortSignal | undefined): Promise<void> {
    const { clock } = this.#ctx;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, this.#ctx.options.closeTimeoutMs);
    });
    const forced = force === undefined ? undefined : whenForced(force);
    try {
      const waits = [client.close().catch(() => undefined), timeout];
      if (forced !== undefined) waits.push(forced.promise);
      await Promise.race(waits);
    } finally {
      clock.clearTimeout(timer);
      forced?.dispose();
      client.terminate();
    }
  }

  /** Counters since creation: retired generations plus the live client (for `connectionStats()`). */
  connectionStats(): ConnectionStats {
    return this.#retired.snapshot(this, this.#client?.stats());
  }

  /**
   * One health-loop check: `undefined` when fine, else why not. A connection that opened within the
   * interval counts as heard from; while reads are paused for backpressure silence is not its fault.
   */
  checkHealth(now: number, intervalMs: number): HealthCheckFailure | undefined {
    const client = this.#client;
    if (this.#state !== 'open' || client === undefined) return 'disconnected';
    if (!this.#ctx.paused) {
      const heardAt = Math.max(this.#frames.lastFrameAt, client.stats().lastFrameAt, this.#connectedAt);
      if (now - heardAt > intervalMs) return 'silent';
    }
    return this.#behaviour.subscriptionFailure();
  }

  /** "Subscribed but silent" (per-market roles): see `OrderbookBehaviour.repairIfSilent`. @returns the sid repaired, if any. */
  repairIfSilent(now: number, silentMs: number): number | undefined {
    return this.#behaviour.repairIfSilent(now, silentMs);
  }

  /**
   * For `manager.ready()`: why this slot does not stream all it should yet, or `undefined` when it does.
   * A slot that gave up is not waited for (its markets were moved; `health()` shows it as `failed`).
   */
  notReadyReason(): string | undefined {
    if (this.#state === 'failed') return undefined;
    return this.#behaviour.notReadyReason(this.#state);
  }

  /** Snapshot for `health()`. */
  health(now: number): ConnectionHealth {
    const client = this.#client;
    const lastFrameAt = Math.max(this.#frames.lastFrameAt, client?.stats().lastFrameAt ?? 0);
    const behaviour = this.#behaviour;
    const { sid, book } = behaviour;
    return {
      connectionId: this.connectionId,
      role: this.role,
      state: this.#state,
      generation: this.#generation,
      sids: sid === undefined ? [] : [sid],
      markets: behaviour.markets,
      placed: behaviour.placed,
      pending: book.pendingAdds + book.pendingRemoves,
      inSync: book.inSync(),
      lastFrameAgeMs: lastFrameAt === 0 ? undefined : Math.max(0, now - lastFrameAt),
      reconnects: this.#reconnect.reconnects,
      failedDials: this.#reconnect.failedDials,
      failedChecks: this.failedChecks,
      degraded: this.degraded,
    };
  }
}
